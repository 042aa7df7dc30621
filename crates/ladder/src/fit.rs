//! Per-resolution curves from a few encodes: monotone (PCHIP) fits of
//! CRF -> bit rate and CRF -> VMAF, sampled finely so the convex hull can
//! choose CRFs between the ones actually encoded.

use crate::error::{Error, Result};
use crate::hull::TrialPoint;
use crate::pchip::Pchip;
use reel_core::Resolution;

/// CRF -> bit rate and CRF -> VMAF of one resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolutionCurve {
    pub resolution: Resolution,
    kbps: Pchip,
    vmaf: Pchip,
    crf_range: (f64, f64),
}

impl ResolutionCurve {
    /// Fits the encodes of one resolution (any order; one per CRF).
    ///
    /// Errors: [`Error::TooFewPoints`] below 2 encodes,
    /// [`Error::NotIncreasing`] for two encodes at the same CRF.
    pub fn fit(resolution: Resolution, encodes: &[TrialPoint]) -> Result<ResolutionCurve> {
        let mut pts: Vec<&TrialPoint> = encodes
            .iter()
            .filter(|p| p.resolution == resolution)
            .collect();
        pts.sort_by(|a, b| a.crf.total_cmp(&b.crf));
        let crf: Vec<f64> = pts.iter().map(|p| p.crf).collect();
        // Bit rate is fitted in the log domain, where it is nearly linear in CRF.
        let log_kbps: Vec<f64> = pts.iter().map(|p| p.kbps.max(1e-9).ln()).collect();
        let vmaf: Vec<f64> = pts.iter().map(|p| p.vmaf).collect();
        let kbps = Pchip::new(&crf, &log_kbps)?;
        let vmaf = Pchip::new(&crf, &vmaf)?;
        let crf_range = kbps.domain();
        if crf_range.1 <= crf_range.0 {
            return Err(Error::NotIncreasing);
        }
        Ok(ResolutionCurve {
            resolution,
            kbps,
            vmaf,
            crf_range,
        })
    }

    /// The predicted point at `crf` (inside the encoded range).
    pub fn at(&self, crf: f64) -> TrialPoint {
        let crf = crf.clamp(self.crf_range.0, self.crf_range.1);
        TrialPoint {
            resolution: self.resolution,
            crf,
            kbps: self.kbps.eval(crf).exp(),
            vmaf: self.vmaf.eval(crf),
        }
    }

    /// Predicted points every `step` CRF over the encoded range (ends included).
    pub fn sample(&self, step: f64) -> Vec<TrialPoint> {
        let (lo, hi) = self.crf_range;
        let n = ((hi - lo) / step.max(1e-3)).round().max(1.0) as usize;
        (0..=n)
            .map(|i| self.at(lo + (hi - lo) * i as f64 / n as f64))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encodes() -> Vec<TrialPoint> {
        [
            (18.0, 4000.0, 96.0),
            (24.0, 2000.0, 92.0),
            (30.0, 1000.0, 84.0),
            (36.0, 500.0, 72.0),
        ]
        .iter()
        .map(|&(crf, kbps, vmaf)| TrialPoint {
            resolution: Resolution::new(1280, 720),
            crf,
            kbps,
            vmaf,
        })
        .collect()
    }

    #[test]
    fn the_fit_passes_through_the_encodes_and_stays_monotone() {
        let c = ResolutionCurve::fit(Resolution::new(1280, 720), &encodes()).unwrap();
        for e in encodes() {
            let p = c.at(e.crf);
            assert!((p.kbps - e.kbps).abs() < 1e-6 && (p.vmaf - e.vmaf).abs() < 1e-9);
        }
        // Rate halves every 6 CRF here: log-linear, so CRF 21 is 2000 * sqrt 2.
        assert!((c.at(21.0).kbps - 2000.0 * 2f64.sqrt()).abs() < 1e-6);
        let s = c.sample(0.5);
        assert_eq!(s.len(), 37);
        assert!(s
            .windows(2)
            .all(|w| w[1].kbps < w[0].kbps && w[1].vmaf < w[0].vmaf));
        assert_eq!(c.at(50.0).crf, 36.0);
    }

    #[test]
    fn one_encode_is_not_a_curve() {
        let one = &encodes()[..1];
        assert!(matches!(
            ResolutionCurve::fit(Resolution::new(1280, 720), one),
            Err(Error::TooFewPoints { got: 1, .. })
        ));
    }
}
