//! The trial plan: which parts of the title the trial encodes look at.
//! Segments of about 4 s, starting on a GOP boundary, stratified by shot
//! complexity so easy and hard content are both measured, covering 20-25 %
//! of the title; a short title is measured whole.

use reel_core::manifest::Shot;
use serde::{Deserialize, Serialize};

/// How much of the title to sample, and in what pieces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRules {
    /// Length of one segment, frames (about 4 s).
    pub segment_frames: u64,
    /// Share of the title the segments cover together (0.2-0.25).
    pub coverage: f64,
    /// Segment starts are multiples of this (the encode's GOP).
    pub gop_frames: u64,
}

impl PlanRules {
    /// 4 s segments, 22.5 % coverage, 2 s GOP at `fps` frames per second.
    pub fn for_frame_rate(fps: f64) -> PlanRules {
        let fps = if fps.is_finite() && fps > 0.0 {
            fps
        } else {
            25.0
        };
        PlanRules {
            segment_frames: ((4.0 * fps).round() as u64).max(1),
            coverage: 0.225,
            gop_frames: ((2.0 * fps).round() as u64).max(1),
        }
    }
}

/// One stretch of the title that every trial encode covers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrialSegment {
    pub start_frame: u64,
    pub frame_count: u64,
    /// Complexity (0-1) of the shot the segment was chosen for.
    pub complexity: f64,
}

/// The segments for a title of `frame_count` frames with `shots` (from
/// inspect.json; may be empty), ascending by start frame and disjoint.
pub fn plan_trials(frame_count: u64, shots: &[Shot], rules: &PlanRules) -> Vec<TrialSegment> {
    let seg = rules.segment_frames.max(1);
    let gop = rules.gop_frames.max(1);
    let mean_complexity = if shots.is_empty() {
        0.5
    } else {
        shots.iter().map(|s| s.complexity).sum::<f64>() / shots.len() as f64
    };
    let wanted = ((frame_count as f64 * rules.coverage) / seg as f64).ceil() as u64;
    // Too short to sample: measure it all.
    if frame_count <= seg * 2 || (wanted <= 1 && frame_count <= seg * 4) {
        return vec![TrialSegment {
            start_frame: 0,
            frame_count,
            complexity: mean_complexity,
        }];
    }
    let wanted = wanted.max(1) as usize;
    // Complexity strata: shots sorted by complexity, cut into `wanted` runs
    // of equal duration; each run contributes its middle shot.
    let mut by_complexity: Vec<&Shot> = shots
        .iter()
        .filter(|s| s.end_frame >= s.start_frame)
        .collect();
    by_complexity.sort_by(|a, b| a.complexity.total_cmp(&b.complexity));
    let total: u64 = by_complexity
        .iter()
        .map(|s| s.end_frame - s.start_frame + 1)
        .sum();
    let mut picks: Vec<(u64, f64)> = Vec::new();
    if total > 0 {
        let mut acc = 0u64;
        for s in &by_complexity {
            let len = s.end_frame - s.start_frame + 1;
            // The shot holding the middle of stratum k.
            let k = picks.len() as u64;
            let middle = (2 * k + 1) * total / (2 * wanted as u64);
            if acc + len > middle && picks.len() < wanted {
                picks.push(((s.start_frame + s.end_frame) / 2, s.complexity));
            }
            acc += len;
        }
    }
    // No shots (or fewer than wanted): evenly spaced segments fill in.
    let mut k = 0;
    while picks.len() < wanted {
        let centre = (2 * k + 1) * frame_count / (2 * wanted as u64);
        picks.push((centre, mean_complexity));
        k += 1;
    }
    place_segments(frame_count, seg, gop, &picks)
}

