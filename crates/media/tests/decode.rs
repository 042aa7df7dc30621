//! Full decodes of the real clips: exact frame counts, contiguous indices,
//! plane geometry, the threaded decoder and forced output layouts.

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{clip, decode_all, digest, ffprobe};
use reel_core::{ChromaSubsampling, FramePlanes, PixelLayout, Resolution};
use reel_media::{spawn_decoder, DecodeEvent, DecoderOptions, VideoDecoder};

fn declared_frames(input: &str) -> u64 {
    let probe = ffprobe(input);
    probe["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == "video")
        .unwrap()["nb_frames"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn check_full_decode(name: &str, expected: u64) {
    let input = clip(name);
    assert_eq!(declared_frames(&input), expected, "{name} header");
    let (frames, issues) = decode_all(&input, &DecoderOptions::default());
    assert_eq!(issues, 0, "{name}");
    assert_eq!(frames.len() as u64, expected, "{name}");
    let params = VideoDecoder::open(&input, &DecoderOptions::default())
        .unwrap()
        .params()
        .clone();
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.index.0, i as u64);
        assert_eq!(f.resolution, params.resolution);
        assert_eq!(f.layout, PixelLayout::YUV420P);
        let FramePlanes::U8(planes) = &f.planes else {
            panic!("8-bit clip decoded to 16-bit planes")
        };
        assert_eq!(planes.len(), 3);
        for (p, plane) in planes.iter().enumerate() {
            let (w, h) = f.layout.plane_size(p, f.resolution);
            assert_eq!((plane.width(), plane.height()), (w, h));
        }
        assert!(f.timestamp.is_some());
    }
    // Timestamps increase in presentation order.
    assert!(frames
        .windows(2)
        .all(|w| w[0].timestamp.unwrap().pts < w[1].timestamp.unwrap().pts));
    assert!(frames[0].key_frame);
}

#[test]
fn bigbuckbunny_decodes_to_every_frame() {
    check_full_decode("bigbuckbunny.mp4", 132);
}

#[test]
fn bikes_decodes_to_every_frame() {
    check_full_decode("bikes.mp4", 250);
}

#[test]
fn carphone_decodes_to_every_frame() {
    check_full_decode("carphone_pristine.mp4", 120);
    check_full_decode("carphone_distorted.mp4", 120);
}

#[test]
fn thread_count_does_not_change_the_pictures() {
    let input = clip("bikes.mp4");
    let one = DecoderOptions {
        threads: 1,
        max_frames: Some(40),
        ..Default::default()
    };
    let many = DecoderOptions {
        threads: 4,
        ..one.clone()
    };
    let (a, _) = decode_all(&input, &one);
    let (b, _) = decode_all(&input, &many);
    assert_eq!(a.len(), 40);
    assert_eq!(
        a.iter().map(digest).collect::<Vec<_>>(),
        b.iter().map(digest).collect::<Vec<_>>()
    );
}

#[test]
fn max_frames_stops_early() {
    let input = clip("bikes.mp4");
    let opts = DecoderOptions {
        max_frames: Some(7),
        ..Default::default()
    };
    let (frames, _) = decode_all(&input, &opts);
    assert_eq!(
        frames.iter().map(|f| f.index.0).collect::<Vec<_>>(),
        (0..7).collect::<Vec<_>>()
    );
}

#[test]
fn threaded_decoder_delivers_the_same_frames() {
    let input = clip("bikes.mp4");
    let (direct, _) = decode_all(&input, &DecoderOptions::default());
    let rx = spawn_decoder(input.clone(), DecoderOptions::default(), 4).unwrap();
    assert_eq!(rx.params().resolution, Resolution::new(640, 272));
    let threaded: Vec<_> = rx
        .map(|e| match e.unwrap() {
            DecodeEvent::Frame(f) => f,
            DecodeEvent::Error(i) => panic!("unexpected issue {i:?}"),
        })
        .collect();
    assert_eq!(threaded.len(), direct.len());
    assert!(threaded
        .iter()
        .zip(&direct)
        .all(|(a, b)| a.index == b.index && digest(a) == digest(b)));
}

#[test]
fn dropping_the_threaded_decoder_stops_it() {
    let input = clip("bigbuckbunny.mp4");
    let mut rx = spawn_decoder(input, DecoderOptions::default(), 2).unwrap();
    let first = rx.next().unwrap().unwrap();
    assert!(matches!(first, DecodeEvent::Frame(ref f) if f.index.0 == 0));
    drop(rx); // joins the thread; a hang here fails the test by timeout
}

#[test]
fn threaded_decoder_reports_open_errors_directly() {
    let err = spawn_decoder(
        "/nonexistent/reel/a.mp4".to_string(),
        DecoderOptions::default(),
        2,
    )
    .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/reel/a.mp4"), "{err}");
}

#[test]
fn forced_output_layout_converts_bit_depth() {
    let input = clip("bikes.mp4");
    let ten = PixelLayout::new(ChromaSubsampling::Cs420, 10);
    let opts = DecoderOptions {
        max_frames: Some(3),
        output_layout: Some(ten),
        ..Default::default()
    };
    let (deep, _) = decode_all(&input, &opts);
    let (plain, _) = decode_all(
        &input,
        &DecoderOptions {
            output_layout: None,
            ..opts
        },
    );
    assert_eq!(deep.len(), 3);
    for (d, p) in deep.iter().zip(&plain) {
        assert_eq!(d.layout, ten);
        let (FramePlanes::U16(dp), FramePlanes::U8(pp)) = (&d.planes, &p.planes) else {
            panic!("wrong sample types")
        };
        // 8 -> 10 bit multiplies by about 4 sample by sample.
        for (dr, pr) in dp[0].rows().zip(pp[0].rows()) {
            for (&a, &b) in dr.iter().zip(pr) {
                assert!((a as i32 - 4 * b as i32).abs() <= 4, "{a} vs {b}");
            }
        }
        assert!(dp
            .iter()
            .all(|pl| pl.rows().all(|r| r.iter().all(|&v| v <= 1023))));
    }
}

/// The first `frames` pictures of `input` as raw bytes in `pix_fmt`, by the ffmpeg CLI.
fn ffmpeg_raw(input: &str, pix_fmt: &str, frames: u64) -> Vec<u8> {
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-nostdin",
            "-i",
            input,
            "-frames:v",
            &frames.to_string(),
        ])
        .args(["-f", "rawvideo", "-pix_fmt", pix_fmt, "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

fn raw_bytes(frames: &[reel_core::VideoFrame]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in frames {
        match &f.planes {
            FramePlanes::U8(planes) => planes
                .iter()
                .for_each(|p| p.rows().for_each(|r| out.extend_from_slice(r))),
            FramePlanes::U16(planes) => planes.iter().for_each(|p| {
                p.rows().for_each(|r| {
                    r.iter()
                        .for_each(|v| out.extend_from_slice(&v.to_le_bytes()))
                })
            }),
        }
    }
    out
}

#[test]
fn pictures_are_bit_identical_to_the_ffmpeg_cli() {
    for name in ["bikes.mp4", "bigbuckbunny.mp4"] {
        let input = clip(name);
        let opts = DecoderOptions {
            max_frames: Some(12),
            ..Default::default()
        };
        let (frames, _) = decode_all(&input, &opts);
        assert!(
            raw_bytes(&frames) == ffmpeg_raw(&input, "yuv420p", 12),
            "{name}"
        );
    }
    if let Some(input) = common::vmaf_encode("bikes_x265_main10_crf28.mp4") {
        let opts = DecoderOptions {
            max_frames: Some(12),
            ..Default::default()
        };
        let (frames, _) = decode_all(&input, &opts);
        assert!(raw_bytes(&frames) == ffmpeg_raw(&input, "yuv420p10le", 12));
    }
}
