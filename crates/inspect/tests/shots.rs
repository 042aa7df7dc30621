//! Shot-cut accuracy on a clip cut together from real footage with known
//! cuts, a dissolve and a one-frame white flash (see `common::shot_clip`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

#[test]
fn cuts_have_high_precision_and_recall() {
    let r = run(&shot_clip());
    assert_eq!(r.video.as_ref().unwrap().frame_count, 420);
    let (precision, recall) = precision_recall(&r.cuts, &SHOT_TRUTH, 1);
    eprintln!(
        "cuts {:?} truth {:?}: precision {precision:.3} recall {recall:.3}",
        r.cuts, SHOT_TRUTH
    );
    assert!(
        precision >= 0.95 && recall >= 0.95,
        "precision {precision} recall {recall}"
    );
    // The flash (and the return from it) is not a cut.
    assert!(
        r.cuts
            .iter()
            .all(|c| c.abs_diff(SHOT_FLASH) > 1 && c.abs_diff(SHOT_FLASH + 1) > 1),
        "{:?}",
        r.cuts
    );
    // Ground truth has no cut inside the dissolve; none is found there.
    assert!(
        r.cuts.iter().all(|c| !SHOT_DISSOLVE.contains(c)),
        "{:?}",
        r.cuts
    );
    // Shots tile the clip and carry SI/TI.
    assert_eq!(r.shots.len(), r.cuts.len() + 1);
    assert_eq!(r.shots.last().unwrap().end_frame, 419);
    for s in &r.shots {
        assert!(s.si.mean > 0.0 && s.si.max >= s.si.mean, "{s:?}");
        assert!(s.ti.max >= s.ti.mean, "{s:?}");
    }
}

#[test]
fn precision_recall_counts_matches_once() {
    assert_eq!(
        precision_recall(&[10, 11, 30], &[10, 30], 1),
        (2.0 / 3.0, 1.0)
    );
    assert_eq!(precision_recall(&[], &[5], 1), (1.0, 0.0));
}
