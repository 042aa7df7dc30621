#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reel encode`: a title end to end through every stage, the job manifest,
//! resuming after `kill -9`, and refusing what would mix two jobs.

mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn events(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// (event, stage) of every stage event (not progress), in order.
fn stage_events(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .filter(|e| e["stage"].is_string() && e["event"] != "progress")
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_string(),
                e["stage"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// key -> checksum of every assembled rendition in encode.json.
fn rendition_sums(job: &Path) -> Vec<(String, String)> {
    let m = read_json(&job.join("encode.json"));
    let mut v: Vec<(String, String)> = m["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["key"].as_str().unwrap().starts_with("renditions/"))
        .map(|o| {
            (
                o["key"].as_str().unwrap().to_string(),
                o["checksum"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_title_runs_end_to_end_resumes_after_kill_9_and_a_rerun_keeps_every_stage() {
    let src = clip("bigbuckbunny.mp4");
    let src = src.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let a_s = a.to_str().unwrap();

    // 1. A whole job: every stage runs, in order, and validation passes.
    let run = reel(&[
        "encode", src, "--output", a_s, "--static", "apple", "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let stages = ["inspect", "ladder", "encode", "validate", "report"];
    let expected: Vec<(String, String)> = stages
        .iter()
        .flat_map(|s| {
            [
                ("stage_started".to_string(), s.to_string()),
                ("stage_finished".to_string(), s.to_string()),
            ]
        })
        .collect();
    assert_eq!(stage_events(&events(&run)), expected);
    for f in [
        "job.json",
        "inspect.json",
        "ladder.json",
        "encode.json",
        "validate.json",
        "hls/master.m3u8",
        "report/index.html",
    ] {
        assert!(a.join(f).is_file(), "{f} missing");
    }
    let job = read_json(&a.join("job.json"));
    assert_eq!(job["job_id"].as_str().unwrap().len(), 16);
    assert_eq!(job["source"]["size"], std::fs::metadata(src).unwrap().len());
    assert_eq!(job["source"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(job["settings"]["static_ladder"], "apple");
    assert!(job["versions"]["reel"].is_string());
    assert!(job["finished"].is_string());
    assert!(read_json(&a.join("validate.json"))["passed"]
        .as_bool()
        .unwrap());
    let encode_json = std::fs::read(a.join("encode.json")).unwrap();
    let sums = rendition_sums(&a);

    // 2. The same job again: every stage is verified and kept, nothing rewritten.
    let run = reel(&[
        "encode", src, "--output", a_s, "--static", "apple", "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kept: Vec<(String, String)> = stages
        .iter()
        .map(|s| ("stage_kept".to_string(), s.to_string()))
        .collect();
    assert_eq!(stage_events(&events(&run)), kept);
    assert!(std::fs::read(a.join("encode.json")).unwrap() == encode_json);

    // 3. A rendition damaged after the fact: the encode stage runs again
    // (its chunks are kept) and so does validation. That run is killed
    // (SIGKILL) as soon as it starts packaging HLS; the next run completes.
    let victim = a.join("renditions/360p-h264.mp4");
    let mut bytes = std::fs::read(&victim).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&victim, bytes).unwrap();
    let args_a = [
        "encode", src, "--output", a_s, "--static", "apple", "--json",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_reel"))
        .args(args_a)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    loop {
        let line = lines.next().expect("packaging never started").unwrap();
        let e: Value = serde_json::from_str(&line).unwrap();
        let packaging = e["event"] == "progress" && e["stage"] == "encode" && e["step"] == "hls";
        seen.push(e);
        if packaging {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let started = seen
        .iter()
        .find(|e| e["event"] == "stage_started")
        .expect("a stage ran");
    assert_eq!(started["stage"], "encode");
    assert!(
        started["reason"]
            .as_str()
            .unwrap()
            .contains("renditions/360p-h264.mp4"),
        "{started}"
    );
    let run = reel(&args_a);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read_json(&a.join("validate.json"))["passed"]
        .as_bool()
        .unwrap());
    // Rebuilt from the kept chunks, the renditions are what they were.
    assert_eq!(rendition_sums(&a), sums);

    // 4. Killed (SIGKILL) mid-encode, then rerun: the finished stages are
    // kept, the encode completes, and the renditions are the same bytes as
    // the uninterrupted job's.
    let b = dir.path().join("b");
    let b_s = b.to_str().unwrap();
    let args = [
        "encode",
        src,
        "--output",
        b_s,
        "--static",
        "apple",
        "--no-validate",
        "--json",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_reel"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines.next().expect("encode stage never started").unwrap();
        let e: Value = serde_json::from_str(&line).unwrap();
        if e["event"] == "stage_started" && e["stage"] == "encode" {
            break;
        }
    }
    // Wait for the first finished chunk, then kill.
    let deadline = Instant::now() + Duration::from_secs(120);
    let chunk_done = || {
        files_under(&b.join("chunks"))
            .iter()
            .any(|p| p.extension().is_some_and(|x| x == "json"))
    };
    while !chunk_done() {
        assert!(Instant::now() < deadline, "no chunk finished in 120 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!b.join("encode.json").exists(), "killed before the commit");
    let run = reel(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ev = stage_events(&events(&run));
    assert_eq!(ev[0], ("stage_kept".into(), "inspect".into()));
    assert_eq!(ev[1], ("stage_kept".into(), "ladder".into()));
    assert_eq!(ev[2], ("stage_started".into(), "encode".into()));
    assert_eq!(rendition_sums(&b), sums);
    let job = read_json(&b.join("job.json"));
    assert_eq!(job["stages"][3]["state"], "off");
}

#[test]
fn bad_jobs_are_clean_errors_and_touch_nothing() {
    let src = clip("carphone_pristine.mp4");
    let src = src.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job");
    let out_s = out.to_str().unwrap();

    // Settings: a bad flag, config key and environment variable each name
    // where they came from.
    let run = reel(&["encode", src, "--output", out_s, "--codec", "mpeg2"]);
    assert_clean_error(&run, "mpeg2", "not one of");
    let config = dir.path().join("reel.toml");
    std::fs::write(&config, "codek = \"h264\"\n").unwrap();
    let run = reel(&[
        "encode",
        src,
        "--output",
        out_s,
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_clean_error(&run, "reel.toml", "codek");
    let run = reel_env(
        &["encode", src, "--output", out_s],
        &[("REEL_TARGET_VMAF", "high")],
    );
    assert_clean_error(&run, "REEL_TARGET_VMAF", "not a number");
    let run = reel(&["encode", "/nonexistent.mp4", "--output", out_s]);
    assert_clean_error(&run, "/nonexistent.mp4", "cannot read");
    assert!(!out.exists(), "a refused job wrote {}", out.display());

    // An output that holds another job is refused and left as it was.
    std::fs::create_dir_all(&out).unwrap();
    let other = serde_json::json!({
        "schema_version": 1,
        "job_id": "0123456789abcdef",
        "source": {"url": "other.mp4", "size": 1, "sha256": "00"},
        "settings": {"codec": "h264", "target_vmaf": 95.0, "validate": true},
        "versions": {},
        "started": "2026-01-01T00:00:00Z",
        "stages": []
    });
    let text = serde_json::to_vec_pretty(&other).unwrap();
    std::fs::write(out.join("job.json"), &text).unwrap();
    let run = reel(&["--quiet", "encode", src, "--output", out_s]);
    assert_clean_error(&run, out_s, "holds job 0123456789abcdef");
    assert_eq!(std::fs::read(out.join("job.json")).unwrap(), text);
    assert_eq!(files_under(&out).len(), 1);

    // The config file's settings are used when no flag overrides them: a
    // source below every rung of a static ladder fails in the ladder stage,
    // which names the source; the finished inspect stage stays.
    let fresh = dir.path().join("fresh");
    std::fs::write(&config, "static = \"apple\"\nvalidate = false\n").unwrap();
    let run = reel(&[
        "--quiet",
        "encode",
        src,
        "--output",
        fresh.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_clean_error(&run, "ladder stage", "below every rung of the apple ladder");
    assert!(fresh.join("inspect.json").is_file());
    assert!(!fresh.join("ladder.json").exists());
    let job = read_json(&fresh.join("job.json"));
    assert_eq!(job["settings"]["static_ladder"], "apple");
    assert_eq!(job["settings"]["validate"], false);
    assert!(job["finished"].is_null());
}

#[test]
fn a_job_from_and_to_s3_runs_and_resumes_the_same_way() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let env = aws_env(&server, SECRET_KEY);
    let env = as_refs(&env);
    // The source is an object in the bucket, as an S3-triggered job sees it.
    let key = server.object_path("in/bikes.mp4");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    std::fs::copy(clip("bikes.mp4"), &key).unwrap();
    let src = server.url("in/bikes.mp4");
    let out = server.url("jobs/bikes");
    let work = tempfile::tempdir().unwrap();
    let args = [
        "encode",
        &src,
        "--output",
        &out,
        "--static",
        "apple",
        "--work-dir",
        work.path().to_str().unwrap(),
        "--json",
    ];
    let run = reel_env(&args, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for f in [
        "job.json",
        "inspect.json",
        "ladder.json",
        "encode.json",
        "validate.json",
        "hls/master.m3u8",
        "report/index.html",
    ] {
        assert!(
            server.object_path(&format!("jobs/bikes/{f}")).is_file(),
            "{f} missing"
        );
    }
    let job = read_json(&server.object_path("jobs/bikes/job.json"));
    assert_eq!(job["source"]["url"], src.as_str());
    assert_eq!(
        job["source"]["size"],
        std::fs::metadata(clip("bikes.mp4")).unwrap().len()
    );
    // Rerun: every stage verified through S3 and kept.
    let run = reel_env(&args, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let kept = stage_events(&events(&run));
    assert_eq!(kept.len(), 5);
    assert!(kept.iter().all(|(e, _)| e == "stage_kept"), "{kept:?}");
}
