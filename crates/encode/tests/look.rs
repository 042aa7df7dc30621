//! What every rendition must keep from the source, on generated clips:
//! colour tags and HDR10 static metadata (10-bit HEVC with BT.2020/PQ,
//! mastering display, content light), display rotation and display aspect
//! (non-square SAR).

// Helpers outside #[test] fns unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reel_encode::{parse_spec, run, EncodeConfig, SourceFacts};
use reel_media::{MediaSource, VideoParams};
use std::path::Path;

fn params(file: &Path) -> VideoParams {
    MediaSource::open(&file.to_string_lossy())
        .unwrap()
        .info()
        .video
        .clone()
        .unwrap()
}

fn encode(src: &Path, name: &str, specs: &[&str]) -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    let facts = SourceFacts::probe(&src.to_string_lossy()).unwrap();
    let out = out_dir(name);
    let cfg = EncodeConfig {
        rungs: specs.iter().map(|s| parse_spec(s).unwrap()).collect(),
        keyframe_interval_s: 0.4,
        min_chunk_s: 0.4,
        max_chunk_s: 0.8,
        threads: 2,
        hls: false,
        dash: false,
        ..Default::default()
    };
    let m = run(&facts, &cfg, out.path()).unwrap();
    assert!(m.chunks.len() >= 2, "{:?}", m.chunks);
    let files = m
        .renditions
        .iter()
        .map(|r| out.path().join(&r.key))
        .collect();
    (out, files)
}

/// The `side_data_list` entries of type `kind` on every video frame.
fn frame_side_data(file: &Path, kind: &str) -> Vec<serde_json::Value> {
    let v = ffprobe_json(
        &[
            "-select_streams",
            "v:0",
            "-show_frames",
            "-show_entries",
            "frame=side_data_list",
        ],
        file,
    );
    v["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["side_data_list"]
                .as_array()
                .and_then(|l| l.iter().find(|s| s["side_data_type"] == kind).cloned())
                .unwrap_or(serde_json::Value::Null)
        })
        .collect()
}

#[test]
fn hdr10_colour_and_static_metadata_reach_every_rendition() {
    let src = generated(
        "hdr10-hevc.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=192x108:rate=25:duration=2",
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
        ],
    );
    let want = params(&src);
    assert_eq!(want.color.primaries.as_deref(), Some("bt2020"));
    assert!(want.hdr.mastering_display.is_some() && want.hdr.content_light.is_some());
    let want_md = frame_side_data(&src, "Mastering display metadata")[0].clone();
    let want_cll = frame_side_data(&src, "Content light level metadata")[0].clone();
    assert!(!want_md.is_null() && !want_cll.is_null());
    let (_out, files) = encode(
        &src,
        "hdr10",
        &[
            "128x72:hevc:crf=32:preset=ultrafast:10bit",
            "96x54:hevc:crf=34:preset=ultrafast:10bit",
        ],
    );
    for f in &files {
        let got = params(f);
        assert_eq!(got.color, want.color, "{}", f.display());
        assert_eq!(got.hdr, want.hdr, "{}", f.display());
        assert_eq!(got.bit_depth, 10, "{}", f.display());
        // Every frame, in every chunk, carries the SEI.
        for (kind, want) in [
            ("Mastering display metadata", &want_md),
            ("Content light level metadata", &want_cll),
        ] {
            let all = frame_side_data(f, kind);
            assert_eq!(all.len(), 50, "{}", f.display());
            for (i, sd) in all.iter().enumerate() {
                assert_eq!(sd, want, "{} frame {i}: {kind}", f.display());
            }
        }
    }
}

#[test]
fn rotation_is_preserved_and_display_aspect_is_kept() {
    let plain = generated(
        "sar43-plain.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=192x108:rate=25:duration=2",
            "-vf",
            "setsar=4/3",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ],
    );
    // FFmpeg 5.1 writes the `rotate` tag as a display matrix on stream copy only.
    let src = generated(
        "sar43-rot90.mp4",
        &[
            "-i",
            &plain.to_string_lossy(),
            "-c",
            "copy",
            "-metadata:s:v:0",
            "rotate=90",
        ],
    );
    let want = params(&src);
    assert_ne!(want.rotation, 0, "the source is not rotated");
    let want_dar = want.dar();
    assert_eq!(want_dar, reel_core::Rational::new(64, 27));
    let stream = |f: &Path| {
        ffprobe_json(&["-select_streams", "v:0", "-show_streams"], f)["streams"][0].clone()
    };
    let src_stream = stream(&src);
    let (_out, files) = encode(
        &src,
        "rotation",
        &[
            // Coded sizes: one square-pixel, one anamorphic like the source.
            "128x54:h264:crf=30:preset=ultrafast:name=square",
            "96x54:h264:crf=30:preset=ultrafast:name=anamorphic",
        ],
    );
    for f in &files {
        let got = params(f);
        assert_eq!(got.rotation, want.rotation, "{}", f.display());
        assert_eq!(got.dar(), want_dar, "{}: sar {:?}", f.display(), got.sar);
        let s = stream(f);
        assert_eq!(s["display_aspect_ratio"], "64:27", "{}", f.display());
        assert_eq!(
            s["side_data_list"],
            src_stream["side_data_list"],
            "{}: display matrix",
            f.display()
        );
    }
}
