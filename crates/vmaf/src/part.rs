//! Scoring a clip in parts, on other machines, and joining the parts' scores
//! into the clip's.
//!
//! Every per-frame feature depends on one frame pair, except motion: the
//! reference's motion of frame i compares it with frame i-1, and motion2
//! takes the smaller of frames i and i+1. A part is therefore scored with a
//! frame either side of it (where the clip has one) and only its own frames
//! kept, which makes its scores exactly the whole-clip run's.

use crate::scorer::{FrameScores, Scores};
use crate::{Error, Pooled, Result};
use std::collections::BTreeMap;
use std::ops::Range;

/// Frames `start..end` of a clip of `clip_frames` frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClipPart {
    pub start: u64,
    pub end: u64,
    pub clip_frames: u64,
}

impl ClipPart {
    /// The clip cut into parts of `part_frames` frames (the last shorter),
    /// at least one part even for an empty clip.
    pub fn split(clip_frames: u64, part_frames: u64) -> Vec<ClipPart> {
        let step = part_frames.max(1);
        let mut parts: Vec<ClipPart> = (0..clip_frames)
            .step_by(usize::try_from(step).unwrap_or(usize::MAX))
            .map(|start| ClipPart {
                start,
                end: (start + step).min(clip_frames),
                clip_frames,
            })
            .collect();
        if parts.is_empty() {
            parts.push(ClipPart {
                start: 0,
                end: 0,
                clip_frames,
            });
        }
        parts
    }

    /// The frames a part's run reads: its own, the one before (for the
    /// motion of its first frame) and the one after (for the motion2 of its
    /// last), where the clip has them.
    pub fn input(&self) -> Range<u64> {
        self.start.saturating_sub(1)..(self.end + 1).min(self.clip_frames)
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.start > self.end || self.end > self.clip_frames {
            return Err(Error::Config(format!(
                "part {}..{} is not within a clip of {} frames",
                self.start, self.end, self.clip_frames
            )));
        }
        Ok(())
    }
}

/// One part's scores, as a worker stores them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoredPart {
    pub part: ClipPart,
    pub model: String,
    pub frames: Vec<FrameScores>,
}

impl ScoredPart {
    pub fn new(part: ClipPart, scores: Scores) -> ScoredPart {
        ScoredPart {
            part,
            model: scores.model,
            frames: scores.frames,
        }
    }
}

impl Scores {
    /// Scores of `frames`, pooled per metric.
    pub fn from_frames(model: String, frames: Vec<FrameScores>) -> Scores {
        let mut pooled = BTreeMap::new();
        let names: Vec<String> = frames
            .first()
            .map(|f| f.metrics.keys().cloned().collect())
            .unwrap_or_default();
        for name in names {
            let values: Vec<f64> = frames
                .iter()
                .filter_map(|f| f.metrics.get(&name).copied())
                .collect();
            if let Some(p) = Pooled::from_values(&values) {
                pooled.insert(name, p);
            }
        }
        Scores {
            model,
            frames,
            pooled,
        }
    }

    /// The clip's scores from all its parts, in any order.
    ///
    /// # Errors
    /// [`Error::Config`] when the parts do not cover one clip exactly once,
    /// or were scored with different models.
    pub fn join(mut parts: Vec<ScoredPart>) -> Result<Scores> {
        parts.sort_by_key(|p| p.part.start);
        let Some(first) = parts.first() else {
            return Err(Error::Config("no parts to join".into()));
        };
        let (model, clip_frames) = (first.model.clone(), first.part.clip_frames);
        let mut next = 0;
        for p in &parts {
            if p.part.start != next || p.part.clip_frames != clip_frames {
                return Err(Error::Config(format!(
                    "parts do not cover the clip of {clip_frames} frames once: \
                     part {}..{} of {} follows frame {next}",
                    p.part.start, p.part.end, p.part.clip_frames
                )));
            }
            if p.model != model {
                return Err(Error::Config(format!(
                    "parts were scored with {model} and {}",
                    p.model
                )));
            }
            next = p.part.end;
        }
        if next != clip_frames {
            return Err(Error::Config(format!(
                "parts end at frame {next} of a clip of {clip_frames} frames"
            )));
        }
        let frames = parts.into_iter().flat_map(|p| p.frames).collect();
        Ok(Scores::from_frames(model, frames))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_the_clip() {
        let parts = ClipPart::split(10, 4);
        let ranges: Vec<_> = parts.iter().map(|p| (p.start, p.end)).collect();
        assert_eq!(ranges, [(0, 4), (4, 8), (8, 10)]);
        assert_eq!(parts[0].input(), 0..5);
        assert_eq!(parts[1].input(), 3..9);
        assert_eq!(parts[2].input(), 7..10);
        assert_eq!(ClipPart::split(0, 4).len(), 1);
    }

    #[test]
    fn join_refuses_gaps_and_mixed_models() {
        let part = |start, end, model: &str| ScoredPart {
            part: ClipPart {
                start,
                end,
                clip_frames: 6,
            },
            model: model.into(),
            frames: Vec::new(),
        };
        assert!(Scores::join(vec![part(0, 3, "m"), part(4, 6, "m")]).is_err());
        assert!(Scores::join(vec![part(0, 3, "m"), part(3, 5, "m")]).is_err());
        assert!(Scores::join(vec![part(0, 3, "m"), part(3, 6, "n")]).is_err());
        assert!(Scores::join(vec![part(3, 6, "m"), part(0, 3, "m")]).is_ok());
        assert!(Scores::join(Vec::new()).is_err());
    }
}
