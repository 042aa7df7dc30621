//! Human-readable summaries for the terminal.

use reel_core::manifest::{InspectReport, StreamKind};
use std::fmt::Write;

/// A few lines per topic: container, streams, the main video, shots and defects.
pub fn inspect(r: &InspectReport) -> String {
    let mut s = String::new();
    let c = &r.container;
    let _ = writeln!(
        s,
        "{}  {}  {:.3} s  {}  {}",
        r.header
            .inputs
            .first()
            .map(|i| i.url.as_str())
            .unwrap_or("?"),
        c.format,
        c.duration_s,
        human_bytes(c.size_bytes),
        c.bit_rate.map(human_rate).unwrap_or_else(|| "? b/s".into()),
    );
    for st in &r.streams {
        let kind = match st.kind {
            StreamKind::Video => "video",
            StreamKind::Audio => "audio",
            StreamKind::Subtitle => "subtitle",
            StreamKind::Data => "data",
            StreamKind::Attachment => "attachment",
            StreamKind::Unknown => "unknown",
        };
        let mut line = format!("  #{} {kind:<8} {}", st.index, st.codec);
        if let Some(p) = &st.profile {
            let _ = write!(line, " ({p})");
        }
        if let Some(a) = &st.audio {
            let _ = write!(
                line,
                " {} Hz {} ch{}",
                a.sample_rate,
                a.channels,
                a.layout
                    .as_deref()
                    .map(|l| format!(" {l}"))
                    .unwrap_or_default()
            );
        }
        if let (Some(w), Some(h)) = (st.width, st.height) {
            let _ = write!(line, " {w}x{h}");
        }
        if let Some(lang) = &st.language {
            let _ = write!(line, " [{lang}]");
        }
        let _ = writeln!(s, "{line}");
    }
    match &r.video {
        None => {
            let _ = writeln!(s, "no video stream: nothing to analyse");
        }
        Some(v) => {
            let _ = writeln!(
                s,
                "video: {}x{} SAR {} DAR {}  {} ({}-bit {})  {:.3} fps{}  {} frames{}",
                v.width,
                v.height,
                v.sar,
                v.dar,
                v.pix_fmt,
                v.bit_depth,
                v.chroma_subsampling,
                v.frame_rate.as_f64(),
                if v.vfr { " VFR" } else { "" },
                v.frame_count,
                if v.interlaced { "  interlaced" } else { "" },
            );
            let _ = writeln!(
                s,
                "colour: primaries {} transfer {} matrix {} range {:?}{}{}",
                v.color.primaries.as_deref().unwrap_or("unspecified"),
                v.color.transfer.as_deref().unwrap_or("unspecified"),
                v.color.matrix.as_deref().unwrap_or("unspecified"),
                v.color.range,
                v.hdr
                    .transfer
                    .as_deref()
                    .map(|t| format!("  HDR {t}"))
                    .unwrap_or_default(),
                if v.rotation != 0 {
                    format!("  rotation {}°", v.rotation)
                } else {
                    String::new()
                },
            );
        }
    }
    let _ = writeln!(s, "shots: {}  cuts at frames {:?}", r.shots.len(), r.cuts);
    for shot in &r.shots {
        let _ = writeln!(
            s,
            "  frames {:>6}-{:<6} {:>8.3} s  SI {:>5.1} (max {:>5.1})  TI {:>5.1} (max {:>5.1})  complexity {:.2}",
            shot.start_frame,
            shot.end_frame,
            shot.start_s,
            shot.si.mean,
            shot.si.max,
            shot.ti.mean,
            shot.ti.max,
            shot.complexity
        );
    }
    let _ = writeln!(
        s,
        "black spans: {}  frozen spans: {}  crop: {}",
        r.black.len(),
        r.frozen.len(),
        match &r.crop {
            Some(c) if c.bars => format!("{}x{}+{}+{}", c.width, c.height, c.x, c.y),
            _ => "none".to_string(),
        }
    );
    if r.decode_errors.count > 0 {
        let _ = writeln!(s, "decode errors: {}", r.decode_errors.count);
        for e in &r.decode_errors.first {
            let _ = writeln!(s, "  packet {}: {}", e.packet, e.message);
        }
    }
    s
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

fn human_rate(bps: u64) -> String {
    if bps >= 1_000_000 {
        format!("{:.2} Mb/s", bps as f64 / 1e6)
    } else {
        format!("{:.0} kb/s", bps as f64 / 1e3)
    }
}
