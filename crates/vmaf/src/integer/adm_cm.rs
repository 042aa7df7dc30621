//! One ADM scale after the wavelet: decoupling of the distorted bands into
//! restored and additive parts, contrast sensitivity weighting, contrast
//! masking, and the cube-root pooled numerator and denominator.

use super::adm_dwt::Bands;
use super::mirror_b;
use std::sync::OnceLock;

/// `(float)(cos(1°)²)`, computed as libvmaf does (double, then float).
fn cos_1deg_sq() -> f64 {
    let c = (std::f64::consts::PI / 180.0).cos();
    f64::from((c * c) as f32)
}

/// `DIV[n + 32768] = ±trunc(2^30 / |n|)` for n = -32768..=32768 (0 at n = 0).
fn div_lookup() -> &'static [i32; 65537] {
    static T: OnceLock<Box<[i32; 65537]>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Box::new([0i32; 65537]);
        for n in 1..=32768i32 {
            let q = (1i32 << 30) / n;
            t[(32768 + n) as usize] = q;
            t[(32768 - n) as usize] = -q;
        }
        t
    })
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
    /// Where decoupling and CSF are computed (one extra tap each side).
    pub fn decouple(w: usize, h: usize) -> Self {
        let l = (w as f64 * 0.1 - 0.5 - 1.0) as i64;
        let t = (h as f64 * 0.1 - 0.5 - 1.0) as i64;
        let r = w as i64 - l + 2;
        let b = h as i64 - t + 2;
        Region {
            l: l.max(0) as usize,
            t: t.max(0) as usize,
            r: r.min(w as i64).max(0) as usize,
            b: b.min(h as i64).max(0) as usize,
        }
    }

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

/// `2^(n-1)`, or 0 for n = 0 (libvmaf's `(uint32)pow(2, -1)`).
fn round_of(n: u32) -> i64 {
    if n == 0 {
        0
    } else {
        1i64 << (n - 1)
    }
}

/// `powf(area/32, 1/3)`, the noise term added to every orientation.
fn noise_term(reg: &Region) -> f32 {
    (reg.area() as f32 / 32.0).powf(1.0 / 3.0)
}

/// The angle test: are (oh,ov) and (th,tv) within 1° and in the same half-plane?
#[inline(always)]
fn angle_flag(oh: i64, ov: i64, th: i64, tv: i64, cos_sq: f64) -> bool {
    let ot = f64::from((oh * th + ov * tv) as f32) / 4096.0;
    let om = f64::from((oh * oh + ov * ov) as f32) / 4096.0;
    let tm = f64::from((th * th + tv * tv) as f32) / 4096.0;
    ot >= 0.0 && ot * ot >= cos_sq * om * tm
}

/// Enhancement gain limit applied to the restored value.
#[inline(always)]
fn limit_gain(rst: i64, k: i64, o: i64, t: i64, flag: bool, egl: f64) -> f64 {
    let r = rst as f64;
    if flag && k > 0 && o > 0 {
        (r * egl).min(t as f64)
    } else if flag && k > 0 && o < 0 {
        (r * egl).max(t as f64)
    } else {
        r
    }
}

/// Scratch of one scale: restored band, CSF-weighted and masking values.
#[derive(Debug, Default)]
pub(crate) struct CmBuf<T> {
    r: [Vec<T>; 3],
    /// Σθ of the masking values m (|m| < 2^31 / 30, so the sum fits).
    msum: Vec<i32>,
    /// Σθ of the centre masking terms (|centre| < 2^31 / 15).
    ctr: Vec<i32>,
    /// Vertical 3-sums of `msum` for one row (wrapping: only the sum's low
    /// 32 bits are kept, as libvmaf's int32 store does).
    vsum: Vec<i32>,
}

impl<T: Copy + Default> CmBuf<T> {
    /// Sizes the buffers. Every value read later is written first (region
    /// E is computed before region C ⊂ E reads it), so nothing is cleared.
    /// Only the first `n` elements are used.
    #[inline(always)]
    fn prepare(&mut self, n: usize) {
        // Grown only: the buffer serves scales 1..3 in turn, and growing
        // back after shrinking would clear it every frame.
        for v in self.r.iter_mut() {
            if v.len() < n {
                v.resize(n, T::default());
            }
        }
        for v in [&mut self.msum, &mut self.ctr] {
            if v.len() < n {
                v.resize(n, 0);
            }
        }
    }
}

