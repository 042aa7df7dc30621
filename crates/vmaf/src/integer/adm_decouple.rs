//! Decoupling of one band row: the distorted bands split into restored and
//! additive parts, and the contrast-masking terms of the additive part.
//!
//! Row kernels over equal-length slices, written to vectorise: no table
//! reads or branches in the main loops (the division table is read in a
//! separate scalar pass), 32-bit lanes where libvmaf's ranges allow, and
//! 32×32→64-bit products otherwise.

use std::sync::OnceLock;

/// `DIV[n + 32768] = ±trunc(2^30 / |n|)` for n = -32768..=32768 (0 at n = 0).
pub(crate) fn div_lookup() -> &'static [i32; 65537] {
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

/// Row buffers of the decoupling.
#[derive(Debug, Default)]
pub(crate) struct RowTmp {
    /// Division-table value of each column (with the sign of o).
    q: Vec<i32>,
    /// Its shift, 15 + s (scales 1..3).
    sh: Vec<u32>,
    /// The angle test of each column.
    flag: Vec<bool>,
}

impl RowTmp {
    fn prepare(&mut self, n: usize) {
        self.q.resize(n, 0);
        self.sh.resize(n, 0);
        self.flag.resize(n, false);
    }
}

/// One decoupled row: the restored bands, Σθ m_θ and Σθ centre_θ.
pub(crate) struct RowOut<'a, T> {
    pub r: [&'a mut [T]; 3],
    pub msum: &'a mut [i32],
    pub ctr: &'a mut [i32],
}

/// The enhancement gain limit of a restored value: `min(rst·egl, t)` when
/// o > 0 (then rst ≥ 0), `max(rst·egl, t)` when o < 0 (then rst ≤ 0).
/// libvmaf computes it in double and truncates; [`IntGain`] gives the same
/// integers without floats for the usual integral gains.
trait Limit: Copy {
    /// Scale 0 (int16 values).
    fn s0(self, rst: i32, ov: i32, tv: i32) -> i32;
    /// Scales 1..3 (int32 values).
    fn s123(self, rst: i32, ov: i32, tv: i32) -> i32;
}

/// The double computation, for any gain.
#[derive(Clone, Copy)]
struct FloatGain(f64);

impl Limit for FloatGain {
    #[inline(always)]
    fn s0(self, rst: i32, ov: i32, tv: i32) -> i32 {
        i32::from(self.limit(rst, ov, tv) as i16)
    }

    #[inline(always)]
    fn s123(self, rst: i32, ov: i32, tv: i32) -> i32 {
        self.limit(rst, ov, tv) as i32
    }
}

impl FloatGain {
    #[inline(always)]
    fn limit(self, rst: i32, ov: i32, tv: i32) -> f64 {
        let g = f64::from(rst) * self.0;
        if ov > 0 {
            g.min(f64::from(tv))
        } else {
            g.max(f64::from(tv))
        }
    }
}

/// An integral gain ≥ 0, capped at 2^31. Then rst·egl is an exact integer
/// in double and the limit lies between 0 and t, so nothing saturates.
/// The cap changes nothing: with |rst| ≥ 1, both rst·egl and rst·cap are
/// beyond any t, and rst = 0 gives 0 either way.
#[derive(Clone, Copy)]
struct IntGain(i64);

impl IntGain {
    #[inline(always)]
    fn new(egl: f64) -> Option<Self> {
        (egl >= 0.0 && egl.fract() == 0.0).then(|| IntGain(egl.min(2_147_483_648.0) as i64))
    }
}

impl Limit for IntGain {
    #[inline(always)]
    fn s0(self, rst: i32, ov: i32, tv: i32) -> i32 {
        // |rst| ≤ 2^15 and the gain capped at 2^15 (beyond any int16 t):
        // the product fits in 31 bits.
        let g = rst * self.0.min(32768) as i32;
        if ov > 0 {
            g.min(tv)
        } else {
            g.max(tv)
        }
    }

