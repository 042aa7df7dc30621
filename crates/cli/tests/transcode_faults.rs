#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reel transcode` when something outside it fails: a source that ends
//! mid-way, a full disk, an S3 output that is unreachable or goes away during
//! the job. Each must be a one-line error with exit 2, leave no half-written
//! file or manifest, keep the finished chunks, and a re-run must complete
//! without encoding them again.

mod common;

use common::*;
use reel_testkit::decoded_frames;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Two H.264 rungs in 0.5 s chunks on one worker: 11 chunks per rung.
fn transcode_args(src: &Path, out: &str) -> Vec<String> {
    [
        "--quiet",
        "transcode",
        src.to_str().unwrap(),
        "--output",
        out,
        "-r",
        "320x180:h264:crf=28:preset=veryfast",
        "-r",
        "256x144:h264:crf=30:preset=veryfast",
        "--keyframe-interval",
        "0.5",
        "--min-chunk",
        "0.5",
        "--max-chunk",
        "0.5",
        "--threads",
        "1",
        "--no-dash",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn with_work_dir(mut args: Vec<String>, work: &Path) -> Vec<String> {
    args.extend([
        "--work-dir".to_string(),
        work.to_string_lossy().into_owned(),
    ]);
    args
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// After a failed run: no manifest, no rendition, no temp file anywhere.
fn assert_nothing_half_written(work: &Path) {
    assert!(
        !work.join("encode.json").exists(),
        "encode.json was written"
    );
    for f in files_under(work) {
        let name = f.to_string_lossy();
        assert!(!name.ends_with(".part"), "temp file left: {name}");
        assert!(!name.contains("/renditions/"), "rendition left: {name}");
    }
}

/// The re-run's manifest reused `before` chunks and encoded the rest, and
/// every rendition has the source's 132 frames.
fn assert_resumed(manifest: &serde_json::Value, before: usize, work: &Path) {
    let total = manifest["chunks"].as_array().unwrap().len() * 2;
    assert!(before > 0 && before <= total, "{before} of {total}");
    assert_eq!(manifest["chunks_skipped"].as_u64().unwrap(), before as u64);
    assert_eq!(
        manifest["chunks_encoded"].as_u64().unwrap(),
        (total - before) as u64
    );
    for r in manifest["renditions"].as_array().unwrap() {
        let file = work.join(r["key"].as_str().unwrap());
        assert_eq!(decoded_frames(&file), 132, "{}", file.display());
    }
}

/// bigbuckbunny.mp4 with its index first, so a truncated copy still opens.
fn faststart_copy(dir: &Path) -> PathBuf {
    let path = dir.join("full.mp4");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(clip("bigbuckbunny.mp4"))
        .args(["-c", "copy", "-movflags", "+faststart"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    path
}

#[test]
fn a_source_that_ends_mid_way_fails_cleanly_and_keeps_finished_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let full = faststart_copy(dir.path());
    // inspect.json of the whole source: the plan expects 132 frames.
    let insp = dir.path().join("insp");
    let run = reel(&[
        "--quiet",
        "inspect",
        full.to_str().unwrap(),
        "--output",
        insp.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(&full).unwrap();
    let src = dir.path().join("src.mp4");
    std::fs::write(&src, &bytes[..bytes.len() * 6 / 10]).unwrap();
    let work = dir.path().join("job");
    let mut args = transcode_args(&src, work.to_str().unwrap());
    args.extend([
        "--inspect".to_string(),
        insp.join("inspect.json").to_string_lossy().into_owned(),
    ]);

    let run = reel(&refs(&args));
    assert_clean_error(&run, "src.mp4", "ended after");
    assert_nothing_half_written(&work);
    let before = completed_chunks(&work).len();
    assert!(before >= 2, "no chunk finished before the source ended");

    // The source is whole again: the same command completes.
    std::fs::write(&src, &bytes).unwrap();
    let run = reel(&[refs(&args).as_slice(), &["--json"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_resumed(&run.json(), before, &work);
}

#[test]
fn a_full_disk_fails_cleanly_and_the_rerun_reuses_every_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("job");
    let args = transcode_args(&clip("bigbuckbunny.mp4"), work.to_str().unwrap());
    // A 64 KiB file size limit: every 0.5 s chunk fits, the audio track and
    // the renditions do not. The write fails as on a full disk (EFBIG, with
    // SIGXFSZ ignored, instead of ENOSPC).
    let out = Command::new("bash")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 64; exec \"$0\" \"$@\"",
            env!("CARGO_BIN_EXE_reel"),
        ])
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let run = finish(out);
    assert_clean_error(&run, "job/", "file too large");
    assert_nothing_half_written(&work);
    let before = completed_chunks(&work).len();
    assert_eq!(before, 22, "every chunk fits under the limit");

    let run = reel(&[refs(&args).as_slice(), &["--json"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_resumed(&run.json(), before, &work);
}

#[test]
fn an_unreachable_s3_output_fails_before_encoding() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let src = clip("bigbuckbunny.mp4");
    for (env, output, problem) in [
        (
            aws_env(&server, "not-the-secret"),
            server.url("jobs/a"),
            "SignatureDoesNotMatch",
        ),
        (
            aws_env(&server, SECRET_KEY),
            "s3://no-such-bucket/jobs/a".to_string(),
            "bucket does not exist",
        ),
    ] {
        let args = with_work_dir(transcode_args(&src, &output), &work);
        let run = reel_env(&refs(&args), &as_refs(&env));
        assert_clean_error(&run, &output, problem);
        assert!(completed_chunks(&work).is_empty(), "encoded before failing");
    }
}

#[test]
fn an_s3_outage_during_the_job_fails_cleanly_and_the_rerun_uploads_everything() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let output = server.url("jobs/one");
    let args = with_work_dir(transcode_args(&clip("bigbuckbunny.mp4"), &output), &work);
    let env = aws_env(&server, SECRET_KEY);
    let mut cmd = reel_command(&refs(&args), &as_refs(&env));
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    // The server goes away once encoding is under way.
    let t0 = Instant::now();
    while completed_chunks(&work).is_empty() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no chunk after 60 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(server);
    let out = child.wait_with_output().unwrap();
    let run = finish(out);
    assert_clean_error(&run, &output, "uploading");
    let before = completed_chunks(&work).len();
    assert_eq!(before, 22, "the local work directory keeps every chunk");

    // Storage is back (a new server, empty): the re-run encodes nothing and
    // uploads every object, encode.json last.
    let Some(server) = S3Server::start() else {
        return;
    };
    let env = aws_env(&server, SECRET_KEY);
    let args = with_work_dir(transcode_args(&clip("bigbuckbunny.mp4"), &output), &work);
    let run = reel_env(
        &[refs(&args).as_slice(), &["--json"]].concat(),
        &as_refs(&env),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let m = run.json();
    assert_eq!(m["chunks_encoded"], 0);
    assert_eq!(m["chunks_skipped"], 22);
    for o in m["objects"].as_array().unwrap() {
        let key = o["key"].as_str().unwrap();
        let stored = server.object_path(&format!("jobs/one/{key}"));
        assert_eq!(
            std::fs::metadata(&stored).map(|m| m.len()).ok(),
            o["size"].as_u64(),
            "{key}"
        );
    }
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(server.object_path("jobs/one/encode.json")).unwrap())
            .unwrap();
    assert_eq!(stored["objects"], m["objects"]);
}
