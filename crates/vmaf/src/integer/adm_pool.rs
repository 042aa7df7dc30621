//! Row sums of one ADM scale: masking thresholds, the masked cube sums of
//! the numerator and the cube sums of the denominator. Plain loops over
//! equal-length slices so that they vectorise.

use super::mirror_b;

/// The masking threshold of every column of one row: the 3×3 box sum of
/// Σθ m_θ (mirrorB borders) minus its centre, plus Σθ centre_θ.
///
/// `up`, `mid`, `dn` and `ctr` hold columns `dl..dl + len` of their rows in a
/// band `w` wide; the thresholds of columns `l..r` go to `thr`. libvmaf sums
/// in int64 and stores int32: the same as wrapping i32 sums.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn thresholds(
    [up, mid, dn]: [&[i32]; 3],
    ctr: &[i32],
    w: usize,
    dl: usize,
    (l, r): (usize, usize),
    vp: &mut Vec<i32>,
    thr: &mut Vec<i32>,
) {
    let nc = r - l;
    let c0 = l - dl;
    let vsum = |c: usize| up[c].wrapping_add(mid[c]).wrapping_add(dn[c]);
    // vp[k] is the vertical sum of column l - 1 + k.
    vp.resize(nc + 2, 0);
    vp[0] = vsum(mirror_b(l as isize - 1, w) - dl);
    vp[nc + 1] = vsum(mirror_b(r as isize, w) - dl);
    let (u, m, d) = (&up[c0..c0 + nc], &mid[c0..c0 + nc], &dn[c0..c0 + nc]);
    for (k, v) in vp[1..=nc].iter_mut().enumerate() {
        *v = u[k].wrapping_add(m[k]).wrapping_add(d[k]);
    }
    thr.resize(nc, 0);
    let (a, b, c) = (&vp[..nc], &vp[1..nc + 1], &vp[2..nc + 2]);
    let cc = &ctr[c0..c0 + nc];
    for (k, t) in thr.iter_mut().enumerate() {
        *t = a[k]
            .wrapping_add(b[k])
            .wrapping_add(c[k])
            .wrapping_sub(m[k])
            .wrapping_add(cc[k]);
    }
}

/// `(v + 2^(c-1)) >> c`, or `v >> 0` for c = 0 (libvmaf's `(uint32)pow(2, -1)`).
#[inline(always)]
pub(crate) fn rshift(v: i64, c: u32) -> i64 {
    let round = if c == 0 { 0 } else { 1i64 << (c - 1) };
    (v + round) >> c
}

/// [`rshift`] of an unsigned sum.
#[inline(always)]
pub(crate) fn rshift_u(v: u64, c: u32) -> u64 {
    let round = if c == 0 { 0 } else { 1u64 << (c - 1) };
    (v + round) >> c
}

/// Scale 0 numerator of one row and orientation: Σ rshift(xsq·x, cub) with
/// `x = max(|r·rf| − (thr << sub), 0)` and `xsq = (int32)rshift(x², q)`.
#[inline(always)]
pub(crate) fn cube_s0(r: &[i16], thr: &[i32], rf: i32, sub: u32, q: u32, cub: u32) -> i64 {
    let n = thr.len();
    let r = &r[..n];
    let mut s = 0i64;
    for j in 0..n {
        // |r·rf| ≤ 2^15·49417 < 2^31.
        let x = (i32::from(r[j]) * rf)
            .wrapping_abs()
            .wrapping_sub(thr[j].wrapping_shl(sub))
            .max(0);
        let xx = u64::from(x as u32);
        let xsq = ((xx * xx + (1u64 << (q - 1))) >> q) as i32;
        s = s.wrapping_add(rshift(i64::from(xsq) * i64::from(x), cub));
    }
    s
}

/// Scales 1..3 numerator of one row and orientation: as [`cube_s0`] with
/// `x = max(|(r·rf + 2^27) >> 28| − thr, 0)` and q = 30.
#[inline(always)]
pub(crate) fn cube_s123(r: &[i32], thr: &[i32], rf: i32, cub: u32) -> i64 {
    let n = thr.len();
    let r = &r[..n];
    let rf = i64::from(rf);
    let mut s = 0i64;
    for j in 0..n {
        let x = ((i64::from(r[j]) * rf + (1 << 27)) >> 28) as i32;
        let x = x.wrapping_abs().wrapping_sub(thr[j]).max(0);
        let xx = u64::from(x as u32);
        let xsq = ((xx * xx + (1u64 << 29)) >> 30) as i32;
        s = s.wrapping_add(rshift(i64::from(xsq) * i64::from(x), cub));
    }
    s
}

/// Scale 0 denominator of one row: Σ|o|³.
#[inline(always)]
pub(crate) fn den_s0(o: &[i16]) -> u64 {
    o.iter()
        .map(|&v| {
            let a = u32::from(v.unsigned_abs());
            // a² ≤ 2^30 fits in 32 bits.
            u64::from(a * a) * u64::from(a)
        })
        .fold(0u64, u64::wrapping_add)
}

/// Scales 1..3 denominator of one row: Σ rshift(((|o|² + 2^q) >> q)·|o|, cub).
#[inline(always)]
pub(crate) fn den_s123(o: &[i32], q: u32, cub: u32) -> u64 {
    let round = if cub == 0 { 0 } else { 1u64 << (cub - 1) };
    o.iter()
        .map(|&v| {
            let a = u64::from(v.unsigned_abs());
            (((a * a + (1u64 << q)) >> q) * a + round) >> cub
        })
        .fold(0u64, u64::wrapping_add)
}
