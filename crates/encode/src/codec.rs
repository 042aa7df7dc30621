//! Recipe -> encoder settings: which libavcodec encoder a rung uses and the
//! options that give it the rung's rate control, preset, bit depth and the
//! closed, aligned GOP structure (no scene-cut key frames of its own).

use reel_core::{
    ChromaSubsampling, ColorInfo, PixelLayout, RateControl, Rational, RungRecipe, VideoCodec,
};
use reel_media::VideoEncoderConfig;

/// The FFmpeg encoder a recipe uses: its own override, else the codec's default.
pub fn encoder_name(r: &RungRecipe) -> String {
    if let Some(e) = &r.encoder {
        return e.clone();
    }
    match r.codec {
        VideoCodec::H264 => "libx264",
        VideoCodec::Hevc => "libx265",
        VideoCodec::Av1 => "libsvtav1",
        VideoCodec::Vp9 => "libvpx-vp9",
    }
    .to_string()
}

/// Everything the stream needs to look like the source (colour, SAR).
#[derive(Debug, Clone, PartialEq)]
pub struct StreamLook {
    pub frame_rate: Rational,
    pub sar: Rational,
    pub color: ColorInfo,
}

/// Builds the encoder configuration of `r` with a key frame every `gop` frames.
pub fn encoder_config(
    r: &RungRecipe,
    look: &StreamLook,
    gop: u32,
    threads: usize,
) -> VideoEncoderConfig {
    let encoder = encoder_name(r);
    let mut options: Vec<(String, String)> = Vec::new();
    let mut opt = |k: &str, v: String| options.push((k.to_string(), v));
    let (crf, kbps, max, buf) = match r.rate_control {
        RateControl::Crf { crf } => (Some(crf), None, None, None),
        RateControl::CappedCrf {
            crf,
            max_rate_kbps,
            buf_size_kbps,
        } => (Some(crf), None, Some(max_rate_kbps), Some(buf_size_kbps)),
        RateControl::Bitrate {
            kbps,
            max_rate_kbps,
            buf_size_kbps,
        } => (None, Some(kbps), max_rate_kbps, buf_size_kbps),
    };
    let preset = r.preset.clone();
    match encoder.as_str() {
        "libx264" => {
            opt("preset", preset.unwrap_or_else(|| "medium".to_string()));
            opt("forced-idr", "1".to_string());
            opt("x264-params", "scenecut=0:open-gop=0".to_string());
            if let Some(c) = crf {
                opt("crf", format!("{c}"));
            }
        }
        "libx265" => {
            opt("preset", preset.unwrap_or_else(|| "medium".to_string()));
            opt("forced-idr", "1".to_string());
            opt(
                "x265-params",
                "scenecut=0:open-gop=0:log-level=error".to_string(),
            );
            if let Some(c) = crf {
                opt("crf", format!("{c}"));
            }
        }
        "libsvtav1" => {
            opt("preset", preset.unwrap_or_else(|| "8".to_string()));
            // Closed GOPs: every intra refresh is a real key frame.
            opt("svtav1-params", "irefresh-type=2:scd=0".to_string());
            if let Some(c) = crf {
                opt("crf", format!("{}", c.round() as i64));
            }
        }
        "libaom-av1" => {
            opt("cpu-used", preset.unwrap_or_else(|| "6".to_string()));
            opt("row-mt", "1".to_string());
            // Only our key frames: no scene-cut key frames, no filtered-KF overlays.
            opt("keyint_min", gop.max(1).to_string());
            opt("aom-params", "enable-keyframe-filtering=0".to_string());
            if let Some(c) = crf {
                opt("crf", format!("{}", c.round() as i64));
            }
        }
        "libvpx-vp9" => {
            opt("cpu-used", preset.unwrap_or_else(|| "4".to_string()));
            opt("deadline", "good".to_string());
            opt("keyint_min", gop.max(1).to_string());
            opt("row-mt", "1".to_string());
            if let Some(c) = crf {
                opt("crf", format!("{}", c.round() as i64));
            }
        }
        _ => {
            // NVENC and others: preset by name, constant quality through `cq`.
            if let Some(p) = preset {
                opt("preset", p);
            }
            if let Some(c) = crf {
                opt("cq", format!("{}", c.round() as i64));
            }
            opt("forced-idr", "1".to_string());
        }
    }
    // Constant quality without a target rate: libaom/libvpx want b=0.
    let bit_rate = match (kbps, crf, encoder.as_str()) {
        (Some(k), _, _) => Some(u64::from(k) * 1000),
        (None, Some(_), "libaom-av1" | "libvpx-vp9") => None,
        _ => None,
    };
    VideoEncoderConfig {
        encoder,
        resolution: r.resolution,
        layout: PixelLayout::new(ChromaSubsampling::Cs420, r.bit_depth),
        frame_rate: look.frame_rate,
        sar: look.sar,
        color: look.color.clone(),
        gop: gop.max(1),
        bit_rate,
        max_rate: max.map(|m| u64::from(m) * 1000),
        buf_size: buf.map(|b| u64::from(b) * 1000),
        threads,
        options,
    }
}
