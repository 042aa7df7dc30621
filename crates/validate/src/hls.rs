//! HLS checks: the master playlist parses and names every rendition; every
//! media playlist points at existing segments, each starting with a key
//! frame and no longer than the target duration; declared BANDWIDTH and
//! AVERAGE-BANDWIDTH match the measured peak and average segment bit rates
//! within 10 % and the peak is at most twice the average (Apple HLS
//! authoring specification 1.26, 1.27, 1.30).

use crate::playlist::{parse_master, parse_media, Media};
use crate::report::Report;
use crate::segment::starts_with_key_frame;
use reel_core::manifest::EncodeManifest;
use std::path::{Path, PathBuf};

/// Allowed distance between declared and measured bit rates.
const BANDWIDTH_TOLERANCE: f64 = 0.10;
/// Largest peak-to-average ratio.
const MAX_PEAK_TO_AVERAGE: f64 = 2.0;

/// Measured bit rates of one media playlist, bits per second.
#[derive(Debug, Clone, Copy, Default)]
struct Rates {
    peak: f64,
    average: f64,
}

/// Checks one media playlist; returns its rates when every segment exists.
fn check_media(
    playlist: &Path,
    subject: &str,
    video: bool,
    scratch: &Path,
    report: &mut Report,
) -> Option<Rates> {
    let dir = playlist.parent().unwrap_or(Path::new("."));
    let media = report.parse_file("hls.segments", subject, playlist, parse_media)?;
    let init = media.init.as_ref().map(|i| dir.join(i));
    let mut missing: Vec<String> = media
        .segments
        .iter()
        .filter(|s| !dir.join(&s.uri).is_file())
        .map(|s| s.uri.clone())
        .collect();
    if let Some(i) = &init {
        if !i.is_file() {
            missing.insert(0, format!("{} (init)", i.display()));
        }
    }
    let complete = missing.is_empty() && media.ended && !media.segments.is_empty();
    report.expect(
        "hls.segments",
        subject,
        complete,
        if complete {
            format!(
                "{} segments, all present, playlist ended",
                media.segments.len()
            )
        } else if !missing.is_empty() {
            format!("missing: {}", missing.join(", "))
        } else {
            "no #EXT-X-ENDLIST, or no segments".to_string()
        },
    );
    check_durations(&media, subject, report);
    if video {
        check_segment_starts(&media, dir, init.as_deref(), subject, scratch, report);
    }
    complete.then(|| measure(&media, dir, init.as_deref()))
}

fn check_durations(media: &Media, subject: &str, report: &mut Report) {
    let target = media.target_duration.unwrap_or(0) as f64;
    let longest = media
        .segments
        .iter()
        .map(|s| s.duration_s)
        .fold(0.0, f64::max);
    report.expect(
        "hls.segment_duration",
        subject,
        longest.round() <= target,
        format!("longest segment {longest:.3} s, target duration {target} s"),
    );
}

fn check_segment_starts(
    media: &Media,
    dir: &Path,
    init: Option<&Path>,
    subject: &str,
    scratch: &Path,
    report: &mut Report,
) {
    let Some(init) = init.filter(|i| i.is_file()) else {
        report.skip(
            "hls.segment_start",
            subject,
            "no init segment to read segments with",
        );
        return;
    };
    let mut bad = Vec::new();
    let mut read = 0;
    for s in &media.segments {
        let path = dir.join(&s.uri);
        if !path.is_file() {
            continue;
        }
        read += 1;
        match starts_with_key_frame(init, &path, scratch) {
            Ok(true) => {}
            Ok(false) => bad.push(format!("{} starts with a non-key frame", s.uri)),
            Err(why) => bad.push(format!("{}: {why}", s.uri)),
        }
    }
    report.expect(
        "hls.segment_start",
        subject,
        bad.is_empty(),
        if bad.is_empty() {
            format!("all {read} segments present start with a key frame")
        } else {
            bad.join("; ")
        },
    );
}

