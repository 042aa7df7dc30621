//! Fixed ladders: the Apple HLS authoring specification's H.264 and HEVC
//! tables and Netflix's 2015 fixed ladder. `reel ladder --static` emits
//! them, and they are the baseline per-title ladders are measured against.

use reel_core::{Resolution, VideoCodec};
use serde::{Deserialize, Serialize};

/// The fixed ladders reel knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixedLadder {
    /// Apple HLS authoring specification (H.264 table; HEVC table for HEVC/AV1/VP9).
    Apple,
    /// Netflix's fixed ladder of 2015, before per-title encoding.
    Netflix2015,
}

impl FixedLadder {
    pub fn from_name(name: &str) -> Option<FixedLadder> {
        match name {
            "apple" => Some(FixedLadder::Apple),
            "netflix2015" => Some(FixedLadder::Netflix2015),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FixedLadder::Apple => "apple",
            FixedLadder::Netflix2015 => "netflix2015",
        }
    }

    /// (width, height, kb/s) of every rung for `codec`, ascending.
    pub fn table(self, codec: VideoCodec) -> &'static [(u32, u32, u32)] {
        match (self, codec) {
            (FixedLadder::Apple, VideoCodec::H264) => &[
                (416, 234, 145),
                (640, 360, 365),
                (768, 432, 730),
                (768, 432, 1100),
                (960, 540, 2000),
                (1280, 720, 3000),
                (1280, 720, 4500),
                (1920, 1080, 6000),
                (1920, 1080, 7800),
            ],
            (FixedLadder::Apple, _) => &[
                (640, 360, 145),
                (768, 432, 300),
                (960, 540, 600),
                (960, 540, 900),
                (960, 540, 1600),
                (1280, 720, 2400),
                (1280, 720, 3400),
                (1920, 1080, 4500),
                (1920, 1080, 5800),
                (2560, 1440, 8100),
                (3840, 2160, 11600),
                (3840, 2160, 16800),
            ],
            (FixedLadder::Netflix2015, _) => &[
                (320, 240, 235),
                (384, 288, 375),
                (512, 384, 560),
                (512, 384, 750),
                (640, 480, 1050),
                (720, 480, 1750),
                (1280, 720, 2350),
                (1280, 720, 3000),
                (1920, 1080, 4300),
                (1920, 1080, 5800),
            ],
        }
    }

    /// The rungs a source of `source_height` lines with display aspect
    /// `aspect` (width / height) can use: heights up to the source's, widths
    /// recomputed for the source's aspect (even, for 4:2:0).
    pub fn rungs_for(
        self,
        codec: VideoCodec,
        source_height: u32,
        aspect: f64,
    ) -> Vec<(Resolution, u32)> {
        let aspect = if aspect.is_finite() && aspect > 0.0 {
            aspect
        } else {
            16.0 / 9.0
        };
        self.table(codec)
            .iter()
            .filter(|&&(_, h, _)| h <= source_height)
            .map(|&(_, h, kbps)| {
                let w = ((f64::from(h) * aspect / 2.0).round() as u32).max(1) * 2;
                (Resolution::new(w, h), kbps)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_rise_and_fit_the_source() {
        for ladder in [FixedLadder::Apple, FixedLadder::Netflix2015] {
            for codec in [VideoCodec::H264, VideoCodec::Hevc] {
                let t = ladder.table(codec);
                assert!(t.windows(2).all(|w| w[1].2 > w[0].2 && w[1].1 >= w[0].1));
            }
        }
        let r = FixedLadder::Apple.rungs_for(VideoCodec::H264, 720, 16.0 / 9.0);
        assert_eq!(r.len(), 7);
        assert_eq!(r[0], (Resolution::new(416, 234), 145));
        assert_eq!(r[6], (Resolution::new(1280, 720), 4500));
        // A 4:3 source keeps its aspect.
        let r = FixedLadder::Netflix2015.rungs_for(VideoCodec::H264, 480, 4.0 / 3.0);
        assert_eq!(r.last(), Some(&(Resolution::new(640, 480), 1750)));
        assert_eq!(FixedLadder::from_name("apple"), Some(FixedLadder::Apple));
        assert_eq!(FixedLadder::from_name("x"), None);
    }
}
