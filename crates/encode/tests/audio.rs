//! Audio of the encode stage on generated clips: AAC-LC passthrough (packets
//! copied bit for bit) and the re-encode when the source does not fit.

// Helpers outside #[test] fns unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reel_encode::{parse_spec, run, EncodeConfig, SourceFacts};
use std::path::Path;

/// 3 s of 25 fps video with 3.5 s of stereo 48 kHz AAC-LC at `kbps`.
fn source(kbps: u32) -> std::path::PathBuf {
    let rate = format!("{kbps}k");
    generated(
        &format!("aac-stereo-{kbps}k.mp4"),
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=192x108:rate=25:duration=3",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000:duration=3.5",
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-ac",
            "2",
            "-b:a",
            &rate,
        ],
    )
}

fn encode(src: &Path, name: &str) -> (tempfile::TempDir, reel_core::manifest::EncodeManifest) {
    let facts = SourceFacts::probe(&src.to_string_lossy()).unwrap();
    assert_eq!(facts.frame_count, 75);
    let out = out_dir(name);
    let cfg = EncodeConfig {
        rungs: vec![parse_spec("128x72:h264:crf=30:preset=ultrafast").unwrap()],
        keyframe_interval_s: 1.0,
        min_chunk_s: 1.0,
        max_chunk_s: 2.0,
        threads: 2,
        hls: false,
        dash: false,
        ..Default::default()
    };
    let m = run(&facts, &cfg, out.path()).unwrap();
    (out, m)
}

fn assert_ends_together(file: &Path) {
    let (v, a) = (stream_end(file, "v"), stream_end(file, "a"));
    assert!(
        (v - 3.0).abs() <= 1.0 / 25.0 + 1e-6,
        "{}: video ends {v}",
        file.display()
    );
    assert!(
        (v - a).abs() <= 1.0 / 25.0 + 1e-6,
        "{}: video ends {v}, audio {a}",
        file.display()
    );
}

#[test]
fn suitable_aac_lc_is_copied_bit_for_bit_and_ends_with_the_video() {
    let src = source(96);
    let (out, m) = encode(&src, "passthrough");
    let audio = m.audio.as_ref().unwrap();
    assert!(audio.passthrough, "{audio:?}");
    assert_eq!((audio.channels, audio.sample_rate), (2, 48_000));
    let source_packets = audio_packet_hashes(&src);
    let rendition = out.path().join(&m.renditions[0].key);
    for file in [out.path().join(&audio.key), rendition.clone()] {
        let copied = audio_packet_hashes(&file);
        // Cut at the video's end (3 s of 1024-sample packets, plus priming).
        assert!(copied.len() >= 3 * 48_000 / 1024, "{}", copied.len());
        assert!(copied.len() < source_packets.len());
        assert_eq!(
            copied,
            source_packets[..copied.len()],
            "{}: packets differ from the source's",
            file.display()
        );
    }
    assert_ends_together(&rendition);
}

#[test]
fn aac_above_the_target_bit_rate_is_encoded_again() {
    let src = source(256);
    let (out, m) = encode(&src, "reencode");
    let audio = m.audio.as_ref().unwrap();
    assert!(!audio.passthrough, "{audio:?}");
    assert_eq!(audio.bit_rate, 128_000);
    let rendition = out.path().join(&m.renditions[0].key);
    let copied = audio_packet_hashes(&rendition);
    let source_packets = audio_packet_hashes(&src);
    assert_ne!(copied[..10], source_packets[..10]);
    assert_ends_together(&rendition);
}
