//! Integer VIF at four scales (libvmaf `vif`, `integer_vif_scale0..3`).

use super::vif_stats::{downsample, vif_scale, Img, StatsBuf, VifSums};
use super::{Luma, Pixel};
use crate::simd::Isa;
use reel_core::Plane;

/// Quantised Gaussian (Q16) of scale 0, σ = N/5.
const F0: [u16; 17] = [
    489, 935, 1640, 2640, 3896, 5274, 6547, 7455, 7784, 7455, 6547, 5274, 3896, 2640, 1640, 935,
    489,
];
/// Scale 1.
const F1: [u16; 9] = [1244, 3663, 7925, 12590, 14692, 12590, 7925, 3663, 1244];
/// Scale 2.
const F2: [u16; 5] = [3571, 16004, 26386, 16004, 3571];
/// Scale 3.
const F3: [u16; 3] = [10904, 43728, 10904];

/// Quantised Gaussians (Q16) of the four scales, σ = N/5.
pub const VIF_FILTERS: [&[u16]; 4] = [&F0, &F1, &F2, &F3];

/// Per-scale VIF results.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct VifScores {
    /// `num[s] / den[s]` divided in f32, widened.
    pub scale: [f64; 4],
    /// Per-scale numerators as libvmaf stores them (float).
    pub num: [f32; 4],
    /// Per-scale denominators as libvmaf stores them (float).
    pub den: [f32; 4],
}

/// Buffers reused from frame to frame.
#[derive(Debug, Default)]
pub struct VifScratch {
    stats: StatsBuf,
    tmp: Vec<u32>,
    ref_scale: [Vec<u16>; 2],
    dis_scale: [Vec<u16>; 2],
}

fn img<P>(p: &Plane<P>) -> Img<'_, P> {
    Img {
        data: p.data(),
        stride: p.stride(),
        width: p.width(),
        height: p.height(),
    }
}

/// Integer VIF of one frame pair. `egl` is `vif_enhn_gain_limit` (100 by
/// default, 1 for the NEG model). Planes must have equal sizes.
pub fn vif(r: Luma<'_>, d: Luma<'_>, egl: f64, isa: Isa, scratch: &mut VifScratch) -> VifScores {
    match (r, d) {
        (Luma::U8(r), Luma::U8(d)) => vif_generic(img(r), img(d), 8, egl, isa, scratch),
        (Luma::U16(r, b), Luma::U16(d, _)) => vif_generic(img(r), img(d), b, egl, isa, scratch),
        // Mixed widths are rejected before this point; score nothing.
        _ => VifScores::default(),
    }
}

fn finish(sums: &VifSums, s: usize, out: &mut VifScores) {
    let (num, den) = sums.num_den();
    out.num[s] = num;
    out.den[s] = den;
    out.scale[s] = f64::from(num / den);
}

