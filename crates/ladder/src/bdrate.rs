//! Bjøntegaard delta rate: the average bit-rate difference of curve B against
//! curve A at equal quality, the method of Netflix's `vmaf` `bd_rate.py` and
//! AOM's common test conditions: log bit rate as a PCHIP function of quality,
//! integrated over the quality range both curves cover (never extrapolated),
//! with the trapezoid rule on 100 evenly spaced samples.

use crate::error::{Error, Result};
use crate::pchip::Pchip;
use serde::{Deserialize, Serialize};

/// One encode: its bit rate (any unit, the same for both curves) and quality.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RatePoint {
    pub rate: f64,
    pub quality: f64,
}

impl RatePoint {
    pub fn new(rate: f64, quality: f64) -> RatePoint {
        RatePoint { rate, quality }
    }
}

/// The fewest points per curve the method accepts (a cubic needs four).
pub const MIN_POINTS: usize = 4;

/// Samples of the quality range that the trapezoid rule integrates over.
const SAMPLES: usize = 100;

/// BD-rate of `b` against `a`, in percent: negative when `b` needs less bit
/// rate for the same quality. Points may come in any order.
///
/// Errors: [`Error::ShortCurve`] below [`MIN_POINTS`], [`Error::BadRate`]
/// for a rate that is not positive, [`Error::NotMonotone`] when, sorted by
/// quality, rates do not rise strictly with it, [`Error::NoOverlap`] when the
/// quality ranges do not overlap.
pub fn bd_rate(a: &[RatePoint], b: &[RatePoint]) -> Result<f64> {
    let (qa, la) = log_curve(a, "A")?;
    let (qb, lb) = log_curve(b, "B")?;
    let lo = qa[0].max(qb[0]);
    let hi = qa[qa.len() - 1].min(qb[qb.len() - 1]);
    if hi <= lo {
        return Err(Error::NoOverlap {
            a_min: qa[0],
            a_max: qa[qa.len() - 1],
            b_min: qb[0],
            b_max: qb[qb.len() - 1],
        });
    }
    let fa = Pchip::new(&qa, &la)?;
    let fb = Pchip::new(&qb, &lb)?;
    let mean_gap = (integral(&fb, lo, hi) - integral(&fa, lo, hi)) / (hi - lo);
    Ok((mean_gap.exp() - 1.0) * 100.0)
}

/// Quality (ascending) and ln(rate) of a curve, after the checks.
fn log_curve(points: &[RatePoint], curve: &'static str) -> Result<(Vec<f64>, Vec<f64>)> {
    if points.len() < MIN_POINTS {
        return Err(Error::ShortCurve {
            curve,
            got: points.len(),
            need: MIN_POINTS,
        });
    }
    if let Some(p) = points
        .iter()
        .find(|p| !(p.rate > 0.0 && p.rate.is_finite()))
    {
        return Err(Error::BadRate {
            curve,
            rate: p.rate,
        });
    }
    let mut sorted = points.to_vec();
    sorted.sort_by(|x, y| x.quality.total_cmp(&y.quality));
    for w in sorted.windows(2) {
        let rising = w[1].quality > w[0].quality && w[1].rate > w[0].rate;
        if !(rising && w[0].quality.is_finite() && w[1].quality.is_finite()) {
            return Err(Error::NotMonotone {
                curve,
                detail: format!(
                    "({}, {}) then ({}, {})",
                    w[0].rate, w[0].quality, w[1].rate, w[1].quality
                ),
            });
        }
    }
    Ok((
        sorted.iter().map(|p| p.quality).collect(),
        sorted.iter().map(|p| p.rate.ln()).collect(),
    ))
}

/// Trapezoid rule over `SAMPLES` evenly spaced points of `[lo, hi]`.
fn integral(f: &Pchip, lo: f64, hi: f64) -> f64 {
    let step = (hi - lo) / (SAMPLES - 1) as f64;
    let inner: f64 = (1..SAMPLES - 1).map(|i| f.eval(lo + step * i as f64)).sum();
    step * (inner + 0.5 * (f.eval(lo) + f.eval(hi)))
}
