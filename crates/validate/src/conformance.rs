//! Recipe conformance: the rendition's stream is what its recipe and the
//! source say it should be (codec, profile, level, size, aspect, pixel
//! format, frame rate, colour, HDR10 metadata).

use crate::levels::level_violation;
use crate::report::Report;
use reel_core::manifest::CheckStatus;
use reel_core::{Rational, RungRecipe, VideoCodec};
use reel_media::VideoParams;

fn codec_name(codec: VideoCodec) -> &'static str {
    match codec {
        VideoCodec::H264 => "h264",
        VideoCodec::Hevc => "hevc",
        VideoCodec::Av1 => "av1",
        VideoCodec::Vp9 => "vp9",
    }
}

/// Every `recipe.*` check of one rendition.
pub fn check_recipe(
    recipe: &RungRecipe,
    out: &VideoParams,
    source: &VideoParams,
    frame_rate: Rational,
    report: &mut Report,
) {
    let name = recipe.name.as_str();
    let want = codec_name(recipe.codec);
    report.expect(
        "recipe.codec",
        name,
        out.codec == want,
        format!("{}, recipe {want}", out.codec),
    );
    report.expect(
        "recipe.resolution",
        name,
        out.resolution == recipe.resolution,
        format!("{}, recipe {}", out.resolution, recipe.resolution),
    );
    let (dar, src_dar) = (out.dar().as_f64(), source.dar().as_f64());
    report.expect(
        "recipe.aspect",
        name,
        (dar / src_dar - 1.0).abs() <= 0.01 && out.rotation == source.rotation,
        format!(
            "DAR {dar:.4} (SAR {}:{}), source DAR {src_dar:.4}; rotation {} vs source {}",
            out.sar.num, out.sar.den, out.rotation, source.rotation
        ),
    );
    let layout = out.output_layout();
    report.expect(
        "recipe.pixel_format",
        name,
        out.bit_depth == recipe.bit_depth,
        format!(
            "{} ({}-bit {}), recipe {}-bit",
            out.pix_fmt,
            out.bit_depth,
            layout.chroma.as_str(),
            recipe.bit_depth
        ),
    );
    let rate = out.frame_rate().map_or(0.0, Rational::as_f64);
    report.expect(
        "recipe.frame_rate",
        name,
        (rate - frame_rate.as_f64()).abs() < 1e-3,
        format!("{rate:.3} fps, expected {:.3}", frame_rate.as_f64()),
    );
    check_colour(name, out, source, report);
    check_hdr(name, out, source, report);
    check_profile_level(name, recipe, out, rate, report);
}

fn shown(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("unspecified")
}

fn check_colour(name: &str, out: &VideoParams, source: &VideoParams, report: &mut Report) {
    let (o, s) = (&out.color, &source.color);
    let mut wrong = Vec::new();
    let mut field = |what: &str, got: &Option<String>, want: &Option<String>| {
        if want.is_some() && got != want {
            wrong.push(format!("{what} {}, source {}", shown(got), shown(want)));
        }
    };
    field("primaries", &o.primaries, &s.primaries);
    field("transfer", &o.transfer, &s.transfer);
    field("matrix", &o.matrix, &s.matrix);
    if s.range != reel_core::ColorRange::Unspecified && o.range != s.range {
        wrong.push(format!("range {:?}, source {:?}", o.range, s.range));
    }
    let evidence = if wrong.is_empty() {
        format!(
            "primaries {}, transfer {}, matrix {}, range {:?}, as the source",
            shown(&o.primaries),
            shown(&o.transfer),
            shown(&o.matrix),
            o.range
        )
    } else {
        wrong.join("; ")
    };
    report.expect("recipe.colour", name, wrong.is_empty(), evidence);
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.01 * b.abs().max(1e-4)
}

fn check_hdr(name: &str, out: &VideoParams, source: &VideoParams, report: &mut Report) {
    let (o, s) = (&out.hdr, &source.hdr);
    let mastering = match (&o.mastering_display, &s.mastering_display) {
        (None, None) => Ok("no mastering display metadata, as the source".to_string()),
        (Some(a), Some(b)) => {
            let same = close(a.max_luminance, b.max_luminance)
                && close(a.min_luminance, b.min_luminance)
                && a.primaries
                    .iter()
                    .zip(b.primaries.iter())
                    .all(|(p, q)| close(p.0, q.0) && close(p.1, q.1))
                && close(a.white_point.0, b.white_point.0)
                && close(a.white_point.1, b.white_point.1);
            if same {
                Ok(format!(
                    "mastering display {}-{} cd/m2 as the source",
                    a.min_luminance, a.max_luminance
                ))
            } else {
                Err(format!(
                    "mastering display {a:?} differs from the source's {b:?}"
                ))
            }
        }
        (None, Some(_)) => Err("the source's mastering display metadata is missing".to_string()),
        (Some(_), None) => Err("mastering display metadata the source does not have".to_string()),
    };
    let light = match (&o.content_light, &s.content_light) {
        (a, b) if a == b => Ok(match a {
            Some(c) => format!("MaxCLL {} MaxFALL {} as the source", c.max_cll, c.max_fall),
            None => "no content light level, as the source".to_string(),
        }),
        (a, b) => Err(format!("content light level {a:?}, source {b:?}")),
    };
    let ok = mastering.is_ok() && light.is_ok();
    let text = |r: Result<String, String>| match r {
        Ok(s) | Err(s) => s,
    };
    report.expect(
        "recipe.hdr",
        name,
        ok,
        format!("{}; {}", text(mastering), text(light)),
    );
}

fn check_profile_level(
    name: &str,
    recipe: &RungRecipe,
    out: &VideoParams,
    fps: f64,
    report: &mut Report,
) {
    let profile = out.profile.clone().unwrap_or_else(|| "unknown".to_string());
    let mut wrong = Vec::new();
    let high_depth_profile = match recipe.codec {
        VideoCodec::H264 => profile.contains("10") || profile.contains("4:4:4"),
        VideoCodec::Hevc => profile.contains("10") || profile.contains("Rext"),
        VideoCodec::Vp9 => profile.contains('2') || profile.contains('3'),
        // AV1 Main covers 8 and 10 bits.
        VideoCodec::Av1 => recipe.bit_depth > 8,
    };
    if (recipe.bit_depth > 8) != high_depth_profile {
        wrong.push(format!(
            "profile {profile} does not fit {}-bit samples",
            recipe.bit_depth
        ));
    }
    let level_text = match out.level {
        Some(level) => match level_violation(
            &out.codec,
            level,
            out.resolution.width,
            out.resolution.height,
            fps,
        ) {
            Ok(None) => format!("level {level} allows {} at {fps:.3} fps", out.resolution),
            Ok(Some(why)) => {
                wrong.push(format!("level {level}: {why}"));
                String::new()
            }
            Err(why) => format!("level {level} ({why})"),
        },
        None => "no level declared".to_string(),
    };
    let evidence = if wrong.is_empty() {
        format!("profile {profile}, {level_text}")
    } else {
        wrong.join("; ")
    };
    let status = if wrong.is_empty() {
        CheckStatus::Pass
    } else {
        CheckStatus::Fail
    };
    report.push("recipe.profile_level", name, status, evidence);
}