fn vif_generic<P: Pixel>(
    r: Img<'_, P>,
    d: Img<'_, P>,
    bpc: u32,
    egl: f64,
    isa: Isa,
    sc: &mut VifScratch,
) -> VifScores {
    let mut out = VifScores::default();
    let sh_sq0 = 2 * (bpc - 8);
    let sums = isa.run(
        #[inline(always)]
        || vif_scale(r, d, &F0, bpc, sh_sq0, egl, isa, &mut sc.stats),
    );
    finish(&sums, 0, &mut out);

    // Scale 1 from the input (vertical shift = bit depth).
    let VifScratch {
        stats,
        tmp,
        ref_scale,
        dis_scale,
    } = sc;
    let [r1, r2] = ref_scale;
    let [d1, d2] = dis_scale;
    let (mut w, mut h) = isa.run(
        #[inline(always)]
        || {
            downsample(d, VIF_FILTERS[1], bpc, tmp, d1);
            downsample(r, VIF_FILTERS[1], bpc, tmp, r1)
        },
    );
    let (mut cur_r, mut cur_d, mut nxt_r, mut nxt_d) = (r1, d1, r2, d2);
    for s in 1..4 {
        let ri = Img {
            data: cur_r.as_slice(),
            stride: w,
            width: w,
            height: h,
        };
        let di = Img {
            data: cur_d.as_slice(),
            stride: w,
            width: w,
            height: h,
        };
        let sums = isa.run(
            #[inline(always)]
            || match s {
                1 => vif_scale(ri, di, &F1, 16, 16, egl, isa, stats),
                2 => vif_scale(ri, di, &F2, 16, 16, egl, isa, stats),
                _ => vif_scale(ri, di, &F3, 16, 16, egl, isa, stats),
            },
        );
        finish(&sums, s, &mut out);
        if s < 3 {
            let (nw, nh) = isa.run(
                #[inline(always)]
                || {
                    downsample(di, VIF_FILTERS[s + 1], 16, tmp, nxt_d);
                    downsample(ri, VIF_FILTERS[s + 1], 16, tmp, nxt_r)
                },
            );
            (w, h) = (nw, nh);
            std::mem::swap(&mut cur_r, &mut nxt_r);
            std::mem::swap(&mut cur_d, &mut nxt_d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_sum_to_one_in_q16() {
        for f in VIF_FILTERS {
            assert_eq!(f.iter().map(|&v| u32::from(v)).sum::<u32>(), 65536);
        }
    }

    #[test]
    fn identical_frames_score_one() {
        let mut p = Plane::<u8>::new(64, 48);
        for y in 0..48 {
            for (x, v) in p.row_mut(y).iter_mut().enumerate() {
                *v = ((x * 7 + y * 13) % 251) as u8;
            }
        }
        let mut sc = VifScratch::default();
        let s = vif(Luma::U8(&p), Luma::U8(&p), 100.0, Isa::detect(), &mut sc);
        for v in s.scale {
            assert!((v - 1.0).abs() < 1e-3, "{v}");
        }
    }

    #[test]
    fn ten_bit_shifted_matches_eight_bit() {
        let (w, h) = (53, 41);
        let mut a = Plane::<u8>::new(w, h);
        let mut b = Plane::<u8>::new(w, h);
        for y in 0..h {
            for x in 0..w {
                a.row_mut(y)[x] = ((x * 31 + y * 17 + x * y) % 256) as u8;
                b.row_mut(y)[x] = ((x * 29 + y * 19 + 3 * x * y) % 256) as u8;
            }
        }
        let widen = |p: &Plane<u8>| {
            let mut q = Plane::<u16>::new(w, h);
            for y in 0..h {
                for x in 0..w {
                    q.row_mut(y)[x] = u16::from(p.row(y)[x]) << 2;
                }
            }
            q
        };
        let (a10, b10) = (widen(&a), widen(&b));
        let mut sc = VifScratch::default();
        let s8 = vif(Luma::U8(&a), Luma::U8(&b), 100.0, Isa::detect(), &mut sc);
        let s10 = vif(
            Luma::U16(&a10, 10),
            Luma::U16(&b10, 10),
            100.0,
            Isa::detect(),
            &mut sc,
        );
        assert_eq!(s8, s10);
    }

    /// A deterministic pseudo-random plane; `extreme` draws only 0 and the
    /// maximum, the worst case for every fixed-point bound.
    fn noise<T: Copy + Default>(
        w: usize,
        h: usize,
        seed: u64,
        pick: impl Fn(u64) -> T,
    ) -> Plane<T> {
        let mut p = Plane::<T>::new(w, h);
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        for y in 0..h {
            for v in p.row_mut(y) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *v = pick(x);
            }
        }
        p
    }

    #[test]
    fn simd_kernels_match_the_portable_path_at_awkward_sizes() {
        let simd = Isa::detect();
        if simd.is_scalar() {
            eprintln!("skipped: this CPU has no wider instruction set than the baseline");
            return;
        }
        let mut sc = VifScratch::default();
        for (w, h) in [(16, 16), (17, 9), (37, 23), (64, 48), (129, 67), (200, 31)] {
            for extreme in [false, true] {
                let pick8 = |x: u64| {
                    if extreme {
                        if x & 1 == 0 {
                            0
                        } else {
                            255
                        }
                    } else {
                        (x >> 5) as u8
                    }
                };
                let (a, b) = (noise(w, h, 1, pick8), noise(w, h, 2, pick8));
                let fast = vif(Luma::U8(&a), Luma::U8(&b), 100.0, simd, &mut sc);
                let slow = vif(Luma::U8(&a), Luma::U8(&b), 100.0, Isa::scalar(), &mut sc);
                assert_eq!(fast, slow, "8-bit {w}x{h} extreme={extreme}");
                let pick10 = |x: u64| {
                    if extreme {
                        if x & 1 == 0 {
                            0
                        } else {
                            1023
                        }
                    } else {
                        (x >> 5) as u16 & 1023
                    }
                };
                let (a, b) = (noise(w, h, 3, pick10), noise(w, h, 4, pick10));
                let fast = vif(Luma::U16(&a, 10), Luma::U16(&b, 10), 1.0, simd, &mut sc);
                let slow = vif(
                    Luma::U16(&a, 10),
                    Luma::U16(&b, 10),
                    1.0,
                    Isa::scalar(),
                    &mut sc,
                );
                assert_eq!(fast, slow, "10-bit {w}x{h} extreme={extreme}");
            }
        }
    }
}