fn measure(media: &Media, dir: &Path, init: Option<&Path>) -> Rates {
    let size = |p: PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
    let init_bytes = init.map_or(0, |i| size(i.to_path_buf()));
    let (mut peak, mut bytes, mut secs) = (0f64, init_bytes, 0f64);
    for s in &media.segments {
        let b = size(dir.join(&s.uri));
        if s.duration_s > 0.0 {
            peak = peak.max(b as f64 * 8.0 / s.duration_s);
        }
        bytes += b;
        secs += s.duration_s;
    }
    let average = if secs > 0.0 {
        bytes as f64 * 8.0 / secs
    } else {
        0.0
    };
    Rates {
        peak: peak.max(average),
        average,
    }
}

fn within(declared: u64, measured: f64) -> bool {
    (declared as f64 - measured).abs() <= BANDWIDTH_TOLERANCE * measured
}

/// Every `hls.*` check of the package whose master playlist is `master_key`.
pub fn check_hls(
    root: &Path,
    master_key: &str,
    manifest: &EncodeManifest,
    scratch: &Path,
    report: &mut Report,
) {
    let master_path = root.join(master_key);
    let dir = master_path.parent().unwrap_or(root).to_path_buf();
    let Some(master) = report.parse_file("hls.master", "hls", &master_path, parse_master) else {
        return;
    };
    let mut problems = Vec::new();
    for r in &manifest.renditions {
        let prefix = format!("{}/", r.recipe.name);
        match master.variants.iter().find(|v| v.uri.starts_with(&prefix)) {
            None => problems.push(format!("no variant for rendition {}", r.recipe.name)),
            Some(v) => {
                let res = r.recipe.resolution.to_string();
                if v.resolution.as_deref() != Some(res.as_str()) {
                    problems.push(format!(
                        "{}: RESOLUTION {:?}, rendition {res}",
                        v.uri, v.resolution
                    ));
                }
                if v.bandwidth.is_none()
                    || v.average_bandwidth.is_none()
                    || v.codecs.is_none()
                    || v.frame_rate.is_none()
                {
                    problems.push(format!(
                        "{}: lacks BANDWIDTH, AVERAGE-BANDWIDTH, CODECS or FRAME-RATE",
                        v.uri
                    ));
                }
            }
        }
    }
    report.expect(
        "hls.master",
        "hls",
        problems.is_empty(),
        if problems.is_empty() {
            format!(
                "{} variants and {} alternative renditions, one variant per rendition",
                master.variants.len(),
                master.media.len()
            )
        } else {
            problems.join("; ")
        },
    );

    let mut audio_rates: Option<Option<Rates>> = None;
    for m in master.media.iter().filter(|m| m.kind == "AUDIO") {
        if let Some(uri) = &m.uri {
            let subject = format!("hls/{}", uri.trim_end_matches("/index.m3u8"));
            audio_rates = Some(check_media(
                &dir.join(uri),
                &subject,
                false,
                scratch,
                report,
            ));
        }
    }
    for v in &master.variants {
        let subject = format!("hls/{}", v.uri.trim_end_matches("/index.m3u8"));
        let video = check_media(&dir.join(&v.uri), &subject, true, scratch, report);
        let audio = match (&v.audio_group, audio_rates) {
            (Some(_), Some(a)) => a,
            (Some(_), None) => None,
            (None, _) => Some(Rates::default()),
        };
        let (Some(video), Some(audio)) = (video, audio) else {
            report.skip(
                "hls.bandwidth",
                &subject,
                "segments are missing, so the bit rates cannot be measured",
            );
            continue;
        };
        let peak = video.peak + audio.peak;
        let average = video.average + audio.average;
        let (declared_peak, declared_avg) =
            (v.bandwidth.unwrap_or(0), v.average_bandwidth.unwrap_or(0));
        let ok = within(declared_peak, peak)
            && within(declared_avg, average)
            && peak <= MAX_PEAK_TO_AVERAGE * average;
        report.expect(
            "hls.bandwidth",
            &subject,
            ok,
            format!(
                "BANDWIDTH {declared_peak}, measured peak {peak:.0}; AVERAGE-BANDWIDTH {declared_avg}, measured {average:.0}; peak/average {:.2}",
                peak / average.max(1.0)
            ),
        );
    }
}
