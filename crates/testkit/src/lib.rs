//! Test support shared by reel's crates (a dev-dependency only): where the real test
//! clips are, a real S3 server on loopback ([`s3::S3Server`]), and a real SQS with S3 event
//! notifications ([`moto::MotoServer`]).
//!
//! Test code may panic with a clear message: that is how a fixture problem fails a test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod moto;
pub mod s3;

use std::path::{Path, PathBuf};

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().nth(2).unwrap_or(here).to_path_buf()
}

/// Directory of the real clips: `REEL_MEDIA_DIR`, or `media-cache/` (filled by
/// `scripts/fetch-media.sh`).
pub fn media_dir() -> PathBuf {
    std::env::var_os("REEL_MEDIA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("media-cache"))
}

/// Path of the real clip `name`, failing the test with instructions when it is missing.
pub fn clip(name: &str) -> PathBuf {
    let path = media_dir().join(name);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-media.sh (or set REEL_MEDIA_DIR)",
        path.display()
    );
    path
}

/// ffmpeg CLI arguments (input and encoder options, no output path) for a
/// 2 s 10-bit HEVC test pattern of `size` (`WxH`) in BT.2020 / PQ, carrying
/// HDR10 mastering display (0.0001-1000 cd/m2) and content light (MaxCLL
/// 1000, MaxFALL 400) SEI.
pub fn hdr10_hevc_args(size: &str) -> Vec<String> {
    [
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc2=size={size}:rate=25:duration=2"),
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p10le",
        "-color_primaries",
        "bt2020",
        "-color_trc",
        "smpte2084",
        "-colorspace",
        "bt2020nc",
        "-color_range",
        "tv",
        "-x265-params",
        "log-level=error:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Frames the ffmpeg CLI decodes from the first video stream of `input`: an
/// independent count to check our own decoding and muxing against.
pub fn decoded_frames(input: &Path) -> u64 {
    let out = std::process::Command::new("ffmpeg")
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
        .expect("ffmpeg reports a frame count")
}
