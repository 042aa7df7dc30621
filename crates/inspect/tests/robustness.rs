//! Bad inputs: no video, not media, corrupt packets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reel_inspect::Error;

#[test]
fn audio_only_gives_a_report_without_video() {
    let path = audio_only_clip();
    let r = try_run(&path).unwrap();
    assert!(r.video.is_none());
    assert!(r.shots.is_empty() && r.cuts.is_empty());
    assert_eq!(r.streams.len(), 1);
    assert!(r.duration_s > 0.9);
}

#[test]
fn missing_file_is_a_media_error_naming_it() {
    let path = fixtures_dir().join("does-not-exist.mp4");
    let err = try_run(&path).unwrap_err();
    assert!(matches!(err, Error::Media(_)), "{err:?}");
    assert!(err.to_string().contains("does-not-exist.mp4"), "{err}");
}

#[test]
fn empty_and_garbage_files_are_media_errors() {
    let empty = fixtures_dir().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    let text = fixtures_dir().join("garbage.mp4");
    std::fs::write(&text, "this is not a video\n".repeat(200)).unwrap();
    for path in [empty, text] {
        let err = try_run(&path).unwrap_err();
        assert!(matches!(err, Error::Media(_)), "{err:?}");
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn corrupt_packets_are_counted_not_fatal() {
    let r = run(&corrupt_clip());
    let v = r.video.as_ref().unwrap();
    assert!(r.decode_errors.count > 0, "{:?}", r.decode_errors);
    assert!(!r.decode_errors.first.is_empty());
    assert!(v.frame_count > 100, "{}", v.frame_count);
    eprintln!("{} frames, {:?}", v.frame_count, r.decode_errors);
}

#[test]
fn report_uses_the_manifest_field_names() {
    let r = run(&media("carphone_pristine.mp4"));
    let json = serde_json::to_value(&r).unwrap();
    for key in [
        "format",
        "duration_s",
        "streams",
        "video",
        "shots",
        "cuts",
        "black",
        "frozen",
        "crop",
        "decode_errors",
        "schema_version",
        "producer",
        "created",
        "inputs",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let video = &json["video"];
    for key in [
        "width",
        "height",
        "frame_rate",
        "frame_count",
        "pix_fmt",
        "bit_depth",
        "vfr",
        "interlaced",
        "color",
        "hdr",
        "rotation",
    ] {
        assert!(video.get(key).is_some(), "missing video.{key}");
    }
    for key in ["start_frame", "end_frame", "start_s", "si", "ti"] {
        assert!(json["shots"][0].get(key).is_some(), "missing shots[].{key}");
    }
    assert_eq!(json["producer"]["name"], "reel-inspect");
    let created = json["created"].as_str().unwrap();
    assert!(created.len() == 20 && created.ends_with('Z'), "{created}");
    assert!(r.header.inputs[0].size > 0);
    let back: reel_core::manifest::InspectReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
}
