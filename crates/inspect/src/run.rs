//! The inspection run: probe, then one full decode of the main video
//! stream on the decoder thread, which also reduces each picture to what the
//! analysis reads ([`crate::picture`]), while batches of frames are measured
//! in parallel on the pool beside it and folded in order on this thread.

use crate::aggregate::{Aggregator, Analysis};
use crate::error::{Error, Result};
use crate::options::InspectOptions;
use crate::picture::{self, Picture};
use crate::progress::{Progress, ProgressClock};
use crate::report;
use crate::work::{quarter_difference, FrameSlot, Levels};
use rayon::prelude::*;
use reel_core::manifest::{DecodeErrorAt, DecodeErrors, InspectReport};
use reel_core::{ColorRange, Plane};
use reel_media::{DecodeEvent, DecoderOptions, MediaSource, VideoParams};
use std::sync::mpsc;

/// Inspects `input` (a path or URL FFmpeg can read) into an `inspect.json` report.
///
/// A source without video gives a report with `video: None` and no shots
/// (its streams are still listed), not an error. Corrupt packets are
/// counted in `decode_errors` and do not stop the decode.
///
/// Errors: [`Error::Media`] when the input cannot be opened or probed
/// (missing, empty, not media) or reading fails; [`Error::NoFrames`] when
/// the video stream yields no picture; [`Error::InvalidOption`] for options
/// out of range.
pub fn inspect(
    input: &str,
    opts: &InspectOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<InspectReport> {
    opts.validate()?;
    reel_media::init();
    let info = MediaSource::open(input)?.info().clone();
    let header = report::header(input, info.size_bytes);
    let Some(video) = info.video.clone() else {
        return Ok(report::without_video(header, &info));
    };
    let (analysis, errors) = decode_and_analyse(input, &video, opts, progress)?;
    if analysis.frames == 0 {
        return Err(Error::NoFrames {
            input: input.to_string(),
            stream: video.stream_index,
            errors: errors.count,
        });
    }
    Ok(report::with_video(header, &info, &video, analysis, errors))
}

/// 8-bit luma levels for black and bar decisions, from the stream's range.
fn levels(video: &VideoParams, opts: &InspectOptions) -> Levels {
    let (black, white) = match video.color.range {
        ColorRange::Full => (0.0, 255.0),
        // Unspecified is limited in practice (what encoders write by default).
        ColorRange::Limited | ColorRange::Unspecified => (16.0, 235.0),
    };
    let dark = black + opts.black_pixel_threshold * (white - black);
    Levels {
        dark: dark.round().clamp(0.0, 255.0) as u8,
        // Bars are black plus coding noise; 12 levels above black leaves room
        // for the noise yet keeps dark picture out of the bars.
        bar: (black + 12.0) as u8,
    }
}

/// Frames on their way through the per-frame analysis, with the buffers of
/// the workers that measure them. Three of these cycle: one fills from the
/// decoder while another is measured on the pool and the third is folded.
#[derive(Debug)]
struct Batch {
    frames: Vec<Picture>,
    slots: Vec<FrameSlot>,
    /// Quarter picture of the frame before `frames[0]`, for the frame
    /// difference; valid only when `has_prev` (the buffer is kept for reuse).
    prev_quarter: Plane<u8>,
    has_prev: bool,
}

impl Batch {
    fn new(len: usize, levels: Levels) -> Self {
        Self {
            frames: Vec::with_capacity(len),
            slots: (0..len).map(|_| FrameSlot::new(levels)).collect(),
            prev_quarter: Plane::new(0, 0),
            has_prev: false,
        }
    }

    /// Measures every frame, one worker slot each, in parallel; then the
    /// differences from the previous quarter pictures, which are cheap.
    fn measure(&mut self, levels: Levels) {
        let n = self.frames.len();
        let slots = &mut self.slots[..n];
        slots
            .par_iter_mut()
            .zip(&self.frames)
            .for_each(|(slot, frame)| slot.analyse(frame, levels));
        for (k, slot) in slots.iter_mut().enumerate() {
            let cur = &self.frames[k].quarter;
            slot.measures.diff = match k {
                0 if !self.has_prev => None,
                0 => quarter_difference(cur, &self.prev_quarter),
                _ => quarter_difference(cur, &self.frames[k - 1].quarter),
            };
        }
    }

    /// Hands the quarter picture of this batch's last frame to `next`, whose
    /// first frame follows it (a buffer swap, no copy).
    fn pass_last_quarter(&mut self, next: &mut Batch) {
        if let Some(last) = self.frames.last_mut() {
            std::mem::swap(&mut last.quarter, &mut next.prev_quarter);
            next.has_prev = true;
        }
    }

    /// Folds the measured frames in order, sends their quarter buffers back
    /// to the decoder thread and empties the batch for reuse.
    fn fold_into(&mut self, agg: &mut Aggregator, recycle: &mpsc::Sender<Plane<u8>>) {
        for (frame, slot) in self.frames.drain(..).zip(&self.slots) {
            agg.push(&frame.info, &slot.measures);
            // The decoder thread is gone once decoding ended: nothing to reuse.
            let _ = recycle.send(frame.quarter);
        }
        self.has_prev = false;
    }
}

/// Runs batch measurements on the pool, at most one at a time, while the
/// caller keeps receiving frames.
struct Measurer<'a> {
    input: &'a str,
    pool: Option<&'a rayon::ThreadPool>,
    levels: Levels,
    done_tx: mpsc::Sender<Batch>,
    done_rx: mpsc::Receiver<Batch>,
    in_flight: bool,
}

