//! The in-order half of the analysis: frame timing, shots with their SI/TI,
//! black and frozen spans, crop and interlacing verdicts. Fed one frame at a
//! time; its state is bounded by the shot detector's look-ahead.

use crate::analysis::crop::CropDetector;
use crate::analysis::interlace::CombDetector;
use crate::analysis::shots::ShotDetector;
use crate::analysis::siti::complexity;
use crate::analysis::spans::{BlackDetector, FrozenDetector, Span};
use crate::analysis::vfr::{FrameTiming, VfrDetector};
use crate::options::InspectOptions;
use crate::picture::FrameInfo;
use crate::work::FrameMeasures;
use reel_core::manifest::{CropRect, Shot, Stat};
use reel_core::{Resolution, Timestamp};
use std::collections::VecDeque;

/// A frame waiting for the shot detector to settle its shot.
#[derive(Debug, Clone, Copy)]
struct Pending {
    index: u64,
    time_s: f64,
    si: Option<f64>,
    ti: Option<f64>,
}

/// Running SI/TI of the shot being built.
#[derive(Debug, Clone, Copy)]
struct ShotAcc {
    start_frame: u64,
    start_s: f64,
    last_frame: u64,
    si: Running,
    ti: Running,
}

#[derive(Debug, Clone, Copy, Default)]
struct Running {
    sum: f64,
    max: f64,
    n: u64,
}

impl Running {
    fn add(&mut self, v: f64) {
        self.sum += v;
        self.max = if self.n == 0 { v } else { self.max.max(v) };
        self.n += 1;
    }

    fn stat(&self) -> Stat {
        let mean = if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        };
        Stat {
            mean,
            max: self.max,
        }
    }
}

/// Everything the full decode measured.
#[derive(Debug, Clone)]
pub(crate) struct Analysis {
    pub frames: u64,
    pub resolution: Option<Resolution>,
    pub shots: Vec<Shot>,
    /// Cut frames with their time.
    pub cuts: Vec<(u64, f64)>,
    pub black: Vec<Span>,
    pub frozen: Vec<Span>,
    pub crop: Option<CropRect>,
    pub timing: FrameTiming,
    pub flagged_interlaced: u64,
    pub combed_frames: u64,
    pub looks_interlaced: bool,
    /// End of the last frame, seconds from the first.
    pub end_s: f64,
}

#[derive(Debug)]
pub(crate) struct Aggregator {
    nominal_frame_s: f64,
    shots: ShotDetector,
    cuts: Vec<(u64, f64)>,
    /// Cuts decided by the detector, not yet reached by the shot builder.
    cut_queue: VecDeque<u64>,
    pending: VecDeque<Pending>,
    current: Option<ShotAcc>,
    done: Vec<Shot>,
    black: BlackDetector,
    frozen: FrozenDetector,
    crop: CropDetector,
    comb: CombDetector,
    vfr: VfrDetector,
    flagged: u64,
    frames: u64,
    origin_s: Option<f64>,
    last_time_s: f64,
    last_duration_s: Option<f64>,
    resolution: Option<Resolution>,
}

impl Aggregator {
    /// `frame_rate`: the nominal rate, for frames without timestamps and
    /// for converting durations to frame counts.
    pub(crate) fn new(opts: &InspectOptions, frame_rate: f64) -> Self {
        let fps = if frame_rate > 0.0 { frame_rate } else { 25.0 };
        let mut shot_cfg = opts.shots.clone();
        shot_cfg.min_shot_frames = (opts.min_shot_s * fps).round().max(1.0) as u64;
        Self {
            nominal_frame_s: 1.0 / fps,
            shots: ShotDetector::new(shot_cfg),
            cuts: Vec::new(),
            cut_queue: VecDeque::new(),
            pending: VecDeque::new(),
            current: None,
            done: Vec::new(),
            black: BlackDetector::new(opts.black_min_duration_s, opts.black_pixel_fraction),
            frozen: FrozenDetector::new(opts.frozen_min_duration_s, opts.frozen_max_mafd),
            crop: CropDetector::new(),
            comb: CombDetector::new(opts.comb_min_fraction),
            vfr: VfrDetector::new(),
            flagged: 0,
            frames: 0,
            origin_s: None,
            last_time_s: 0.0,
            last_duration_s: None,
            resolution: None,
        }
    }

