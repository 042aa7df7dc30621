#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reel vmaf` end to end: libvmaf-exact scores of a real pair, output files, scaling
//! and the frame-count check.

mod common;

use common::*;
use std::path::PathBuf;

fn encode(name: &str) -> PathBuf {
    let p = reel_testkit::workspace_root()
        .join("crates/vmaf/tests/data/encodes")
        .join(name);
    assert!(p.is_file(), "{} missing", p.display());
    p
}

/// libvmaf's pooled VMAF of a pair, from the reference scores shipped with reel-vmaf.
fn libvmaf_mean(pair: &str) -> f64 {
    let p = reel_testkit::workspace_root()
        .join("crates/vmaf/tests/data/scores")
        .join(format!("{pair}.json"));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    v["pooled_metrics"]["vmaf"]["mean"].as_f64().unwrap()
}

#[test]
fn scores_a_real_pair_like_libvmaf_and_writes_json_csv_and_plot() {
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("scores.json");
    let csv = out.path().join("scores.csv");
    let plot = out.path().join("vmaf.png");
    let reference = clip("bigbuckbunny.mp4");
    let distorted = encode("bigbuckbunny_x264_crf38.mp4");
    let run = reel(&[
        "vmaf",
        "--reference",
        reference.to_str().unwrap(),
        "--distorted",
        distorted.to_str().unwrap(),
        "--feature",
        "psnr",
        "--threads",
        "2",
        "--json",
        json.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let frames = v["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 132);
    assert_eq!(frames[5]["frameNum"], 5);
    for name in [
        "vmaf",
        "integer_adm2",
        "integer_motion2",
        "integer_vif_scale0",
        "psnr_y",
    ] {
        assert!(frames[5]["metrics"][name].is_number(), "missing {name}");
    }
    let mean = v["pooled_metrics"]["vmaf"]["mean"].as_f64().unwrap();
    let expected = libvmaf_mean("bigbuckbunny_x264_crf38");
    assert!(
        (mean - expected).abs() < 1e-4,
        "pooled {mean} vs libvmaf {expected}"
    );
    assert!(run.stdout.contains("vmaf"), "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 133);
    let png = std::fs::read(&plot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert!(png.len() > 10_000, "plot looks empty: {} bytes", png.len());
}

#[test]
fn a_lower_resolution_rung_is_upscaled_to_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("bikes_320.mp4");
    let bikes = clip("bikes.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            bikes.to_str().unwrap(),
        ])
        .args([
            "-vf",
            "scale=320:136",
            "-c:v",
            "libx264",
            "-crf",
            "23",
            "-preset",
            "veryfast",
        ])
        .arg(&small)
        .status()
        .unwrap();
    assert!(status.success());
    let json = dir.path().join("s.json");
    let run = reel(&[
        "vmaf",
        "-r",
        bikes.to_str().unwrap(),
        "-d",
        small.to_str().unwrap(),
        "--frames",
        "50",
        "--json",
        json.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["frames"].as_array().unwrap().len(), 50);
    let mean = v["pooled_metrics"]["vmaf"]["mean"].as_f64().unwrap();
    // Half the resolution costs quality, but an upscaled rung is far from garbage.
    assert!(mean > 30.0 && mean < 95.0, "mean {mean}");
}

#[test]
fn different_frame_counts_are_an_error_naming_both_counts() {
    let run = reel(&[
        "vmaf",
        "-r",
        clip("carphone_pristine.mp4").to_str().unwrap(),
        "-d",
        clip("bikes.mp4").to_str().unwrap(),
        "--scale",
        "176x144",
        "--quiet",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("120") && run.stderr.contains("250"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unknown_model_is_a_clean_error() {
    let run = reel(&[
        "vmaf",
        "-r",
        clip("carphone_pristine.mp4").to_str().unwrap(),
        "-d",
        clip("carphone_distorted.mp4").to_str().unwrap(),
        "--model",
        "vmaf_v9",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("vmaf_v9"), "{}", run.stderr);
}
