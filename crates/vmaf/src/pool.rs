//! Pooling of per-frame values: min, max, mean, harmonic mean, percentiles.

/// Summary statistics of one metric over the scored frames.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Pooled {
    pub min: f64,
    pub max: f64,
    /// Arithmetic mean (libvmaf's pooled VMAF).
    pub mean: f64,
    /// libvmaf's harmonic mean: `n / Σ 1/(x+1) - 1`.
    pub harmonic_mean: f64,
    /// 1st percentile (linear interpolation between order statistics).
    pub p1: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
}

/// Percentile `p` (0..=100) of sorted values, interpolating linearly between
/// the two nearest ranks (numpy's default).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let rank = p.clamp(0.0, 100.0) / 100.0 * (n - 1) as f64;
            let lo = rank.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let frac = rank - lo as f64;
            sorted[lo] + (sorted[hi] - sorted[lo]) * frac
        }
    }
}

impl Pooled {
    /// Pools `values` (in frame order). `None` when there are none.
    pub fn from_values(values: &[f64]) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        let n = values.len() as f64;
        let mut sum = 0.0;
        let mut inv = 0.0;
        let mut min = f64::INFINITY;
        let mut max = f64::NEG_INFINITY;
        for &v in values {
            sum += v;
            inv += 1.0 / (v + 1.0);
            min = min.min(v);
            max = max.max(v);
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Pooled {
            min,
            max,
            mean: sum / n,
            harmonic_mean: n / inv - 1.0,
            p1: percentile(&sorted, 1.0),
            p5: percentile(&sorted, 5.0),
            p50: percentile(&sorted, 50.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_simple_values() {
        let p = Pooled::from_values(&[1.0, 3.0, 2.0, 4.0]).unwrap_or_else(|| unreachable!());
        assert_eq!((p.min, p.max, p.mean), (1.0, 4.0, 2.5));
        assert!((p.harmonic_mean - (4.0 / (0.5 + 0.25 + 1.0 / 3.0 + 0.2) - 1.0)).abs() < 1e-12);
        assert_eq!(p.p50, 2.5);
        assert!((p.p5 - 1.15).abs() < 1e-12);
        assert!(Pooled::from_values(&[]).is_none());
    }
}
