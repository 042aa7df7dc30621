//! Rung selection on hulls shaped like real per-title results.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reel_core::Resolution;
use reel_ladder::{select_rungs, upper_hull, RungRules, TrialPoint};

/// Trial points of a typical title: per resolution, VMAF saturating with
/// rate toward a ceiling that rises with resolution; low resolutions win at
/// low rates, high ones at high rates.
fn trials() -> Vec<TrialPoint> {
    let mut pts = Vec::new();
    for (h, ceiling, scale) in [
        (234u32, 62.0, 150.0),
        (360, 76.0, 300.0),
        (432, 81.0, 420.0),
        (540, 87.0, 650.0),
        (720, 93.0, 1100.0),
        (1080, 97.0, 2000.0),
    ] {
        for crf in [18.0, 21.0, 24.0, 27.0, 30.0, 33.0, 36.0, 39.0] {
            let kbps = scale * 8.0 * (-(crf - 18.0) / 6.0_f64 * std::f64::consts::LN_2).exp();
            let vmaf = ceiling * (1.0 - (-kbps / scale).exp()) + 1.0;
            pts.push(TrialPoint {
                resolution: Resolution::new(h * 16 / 9 / 2 * 2, h),
                crf,
                kbps,
                vmaf,
            });
        }
    }
    pts
}

#[test]
fn the_default_rules_give_a_spaced_rising_ladder() {
    let hull = upper_hull(&trials());
    let rules = RungRules::default();
    let sel = select_rungs(&hull, &rules);
    let r = &sel.rungs;
    assert!(sel.warnings.is_empty(), "{:?}", sel.warnings);
    assert!(
        r.len() >= rules.min_rungs && r.len() <= rules.max_rungs,
        "{r:?}"
    );
    let top = r.last().unwrap();
    // The top is the cheapest hull point at the target, or where it stops paying.
    let first_at_target = hull.iter().find(|p| p.vmaf >= rules.target_vmaf).unwrap();
    assert!(top.kbps <= first_at_target.kbps, "{top:?}");
    // Every rung is a hull point, and one sits at the hull point nearest 2 Mb/s.
    assert!(r.iter().all(|p| hull.contains(p)));
    let near_2m = hull
        .iter()
        .min_by(|a, b| {
            (a.kbps / 2000.0)
                .ln()
                .abs()
                .total_cmp(&(b.kbps / 2000.0).ln().abs())
        })
        .unwrap();
    assert!(r.contains(near_2m), "{near_2m:?} not in {r:?}");
    for w in r.windows(2) {
        assert!(w[1].kbps / w[0].kbps >= rules.min_ratio - 1e-9, "{w:?}");
        assert!(w[1].resolution.height >= w[0].resolution.height, "{w:?}");
        // Full steps, except next to the rung moved onto the anchor.
        if w[0] != *near_2m && w[1] != *near_2m {
            assert!(
                w[1].vmaf - w[0].vmaf >= rules.step_vmaf
                    || w[1].kbps / w[0].kbps >= rules.step_ratio,
                "{w:?}"
            );
        }
    }
}

#[test]
fn an_unreachable_target_says_so_and_stops_where_the_hull_stops_paying() {
    let hull = upper_hull(&trials());
    let rules = RungRules {
        target_vmaf: 99.9,
        min_gain_per_doubling: 0.0,
        ..Default::default()
    };
    let sel = select_rungs(&hull, &rules);
    assert_eq!(
        sel.rungs.last(),
        hull.iter().rfind(|p| p.kbps <= rules.max_kbps)
    );
    assert!(
        sel.warnings.iter().any(|w| w.contains("below the target")),
        "{:?}",
        sel.warnings
    );
    // With the default 1 VMAF per doubling the top stops earlier.
    let paying = select_rungs(
        &hull,
        &RungRules {
            target_vmaf: 99.9,
            ..Default::default()
        },
    );
    assert!(paying.rungs.last().unwrap().kbps < sel.rungs.last().unwrap().kbps);
}

#[test]
fn bounds_and_counts_are_kept_or_warned_about() {
    let hull = upper_hull(&trials());
    let few = select_rungs(
        &hull,
        &RungRules {
            max_rungs: 3,
            ..Default::default()
        },
    );
    assert_eq!(few.rungs.len(), 3);
    let all = select_rungs(&hull, &RungRules::default());
    assert_eq!(few.rungs.first(), all.rungs.first());
    assert_eq!(few.rungs.last(), all.rungs.last());
    let capped = select_rungs(
        &hull,
        &RungRules {
            max_kbps: 1500.0,
            ..Default::default()
        },
    );
    assert!(capped.rungs.iter().all(|p| p.kbps <= 1500.0));
    let none = select_rungs(
        &hull,
        &RungRules {
            min_kbps: 1e9,
            max_kbps: 2e9,
            ..Default::default()
        },
    );
    assert!(none.rungs.is_empty());
    assert!(!none.warnings.is_empty());
    let one = select_rungs(&hull[..1], &RungRules::default());
    assert_eq!(one.rungs.len(), 1);
    assert!(
        one.warnings.iter().any(|w| w.contains("only 1 rung")),
        "{:?}",
        one.warnings
    );
    assert!(select_rungs(&[], &RungRules::default()).rungs.is_empty());
}
