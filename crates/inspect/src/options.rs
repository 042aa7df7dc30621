//! Inspection options: detector thresholds and the thread pool to run on.

use crate::analysis::shots::ShotConfig;
use crate::error::{Error, Result};
use std::sync::Arc;

/// Tuning of an inspection. `Default` gives the values the pipeline uses.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    /// Shot detector tuning; its `min_shot_frames` is replaced by
    /// `min_shot_s` converted at the stream's frame rate.
    pub shots: ShotConfig,
    /// Shortest shot, in seconds.
    pub min_shot_s: f64,
    /// Shortest black span reported, in seconds.
    pub black_min_duration_s: f64,
    /// Share of dark pixels that makes a frame black (ffmpeg blackdetect: 0.98).
    pub black_pixel_fraction: f64,
    /// Darkness threshold as a share of the nominal luma range above black
    /// (ffmpeg blackdetect: 0.10).
    pub black_pixel_threshold: f64,
    /// Shortest frozen span reported, in seconds.
    pub frozen_min_duration_s: f64,
    /// Mean absolute difference (8-bit units) at or below which a frame repeats the previous one.
    pub frozen_max_mafd: f64,
    /// Share of combed sample pixels that makes a frame combed.
    pub comb_min_fraction: f64,
    /// Decode errors listed in detail (all are counted).
    pub max_error_details: usize,
    /// Decoded frames queued between the decoder thread and the analysis.
    pub queue_frames: usize,
    /// Decoder threads; 0 lets FFmpeg choose.
    pub decoder_threads: usize,
    /// Pool for the per-frame analysis; `None` runs on the current rayon pool.
    pub pool: Option<Arc<rayon::ThreadPool>>,
}

impl Default for InspectOptions {
    fn default() -> Self {
        Self {
            shots: ShotConfig::default(),
            min_shot_s: 0.25,
            black_min_duration_s: 0.5,
            black_pixel_fraction: 0.98,
            black_pixel_threshold: 0.10,
            frozen_min_duration_s: 1.0,
            frozen_max_mafd: 0.5,
            comb_min_fraction: 0.0025,
            max_error_details: 10,
            queue_frames: 8,
            decoder_threads: 0,
            pool: None,
        }
    }
}

impl InspectOptions {
    /// Checks ranges; the message gives the allowed one.
    pub fn validate(&self) -> Result<()> {
        let unit = |name: &'static str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::InvalidOption {
                    name,
                    reason: format!("{v} is outside [0, 1]"),
                })
            }
        };
        let non_negative = |name: &'static str, v: f64| {
            if v >= 0.0 && v.is_finite() {
                Ok(())
            } else {
                Err(Error::InvalidOption {
                    name,
                    reason: format!("{v} must be a finite number >= 0"),
                })
            }
        };
        unit("black_pixel_fraction", self.black_pixel_fraction)?;
        unit("black_pixel_threshold", self.black_pixel_threshold)?;
        unit("comb_min_fraction", self.comb_min_fraction)?;
        non_negative("min_shot_s", self.min_shot_s)?;
        non_negative("black_min_duration_s", self.black_min_duration_s)?;
        non_negative("frozen_min_duration_s", self.frozen_min_duration_s)?;
        non_negative("frozen_max_mafd", self.frozen_max_mafd)?;
        if self.shots.window == 0 || self.shots.ratio <= 0.0 {
            return Err(Error::InvalidOption {
                name: "shots",
                reason: "window must be >= 1 and ratio > 0".into(),
            });
        }
        Ok(())
    }
}