    pub(crate) fn frames(&self) -> u64 {
        self.frames
    }

    /// Seconds since the first frame, from the timestamp when there is one.
    fn time_of(&mut self, timestamp: Option<Timestamp>) -> f64 {
        let guess = if self.frames == 0 {
            0.0
        } else {
            self.last_time_s + self.nominal_frame_s
        };
        match timestamp {
            Some(ts) => {
                let origin = *self.origin_s.get_or_insert(ts.seconds() - guess);
                ts.seconds() - origin
            }
            None => guess,
        }
    }

    /// Adds the next frame (in presentation order) and its measures.
    pub(crate) fn push(&mut self, frame: &FrameInfo, m: &FrameMeasures) {
        let index = self.frames;
        let time_s = self.time_of(frame.timestamp);
        if index > 0 && time_s > self.last_time_s {
            self.last_duration_s = Some(time_s - self.last_time_s);
        }
        self.last_time_s = time_s;
        self.frames += 1;
        self.resolution.get_or_insert(frame.resolution);
        self.flagged += u64::from(frame.interlaced);
        self.vfr.push(frame.timestamp);

        let black = self.black.push(index, time_s, m.features.dark_fraction());
        self.frozen
            .push(index, time_s, m.diff.map(|d| d.mafd), black);
        if !black {
            self.crop.push(m.content, m.content_plane);
        }
        self.comb.push(m.comb);

        if let Some(cut) = self.shots.push(&m.features) {
            self.cut_queue.push_back(cut);
        }
        self.pending.push_back(Pending {
            index,
            time_s,
            si: m.si,
            ti: m.diff.map(|d| d.ti),
        });
        let settled = self.shots.settled();
        while self.pending.front().is_some_and(|p| p.index < settled) {
            if let Some(p) = self.pending.pop_front() {
                self.fold(p);
            }
        }
    }

    /// Adds a settled frame to its shot, closing the previous shot at a cut.
    fn fold(&mut self, p: Pending) {
        let is_cut = self.cut_queue.front() == Some(&p.index);
        if is_cut {
            self.cut_queue.pop_front();
            self.cuts.push((p.index, p.time_s));
        }
        if is_cut || self.current.is_none() {
            self.close_shot(p.time_s);
            self.current = Some(ShotAcc {
                start_frame: p.index,
                start_s: p.time_s,
                last_frame: p.index,
                si: Running::default(),
                ti: Running::default(),
            });
        }
        if let Some(acc) = self.current.as_mut() {
            acc.last_frame = p.index;
            if let Some(si) = p.si {
                acc.si.add(si);
            }
            // TI across the cut measures the cut, not the shot.
            if let (Some(ti), true) = (p.ti, p.index > acc.start_frame) {
                acc.ti.add(ti);
            }
        }
    }

    fn close_shot(&mut self, end_s: f64) {
        if let Some(acc) = self.current.take() {
            let (si, ti) = (acc.si.stat(), acc.ti.stat());
            self.done.push(Shot {
                start_frame: acc.start_frame,
                end_frame: acc.last_frame,
                start_s: acc.start_s,
                duration_s: (end_s - acc.start_s).max(0.0),
                si,
                ti,
                complexity: complexity(si.mean, ti.mean),
            });
        }
    }

    pub(crate) fn finish(mut self) -> Analysis {
        let all_cuts = self.shots.finish();
        let known = self.cuts.len() + self.cut_queue.len();
        self.cut_queue.extend(all_cuts.into_iter().skip(known));
        while let Some(p) = self.pending.pop_front() {
            self.fold(p);
        }
        let end_s = if self.frames == 0 {
            0.0
        } else {
            self.last_time_s + self.last_duration_s.unwrap_or(self.nominal_frame_s)
        };
        self.close_shot(end_s);
        let (w, h) = self.resolution.map_or((0, 0), |r| (r.width, r.height));
        Analysis {
            frames: self.frames,
            resolution: self.resolution,
            shots: self.done,
            cuts: self.cuts,
            black: self.black.finish(end_s),
            frozen: self.frozen.finish(end_s),
            crop: self.crop.finish(w, h, 2),
            timing: self.vfr.timing(),
            flagged_interlaced: self.flagged,
            combed_frames: self.comb.combed_frames,
            looks_interlaced: self.comb.looks_interlaced(),
            end_s,
        }
    }
}
