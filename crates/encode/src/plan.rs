//! The chunk plan: shot cuts become chunk boundaries, merged up to a minimum
//! and split down to a maximum length. Every rung uses the same plan.

use reel_core::manifest::ChunkSpan;

/// Limits of the chunk plan, in frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkLimits {
    pub min_frames: u64,
    pub max_frames: u64,
}

/// Splits `0..frame_count` at `cuts`: a cut closer than `min_frames` to the
/// previous boundary is dropped, a stretch longer than `max_frames` is split
/// into equal parts, and a last chunk shorter than `min_frames` joins the one
/// before it (unless that would pass `max_frames`).
pub fn plan_chunks(frame_count: u64, cuts: &[u64], limits: ChunkLimits) -> Vec<ChunkSpan> {
    let min = limits.min_frames.max(1);
    let max = limits.max_frames.max(min);
    let mut bounds = vec![0u64];
    let mut sorted: Vec<u64> = cuts
        .iter()
        .copied()
        .filter(|&c| c > 0 && c < frame_count)
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    for c in sorted {
        let last = bounds.last().copied().unwrap_or(0);
        if c - last >= min && frame_count - c >= min {
            bounds.push(c);
        }
    }
    bounds.push(frame_count);
    let mut spans = Vec::new();
    for w in bounds.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = b - a;
        if len == 0 {
            continue;
        }
        let parts = len.div_ceil(max);
        for p in 0..parts {
            let s = a + len * p / parts;
            let e = a + len * (p + 1) / parts;
            spans.push((s, e));
        }
    }
    if spans.len() >= 2 {
        let n = spans.len();
        let (ls, le) = spans[n - 1];
        let (ps, _) = spans[n - 2];
        if le - ls < min && le - ps <= max {
            spans.pop();
            spans[n - 2].1 = le;
        }
    }
    spans
        .into_iter()
        .enumerate()
        .map(|(index, (s, e))| ChunkSpan {
            index,
            start_frame: s,
            frame_count: e - s,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covers(spans: &[ChunkSpan], n: u64) -> bool {
        let mut next = 0;
        for s in spans {
            if s.start_frame != next || s.frame_count == 0 {
                return false;
            }
            next += s.frame_count;
        }
        next == n
    }

    #[test]
    fn cuts_become_boundaries_within_limits() {
        let l = ChunkLimits {
            min_frames: 10,
            max_frames: 100,
        };
        let p = plan_chunks(250, &[5, 60, 65, 200, 245], l);
        assert!(covers(&p, 250));
        let starts: Vec<u64> = p.iter().map(|s| s.start_frame).collect();
        assert_eq!(starts, vec![0, 60, 130, 200]);
        assert!(p
            .iter()
            .all(|s| s.frame_count >= 10 && s.frame_count <= 100));
    }

    #[test]
    fn no_cuts_splits_evenly_and_tiny_titles_make_one_chunk() {
        let p = plan_chunks(
            132,
            &[],
            ChunkLimits {
                min_frames: 25,
                max_frames: 50,
            },
        );
        assert!(covers(&p, 132));
        assert_eq!(p.len(), 3);
        let one = plan_chunks(
            7,
            &[3],
            ChunkLimits {
                min_frames: 25,
                max_frames: 50,
            },
        );
        assert_eq!(one.len(), 1);
        assert!(covers(&one, 7));
    }

    #[test]
    fn every_plan_covers_the_title() {
        for n in [1u64, 2, 49, 50, 51, 250, 1000] {
            for (min, max) in [(1, 1), (10, 30), (25, 250)] {
                let cuts: Vec<u64> = (0..n).step_by(7).collect();
                let p = plan_chunks(
                    n,
                    &cuts,
                    ChunkLimits {
                        min_frames: min,
                        max_frames: max,
                    },
                );
                assert!(covers(&p, n), "n={n} min={min} max={max}");
                assert!(p.iter().all(|s| s.frame_count <= max));
            }
        }
    }
}
