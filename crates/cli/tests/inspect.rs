#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reel inspect` end to end: the real binary on real clips, bad inputs, and S3.

mod common;

use common::*;
use std::process::Command;

#[test]
fn inspects_a_real_clip_as_json() {
    let bbb = clip("bigbuckbunny.mp4");
    let run = reel(&["inspect", "--json", bbb.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = run.json();
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["video"]["frame_count"], 132);
    assert_eq!(r["video"]["width"], 1280);
    assert_eq!(r["video"]["height"], 720);
    assert_eq!(r["video"]["vfr"], false);
    assert_eq!(r["video"]["pix_fmt"], "yuv420p");
    let kinds: Vec<&str> = r["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"video") && kinds.contains(&"audio"),
        "{kinds:?}"
    );
    assert_eq!(r["decode_errors"]["count"], 0);
    assert_eq!(r["inputs"][0]["url"], bbb.to_str().unwrap());
}

#[test]
fn writes_inspect_json_into_the_output_directory_and_prints_a_summary() {
    let bikes = clip("bikes.mp4");
    let out = tempfile::tempdir().unwrap();
    let job = out.path().join("job");
    let run = reel(&[
        "inspect",
        bikes.to_str().unwrap(),
        "--output",
        job.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("250 frames"), "{}", run.stdout);
    assert!(run.stdout.contains("shots: 6"), "{}", run.stdout);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(job.join("inspect.json")).unwrap()).unwrap();
    assert_eq!(written["video"]["frame_count"], 250);
    assert_eq!(written["cuts"].as_array().unwrap().len(), 5);
    // Nothing but the manifest: no temp files left behind.
    let names: Vec<_> = std::fs::read_dir(&job)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("inspect.json")]);
}

#[test]
fn a_missing_path_is_a_clean_error() {
    let run = reel(&["inspect", "/nonexistent/dir/clip.mp4"]);
    assert_clean_error(&run, "/nonexistent/dir/clip.mp4", "no such file");
}

#[test]
fn an_empty_file_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.mp4");
    std::fs::write(&path, b"").unwrap();
    let run = reel(&["inspect", path.to_str().unwrap()]);
    assert_clean_error(&run, path.to_str().unwrap(), "empty");
}

#[test]
fn a_text_file_named_mp4_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.mp4");
    std::fs::write(
        &path,
        "these are not the frames you are looking for\n".repeat(50),
    )
    .unwrap();
    let run = reel(&["inspect", path.to_str().unwrap()]);
    assert_clean_error(&run, path.to_str().unwrap(), "not a media file");
}

#[test]
fn a_truncated_file_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_copy(&clip("bigbuckbunny.mp4"), dir.path(), "cut.mp4", |b| {
        b.truncate(b.len() / 2)
    });
    let run = reel(&["inspect", path.to_str().unwrap()]);
    assert_clean_error(&run, path.to_str().unwrap(), "truncated");
}

#[test]
fn a_truncated_faststart_file_is_a_clean_error() {
    // With the index first the cut copy still opens; its pictures stop half-way.
    let dir = tempfile::tempdir().unwrap();
    let faststart = dir.path().join("faststart.mp4");
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-i"])
        .arg(clip("bigbuckbunny.mp4"))
        .args(["-c", "copy", "-movflags", "+faststart"])
        .arg(&faststart)
        .status()
        .unwrap();
    assert!(status.success());
    let path = edited_copy(&faststart, dir.path(), "cut.mp4", |b| {
        b.truncate(b.len() * 6 / 10)
    });
    let run = reel(&["inspect", path.to_str().unwrap()]);
    assert_clean_error(&run, path.to_str().unwrap(), "truncated");
}

#[test]
fn an_audio_only_file_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tone.m4a");
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .args(["sine=frequency=440:duration=1", "-c:a", "aac"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    let run = reel(&["inspect", path.to_str().unwrap()]);
    assert_clean_error(&run, path.to_str().unwrap(), "no video stream");
}

#[test]
fn a_file_corrupt_in_the_middle_still_gets_a_report_with_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = edited_copy(&clip("bigbuckbunny.mp4"), dir.path(), "damaged.mp4", |b| {
        let mid = b.len() / 2;
        for (i, byte) in b[mid..mid + 65536].iter_mut().enumerate() {
            *byte = (i * 7919 % 251) as u8;
        }
    });
    let run = reel(&["inspect", "--json", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = run.json();
    assert!(
        r["decode_errors"]["count"].as_u64().unwrap() > 0,
        "{}",
        r["decode_errors"]
    );
    assert!(!r["decode_errors"]["first"].as_array().unwrap().is_empty());
    assert!(r["video"]["frame_count"].as_u64().unwrap() > 0);
}

#[test]
fn inspects_an_s3_object_and_writes_the_manifest_to_s3() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let object = server.object_path("in/bikes.mp4");
    std::fs::create_dir_all(object.parent().unwrap()).unwrap();
    std::fs::copy(clip("bikes.mp4"), &object).unwrap();
    let env = aws_env(&server, SECRET_KEY);
    let source = format!("s3://{BUCKET}/in/bikes.mp4");
    let run = reel_env(
        &[
            "inspect",
            "--json",
            &source,
            "--output",
            &format!("s3://{BUCKET}/jobs/one"),
        ],
        &as_refs(&env),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["video"]["frame_count"], 250);
    assert_eq!(run.json()["inputs"][0]["url"], source.as_str());
    let stored: serde_json::Value = serde_json::from_slice(
        &std::fs::read(server.object_path("jobs/one/inspect.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(stored["cuts"], run.json()["cuts"]);
}

#[test]
fn a_missing_s3_key_is_a_clean_error() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let env = aws_env(&server, SECRET_KEY);
    let source = format!("s3://{BUCKET}/nope.mp4");
    let run = reel_env(&["inspect", &source], &as_refs(&env));
    assert_clean_error(&run, &source, "not found");
}

#[test]
fn wrong_s3_credentials_are_rejected() {
    let Some(server) = S3Server::start() else {
        return;
    };
    std::fs::copy(clip("bikes.mp4"), server.object_path("bikes.mp4")).unwrap();
    let env = aws_env(&server, "not-the-secret");
    let source = format!("s3://{BUCKET}/bikes.mp4");
    let run = reel_env(&["inspect", &source], &as_refs(&env));
    assert_clean_error(&run, &source, "access denied");
}

#[test]
fn an_unreachable_s3_endpoint_is_a_clean_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let source = format!("s3://{BUCKET}/bikes.mp4");
    let run = reel_env(
        &["inspect", &source, "--s3-endpoint", &endpoint],
        &[
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    assert_clean_error(&run, &source, "cannot reach");
}
