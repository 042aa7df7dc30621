//! Shot-cut detection over a stream of [`LumaFeatures`].
//!
//! The score of frame `i` is its distance from frame `i-1`. A cut needs a
//! score that stands out from its neighbours (an adaptive threshold over a
//! window on both sides, as PySceneDetect's adaptive detector does), so camera
//! motion and gradual transitions (dissolves, fades), whose scores stay level,
//! give none. A one- or two-frame flash is filtered out: a real cut separates
//! the pictures before it from those after it, so every pair across the
//! candidate (frames `i-2`/`i-1` against `i`/`i+1`) must differ too, whereas
//! around a flash the picture comes back.
//!
//! Decisions lag the input by `window` frames; memory is a handful of
//! feature sets, whatever the title length.

use super::features::LumaFeatures;
use std::collections::VecDeque;

/// Tuning of the [`ShotDetector`].
#[derive(Debug, Clone, PartialEq)]
pub struct ShotConfig {
    /// Frames looked at on each side of a candidate.
    pub window: usize,
    /// How many times the neighbours' mean score a cut's score must reach.
    pub ratio: f32,
    /// Scores below this are never cuts (a change of lighting, noise).
    pub min_score: f32,
    /// A score this high is a cut even among busy neighbours (at least
    /// `strong_ratio` times their mean), e.g. a cut inside fast motion.
    pub strong_score: f32,
    pub strong_ratio: f32,
    /// Pairs across a cut must differ by at least this share of its score;
    /// below it the picture came back and the candidate is a flash.
    pub flash_keep: f32,
    /// Shortest shot, in frames; a candidate closer to the previous cut is dropped.
    pub min_shot_frames: u64,
}

impl Default for ShotConfig {
    fn default() -> Self {
        Self {
            window: 2,
            ratio: 3.0,
            min_score: 0.12,
            strong_score: 0.45,
            strong_ratio: 1.6,
            flash_keep: 0.5,
            min_shot_frames: 6,
        }
    }
}

/// Streaming shot-cut detector. Feed every frame in order with
/// [`push`](Self::push), then call [`finish`](Self::finish).
#[derive(Debug, Clone)]
pub struct ShotDetector {
    cfg: ShotConfig,
    /// The last `window + 3` frames' features, with their index.
    feats: VecDeque<(u64, LumaFeatures)>,
    /// The last `2 * window + 1` scores, with their frame index.
    scores: VecDeque<(u64, f32)>,
    next: u64,
    /// Frames below this index are settled.
    settled: u64,
    last_cut: u64,
    cuts: Vec<u64>,
}

impl ShotDetector {
    pub fn new(cfg: ShotConfig) -> Self {
        let window = cfg.window.max(1);
        Self {
            feats: VecDeque::with_capacity(window + 4),
            scores: VecDeque::with_capacity(2 * window + 2),
            cfg: ShotConfig { window, ..cfg },
            next: 0,
            settled: 0,
            last_cut: 0,
            cuts: Vec::new(),
        }
    }

    /// Adds the next frame. Returns a cut found by this call (a frame index
    /// `window` frames back), if any.
    pub fn push(&mut self, features: &LumaFeatures) -> Option<u64> {
        let index = self.next;
        self.next += 1;
        if let Some((_, prev)) = self.feats.back() {
            let score = prev.distance(features);
            if self.scores.len() == 2 * self.cfg.window + 1 {
                self.scores.pop_front();
            }
            self.scores.push_back((index, score));
        }
        if self.feats.len() == self.cfg.window + 3 {
            if let Some((_, mut recycled)) = self.feats.pop_front() {
                // Reuse the evicted slot's storage: no allocation per frame.
                recycled.clone_from(features);
                self.feats.push_back((index, recycled));
            }
        } else {
            self.feats.push_back((index, features.clone()));
        }
        let w = self.cfg.window as u64;
        (index >= w).then(|| self.decide(index - w)).flatten()
    }

    /// Settles the last frames; returns every cut found, in order.
    pub fn finish(&mut self) -> Vec<u64> {
        while self.settled < self.next {
            self.decide(self.settled);
        }
        std::mem::take(&mut self.cuts)
    }

