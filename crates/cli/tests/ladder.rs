#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reel ladder` on a real clip: the ladder's shape, and the rungs it
//! predicts measure what it predicted (by `reel validate`) once
//! `reel transcode --ladder` encodes them.

mod common;

use common::*;

#[test]
fn a_per_title_ladder_predicts_what_its_rungs_measure() {
    let src = clip("bigbuckbunny.mp4");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job");
    let plot = dir.path().join("ladder.png");
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
        "medium",
        "--plot",
        plot.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let m = run.json();
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("ladder.json")).unwrap()).unwrap();
    assert_eq!(stored["rungs"], m["rungs"]);
    let png = std::fs::read(&plot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
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
    // Rungs are 1.5x apart on the trial hull; measured at the production
    // preset by the refine step, each rate moves by a few percent.
    for w in predictions.windows(2) {
        assert!(w[1]["kbps"].as_f64().unwrap() >= 1.4 * w[0]["kbps"].as_f64().unwrap());
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
    // The trials ran at veryfast, the rungs at medium: the refine step
    // measured the rungs as encoded, so validation's VMAF (at the ladder's
    // display size) lands within 2 of every prediction.
    let run = reel(&["validate", job.to_str().unwrap(), "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let validated = run.json();
    let quality = validated["quality"].as_array().unwrap();
    assert_eq!(quality.len(), predictions.len());
    for ((r, p), q) in encoded["renditions"]
        .as_array()
        .unwrap()
        .iter()
        .zip(predictions)
        .zip(quality)
    {
        assert_eq!(r["recipe"]["name"], p["name"]);
        assert_eq!(q["name"], p["name"]);
        let measured = q["vmaf_mean"].as_f64().unwrap();
        let predicted = p["vmaf"].as_f64().unwrap();
        assert!(
            (measured - predicted).abs() <= 2.0,
            "{}: predicted VMAF {predicted:.2}, measured {measured:.2}",
            p["name"]
        );
    }
    let prediction_checks = validated["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["check"] == "quality.prediction" && c["status"] == "pass")
        .count();
    assert_eq!(prediction_checks, predictions.len());
    assert!(m["cost"]["refine_cpu_s"].as_f64().unwrap() > 0.0);
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
    let run = reel(&["ladder", src, "--output", out, "--plot", "ladder.jpg"]);
    assert_clean_error(&run, "ladder.jpg", "must end in .png or .svg");
    // A usage error, reported by the argument parser with its usage hint.
    let run = reel(&["ladder", src, "--output", out, "--vmaf-subsample", "0"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--vmaf-subsample"), "{}", run.stderr);
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
