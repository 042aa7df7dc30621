//! Shared helpers of the encode integration tests: clips, temp dirs, ffprobe.
#![allow(dead_code)]
// Test helpers: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn media(name: &str) -> PathBuf {
    let dir = std::env::var_os("REEL_MEDIA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("media-cache"));
    dir.join(name)
}

pub fn out_dir(name: &str) -> tempfile::TempDir {
    let base = workspace().join("target/fixtures/encode");
    std::fs::create_dir_all(&base).unwrap();
    tempfile::Builder::new()
        .prefix(name)
        .tempdir_in(base)
        .unwrap()
}

fn ffprobe(args: &[&str]) -> String {
    let out = Command::new("ffprobe")
        .args(args)
        .output()
        .expect("ffprobe runs");
    assert!(
        out.status.success(),
        "ffprobe {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// (pts seconds, is key) of every video packet, in presentation order.
pub fn video_packets(file: &Path) -> Vec<(f64, bool)> {
    let text = ffprobe(&[
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "packet=pts_time,flags",
        "-of",
        "csv=p=0",
        &file.to_string_lossy(),
    ]);
    let mut v: Vec<(f64, bool)> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split(',');
            let pts = it.next().unwrap().parse::<f64>().unwrap();
            let key = it.next().unwrap_or("").contains('K');
            (pts, key)
        })
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// Key frame times rounded to milliseconds.
pub fn keyframes_ms(file: &Path) -> Vec<i64> {
    video_packets(file)
        .into_iter()
        .filter(|p| p.1)
        .map(|p| (p.0 * 1000.0).round() as i64)
        .collect()
}

/// End time (start + duration) of the first stream of `kind` (`v` or `a`).
pub fn stream_end(file: &Path, kind: &str) -> f64 {
    let text = ffprobe(&[
        "-v",
        "error",
        "-select_streams",
        &format!("{kind}:0"),
        "-show_entries",
        "stream=start_time,duration",
        "-of",
        "csv=p=0",
        &file.to_string_lossy(),
    ]);
    let mut it = text.trim().split(',');
    let start: f64 = it.next().unwrap().parse().unwrap_or(0.0);
    let dur: f64 = it.next().unwrap().parse().unwrap();
    start + dur
}

/// Frames decoded by the ffmpeg CLI from `input` (first video stream).
pub fn decoded_frames(input: &Path) -> u64 {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(input)
        .args(["-map", "0:v:0", "-f", "null", "-progress", "pipe:1", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg decode of {}: {}",
        input.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("frame="))
        .next_back()
        .and_then(|v| v.trim().parse().ok())
        .unwrap()
}

/// Mean PSNR (Y) of `dist` against `reference` scaled to `dist`'s size.
pub fn psnr(dist: &Path, reference: &Path, w: u32, h: u32) -> f64 {
    let filter = format!("[1:v]scale={w}:{h}:flags=bicubic[r];[0:v][r]psnr");
    let out = Command::new("ffmpeg")
        .args(["-v", "info", "-i"])
        .arg(dist)
        .arg("-i")
        .arg(reference)
        .args(["-lavfi", &filter, "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("PSNR y:"))
        .expect("psnr line");
    let y = line
        .split("y:")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    y.parse().unwrap()
}
