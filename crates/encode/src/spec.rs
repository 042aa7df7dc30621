//! Parsing rendition specs such as `1280x720:h264:crf=23:maxrate=4500k:bufsize=9000k`
//! into [`RungRecipe`]s, rejecting what no encoder could honour.

use crate::error::{Error, Result};
use reel_core::{RateControl, Resolution, RungRecipe, VideoCodec};

/// Parses `WxH:codec[:key=value|10bit]...`. Keys: `crf`, `bitrate`/`b`,
/// `maxrate`, `bufsize` (kbit/s, `k`/`M` suffixes allowed), `preset`,
/// `bits` (8 or 10), `encoder`, `name`, `min_vmaf` (the floor validation holds it to).
///
/// Errors: [`Error::Spec`] naming the spec and the rule broken.
pub fn parse_spec(spec: &str) -> Result<RungRecipe> {
    let bad = |reason: String| Error::Spec {
        spec: spec.to_string(),
        reason,
    };
    let mut parts = spec.split(':');
    let size = parts.next().unwrap_or_default();
    let (w, h) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .ok_or_else(|| bad(format!("size {size:?} is not WIDTHxHEIGHT")))?;
    let codec = match parts.next().unwrap_or_default() {
        "h264" | "avc" | "x264" => VideoCodec::H264,
        "hevc" | "h265" | "x265" => VideoCodec::Hevc,
        "av1" => VideoCodec::Av1,
        "vp9" => VideoCodec::Vp9,
        other => {
            return Err(bad(format!(
                "unknown codec {other:?} (expected h264, hevc, av1 or vp9)"
            )))
        }
    };
    let (mut crf, mut kbps, mut max, mut buf) = (None, None, None, None);
    let (mut preset, mut encoder, mut name, mut bits) = (None, None, None, 8u8);
    let mut min_vmaf = None;
    for part in parts {
        if part == "10bit" || part == "8bit" {
            bits = if part == "10bit" { 10 } else { 8 };
            continue;
        }
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| bad(format!("{part:?} is not key=value")))?;
        match k {
            "crf" => {
                crf = Some(
                    v.parse::<f32>()
                        .ok()
                        .filter(|c| (0.0..=63.0).contains(c))
                        .ok_or_else(|| bad(format!("crf {v:?} is not a number in 0..=63")))?,
                )
            }
            "bitrate" | "b" => kbps = Some(parse_kbps(v).map_err(bad)?),
            "maxrate" => max = Some(parse_kbps(v).map_err(bad)?),
            "bufsize" => buf = Some(parse_kbps(v).map_err(bad)?),
            "preset" => preset = Some(v.to_string()),
            "encoder" => encoder = Some(v.to_string()),
            "name" => name = Some(v.to_string()),
            "min_vmaf" => {
                min_vmaf = Some(
                    v.parse::<f32>()
                        .ok()
                        .filter(|m| (0.0..=100.0).contains(m))
                        .ok_or_else(|| bad(format!("min_vmaf {v:?} is not a number in 0..=100")))?,
                )
            }
            "bits" => {
                bits = match v {
                    "8" => 8,
                    "10" => 10,
                    _ => return Err(bad(format!("bits={v} (expected 8 or 10)"))),
                }
            }
            _ => return Err(bad(format!("unknown key {k:?}"))),
        }
    }
    let rate_control = match (crf, kbps) {
        (Some(_), Some(_)) => return Err(bad("give crf or bitrate, not both".to_string())),
        (Some(crf), None) => match (max, buf) {
            (None, None) => RateControl::Crf { crf },
            (Some(m), b) => RateControl::CappedCrf {
                crf,
                max_rate_kbps: m,
                buf_size_kbps: b.unwrap_or(m.saturating_mul(2)),
            },
            (None, Some(_)) => return Err(bad("bufsize needs maxrate".to_string())),
        },
        (None, Some(kbps)) => RateControl::Bitrate {
            kbps,
            max_rate_kbps: max,
            buf_size_kbps: buf,
        },
        (None, None) => return Err(bad("no rate control (crf=N or bitrate=N)".to_string())),
    };
    let recipe = RungRecipe {
        name: name
            .unwrap_or_else(|| format!("{h}p-{codec}{}", if bits == 10 { "-10bit" } else { "" })),
        resolution: Resolution::new(w, h),
        codec,
        rate_control,
        preset,
        bit_depth: bits,
        encoder,
        min_vmaf,
    };
    check_recipe(&recipe).map_err(|e| match e {
        Error::Spec { reason, .. } => bad(reason),
        other => other,
    })?;
    Ok(recipe)
}

