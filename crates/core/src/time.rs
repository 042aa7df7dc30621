//! Time newtypes: exact rationals, timestamps in a time base, frame indices.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An exact rational number, used for time bases, frame rates and aspect ratios.
///
/// The denominator is kept positive; `0/1` is the "unknown" value FFmpeg uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rational {
    pub num: i64,
    pub den: i64,
}

impl Rational {
    /// Builds `num/den` reduced to lowest terms. A zero denominator gives `0/1`.
    pub fn new(num: i64, den: i64) -> Self {
        if den == 0 {
            return Self { num: 0, den: 1 };
        }
        let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1) as i64;
        let sign = if den < 0 { -1 } else { 1 };
        Self {
            num: sign * num / g,
            den: sign * den / g,
        }
    }

    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    pub fn as_f64(self) -> f64 {
        if self.den == 0 {
            0.0
        } else {
            self.num as f64 / self.den as f64
        }
    }

    /// The reciprocal; `0/1` stays `0/1`.
    pub fn invert(self) -> Self {
        if self.num == 0 {
            self
        } else {
            Self::new(self.den, self.num)
        }
    }

    /// Rescales `value` from this time base to `to`, rounding to nearest
    /// (ties away from zero) with 128-bit intermediates so it never overflows.
    pub fn rescale(self, value: i64, to: Rational) -> i64 {
        let n = value as i128 * self.num as i128 * to.den as i128;
        let d = self.den as i128 * to.num as i128;
        if d == 0 {
            return 0;
        }
        let half = d.abs() / 2;
        let r = if (n >= 0) == (d > 0) {
            (n.abs() + half) / d.abs()
        } else {
            -((n.abs() + half) / d.abs())
        };
        r as i64
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

/// A presentation timestamp in units of its time base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Timestamp {
    pub pts: i64,
    pub time_base: Rational,
}

impl Timestamp {
    pub fn new(pts: i64, time_base: Rational) -> Self {
        Self { pts, time_base }
    }

    pub fn seconds(self) -> f64 {
        self.pts as f64 * self.time_base.as_f64()
    }

    /// The same instant in another time base (rounded to nearest).
    pub fn rescale(self, to: Rational) -> Timestamp {
        Timestamp::new(self.time_base.rescale(self.pts, to), to)
    }
}

/// Index of a frame in presentation order, counted from 0 at the stream start.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct FrameIndex(pub u64);

impl fmt::Display for FrameIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rational_reduces_and_normalises_sign() {
        assert_eq!(Rational::new(60000, 2002), Rational::new(30000, 1001));
        assert_eq!(Rational::new(1, -2), Rational { num: -1, den: 2 });
        assert_eq!(Rational::new(5, 0), Rational { num: 0, den: 1 });
    }

    #[test]
    fn rescale_round_trips_between_common_time_bases() {
        let tb90k = Rational::new(1, 90_000);
        let tb_ms = Rational::new(1, 1000);
        for pts in [0_i64, 1, 3003, 90_000, 123_456_789] {
            let ms = tb90k.rescale(pts, tb_ms);
            let expected = (pts as f64 / 90.0).round() as i64;
            assert_eq!(ms, expected, "pts {pts}");
        }
        let frames = Rational::new(1001, 30000);
        for i in 0..1000_i64 {
            let t = frames.rescale(i, tb90k);
            assert_eq!(tb90k.rescale(t, frames), i);
        }
    }

    #[test]
    fn rescale_rounds_negative_values_symmetrically() {
        let a = Rational::new(1, 3);
        let b = Rational::new(1, 2);
        assert_eq!(a.rescale(1, b), 1);
        assert_eq!(a.rescale(-1, b), -1);
    }
}