    #[inline(always)]
    fn s123(self, rst: i32, ov: i32, tv: i32) -> i32 {
        let g = i64::from(rst) * self.0;
        let t = i64::from(tv);
        (if ov > 0 { g.min(t) } else { g.max(t) }) as i32
    }
}

/// `x as f32` (round to nearest even) in steps that vectorise on AVX2,
/// which has no int64 → float conversion. |x| < 2^52 converts exactly to
/// double through the 2^52 exponent trick; larger |x| first drop their low
/// 12 bits into a sticky bit, which keeps the single rounding to float
/// (its rounding bit is then at bit 29 or above) exact.
#[inline(always)]
pub(crate) fn i64_to_f32(x: i64) -> f32 {
    const TWO52: u64 = 0x4330_0000_0000_0000;
    let u = x.unsigned_abs();
    let big = u >= 1 << 52;
    let v = if big {
        (u >> 12) | u64::from(u & 0xfff != 0)
    } else {
        u
    };
    let f = f64::from_bits(v | TWO52) - f64::from_bits(TWO52);
    let f = (if big { f * 4096.0 } else { f }) as f32;
    if x < 0 {
        -f
    } else {
        f
    }
}

/// The angle test `ot ≥ 0 && ot² ≥ C·om·tm` with `ot`, `om`, `tm` rounded
/// to float. libvmaf divides each by 4096 first; powers of two commute
/// with every rounding here, so the comparison is the same without.
#[inline(always)]
fn angle(ot: f32, om: f32, tm: f32, cos_sq: f64) -> bool {
    let (ot, om, tm) = (f64::from(ot), f64::from(om), f64::from(tm));
    ot >= 0.0 && ot * ot >= cos_sq * om * tm
}

/// Scale 0: decouples row columns `o[θ][..n]` against `t[θ][..n]`.
#[inline(always)]
pub(crate) fn row_s0(
    o: [&[i16]; 3],
    t: [&[i16]; 3],
    egl: f64,
    cos_sq: f64,
    tmp: &mut RowTmp,
    out: RowOut<'_, i16>,
) {
    match IntGain::new(egl) {
        Some(g) => row_s0_with(o, t, g, cos_sq, tmp, out),
        None => row_s0_with(o, t, FloatGain(egl), cos_sq, tmp, out),
    }
}

#[inline(always)]
fn row_s0_with(
    o: [&[i16]; 3],
    t: [&[i16]; 3],
    egl: impl Limit,
    cos_sq: f64,
    tmp: &mut RowTmp,
    out: RowOut<'_, i16>,
) {
    const RF0: [i32; 3] = [36453, 36453, 49417];
    const SH0: [u32; 3] = [15, 15, 17];
    const ADD0: [i32; 3] = [16384, 16384, 65535];
    let n = out.msum.len();
    tmp.prepare(n);
    let flag = &mut tmp.flag[..n];
    let (oh, ov, th, tv) = (&o[0][..n], &o[1][..n], &t[0][..n], &t[1][..n]);
    for j in 0..n {
        let (a, b, c, d) = (
            i32::from(oh[j]),
            i32::from(ov[j]),
            i32::from(th[j]),
            i32::from(tv[j]),
        );
        // dwt_s0 bands are |x| ≤ 27411 (54822·2^15 >> 16), so the sums
        // of two squares stay below 2^31.
        flag[j] = angle(
            (a * c + b * d) as f32,
            (a * a + b * b) as f32,
            (c * c + d * d) as f32,
            cos_sq,
        );
    }
    out.msum.fill(0);
    out.ctr.fill(0);
    let div = div_lookup();
    let [r0, r1, r2] = out.r;
    for (th_i, r) in [r0, r1, r2].into_iter().enumerate() {
        let q = &mut tmp.q[..n];
        for (q, &ov) in q.iter_mut().zip(o[th_i]) {
            *q = div[(i32::from(ov) + 32768) as usize];
        }
        let (ob, tb, flag) = (&o[th_i][..n], &t[th_i][..n], &tmp.flag[..n]);
        let (r, msum, ctr) = (&mut r[..n], &mut out.msum[..n], &mut out.ctr[..n]);
        let (rf, add, sh) = (RF0[th_i], ADD0[th_i], SH0[th_i]);
        for j in 0..n {
            let (ov, tv, qj) = (i32::from(ob[j]), i32::from(tb[j]), q[j]);
            // (q·t + 2^14) >> 15 with q split at bit 15: both products
            // are below 2^30, and the low part's carry is exact.
            let k = (qj >> 15) * tv + (((qj & 0x7fff) * tv + 16384) >> 15);
            let k = if ov == 0 { 32768 } else { k.clamp(0, 32768) };
            let rst = i32::from(((k * ov + 16384) >> 15) as i16);
            let lim = egl.s0(rst, ov, tv);
            let rst = if flag[j] && k > 0 && ov != 0 {
                lim as i16
            } else {
                rst as i16
            };
            r[j] = rst;
            let a = i32::from((tv - i32::from(rst)) as i16);
            let c = i32::from(((rf * a + add) >> sh) as i16).abs();
            msum[j] += i32::from(((4369 * c + 2048) >> 12) as i16);
            ctr[j] += i32::from(((8738 * c + 2048) >> 12) as i16);
        }
    }
}

