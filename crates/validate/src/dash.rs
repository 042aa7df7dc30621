//! DASH checks: the MPD parses, has a representation per rendition (and the
//! audio), names segments that exist, each video segment starting with a key
//! frame, and declares bandwidths within 10 % of the measured peak segment
//! bit rate (what @bandwidth promises: each segment delivered within its
//! duration over a channel of that rate).

use crate::report::Report;
use crate::segment::starts_with_key_frame;
use reel_core::manifest::EncodeManifest;
use reel_core::mpd::{parse_mpd, peak_bit_rate, Representation};
use std::path::Path;

const BANDWIDTH_TOLERANCE: f64 = 0.10;

/// Every `dash.*` check of the MPD at `mpd_key`.
pub fn check_dash(
    root: &Path,
    mpd_key: &str,
    manifest: &EncodeManifest,
    scratch: &Path,
    report: &mut Report,
) {
    let path = root.join(mpd_key);
    let dir = path.parent().unwrap_or(root).to_path_buf();
    let Some(reps) = report.parse_file("dash.mpd", "dash", &path, parse_mpd) else {
        return;
    };
    let videos = reps.iter().filter(|r| r.content_type == "video").count();
    let audios = reps.iter().filter(|r| r.content_type == "audio").count();
    let want_audio = usize::from(manifest.audio.is_some());
    report.expect(
        "dash.mpd",
        "dash",
        videos == manifest.renditions.len() && audios == want_audio,
        format!(
            "{videos} video and {audios} audio representations for {} renditions and {want_audio} audio",
            manifest.renditions.len()
        ),
    );
    for rep in &reps {
        check_representation(rep, &dir, scratch, report);
    }
}

fn check_representation(rep: &Representation, dir: &Path, scratch: &Path, report: &mut Report) {
    let subject = format!("dash/{}", rep.id);
    let init = rep.initialization.as_ref().map(|i| dir.join(i));
    let mut missing: Vec<String> = rep
        .segments
        .iter()
        .filter(|(name, _)| !dir.join(name).is_file())
        .map(|(name, _)| name.clone())
        .collect();
    if let Some(i) = init.as_ref().filter(|i| !i.is_file()) {
        missing.insert(0, format!("{} (init)", i.display()));
    }
    report.expect(
        "dash.segments",
        &subject,
        missing.is_empty() && !rep.segments.is_empty(),
        if missing.is_empty() {
            format!("{} segments, all present", rep.segments.len())
        } else {
            format!("missing: {}", missing.join(", "))
        },
    );
    if rep.content_type == "video" {
        match init.as_ref().filter(|i| i.is_file()) {
            Some(init) => {
                let bad: Vec<String> = rep
                    .segments
                    .iter()
                    .filter(|(name, _)| dir.join(name).is_file())
                    .filter_map(|(name, _)| {
                        match starts_with_key_frame(init, &dir.join(name), scratch) {
                            Ok(true) => None,
                            Ok(false) => Some(format!("{name} starts with a non-key frame")),
                            Err(why) => Some(format!("{name}: {why}")),
                        }
                    })
                    .collect();
                report.expect(
                    "dash.segment_start",
                    &subject,
                    bad.is_empty(),
                    if bad.is_empty() {
                        "every segment present starts with a key frame".to_string()
                    } else {
                        bad.join("; ")
                    },
                );
            }
            None => report.skip("dash.segment_start", &subject, "no init segment"),
        }
    }
    if !missing.is_empty() {
        report.skip("dash.bandwidth", &subject, "segments are missing");
        return;
    }
    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let segments: Vec<(u64, f64)> = rep
        .segments
        .iter()
        .map(|(n, d)| (size(&dir.join(n)), *d))
        .collect();
    let peak = peak_bit_rate(&segments);
    let declared = rep.bandwidth.unwrap_or(0);
    report.expect(
        "dash.bandwidth",
        &subject,
        (declared as f64 - peak).abs() <= BANDWIDTH_TOLERANCE * peak,
        format!("bandwidth {declared}, measured peak segment bit rate {peak:.0}"),
    );
}
