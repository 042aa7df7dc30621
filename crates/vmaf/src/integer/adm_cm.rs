//! One ADM scale after the wavelet: decoupling of the distorted bands into
//! restored and additive parts, contrast sensitivity weighting, contrast
//! masking, and the cube-root pooled numerator and denominator, in one
//! pass over the rows of the scale (row kernels: `adm_decouple`, `adm_pool`).

use super::adm_decouple::{row_s0, row_s123, RowOut, RowTmp};
use super::adm_dwt::Bands;
use super::adm_pool::{cube_s0, cube_s123, den_s0, den_s123, rshift, rshift_u, thresholds};
use super::mirror_b;

/// `(float)(cos(1°)²)`, computed as libvmaf does (double, then float).
fn cos_1deg_sq() -> f64 {
    let c = (std::f64::consts::PI / 180.0).cos();
    f64::from((c * c) as f32)
}

/// Watson CSF weights `1/Q(λ, θ)` as libvmaf's float computes them at the
/// default 3H viewing distance on a 1080-line display: `[hv, d]` per scale.
pub(crate) const RF: [[f32; 2]; 4] = [
    [0.017_381_538, 0.005_890_687],
    [0.031_984_83, 0.014_299_068],
    [0.043_372_66, 0.024_396_908],
    [0.045_673_41, 0.031_312_738],
];

/// A rectangle `[l, r) × [t, b)` of a band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub l: usize,
    pub t: usize,
    pub r: usize,
    pub b: usize,
}

impl Region {
    /// Where the numerator and denominator are summed.
    pub fn center(w: usize, h: usize) -> Self {
        let l = (w as f64 * 0.1 - 0.5) as i64;
        let t = (h as f64 * 0.1 - 0.5) as i64;
        Region {
            l: l.max(0) as usize,
            t: t.max(0) as usize,
            r: (w as i64 - l).max(0) as usize,
            b: (h as i64 - t).max(0) as usize,
        }
    }

    fn area(&self) -> i64 {
        (self.b as i64 - self.t as i64) * (self.r as i64 - self.l as i64)
    }
}

/// `(uint32)ceil(x)` clamped at 0 as libvmaf's shift counts behave.
fn ceil_shift(x: f64) -> u32 {
    x.ceil().max(0.0) as u32
}

/// `powf(area/32, 1/3)`, the noise term added to every orientation.
fn noise_term(reg: &Region) -> f32 {
    (reg.area() as f32 / 32.0).powf(1.0 / 3.0)
}

/// Decoupled rows kept for the 3×3 masking sums, so that each scale is one
/// pass over its bands: row y lives in slot y % 3 (a row and its two
/// neighbours never share a slot).
#[derive(Debug, Default)]
pub(crate) struct CmBuf<T> {
    tag: [Option<usize>; 3],
    r: [[Vec<T>; 3]; 3],
    /// Σθ of the masking values m (|m| < 2^31 / 30, so the sum fits).
    msum: [Vec<i32>; 3],
    /// Σθ of the centre masking terms (|centre| < 2^31 / 15).
    ctr: [Vec<i32>; 3],
    tmp: RowTmp,
    vp: Vec<i32>,
    thr: Vec<i32>,
}

impl<T: Copy + Default> CmBuf<T> {
    /// Empties the slots for rows `n` columns wide.
    #[inline(always)]
    fn prepare(&mut self, n: usize) {
        self.tag = [None; 3];
        for v in self.r.iter_mut().flatten() {
            v.resize(n, T::default());
        }
        for v in self.msum.iter_mut().chain(self.ctr.iter_mut()) {
            v.resize(n, 0);
        }
    }

