//! Telling a cut-short source from one damaged in the middle, after the full decode.
//!
//! Both lose frames and both report decode errors; what differs is where decoding
//! stopped. A truncated file's pictures end well before the duration its headers
//! declare, with a decode error at that very end; a damaged one still reaches its end.

use reel_core::manifest::InspectReport;

/// Slack between declared and decoded duration before calling a file short: half a
/// second, or two frames for very low frame rates.
const MIN_SHORTFALL_S: f64 = 0.5;

/// `Some(explanation)` when the report shows a source whose video stops early.
pub fn detect(report: &InspectReport) -> Option<String> {
    let video = report.video.as_ref()?;
    let fps = video.frame_rate.as_f64();
    if fps <= 0.0 {
        return None;
    }
    let frame_s = 1.0 / fps;
    let declared_s = report
        .streams
        .iter()
        .find(|s| s.index == video.stream_index)
        .and_then(|s| s.duration_s)
        .unwrap_or(report.duration_s);
    let decoded_s = video.frame_count as f64 * frame_s;
    let shortfall = declared_s - decoded_s;
    if shortfall <= MIN_SHORTFALL_S.max(2.0 * frame_s) {
        return None;
    }
    let last_error_s = report.decode_errors.first.last()?.time_s?;
    (last_error_s >= decoded_s - 2.0 * frame_s).then(|| {
        format!(
            "truncated: video stops at {decoded_s:.3} s ({} frames) of {declared_s:.3} s declared",
            video.frame_count
        )
    })
}
