//! `reel encode` (one process running every stage through the pipeline)
//! against the stage commands run one by one (`reel inspect`, `reel ladder`,
//! `reel transcode`, `reel validate`, `reel report`), same settings, same run: wall and CPU
//! time in all and split by stage (from job.json), and the orchestration
//! overhead (target <= 3 %). Then the storage round trip: the same job into
//! a local S3 server (s3s-fs on 127.0.0.1) against a local directory,
//! without validation (which would copy the job back out of S3).
//!
//! The ladder is Apple's static H.264 table, so the figures are about the
//! pipeline, not the per-title analysis (`ladder_vs_apple` measures that).
//! `REEL_BENCH_SECONDS` sets the clip length (default 30 s),
//! `REEL_BENCH_HEIGHTS` the clips (default `720,1080`), `REEL_BENCH_ROUNDS` the
//! rounds of the comparison (default 1; 2 or more alternate the order),
//! `REEL_BENCH_STORAGE=0` skips the storage round trip, `REEL_BIN` the binary.

use reel_benches::{
    bench_seconds, fixture_dir, looped_bbb, measure, measure_env, measure_with, reel_binary,
    Measure,
};
use reel_testkit::s3::{S3Server, ACCESS_KEY, SECRET_KEY};
use serde_json::Value;
use std::path::Path;