    /// Decouples row `y` with `f` unless its slot holds it already.
    #[inline(always)]
    fn ensure(&mut self, y: usize, f: impl FnOnce(&mut RowTmp, RowOut<'_, T>)) {
        let s = y % 3;
        if self.tag[s] == Some(y) {
            return;
        }
        let [r0, r1, r2] = &mut self.r[s];
        let out = RowOut {
            r: [r0, r1, r2],
            msum: &mut self.msum[s],
            ctr: &mut self.ctr[s],
        };
        f(&mut self.tmp, out);
        self.tag[s] = Some(y);
    }

    /// Decouples rows `i - 1..=i + 1` (mirrorB) with `f` and computes the
    /// thresholds of row `i`, columns `reg.l..reg.r`. Returns the restored
    /// rows of `i` (from column `reg.l`) and the thresholds.
    #[inline(always)]
    fn row<'s>(
        &'s mut self,
        i: usize,
        (w, h): (usize, usize),
        dl: usize,
        reg: &Region,
        mut f: impl FnMut(usize, &mut RowTmp, RowOut<'_, T>),
    ) -> ([&'s [T]; 3], &'s [i32]) {
        let ys = [mirror_b(i as isize - 1, h), i, mirror_b(i as isize + 1, h)];
        for y in ys {
            self.ensure(
                y,
                #[inline(always)]
                |tmp, out| f(y, tmp, out),
            );
        }
        let [up, mid, dn] = [0, 1, 2].map(
            #[inline(always)]
            |k| &self.msum[ys[k] % 3][..],
        );
        thresholds(
            [up, mid, dn],
            &self.ctr[i % 3],
            w,
            dl,
            (reg.l, reg.r),
            &mut self.vp,
            &mut self.thr,
        );
        let c0 = reg.l - dl;
        let [r0, r1, r2] = &self.r[i % 3];
        ([&r0[c0..], &r1[c0..], &r2[c0..]], &self.thr)
    }
}

#[inline(always)]
fn orient<T>(b: &Bands<T>) -> [&[T]; 3] {
    [&b.h, &b.v, &b.d]
}

/// Columns `dl..dr` of row `y` of a band `w` wide.
#[inline(always)]
fn cols<T>(b: &[T], y: usize, w: usize, (dl, dr): (usize, usize)) -> &[T] {
    &b[y * w + dl..y * w + dr]
}

/// [`cols`] of the three orientations.
#[inline(always)]
fn cols3<T>(b: [&[T]; 3], y: usize, w: usize, c: (usize, usize)) -> [&[T]; 3] {
    [
        cols(b[0], y, w, c),
        cols(b[1], y, w, c),
        cols(b[2], y, w, c),
    ]
}

/// The decoupled columns: those the thresholds of region C read (columns
/// reg.l - 1 ..= reg.r, mirrorB), inside libvmaf's region E. Decoupling is
/// per pixel, so computing fewer columns and rows than E changes nothing.
#[inline(always)]
fn decoupled_cols(reg: &Region, w: usize) -> (usize, usize) {
    (reg.l.saturating_sub(1), (reg.r + 1).min(w))
}

/// Scale 0 (int16 bands). Returns (num, den) of the scale as floats.
#[inline(always)]
pub(crate) fn scale0(o: &Bands<i16>, t: &Bands<i16>, egl: f64, buf: &mut CmBuf<i16>) -> (f32, f32) {
    const RF0: [i32; 3] = [36453, 36453, 49417];
    const SUB: [u32; 3] = [10, 10, 12];
    const Q: [u32; 3] = [29, 29, 30];
    let (w, h) = (o.w, o.hgt);
    let cos_sq = cos_1deg_sq();
    let (ob, tb) = (orient(o), orient(t));
    let reg = Region::center(w, h);
    let log2w = (w as f64).log2();
    let cub = [
        ceil_shift(log2w - 4.0),
        ceil_shift(log2w - 4.0),
        ceil_shift(log2w - 3.0),
    ];
    let rsh = ceil_shift((h as f64).log2());
    // Denominator row shift.
    let s = ceil_shift((reg.area() as f64).log2() - 20.0);
    let dc = decoupled_cols(&reg, w);
    buf.prepare(dc.1 - dc.0);
    let mut acc = [0i64; 3];
    let mut dacc = [0u64; 3];
    for i in reg.t..reg.b {
        let (r, thr) = buf.row(
            i,
            (w, h),
            dc.0,
            &reg,
            #[inline(always)]
            |y, tmp, out| {
                let (ob, tb) = (cols3(ob, y, w, dc), cols3(tb, y, w, dc));
                row_s0(ob, tb, egl, cos_sq, tmp, out);
            },
        );
        for th_i in 0..3 {
            let inner = cube_s0(r[th_i], thr, RF0[th_i], SUB[th_i], Q[th_i], cub[th_i]);
            acc[th_i] += rshift(inner, rsh);
            let d = den_s0(cols(ob[th_i], i, w, (reg.l, reg.r)));
            dacc[th_i] += rshift_u(d, s);
        }
    }

    let noise = noise_term(&reg);
    let mut num = 0f32;
    for th_i in 0..3 {
        let e = if th_i < 2 { 52 } else { 57 };
        let f = (acc[th_i] as f64 / 2f64.powi(e - cub[th_i] as i32 - rsh as i32)) as f32;
        num += f.powf(1.0 / 3.0) + noise;
    }
    let mut den = 0f32;
    for (th_i, acc) in dacc.into_iter().enumerate() {
        let rf = f64::from(RF[0][usize::from(th_i == 2)]);
        let csf = acc as f64 / 2f64.powi(18 - s as i32) * rf.powf(3.0);
        den += (csf as f32).powf(1.0 / 3.0) + noise;
    }
    (num, den)
}

/// `trunc(rf · 2^32)` of a scale-1..3 CSF weight.
fn rf_u32(scale: usize, theta: usize) -> i64 {
    (f64::from(RF[scale][usize::from(theta == 2)]) * 4_294_967_296.0) as u32 as i64
}

/// Scales 1..3 (int32 bands). Returns (num, den) of the scale as floats.
#[inline(always)]
pub(crate) fn scale123(
    o: &Bands<i32>,
    t: &Bands<i32>,
    scale: usize,
    egl: f64,
    buf: &mut CmBuf<i32>,
) -> (f32, f32) {
    // Q32 weights are all below 2^28 (RF < 1/16), so they fit in i32.
    let rfu = [0, 1, 2].map(|th| rf_u32(scale, th) as i32);
    const QS: [u32; 3] = [31, 30, 31];
    const F: [i32; 3] = [32, 27, 23];
    const E: [i32; 3] = [45, 39, 36];
    let (w, h) = (o.w, o.hgt);
    let cos_sq = cos_1deg_sq();
    let (ob, tb) = (orient(o), orient(t));
    let reg = Region::center(w, h);
    let cub = ceil_shift((w as f64).log2());
    let rsh = ceil_shift((h as f64).log2());
    // Denominator shifts.
    let q = QS[scale - 1];
    let dcub = ceil_shift(((reg.r - reg.l) as f64).log2());
    let drsh = ceil_shift(((reg.b - reg.t) as f64).log2());
    let dc = decoupled_cols(&reg, w);
    buf.prepare(dc.1 - dc.0);
    let mut acc = [0i64; 3];
    let mut dacc = [0u64; 3];
    for i in reg.t..reg.b {
        let (r, thr) = buf.row(
            i,
            (w, h),
            dc.0,
            &reg,
            #[inline(always)]
            |y, tmp, out| {
                let (ob, tb) = (cols3(ob, y, w, dc), cols3(tb, y, w, dc));
                row_s123(ob, tb, rfu, egl, cos_sq, tmp, out);
            },
        );
        for th_i in 0..3 {
            acc[th_i] += rshift(cube_s123(r[th_i], thr, rfu[th_i], cub), rsh);
            let d = den_s123(cols(ob[th_i], i, w, (reg.l, reg.r)), q, dcub);
            dacc[th_i] += rshift_u(d, drsh);
        }
    }

    let fshift = 2f64.powi(E[scale - 1] - cub as i32 - rsh as i32) as f32;
    let noise = noise_term(&reg);
    let mut num = 0f32;
    for a in acc {
        let f = a as f32 / fshift;
        num += f.powf(1.0 / 3.0) + noise;
    }
    let mut den = 0f32;
    for (th_i, acc) in dacc.into_iter().enumerate() {
        let rf = f64::from(RF[scale][usize::from(th_i == 2)]);
        let csf = acc as f64 / 2f64.powi(F[scale - 1] - drsh as i32 - dcub as i32) * rf.powf(3.0);
        den += (csf as f32).powf(1.0 / 3.0) + noise;
    }
    (num, den)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integer::adm_decouple::div_lookup;

    #[test]
    fn constants_match_libvmaf() {
        assert_eq!(cos_1deg_sq() as f32, 0.999_695_4_f32);
        assert_eq!(rf_u32(1, 0), 137_373_792);
        assert_eq!(rf_u32(1, 2), 61_414_028);
        assert_eq!(rf_u32(2, 0), 186_284_160);
        assert_eq!(rf_u32(2, 2), 104_783_920);
        assert_eq!(rf_u32(3, 0), 196_165_808);
        assert_eq!(rf_u32(3, 2), 134_487_184);
        let d = div_lookup();
        assert_eq!(d[32768 + 1], 1 << 30);
        assert_eq!(d[32768 - 3], -((1 << 30) / 3));
    }

    #[test]
    fn q32_weights_fit_i32() {
        for s in 1..4 {
            for th in 0..3 {
                assert!(rf_u32(s, th) < 1 << 31);
            }
        }
    }

    #[test]
    fn masking_quirk_gives_minus_one_at_zero() {
        let c = std::hint::black_box(0i64);
        assert_eq!(((143_165_577i64 * c - (1i64 << 31)) >> 32) as i32, -1);
    }

    #[test]
    fn regions_of_small_bands() {
        // Scale 3 of 176x144 is 11x9.
        assert_eq!(
            Region::center(11, 9),
            Region {
                l: 0,
                t: 0,
                r: 11,
                b: 9
            }
        );
        let c = Region::center(640, 360);
        assert_eq!((c.l, c.t, c.r, c.b), (63, 35, 577, 325));
    }
}