/// Checks a recipe (from a spec or a ladder.json) before any encoding starts.
///
/// Errors: [`Error::Spec`] naming the rung.
pub fn check_recipe(r: &RungRecipe) -> Result<()> {
    let bad = |reason: String| {
        Err(Error::Spec {
            spec: r.name.clone(),
            reason,
        })
    };
    let Resolution { width, height } = r.resolution;
    if width == 0 || height == 0 {
        return bad(format!("size {width}x{height} has a zero side"));
    }
    if width % 2 != 0 || height % 2 != 0 {
        return bad(format!("size {width}x{height} must be even for 4:2:0"));
    }
    if width > 8192 || height > 8192 {
        return bad(format!("size {width}x{height} exceeds 8192"));
    }
    if r.bit_depth != 8 && r.bit_depth != 10 {
        return bad(format!("bit depth {} (expected 8 or 10)", r.bit_depth));
    }
    if r.name.is_empty()
        || !r
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return bad(format!(
            "name {:?} must be letters, digits, '-', '_' or '.'",
            r.name
        ));
    }
    let zero = match r.rate_control {
        RateControl::Crf { .. } => false,
        RateControl::CappedCrf {
            max_rate_kbps,
            buf_size_kbps,
            ..
        } => max_rate_kbps == 0 || buf_size_kbps == 0,
        RateControl::Bitrate {
            kbps,
            max_rate_kbps,
            buf_size_kbps,
        } => kbps == 0 || max_rate_kbps == Some(0) || buf_size_kbps == Some(0),
    };
    if zero {
        return bad("a bit rate or buffer size of 0".to_string());
    }
    Ok(())
}

/// `4500k`, `4.5M`, `4500` (kbit/s) -> kbit/s.
fn parse_kbps(v: &str) -> std::result::Result<u32, String> {
    let (num, mul) = match v.chars().last() {
        Some('k' | 'K') => (&v[..v.len() - 1], 1.0),
        Some('M' | 'm') => (&v[..v.len() - 1], 1000.0),
        _ => (v, 1.0),
    };
    let kbps = num
        .parse::<f64>()
        .map(|n| (n * mul).round())
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0 && *n <= u32::MAX as f64)
        .ok_or_else(|| format!("rate {v:?} is not a number of kbit/s"))?;
    if kbps == 0.0 {
        return Err(format!("rate {v:?} is 0"));
    }
    Ok(kbps as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_crf_spec_parses() {
        let r = parse_spec("1280x720:h264:crf=23:maxrate=4500k:bufsize=9000k").unwrap();
        assert_eq!(r.name, "720p-h264");
        assert_eq!(r.resolution, Resolution::new(1280, 720));
        assert_eq!(
            r.rate_control,
            RateControl::CappedCrf {
                crf: 23.0,
                max_rate_kbps: 4500,
                buf_size_kbps: 9000
            }
        );
    }

    #[test]
    fn a_vmaf_floor_parses() {
        let r = parse_spec("640x360:h264:crf=30:min_vmaf=72.5").unwrap();
        assert_eq!(r.min_vmaf, Some(72.5));
        assert_eq!(parse_spec("640x360:h264:crf=30").unwrap().min_vmaf, None);
    }

    #[test]
    fn bitrate_and_10bit_parse() {
        let r = parse_spec("640x360:hevc:bitrate=1.2M:10bit:preset=fast").unwrap();
        assert_eq!(r.bit_depth, 10);
        assert_eq!(r.preset.as_deref(), Some("fast"));
        assert!(matches!(
            r.rate_control,
            RateControl::Bitrate { kbps: 1200, .. }
        ));
    }

    #[test]
    fn bad_specs_are_rejected_with_the_reason() {
        for (spec, needle) in [
            ("1280x720:mpeg2:crf=23", "unknown codec"),
            ("1279x720:h264:crf=23", "even"),
            ("1280x720:h264:bitrate=0", "is 0"),
            ("1280x720:h264", "no rate control"),
            ("big:h264:crf=1", "WIDTHxHEIGHT"),
            ("1280x720:h264:crf=23:bitrate=100", "not both"),
            ("1280x720:h264:crf=23:min_vmaf=101", "min_vmaf"),
        ] {
            let e = parse_spec(spec).unwrap_err().to_string();
            assert!(e.contains(needle), "{spec}: {e}");
        }
    }
}
