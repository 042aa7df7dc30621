#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reel transcode` end to end on real clips: a SIGKILL in the middle of the
//! chunk encodes, then a re-run of the same command that resumes.

mod common;

use common::*;
use reel_testkit::decoded_frames;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn a_killed_transcode_resumes_without_reencoding_finished_chunks() {
    let src = clip("bigbuckbunny.mp4");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job");
    // Many short chunks on one worker, so the kill lands between chunks.
    let args: Vec<String> = [
        "transcode",
        src.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "-r",
        "320x180:h264:crf=28:preset=veryfast",
        "-r",
        "256x144:h264:crf=30:preset=veryfast",
        "--keyframe-interval",
        "0.2",
        "--min-chunk",
        "0.2",
        "--max-chunk",
        "0.2",
        "--threads",
        "1",
        "--no-dash",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_reel"))
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while completed_chunks(&out).len() < 2 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "reel transcode ended before any chunk was seen"
        );
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no chunk after 60 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(
        !out.join("encode.json").exists(),
        "killed run wrote encode.json"
    );
    let before: Vec<(PathBuf, u64, std::time::SystemTime)> = completed_chunks(&out)
        .into_iter()
        .map(|p| {
            let m = std::fs::metadata(&p).unwrap();
            (p, m.ino(), m.modified().unwrap())
        })
        .collect();

    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = reel(&[refs.as_slice(), &["--json"]].concat());
    assert_eq!(run.code, 0, "re-run failed:\n{}", run.stderr);
    let m = run.json();
    let total = m["chunks"].as_array().unwrap().len() as u64 * 2;
    assert!(
        (before.len() as u64) < total,
        "every chunk finished before the kill; the test proves nothing"
    );
    assert_eq!(m["chunks_skipped"].as_u64().unwrap(), before.len() as u64);
    assert_eq!(
        m["chunks_encoded"].as_u64().unwrap(),
        total - before.len() as u64
    );
    for (p, ino, mtime) in &before {
        let now = std::fs::metadata(p).unwrap();
        assert_eq!(
            (now.ino(), now.modified().unwrap()),
            (*ino, *mtime),
            "{} was re-encoded",
            p.display()
        );
    }
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("encode.json")).unwrap()).unwrap();
    assert_eq!(on_disk["chunks_skipped"], m["chunks_skipped"]);
    for r in m["renditions"].as_array().unwrap() {
        let file = out.join(r["key"].as_str().unwrap());
        assert_eq!(
            r["frame_count"].as_u64().unwrap(),
            132,
            "{}",
            file.display()
        );
        assert_eq!(decoded_frames(&file), 132, "{}", file.display());
    }
}
