//! Shared test helpers: where clips live, generated fixtures, frame digests.
#![allow(dead_code)]

use reel_core::{FramePlanes, VideoFrame};
use reel_media::{DecodeEvent, DecoderOptions, VideoDecoder};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf()
}

/// A real clip from `REEL_MEDIA_DIR` (default `<workspace>/media-cache`).
pub fn clip(name: &str) -> String {
    let dir = std::env::var_os("REEL_MEDIA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("media-cache"));
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-media.sh or set REEL_MEDIA_DIR",
        path.display()
    );
    path.to_string_lossy().into_owned()
}

/// The 10-bit HEVC reference encode; `None` (with a note) when absent.
pub fn vmaf_encode(name: &str) -> Option<String> {
    let dir = std::env::var_os("REEL_VMAF_REF_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("crates/vmaf/tests/data/encodes"));
    let path = dir.join(name);
    if path.is_file() {
        Some(path.to_string_lossy().into_owned())
    } else {
        eprintln!(
            "skipping: {} not found (set REEL_VMAF_REF_DIR)",
            path.display()
        );
        None
    }
}

/// `<workspace>/target/fixtures`, created on demand.
pub fn fixtures_dir() -> PathBuf {
    let dir = workspace_root().join("target").join("fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A path under the fixtures directory unique to this test process and thread.
pub fn scratch(name: &str) -> PathBuf {
    let tid = format!("{:?}", std::thread::current().id())
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect::<String>();
    fixtures_dir().join(format!("{}-{}-{name}", std::process::id(), tid))
}

/// Generates `name` in the fixtures directory with the ffmpeg CLI (args go
/// between `ffmpeg -y` and the output path), once; later calls reuse it.
pub fn generated(name: &str, args: &[&str]) -> String {
    let path = fixtures_dir().join(name);
    if !path.is_file() {
        let tmp = scratch(&format!("tmp-{name}"));
        let out = Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
            .args(args)
            .arg(&tmp)
            .output()
            .expect("the ffmpeg CLI is needed to generate fixtures");
        assert!(
            out.status.success(),
            "ffmpeg failed for {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::rename(&tmp, &path).unwrap();
    }
    path.to_string_lossy().into_owned()
}

/// An audio-only clip: 2 s of a 440 Hz sine at 48 kHz, AAC in MP4.
pub fn audio_only_clip() -> String {
    generated(
        "sine440_48k.m4a",
        &[
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000:duration=2",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
        ],
    )
}

/// Decodes everything; returns the frames and the number of issues.
pub fn decode_all(input: &str, opts: &DecoderOptions) -> (Vec<VideoFrame>, usize) {
    let mut frames = Vec::new();
    let mut issues = 0;
    for event in VideoDecoder::open(input, opts).unwrap() {
        match event.unwrap() {
            DecodeEvent::Frame(f) => frames.push(f),
            DecodeEvent::Error(_) => issues += 1,
        }
    }
    (frames, issues)
}

/// FNV-1a over the picture samples of every plane (stride padding excluded).
pub fn digest(frame: &VideoFrame) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    match &frame.planes {
        FramePlanes::U8(planes) => {
            for p in planes {
                for row in p.rows() {
                    row.iter().for_each(|&v| eat(v));
                }
            }
        }
        FramePlanes::U16(planes) => {
            for p in planes {
                for row in p.rows() {
                    row.iter()
                        .for_each(|&v| v.to_le_bytes().into_iter().for_each(&mut eat));
                }
            }
        }
    }
    h
}

/// Mean of the luma samples, as a fraction of the sample range.
pub fn mean_luma(frame: &VideoFrame) -> f64 {
    let max = ((1u32 << frame.layout.bit_depth) - 1) as f64;
    let (sum, n) = match &frame.planes {
        FramePlanes::U8(p) => p[0].rows().fold((0u64, 0u64), |(s, n), r| {
            (
                s + r.iter().map(|&v| v as u64).sum::<u64>(),
                n + r.len() as u64,
            )
        }),
        FramePlanes::U16(p) => p[0].rows().fold((0u64, 0u64), |(s, n), r| {
            (
                s + r.iter().map(|&v| v as u64).sum::<u64>(),
                n + r.len() as u64,
            )
        }),
    };
    sum as f64 / n as f64 / max
}

/// ffprobe's JSON for `input` (streams and format).
pub fn ffprobe(input: &str) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
            input,
        ])
        .output()
        .expect("ffprobe CLI");
    assert!(out.status.success(), "ffprobe failed on {input}");
    serde_json::from_slice(&out.stdout).unwrap()
}
