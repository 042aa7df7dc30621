//! The convex hull of trial encodes on the (bit rate, VMAF) plane: the
//! Pareto-optimal points, then the upper convex hull in linear bit rate over
//! every resolution, and the bit rate at which each resolution takes over.

use reel_core::Resolution;
use serde::{Deserialize, Serialize};

/// One encode of the title at one resolution and CRF, measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrialPoint {
    pub resolution: Resolution,
    pub crf: f64,
    pub kbps: f64,
    /// Pooled VMAF at the display resolution.
    pub vmaf: f64,
}

/// The points no other point beats: sorted by bit rate, VMAF strictly rising.
/// Points with a bit rate or VMAF that is not finite, or a rate that is not
/// positive, are ignored.
pub fn pareto_front(points: &[TrialPoint]) -> Vec<TrialPoint> {
    let mut sorted: Vec<TrialPoint> = points
        .iter()
        .copied()
        .filter(|p| p.kbps.is_finite() && p.kbps > 0.0 && p.vmaf.is_finite())
        .collect();
    // Cheapest first; at equal rate the better one first, so it wins.
    sorted.sort_by(|a, b| a.kbps.total_cmp(&b.kbps).then(b.vmaf.total_cmp(&a.vmaf)));
    let mut front: Vec<TrialPoint> = Vec::new();
    for p in sorted {
        if front.last().is_none_or(|last| p.vmaf > last.vmaf) {
            front.push(p);
        }
    }
    front
}

/// The upper convex hull of `points` in linear (bit rate, VMAF): the
/// Pareto front with every point under a chord between two others removed.
/// Each point on it is the best quality any mix of encodes gives at its rate.
pub fn upper_hull(points: &[TrialPoint]) -> Vec<TrialPoint> {
    let mut hull: Vec<TrialPoint> = Vec::new();
    for p in pareto_front(points) {
        while hull.len() >= 2 && !turns_down(hull[hull.len() - 2], hull[hull.len() - 1], p) {
            hull.pop();
        }
        hull.push(p);
    }
    hull
}

/// Whether `b` lies strictly above the chord from `a` to `c`.
fn turns_down(a: TrialPoint, b: TrialPoint, c: TrialPoint) -> bool {
    let cross = (b.kbps - a.kbps) * (c.vmaf - a.vmaf) - (b.vmaf - a.vmaf) * (c.kbps - a.kbps);
    cross < 0.0
}

/// A stretch of the hull served by one resolution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Crossover {
    pub resolution: Resolution,
    /// Bit rate of its first and last hull point, kb/s.
    pub from_kbps: f64,
    pub to_kbps: f64,
}

/// Where each resolution takes over along `hull` (ascending bit rate).
pub fn crossovers(hull: &[TrialPoint]) -> Vec<Crossover> {
    let mut out: Vec<Crossover> = Vec::new();
    for p in hull {
        match out.last_mut() {
            Some(c) if c.resolution == p.resolution => c.to_kbps = p.kbps,
            _ => out.push(Crossover {
                resolution: p.resolution,
                from_kbps: p.kbps,
                to_kbps: p.kbps,
            }),
        }
    }
    out
}

/// VMAF the hull gives at `kbps` (linear between its points, flat beyond).
pub fn vmaf_at(hull: &[TrialPoint], kbps: f64) -> Option<f64> {
    let first = hull.first()?;
    let last = hull.last()?;
    if kbps <= first.kbps {
        return Some(first.vmaf);
    }
    if kbps >= last.kbps {
        return Some(last.vmaf);
    }
    let i = hull.partition_point(|p| p.kbps <= kbps);
    let (a, b) = (hull[i - 1], hull[i]);
    Some(a.vmaf + (b.vmaf - a.vmaf) * (kbps - a.kbps) / (b.kbps - a.kbps))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(h: u32, kbps: f64, vmaf: f64) -> TrialPoint {
        TrialPoint {
            resolution: Resolution::new(h * 16 / 9, h),
            crf: 0.0,
            kbps,
            vmaf,
        }
    }

    #[test]
    fn dominated_points_leave_the_front() {
        let pts = [
            p(360, 400.0, 70.0),
            p(540, 400.0, 72.0), // same rate, better: replaces the 360p point
            p(360, 500.0, 71.0), // dearer and worse than 540p@400
            p(720, 900.0, 85.0),
            p(540, 1000.0, 84.0), // dearer and worse than 720p@900
        ];
        let f = pareto_front(&pts);
        assert_eq!(f, vec![pts[1], pts[3]]);
    }

    #[test]
    fn points_under_a_chord_leave_the_hull() {
        let pts = [
            p(360, 300.0, 60.0),
            p(360, 600.0, 66.0), // under the chord 300..1200 (70.0 there)
            p(540, 1200.0, 80.0),
            p(720, 2400.0, 90.0),
            p(1080, 4800.0, 95.0),
        ];
        let h = upper_hull(&pts);
        assert_eq!(h, vec![pts[0], pts[2], pts[3], pts[4]]);
        // Concave: the VMAF gained per kb/s falls along the hull.
        let slopes: Vec<f64> = h
            .windows(2)
            .map(|w| (w[1].vmaf - w[0].vmaf) / (w[1].kbps - w[0].kbps))
            .collect();
        assert!(slopes.windows(2).all(|s| s[1] < s[0]), "{slopes:?}");
        let c = crossovers(&h);
        assert_eq!(c.len(), 4);
        assert_eq!((c[1].resolution.height, c[1].from_kbps), (540, 1200.0));
        assert_eq!(vmaf_at(&h, 1800.0), Some(85.0));
        assert_eq!(vmaf_at(&h, 10.0), Some(60.0));
        assert_eq!(vmaf_at(&[], 10.0), None);
    }
}
