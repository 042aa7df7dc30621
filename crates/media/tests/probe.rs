//! What `MediaSource` reports, checked against ffprobe on real and
//! generated clips.

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{audio_only_clip, clip, ffprobe, generated, vmaf_encode};
use reel_core::manifest::{FieldOrder, StreamKind};
use reel_core::{ChromaSubsampling, ColorRange, PixelLayout, Rational, Resolution};
use reel_media::{MediaSource, SourceInfo};
use serde_json::Value;

fn rational(v: &Value) -> Rational {
    let s = v.as_str().unwrap();
    let (n, d) = s.split_once('/').unwrap();
    Rational::new(n.parse().unwrap(), d.parse().unwrap())
}

fn opt_u64(v: &Value) -> Option<u64> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// Every field ffprobe also reports must agree.
fn check_against_ffprobe(input: &str) -> SourceInfo {
    let info = MediaSource::open(input).unwrap().info().clone();
    let probe = ffprobe(input);
    let format = &probe["format"];
    assert_eq!(info.input, input);
    assert_eq!(info.format, format["format_name"].as_str().unwrap());
    assert_eq!(
        info.format_long_name,
        format["format_long_name"].as_str().unwrap()
    );
    let duration: f64 = format["duration"].as_str().unwrap().parse().unwrap();
    assert!(
        (info.duration_s - duration).abs() < 1e-3,
        "{} vs {duration}",
        info.duration_s
    );
    assert_eq!(info.size_bytes, opt_u64(&format["size"]));
    assert_eq!(info.bit_rate, opt_u64(&format["bit_rate"]));

    let streams = probe["streams"].as_array().unwrap();
    assert_eq!(info.streams.len(), streams.len());
    for (ours, theirs) in info.streams.iter().zip(streams) {
        assert_eq!(ours.index as u64, theirs["index"].as_u64().unwrap());
        assert_eq!(ours.codec, theirs["codec_name"].as_str().unwrap());
        assert_eq!(ours.profile.as_deref(), theirs["profile"].as_str());
        assert_eq!(ours.time_base, rational(&theirs["time_base"]));
        assert_eq!(ours.bit_rate, opt_u64(&theirs["bit_rate"]));
        assert_eq!(
            ours.disposition.default,
            theirs["disposition"]["default"] == 1
        );
        match theirs["codec_type"].as_str().unwrap() {
            "video" => {
                assert_eq!(ours.kind, StreamKind::Video);
                assert_eq!(ours.width.map(u64::from), theirs["width"].as_u64());
                assert_eq!(ours.height.map(u64::from), theirs["height"].as_u64());
                if let Some(level) = theirs["level"].as_i64().filter(|&l| l >= 0) {
                    assert_eq!(ours.level, Some(level as i32));
                }
            }
            "audio" => {
                assert_eq!(ours.kind, StreamKind::Audio);
                let audio = ours.audio.as_ref().unwrap();
                assert_eq!(
                    audio.sample_rate.to_string(),
                    theirs["sample_rate"].as_str().unwrap()
                );
                assert_eq!(audio.channels as u64, theirs["channels"].as_u64().unwrap());
                assert_eq!(audio.layout.as_deref(), theirs["channel_layout"].as_str());
                assert_eq!(
                    audio.sample_format.as_deref(),
                    theirs["sample_fmt"].as_str()
                );
            }
            other => panic!("unexpected stream type {other}"),
        }
    }

    if let Some(video) = &info.video {
        let theirs = &streams[video.stream_index];
        assert_eq!(theirs["codec_type"], "video");
        assert_eq!(video.codec, theirs["codec_name"].as_str().unwrap());
        assert_eq!(video.profile.as_deref(), theirs["profile"].as_str());
        assert_eq!(video.pix_fmt, theirs["pix_fmt"].as_str().unwrap());
        assert_eq!(
            video.resolution,
            Resolution::new(
                theirs["width"].as_u64().unwrap() as u32,
                theirs["height"].as_u64().unwrap() as u32
            )
        );
        assert_eq!(video.avg_frame_rate, rational(&theirs["avg_frame_rate"]));
        assert_eq!(video.r_frame_rate, rational(&theirs["r_frame_rate"]));
        assert_eq!(video.time_base, rational(&theirs["time_base"]));
        assert_eq!(video.declared_frames, opt_u64(&theirs["nb_frames"]));
        assert_eq!(video.start_pts, theirs["start_pts"].as_i64());
        if let Some(sar) = theirs.get("sample_aspect_ratio").and_then(|v| v.as_str()) {
            let (n, d) = sar.split_once(':').unwrap();
            assert_eq!(
                video.sar,
                Rational::new(n.parse().unwrap(), d.parse().unwrap())
            );
        }
        assert_eq!(
            video.color.primaries.as_deref(),
            theirs["color_primaries"].as_str()
        );
        assert_eq!(
            video.color.transfer.as_deref(),
            theirs["color_transfer"].as_str()
        );
        assert_eq!(
            video.color.matrix.as_deref(),
            theirs["color_space"].as_str()
        );
        assert_eq!(
            video.color.chroma_location.as_deref(),
            theirs["chroma_location"]
                .as_str()
                .filter(|l| *l != "unspecified")
        );
        let range = match theirs["color_range"].as_str() {
            Some("tv") => ColorRange::Limited,
            Some("pc") => ColorRange::Full,
            _ => ColorRange::Unspecified,
        };
        assert_eq!(video.color.range, range);
        let rotation = theirs["side_data_list"]
            .as_array()
            .and_then(|l| l.iter().find_map(|sd| sd["rotation"].as_i64()))
            .unwrap_or(0);
        assert_eq!(video.rotation as i64, rotation.rem_euclid(360));
    }
    info
}

