//! Lining up a rendition's frames with the source's by their signatures, to
//! find dropped and duplicated frames and to pair frames for scoring.
//!
//! A dynamic programme maps every output frame to a source frame, moving
//! forward by one source frame per output frame at no cost, by zero (a
//! duplicate) or by two or three (drops) at a penalty. The cost of a mapping
//! is the sum of signature distances plus its penalties, so a drop or a
//! duplicate is reported only where it explains the pictures better than
//! coding noise could. A second term asks the motion between consecutive
//! output frames to match the motion between the source frames they map to.

use crate::signature::Signature;

/// Penalty of one duplicated or dropped frame, in signature distance units
/// (8-bit levels). Coding noise moves a signature by well under one level.
const EVENT_PENALTY: f32 = 4.0;
/// Largest step forward in the source between consecutive output frames.
const MAX_STEP: usize = 3;
/// Weight of the motion agreement term: the change between consecutive
/// output frames should equal the change between the source frames they map
/// to (none for a duplicate). Coding noise is largely shared by neighbouring
/// frames, so this finds the exact frame of a repeat or a drop in slow scenes
/// where the pictures alone cannot.
const MOTION_WEIGHT: f32 = 2.0;
/// Largest match cost of one frame. A picture unlike any source frame (black,
/// garbage) costs the same wherever it is placed, so it cannot pull the
/// alignment into inventing repeats and drops around it.
const MATCH_CAP: f32 = 8.0;
/// Largest motion term of one step, for the same reason.
const MOTION_CAP: f32 = 1.0;

fn match_cost(a: &Signature, b: &Signature) -> f32 {
    a.shape_distance(b).min(MATCH_CAP)
}

/// Where each output frame comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Alignment {
    /// Source frame index of each output frame.
    pub source_of: Vec<usize>,
    /// Source frames no output frame shows.
    pub dropped: Vec<usize>,
    /// Output frames that show the same source frame as the one before.
    pub duplicated: Vec<usize>,
}

fn step_penalty(step: usize) -> f32 {
    match step {
        1 => 0.0,
        0 => EVENT_PENALTY,
        n => EVENT_PENALTY * (n - 1) as f32,
    }
}

/// Aligns `output` to `source`. Empty when either is empty.
pub fn align(source: &[Signature], output: &[Signature]) -> Alignment {
    let (m, n) = (source.len(), output.len());
    if m == 0 || n == 0 {
        return Alignment {
            dropped: (0..m).collect(),
            ..Alignment::default()
        };
    }
    // Source frames considered for output frame i: i - band ..= i + band.
    let band = 16 + 2 * m.abs_diff(n);
    let width = 2 * band + 1;
    let lo = |i: usize| i.saturating_sub(band);
    let hi = |i: usize| (i + band).min(m - 1);
    let mut cost = vec![f32::INFINITY; n * width];
    let mut back = vec![0u8; n * width];
    let at = |i: usize, j: usize| i * width + (j + band - i);
    for j in 0..=hi(0).min(MAX_STEP - 1) {
        cost[at(0, j)] = match_cost(&source[j], &output[0]) + EVENT_PENALTY * j as f32;
    }
    for i in 1..n {
        let out_motion = output[i].shape_distance(&output[i - 1]);
        for j in lo(i)..=hi(i) {
            let mut best = (f32::INFINITY, 0u8);
            for step in 0..=MAX_STEP.min(j) {
                let pj = j - step;
                if pj < lo(i - 1) || pj > hi(i - 1) {
                    continue;
                }
                let motion = (out_motion - source[j].shape_distance(&source[pj])).abs();
                let c = cost[at(i - 1, pj)]
                    + step_penalty(step)
                    + (MOTION_WEIGHT * motion).min(MOTION_CAP);
                if c < best.0 {
                    best = (c, step as u8);
                }
            }
            if best.0.is_finite() {
                cost[at(i, j)] = best.0 + match_cost(&source[j], &output[i]);
                back[at(i, j)] = best.1;
            }
        }
    }
    // Source frames after the last shown one count as dropped.
    let last = n - 1;
    let mut end = (f32::INFINITY, 0usize);
    for j in lo(last)..=hi(last) {
        let c = cost[at(last, j)] + EVENT_PENALTY * (m - 1 - j) as f32;
        if c < end.0 {
            end = (c, j);
        }
    }
    let mut source_of = vec![0usize; n];
    let mut j = end.1;
    for i in (0..n).rev() {
        source_of[i] = j;
        if i > 0 {
            j -= usize::from(back[at(i, j)]);
        }
    }
    let mut dropped: Vec<usize> = (0..source_of[0]).collect();
    let mut duplicated = Vec::new();
    for i in 1..n {
        let (a, b) = (source_of[i - 1], source_of[i]);
        if a == b {
            duplicated.push(i);
        }
        dropped.extend(a + 1..b);
    }
    dropped.extend(source_of[n - 1] + 1..m);
    Alignment {
        source_of,
        dropped,
        duplicated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::GRID;

    fn clip(n: usize) -> Vec<Signature> {
        (0..n)
            .map(|i| {
                let mut s = [0f32; GRID * GRID];
                for (k, v) in s.iter_mut().enumerate() {
                    *v = ((i * 7 + k * 13) % 200) as f32;
                }
                Signature(s)
            })
            .collect()
    }

    fn noisy(s: &[Signature]) -> Vec<Signature> {
        s.iter()
            .enumerate()
            .map(|(i, sig)| {
                let mut out = *sig;
                for (k, v) in out.0.iter_mut().enumerate() {
                    *v += if (i + k) % 2 == 0 { 0.4 } else { -0.4 };
                }
                out
            })
            .collect()
    }

    #[test]
    fn a_faithful_copy_aligns_one_to_one() {
        let src = clip(100);
        let a = align(&src, &noisy(&src));
        assert_eq!(a.source_of, (0..100).collect::<Vec<_>>());
        assert!(a.dropped.is_empty() && a.duplicated.is_empty());
    }

    #[test]
    fn finds_a_dropped_and_a_duplicated_frame() {
        let src = clip(100);
        let mut out = src.clone();
        out.remove(30);
        let a = align(&src, &noisy(&out));
        assert_eq!(a.dropped, vec![30]);
        assert!(a.duplicated.is_empty());

        let mut out = src.clone();
        out.insert(61, src[60]);
        let a = align(&src, &noisy(&out));
        assert_eq!(a.duplicated, vec![61]);
        assert!(a.dropped.is_empty());
    }

    #[test]
    fn finds_frames_missing_at_the_ends() {
        let src = clip(50);
        let a = align(&src, &noisy(&src[2..48]));
        assert_eq!(a.dropped, vec![0, 1, 48, 49]);
    }
}
