//! Decoder output formats: planar formats pass through, others are
//! converted to the nearest planar layout; frame flags are recorded.

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{decode_all, generated, mean_luma, vmaf_encode};
use reel_core::{ChromaSubsampling, ColorRange, FramePlanes, PixelLayout, Resolution};
use reel_media::{DecoderOptions, MediaSource, VideoDecoder};

fn lavfi_clip(name: &str, codec_args: &[&str]) -> String {
    let mut args = vec![
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=96x64:rate=25:duration=0.4",
    ];
    args.extend_from_slice(codec_args);
    generated(name, &args)
}

#[test]
fn ten_bit_hevc_decodes_to_u16_planes() {
    let Some(input) = vmaf_encode("bikes_x265_main10_crf28.mp4") else {
        return;
    };
    let (frames, issues) = decode_all(&input, &DecoderOptions::default());
    assert_eq!(issues, 0);
    assert_eq!(frames.len(), 250);
    let ten = PixelLayout::new(ChromaSubsampling::Cs420, 10);
    let mut max = 0;
    for f in &frames {
        assert_eq!(f.layout, ten);
        let FramePlanes::U16(planes) = &f.planes else {
            panic!("10-bit frame as u8")
        };
        for p in planes {
            max = max.max(p.rows().flat_map(|r| r.iter().copied()).max().unwrap());
        }
    }
    assert!(max <= 1023, "sample {max} exceeds 10 bits");
    // Values use the 10-bit range, not 8-bit values in 16-bit containers.
    assert!(max > 255, "max sample {max}");
    // And they agree with an 8-bit conversion of the same pictures.
    let opts = DecoderOptions {
        max_frames: Some(2),
        output_layout: Some(PixelLayout::YUV420P),
        ..Default::default()
    };
    let (eight, _) = decode_all(&input, &opts);
    for (a, b) in eight.iter().zip(&frames) {
        assert!(matches!(a.planes, FramePlanes::U8(_)));
        assert!((mean_luma(a) - mean_luma(b)).abs() < 0.005);
    }
}

#[test]
fn planar_formats_pass_through_with_their_layout() {
    let cases = [
        (
            "ffv1-yuv422p10.mkv",
            "yuv422p10le",
            PixelLayout::new(ChromaSubsampling::Cs422, 10),
        ),
        (
            "ffv1-yuv444p.mkv",
            "yuv444p",
            PixelLayout::new(ChromaSubsampling::Cs444, 8),
        ),
        (
            "ffv1-gray.mkv",
            "gray",
            PixelLayout::new(ChromaSubsampling::Mono, 8),
        ),
        (
            "ffv1-yuv420p12.mkv",
            "yuv420p12le",
            PixelLayout::new(ChromaSubsampling::Cs420, 12),
        ),
    ];
    for (name, pix_fmt, layout) in cases {
        let input = lavfi_clip(name, &["-c:v", "ffv1", "-pix_fmt", pix_fmt]);
        let decoder = VideoDecoder::open(&input, &DecoderOptions::default()).unwrap();
        assert_eq!(decoder.params().pix_fmt, pix_fmt);
        assert_eq!(decoder.params().layout, Some(layout));
        drop(decoder);
        let (frames, _) = decode_all(&input, &DecoderOptions::default());
        assert_eq!(frames.len(), 10, "{name}");
        for f in &frames {
            assert_eq!(f.layout, layout, "{name}");
            assert_eq!(f.planes.len(), layout.plane_count());
            assert_eq!(f.resolution, Resolution::new(96, 64));
            let max = (1u32 << layout.bit_depth) - 1;
            match &f.planes {
                FramePlanes::U8(p) => {
                    assert!(layout.bit_depth == 8 && p.len() == layout.plane_count())
                }
                FramePlanes::U16(p) => {
                    assert!(layout.bit_depth > 8);
                    assert!(p
                        .iter()
                        .all(|pl| pl.rows().all(|r| r.iter().all(|&v| v as u32 <= max))));
                }
            }
        }
    }
}

#[test]
fn packed_rgb_is_converted_to_planar_444() {
    let input = lavfi_clip("ffv1-bgr0.mkv", &["-c:v", "ffv1", "-pix_fmt", "bgr0"]);
    let decoder = VideoDecoder::open(&input, &DecoderOptions::default()).unwrap();
    assert_eq!(decoder.params().pix_fmt, "bgr0");
    assert_eq!(decoder.params().layout, None);
    assert_eq!(
        decoder.output_layout(),
        PixelLayout::new(ChromaSubsampling::Cs444, 8)
    );
    drop(decoder);
    let (rgb, _) = decode_all(&input, &DecoderOptions::default());
    let yuv_input = lavfi_clip("ffv1-yuv444p.mkv", &["-c:v", "ffv1", "-pix_fmt", "yuv444p"]);
    let (yuv, _) = decode_all(&yuv_input, &DecoderOptions::default());
    assert_eq!(rgb.len(), 10);
    for (a, b) in rgb.iter().zip(&yuv) {
        assert_eq!(a.layout, b.layout);
        // The same test pattern through two colour paths: luma agrees closely.
        assert!(
            (mean_luma(a) - mean_luma(b)).abs() < 0.02,
            "{} vs {}",
            mean_luma(a),
            mean_luma(b)
        );
    }
}

