//! Properties of the scorer: independence from thread count and SIMD path,
//! the other models, errors on mismatched inputs, the writers.

// Tests and benches stop at the first broken fixture: expect() is their assert.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use common::{pair, pair_frames};
use reel_vmaf::{
    BuiltinModel, ClipPart, Error, FeatureSet, Model, ScoredPart, Scores, Vmaf, VmafConfig,
};
use std::sync::Arc;

fn run(name: &str, frames: usize, config: VmafConfig) -> Scores {
    let vmaf = Vmaf::try_new(config).expect("scorer");
    vmaf.score(pair_frames(pair(name)).take(frames))
        .expect("scores")
}

fn with_threads(n: usize) -> VmafConfig {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("pool");
    VmafConfig {
        pool: Some(Arc::new(pool)),
        ..VmafConfig::default()
    }
}

#[test]
fn thread_count_does_not_change_results() {
    for (name, n) in [("carphone", 120), ("bikes_x265_main10_crf28", 24)] {
        let one = run(name, n, with_threads(1));
        assert_eq!(one.frames.len(), n);
        for t in [2, 4] {
            assert_eq!(
                one,
                run(name, n, with_threads(t)),
                "{name}: 1 vs {t} threads"
            );
        }
    }
}

#[test]
fn scalar_and_simd_paths_are_bit_identical() {
    for (name, n) in [
        ("carphone", 30),
        ("bigbuckbunny_x264_crf38", 6),
        ("bikes_x265_main10_crf28", 8),
    ] {
        let simd = run(name, n, with_threads(2));
        let scalar = run(
            name,
            n,
            VmafConfig {
                simd: false,
                ..with_threads(2)
            },
        );
        assert_eq!(simd, scalar, "{name}");
    }
}

#[test]
fn neg_and_4k_models_differ_sensibly() {
    for (name, n) in [("carphone", 120), ("bigbuckbunny_x264_crf38", 12)] {
        let def = run(name, n, with_threads(2));
        let model = |m| VmafConfig {
            model: Model::Builtin(m),
            ..with_threads(2)
        };
        let neg = run(name, n, model(BuiltinModel::V061Neg));
        let k4 = run(name, n, model(BuiltinModel::V061_4k));
        let (d, g, k) = (
            def.pooled["vmaf"].mean,
            neg.pooled["vmaf"].mean,
            k4.pooled["vmaf"].mean,
        );
        eprintln!("{name}: default {d:.4}, neg {g:.4}, 4k {k:.4}");
        assert!(g <= d + 1e-9, "{name}: neg {g} above default {d}");
        for (a, b) in neg.frames.iter().zip(&def.frames) {
            assert!(a.metrics["vmaf"] <= b.metrics["vmaf"] + 1e-9);
            assert!(a.metrics["integer_adm2"] <= b.metrics["integer_adm2"] + 1e-12);
        }
        assert!(
            (k - d).abs() > 1e-3,
            "{name}: 4k model gave the default's score"
        );
        assert!((0.0..=100.0).contains(&k));
        assert_eq!(neg.model, "vmaf_v0.6.1neg");
    }
}

#[test]
fn custom_model_file_scores_like_the_builtin() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models/vmaf_v0.6.1.json");
    let model = reel_vmaf::SvmModel::from_path(&path).expect("model");
    let custom = run(
        "carphone",
        10,
        VmafConfig {
            model: Model::Custom(Arc::new(model)),
            ..with_threads(2)
        },
    );
    let builtin = run("carphone", 10, with_threads(2));
    assert_eq!(custom.frames, builtin.frames);
    assert!(reel_vmaf::SvmModel::from_path(std::path::Path::new("/nonexistent.json")).is_err());
}

