//! Writers for libvmaf-style JSON and CSV reports.

use crate::{Result, Scores};
use std::io::Write;

/// The `version` field of the JSON report.
pub const VERSION: &str = concat!("reel-vmaf ", env!("CARGO_PKG_VERSION"), " (libvmaf 3.2.0)");

fn num(v: f64, decimals: Option<usize>) -> String {
    if !v.is_finite() {
        return "null".to_string();
    }
    match decimals {
        Some(d) => format!("{v:.d$}"),
        None => format!("{v}"),
    }
}

fn string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// Writes `scores` in libvmaf's JSON layout: `version`, `frames[]` with
/// `frameNum` and `metrics`, `pooled_metrics.<name>.{min,max,mean,
/// harmonic_mean}` and an empty `aggregate_metrics`. Numbers are written in
/// full (shortest round-trip) precision, or with `decimals` places as
/// libvmaf's `%.6f`.
///
/// # Errors
/// [`crate::Error::Io`] when writing fails.
pub fn write_json<W: Write>(scores: &Scores, mut w: W, decimals: Option<usize>) -> Result<()> {
    writeln!(w, "{{")?;
    writeln!(w, "  \"version\": {},", string(VERSION))?;
    writeln!(w, "  \"model\": {},", string(&scores.model))?;
    writeln!(w, "  \"frames\": [")?;
    for (i, f) in scores.frames.iter().enumerate() {
        writeln!(w, "    {{")?;
        writeln!(w, "      \"frameNum\": {},", f.frame_num)?;
        writeln!(w, "      \"metrics\": {{")?;
        let n = f.metrics.len();
        for (k, (name, v)) in f.metrics.iter().enumerate() {
            let sep = if k + 1 < n { "," } else { "" };
            writeln!(w, "        {}: {}{sep}", string(name), num(*v, decimals))?;
        }
        writeln!(w, "      }}")?;
        let sep = if i + 1 < scores.frames.len() { "," } else { "" };
        writeln!(w, "    }}{sep}")?;
    }
    writeln!(w, "  ],")?;
    writeln!(w, "  \"pooled_metrics\": {{")?;
    let n = scores.pooled.len();
    for (k, (name, p)) in scores.pooled.iter().enumerate() {
        let sep = if k + 1 < n { "," } else { "" };
        writeln!(
            w,
            "    {}: {{\"min\": {}, \"max\": {}, \"mean\": {}, \"harmonic_mean\": {}}}{sep}",
            string(name),
            num(p.min, decimals),
            num(p.max, decimals),
            num(p.mean, decimals),
            num(p.harmonic_mean, decimals)
        )?;
    }
    writeln!(w, "  }},")?;
    writeln!(w, "  \"aggregate_metrics\": {{}}")?;
    writeln!(w, "}}")?;
    Ok(())
}

/// Writes one CSV row per frame: `Frame` then every metric of the first
/// frame, in name order (libvmaf's CSV layout).
///
/// # Errors
/// [`crate::Error::Io`] when writing fails.
pub fn write_csv<W: Write>(scores: &Scores, mut w: W) -> Result<()> {
    let names: Vec<&String> = scores
        .frames
        .first()
        .map(|f| f.metrics.keys().collect())
        .unwrap_or_default();
    write!(w, "Frame")?;
    for n in &names {
        write!(w, ",{n}")?;
    }
    writeln!(w)?;
    for f in &scores.frames {
        write!(w, "{}", f.frame_num)?;
        for n in &names {
            let v = f.metrics.get(*n).copied().unwrap_or(f64::NAN);
            write!(
                w,
                ",{}",
                if v.is_finite() {
                    format!("{v}")
                } else {
                    String::new()
                }
            )?;
        }
        writeln!(w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FrameScores, Pooled};
    use std::collections::BTreeMap;

    fn sample() -> Scores {
        let frames: Vec<FrameScores> = (0..2)
            .map(|i| FrameScores {
                frame_num: i,
                metrics: [("vmaf".to_string(), 90.0 + i as f64)]
                    .into_iter()
                    .collect(),
            })
            .collect();
        let mut pooled = BTreeMap::new();
        if let Some(p) = Pooled::from_values(&[90.0, 91.0]) {
            pooled.insert("vmaf".to_string(), p);
        }
        Scores {
            model: "vmaf_v0.6.1".into(),
            frames,
            pooled,
        }
    }

    #[test]
    fn json_parses_back() {
        let mut buf = Vec::new();
        write_json(&sample(), &mut buf, None).unwrap_or_else(|e| panic!("{e}"));
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["frames"][1]["frameNum"], 1);
        assert_eq!(v["frames"][1]["metrics"]["vmaf"], 91.0);
        assert_eq!(v["pooled_metrics"]["vmaf"]["mean"], 90.5);
        assert!(v["aggregate_metrics"]
            .as_object()
            .is_some_and(|m| m.is_empty()));
    }

    #[test]
    fn csv_has_a_row_per_frame() {
        let mut buf = Vec::new();
        write_csv(&sample(), &mut buf).unwrap_or_else(|e| panic!("{e}"));
        let s = String::from_utf8(buf).unwrap_or_default();
        assert_eq!(s, "Frame,vmaf\n0,90\n1,91\n");
    }
}
