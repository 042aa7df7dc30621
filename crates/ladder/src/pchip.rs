//! Piecewise cubic Hermite interpolation that keeps the shape of the data
//! (Fritsch-Carlson slopes with the three-point end formula, as SciPy's
//! `PchipInterpolator`): between two points the curve never overshoots them,
//! so a monotone set of samples gives a monotone curve. BD-rate and the
//! ladder's CRF -> quality / bitrate fits both rest on it.

use crate::error::{Error, Result};

/// A shape-preserving cubic through points with strictly increasing `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pchip {
    x: Vec<f64>,
    y: Vec<f64>,
    /// Slope at each point.
    d: Vec<f64>,
}

impl Pchip {
    /// The interpolant through `(x[i], y[i])`.
    ///
    /// Errors: [`Error::TooFewPoints`] for fewer than 2 points,
    /// [`Error::NotIncreasing`] when `x` is not strictly increasing or a
    /// value is not finite.
    pub fn new(x: &[f64], y: &[f64]) -> Result<Pchip> {
        let n = x.len().min(y.len());
        if n < 2 {
            return Err(Error::TooFewPoints { got: n, need: 2 });
        }
        let (x, y) = (x[..n].to_vec(), y[..n].to_vec());
        if x.iter().chain(&y).any(|v| !v.is_finite()) || x.windows(2).any(|w| w[1] <= w[0]) {
            return Err(Error::NotIncreasing);
        }
        let h: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
        let delta: Vec<f64> = (0..n - 1).map(|i| (y[i + 1] - y[i]) / h[i]).collect();
        let d = if n == 2 {
            vec![delta[0]; 2]
        } else {
            let mut d = vec![0.0; n];
            d[0] = end_slope(h[0], h[1], delta[0], delta[1]);
            d[n - 1] = end_slope(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
            for k in 1..n - 1 {
                d[k] = interior_slope(h[k - 1], h[k], delta[k - 1], delta[k]);
            }
            d
        };
        Ok(Pchip { x, y, d })
    }

    /// The curve at `t`; outside the data it continues the end cubics.
    pub fn eval(&self, t: f64) -> f64 {
        let n = self.x.len();
        // The interval [x[k], x[k+1]] holding t (clamped to the end ones).
        let k = self.x[1..n - 1].partition_point(|&xi| xi <= t);
        let h = self.x[k + 1] - self.x[k];
        let s = (t - self.x[k]) / h;
        let (y0, y1) = (self.y[k], self.y[k + 1]);
        let (m0, m1) = (self.d[k] * h, self.d[k + 1] * h);
        // Cubic Hermite basis.
        let s2 = s * s;
        let s3 = s2 * s;
        (2.0 * s3 - 3.0 * s2 + 1.0) * y0
            + (s3 - 2.0 * s2 + s) * m0
            + (-2.0 * s3 + 3.0 * s2) * y1
            + (s3 - s2) * m1
    }

    /// The smallest and largest `x` of the data.
    pub fn domain(&self) -> (f64, f64) {
        (self.x[0], self.x[self.x.len() - 1])
    }
}

/// Weighted harmonic mean of the neighbouring secants, 0 at a local extremum.
fn interior_slope(h0: f64, h1: f64, delta0: f64, delta1: f64) -> f64 {
    if delta0 == 0.0 || delta1 == 0.0 || delta0.signum() != delta1.signum() {
        return 0.0;
    }
    let w1 = 2.0 * h1 + h0;
    let w2 = h1 + 2.0 * h0;
    (w1 + w2) / (w1 / delta0 + w2 / delta1)
}

/// One-sided three-point slope at an end, limited so the end cubic keeps
/// the data's shape.
fn end_slope(h0: f64, h1: f64, delta0: f64, delta1: f64) -> f64 {
    let d = ((2.0 * h0 + h1) * delta0 - h0 * delta1) / (h0 + h1);
    if d.signum() != delta0.signum() || d == 0.0 {
        0.0
    } else if delta0.signum() != delta1.signum() && d.abs() > 3.0 * delta0.abs() {
        3.0 * delta0
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_through_the_points_and_is_linear_on_linear_data() {
        let x = [0.0, 1.0, 3.0, 4.0, 7.0];
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        let p = Pchip::new(&x, &y).unwrap();
        for (a, b) in x.iter().zip(&y) {
            assert!((p.eval(*a) - b).abs() < 1e-12);
        }
        for t in [0.5, 2.0, 3.3, 6.9] {
            assert!((p.eval(t) - (2.0 * t + 1.0)).abs() < 1e-12, "{t}");
        }
    }

    #[test]
    fn matches_scipy_pchip_interpolator() {
        // scipy.interpolate.PchipInterpolator([1, 2, 4, 5, 7], [1, 3, 4, 8, 9])
        // evaluated at 1.5, 3, 4.5, 6.
        let p = Pchip::new(&[1.0, 2.0, 4.0, 5.0, 7.0], &[1.0, 3.0, 4.0, 8.0, 9.0]).unwrap();
        let want = [2.205357142857143, 3.471042471042471, 6.0, 8.743243243243244];
        for (t, w) in [1.5, 3.0, 4.5, 6.0].iter().zip(want) {
            assert!((p.eval(*t) - w).abs() < 1e-9, "{t}: {} vs {w}", p.eval(*t));
        }
    }

    #[test]
    fn does_not_overshoot_a_plateau() {
        let p = Pchip::new(&[0.0, 1.0, 2.0, 3.0], &[0.0, 1.0, 1.0, 2.0]).unwrap();
        for i in 0..=100 {
            let t = 1.0 + f64::from(i) / 100.0;
            assert!((p.eval(t) - 1.0).abs() < 1e-12, "{t}");
        }
    }

    #[test]
    fn refuses_unsorted_or_short_input() {
        assert!(matches!(
            Pchip::new(&[1.0], &[1.0]),
            Err(Error::TooFewPoints { got: 1, .. })
        ));
        assert!(matches!(
            Pchip::new(&[0.0, 2.0, 1.0], &[0.0, 1.0, 2.0]),
            Err(Error::NotIncreasing)
        ));
        assert!(matches!(
            Pchip::new(&[0.0, f64::NAN], &[0.0, 1.0]),
            Err(Error::NotIncreasing)
        ));
    }
}
