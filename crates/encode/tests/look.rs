//! What every rendition must keep from the source, on generated clips:
//! colour tags and HDR10 static metadata (10-bit HEVC with BT.2020/PQ,
//! mastering display, content light), display rotation and display aspect
//! (non-square SAR).

// Helpers outside #[test] fns unwrap too: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reel_core::{HdrInfo, MasteringDisplay};
use reel_encode::{parse_spec, run, EncodeConfig, SourceFacts};
use reel_media::{MediaSource, PacketReader, VideoParams};
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

/// 10-bit HEVC, BT.2020 / PQ, with HDR10 mastering display and content light SEI.
fn hdr10_source() -> std::path::PathBuf {
    let args = reel_testkit::hdr10_hevc_args("192x108");
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    generated("hdr10-hevc.mp4", &refs)
}

#[test]
fn hdr10_colour_and_static_metadata_reach_every_rendition() {
    let src = hdr10_source();
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

/// The SEI messages (payload type, payload) of every key frame of an H.264
/// file whose samples are length-prefixed NAL units (MP4).
fn h264_key_frame_seis(file: &Path) -> Vec<Vec<(u32, Vec<u8>)>> {
    let mut reader = PacketReader::open(&file.to_string_lossy()).unwrap();
    let mut out = Vec::new();
    while let Some((_, p)) = reader.next_packet().unwrap() {
        if !p.key {
            continue;
        }
        let mut seis = Vec::new();
        let mut pos = 0;
        while pos + 4 <= p.data.len() {
            let len = u32::from_be_bytes(p.data[pos..pos + 4].try_into().unwrap()) as usize;
            let nal = &p.data[pos + 4..pos + 4 + len];
            pos += 4 + len;
            if nal[0] & 0x1f == 6 {
                seis.extend(sei_messages(&unescape(&nal[1..])));
            }
        }
        out.push(seis);
    }
    out
}

/// RBSP of a NAL payload: emulation prevention bytes (00 00 03) removed.
fn unescape(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut zeros = 0;
    for &b in data {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

fn sei_messages(rbsp: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let mut msgs = Vec::new();
    let mut pos = 0;
    // Stops at the rbsp trailing bits (0x80).
    while pos < rbsp.len() && rbsp[pos] != 0x80 {
        let mut read = || {
            let mut v = 0u32;
            while rbsp[pos] == 0xff {
                v += 255;
                pos += 1;
            }
            v += u32::from(rbsp[pos]);
            pos += 1;
            v
        };
        let kind = read();
        let size = read() as usize;
        msgs.push((kind, rbsp[pos..pos + size].to_vec()));
        pos += size;
    }
    msgs
}

/// Chromaticity and luminance agree within what each bitstream's fixed
/// point keeps (AV1: 1/65536 and 1/16384 cd/m²; HEVC/H.264: 1/50000, 1/10000).
fn assert_close(got: &MasteringDisplay, want: &MasteringDisplay, what: &str) {
    let xy = got
        .primaries
        .iter()
        .chain([&got.white_point])
        .zip(want.primaries.iter().chain([&want.white_point]));
    for (g, w) in xy {
        assert!(
            (g.0 - w.0).abs() < 2e-5 && (g.1 - w.1).abs() < 2e-5,
            "{what}: {got:?} vs {want:?}"
        );
    }
    assert!(
        (got.max_luminance - want.max_luminance).abs() < 1e-2,
        "{what}"
    );
    assert!(
        (got.min_luminance - want.min_luminance).abs() < 1e-4,
        "{what}"
    );
}

fn ratio(v: &serde_json::Value) -> f64 {
    let s = v.as_str().unwrap();
    let (n, d) = s.split_once('/').unwrap();
    n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap()
}

#[test]
fn hdr10_metadata_reaches_h264_av1_and_vp9_rungs() {
    let src = hdr10_source();
    let want = params(&src);
    let HdrInfo {
        mastering_display: Some(md),
        content_light: Some(cll),
        ..
    } = want.hdr.clone()
    else {
        panic!("the source has no HDR10 metadata: {:?}", want.hdr);
    };
    let (_out, files) = encode(
        &src,
        "hdr10-other-codecs",
        &[
            "128x72:h264:crf=30:preset=ultrafast:10bit:name=h264",
            "128x72:av1:crf=50:preset=12:10bit:name=svt",
            "128x72:av1:crf=50:preset=8:encoder=libaom-av1:10bit:name=aom",
            "128x72:vp9:crf=50:preset=8:10bit:name=vp9",
        ],
    );
    for (i, f) in files.iter().enumerate() {
        // Container boxes (mdcv / clli) on every rendition, VP9's only carrier.
        let mut got = params(f);
        if i >= 2 {
            // FFmpeg 5.1's libaom and libvpx wrappers do not signal chroma
            // siting; the four tags the players use must still be there.
            got.color.chroma_location = want.color.chroma_location.clone();
        }
        assert_eq!(got.color, want.color, "{}", f.display());
        assert_eq!(got.hdr, want.hdr, "{}", f.display());
        assert_eq!(got.bit_depth, 10, "{}", f.display());
    }
    // H.264: x264's SEI on every key frame (FFmpeg 5.1's decoder does not export it).
    let h264_keys = h264_key_frame_seis(&files[0]);
    assert!(h264_keys.len() >= 2, "{h264_keys:?}");
    let c = |v: f64| (v * 50_000.0).round() as u16;
    let mut want_137 = Vec::new();
    for (x, y) in [
        md.primaries[1],
        md.primaries[2],
        md.primaries[0],
        md.white_point,
    ] {
        want_137.extend(c(x).to_be_bytes());
        want_137.extend(c(y).to_be_bytes());
    }
    want_137.extend(((md.max_luminance * 10_000.0).round() as u32).to_be_bytes());
    want_137.extend(((md.min_luminance * 10_000.0).round() as u32).to_be_bytes());
    let want_144 = [
        (cll.max_cll as u16).to_be_bytes(),
        (cll.max_fall as u16).to_be_bytes(),
    ]
    .concat();
    for (i, seis) in h264_keys.iter().enumerate() {
        assert!(
            seis.contains(&(137, want_137.clone())),
            "key frame {i}: {seis:?}"
        );
        assert!(
            seis.contains(&(144, want_144.clone())),
            "key frame {i}: {seis:?}"
        );
    }
    // AV1: metadata OBUs, written by SVT-AV1 and spliced in by reel for libaom.
    for f in &files[1..3] {
        let mds = frame_side_data(f, "Mastering display metadata");
        let clls = frame_side_data(f, "Content light level metadata");
        assert_eq!(mds.len(), 50, "{}", f.display());
        for (i, (m, l)) in mds.iter().zip(&clls).enumerate() {
            let what = format!("{} frame {i}", f.display());
            let xy = |k: &str| ratio(&m[format!("{k}_x")]);
            let got = MasteringDisplay {
                primaries: [
                    (xy("red"), ratio(&m["red_y"])),
                    (xy("green"), ratio(&m["green_y"])),
                    (xy("blue"), ratio(&m["blue_y"])),
                ],
                white_point: (xy("white_point"), ratio(&m["white_point_y"])),
                min_luminance: ratio(&m["min_luminance"]),
                max_luminance: ratio(&m["max_luminance"]),
            };
            assert_close(&got, &md, &what);
            assert_eq!(l["max_content"], cll.max_cll, "{what}");
            assert_eq!(l["max_average"], cll.max_fall, "{what}");
        }
    }
}
