//! Timestamp <-> frame index mapping for constant-rate streams, and the
//! backoff schedule used to land on or before a target frame.

use reel_core::Rational;

/// Maps presentation timestamps to frame indices: index 0 is the first frame
/// a decode from the start delivers, at `origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IndexMap {
    pub origin: i64,
    pub time_base: Rational,
    pub frame_rate: Rational,
}

impl IndexMap {
    pub fn new(origin: i64, time_base: Rational, frame_rate: Rational) -> Option<Self> {
        (time_base.num > 0 && time_base.den > 0 && frame_rate.num > 0 && frame_rate.den > 0)
            .then_some(Self {
                origin,
                time_base,
                frame_rate,
            })
    }

    fn frame_duration(&self) -> Rational {
        self.frame_rate.invert()
    }

    /// The index of the frame shown at `pts` (rounded to the nearest frame).
    pub fn index_of(&self, pts: i64) -> i64 {
        self.time_base
            .rescale(pts.saturating_sub(self.origin), self.frame_duration())
    }

    /// The presentation timestamp of frame `index`.
    pub fn pts_of(&self, index: u64) -> i64 {
        let offset = self
            .frame_duration()
            .rescale(index.min(i64::MAX as u64) as i64, self.time_base);
        self.origin.saturating_add(offset)
    }
}

/// How many frames before the target each seek attempt aims at. Containers
/// index keyframes by decode time, so with B-frames the keyframe found for a
/// target can be shown after it; the next attempt then aims earlier.
pub(crate) const BACKOFF_FRAMES: [u64; 7] = [0, 8, 32, 128, 512, 2048, 8192];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_ntsc_timestamps_both_ways() {
        let map = IndexMap::new(1001, Rational::new(1, 30000), Rational::new(30000, 1001)).unwrap();
        for i in [0_u64, 1, 2, 99, 100_000] {
            let pts = map.pts_of(i);
            assert_eq!(map.index_of(pts), i as i64);
            // A timestamp slightly off still rounds to the same frame.
            assert_eq!(map.index_of(pts + 400), i as i64);
        }
        // Timestamps before the origin map to negative indices.
        assert_eq!(map.index_of(0), -1);
        assert_eq!(map.index_of(1001 - 5 * 1001), -5);
    }

    #[test]
    fn maps_millisecond_time_bases() {
        let map = IndexMap::new(0, Rational::new(1, 1000), Rational::new(24, 1)).unwrap();
        assert_eq!(map.pts_of(3), 125);
        assert_eq!(map.index_of(125), 3);
        assert_eq!(map.index_of(42), 1);
    }

    #[test]
    fn rejects_unknown_rates() {
        assert!(IndexMap::new(0, Rational::new(1, 1000), Rational::new(0, 1)).is_none());
    }
}
