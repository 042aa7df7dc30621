//! Detectors on generated clips whose answer is known by construction.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reel_core::manifest::FieldOrder;

#[test]
fn black_segment_in_the_middle() {
    let r = run(&black_clip());
    assert_eq!(r.video.as_ref().unwrap().frame_count, 75);
    assert_eq!(r.black.len(), 1, "{:?}", r.black);
    let b = r.black[0];
    assert_eq!((b.start_frame, b.end_frame), (25, 49));
    assert!(
        (b.start_s - 1.0).abs() < 1e-3 && (b.duration_s - 1.0).abs() < 1e-3,
        "{b:?}"
    );
    // A black hold is black, not frozen.
    assert!(r.frozen.is_empty(), "{:?}", r.frozen);
}

#[test]
fn letterbox_is_cropped() {
    let r = run(&letterbox_clip());
    let c = r.crop.unwrap();
    assert!(c.bars);
    assert_eq!((c.x, c.y, c.width, c.height), (0, 30, 320, 180), "{c:?}");
}

#[test]
fn pillarbox_is_cropped() {
    let r = run(&pillarbox_clip());
    let c = r.crop.unwrap();
    assert!(c.bars);
    assert_eq!((c.x, c.y, c.width, c.height), (40, 0, 240, 240), "{c:?}");
}

#[test]
fn frozen_tail_is_found() {
    let r = run(&frozen_clip());
    assert_eq!(r.video.as_ref().unwrap().frame_count, 75);
    assert_eq!(r.frozen.len(), 1, "{:?}", r.frozen);
    let f = r.frozen[0];
    assert_eq!((f.start_frame, f.end_frame), (50, 74));
    assert!((f.duration_s - 1.0).abs() < 1e-3, "{f:?}");
    assert!(r.black.is_empty());
}

#[test]
fn interlaced_by_metadata_and_pictures() {
    let r = run(&interlaced_clip());
    let v = r.video.as_ref().unwrap();
    assert!(v.interlaced);
    assert_eq!(
        v.interlacing.field_order,
        FieldOrder::Tff,
        "{:?}",
        v.interlacing
    );
    assert_eq!(v.interlacing.flagged_frames, v.frame_count);
    assert!(
        v.interlacing.combed_frames * 2 > v.frame_count,
        "{:?}",
        v.interlacing
    );
}

#[test]
fn combing_alone_reveals_interlacing() {
    let r = run(&combed_unflagged_clip());
    let v = r.video.as_ref().unwrap();
    assert_eq!(v.interlacing.flagged_frames, 0);
    assert_ne!(v.interlacing.field_order, FieldOrder::Tff);
    assert!(
        v.interlacing.combed_frames * 2 > v.frame_count,
        "{:?}",
        v.interlacing
    );
    assert!(v.interlaced);
}

#[test]
fn progressive_synthetic_pictures_do_not_comb() {
    let r = run(&letterbox_clip());
    let v = r.video.as_ref().unwrap();
    assert_eq!(v.interlacing.combed_frames, 0, "{:?}", v.interlacing);
    assert!(!v.interlaced);
}

#[test]
fn variable_frame_rate_from_timestamps() {
    let r = run(&vfr_clip());
    let v = r.video.as_ref().unwrap();
    assert_eq!(v.frame_count, 50);
    assert!(
        v.vfr,
        "{} .. {}",
        v.min_frame_duration_s, v.max_frame_duration_s
    );
    assert!((v.min_frame_duration_s - 0.04).abs() < 2e-3);
    assert!((v.max_frame_duration_s - 0.08).abs() < 2e-3);
    let cfr = run(&black_clip());
    assert!(!cfr.video.unwrap().vfr);
}