#[inline(always)]
fn orient<T>(b: &Bands<T>) -> [&[T]; 3] {
    [&b.h, &b.v, &b.d]
}

/// Masking thresholds of row `i` for columns `reg.l..reg.r` into `out`:
/// Σθ (8 neighbours of m_θ, mirrorB borders) + Σθ centre_θ, computed as a
/// 3×3 box sum of Σθ m_θ minus its centre (the same integers).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn thresholds(
    msum: &[i32],
    ctr: &[i32],
    vsum: &mut Vec<i32>,
    w: usize,
    h: usize,
    i: usize,
    reg: &Region,
    out: &mut Vec<i32>,
) {
    // libvmaf sums in int64 and stores int32: the same as wrapping i32 sums.
    let up = mirror_b(i as isize - 1, h) * w;
    let dn = mirror_b(i as isize + 1, h) * w;
    let c = i * w;
    let (mu, mc, md) = (&msum[up..up + w], &msum[c..c + w], &msum[dn..dn + w]);
    let cc = &ctr[c..c + w];
    // Only columns lo..hi are read (mirrorB keeps -1 and w inside them).
    vsum.resize(w, 0);
    let lo = reg.l.saturating_sub(1);
    let hi = (reg.r + 1).min(w);
    for j in lo..hi {
        vsum[j] = mu[j].wrapping_add(mc[j]).wrapping_add(md[j]);
    }
    // Mirrored columns -1 and w read columns 1 and w-1.
    out.resize(reg.r.saturating_sub(reg.l), 0);
    for (j, o) in (reg.l..reg.r).zip(out.iter_mut()) {
        let jl = if j == 0 { mirror_b(-1, w) } else { j - 1 };
        let jr = if j + 1 >= w {
            mirror_b(j as isize + 1, w)
        } else {
            j + 1
        };
        *o = vsum[jl]
            .wrapping_add(vsum[j])
            .wrapping_add(vsum[jr])
            .wrapping_sub(mc[j])
            .wrapping_add(cc[j]);
    }
}