/// Segments of `seg` frames on GOP boundaries, each as near its pick's
/// centre as the title and the segments already placed allow.
fn place_segments(frame_count: u64, seg: u64, gop: u64, picks: &[(u64, f64)]) -> Vec<TrialSegment> {
    let last_start = frame_count.saturating_sub(seg) / gop * gop;
    let mut out: Vec<TrialSegment> = Vec::new();
    for &(centre, complexity) in picks {
        let ideal = (centre.saturating_sub(seg / 2) + gop / 2) / gop * gop;
        // Nearest free GOP-aligned start: try the ideal, then walk outward.
        let free = |start: u64| {
            out.iter()
                .all(|s| start + seg <= s.start_frame || start >= s.start_frame + s.frame_count)
        };
        let candidates = (0..=last_start / gop).flat_map(|d| {
            let lo = ideal.checked_sub(d * gop);
            let hi = Some(ideal + d * gop).filter(|&h| h <= last_start);
            [lo, hi].into_iter().flatten()
        });
        if let Some(start) = candidates.map(|s| s.min(last_start)).find(|&s| free(s)) {
            out.push(TrialSegment {
                start_frame: start,
                frame_count: seg.min(frame_count - start),
                complexity,
            });
        }
    }
    out.sort_by_key(|s| s.start_frame);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_core::manifest::Stat;

    fn shot(start: u64, end: u64, complexity: f64) -> Shot {
        Shot {
            start_frame: start,
            end_frame: end,
            start_s: start as f64 / 25.0,
            duration_s: (end - start + 1) as f64 / 25.0,
            si: Stat {
                mean: 0.0,
                max: 0.0,
            },
            ti: Stat {
                mean: 0.0,
                max: 0.0,
            },
            complexity,
        }
    }

    /// A 10-minute title of 5 s shots whose complexity cycles 0.1 .. 0.9.
    fn title() -> (u64, Vec<Shot>) {
        let n = 15_000;
        let shots = (0..n / 125)
            .map(|i| {
                shot(
                    i * 125,
                    i * 125 + 124,
                    0.1 + 0.8 * ((i * 7) % 9) as f64 / 8.0,
                )
            })
            .collect();
        (n, shots)
    }

    #[test]
    fn segments_cover_a_fifth_to_a_quarter_on_gop_boundaries_without_overlap() {
        let (n, shots) = title();
        let rules = PlanRules::for_frame_rate(25.0);
        let segs = plan_trials(n, &shots, &rules);
        let covered: u64 = segs.iter().map(|s| s.frame_count).sum();
        let share = covered as f64 / n as f64;
        assert!((0.2..=0.25).contains(&share), "{share}");
        for w in segs.windows(2) {
            assert!(
                w[0].start_frame + w[0].frame_count <= w[1].start_frame,
                "{w:?}"
            );
        }
        assert!(segs
            .iter()
            .all(|s| s.start_frame % 50 == 0 && s.frame_count == 100));
        // Easy and hard content are both sampled.
        let lo = segs.iter().map(|s| s.complexity).fold(1.0, f64::min);
        let hi = segs.iter().map(|s| s.complexity).fold(0.0, f64::max);
        assert!(lo < 0.25 && hi > 0.75, "{lo}..{hi}");
    }

    #[test]
    fn a_short_title_is_measured_whole() {
        let segs = plan_trials(132, &[shot(0, 131, 0.4)], &PlanRules::for_frame_rate(25.0));
        assert_eq!(
            segs,
            vec![TrialSegment {
                start_frame: 0,
                frame_count: 132,
                complexity: 0.4
            }]
        );
    }

    #[test]
    fn a_title_without_shots_gets_evenly_spaced_segments() {
        let segs = plan_trials(9000, &[], &PlanRules::for_frame_rate(25.0));
        assert_eq!(segs.len(), 21); // ceil(9000 * 0.225 / 100)
        let gaps: Vec<u64> = segs
            .windows(2)
            .map(|w| w[1].start_frame - w[0].start_frame)
            .collect();
        assert!(gaps.iter().all(|&g| (350..=500).contains(&g)), "{gaps:?}");
    }
}