#[test]
fn frame_count_mismatch_names_both_counts() {
    let r = common::frames(common::media_dir().join("carphone_pristine.mp4")).take(10);
    let d = common::frames(common::media_dir().join("carphone_distorted.mp4")).take(12);
    let vmaf = Vmaf::try_new(with_threads(2)).expect("scorer");
    match vmaf.score(reel_vmaf::pair_frames(r, d)) {
        Err(Error::FrameCountMismatch {
            reference,
            distorted,
        }) => assert_eq!((reference, distorted), (10, 12)),
        other => panic!("expected a frame count mismatch, got {other:?}"),
    }
}

#[test]
fn size_mismatch_is_an_error() {
    let r = common::frames(common::media_dir().join("carphone_pristine.mp4")).take(3);
    let d = common::frames(common::media_dir().join("bikes.mp4")).take(3);
    let vmaf = Vmaf::try_new(with_threads(1)).expect("scorer");
    let err = vmaf
        .score(reel_vmaf::pair_frames(r, d))
        .expect_err("must fail");
    assert!(
        matches!(err, Error::FrameMismatch { frame: 0, .. }),
        "{err}"
    );
}

#[test]
fn writers_and_extra_features() {
    let scores = run(
        "carphone",
        8,
        VmafConfig {
            features: FeatureSet {
                psnr: true,
                ssim: true,
                ms_ssim: false,
            },
            ..with_threads(2)
        },
    );
    let lib = common::reference_json("carphone", ".json");
    for f in &scores.frames {
        let want = &lib["frames"][f.frame_num as usize]["metrics"];
        for name in ["psnr_y", "psnr_cb", "psnr_cr", "float_ssim", "vmaf"] {
            let w = want[name].as_f64().expect(name);
            assert!(
                (w - f.metrics[name]).abs() < 2e-6,
                "{name}: {} vs {w}",
                f.metrics[name]
            );
        }
    }
    let mut json = Vec::new();
    reel_vmaf::output::write_json(&scores, &mut json, None).expect("json");
    let v: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
    assert_eq!(v["frames"].as_array().map(Vec::len), Some(8));
    assert_eq!(v["frames"][3]["frameNum"], 3);
    for k in [
        "integer_adm2",
        "integer_motion2",
        "integer_vif_scale3",
        "vmaf",
        "psnr_y",
        "float_ssim",
    ] {
        assert!(v["frames"][3]["metrics"][k].is_number(), "{k}");
        assert!(v["pooled_metrics"][k]["harmonic_mean"].is_number(), "{k}");
    }
    let mut csv = Vec::new();
    reel_vmaf::output::write_csv(&scores, &mut csv).expect("csv");
    let csv = String::from_utf8(csv).expect("utf8");
    assert_eq!(csv.lines().count(), 9);
    assert!(csv.starts_with("Frame,"));
}

#[test]
fn float_model_uses_the_float_features() {
    let scores = run(
        "carphone",
        120,
        VmafConfig {
            model: Model::Builtin(BuiltinModel::FloatV061),
            ..with_threads(2)
        },
    );
    let lib = common::reference_json("carphone", ".float.json");
    let mut max_err = 0f64;
    for f in &scores.frames {
        let want = lib["frames"][f.frame_num as usize]["metrics"]["vmaf"]
            .as_f64()
            .expect("vmaf");
        max_err = max_err.max((want - f.metrics["vmaf"]).abs());
    }
    eprintln!("vmaf_float_v0.6.1 carphone: max per-frame error {max_err:e}");
    // The float features follow libvmaf's float code (6-decimal reference).
    assert!(max_err < 1e-4, "{max_err}");
}

