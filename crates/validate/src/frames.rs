//! Decodability and frame checks of one rendition against the source.

use crate::align::Alignment;
use crate::report::Report;
use crate::scan::FileScan;

/// At most this many frame numbers are quoted in an evidence line.
const QUOTED: usize = 8;

fn quote(items: &[usize]) -> String {
    let mut s: Vec<String> = items.iter().take(QUOTED).map(usize::to_string).collect();
    if items.len() > QUOTED {
        s.push(format!("... ({} in all)", items.len()));
    }
    s.join(", ")
}

/// `decode.clean`: every packet demuxes and decodes, one frame per packet.
pub fn check_decodable(name: &str, scan: &FileScan, report: &mut Report) {
    let (packets, frames) = (scan.packets.len(), scan.frames.len());
    let mut problems = scan.problems.clone();
    if frames != packets {
        problems.push(format!("{packets} video packets gave {frames} frames"));
    }
    if let Some(declared) = scan
        .info
        .as_ref()
        .and_then(|i| i.video.as_ref())
        .and_then(|v| v.declared_frames)
    {
        if declared != frames as u64 {
            problems.push(format!(
                "the container declares {declared} frames, {frames} decoded"
            ));
        }
    }
    let evidence = if problems.is_empty() {
        format!("{packets} video packets decoded to {frames} frames with no error")
    } else {
        problems.truncate(QUOTED);
        problems.join("; ")
    };
    report.expect("decode.clean", name, problems.is_empty(), evidence);
}

/// `frames.count`, `frames.duration`, `frames.timestamps` and `frames.sequence`.
pub fn check_frames(
    name: &str,
    out: &FileScan,
    source: &FileScan,
    alignment: &Alignment,
    report: &mut Report,
) {
    let (got, want) = (out.frames.len(), source.frames.len());
    report.expect(
        "frames.count",
        name,
        got == want,
        format!("{got} frames, source has {want}"),
    );

    let frame = source.frame_duration().unwrap_or(0.0);
    match (out.duration_s(), source.duration_s()) {
        (Some(d), Some(s)) => report.expect(
            "frames.duration",
            name,
            (d - s).abs() <= frame + 1e-3,
            format!("{d:.3} s, source {s:.3} s (one frame is {frame:.3} s)"),
        ),
        _ => report.push(
            "frames.duration",
            name,
            reel_core::manifest::CheckStatus::Fail,
            "the frames carry no timestamps",
        ),
    }

    check_timestamps(name, out, report);

    let ok = alignment.dropped.is_empty() && alignment.duplicated.is_empty();
    let evidence = if ok {
        format!("all {got} frames match source frames one to one, in order")
    } else {
        let mut parts = Vec::new();
        if !alignment.dropped.is_empty() {
            parts.push(format!(
                "source frames dropped: {}",
                quote(&alignment.dropped)
            ));
        }
        if !alignment.duplicated.is_empty() {
            parts.push(format!(
                "output frames repeating the one before: {}",
                quote(&alignment.duplicated)
            ));
        }
        parts.join("; ")
    };
    report.expect("frames.sequence", name, ok, evidence);
}

/// Timestamps strictly increase by one frame duration each.
fn check_timestamps(name: &str, out: &FileScan, report: &mut Report) {
    let Some(frame) = out.frame_duration() else {
        report.push(
            "frames.timestamps",
            name,
            reel_core::manifest::CheckStatus::Fail,
            "the stream declares no frame rate",
        );
        return;
    };
    let times: Vec<Option<f64>> = out.frames.iter().map(|f| f.time_s).collect();
    let mut bad = Vec::new();
    for (i, pair) in times.windows(2).enumerate() {
        match (pair[0], pair[1]) {
            (Some(a), Some(b)) if (b - a - frame).abs() <= frame / 2.0 => {}
            (Some(a), Some(b)) => bad.push(format!("{a:.3} s -> {b:.3} s at frame {}", i + 1)),
            _ => bad.push(format!("frame {} has no timestamp", i + 1)),
        }
    }
    let evidence = if bad.is_empty() {
        format!(
            "{} timestamps, each {frame:.4} s after the one before",
            times.len()
        )
    } else {
        let n = bad.len();
        bad.truncate(QUOTED);
        format!("{n} irregular steps: {}", bad.join(", "))
    };
    report.expect("frames.timestamps", name, bad.is_empty(), evidence);
}
