//! Variable frame rate, measured from the decoded timestamps.
//!
//! A stream is VFR when its frame durations differ by more than timestamp
//! jitter: two ticks of the time base (29.97 fps in a 1/1000 base alternates
//! 33 and 34) or 5% of the shortest duration, whichever is larger.

use reel_core::{Rational, Timestamp};

#[derive(Debug, Clone, Default)]
pub struct VfrDetector {
    time_base: Option<Rational>,
    first_pts: Option<i64>,
    last_pts: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
    /// Frames with a timestamp.
    stamped: u64,
}

/// What the timestamps say about the frame rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameTiming {
    pub vfr: bool,
    pub min_duration_s: f64,
    pub max_duration_s: f64,
    /// Frames per second over the stamped span: (frames - 1) / (last - first).
    pub measured_rate: Option<Rational>,
}

impl VfrDetector {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, ts: Option<Timestamp>) {
        let Some(ts) = ts else { return };
        let tb = *self.time_base.get_or_insert(ts.time_base);
        // Frames are in one time base; rescale defensively if one is not.
        let pts = if ts.time_base == tb {
            ts.pts
        } else {
            ts.rescale(tb).pts
        };
        if let Some(last) = self.last_pts {
            let d = pts - last;
            // Non-increasing stamps are broken timestamps, not durations.
            if d > 0 {
                self.min = Some(self.min.map_or(d, |m| m.min(d)));
                self.max = Some(self.max.map_or(d, |m| m.max(d)));
            }
        }
        self.first_pts.get_or_insert(pts);
        self.last_pts = Some(pts);
        self.stamped += 1;
    }

    pub fn timing(&self) -> FrameTiming {
        let tb = self.time_base.unwrap_or(Rational::new(0, 1));
        let secs = |t: i64| t as f64 * tb.as_f64();
        let (min, max) = (self.min.unwrap_or(0), self.max.unwrap_or(0));
        let tolerance = (min / 20).max(2);
        let measured_rate = match (self.first_pts, self.last_pts) {
            (Some(f), Some(l)) if l > f && self.stamped > 1 && !tb.is_zero() => {
                let frames = (self.stamped - 1) as i128 * tb.den as i128;
                let span = (l - f) as i128 * tb.num as i128;
                reduce(frames, span)
            }
            _ => None,
        };
        FrameTiming {
            vfr: self.min.is_some() && max - min > tolerance,
            min_duration_s: secs(min),
            max_duration_s: secs(max),
            measured_rate,
        }
    }

    /// Time base of the stamps, once one was seen.
    pub fn time_base(&self) -> Option<Rational> {
        self.time_base
    }
}

/// `num/den` as a [`Rational`], reduced and scaled down to fit `i64`.
fn reduce(mut num: i128, mut den: i128) -> Option<Rational> {
    let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1) as i128;
    num /= g;
    den /= g;
    while num > i64::MAX as i128 || den > i64::MAX as i128 {
        num /= 2;
        den /= 2;
    }
    (den > 0).then(|| Rational::new(num as i64, den as i64))
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pts: &[i64], tb: Rational) -> FrameTiming {
        let mut d = VfrDetector::new();
        pts.iter()
            .for_each(|&p| d.push(Some(Timestamp::new(p, tb))));
        d.timing()
    }

    #[test]
    fn constant_rate_with_rounding_jitter_is_cfr() {
        let tb = Rational::new(1, 1000);
        let pts: Vec<i64> = (0..100)
            .map(|i| (i as f64 * 1001.0 / 30.0).round() as i64)
            .collect();
        let t = run(&pts, tb);
        assert!(!t.vfr);
        let rate = t.measured_rate.unwrap().as_f64();
        assert!((rate - 29.97).abs() < 0.01, "{rate}");
    }

    #[test]
    fn exact_rate_is_recovered() {
        let tb = Rational::new(1, 12800);
        let pts: Vec<i64> = (0..132).map(|i| i * 512).collect();
        assert_eq!(run(&pts, tb).measured_rate, Some(Rational::new(25, 1)));
    }

    #[test]
    fn varying_steps_are_vfr() {
        let tb = Rational::new(1, 1000);
        let t = run(&[0, 40, 80, 180, 200, 240], tb);
        assert!(t.vfr);
        assert!((t.max_duration_s - 0.1).abs() < 1e-9);
        assert!((t.min_duration_s - 0.02).abs() < 1e-9);
    }
}
