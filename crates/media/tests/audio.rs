//! Audio decoding to interleaved f32, checked against the ffmpeg CLI.

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{audio_only_clip, clip};
use reel_media::{AudioDecoder, AudioFrame};

/// All samples of the first audio stream as interleaved f32, by the ffmpeg CLI.
fn ffmpeg_f32(input: &str) -> Vec<f32> {
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-v", "error", "-nostdin", "-i", input, "-map", "0:a:0", "-f", "f32le", "-",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

fn decode(input: &str) -> Vec<AudioFrame> {
    AudioDecoder::open(input, None)
        .unwrap()
        .map(|f| f.unwrap())
        .collect()
}

fn assert_same_samples(ours: &[f32], theirs: &[f32]) {
    assert_eq!(ours.len(), theirs.len());
    let worst = ours
        .iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst < 1e-5, "largest difference {worst}");
}

#[test]
fn sine_decodes_to_the_right_tone() {
    let input = audio_only_clip();
    let frames = decode(&input);
    assert!(frames
        .iter()
        .all(|f| f.channels == 1 && f.sample_rate == 48000));
    let samples: Vec<f32> = frames
        .iter()
        .flat_map(|f| f.samples.iter().copied())
        .collect();
    // Two seconds, give or take codec framing.
    assert!(
        (samples.len() as i64 - 96_000).abs() <= 2048,
        "{} samples",
        samples.len()
    );
    // 440 Hz: about 880 zero crossings per second in the steady middle part.
    let middle = &samples[24_000..72_000];
    let crossings = middle
        .windows(2)
        .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
        .count();
    assert!((crossings as i64 - 880).abs() <= 4, "{crossings} crossings");
    let peak = middle.iter().fold(0f32, |m, v| m.max(v.abs()));
    assert!(peak > 0.05 && peak <= 1.0, "peak {peak}");
    assert_same_samples(&samples, &ffmpeg_f32(&input));
    // Timestamps advance.
    let pts: Vec<i64> = frames.iter().filter_map(|f| f.pts.map(|t| t.pts)).collect();
    assert!(pts.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn multichannel_aac_is_interleaved() {
    let input = clip("bigbuckbunny.mp4");
    let decoder = AudioDecoder::open(&input, None).unwrap();
    assert_eq!(decoder.stream_index(), 1);
    assert_eq!((decoder.channels(), decoder.sample_rate()), (6, 48000));
    let frames: Vec<AudioFrame> = decoder.map(|f| f.unwrap()).collect();
    assert!(frames
        .iter()
        .all(|f| f.channels == 6 && f.samples.len() % 6 == 0));
    let samples: Vec<f32> = frames
        .iter()
        .flat_map(|f| f.samples.iter().copied())
        .collect();
    assert_same_samples(&samples, &ffmpeg_f32(&input));
}
