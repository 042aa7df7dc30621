//! Inspection of the real test clips: counts, timing and the absence of
//! things that are not there (black, crop, interlacing).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{media, run};

#[test]
fn bigbuckbunny() {
    let r = run(&media("bigbuckbunny.mp4"));
    let v = r.video.as_ref().unwrap();
    assert_eq!(v.frame_count, 132);
    assert_eq!((v.width, v.height), (1280, 720));
    assert_eq!(v.frame_rate.as_f64(), 25.0);
    assert!(!v.vfr);
    assert!(!v.interlaced, "{:?}", v.interlacing);
    assert_eq!(v.bit_depth, 8);
    assert!(r.streams.len() >= 2, "video and AAC audio");
    assert!(r.black.is_empty(), "{:?}", r.black);
    assert!(r.frozen.is_empty(), "{:?}", r.frozen);
    let crop = r.crop.unwrap();
    assert!(!crop.bars, "{crop:?}");
    assert_eq!(r.decode_errors.count, 0);
    // Shots tile the title.
    assert_eq!(r.shots.first().unwrap().start_frame, 0);
    assert_eq!(r.shots.last().unwrap().end_frame, 131);
    for s in &r.shots {
        assert!(s.si.mean > 0.0 && s.si.max >= s.si.mean);
        assert!((0.0..=1.0).contains(&s.complexity));
    }
    eprintln!("{}", serde_json::to_string_pretty(&r).unwrap());
}

#[test]
fn bikes_has_its_five_cuts() {
    let r = run(&media("bikes.mp4"));
    let v = r.video.as_ref().unwrap();
    assert_eq!(v.frame_count, 250);
    assert_eq!((v.width, v.height), (640, 272));
    // Ground truth: the first frame of each new shot, from per-frame
    // difference scores and checked by eye on thumbnails of frames n-1, n.
    assert_eq!(r.cuts, vec![30, 76, 137, 187, 242]);
    assert_eq!(r.shots.len(), 6);
    for (shot, next) in r.shots.iter().zip(r.shots.iter().skip(1)) {
        assert_eq!(shot.end_frame + 1, next.start_frame);
        assert!((shot.start_s + shot.duration_s - next.start_s).abs() < 1e-6);
    }
    let t = &r.cut_times;
    assert!((t[0].time_s - 1.2).abs() < 1e-6, "{t:?}");
    assert!(r.black.is_empty() && r.frozen.is_empty());
    assert!(!v.interlaced && !v.vfr);
}

#[test]
fn carphone() {
    let r = run(&media("carphone_pristine.mp4"));
    let v = r.video.as_ref().unwrap();
    assert_eq!(v.frame_count, 120);
    assert_eq!((v.width, v.height), (176, 144));
    assert!(
        (v.frame_rate.as_f64() - 29.97).abs() < 0.01,
        "{:?}",
        v.frame_rate
    );
    assert!(
        !v.vfr,
        "{} .. {}",
        v.min_frame_duration_s, v.max_frame_duration_s
    );
    assert!(!v.interlaced, "{:?}", v.interlacing);
    assert!(r.cuts.is_empty(), "{:?}", r.cuts);
    assert_eq!(r.shots.len(), 1);
    assert!(r.black.is_empty() && r.frozen.is_empty());
}

#[test]
fn injected_pool_gives_the_same_report() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    let opts = reel_inspect::InspectOptions {
        pool: Some(std::sync::Arc::new(pool)),
        ..Default::default()
    };
    let path = media("bikes.mp4");
    let mut seen = Vec::new();
    let r = reel_inspect::inspect(path.to_str().unwrap(), &opts, &mut |p| {
        seen.push(p.frames_done)
    })
    .unwrap();
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress only grows");
    assert_eq!(seen.last(), Some(&250));
    let default = run(&path);
    assert_eq!(r.cuts, default.cuts);
    assert_eq!(r.shots, default.shots);
    assert_eq!(r.video, default.video);
}
