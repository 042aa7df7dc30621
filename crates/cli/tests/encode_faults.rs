#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reel encode` under faults: a source with no video, an output that cannot be
//! written, a disk that fills up in a stage, an S3 outage in a stage. Each is a
//! clear one-line error with exit 2, and the rerun after the fault is fixed
//! keeps every finished stage and completes.

mod common;

use common::*;
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// (event, stage) of the stage events of a `--json` run.
fn stage_events(run: &Run) -> Vec<(String, String)> {
    run.stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["stage"].is_string() && e["event"] != "progress")
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_string(),
                e["stage"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn kept(stages: &[&str]) -> Vec<(String, String)> {
    stages
        .iter()
        .map(|s| ("stage_kept".to_string(), s.to_string()))
        .collect()
}

fn ran(stages: &[&str]) -> Vec<(String, String)> {
    stages
        .iter()
        .flat_map(|s| {
            [
                ("stage_started".to_string(), s.to_string()),
                ("stage_finished".to_string(), s.to_string()),
            ]
        })
        .collect()
}

#[test]
fn a_source_without_video_and_an_unwritable_output_are_clean_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Audio only: a real AAC track in MP4, made by the FFmpeg CLI.
    let audio = dir.path().join("tone.m4a");
    let made = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
        ])
        .args(["-c:a", "aac"])
        .arg(&audio)
        .status()
        .unwrap();
    assert!(made.success());
    let out = dir.path().join("job");
    let run = reel(&[
        "--quiet",
        "encode",
        audio.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_clean_error(&run, "tone.m4a", "no video stream");
    assert!(!out.join("inspect.json").exists());

    // The output root is under a regular file: nothing can be written there.
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let src = clip("carphone_pristine.mp4");
    let bad = blocker.join("job");
    let run = reel(&[
        "--quiet",
        "encode",
        src.to_str().unwrap(),
        "--output",
        bad.to_str().unwrap(),
    ]);
    assert_clean_error(&run, bad.to_str().unwrap(), "not a directory");
    assert_eq!(std::fs::read(&blocker).unwrap(), b"not a directory");
}

#[test]
fn a_disk_that_fills_up_in_the_last_stage_fails_cleanly_and_the_rerun_runs_only_that_stage() {
    let src = clip("carphone_pristine.mp4");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job");
    let args = [
        "encode",
        src.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--no-validate",
        "--json",
    ];
    // A 256 KiB file size limit: every manifest, trial, chunk, rendition and
    // segment of this title fits; the report page (hls.js inlined) does not. The
    // write fails as on a full disk (EFBIG, with SIGXFSZ ignored).
    let output = Command::new("bash")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 256; exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_reel"),
        ])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let run = finish(output);
    assert_clean_error(&run, "report/index.html", "file too large");
    assert_eq!(
        stage_events(&run)[..6],
        ran(&["inspect", "ladder", "encode"])[..],
    );
    assert!(!out.join("report/index.html").exists());
    let leftovers: Vec<_> = files_under(&out.join("report"));
    assert!(leftovers.is_empty(), "half-written: {leftovers:?}");

    let run = reel(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut expected = kept(&["inspect", "ladder", "encode"]);
    expected.extend(ran(&["report"]));
    assert_eq!(stage_events(&run), expected);
    assert!(out.join("report/index.html").is_file());
}

#[test]
fn an_s3_outage_in_the_ladder_stage_fails_cleanly_and_the_rerun_continues_from_it() {
    let Some(mut server) = S3Server::start() else {
        return;
    };
    let src = clip("carphone_pristine.mp4");
    let work = tempfile::tempdir().unwrap();
    let output = server.url("jobs/carphone");
    let args = [
        "encode",
        src.to_str().unwrap(),
        "--output",
        &output,
        "--work-dir",
        work.path().to_str().unwrap(),
        "--no-validate",
        "--json",
    ];
    let env = aws_env(&server, SECRET_KEY);
    let mut cmd = reel_command(&args, &as_refs(&env));
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    // The server goes away once the first trial encode is on disk.
    let t0 = Instant::now();
    while !files_under(&work.path().join("ladder"))
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "mp4"))
    {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "no trial encode in 120 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    server.stop();
    let run = finish(child.wait_with_output().unwrap());
    assert_clean_error(&run, "jobs/carphone/ladder.json", "cannot reach");
    assert_eq!(stage_events(&run), {
        let mut e = ran(&["inspect"]);
        e.push(("stage_started".into(), "ladder".into()));
        e
    });
    assert!(server.object_path("jobs/carphone/inspect.json").is_file());
    assert!(!server.object_path("jobs/carphone/ladder.json").exists());

    // The store is back with its data: inspect is kept, the rest runs.
    server.restart();
    let env = aws_env(&server, SECRET_KEY);
    let run = reel_env(&args, &as_refs(&env));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut expected = kept(&["inspect"]);
    expected.extend(ran(&["ladder", "encode", "report"]));
    assert_eq!(stage_events(&run), expected);
    for key in [
        "ladder.json",
        "encode.json",
        "hls/master.m3u8",
        "report/index.html",
    ] {
        assert!(
            server
                .object_path(&format!("jobs/carphone/{key}"))
                .is_file(),
            "{key}"
        );
    }
}