#[test]
fn bigbuckbunny_matches_ffprobe() {
    let info = check_against_ffprobe(&clip("bigbuckbunny.mp4"));
    assert_eq!(info.streams.len(), 2);
    assert!(info.format.contains("mp4"));
    let video = info.video.unwrap();
    assert_eq!(video.stream_index, 0);
    assert_eq!(video.layout, Some(PixelLayout::YUV420P));
    assert_eq!(video.bit_depth, 8);
    assert_eq!(video.frame_rate(), Some(Rational::new(25, 1)));
    assert_eq!(video.field_order, FieldOrder::Progressive);
    assert!(video.hdr.transfer.is_none());
}

#[test]
fn other_clips_match_ffprobe() {
    for name in [
        "bikes.mp4",
        "carphone_pristine.mp4",
        "carphone_distorted.mp4",
    ] {
        let info = check_against_ffprobe(&clip(name));
        assert!(info.video.is_some(), "{name}");
    }
}

#[test]
fn ten_bit_hevc_matches_ffprobe() {
    let Some(input) = vmaf_encode("bikes_x265_main10_crf28.mp4") else {
        return;
    };
    let video = check_against_ffprobe(&input).video.unwrap();
    assert_eq!(video.codec, "hevc");
    assert_eq!(video.bit_depth, 10);
    assert_eq!(
        video.layout,
        Some(PixelLayout::new(ChromaSubsampling::Cs420, 10))
    );
}

#[test]
fn audio_only_clip_has_streams_but_no_video() {
    let info = check_against_ffprobe(&audio_only_clip());
    assert!(info.video.is_none());
    let audio = info.streams[0].audio.as_ref().unwrap();
    assert_eq!((audio.sample_rate, audio.channels), (48000, 1));
}

#[test]
fn file_urls_open_like_paths() {
    let path = clip("carphone_distorted.mp4");
    let by_url = MediaSource::open(&format!("file://{path}")).unwrap();
    let by_path = MediaSource::open(&path).unwrap();
    assert_eq!(by_url.info().streams, by_path.info().streams);
    assert_eq!(by_url.info().video, by_path.info().video);
}

#[test]
fn rotation_comes_from_the_display_matrix() {
    for degrees in ["90", "180", "270"] {
        let input = generated(
            &format!("carphone-rotate{degrees}.mp4"),
            &[
                "-i",
                &clip("carphone_distorted.mp4"),
                "-c",
                "copy",
                "-metadata:s:v:0",
                &format!("rotate={degrees}"),
            ],
        );
        let video = check_against_ffprobe(&input).video.unwrap();
        assert_ne!(video.rotation, 0, "rotate={degrees}");
    }
}

#[test]
fn hdr10_metadata_is_read_from_the_stream_or_its_first_frame() {
    let input = generated(
        "hdr10-pq.mp4",
        &[
            "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25:duration=0.4",
            "-c:v", "libx265", "-pix_fmt", "yuv420p10le",
            "-x265-params",
            "log-level=error:colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:\
             master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400",
        ],
    );
    let video = check_against_ffprobe(&input).video.unwrap();
    assert_eq!(video.hdr.transfer.as_deref(), Some("pq"));
    assert_eq!(video.color.transfer.as_deref(), Some("smpte2084"));
    assert_eq!(video.color.primaries.as_deref(), Some("bt2020"));
    let md = video.hdr.mastering_display.expect("mastering display");
    let close = |a: f64, b: f64| (a - b).abs() < 1e-4;
    // x265 takes G, B, R in units of 0.00002; FFmpeg orders them R, G, B.
    assert!(
        close(md.primaries[0].0, 0.68) && close(md.primaries[0].1, 0.32),
        "{md:?}"
    );
    assert!(
        close(md.primaries[1].0, 0.265) && close(md.primaries[1].1, 0.69),
        "{md:?}"
    );
    assert!(
        close(md.primaries[2].0, 0.15) && close(md.primaries[2].1, 0.06),
        "{md:?}"
    );
    assert!(
        close(md.white_point.0, 0.3127) && close(md.white_point.1, 0.329),
        "{md:?}"
    );
    assert!(
        close(md.max_luminance, 1000.0) && close(md.min_luminance, 0.0001),
        "{md:?}"
    );
    let cl = video.hdr.content_light.expect("content light level");
    assert_eq!((cl.max_cll, cl.max_fall), (1000, 400));
}

#[test]
fn hlg_transfer_is_recognised() {
    let input = generated(
        "hlg.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=64x48:rate=25:duration=0.2",
            "-c:v",
            "libx265",
            "-pix_fmt",
            "yuv420p10le",
            "-x265-params",
            "log-level=error:colorprim=bt2020:transfer=arib-std-b67:colormatrix=bt2020nc",
        ],
    );
    let video = check_against_ffprobe(&input).video.unwrap();
    assert_eq!(video.hdr.transfer.as_deref(), Some("hlg"));
    assert!(video.hdr.mastering_display.is_none());
}

#[test]
fn interlaced_field_order_is_reported() {
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
    let video = check_against_ffprobe(&input).video.unwrap();
    let theirs = ffprobe(&input)["streams"][0]["field_order"]
        .as_str()
        .map(str::to_string);
    assert_eq!(theirs.as_deref(), Some("tt"));
    assert_eq!(video.field_order, FieldOrder::Tff);
}
