//! Choosing the rungs of a ladder from the points of a convex hull: the top
//! rung where the hull reaches the target quality or stops paying, the lower
//! rungs walking down it in quality or bit-rate steps, a rung near the HLS
//! default rate, and resolution never falling as bit rate rises.

use crate::hull::TrialPoint;
use serde::{Deserialize, Serialize};

/// The rules of the walk. The defaults are the ones the ladder issue names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RungRules {
    /// The top rung is the cheapest hull point reaching this VMAF.
    pub target_vmaf: f64,
    /// ... or the last point before the hull gains less than this many VMAF
    /// points per doubling of bit rate.
    pub min_gain_per_doubling: f64,
    /// Bit-rate bounds of every rung, kb/s.
    pub min_kbps: f64,
    pub max_kbps: f64,
    /// Going down, the next rung is the first point at least this many VMAF
    /// points lower or this many times cheaper...
    pub step_vmaf: f64,
    pub step_ratio: f64,
    /// ... and never closer than this rate ratio to the rung above.
    pub min_ratio: f64,
    /// A rung is moved to the hull point nearest this rate (the HLS
    /// authoring spec's 2 Mb/s default variant), if the spacing allows.
    pub anchor_kbps: Option<f64>,
    pub min_rungs: usize,
    pub max_rungs: usize,
}

impl Default for RungRules {
    fn default() -> Self {
        RungRules {
            target_vmaf: 95.0,
            min_gain_per_doubling: 1.0,
            min_kbps: 100.0,
            max_kbps: 16_000.0,
            step_vmaf: 6.0,
            step_ratio: 2.0,
            min_ratio: 1.5,
            anchor_kbps: Some(2000.0),
            min_rungs: 3,
            max_rungs: 8,
        }
    }
}

/// Chosen rungs (ascending bit rate) and what the caller should be told.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selection {
    pub rungs: Vec<TrialPoint>,
    /// Why the ladder is not what the rules asked for (fewer rungs than
    /// `min_rungs`, target not reached...), one sentence each.
    pub warnings: Vec<String>,
}

/// Picks rungs from `hull` (ascending bit rate, as [`crate::upper_hull`]
/// returns it) under `rules`.
pub fn select_rungs(hull: &[TrialPoint], rules: &RungRules) -> Selection {
    let mut warnings = Vec::new();
    let usable = usable_points(hull, rules);
    let Some(top) = top_index(&usable, rules, &mut warnings) else {
        warnings.push(format!(
            "no hull point lies within {:.0}..{:.0} kb/s",
            rules.min_kbps, rules.max_kbps
        ));
        return Selection {
            rungs: Vec::new(),
            warnings,
        };
    };
    let mut chosen = vec![top];
    while let Some(&cur) = chosen.last() {
        match next_down(&usable, cur, rules) {
            Some(i) => chosen.push(i),
            None => break,
        }
    }
    chosen.reverse();
    if let Some(anchor) = rules.anchor_kbps {
        move_to_anchor(&usable, &mut chosen, anchor, rules.min_ratio);
    }
    if chosen.len() > rules.max_rungs {
        thin_out(&usable, &mut chosen, rules.max_rungs);
    }
    if chosen.len() < rules.min_rungs {
        warnings.push(format!(
            "only {} rung(s): the hull spans too little bit rate or quality for {} at the spacing asked",
            chosen.len(),
            rules.min_rungs
        ));
    }
    Selection {
        rungs: chosen.iter().map(|&i| usable[i]).collect(),
        warnings,
    }
}

/// Hull points within the rate bounds whose resolution does not fall below
/// that of a cheaper point (a player switching up must never lose pixels).
fn usable_points(hull: &[TrialPoint], rules: &RungRules) -> Vec<TrialPoint> {
    let mut out: Vec<TrialPoint> = Vec::new();
    for p in hull {
        if p.kbps < rules.min_kbps || p.kbps > rules.max_kbps {
            continue;
        }
        let pixels =
            |q: &TrialPoint| u64::from(q.resolution.width) * u64::from(q.resolution.height);
        if out.last().is_none_or(|last| pixels(p) >= pixels(last)) {
            out.push(*p);
        }
    }
    out
}

/// The top rung: the first point reaching the target, or the last point
/// before the hull stops paying, whichever is cheaper.
fn top_index(
    points: &[TrialPoint],
    rules: &RungRules,
    warnings: &mut Vec<String>,
) -> Option<usize> {
    let last = points.len().checked_sub(1)?;
    let reaches = points.iter().position(|p| p.vmaf >= rules.target_vmaf);
    let stops_paying = points.windows(2).position(|w| {
        let doublings = (w[1].kbps / w[0].kbps).log2();
        (w[1].vmaf - w[0].vmaf) / doublings < rules.min_gain_per_doubling
    });
    if reaches.is_none() && stops_paying.is_none() {
        warnings.push(format!(
            "the hull tops out at VMAF {:.2} below the target {:.2} within {:.0} kb/s",
            points[last].vmaf, rules.target_vmaf, rules.max_kbps
        ));
    }
    Some(reaches.unwrap_or(last).min(stops_paying.unwrap_or(last)))
}

/// The most expensive point below `cur` that is a full step down (in VMAF
/// or rate) and at least `min_ratio` cheaper.
fn next_down(points: &[TrialPoint], cur: usize, rules: &RungRules) -> Option<usize> {
    let c = points[cur];
    (0..cur).rev().find(|&i| {
        let p = points[i];
        let spaced = c.kbps / p.kbps >= rules.min_ratio;
        let step = c.vmaf - p.vmaf >= rules.step_vmaf || c.kbps / p.kbps >= rules.step_ratio;
        spaced && step
    })
}

/// Moves the rung nearest `anchor` (in rate ratio) onto the point nearest
/// it, when that keeps `min_ratio` to both neighbours.
fn move_to_anchor(points: &[TrialPoint], chosen: &mut [usize], anchor: f64, min_ratio: f64) {
    let dist = |kbps: f64| (kbps / anchor).ln().abs();
    let Some(best) =
        (0..points.len()).min_by(|&a, &b| dist(points[a].kbps).total_cmp(&dist(points[b].kbps)))
    else {
        return;
    };
    if chosen.contains(&best) {
        return;
    }
    let Some(slot) = (0..chosen.len())
        .min_by(|&a, &b| dist(points[chosen[a]].kbps).total_cmp(&dist(points[chosen[b]].kbps)))
    else {
        return;
    };
    let k = points[best].kbps;
    let below_ok = slot == 0 || k / points[chosen[slot - 1]].kbps >= min_ratio;
    let above_ok = slot + 1 == chosen.len() || points[chosen[slot + 1]].kbps / k >= min_ratio;
    // The top rung stays where the target put it.
    if below_ok && above_ok && slot + 1 != chosen.len() {
        chosen[slot] = best;
    }
}

/// Drops rungs (never the top or bottom) where they sit closest together
/// in rate until `max` remain.
fn thin_out(points: &[TrialPoint], chosen: &mut Vec<usize>, max: usize) {
    while chosen.len() > max.max(2) {
        let ratio = |i: usize| points[chosen[i + 1]].kbps / points[chosen[i - 1]].kbps;
        let Some(drop) = (1..chosen.len() - 1).min_by(|&a, &b| ratio(a).total_cmp(&ratio(b)))
        else {
            return;
        };
        chosen.remove(drop);
    }
}
