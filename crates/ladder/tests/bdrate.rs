//! BD-rate against published and reference values, its algebra as
//! properties, and its refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use reel_ladder::{bd_rate, Error, RatePoint};

fn curve(points: &[(f64, f64)]) -> Vec<RatePoint> {
    points.iter().map(|&(r, q)| RatePoint::new(r, q)).collect()
}

/// JCTVC-E137's first test case: anchor and test curves (kb/s, PSNR dB).
fn jctvc_case_1() -> (Vec<RatePoint>, Vec<RatePoint>) {
    let a = curve(&[
        (108048.8736, 43.6471),
        (61279.976, 40.3953),
        (33905.6656, 37.247),
        (18883.6928, 34.2911),
    ]);
    let b = curve(&[
        (108061.2784, 43.6768),
        (61299.9936, 40.4232),
        (33928.7472, 37.2761),
        (18910.912, 34.3147),
    ]);
    (a, b)
}

/// JCTVC-E137's two test cases (kb/s, PSNR dB), whose published BD-rates
/// are -0.4652 % and -1.8780 %.
#[test]
fn reproduces_the_jctvc_e137_values() {
    let (a1, b1) = jctvc_case_1();
    let a2 = curve(&[
        (40433.8848, 37.5761),
        (7622.7456, 35.3756),
        (2394.488, 33.8977),
        (1017.6184, 32.0603),
    ]);
    let b2 = curve(&[
        (40370.12, 37.5982),
        (7587.0024, 35.4025),
        (2390.0944, 33.9194),
        (1017.0984, 32.0822),
    ]);
    assert!((bd_rate(&a1, &b1).unwrap() - -0.4652).abs() < 1e-3);
    assert!((bd_rate(&a2, &b2).unwrap() - -1.8780).abs() < 1e-3);
}

/// Reference values from the method of Netflix vmaf's `bd_rate.py`
/// (SciPy `pchip_interpolate`, trapezoid on 100 samples), run on the same
/// points, including a pair of VMAF ladders that overlap only in part.
#[test]
fn matches_the_scipy_reference_implementation() {
    let a = curve(&[
        (235.0, 62.1),
        (375.0, 70.3),
        (560.0, 77.8),
        (750.0, 82.0),
        (1050.0, 86.9),
        (1750.0, 91.8),
        (2350.0, 94.0),
        (3000.0, 95.4),
        (4300.0, 96.9),
        (5800.0, 97.8),
    ]);
    let b = curve(&[
        (180.0, 60.0),
        (300.0, 69.5),
        (450.0, 77.0),
        (700.0, 84.2),
        (1100.0, 89.9),
        (1600.0, 93.1),
        (2400.0, 95.6),
        (3400.0, 97.0),
    ]);
    let cases = [(&a, &b, -18.329442932517882), (&b, &a, 22.443146698966142)];
    for (x, y, want) in cases {
        let got = bd_rate(x, y).unwrap();
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }
    let (jctvc_a, jctvc_b) = jctvc_case_1();
    let got = bd_rate(&jctvc_a, &jctvc_b).unwrap();
    assert!((got - -0.465209803318023).abs() < 1e-9, "{got}");
}

#[test]
fn bad_curves_are_refused_with_the_reason() {
    let good = curve(&[(100.0, 30.0), (200.0, 35.0), (400.0, 40.0), (800.0, 45.0)]);
    assert_eq!(
        bd_rate(&good[..3], &good),
        Err(Error::ShortCurve {
            curve: "A",
            got: 3,
            need: 4
        })
    );
    let flat = curve(&[(100.0, 30.0), (200.0, 35.0), (400.0, 35.0), (800.0, 45.0)]);
    assert!(matches!(
        bd_rate(&good, &flat),
        Err(Error::NotMonotone { curve: "B", .. })
    ));
    let falling = curve(&[(100.0, 30.0), (300.0, 35.0), (250.0, 40.0), (800.0, 45.0)]);
    assert!(matches!(
        bd_rate(&falling, &good),
        Err(Error::NotMonotone { curve: "A", .. })
    ));
    let zero = curve(&[(0.0, 30.0), (200.0, 35.0), (400.0, 40.0), (800.0, 45.0)]);
    assert!(matches!(
        bd_rate(&good, &zero),
        Err(Error::BadRate { curve: "B", .. })
    ));
    let apart = curve(&[(100.0, 50.0), (200.0, 55.0), (400.0, 60.0), (800.0, 65.0)]);
    assert!(matches!(
        bd_rate(&good, &apart),
        Err(Error::NoOverlap { .. })
    ));
}

/// A strictly rising curve of 4 to 12 points with rates 50..20000.
fn rising_curve() -> impl Strategy<Value = Vec<RatePoint>> {
    prop::collection::vec((0.05f64..1.0, 0.2f64..5.0), 4..12).prop_map(|steps| {
        let (mut rate, mut quality) = (50.0, 20.0);
        steps
            .into_iter()
            .map(|(dr, dq)| {
                rate *= 1.0 + dr;
                quality += dq;
                RatePoint::new(rate, quality)
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn a_curve_against_itself_is_zero(a in rising_curve()) {
        prop_assert!(bd_rate(&a, &a).unwrap().abs() < 1e-9);
    }

    #[test]
    fn scaling_every_rate_by_c_gives_c_minus_one(a in rising_curve(), c in 0.3f64..3.0) {
        let b: Vec<RatePoint> = a.iter().map(|p| RatePoint::new(p.rate * c, p.quality)).collect();
        prop_assert!((bd_rate(&a, &b).unwrap() - (c - 1.0) * 100.0).abs() < 1e-6);
    }

    #[test]
    fn swapping_the_curves_inverts_the_ratio(a in rising_curve(), b in rising_curve()) {
        if let (Ok(ab), Ok(ba)) = (bd_rate(&a, &b), bd_rate(&b, &a)) {
            prop_assert!(((1.0 + ab / 100.0) * (1.0 + ba / 100.0) - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn point_order_does_not_matter(a in rising_curve(), b in rising_curve()) {
        let mut shuffled = b.clone();
        shuffled.reverse();
        shuffled.rotate_left(1);
        prop_assert_eq!(bd_rate(&a, &b), bd_rate(&a, &shuffled));
    }
}