/// Scale 0 (int16 bands). Returns (num, den) of the scale as floats.
#[inline(always)]
pub(crate) fn scale0(o: &Bands<i16>, t: &Bands<i16>, egl: f64, buf: &mut CmBuf<i16>) -> (f32, f32) {
    const RF0: [i32; 3] = [36453, 36453, 49417];
    const SH0: [u32; 3] = [15, 15, 17];
    const ADD0: [i32; 3] = [16384, 16384, 65535];
    let (w, h) = (o.w, o.hgt);
    let div = div_lookup();
    let cos_sq = cos_1deg_sq();
    buf.prepare(w * h);
    let (ob, tb) = (orient(o), orient(t));

    let e = Region::decouple(w, h);
    for i in e.t..e.b {
        for j in e.l..e.r {
            let idx = i * w + j;
            let (oh, ov) = (i64::from(ob[0][idx]), i64::from(ob[1][idx]));
            let (th, tv) = (i64::from(tb[0][idx]), i64::from(tb[1][idx]));
            let flag = angle_flag(oh, ov, th, tv, cos_sq);
            let (mut msum, mut ctr) = (0i64, 0i64);
            for th_i in 0..3 {
                let ov = ob[th_i][idx];
                let tv = tb[th_i][idx];
                let k = if ov == 0 {
                    32768
                } else {
                    let q = i64::from(div[(i32::from(ov) + 32768) as usize]);
                    ((q * i64::from(tv) + 16384) >> 15) as i32
                };
                let k = i64::from(k.clamp(0, 32768));
                let rst = ((k as i32 * i32::from(ov) + 16384) >> 15) as i16;
                let rst =
                    limit_gain(i64::from(rst), k, i64::from(ov), i64::from(tv), flag, egl) as i16;
                let a = (i32::from(tv) - i32::from(rst)) as i16;
                buf.r[th_i][idx] = rst;
                let c = ((RF0[th_i] * i32::from(a) + ADD0[th_i]) >> SH0[th_i]) as i16;
                let ca = i32::from(c).abs();
                msum += i64::from(((4369 * ca + 2048) >> 12) as i16);
                ctr += i64::from(((8738 * ca + 2048) >> 12) as i16);
            }
            buf.msum[idx] = msum as i32;
            buf.ctr[idx] = ctr as i32;
        }
    }

    let reg = Region::center(w, h);
    let log2w = (w as f64).log2();
    let cub = [
        ceil_shift(log2w - 4.0),
        ceil_shift(log2w - 4.0),
        ceil_shift(log2w - 3.0),
    ];
    let rsh = ceil_shift((h as f64).log2());
    const SUB: [u32; 3] = [10, 10, 12];
    const Q: [u32; 3] = [29, 29, 30];
    let mut acc = [0i64; 3];
    let mut thr_row = Vec::with_capacity(w);
    for i in reg.t..reg.b {
        let mut inner = [0i64; 3];
        thresholds(
            &buf.msum,
            &buf.ctr,
            &mut buf.vsum,
            w,
            h,
            i,
            &reg,
            &mut thr_row,
        );
        for (j, &thr) in (reg.l..reg.r).zip(thr_row.iter()) {
            let idx = i * w + j;
            for th_i in 0..3 {
                let x = i32::from(buf.r[th_i][idx]) * RF0[th_i];
                let x = (x.wrapping_abs().wrapping_sub(thr.wrapping_shl(SUB[th_i]))).max(0);
                let x = i64::from(x);
                let xsq = i64::from(((x * x + (1i64 << (Q[th_i] - 1))) >> Q[th_i]) as i32);
                inner[th_i] += (xsq * x + round_of(cub[th_i])) >> cub[th_i];
            }
        }
        for th_i in 0..3 {
            acc[th_i] += (inner[th_i] + round_of(rsh)) >> rsh;
        }
    }
    let noise = noise_term(&reg);
    let mut num = 0f32;
    for th_i in 0..3 {
        let e = if th_i < 2 { 52 } else { 57 };
        let f = (acc[th_i] as f64 / 2f64.powi(e - cub[th_i] as i32 - rsh as i32)) as f32;
        num += f.powf(1.0 / 3.0) + noise;
    }

    // Denominator on the reference bands.
    let s = ceil_shift((reg.area() as f64).log2() - 20.0);
    let mut den = 0f32;
    for (th_i, band) in ob.iter().enumerate() {
        let mut acc = 0u64;
        for i in reg.t..reg.b {
            let row = &band[i * w + reg.l..i * w + reg.r];
            let inner: u64 = row
                .iter()
                .map(|&v| {
                    let a = u64::from(v.unsigned_abs());
                    a * a * a
                })
                .sum();
            acc += (inner + round_of(s) as u64) >> s;
        }
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
    let (w, h) = (o.w, o.hgt);
    let div = div_lookup();
    let cos_sq = cos_1deg_sq();
    buf.prepare(w * h);
    let (ob, tb) = (orient(o), orient(t));
    let rfu = [rf_u32(scale, 0), rf_u32(scale, 1), rf_u32(scale, 2)];
    const HALF31: i64 = -(1i64 << 31);

    let e = Region::decouple(w, h);
    for i in e.t..e.b {
        for j in e.l..e.r {
            let idx = i * w + j;
            let (oh, ov) = (i64::from(ob[0][idx]), i64::from(ob[1][idx]));
            let (th, tv) = (i64::from(tb[0][idx]), i64::from(tb[1][idx]));
            let flag = angle_flag(oh, ov, th, tv, cos_sq);
            let (mut msum, mut ctr) = (0i64, 0i64);
            for th_i in 0..3 {
                let o = i64::from(ob[th_i][idx]);
                let tv = i64::from(tb[th_i][idx]);
                let abs_o = o.unsigned_abs();
                let sign = o.signum();
                let k = if o == 0 {
                    32768
                } else if abs_o < 32768 {
                    (i64::from(div[(32768 + abs_o) as usize]) * tv * sign + 16384) >> 15
                } else {
                    let s = 17 - (abs_o as u32).leading_zeros();
                    let m = (abs_o + (1u64 << (s - 1))) >> s;
                    (i64::from(div[(32768 + m) as usize]) * tv * sign + (1i64 << (14 + s)))
                        >> (15 + s)
                };
                let k = k.clamp(0, 32768);
                let rst = i64::from(((k * o + 16384) >> 15) as i32);
                let rst = limit_gain(rst, k, o, tv, flag, egl) as i32;
                let a = (tv as i32).wrapping_sub(rst);
                buf.r[th_i][idx] = rst;
                let c = ((rfu[th_i] * i64::from(a) + (1 << 27)) >> 28) as i32;
                let ca = i64::from(c.unsigned_abs());
                msum += i64::from(((143_165_577 * ca + HALF31) >> 32) as i32);
                ctr += i64::from(((286_331_153 * ca + HALF31) >> 32) as i32);
            }
            buf.msum[idx] = msum as i32;
            buf.ctr[idx] = ctr as i32;
        }
    }

    let reg = Region::center(w, h);
    let cub = ceil_shift((w as f64).log2());
    let rsh = ceil_shift((h as f64).log2());
    let mut acc = [0i64; 3];
    let mut thr_row = Vec::with_capacity(w);
    for i in reg.t..reg.b {
        let mut inner = [0i64; 3];
        thresholds(
            &buf.msum,
            &buf.ctr,
            &mut buf.vsum,
            w,
            h,
            i,
            &reg,
            &mut thr_row,
        );
        for (j, &thr) in (reg.l..reg.r).zip(thr_row.iter()) {
            let idx = i * w + j;
            for th_i in 0..3 {
                let x = ((i64::from(buf.r[th_i][idx]) * rfu[th_i] + (1 << 27)) >> 28) as i32;
                let x = i64::from(x.wrapping_abs().wrapping_sub(thr).max(0));
                let xsq = i64::from(((x * x + (1i64 << 29)) >> 30) as i32);
                inner[th_i] += (xsq * x + round_of(cub)) >> cub;
            }
        }
        for th_i in 0..3 {
            acc[th_i] += (inner[th_i] + round_of(rsh)) >> rsh;
        }
    }
    const E: [i32; 3] = [45, 39, 36];
    let fshift = 2f64.powi(E[scale - 1] - cub as i32 - rsh as i32) as f32;
    let noise = noise_term(&reg);
    let mut num = 0f32;
    for a in acc {
        let f = a as f32 / fshift;
        num += f.powf(1.0 / 3.0) + noise;
    }

    // Denominator on the reference bands.
    const QS: [u32; 3] = [31, 30, 31];
    const F: [i32; 3] = [32, 27, 23];
    let q = QS[scale - 1];
    let cub = ceil_shift(((reg.r - reg.l) as f64).log2());
    let rsh = ceil_shift(((reg.b - reg.t) as f64).log2());
    let mut den = 0f32;
    for (th_i, band) in ob.iter().enumerate() {
        let mut acc = 0u64;
        for i in reg.t..reg.b {
            let row = &band[i * w + reg.l..i * w + reg.r];
            let inner: u64 = row
                .iter()
                .map(|&v| {
                    let a = u64::from(v.unsigned_abs());
                    (((a * a + (1u64 << q)) >> q) * a + round_of(cub) as u64) >> cub
                })
                .sum();
            acc += (inner + round_of(rsh) as u64) >> rsh;
        }
        let rf = f64::from(RF[scale][usize::from(th_i == 2)]);
        let csf = acc as f64 / 2f64.powi(F[scale - 1] - rsh as i32 - cub as i32) * rf.powf(3.0);
        den += (csf as f32).powf(1.0 / 3.0) + noise;
    }
    (num, den)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            Region::decouple(11, 9),
            Region {
                l: 0,
                t: 0,
                r: 11,
                b: 9
            }
        );
        let c = Region::center(640, 360);
        assert_eq!((c.l, c.t, c.r, c.b), (63, 35, 577, 325));
        let e = Region::decouple(640, 360);
        assert_eq!((e.l, e.t, e.r, e.b), (62, 34, 580, 328));
    }
}