    /// Frames below this index have their shot fixed: no later cut can
    /// land at or before them.
    pub fn settled(&self) -> u64 {
        self.settled
    }

    /// Cuts found so far.
    pub fn cuts(&self) -> &[u64] {
        &self.cuts
    }

    fn score(&self, i: u64) -> Option<f32> {
        self.scores.iter().find(|(j, _)| *j == i).map(|(_, s)| *s)
    }

    fn feat(&self, i: u64) -> Option<&LumaFeatures> {
        self.feats.iter().find(|(j, _)| *j == i).map(|(_, f)| f)
    }

    fn decide(&mut self, c: u64) -> Option<u64> {
        self.settled = c + 1;
        let cut = c > 0 && self.is_cut(c) && c - self.last_cut >= self.cfg.min_shot_frames;
        if cut {
            self.last_cut = c;
            self.cuts.push(c);
        }
        cut.then_some(c)
    }

    fn is_cut(&self, c: u64) -> bool {
        let Some(s) = self.score(c) else {
            return false;
        };
        if s < self.cfg.min_score {
            return false;
        }
        let neighbours = self
            .scores
            .iter()
            .filter(|(j, _)| *j != c && j.abs_diff(c) <= self.cfg.window as u64);
        let (sum, n) = neighbours.fold((0f32, 0u32), |(s, n), (_, v)| (s + v, n + 1));
        let mean = if n == 0 { 0.0 } else { sum / n as f32 };
        let stands_out = s >= self.cfg.ratio * mean
            || (s >= self.cfg.strong_score && s >= self.cfg.strong_ratio * mean);
        stands_out && !self.is_flash(c, s)
    }

    fn is_flash(&self, c: u64, s: f32) -> bool {
        let before = [c.checked_sub(1), c.checked_sub(2)];
        let after = [Some(c), Some(c + 1)];
        let keep = self.cfg.flash_keep * s;
        before.iter().flatten().any(|&a| {
            after
                .iter()
                .flatten()
                .any(|&b| match (self.feat(a), self.feat(b)) {
                    (Some(fa), Some(fb)) => fa.distance(fb) < keep,
                    _ => false,
                })
        })
    }
}

impl Default for ShotDetector {
    fn default() -> Self {
        Self::new(ShotConfig::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::features::features_of;
    use reel_core::Plane;

    /// A picture: a gradient whose phase moves with `t` (camera motion),
    /// and whose pattern depends on `scene`.
    fn picture(scene: u32, t: u32) -> LumaFeatures {
        let (w, h) = (64usize, 32usize);
        let data = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| {
                let v = match scene {
                    0 => (x as u32 * 3 + t) % 200 + 20,
                    1 => (y as u32 * 7 + t) % 120 + 100,
                    _ => (x as u32 * 5 + y as u32 * 3 + t) % 90 + 140,
                };
                v as u8
            });
        features_of(&Plane::from_vec(data.collect(), w, h, w).unwrap(), 30)
    }

    fn run(frames: &[LumaFeatures]) -> Vec<u64> {
        let mut d = ShotDetector::default();
        frames.iter().for_each(|f| {
            d.push(f);
        });
        d.finish()
    }

    #[test]
    fn finds_hard_cuts_between_moving_scenes() {
        let frames: Vec<_> = (0..60).map(|i| picture(i / 20, i)).collect();
        assert_eq!(run(&frames), vec![20, 40]);
    }

    #[test]
    fn ignores_a_single_frame_flash() {
        let white = features_of(
            &Plane::from_vec(vec![250; 64 * 32], 64, 32, 64).unwrap(),
            30,
        );
        let mut frames: Vec<_> = (0..30).map(|i| picture(0, i)).collect();
        frames[15] = white;
        assert_eq!(run(&frames), Vec::<u64>::new());
    }

    #[test]
    fn settles_every_frame_by_finish() {
        let frames: Vec<_> = (0..10).map(|i| picture(0, i)).collect();
        let mut d = ShotDetector::default();
        frames.iter().for_each(|f| {
            d.push(f);
        });
        assert!(d.settled() < 10);
        d.finish();
        assert_eq!(d.settled(), 10);
    }
}
