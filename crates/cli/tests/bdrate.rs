#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `reel bdrate A B` on curve files.

mod common;

use common::*;

#[test]
fn bdrate_of_the_jctvc_e137_case_and_clean_errors() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("anchor.csv");
    let b = dir.path().join("test.json");
    std::fs::write(
        &a,
        "kbps,psnr\n108048.8736,43.6471\n61279.976,40.3953\n33905.6656,37.247\n18883.6928,34.2911\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "[[108061.2784, 43.6768], [61299.9936, 40.4232], [33928.7472, 37.2761], [18910.912, 34.3147]]",
    )
    .unwrap();
    let (a_s, b_s) = (a.to_str().unwrap(), b.to_str().unwrap());
    let run = reel(&["bdrate", a_s, b_s, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json()["bd_rate_percent"].as_f64().unwrap();
    assert!((v - -0.4652).abs() < 1e-3, "{v}");
    let run = reel(&["bdrate", a_s, b_s]);
    assert!(run.stdout.contains("-0.465 %"), "{}", run.stdout);

    let short = dir.path().join("short.csv");
    std::fs::write(&short, "1,30\n2,35\n4,40\n").unwrap();
    let run = reel(&["bdrate", a_s, short.to_str().unwrap()]);
    assert_clean_error(&run, "short.csv", "at least 4");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "1,30\n2,x\n").unwrap();
    let run = reel(&["bdrate", bad.to_str().unwrap(), b_s]);
    assert_clean_error(&run, "bad.csv", "line 2");
    let run = reel(&["bdrate", "/nonexistent/a.csv", b_s]);
    assert_clean_error(&run, "/nonexistent/a.csv", "not found");
}
