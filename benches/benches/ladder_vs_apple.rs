//! Per-title ladders (`reel ladder`) against Apple's static H.264 ladder
//! (`reel ladder --static apple`) on real clips, both encoded by `reel
//! transcode` with the same encoder (libx264), preset (medium), 2 s closed GOP
//! and packaging. Apple's rungs get its table's bit rates (VBV peak 2x);
//! ours are capped CRF, as the ladder writes them.
//!
//! Per clip, in the same run:
//! - every final rung's actual bit rate (encode.json) and VMAF (`reel
//!   validate`: vmaf_v0.6.1 at 1080p after a bicubic upscale, every frame);
//! - BD-rate of ours against Apple's over those rungs (`reel bdrate`;
//!   target: mean <= -25 %, no clip above +2 %);
//! - CPU seconds of the analysis plus our final encodes against Apple's
//!   final encodes alone (target <= 1.6x);
//! - each rung's predicted VMAF against its measured one (target within 2).
//!
//! `REEL_BENCH_CLIPS` picks clips by name (comma-separated), `REEL_BIN` the
//! binary, `REEL_BENCH_SECONDS` the length of the looped clip (default 30).

use reel_benches::{
    bench_seconds, ffmpeg, fixture_dir, looped_bbb, measure, media_dir, reel_binary, run_checked,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    if let Err(e) = run() {
        eprintln!("ladder_vs_apple: {e}");
        std::process::exit(2);
    }
}

/// Finds or makes a benchmark clip.
type MakeClip = dyn Fn() -> Result<PathBuf, String>;

/// One clip's outcome.
struct Outcome {
    name: String,
    bd_rate: f64,
    ours_cpu: f64,
    apple_cpu: f64,
    worst_prediction: f64,
}

fn run() -> Result<(), String> {
    let reel = reel_binary()?;
    let seconds = bench_seconds();
    let wanted = std::env::var("REEL_BENCH_CLIPS").ok();
    let wants = |name: &str| {
        wanted
            .as_deref()
            .is_none_or(|w| w.split(',').any(|c| c.trim() == name))
    };
    let mut outcomes = Vec::new();
    let clips: Vec<(&str, Box<MakeClip>)> = vec![
        (
            "bbb-720p",
            Box::new(|| Ok(media_dir().join("bigbuckbunny.mp4"))),
        ),
        ("bikes-544p", Box::new(bikes_544p)),
        ("bbb-720p-long", Box::new(move || looped_bbb(720, seconds))),
        (
            "carphone-qcif",
            Box::new(|| Ok(media_dir().join("carphone_pristine.mp4"))),
        ),
    ];
    for (name, make) in &clips {
        if !wants(name) {
            continue;
        }
        let clip = make()?;
        match compare(&reel, name, &clip)? {
            Some(o) => outcomes.push(o),
            None => continue,
        }
    }
    summarise(&outcomes);
    Ok(())
}

