//! `reel bdrate A B`: Bjøntegaard delta rate of curve B against curve A.
//! Each curve is a file of (bit rate, quality) points: CSV lines `rate,quality`
//! (a header line and `#` comments are skipped) or JSON, either
//! `[[rate, quality], ...]` or `[{"rate": r, "quality": q}, ...]`.

use crate::args::GlobalArgs;
use crate::sources;
use anyhow::{bail, Context, Result};
use clap::Args;
use reel_ladder::RatePoint;
use reel_storage::{Storage, StorageUrl};
use std::process::ExitCode;

/// Arguments of `reel bdrate`.
#[derive(Debug, Args)]
pub struct BdrateArgs {
    /// The anchor curve (CSV or JSON of bit rate, quality points), path or URL.
    pub a: String,
    /// The curve compared with it.
    pub b: String,
    /// Print `{"bd_rate_percent": ...}` instead of a sentence.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &BdrateArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let a = read_curve(&args.a, global)?;
    let b = read_curve(&args.b, global)?;
    let v = reel_ladder::bd_rate(&a, &b)
        .with_context(|| format!("BD-rate of {} against {}", args.b, args.a))?;
    if args.json {
        println!("{}", serde_json::json!({ "bd_rate_percent": v }));
    } else {
        let verdict = if v < 0.0 { "less" } else { "more" };
        println!(
            "BD-rate {v:+.3} %: {} needs {:.3} % {verdict} bit rate than {} for the same quality",
            args.b,
            v.abs(),
            args.a
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn read_curve(url: &str, global: &GlobalArgs) -> Result<Vec<RatePoint>> {
    let u = StorageUrl::parse(url).with_context(|| format!("curve {url}"))?;
    let storage = Storage::for_url(&u, &sources::storage_options(global))?;
    let bytes = storage
        .get_bytes(&u)
        .with_context(|| format!("reading {url}"))?;
    let text = String::from_utf8(bytes).with_context(|| format!("{url}: not text"))?;
    parse_curve(&text).with_context(|| format!("reading points from {url}"))
}

fn parse_curve(text: &str) -> Result<Vec<RatePoint>> {
    if text.trim_start().starts_with('[') {
        let v: serde_json::Value = serde_json::from_str(text).context("invalid JSON")?;
        let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
        return items
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let pair = match p {
                    serde_json::Value::Array(a) if a.len() == 2 => (a[0].as_f64(), a[1].as_f64()),
                    serde_json::Value::Object(o) => (
                        o.get("rate").and_then(|x| x.as_f64()),
                        o.get("quality").and_then(|x| x.as_f64()),
                    ),
                    _ => (None, None),
                };
                match pair {
                    (Some(r), Some(q)) => Ok(RatePoint::new(r, q)),
                    _ => bail!("point {i} is not [rate, quality] or {{\"rate\", \"quality\"}}"),
                }
            })
            .collect();
    }
    let mut points = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split([',', ';', '\t']).map(str::trim).collect();
        match (
            fields.first().map(|f| f.parse::<f64>()),
            fields.get(1).map(|f| f.parse::<f64>()),
        ) {
            (Some(Ok(r)), Some(Ok(q))) if fields.len() == 2 => points.push(RatePoint::new(r, q)),
            // A header line before the first point.
            _ if points.is_empty() && n == 0 => continue,
            _ => bail!("line {}: expected `rate,quality`, got `{line}`", n + 1),
        }
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json_curves_parse_the_same() {
        let want = vec![RatePoint::new(100.0, 30.5), RatePoint::new(200.0, 35.0)];
        assert_eq!(
            parse_curve("kbps,vmaf\n100,30.5\n# note\n200, 35\n").unwrap(),
            want
        );
        assert_eq!(parse_curve("[[100, 30.5], [200, 35]]").unwrap(), want);
        assert_eq!(
            parse_curve(r#"[{"rate": 100, "quality": 30.5}, {"rate": 200, "quality": 35}]"#)
                .unwrap(),
            want
        );
        assert!(parse_curve("100,30\nabc,1\n").is_err());
        assert!(parse_curve("[[1, 2, 3]]").is_err());
    }
}