impl Measurer<'_> {
    fn start(&mut self, mut batch: Batch) {
        let (tx, levels) = (self.done_tx.clone(), self.levels);
        let job = move || {
            batch.measure(levels);
            // The receiver lives as long as the run; a failed send means the
            // run already returned an error and nobody waits for this batch.
            let _ = tx.send(batch);
        };
        match self.pool {
            Some(pool) => pool.spawn(job),
            None => rayon::spawn(job),
        }
        self.in_flight = true;
    }

    /// Waits for the batch in flight, if any.
    fn finish(&mut self) -> Result<Option<Batch>> {
        if !self.in_flight {
            return Ok(None);
        }
        self.in_flight = false;
        self.done_rx.recv().map(Some).map_err(|_| Error::Analysis {
            input: self.input.to_string(),
            reason: "a frame analysis worker stopped".into(),
        })
    }
}

fn decode_and_analyse(
    input: &str,
    video: &VideoParams,
    opts: &InspectOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Analysis, DecodeErrors)> {
    let fps = video.frame_rate().map_or(0.0, |r| r.as_f64());
    let estimate = video.declared_frames.or_else(|| {
        let d = video.duration_s.unwrap_or(0.0);
        (d > 0.0 && fps > 0.0).then(|| (d * fps).round() as u64)
    });
    let clock = ProgressClock::new(estimate);
    let levels = levels(video, opts);
    let pool = opts.pool.as_deref();
    let threads = pool.map_or_else(rayon::current_num_threads, |p| p.current_num_threads());
    // Half the pool's width of frames, but at least 8: the decoder's own
    // threads want the other half (on 16 cores, 8 analysis tasks beat 16
    // and 4), and on a small machine every batch wakes pool threads that
    // spin before they sleep, taking cycles from the decoder. Three batches
    // cycle (filling, measured, folded), so quarter pictures in memory are
    // about 3 x batch + the decoder queue, whatever the title length; full
    // frames are never copied.
    let batch_len = (threads / 2).clamp(8, 64);
    let mut filling = Batch::new(batch_len, levels);
    let mut spare = Some(Batch::new(batch_len, levels));
    let (done_tx, done_rx) = mpsc::channel();
    let mut measurer = Measurer {
        input,
        pool,
        levels,
        done_tx,
        done_rx,
        in_flight: false,
    };
    let mut agg = Aggregator::new(opts, fps);
    let mut errors = DecodeErrors::default();

    let decoder_opts = DecoderOptions {
        stream: Some(video.stream_index),
        threads: opts.decoder_threads,
        ..DecoderOptions::default()
    };
    let (recycle, mut preparer) = picture::preparer();
    let frames = reel_media::spawn_decoder_with(
        input.to_string(),
        decoder_opts,
        opts.queue_frames,
        move |view| preparer.prepare(view),
    )?;
    progress(clock.at(0));
    let mut hand_over = |filling: &mut Batch| -> Result<()> {
        // The batch in flight is the one just before `filling`.
        let mut done = measurer.finish()?;
        if !filling.frames.is_empty() {
            let empty = spare
                .take()
                .unwrap_or_else(|| Batch::new(batch_len, levels));
            let mut full = std::mem::replace(filling, empty);
            if let Some(done) = done.as_mut() {
                done.pass_last_quarter(&mut full);
            }
            measurer.start(full);
        }
        // Fold the previous batch while the next one is measured; folding
        // stays in frame order because one batch at most is in flight.
        if let Some(mut done) = done {
            done.fold_into(&mut agg, &recycle);
            progress(clock.at(agg.frames()));
            spare = Some(done);
        }
        Ok(())
    };
    for event in frames {
        match event? {
            DecodeEvent::Frame(frame) => {
                filling.frames.push(frame);
                if filling.frames.len() == batch_len {
                    hand_over(&mut filling)?;
                }
            }
            DecodeEvent::Error(issue) => {
                errors.count += 1;
                if errors.first.len() < opts.max_error_details {
                    errors.first.push(DecodeErrorAt {
                        packet: issue.packet,
                        time_s: issue.time_s,
                        message: issue.message,
                    });
                }
            }
        }
    }
    // The partial last batch, then whatever is still in flight.
    hand_over(&mut filling)?;
    hand_over(&mut filling)?;
    Ok((agg.finish(), errors))
}
