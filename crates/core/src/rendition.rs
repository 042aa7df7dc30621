//! Rung recipes: how one rendition of a ladder is encoded (size, codec, rate
//! control, preset, bit depth). The ladder stage emits them; the encode stage
//! and `reel transcode --rendition` consume them.

use crate::frame::Resolution;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Video codec family of a rung.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoCodec {
    H264,
    Hevc,
    Av1,
    Vp9,
}

impl VideoCodec {
    /// The name used in specs and rung names (`h264`, `hevc`, `av1`, `vp9`).
    pub fn as_str(self) -> &'static str {
        match self {
            VideoCodec::H264 => "h264",
            VideoCodec::Hevc => "hevc",
            VideoCodec::Av1 => "av1",
            VideoCodec::Vp9 => "vp9",
        }
    }
}

impl fmt::Display for VideoCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rate control of a rung. Rates in kbit/s.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum RateControl {
    /// Constant quality.
    Crf { crf: f32 },
    /// Constant quality with a VBV cap.
    CappedCrf {
        crf: f32,
        max_rate_kbps: u32,
        buf_size_kbps: u32,
    },
    /// Average bit rate, optionally capped.
    Bitrate {
        kbps: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_rate_kbps: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        buf_size_kbps: Option<u32>,
    },
}

/// One rendition to encode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RungRecipe {
    /// Unique name, used in object keys (`720p-h264`).
    pub name: String,
    pub resolution: Resolution,
    pub codec: VideoCodec,
    pub rate_control: RateControl,
    /// Encoder preset (`veryfast`, `medium`; `cpu-used`/preset number for AV1 and VP9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// 8 or 10.
    pub bit_depth: u8,
    /// FFmpeg encoder to use instead of the codec's default (`libaom-av1`, `h264_nvenc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder: Option<String>,
    /// Lowest acceptable mean VMAF of the rendition, checked by validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_vmaf: Option<f32>,
}