#[test]
fn semi_planar_nv12_is_converted_to_planar_420_exactly() {
    let input = lavfi_clip("raw-nv12.avi", &["-c:v", "rawvideo", "-pix_fmt", "nv12"]);
    let decoder = VideoDecoder::open(&input, &DecoderOptions::default()).unwrap();
    assert_eq!(decoder.params().pix_fmt, "nv12");
    assert_eq!(decoder.params().layout, None);
    drop(decoder);
    let (frames, _) = decode_all(&input, &DecoderOptions::default());
    assert_eq!(frames.len(), 10);
    // Unpacking interleaved chroma loses nothing: same bytes as ffmpeg's.
    let expected = ffmpeg_raw(&input, "yuv420p", 1);
    assert_eq!(frames[0].layout, PixelLayout::YUV420P);
    assert_eq!(planar_bytes(&frames[0]), expected);
}

#[test]
fn jpeg_range_yuv_keeps_its_samples_and_notes_full_range() {
    let input = lavfi_clip(
        "mjpeg-yuvj420p.avi",
        &["-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3"],
    );
    let source = MediaSource::open(&input).unwrap();
    let video = source.info().video.clone().unwrap();
    assert_eq!(video.pix_fmt, "yuvj420p");
    assert_eq!(video.layout, Some(PixelLayout::YUV420P));
    assert_eq!(video.color.range, ColorRange::Full);
    let (frames, _) = decode_all(&input, &DecoderOptions::default());
    assert_eq!(frames.len(), 10);
    assert!(frames.iter().all(|f| f.layout == PixelLayout::YUV420P));
    // The samples are not range-converted: same bytes as ffmpeg's yuvj420p output.
    assert_eq!(planar_bytes(&frames[0]), ffmpeg_raw(&input, "yuvj420p", 1));
    let luma = frames[0].luma_u8().unwrap();
    assert!(
        luma.rows().flatten().any(|&v| v < 16),
        "full range reaches below 16"
    );
}

#[test]
fn interlaced_frames_are_flagged() {
    let input = generated(
        "interlaced-tff.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=128x96:rate=25:duration=0.4",
            "-c:v",
            "libx264",
            "-flags",
            "+ilme+ildct",
            "-x264-params",
            "tff=1",
            "-pix_fmt",
            "yuv420p",
        ],
    );
    let (frames, _) = decode_all(&input, &DecoderOptions::default());
    assert_eq!(frames.len(), 10);
    // The flags are the decoder's, as ffprobe shows them.
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "frame=interlaced_frame,top_field_first",
            "-of",
            "csv=p=0",
            &input,
        ])
        .output()
        .unwrap();
    let theirs: Vec<(bool, bool)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            (v[0] == "1", v[1] == "1")
        })
        .collect();
    let ours: Vec<(bool, bool)> = frames
        .iter()
        .map(|f| (f.interlaced, f.top_field_first))
        .collect();
    assert_eq!(ours, theirs);
    assert!(frames.iter().all(|f| f.interlaced));
    let (progressive, _) = decode_all(
        &common::clip("carphone_distorted.mp4"),
        &DecoderOptions::default(),
    );
    assert!(progressive.iter().all(|f| !f.interlaced));
}

/// The first `frames` pictures of `input` as raw bytes in `pix_fmt`, by the ffmpeg CLI.
fn ffmpeg_raw(input: &str, pix_fmt: &str, frames: u32) -> Vec<u8> {
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

/// A frame's planes back to back, without padding (8-bit frames only).
fn planar_bytes(frame: &reel_core::VideoFrame) -> Vec<u8> {
    let FramePlanes::U8(planes) = &frame.planes else {
        panic!("8-bit frame expected")
    };
    planes
        .iter()
        .flat_map(|p| p.rows().flatten().copied().collect::<Vec<_>>())
        .collect()
}

/// Every frame read through a borrowed view and copied: all planes, and
/// luma alone.
fn viewed_planes(input: &str) -> Vec<(FramePlanes, FramePlanes)> {
    let rx =
        reel_media::spawn_decoder_with(input.to_string(), DecoderOptions::default(), 4, |view| {
            let all = view.to_frame(usize::MAX).unwrap().planes;
            let luma = view.to_frame(1).unwrap().planes;
            (all, luma)
        })
        .unwrap();
    rx.map(|e| match e.unwrap() {
        reel_media::DecodeEvent::Frame(p) => p,
        reel_media::DecodeEvent::Error(i) => panic!("unexpected issue {i:?}"),
    })
    .collect()
}

#[test]
fn borrowed_views_show_the_same_pictures_as_owned_frames() {
    for (name, pix_fmt) in [
        ("ffv1-yuv422p10.mkv", "yuv422p10le"),
        ("ffv1-yuv420p.mkv", "yuv420p"),
        ("ffv1-nv12.mkv", "nv12"),
    ] {
        let input = lavfi_clip(name, &["-c:v", "ffv1", "-pix_fmt", pix_fmt]);
        let (frames, _) = decode_all(&input, &DecoderOptions::default());
        let viewed = viewed_planes(&input);
        assert_eq!(viewed.len(), frames.len(), "{name}");
        for ((all, luma), f) in viewed.iter().zip(&frames) {
            assert_eq!(all, &f.planes, "{name}");
            let first = match &f.planes {
                FramePlanes::U8(p) => FramePlanes::U8(p[..1].to_vec()),
                FramePlanes::U16(p) => FramePlanes::U16(p[..1].to_vec()),
            };
            assert_eq!(luma, &first, "{name}: luma only");
        }
    }
}
