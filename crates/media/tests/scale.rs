//! swscale through `Scaler`: sizes, content, bit depth, and agreement with
//! the ffmpeg CLI's scale filter using the same flags.

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{clip, decode_all, mean_luma};
use reel_core::{ChromaSubsampling, FramePlanes, PixelLayout, Resolution, VideoFrame};
use reel_media::{DecoderOptions, Error, ScaleAlgorithm, Scaler};

fn bikes_frames(n: u64) -> Vec<VideoFrame> {
    let opts = DecoderOptions {
        start_frame: 60,
        max_frames: Some(n),
        ..Default::default()
    };
    decode_all(&clip("bikes.mp4"), &opts).0
}

fn u8_planes(f: &VideoFrame) -> &[reel_core::Plane<u8>] {
    match &f.planes {
        FramePlanes::U8(p) => p,
        FramePlanes::U16(_) => panic!("expected 8-bit planes"),
    }
}

#[test]
fn upscaling_keeps_size_content_and_metadata() {
    let src = (Resolution::new(640, 272), PixelLayout::YUV420P);
    let dst = (Resolution::new(1280, 544), PixelLayout::YUV420P);
    for algo in [
        ScaleAlgorithm::Bilinear,
        ScaleAlgorithm::Bicubic,
        ScaleAlgorithm::Lanczos,
    ] {
        let mut scaler = Scaler::new(src, dst, algo).unwrap();
        for frame in bikes_frames(3) {
            let out = scaler.scale(&frame).unwrap();
            assert_eq!((out.resolution, out.layout), dst);
            assert_eq!(out.index, frame.index);
            assert_eq!(out.timestamp, frame.timestamp);
            assert_eq!(out.key_frame, frame.key_frame);
            let planes = u8_planes(&out);
            assert_eq!((planes[0].width(), planes[0].height()), (1280, 544));
            assert_eq!((planes[1].width(), planes[1].height()), (640, 272));
            let (a, b) = (mean_luma(&frame), mean_luma(&out));
            assert!((a - b).abs() / a < 0.01, "{algo:?}: mean luma {a} -> {b}");
        }
    }
}

#[test]
fn downscaling_odd_sizes_works() {
    let frame = &bikes_frames(1)[0];
    let dst = (Resolution::new(321, 137), PixelLayout::YUV420P);
    let mut scaler = Scaler::new(
        (frame.resolution, frame.layout),
        dst,
        ScaleAlgorithm::Bicubic,
    )
    .unwrap();
    let out = scaler.scale(frame).unwrap();
    let planes = u8_planes(&out);
    assert_eq!((planes[0].width(), planes[0].height()), (321, 137));
    assert_eq!((planes[2].width(), planes[2].height()), (161, 69));
    assert!((mean_luma(frame) - mean_luma(&out)).abs() < 0.01);
}

#[test]
fn eight_to_ten_bit_and_back() {
    let frame = &bikes_frames(1)[0];
    let ten = PixelLayout::new(ChromaSubsampling::Cs420, 10);
    let res = frame.resolution;
    let mut up = Scaler::new((res, frame.layout), (res, ten), ScaleAlgorithm::Bicubic).unwrap();
    let deep = up.scale(frame).unwrap();
    let FramePlanes::U16(dp) = &deep.planes else {
        panic!("10-bit output as u8")
    };
    for (dr, sr) in dp[0].rows().zip(u8_planes(frame)[0].rows()) {
        for (&d, &s) in dr.iter().zip(sr) {
            assert!(
                (d as i32 - 4 * s as i32).abs() <= 4 && d <= 1023,
                "{s} -> {d}"
            );
        }
    }
    let mut down = Scaler::new((res, ten), (res, frame.layout), ScaleAlgorithm::Bicubic).unwrap();
    let back = down.scale(&deep).unwrap();
    let diff = u8_planes(&back)
        .iter()
        .zip(u8_planes(frame))
        .flat_map(|(a, b)| {
            a.rows()
                .zip(b.rows())
                .flat_map(|(x, y)| x.iter().zip(y).map(|(&p, &q)| (p as i32 - q as i32).abs()))
                .collect::<Vec<_>>()
        })
        .max()
        .unwrap();
    assert!(diff <= 1, "round trip differs by {diff}");
}

#[test]
fn bicubic_upscale_matches_the_ffmpeg_scale_filter() {
    let input = clip("bikes.mp4");
    let frame = &decode_all(
        &input,
        &DecoderOptions {
            max_frames: Some(1),
            ..Default::default()
        },
    )
    .0[0];
    let dst = (Resolution::new(1280, 544), PixelLayout::YUV420P);
    let mut scaler = Scaler::new(
        (frame.resolution, frame.layout),
        dst,
        ScaleAlgorithm::Bicubic,
    )
    .unwrap();
    let ours: Vec<u8> = u8_planes(&scaler.scale(frame).unwrap())
        .iter()
        .flat_map(|p| p.rows().flatten().copied().collect::<Vec<_>>())
        .collect();
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i", &input, "-frames:v", "1"])
        .args([
            "-vf",
            "scale=1280:544:flags=bicubic+accurate_rnd+full_chroma_int+bitexact",
        ])
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(ours.len(), out.stdout.len());
    let worst = ours
        .iter()
        .zip(&out.stdout)
        .map(|(&a, &b)| (a as i32 - b as i32).abs())
        .max()
        .unwrap();
    assert!(worst <= 1, "differs from ffmpeg by up to {worst}");
}

#[test]
fn frames_of_another_geometry_are_refused() {
    let frame = &bikes_frames(1)[0];
    let mut scaler = Scaler::new(
        (Resolution::new(1280, 720), PixelLayout::YUV420P),
        (Resolution::new(1920, 1080), PixelLayout::YUV420P),
        ScaleAlgorithm::Bicubic,
    )
    .unwrap();
    let err = scaler.scale(frame).unwrap_err();
    assert!(matches!(err, Error::Scale { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("1280x720 yuv420p -> 1920x1080 yuv420p"),
        "{err}"
    );
    let zero = Scaler::new(
        (Resolution::new(0, 720), PixelLayout::YUV420P),
        (Resolution::new(1920, 1080), PixelLayout::YUV420P),
        ScaleAlgorithm::Bicubic,
    );
    assert!(matches!(zero, Err(Error::Scale { .. })));
}