/// Scales 1..3: decouples row columns `o[θ][..n]` against `t[θ][..n]`;
/// `rfu` are the Q32 CSF weights (each below 2^31).
#[inline(always)]
pub(crate) fn row_s123(
    o: [&[i32]; 3],
    t: [&[i32]; 3],
    rfu: [i32; 3],
    egl: f64,
    cos_sq: f64,
    tmp: &mut RowTmp,
    out: RowOut<'_, i32>,
) {
    match IntGain::new(egl) {
        Some(g) => row_s123_with(o, t, rfu, g, cos_sq, tmp, out),
        None => row_s123_with(o, t, rfu, FloatGain(egl), cos_sq, tmp, out),
    }
}

#[inline(always)]
fn row_s123_with(
    o: [&[i32]; 3],
    t: [&[i32]; 3],
    rfu: [i32; 3],
    egl: impl Limit,
    cos_sq: f64,
    tmp: &mut RowTmp,
    out: RowOut<'_, i32>,
) {
    const HALF31: i64 = -(1i64 << 31);
    let n = out.msum.len();
    tmp.prepare(n);
    let flag = &mut tmp.flag[..n];
    let (oh, ov, th, tv) = (&o[0][..n], &o[1][..n], &t[0][..n], &t[1][..n]);
    for j in 0..n {
        let (a, b, c, d) = (
            i64::from(oh[j]),
            i64::from(ov[j]),
            i64::from(th[j]),
            i64::from(tv[j]),
        );
        // libvmaf's int64 products (wrapping).
        flag[j] = angle(
            i64_to_f32(a * c + b * d),
            i64_to_f32(a * a + b * b),
            i64_to_f32(c * c + d * d),
            cos_sq,
        );
    }
    out.msum.fill(0);
    out.ctr.fill(0);
    let div = div_lookup();
    let [r0, r1, r2] = out.r;
    for (th_i, r) in [r0, r1, r2].into_iter().enumerate() {
        let (q, shv) = (&mut tmp.q[..n], &mut tmp.sh[..n]);
        // |o| ≥ 2^15 is rounded to 15 bits and the shift grows by s.
        // Branch-free (the test |o| < 2^15 is unpredictable): s = 0 there,
        // and the rounding term (1 << s) >> 1 is then 0.
        for ((q, shv), &o) in q.iter_mut().zip(shv.iter_mut()).zip(o[th_i]) {
            let a = o.unsigned_abs();
            let s = 17u32.saturating_sub(a.leading_zeros());
            *q = ((a + ((1 << s) >> 1)) >> s) as i32;
            *shv = 15 + s;
        }
        // The rounded |o| is at most 2^15.
        for q in q.iter_mut() {
            *q = div[32768 + (*q as usize).min(32768)];
        }
        let (ob, tb, flag) = (&o[th_i][..n], &t[th_i][..n], &tmp.flag[..n]);
        let (q, shv) = (&tmp.q[..n], &tmp.sh[..n]);
        let (r, msum, ctr) = (&mut r[..n], &mut out.msum[..n], &mut out.ctr[..n]);
        let rf = i64::from(rfu[th_i]);
        for j in 0..n {
            let (ov, tv) = (ob[j], tb[j]);
            let (sh, qj) = (shv[j], if ov < 0 { -q[j] } else { q[j] });
            // |q| ≤ 2^30 and |t| ≤ 2^31: the product fits in 62 bits. A
            // negative sum clamps to 0, so the shift can be logical.
            let p = i64::from(qj) * i64::from(tv) + (1i64 << (sh - 1));
            let k = if p < 0 {
                0
            } else {
                ((p as u64) >> sh).min(32768) as i64
            };
            let k = if ov == 0 { 32768 } else { k };
            let rst = ((k * i64::from(ov) + 16384) >> 15) as i32;
            let lim = egl.s123(rst, ov, tv);
            let rst = if flag[j] && k > 0 && ov != 0 {
                lim
            } else {
                rst
            };
            r[j] = rst;
            let a = tv.wrapping_sub(rst);
            let c = ((rf * i64::from(a) + (1 << 27)) >> 28) as i32;
            let ca = i64::from(c.unsigned_abs());
            msum[j] = msum[j].wrapping_add(((143_165_577 * ca + HALF31) >> 32) as i32);
            ctr[j] = ctr[j].wrapping_add(((286_331_153 * ca + HALF31) >> 32) as i32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_gain_matches_double() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for egl in [0.0, 1.0, 2.0, 100.0, 32767.0, 32768.0, 1e6, 3e9, 1e300] {
            let (Some(i), f) = (IntGain::new(egl), FloatGain(egl)) else {
                panic!("{egl} is integral");
            };
            for _ in 0..20_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // rst has the sign of o (k > 0), as in the callers.
                let (o16, t16) = ((x >> 16) as i16, (x >> 32) as i16);
                let r16 =
                    i32::from((x as i16).unsigned_abs() as i16).abs() * i32::from(o16.signum());
                let (o, t) = (i32::from(o16), i32::from(t16));
                assert_eq!(i.s0(r16, o, t), f.s0(r16, o, t), "{egl} {r16} {o} {t}");
                let (o32, t32, r) = ((x >> 3) as i32, (x >> 29) as i32, (x >> 40) as i32);
                let r = (r & i32::MAX) * o32.signum();
                assert_eq!(
                    i.s123(r, o32, t32),
                    f.s123(r, o32, t32),
                    "{egl} {r} {o32} {t32}"
                );
            }
        }
        assert!(IntGain::new(1.5).is_none() && IntGain::new(-1.0).is_none());
    }

    #[test]
    fn int64_to_float_rounds_like_as() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut vals = vec![0i64, 1, -1, i64::MIN, i64::MAX, 1 << 52, (1 << 52) - 1];
        for sh in 0..64 {
            // Ties and near-ties at every magnitude.
            let b = 1i64.wrapping_shl(sh);
            vals.extend([
                b,
                b.wrapping_add(1),
                b.wrapping_sub(1),
                b | (b >> 24),
                b | (b >> 25),
            ]);
            vals.extend([(b >> 25) * 3, ((b >> 25) * 3) | 1]);
        }
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            vals.push((x as i64) >> (x % 40));
        }
        for v in vals {
            for v in [v, v.wrapping_neg()] {
                assert_eq!(i64_to_f32(v).to_bits(), (v as f32).to_bits(), "{v}");
            }
        }
    }
}
