//! Combing detector: does a picture look like two fields taken at
//! different instants?
//!
//! For sample pixels on two adjacent lines (one per field), compare each
//! one's second difference across the other field with the one along its
//! own field. Motion between fields makes both lines stick out of the other
//! field in opposite directions ("teeth") while each stays smooth within
//! its own field; in a progressive picture an edge or a thin line fails one
//! of these tests. One line pair in 16 to 32 is sampled, about 34 pairs in
//! pictures of 540 lines or more ([`line_step`]): combing spans many lines,
//! and this keeps the cost to a fraction of one pass.

use super::luma::{Luma, Sample};
use reel_core::PlaneRef;

/// Combing evidence in one picture.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CombMeasure {
    /// Sampled pixel pairs that show field teeth.
    pub combed: u32,
    pub sampled: u32,
}

impl CombMeasure {
    /// Share of sampled pixels that show combing.
    pub fn fraction(&self) -> f64 {
        if self.sampled == 0 {
            0.0
        } else {
            f64::from(self.combed) / f64::from(self.sampled)
        }
    }
}

/// Lines between sampled line pairs in a picture `height` lines high: 16 up
/// to 543 lines, then about 34 pairs per picture, at most 32 lines apart.
fn line_step(height: usize) -> usize {
    (height / 34).clamp(16, 32)
}

/// Cross-field second difference (8-bit units) below which a pixel never counts.
const MIN_TOOTH: i16 = 24;

#[inline(always)]
pub fn comb_measure(luma: Luma<'_>) -> CombMeasure {
    match luma {
        Luma::U8(p) => measure(p, 0),
        Luma::U16(p, _) => measure(p, luma.shift()),
    }
}

#[inline(always)]
fn measure<T: Sample>(p: PlaneRef<'_, T>, shift: u32) -> CombMeasure {
    let h = p.height();
    let mut m = CombMeasure::default();
    if h < 6 {
        return m;
    }
    // 16-bit lanes on 8-bit values: every term stays within +-3 x 1020.
    let min_tooth = MIN_TOOTH;
    for y in (2..h - 3).step_by(line_step(h)) {
        let (r0, r1, l0, l1, r4, r5) = (
            p.row(y - 2),
            p.row(y - 1),
            p.row(y),
            p.row(y + 1),
            p.row(y + 2),
            p.row(y + 3),
        );
        let mut combed = 0u32;
        let columns = r0.iter().zip(r1).zip(l0).zip(l1).zip(r4).zip(r5);
        for (((((&r0, &r1), &c0), &c1), &r4), &r5) in columns {
            let v = |s: T| (s.value() >> shift).min(255) as i16;
            let (r0, r1, c0, c1, r4, r5) = (v(r0), v(r1), v(c0), v(c1), v(r4), v(r5));
            // Lines y and y+1 belong to different fields: both must stick out
            // of the other field, in opposite directions, and sit smoothly in
            // their own field.
            let cross0 = 2 * c0 - r1 - c1;
            let cross1 = 2 * c1 - c0 - r4;
            let same0 = (2 * c0 - r0 - r4).abs();
            let same1 = (2 * c1 - r1 - r5).abs();
            let teeth = (cross0 > min_tooth && cross1 < -min_tooth)
                || (cross0 < -min_tooth && cross1 > min_tooth);
            let smooth = cross0.abs() > 3 * same0 && cross1.abs() > 3 * same1;
            combed += u32::from(teeth && smooth);
        }
        m.combed += combed;
        m.sampled += l0.len() as u32;
    }
    m
}

/// Counts combed frames over a title.
#[derive(Debug, Clone, Default)]
pub struct CombDetector {
    /// Share of combed sample pixels that makes a frame combed.
    pub min_fraction: f64,
    pub combed_frames: u64,
    pub frames: u64,
}

impl CombDetector {
    pub fn new(min_fraction: f64) -> Self {
        Self {
            min_fraction,
            ..Self::default()
        }
    }

    pub fn push(&mut self, m: CombMeasure) -> bool {
        self.frames += 1;
        let combed = m.sampled > 0 && m.fraction() >= self.min_fraction;
        self.combed_frames += u64::from(combed);
        combed
    }

    /// Whether the pictures look interlaced: combing in a sizeable share of
    /// frames (static interlaced scenes show none, so not all are needed).
    pub fn looks_interlaced(&self) -> bool {
        self.combed_frames >= 3 && self.combed_frames * 10 >= self.frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_core::Plane;

    fn plane(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Plane<u8> {
        let data = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y));
        Plane::from_vec(data.collect(), w, h, w).unwrap()
    }

    #[test]
    fn woven_fields_of_a_moving_edge_comb() {
        // Field 0 sees an edge at x=20, field 1 at x=30.
        let p = plane(64, 32, |x, y| {
            let edge = if y % 2 == 0 { 20 } else { 30 };
            if x < edge {
                40
            } else {
                200
            }
        });
        let m = comb_measure(Luma::U8(p.view()));
        assert!(m.fraction() > 0.1, "{m:?}");
    }

    #[test]
    fn progressive_edges_and_lines_do_not_comb() {
        let p = plane(64, 32, |x, y| {
            if y == 10 || x < 20 || (y > 20 && x > 40) {
                220
            } else {
                30
            }
        });
        assert_eq!(comb_measure(Luma::U8(p.view())).combed, 0);
    }
}
