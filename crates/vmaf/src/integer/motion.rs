//! Integer motion (libvmaf 3.2 `motion`): the mean absolute value of the
//! blurred difference of two consecutive reference frames.

use super::vif_stats::Img;
use super::{mirror_a, Luma, Pixel};
use crate::simd::Isa;
use reel_core::Plane;

/// The 5-tap Gaussian (Q16) of motion.
pub const MOTION_FILTER: [i32; 5] = [3571, 16004, 26386, 16004, 3571];

/// Row buffers reused from frame to frame.
#[derive(Debug, Default)]
pub struct MotionScratch {
    y: Vec<i32>,
}

/// The SAD score of `cur` against the previous reference frame `prev`
/// (`VMAF_integer_feature_motion_sad_score`, logged as `integer_motion`).
pub fn motion_sad(prev: Luma<'_>, cur: Luma<'_>, isa: Isa, scratch: &mut MotionScratch) -> f64 {
    let sad = match (prev, cur) {
        (Luma::U8(p), Luma::U8(c)) => isa.run(
            #[inline(always)]
            || sad_generic(img(p), img(c), 8, &mut scratch.y),
        ),
        (Luma::U16(p, b), Luma::U16(c, _)) => isa.run(
            #[inline(always)]
            || sad_generic(img(p), img(c), b, &mut scratch.y),
        ),
        _ => 0,
    };
    let (w, h) = (cur.width() as f64, cur.height() as f64);
    (sad as f64 / 256.0 / (w * h)).min(10000.0)
}

/// motion2 of frame `i` from the SAD scores of frames `i` and `i+1`.
pub fn motion2(sad_i: f64, sad_next: Option<f64>) -> f64 {
    match sad_next {
        Some(n) => sad_i.min(n),
        None => sad_i,
    }
}

fn img<P>(p: &Plane<P>) -> Img<'_, P> {
    Img {
        data: p.data(),
        stride: p.stride(),
        width: p.width(),
        height: p.height(),
    }
}

#[inline(always)]
fn sad_generic<P: Pixel>(prev: Img<'_, P>, cur: Img<'_, P>, bpc: u32, y: &mut Vec<i32>) -> u64 {
    let (w, h) = (cur.width, cur.height);
    y.clear();
    y.resize(w + 4, 0);
    let round = 1i32 << (bpc - 1);
    let mut total = 0u64;
    for i in 0..h {
        let rows: [usize; 5] = std::array::from_fn(|k| mirror_a(i as isize - 2 + k as isize, h));
        let acc = &mut y[2..2 + w];
        acc.fill(0);
        for (k, &r) in rows.iter().enumerate() {
            let f = MOTION_FILTER[k];
            for ((a, &p), &c) in acc.iter_mut().zip(prev.row(r)).zip(cur.row(r)) {
                *a += f * (p.to_u32() as i32 - c.to_u32() as i32);
            }
        }
        let mut any = false;
        for a in acc.iter_mut() {
            *a = (*a + round) >> bpc;
            any |= *a != 0;
        }
        if !any {
            continue;
        }
        for f in 1..=2 {
            y[2 - f] = y[2 + mirror_a(-(f as isize), w)];
            y[2 + w - 1 + f] = y[2 + mirror_a((w - 1 + f) as isize, w)];
        }
        let mut row_sad = 0u32;
        for win in y.windows(5) {
            let x = i64::from(MOTION_FILTER[0]) * i64::from(win[0] + win[4])
                + i64::from(MOTION_FILTER[1]) * i64::from(win[1] + win[3])
                + i64::from(MOTION_FILTER[2]) * i64::from(win[2]);
            row_sad += ((x + 32768) >> 16).unsigned_abs() as u32;
        }
        total += u64::from(row_sad);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn still_frames_have_no_motion() {
        let p = Plane::<u8>::new(16, 8);
        let mut sc = MotionScratch::default();
        assert_eq!(
            motion_sad(Luma::U8(&p), Luma::U8(&p), Isa::detect(), &mut sc),
            0.0
        );
    }

    #[test]
    fn constant_step_is_exact() {
        // A uniform difference of 10 blurs to 10 everywhere: SAD/256 per
        // pixel = 10·256/256.
        let a = Plane::from_vec(vec![20u8; 12 * 9], 12, 9, 12).unwrap_or_else(|| Plane::new(1, 1));
        let b = Plane::from_vec(vec![10u8; 12 * 9], 12, 9, 12).unwrap_or_else(|| Plane::new(1, 1));
        let mut sc = MotionScratch::default();
        let s = motion_sad(Luma::U8(&a), Luma::U8(&b), Isa::detect(), &mut sc);
        assert_eq!(s, 10.0);
    }

    #[test]
    fn motion2_takes_the_smaller_neighbour() {
        assert_eq!(motion2(3.0, Some(2.0)), 2.0);
        assert_eq!(motion2(3.0, None), 3.0);
    }
}
