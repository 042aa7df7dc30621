//! Progress of the full decode, for a progress bar.

use std::time::Instant;

/// Where the decode-and-analyse pass stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub frames_done: u64,
    /// From the container's frame count or duration x frame rate; `None` when unknown.
    pub frames_total_estimate: Option<u64>,
    /// Frames per second analysed so far.
    pub fps: f64,
}

/// Builds [`Progress`] values from a start instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProgressClock {
    start: Instant,
    total: Option<u64>,
}

impl ProgressClock {
    pub(crate) fn new(total: Option<u64>) -> Self {
        Self {
            start: Instant::now(),
            total,
        }
    }

    pub(crate) fn at(&self, frames_done: u64) -> Progress {
        let secs = self.start.elapsed().as_secs_f64();
        Progress {
            frames_done,
            frames_total_estimate: self.total.map(|t| t.max(frames_done)),
            fps: if secs > 0.0 {
                frames_done as f64 / secs
            } else {
                0.0
            },
        }
    }
}
