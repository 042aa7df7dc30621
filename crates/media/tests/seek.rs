//! Frame-exact starts: a decode that starts at frame N (seek to the keyframe
//! before, discard up to N) delivers the very pictures a decode from the
//! start delivers at N, N+1, ...

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{clip, decode_all, digest, generated, vmaf_encode};
use reel_media::{DecoderOptions, VideoDecoder};

/// Sequential digests and keyframe indices of a clip.
fn reference(input: &str) -> (Vec<u64>, Vec<u64>) {
    let (frames, _) = decode_all(input, &DecoderOptions::default());
    let keys = frames
        .iter()
        .filter(|f| f.key_frame)
        .map(|f| f.index.0)
        .collect();
    (frames.iter().map(digest).collect(), keys)
}

fn check_starts(input: &str, expected_frames: usize) {
    let (digests, keys) = reference(input);
    assert_eq!(digests.len(), expected_frames);
    check_starts_with(input, &digests, &keys, true);
}

/// Starts at 0, 1, the middle, near the end and around every keyframe must
/// deliver the reference frames. `exact_landing`: the container indexes
/// keyframes (MP4), so the seek must land on the last one before the start.
fn check_starts_with(input: &str, digests: &[u64], keys: &[u64], exact_landing: bool) {
    let n = digests.len() as u64;
    let mut starts = vec![0, 1, n / 2 + 3, n - 3, n - 1];
    // Around every keyframe but the first (bigbuckbunny has a single GOP).
    for &k in keys.iter().filter(|&&k| k > 0) {
        starts.extend([k - 1, k, k + 1]);
    }
    starts.sort_unstable();
    starts.dedup();
    for start in starts {
        let opts = DecoderOptions {
            start_frame: start,
            max_frames: Some(4),
            ..Default::default()
        };
        let decoder = VideoDecoder::open(input, &opts).unwrap();
        // It really seeks: it starts from the last keyframe at or before the
        // start, except just before a keyframe where B-frames may force the
        // previous one.
        let key_before = *keys.iter().filter(|&&k| k <= start).max().unwrap();
        let landing = decoder.landing_frame();
        assert!(
            landing <= start && keys.contains(&landing),
            "start {start}: landed on {landing}"
        );
        if exact_landing && (keys.contains(&start) || keys.contains(&(start.saturating_sub(1)))) {
            assert_eq!(landing, key_before, "start {start}");
        }
        drop(decoder);
        let (frames, issues) = decode_all(input, &opts);
        assert_eq!(issues, 0, "start {start}");
        let expected: Vec<u64> = (start..(start + 4).min(n)).collect();
        assert_eq!(
            frames.iter().map(|f| f.index.0).collect::<Vec<_>>(),
            expected,
            "start {start}"
        );
        for f in &frames {
            assert_eq!(
                digest(f),
                digests[f.index.0 as usize],
                "{input}: frame {} after start {start}",
                f.index
            );
        }
    }
    // Past the end: nothing, and no error.
    let opts = DecoderOptions {
        start_frame: n + 10,
        ..Default::default()
    };
    assert!(decode_all(input, &opts).0.is_empty());
}

#[test]
fn bigbuckbunny_starts_are_frame_exact() {
    check_starts(&clip("bigbuckbunny.mp4"), 132);
}

#[test]
fn bikes_starts_are_frame_exact() {
    check_starts(&clip("bikes.mp4"), 250);
}

#[test]
fn ten_bit_hevc_starts_are_frame_exact() {
    let Some(input) = vmaf_encode("bikes_x265_main10_crf28.mp4") else {
        return;
    };
    check_starts(&input, 250);
}

#[test]
fn mpeg_ts_starts_are_frame_exact_despite_inexact_seeking() {
    // MPEG-TS has no index: seeks land by byte position and timestamps, so
    // the decoder must notice when it lands after the start and back off.
    let input = generated(
        "bikes.ts",
        &["-i", &clip("bikes.mp4"), "-c", "copy", "-f", "mpegts"],
    );
    let (digests, keys) = reference(&input);
    assert_eq!(digests.len(), 250);
    let (mp4, _) = reference(&clip("bikes.mp4"));
    assert_eq!(digests, mp4, "same pictures as the MP4");
    check_starts_with(&input, &digests, &keys, false);
}

#[test]
fn raw_h264_without_container_timestamps_still_starts_exactly() {
    let input = generated(
        "bikes.h264",
        &[
            "-i",
            &clip("bikes.mp4"),
            "-c",
            "copy",
            "-bsf:v",
            "h264_mp4toannexb",
            "-f",
            "h264",
        ],
    );
    let (digests, keys) = reference(&input);
    assert_eq!(digests.len(), 250);
    check_starts_with(&input, &digests, &keys, false);
}

#[test]
fn a_start_decodes_to_the_end_with_every_frame() {
    let input = clip("bikes.mp4");
    let opts = DecoderOptions {
        start_frame: 100,
        ..Default::default()
    };
    let (frames, _) = decode_all(&input, &opts);
    assert_eq!(frames.len(), 150);
    assert!(frames
        .iter()
        .enumerate()
        .all(|(i, f)| f.index.0 == 100 + i as u64));
}
