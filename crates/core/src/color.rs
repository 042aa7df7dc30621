//! Colour description and HDR static metadata, named as ITU-T H.273 / FFmpeg do.

use serde::{Deserialize, Serialize};

/// Quantisation range of the samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorRange {
    #[default]
    Unspecified,
    /// "tv" / limited / studio swing.
    Limited,
    /// "pc" / full swing.
    Full,
}

/// Colour primaries, transfer and matrix by their H.273 names (`bt709`,
/// `smpte2084`, `bt2020nc`...); `None` where the stream leaves them unspecified.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ColorInfo {
    pub primaries: Option<String>,
    pub transfer: Option<String>,
    pub matrix: Option<String>,
    pub range: ColorRange,
    /// Chroma sample location (`left`, `topleft`...), when signalled.
    pub chroma_location: Option<String>,
}

/// SMPTE ST 2086 mastering display colour volume, in CIE 1931 xy and cd/m².
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MasteringDisplay {
    /// Red, green, blue primaries as (x, y).
    pub primaries: [(f64, f64); 3],
    pub white_point: (f64, f64),
    pub min_luminance: f64,
    pub max_luminance: f64,
}

/// CTA-861.3 content light level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentLight {
    /// MaxCLL, cd/m².
    pub max_cll: u32,
    /// MaxFALL, cd/m².
    pub max_fall: u32,
}

/// HDR signalling of a video stream.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HdrInfo {
    /// `"pq"`, `"hlg"` or `None` for SDR, derived from the transfer function.
    pub transfer: Option<String>,
    pub mastering_display: Option<MasteringDisplay>,
    pub content_light: Option<ContentLight>,
}

impl HdrInfo {
    pub fn is_hdr(&self) -> bool {
        self.transfer.is_some()
    }
}