fn main() {
    if let Err(e) = run() {
        eprintln!("encode_vs_stages: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let reel = reel_binary()?;
    let seconds = bench_seconds();
    let heights: Vec<u32> = std::env::var("REEL_BENCH_HEIGHTS")
        .unwrap_or_else(|_| "720,1080".into())
        .split(',')
        .filter_map(|h| h.trim().parse().ok())
        .collect();
    for height in heights {
        let clip = looped_bbb(height, seconds)?;
        let work = fixture_dir().join(format!("pipeline-{height}p"));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        println!("\n== {height}p, {seconds} s: {}", clip.display());
        pipeline_vs_stages(&reel, &clip, &work)?;
        if std::env::var("REEL_BENCH_STORAGE").as_deref() != Ok("0") {
            storage_round_trip(&reel, &clip, &work)?;
        }
    }
    Ok(())
}

/// `reel encode` against the stage commands, `REEL_BENCH_ROUNDS` times (default 1)
/// in ABBA order (the second round runs the stage commands first, and so on), so
/// warm caches and a drifting machine favour neither side.
fn pipeline_vs_stages(reel: &Path, clip: &Path, work: &Path) -> Result<(), String> {
    let rounds: usize = std::env::var("REEL_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mut whole = Measure {
        wall_s: 0.0,
        cpu_s: 0.0,
        max_rss_mib: 0.0,
    };
    let mut stages = whole;
    for round in 0..rounds {
        let dir = work.join(format!("round-{round}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let (w, by_stage, s, by_hand) = if round % 2 == 0 {
            let (w, by_stage) = run_whole(reel, clip, &dir)?;
            let (s, by_hand) = run_stages(reel, clip, &dir)?;
            (w, by_stage, s, by_hand)
        } else {
            let (s, by_hand) = run_stages(reel, clip, &dir)?;
            let (w, by_stage) = run_whole(reel, clip, &dir)?;
            (w, by_stage, s, by_hand)
        };
        println!(
            "round {} ({}):",
            round + 1,
            if round % 2 == 0 {
                "reel encode first"
            } else {
                "stage commands first"
            }
        );
        println!(
            "{:<10} {:>14} {:>14}",
            "stage", "in encode (s)", "by hand (s)"
        );
        for (name, hand) in &by_hand {
            let inside = by_stage
                .iter()
                .find(|(s, _)| s == name)
                .map_or(f64::NAN, |(_, w)| *w);
            println!("{name:<10} {inside:>14.2} {hand:>14.2}");
        }
        println!(
            "reel encode: wall {:.1} s, CPU {:.1} s, peak {:.0} MiB; stage commands: wall \
             {:.1} s, CPU {:.1} s, peak {:.0} MiB; overhead wall {:+.2} %",
            w.wall_s,
            w.cpu_s,
            w.max_rss_mib,
            s.wall_s,
            s.cpu_s,
            s.max_rss_mib,
            (w.wall_s / s.wall_s - 1.0) * 100.0
        );
        whole.wall_s += w.wall_s;
        whole.cpu_s += w.cpu_s;
        whole.max_rss_mib = whole.max_rss_mib.max(w.max_rss_mib);
        stages.wall_s += s.wall_s;
        stages.cpu_s += s.cpu_s;
        stages.max_rss_mib = stages.max_rss_mib.max(s.max_rss_mib);
    }
    let overhead = whole.wall_s / stages.wall_s - 1.0;
    println!(
        "orchestration overhead over {rounds} round(s): wall {:+.2} %, CPU {:+.2} % \
         (target <= 3 %: {})",
        overhead * 100.0,
        (whole.cpu_s / stages.cpu_s - 1.0) * 100.0,
        if overhead <= 0.03 { "met" } else { "MISSED" }
    );
    Ok(())
}

/// A run's cost, and each stage's wall time.
type Timed = (Measure, Vec<(String, f64)>);

/// `reel encode` of the whole job into `dir/encode`: its time, and each
/// stage's wall time from job.json.
fn run_whole(reel: &Path, clip: &Path, dir: &Path) -> Result<Timed, String> {
    let clip = path(clip);
    let job = path(&dir.join("encode"));
    let m = measure(
        reel,
        &[
            "--quiet", "encode", &clip, "--output", &job, "--static", "apple",
        ],
    )?;
    Ok((m, stage_walls(&dir.join("encode/job.json"))?))
}

/// The stage commands one by one into `dir/stages`: their summed time, and
/// each one's wall time.
fn run_stages(reel: &Path, clip: &Path, dir: &Path) -> Result<Timed, String> {
    let clip = path(clip);
    let out = path(&dir.join("stages"));
    let inspect = format!("{out}/inspect.json");
    let ladder = format!("{out}/ladder.json");
    let steps: [(&str, Vec<&str>); 5] = [
        ("inspect", vec!["inspect", &clip, "--output", &out]),
        (
            "ladder",
            vec![
                "ladder",
                &clip,
                "--output",
                &out,
                "--inspect",
                &inspect,
                "--static",
                "apple",
            ],
        ),
        (
            "encode",
            vec![
                "transcode",
                &clip,
                "--output",
                &out,
                "--inspect",
                &inspect,
                "--ladder",
                &ladder,
            ],
        ),
        ("validate", vec!["validate", &out, "--source", &clip]),
        ("report", vec!["report", &out, "--source", &clip]),
    ];
    let mut total = Measure {
        wall_s: 0.0,
        cpu_s: 0.0,
        max_rss_mib: 0.0,
    };
    let mut walls = Vec::new();
    for (name, args) in &steps {
        let mut full = vec!["--quiet"];
        full.extend(args.iter().copied());
        let m = measure_with(reel, &full, &[], &[0, 1])?;
        walls.push((name.to_string(), m.wall_s));
        total.wall_s += m.wall_s;
        total.cpu_s += m.cpu_s;
        total.max_rss_mib = total.max_rss_mib.max(m.max_rss_mib);
    }
    Ok((total, walls))
}

/// The same job without validation into a local directory and into S3.
fn storage_round_trip(reel: &Path, clip: &Path, work: &Path) -> Result<(), String> {
    let Some(server) = S3Server::start() else {
        println!("storage round trip skipped: no S3 server");
        return Ok(());
    };
    let clip = path(clip);
    let local = path(&work.join("local"));
    let args = |out: &str| -> Vec<String> {
        [
            "--quiet",
            "encode",
            &clip,
            "--output",
            out,
            "--static",
            "apple",
            "--no-validate",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let local_args = args(&local);
    let local_m = measure(reel, &refs(&local_args))?;
    let s3_out = server.url("bench/job");
    let mut s3_args = args(&s3_out);
    let s3_work = path(&work.join("s3-work"));
    s3_args.extend(["--work-dir".to_string(), s3_work]);
    let env = [
        ("AWS_ENDPOINT_URL", server.endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_REGION", "us-east-1"),
    ];
    let s3_m = measure_env(reel, &refs(&s3_args), &env)?;
    println!(
        "storage: local directory wall {:.1} s, CPU {:.1} s; S3 (s3s-fs on loopback) wall {:.1} s, \
         CPU {:.1} s; S3 / local wall {:.3}x",
        local_m.wall_s,
        local_m.cpu_s,
        s3_m.wall_s,
        s3_m.cpu_s,
        s3_m.wall_s / local_m.wall_s
    );
    Ok(())
}

/// (stage, wall seconds) from job.json.
fn stage_walls(job: &Path) -> Result<Vec<(String, f64)>, String> {
    let text = std::fs::read_to_string(job).map_err(|e| format!("{}: {e}", job.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", job.display()))?;
    Ok(v["stages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap_or_default().to_string(),
                s["wall_s"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect())
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
