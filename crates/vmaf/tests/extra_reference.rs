//! PSNR, SSIM, MS-SSIM and the float VMAF features on the reference pairs,
//! against libvmaf 3.2's logs (`<pair>.json`, `<pair>.features.json`).
//!
//! Clips come from `REEL_MEDIA_DIR` (default `<workspace>/media-cache`) and
//! `tests/data/encodes`, decoded through reel-media.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod extra_common;

use extra_common::{Deviations, Logged, Pair};
use reel_core::{FramePlanes, Plane, VideoFrame};
use reel_vmaf::float::{FloatFrame, Motion2, Sample};
use reel_vmaf::{ms_ssim, psnr, ssim};

/// What we compute for one frame pair.
struct FrameScores {
    psnr: psnr::Psnr,
    ssim: f64,
    ms_ssim: Option<f64>,
    float: FloatFrame,
}

fn luma_scores<T: Sample>(
    r: &Plane<T>,
    d: &Plane<T>,
    bit_depth: u8,
    with_ms_ssim: bool,
) -> (f64, Option<f64>, FloatFrame) {
    let ssim = ssim::float_ssim(r, d, bit_depth).expect("float_ssim");
    let ms = with_ms_ssim.then(|| ms_ssim::float_ms_ssim(r, d, bit_depth).expect("float_ms_ssim"));
    let float = FloatFrame::compute(r, d, bit_depth).expect("float features");
    (ssim, ms, float)
}

fn frame_scores(r: &VideoFrame, d: &VideoFrame, with_ms_ssim: bool) -> FrameScores {
    assert_eq!(r.layout, d.layout, "layouts differ");
    let bit_depth = r.layout.bit_depth;
    let psnr = psnr::psnr_planes(&r.planes, &d.planes, r.layout).expect("psnr");
    let (ssim, ms_ssim, float) = match (&r.planes, &d.planes) {
        (FramePlanes::U8(a), FramePlanes::U8(b)) => {
            luma_scores(&a[0], &b[0], bit_depth, with_ms_ssim)
        }
        (FramePlanes::U16(a), FramePlanes::U16(b)) => {
            luma_scores(&a[0], &b[0], bit_depth, with_ms_ssim)
        }
        _ => panic!("sample types differ"),
    };
    FrameScores {
        psnr,
        ssim,
        ms_ssim,
        float,
    }
}

/// Scores every frame of `pair` and compares with libvmaf's logs.
fn check_pair(pair: Pair, with_ms_ssim: bool) {
    let scores = Logged::load(&pair, "");
    let features = Logged::load(&pair, ".features");
    let mut dev = Deviations::default();
    let mut motion = Motion2::new();
    let record_motion = |dev: &mut Deviations, (frame, m): (usize, f64)| {
        dev.record("float_motion2", frame, m, features.get(frame, "motion2"));
    };
    let n = pair.for_each_frame(|i, r, d| {
        let s = frame_scores(r, d, with_ms_ssim);
        dev.record("psnr_y", i, s.psnr.y, scores.get(i, "psnr_y"));
        dev.record(
            "psnr_cb",
            i,
            s.psnr.cb.expect("cb"),
            scores.get(i, "psnr_cb"),
        );
        dev.record(
            "psnr_cr",
            i,
            s.psnr.cr.expect("cr"),
            scores.get(i, "psnr_cr"),
        );
        dev.record("float_ssim", i, s.ssim, scores.get(i, "float_ssim"));
        if let Some(ms) = s.ms_ssim {
            dev.record("float_ms_ssim", i, ms, scores.get(i, "float_ms_ssim"));
        }
        for (k, v) in s.float.vif.iter().enumerate() {
            let name = format!("vif_scale{k}");
            dev.record(&format!("float_{name}"), i, *v, features.get(i, &name));
        }
        dev.record("float_adm2", i, s.float.adm2, features.get(i, "adm2"));
        // The per-scale sums are logged with more significant digits than
        // the scores: they show whether the port is bit-exact.
        let (vif, adm) = (&s.float.vif_detail, &s.float.adm_detail);
        for k in 0..4 {
            for (name, ours) in [
                (format!("vif_num_scale{k}"), vif.num[k]),
                (format!("vif_den_scale{k}"), vif.den[k]),
                (format!("adm_num_scale{k}"), adm.num[k]),
                (format!("adm_den_scale{k}"), adm.den[k]),
            ] {
                dev.record(
                    &format!("float_{name}"),
                    i,
                    f64::from(ours),
                    features.get(i, &name),
                );
            }
        }
        if let Some(m) = motion.push(s.float.blurred_ref) {
            record_motion(&mut dev, m);
        }
    });
    if let Some(m) = motion.finish() {
        record_motion(&mut dev, m);
    }
    assert_eq!(n, scores.len(), "{}: frame count", pair.name);
    // libvmaf logs 6 decimals, so an exact port is within 5e-7; VIF's sums
    // are f32 values that 6 decimals print exactly. ADM divides with the
    // CPU's `rcpss` estimate, which differs between CPU vendors (the logs
    // come from an AMD machine): allow an f32 ulp or two of its sums there.
    dev.check(pair.name, |metric| {
        if metric.starts_with("float_adm_") {
            2e-5
        } else if metric == "float_adm2" {
            2e-6
        } else {
            1e-6
        }
    });
}

#[test]
fn bigbuckbunny_x264_crf18() {
    check_pair(extra_common::BBB_CRF18, true);
}

#[test]
fn bigbuckbunny_x264_crf28() {
    check_pair(extra_common::BBB_CRF28, true);
}

#[test]
fn bigbuckbunny_x264_crf38() {
    check_pair(extra_common::BBB_CRF38, true);
}

#[test]
fn bigbuckbunny_x265_crf30() {
    check_pair(extra_common::BBB_X265, true);
}

#[test]
fn bikes_x265_main10_crf28() {
    check_pair(extra_common::BIKES_10BIT, true);
}

/// 176x144 is too small for MS-SSIM; libvmaf logged PSNR and SSIM only.
#[test]
fn carphone() {
    check_pair(extra_common::CARPHONE, false);
}
