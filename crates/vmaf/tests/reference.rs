//! Every reference pair against libvmaf 3.2's full-precision output: per-frame
//! VMAF and every integer feature within 1e-6, pooled mean too.

// Tests and benches stop at the first broken fixture: expect() is their assert.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{pair, pair_frames, reference_json};
use reel_vmaf::{Scores, Vmaf, VmafConfig};
use std::sync::Arc;

const TOL: f64 = 1e-6;

/// Our metric name for each libvmaf log name.
const NAMES: [(&str, &str); 12] = [
    ("vmaf", "vmaf"),
    ("integer_adm2", "integer_adm2"),
    ("integer_adm_scale0", "integer_adm_scale0"),
    ("integer_adm_scale1", "integer_adm_scale1"),
    ("integer_adm_scale2", "integer_adm_scale2"),
    ("integer_adm_scale3", "integer_adm_scale3"),
    ("integer_motion2", "integer_motion2"),
    ("VMAF_integer_feature_motion_sad_score", "integer_motion"),
    ("integer_vif_scale0", "integer_vif_scale0"),
    ("integer_vif_scale1", "integer_vif_scale1"),
    ("integer_vif_scale2", "integer_vif_scale2"),
    ("integer_vif_scale3", "integer_vif_scale3"),
];

fn score(name: &str) -> Scores {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("pool");
    let vmaf = Vmaf::try_new(VmafConfig {
        pool: Some(Arc::new(pool)),
        ..VmafConfig::default()
    })
    .expect("scorer");
    vmaf.score(pair_frames(pair(name))).expect("scores")
}

fn check(name: &str) {
    let ours = score(name);
    let hp = reference_json(name, ".hp.json");
    let frames = hp["frames"].as_array().expect("frames");
    assert_eq!(ours.frames.len(), frames.len(), "{name}: frame count");
    let mut worst = Vec::new();
    for (lib, mine) in NAMES {
        let mut max_err = 0f64;
        for (o, r) in ours.frames.iter().zip(frames) {
            assert_eq!(o.frame_num, r["frameNum"].as_u64().expect("frameNum"));
            let want = r["metrics"][lib]
                .as_f64()
                .unwrap_or_else(|| panic!("{lib}"));
            let got = o.metrics[mine];
            let err = (want - got).abs();
            assert!(
                err <= TOL,
                "{name} frame {}: {mine} = {got}, libvmaf {want} (error {err:e})",
                o.frame_num
            );
            max_err = max_err.max(err);
        }
        worst.push(format!("{mine} {max_err:.1e}"));
    }
    let want = hp["pooled_metrics"]["vmaf"]["mean"]
        .as_f64()
        .expect("pooled");
    let got = ours.pooled["vmaf"].mean;
    assert!((want - got).abs() <= TOL, "{name}: pooled {got} vs {want}");
    let hm = hp["pooled_metrics"]["vmaf"]["harmonic_mean"]
        .as_f64()
        .expect("hm");
    assert!((hm - ours.pooled["vmaf"].harmonic_mean).abs() <= TOL);
    eprintln!(
        "{name}: pooled vmaf {got:.6} (libvmaf {want:.6}); max errors: {}",
        worst.join(", ")
    );
}

#[test]
fn bigbuckbunny_x264_crf18() {
    check("bigbuckbunny_x264_crf18");
}

#[test]
fn bigbuckbunny_x264_crf28() {
    check("bigbuckbunny_x264_crf28");
}

#[test]
fn bigbuckbunny_x264_crf38() {
    check("bigbuckbunny_x264_crf38");
}

#[test]
fn bigbuckbunny_x265_crf30() {
    check("bigbuckbunny_x265_crf30");
}

#[test]
fn bikes_x265_main10_crf28() {
    check("bikes_x265_main10_crf28");
}

#[test]
fn carphone() {
    check("carphone");
}