/// The bikes sample (640x272) upscaled to 1280x544, so Apple's table has
/// rungs for it (at 272 lines it has one).
fn bikes_544p() -> Result<PathBuf, String> {
    let dir = fixture_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let out = dir.join("bikes_544p.mp4");
    if !out.exists() {
        let tmp = dir.join("bikes_544p.tmp.mp4");
        let src = media_dir().join("bikes.mp4");
        ffmpeg(&[
            "-i",
            &src.to_string_lossy(),
            "-vf",
            "scale=1280:544:flags=bicubic",
            "-an",
            "-c:v",
            "libx264",
            "-preset",
            "fast",
            "-crf",
            "16",
            &tmp.to_string_lossy(),
        ])?;
        std::fs::rename(&tmp, &out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    Ok(out)
}

/// Both ladders of one clip, encoded, validated and compared; `None` (with
/// the reason printed) when a ladder cannot be made for it.
fn compare(reel: &Path, name: &str, clip: &Path) -> Result<Option<Outcome>, String> {
    println!("\n== {name}: {}", clip.display());
    let work = fixture_dir().join("ladder").join(name);
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let clip_s = clip.to_string_lossy().into_owned();
    let inspect_dir = work.join("inspect");
    run_checked(
        reel,
        &[
            "--quiet",
            "inspect",
            &clip_s,
            "--output",
            &path(&inspect_dir),
        ],
    )?;
    let inspect = path(&inspect_dir.join("inspect.json"));

    let apple = work.join("apple");
    let fixed = Command::new(reel)
        .args([
            "--quiet",
            "ladder",
            &clip_s,
            "--static",
            "apple",
            "--inspect",
        ])
        .args([&inspect, "--output", &path(&apple)])
        .output()
        .map_err(|e| e.to_string())?;
    if !fixed.status.success() {
        println!(
            "skipped: no Apple ladder for this clip: {}",
            String::from_utf8_lossy(&fixed.stderr).trim()
        );
        return Ok(None);
    }
    let ours = work.join("ours");
    let analysis = measure(
        reel,
        &[
            "--quiet",
            "ladder",
            &clip_s,
            "--inspect",
            &inspect,
            "--output",
            &path(&ours),
        ],
    )?;
    let encode = |job: &Path| {
        measure(
            reel,
            &[
                "--quiet",
                "transcode",
                &clip_s,
                "--inspect",
                &inspect,
                "--ladder",
                &path(&job.join("ladder.json")),
                "--output",
                &path(job),
            ],
        )
    };
    let apple_encode = encode(&apple)?;
    let ours_encode = encode(&ours)?;
    let apple_rungs = measured_rungs(reel, &apple, &clip_s)?;
    let ours_rungs = measured_rungs(reel, &ours, &clip_s)?;

    println!(
        "{:<8} {:<18} {:>10} {:>9} {:>10} {:>8}",
        "ladder", "rung", "kb/s", "VMAF", "predicted", "error"
    );
    let mut worst_prediction: f64 = 0.0;
    for (label, rungs) in [("apple", &apple_rungs), ("per-title", &ours_rungs)] {
        for r in rungs {
            let (pred, err) = match r.predicted {
                Some(p) => {
                    worst_prediction = worst_prediction.max((p - r.vmaf).abs());
                    (format!("{p:.2}"), format!("{:+.2}", p - r.vmaf))
                }
                None => ("-".into(), "-".into()),
            };
            println!(
                "{label:<8} {:<18} {:>10.0} {:>9.2} {pred:>10} {err:>8}",
                r.name, r.kbps, r.vmaf
            );
        }
    }
    let bd_rate = bd_rate(reel, &work, &apple_rungs, &ours_rungs)?;
    let ladder = read_json(&ours.join("ladder.json"))?;
    let cost = &ladder["cost"];
    let ours_cpu = analysis.cpu_s + ours_encode.cpu_s;
    println!(
        "analysis {:.1} CPU s (trial encodes {:.1}, scoring {:.1}, refine {:.1}); \
         final encodes: per-title {:.1} CPU s, Apple {:.1} CPU s",
        analysis.cpu_s,
        cost["trial_encode_cpu_s"].as_f64().unwrap_or(f64::NAN),
        cost["scoring_cpu_s"].as_f64().unwrap_or(f64::NAN),
        cost["refine_cpu_s"].as_f64().unwrap_or(f64::NAN),
        ours_encode.cpu_s,
        apple_encode.cpu_s
    );
    println!(
        "BD-rate per-title vs Apple: {bd_rate:+.2} %   compute {:.2}x one Apple pass   \
         worst prediction error {worst_prediction:.2} VMAF",
        ours_cpu / apple_encode.cpu_s
    );
    Ok(Some(Outcome {
        name: name.to_string(),
        bd_rate,
        ours_cpu,
        apple_cpu: apple_encode.cpu_s,
        worst_prediction,
    }))
}

/// One final rung as measured.
struct Rung {
    name: String,
    kbps: f64,
    vmaf: f64,
    predicted: Option<f64>,
}

/// Runs `reel validate` on `job` and pairs each rendition's actual bit rate
/// (encode.json) with its VMAF (validate.json) and the ladder's prediction.
fn measured_rungs(reel: &Path, job: &Path, clip: &str) -> Result<Vec<Rung>, String> {
    // Exit 1 (a check failed) still measures every rung.
    let out = Command::new(reel)
        .args(["--quiet", "validate", &path(job), "--source", clip])
        .stdout(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if !matches!(out.status.code(), Some(0 | 1)) {
        return Err(format!(
            "reel validate {}: {}",
            job.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let encode = read_json(&job.join("encode.json"))?;
    let validate = read_json(&job.join("validate.json"))?;
    let ladder = read_json(&job.join("ladder.json"))?;
    let empty = Vec::new();
    let list = |v: &Value, key: &str| v[key].as_array().unwrap_or(&empty).clone();
    let mut rungs = Vec::new();
    for r in list(&encode, "renditions") {
        let name = r["recipe"]["name"].as_str().unwrap_or_default().to_string();
        let vmaf = list(&validate, "quality")
            .iter()
            .find(|q| q["name"] == name.as_str())
            .and_then(|q| q["vmaf_mean"].as_f64())
            .ok_or_else(|| format!("{}: no VMAF for {name}", job.display()))?;
        let predicted = list(&ladder, "predictions")
            .iter()
            .find(|p| p["name"] == name.as_str())
            .and_then(|p| p["vmaf"].as_f64());
        rungs.push(Rung {
            kbps: r["bit_rate"].as_f64().unwrap_or(f64::NAN) / 1000.0,
            name,
            vmaf,
            predicted,
        });
    }
    rungs.sort_by(|a, b| a.kbps.total_cmp(&b.kbps));
    Ok(rungs)
}

/// `reel bdrate` of ours against Apple's, through two CSV curves.
fn bd_rate(reel: &Path, work: &Path, apple: &[Rung], ours: &[Rung]) -> Result<f64, String> {
    let write = |file: &str, rungs: &[Rung]| -> Result<String, String> {
        let mut csv = String::from("kbps,vmaf\n");
        for r in rungs {
            csv.push_str(&format!("{},{}\n", r.kbps, r.vmaf));
        }
        let p = work.join(file);
        std::fs::write(&p, csv).map_err(|e| format!("{}: {e}", p.display()))?;
        Ok(path(&p))
    };
    let a = write("apple.csv", apple)?;
    let b = write("per-title.csv", ours)?;
    let out = Command::new(reel)
        .args(["bdrate", &a, &b, "--json"])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "reel bdrate: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    v["bd_rate_percent"]
        .as_f64()
        .ok_or_else(|| "reel bdrate printed no number".to_string())
}

fn summarise(outcomes: &[Outcome]) {
    if outcomes.is_empty() {
        println!("\nno clip compared");
        return;
    }
    let n = outcomes.len() as f64;
    let mean_bd = outcomes.iter().map(|o| o.bd_rate).sum::<f64>() / n;
    let worst_bd = outcomes
        .iter()
        .map(|o| o.bd_rate)
        .fold(f64::NEG_INFINITY, f64::max);
    let ours: f64 = outcomes.iter().map(|o| o.ours_cpu).sum();
    let apple: f64 = outcomes.iter().map(|o| o.apple_cpu).sum();
    let worst_pred = outcomes
        .iter()
        .map(|o| o.worst_prediction)
        .fold(0.0, f64::max);
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!("\n== summary over {} clips", outcomes.len());
    for o in outcomes {
        println!(
            "{:<16} BD-rate {:+7.2} %  compute {:.2}x  worst prediction error {:.2}",
            o.name,
            o.bd_rate,
            o.ours_cpu / o.apple_cpu,
            o.worst_prediction
        );
    }
    println!(
        "mean BD-rate {mean_bd:+.2} % (target <= -25 %: {})",
        verdict(mean_bd <= -25.0)
    );
    println!(
        "worst clip BD-rate {worst_bd:+.2} % (target <= +2 %: {})",
        verdict(worst_bd <= 2.0)
    );
    println!(
        "compute, all clips: {:.2}x one Apple pass (target <= 1.6x: {})",
        ours / apple,
        verdict(ours / apple <= 1.6)
    );
    println!(
        "worst prediction error {worst_pred:.2} VMAF (target <= 2: {})",
        verdict(worst_pred <= 2.0)
    );
}

fn read_json(file: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
