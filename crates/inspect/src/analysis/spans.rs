//! Runs of frames that share a property (black, frozen), kept when they last
//! long enough. Shared by the black and frozen detectors.

/// A run of frames, inclusive, with its start time and length in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub start_frame: u64,
    pub end_frame: u64,
    pub start_s: f64,
    pub duration_s: f64,
}

/// Collects runs of "on" frames lasting at least `min_duration_s`.
#[derive(Debug, Clone)]
pub struct SpanTracker {
    min_duration_s: f64,
    /// Open run: first frame and its time, last frame seen.
    open: Option<(u64, f64, u64)>,
    spans: Vec<Span>,
}

impl SpanTracker {
    pub fn new(min_duration_s: f64) -> Self {
        Self {
            min_duration_s,
            open: None,
            spans: Vec::new(),
        }
    }

    /// Frame `index`, shown at `time_s`, is on or off. Frames come in order.
    pub fn push(&mut self, index: u64, time_s: f64, on: bool) {
        match (on, self.open) {
            (true, None) => self.open = Some((index, time_s, index)),
            (true, Some((start, start_s, _))) => self.open = Some((start, start_s, index)),
            (false, Some(_)) => self.close(time_s),
            (false, None) => {}
        }
    }

    /// Ends the stream at `end_time_s` (the end of the last frame).
    pub fn finish(&mut self, end_time_s: f64) -> Vec<Span> {
        self.close(end_time_s);
        std::mem::take(&mut self.spans)
    }

    fn close(&mut self, end_time_s: f64) {
        if let Some((start_frame, start_s, end_frame)) = self.open.take() {
            let duration_s = (end_time_s - start_s).max(0.0);
            // A small slack absorbs timestamp rounding at the threshold.
            if duration_s + 1e-6 >= self.min_duration_s {
                self.spans.push(Span {
                    start_frame,
                    end_frame,
                    start_s,
                    duration_s,
                });
            }
        }
    }
}

/// Black frames: nearly all luma at or below the dark threshold.
#[derive(Debug, Clone)]
pub struct BlackDetector {
    /// Share of dark pixels that makes a frame black (ffmpeg's blackdetect uses 0.98).
    pub min_dark_fraction: f64,
    spans: SpanTracker,
}

impl BlackDetector {
    pub fn new(min_duration_s: f64, min_dark_fraction: f64) -> Self {
        Self {
            min_dark_fraction,
            spans: SpanTracker::new(min_duration_s),
        }
    }

    pub fn is_black(&self, dark_fraction: f64) -> bool {
        dark_fraction >= self.min_dark_fraction
    }

    /// Feeds one frame; returns whether it is black.
    pub fn push(&mut self, index: u64, time_s: f64, dark_fraction: f64) -> bool {
        let black = self.is_black(dark_fraction);
        self.spans.push(index, time_s, black);
        black
    }

    pub fn finish(&mut self, end_time_s: f64) -> Vec<Span> {
        self.spans.finish(end_time_s)
    }
}

/// Frozen frames: the picture repeats the previous one (mean absolute
/// difference below a noise floor). Black frames are left to the black
/// detector, so a black hold is not reported twice.
#[derive(Debug, Clone)]
pub struct FrozenDetector {
    /// Mean absolute difference (8-bit units) at or below which a frame repeats.
    pub max_mafd: f64,
    spans: SpanTracker,
}

impl FrozenDetector {
    pub fn new(min_duration_s: f64, max_mafd: f64) -> Self {
        Self {
            max_mafd,
            spans: SpanTracker::new(min_duration_s),
        }
    }

    /// Feeds one frame with its difference from the previous one (`None` for
    /// the first frame or after a format change).
    pub fn push(&mut self, index: u64, time_s: f64, mafd: Option<f64>, black: bool) {
        let frozen = !black && mafd.is_some_and(|m| m <= self.max_mafd);
        self.spans.push(index, time_s, frozen);
    }

    pub fn finish(&mut self, end_time_s: f64) -> Vec<Span> {
        self.spans.finish(end_time_s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_runs_long_enough() {
        let mut t = SpanTracker::new(0.1);
        let on = [
            false, true, true, true, false, true, false, true, true, true, true,
        ];
        for (i, &o) in on.iter().enumerate() {
            t.push(i as u64, i as f64 * 0.04, o);
        }
        let spans = t.finish(on.len() as f64 * 0.04);
        assert_eq!(spans.len(), 2);
        assert_eq!((spans[0].start_frame, spans[0].end_frame), (1, 3));
        assert!((spans[0].duration_s - 0.12).abs() < 1e-9);
        assert_eq!((spans[1].start_frame, spans[1].end_frame), (7, 10));
        assert!((spans[1].duration_s - 0.16).abs() < 1e-9);
    }

    #[test]
    fn frozen_ignores_black_frames() {
        let mut f = FrozenDetector::new(0.0, 0.5);
        f.push(0, 0.0, None, false);
        f.push(1, 0.04, Some(0.0), true);
        f.push(2, 0.08, Some(0.1), false);
        let spans = f.finish(0.12);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].start_frame, 2);
    }
}
