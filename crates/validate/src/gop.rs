//! GOP checks: key frames where the chunk plan puts them (chunk starts and
//! every `gop_frames` inside a chunk), no interval longer than the cadence,
//! and closed GOPs (no picture after a key frame in decoding order is shown
//! before it).

use crate::report::Report;
use crate::scan::FileScan;
use reel_core::manifest::EncodeManifest;

/// Presentation times of the key frames the chunk plan asks for.
pub fn planned_keyframes(manifest: &EncodeManifest) -> Vec<f64> {
    let fps = manifest.frame_rate.as_f64().max(1e-9);
    let gop = u64::from(manifest.gop_frames.max(1));
    manifest
        .chunks
        .iter()
        .flat_map(|c| {
            (0..c.frame_count)
                .step_by(gop as usize)
                .map(move |k| (c.start_frame + k) as f64 / fps)
        })
        .collect()
}

fn times(list: &[f64]) -> String {
    const QUOTED: usize = 8;
    let mut s: Vec<String> = list
        .iter()
        .take(QUOTED)
        .map(|t| format!("{t:.3}"))
        .collect();
    if list.len() > QUOTED {
        s.push(format!("... ({} in all)", list.len()));
    }
    s.join(", ")
}

/// `gop.aligned`, `gop.interval` and `gop.closed` for one rendition.
pub fn check_gop(name: &str, scan: &FileScan, manifest: &EncodeManifest, report: &mut Report) {
    let fps = manifest.frame_rate.as_f64().max(1e-9);
    let tol = 0.5 / fps;
    let mut keys: Vec<f64> = scan
        .packets
        .iter()
        .filter(|p| p.key)
        .filter_map(|p| p.pts_s)
        .collect();
    keys.sort_by(f64::total_cmp);
    let end = scan
        .packets
        .iter()
        .filter_map(|p| p.pts_s)
        .fold(f64::NEG_INFINITY, f64::max);
    // Only the span the rendition covers: a short file is the frame checks' finding.
    let planned: Vec<f64> = planned_keyframes(manifest)
        .into_iter()
        .filter(|t| *t <= end + tol)
        .collect();
    let near = |set: &[f64], t: f64| set.iter().any(|k| (k - t).abs() <= tol);
    let missing: Vec<f64> = planned
        .iter()
        .copied()
        .filter(|t| !near(&keys, *t))
        .collect();
    let extra: Vec<f64> = keys
        .iter()
        .copied()
        .filter(|t| !near(&planned, *t))
        .collect();
    let aligned = missing.is_empty() && extra.is_empty();
    let evidence = if aligned {
        format!(
            "{} key frames, at the planned times of every rendition",
            keys.len()
        )
    } else {
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("no key frame at {} s", times(&missing)));
        }
        if !extra.is_empty() {
            parts.push(format!("unplanned key frames at {} s", times(&extra)));
        }
        parts.join("; ")
    };
    report.expect("gop.aligned", name, aligned, evidence);

    let cadence = f64::from(manifest.gop_frames) / fps;
    let mut longest = 0f64;
    let mut bounds = keys.clone();
    if end.is_finite() {
        bounds.push(end + 1.0 / fps);
    }
    for pair in bounds.windows(2) {
        longest = longest.max(pair[1] - pair[0]);
    }
    let first_is_key = scan.packets.first().is_some_and(|p| p.key);
    report.expect(
        "gop.interval",
        name,
        first_is_key && longest <= cadence + tol,
        format!(
            "longest key frame interval {longest:.3} s, cadence {cadence:.3} s{}",
            if first_is_key {
                ""
            } else {
                "; the first packet is not a key frame"
            }
        ),
    );

    let mut open = Vec::new();
    let mut key_pts: Option<f64> = None;
    for p in &scan.packets {
        match (p.key, p.pts_s, key_pts) {
            (true, pts, _) => key_pts = pts,
            (false, Some(pts), Some(k)) if pts < k - tol / 2.0 => open.push(k),
            _ => {}
        }
    }
    open.dedup();
    report.expect(
        "gop.closed",
        name,
        open.is_empty(),
        if open.is_empty() {
            "no picture after a key frame is shown before it".to_string()
        } else {
            format!(
                "pictures shown before the key frames at {} s (open GOPs)",
                times(&open)
            )
        },
    );
}
