#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reel ladder` on a real clip: the ladder's shape, and the rungs it
//! predicts measure what it predicted once `reel transcode --ladder` encodes
//! them.

mod common;

use common::*;

fn vmaf_of(rendition: &std::path::Path, reference: &std::path::Path, dir: &std::path::Path) -> f64 {
    let json = dir.join("vmaf.json");
    let run = reel(&[
        "--quiet",
        "vmaf",
        "--reference",
        reference.to_str().unwrap(),
        "--distorted",
        rendition.to_str().unwrap(),
        "--scale",
        "1280x720",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    v["pooled_metrics"]["vmaf"]["mean"].as_f64().unwrap()
}

#[test]
fn a_per_title_ladder_predicts_what_its_rungs_measure() {
    let src = clip("bigbuckbunny.mp4");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job");
    let run = reel(&[
        "ladder",
        src.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--crf",
        "22,30,38",
        "--display",
        "1280x720",
        "--trial-preset",
        "veryfast",
        "--preset",
        "veryfast",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let m = run.json();
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("ladder.json")).unwrap()).unwrap();
    assert_eq!(stored["rungs"], m["rungs"]);
    // A 5.3 s title is measured whole, at the five Apple sizes up to 720p.
    assert_eq!(m["segments"].as_array().unwrap().len(), 1);
    assert_eq!(m["segments"][0]["frame_count"], 132);
    assert_eq!(m["trials"].as_array().unwrap().len(), 5 * 3);
    let hull = m["hull"].as_array().unwrap();
    for w in hull.windows(2) {
        assert!(w[1]["kbps"].as_f64() > w[0]["kbps"].as_f64());
        assert!(w[1]["vmaf"].as_f64() > w[0]["vmaf"].as_f64());
    }
    let rungs = m["rungs"].as_array().unwrap();
    let predictions = m["predictions"].as_array().unwrap();
    assert!(rungs.len() >= 3, "{rungs:?}");
    assert_eq!(rungs.len(), predictions.len());
    for w in predictions.windows(2) {
        assert!(w[1]["kbps"].as_f64().unwrap() >= 1.5 * w[0]["kbps"].as_f64().unwrap());
    }
    for w in rungs.windows(2) {
        assert!(w[1]["resolution"]["height"].as_u64() >= w[0]["resolution"]["height"].as_u64());
    }
    let top = predictions.last().unwrap()["vmaf"].as_f64().unwrap();
    assert!(
        top >= 95.0 || !m["warnings"].as_array().unwrap().is_empty(),
        "top rung {top} below the target without a warning"
    );

    // Encode the ladder; each rung measures within 2 VMAF of its prediction.
    let job = dir.path().join("encoded");
    let run = reel(&[
        "--quiet",
        "transcode",
        src.to_str().unwrap(),
        "--ladder",
        out.join("ladder.json").to_str().unwrap(),
        "--output",
        job.to_str().unwrap(),
        "--no-hls",
        "--no-dash",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let encoded = run.json();
    for (r, p) in encoded["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .zip(predictions)
    {
        assert_eq!(r["recipe"]["name"], p["name"]);
        let file = job.join(r["key"].as_str().unwrap());
        let measured = vmaf_of(&file, &src, dir.path());
        let predicted = p["vmaf"].as_f64().unwrap();
        assert!(
            (measured - predicted).abs() <= 2.0,
            "{}: predicted VMAF {predicted:.2}, measured {measured:.2}",
            p["name"]
        );
    }
}

#[test]
fn bad_ladder_arguments_are_clean_errors() {
    let src = clip("bigbuckbunny.mp4");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job");
    let (src, out) = (src.to_str().unwrap(), out.to_str().unwrap());
    let run = reel(&["ladder", src, "--output", out, "--codec", "mpeg2"]);
    assert_clean_error(&run, "mpeg2", "not one of");
    let run = reel(&["ladder", src, "--output", out, "--crf", "23"]);
    assert_clean_error(&run, "--crf", "at least 2");
    let run = reel(&["ladder", "/nonexistent.mp4", "--output", out]);
    assert_clean_error(&run, "/nonexistent.mp4", "");
}

#[test]
fn a_static_ladder_is_the_spec_table_cut_to_the_source() {
    let src = clip("bigbuckbunny.mp4");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job");
    let (src, out) = (src.to_str().unwrap(), out.to_str().unwrap());
    let run = reel(&[
        "ladder", src, "--output", out, "--static", "apple", "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let m = run.json();
    assert_eq!(m["fixed_ladder"], "apple");
    // Apple's H.264 table up to 720p: 145 .. 4500 kb/s, seven rungs.
    let rates: Vec<u64> = m["rungs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rate_control"]["kbps"].as_u64().unwrap())
        .collect();
    assert_eq!(rates, vec![145, 365, 730, 1100, 2000, 3000, 4500]);
    assert_eq!(m["rungs"][0]["resolution"]["width"], 416);
    assert!(m["trials"].as_array().unwrap().is_empty());
    let run = reel(&["ladder", src, "--output", out, "--static", "nope"]);
    assert_clean_error(&run, "nope", "not one of");
}