#[test]
fn source_and_worker_errors_end_scoring_cleanly() {
    // A source that fails at frame 5.
    let vmaf = Vmaf::try_new(with_threads(2)).expect("scorer");
    let frames = pair_frames(pair("carphone"))
        .take(5)
        .chain(std::iter::once(Err(Error::Source {
            frame: 5,
            message: "boom".into(),
        })));
    let err = vmaf.score(frames).expect_err("must fail");
    assert!(matches!(err, Error::Source { frame: 5, .. }), "{err}");
    // A metric that cannot run on this size fails every job: an error, no hang.
    let vmaf = Vmaf::try_new(VmafConfig {
        features: FeatureSet {
            ms_ssim: true,
            ..FeatureSet::default()
        },
        ..with_threads(2)
    })
    .expect("scorer");
    assert!(vmaf.score(pair_frames(pair("carphone")).take(20)).is_err());
}

#[test]
fn subsampling_scores_every_nth_frame() {
    let all = run("carphone", 30, with_threads(2));
    let sub = run(
        "carphone",
        30,
        VmafConfig {
            subsample: 5,
            ..with_threads(2)
        },
    );
    let nums: Vec<u64> = sub.frames.iter().map(|f| f.frame_num).collect();
    assert_eq!(nums, vec![0, 5, 10, 15, 20, 25]);
    for f in &sub.frames {
        assert_eq!(f, &all.frames[f.frame_num as usize]);
    }
    assert!(Vmaf::try_new(VmafConfig {
        subsample: 0,
        ..VmafConfig::default()
    })
    .is_err());
}

/// Scores `frames` pairs of `name` in parts of `part_frames`, each part from
/// its own decode as a worker on another machine would, and joins them.
fn run_in_parts(name: &str, frames: u64, part_frames: u64, config: VmafConfig) -> Scores {
    let vmaf = Vmaf::try_new(config).expect("scorer");
    let mut parts: Vec<ScoredPart> = ClipPart::split(frames, part_frames)
        .into_iter()
        .map(|part| {
            let input = part.input();
            let pairs = pair_frames(pair(name))
                .skip(input.start as usize)
                .take((input.end - input.start) as usize);
            let scores = vmaf.score_part(part, pairs).expect("part scores");
            ScoredPart::new(part, scores)
        })
        .collect();
    // Parts arrive in any order.
    parts.reverse();
    Scores::join(parts).expect("joined")
}

#[test]
fn parts_scored_apart_join_into_the_whole_clip_scores() {
    // Integer model, every frame and every 3rd; the float model.
    let configs = [
        ("carphone", 40, 7, with_threads(2)),
        (
            "carphone",
            40,
            11,
            VmafConfig {
                subsample: 3,
                ..with_threads(2)
            },
        ),
        (
            "carphone",
            20,
            6,
            VmafConfig {
                model: Model::Builtin(BuiltinModel::FloatV061),
                ..with_threads(2)
            },
        ),
        ("bikes_x265_main10_crf28", 9, 4, with_threads(2)),
    ];
    for (name, frames, part_frames, config) in configs {
        let whole = run(name, frames as usize, config.clone());
        let joined = run_in_parts(name, frames, part_frames, config);
        assert_eq!(whole, joined, "{name}: parts of {part_frames}");
        // Motion moves between frames, so a part run without its lead-in
        // would differ: the comparison above can fail.
        let m = &whole.frames[1].metrics;
        let motion2 = m.get("integer_motion2").or(m.get("motion2"));
        assert!(motion2.is_some_and(|v| *v > 0.0), "{name}: no motion");
    }
}

#[test]
fn a_part_whose_frames_end_early_is_an_error() {
    let vmaf = Vmaf::try_new(with_threads(1)).expect("scorer");
    let part = ClipPart {
        start: 5,
        end: 10,
        clip_frames: 20,
    };
    let short = pair_frames(pair("carphone")).skip(4).take(3);
    assert!(matches!(
        vmaf.score_part(part, short),
        Err(Error::Source { frame: 7, .. })
    ));
    let outside = ClipPart {
        start: 5,
        end: 30,
        clip_frames: 20,
    };
    assert!(matches!(
        vmaf.score_part(outside, pair_frames(pair("carphone"))),
        Err(Error::Config(_))
    ));
}
