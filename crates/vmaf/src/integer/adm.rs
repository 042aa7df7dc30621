//! Integer ADM (libvmaf `adm`): `integer_adm2` and `integer_adm_scale0..3`.

use super::adm_cm::{scale0, scale123, CmBuf};
use super::adm_dwt::{dwt_s0, dwt_s123, Bands, DwtTmp};
use super::vif_stats::Img;
use super::{Luma, Pixel};
use crate::simd::Isa;
use reel_core::Plane;

/// ADM of one frame pair.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AdmScores {
    /// `integer_adm2`: Σ num / Σ den over the four scales.
    pub adm2: f64,
    /// `integer_adm_scale0..3`: num/den of each scale.
    pub scale: [f64; 4],
    /// Per-scale numerators (float, as libvmaf keeps them).
    pub num: [f32; 4],
    /// Per-scale denominators.
    pub den: [f32; 4],
}

/// Buffers reused from frame to frame.
#[derive(Debug, Default)]
pub struct AdmScratch {
    ref0: Bands<i16>,
    dis0: Bands<i16>,
    ref_s: [Bands<i32>; 2],
    dis_s: [Bands<i32>; 2],
    tmp: DwtTmp,
    cm0: CmBuf<i16>,
    cm: CmBuf<i32>,
}

fn img<P>(p: &Plane<P>) -> Img<'_, P> {
    Img {
        data: p.data(),
        stride: p.stride(),
        width: p.width(),
        height: p.height(),
    }
}

/// Integer ADM of one frame pair. `egl` is `adm_enhn_gain_limit` (100 by
/// default, 1 for the NEG model).
pub fn adm(r: Luma<'_>, d: Luma<'_>, egl: f64, isa: Isa, scratch: &mut AdmScratch) -> AdmScores {
    match (r, d) {
        (Luma::U8(r), Luma::U8(d)) => adm_generic(img(r), img(d), 8, egl, isa, scratch),
        (Luma::U16(r, b), Luma::U16(d, _)) => adm_generic(img(r), img(d), b, egl, isa, scratch),
        _ => AdmScores::default(),
    }
}

fn adm_generic<P: Pixel>(
    r: Img<'_, P>,
    d: Img<'_, P>,
    bpc: u32,
    egl: f64,
    isa: Isa,
    sc: &mut AdmScratch,
) -> AdmScores {
    let mut out = AdmScores::default();
    let AdmScratch {
        ref0,
        dis0,
        ref_s,
        dis_s,
        tmp,
        cm0,
        cm,
    } = sc;
    isa.run(
        #[inline(always)]
        || {
            dwt_s0(r, bpc, ref0, tmp);
            dwt_s0(d, bpc, dis0, tmp);
        },
    );
    let (n, de) = isa.run(
        #[inline(always)]
        || scale0(ref0, dis0, egl, cm0),
    );
    out.num[0] = n;
    out.den[0] = de;

    let [ra, rb] = ref_s;
    let [da, db] = dis_s;
    isa.run(
        #[inline(always)]
        || {
            dwt_s123(&ref0.a, ref0.w, ref0.hgt, 1, ra, tmp);
            dwt_s123(&dis0.a, dis0.w, dis0.hgt, 1, da, tmp);
        },
    );
    let (mut cur_r, mut cur_d, mut nxt_r, mut nxt_d) = (ra, da, rb, db);
    for s in 1..4 {
        let (n, de) = isa.run(
            #[inline(always)]
            || scale123(cur_r, cur_d, s, egl, cm),
        );
        out.num[s] = n;
        out.den[s] = de;
        if s < 3 {
            isa.run(
                #[inline(always)]
                || {
                    dwt_s123(&cur_r.a, cur_r.w, cur_r.hgt, s + 1, nxt_r, tmp);
                    dwt_s123(&cur_d.a, cur_d.w, cur_d.hgt, s + 1, nxt_d, tmp);
                },
            );
            std::mem::swap(&mut cur_r, &mut nxt_r);
            std::mem::swap(&mut cur_d, &mut nxt_d);
        }
    }

    let mut num = 0f64;
    let mut den = 0f64;
    for s in 0..4 {
        num += f64::from(out.num[s]);
        den += f64::from(out.den[s]);
        out.scale[s] = f64::from(out.num[s]) / f64::from(out.den[s]);
    }
    let lim = 1e-10 * (r.width * r.height) as f64 / (1920.0 * 1080.0);
    if num < lim {
        num = 0.0;
    }
    if den < lim {
        den = 0.0;
    }
    out.adm2 = if den == 0.0 { 1.0 } else { num / den };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(w: usize, h: usize, seed: usize) -> Plane<u8> {
        let mut p = Plane::<u8>::new(w, h);
        for y in 0..h {
            for (x, v) in p.row_mut(y).iter_mut().enumerate() {
                *v = ((x * (31 + seed) + y * 17 + x * y * seed) % 256) as u8;
            }
        }
        p
    }

    #[test]
    fn identical_frames_score_one() {
        let p = pattern(96, 64, 1);
        let mut sc = AdmScratch::default();
        let s = adm(Luma::U8(&p), Luma::U8(&p), 100.0, Isa::detect(), &mut sc);
        assert!((s.adm2 - 1.0).abs() < 1e-2, "{s:?}");
    }

    #[test]
    fn ten_bit_shifted_matches_eight_bit() {
        let (a, b) = (pattern(71, 45, 1), pattern(71, 45, 3));
        let widen = |p: &Plane<u8>| {
            let mut q = Plane::<u16>::new(p.width(), p.height());
            for y in 0..p.height() {
                for (o, &i) in q.row_mut(y).iter_mut().zip(p.row(y)) {
                    *o = u16::from(i) << 2;
                }
            }
            q
        };
        let mut sc = AdmScratch::default();
        let s8 = adm(Luma::U8(&a), Luma::U8(&b), 100.0, Isa::detect(), &mut sc);
        let s10 = adm(
            Luma::U16(&widen(&a), 10),
            Luma::U16(&widen(&b), 10),
            100.0,
            Isa::detect(),
            &mut sc,
        );
        assert_eq!(s8, s10);
    }
}
