//! The horizontal pass of integer VIF with AVX2 multiply-add of 16-bit
//! pairs (`vpmaddwd`), for filters whose taps fit an i16 (scales 0 to 2).
//!
//! Every vertical output (the two means, and the high and low 16-bit halves
//! of the three second moments) is stored once per row as `v - 32768` in an
//! i16. One `vpmaddwd` then applies two adjacent taps to eight outputs, and
//! the offset comes back exactly: the taps sum to 65536, so it adds up to
//! `-2^31` in wrapping u32 arithmetic. A 16-bit load at `j + k` pairs the
//! taps `k, k + 1` of the outputs `j, j + 2, …`; the odd outputs load one
//! sample further. VIF only sums over pixels, so the even and odd outputs
//! are scored in separate lanes without interleaving them back.

use super::vif_stats::{add_terms, variances, VifSums, SIGMA_NSQ};
use pulp::x86::V3;
use pulp::{f64x4, i16x16, i32x4, i32x8, u64x4};

/// Outputs per step: eight even and eight odd columns.
pub(crate) const STEP: usize = 16;
/// The eight planes of one row: means, then high/low halves of xx, yy, xy.
const PLANES: usize = 8;

/// One row of vertical results in offset 16-bit form, padded like the
/// 32-bit row buffers and with `PAD` more samples so the last loads stay in
/// bounds.
#[derive(Debug, Default)]
pub(crate) struct SplitRow {
    planes: [Vec<i16>; PLANES],
}

/// `v - 32768` as an i16, for `v < 65536`.
#[inline(always)]
fn offset(v: u32) -> i16 {
    ((v & 0xffff) ^ 0x8000) as u16 as i16
}

impl SplitRow {
    /// Fills the planes from one padded row of vertical results, given as
    /// mu1, mu2, xx, yy, xy.
    #[inline(always)]
    pub(crate) fn fill(&mut self, src: [&[u32]; 5]) {
        let len = src[0].len();
        // Every sample before the padding is overwritten below, and the
        // padding always holds zeros: resize only when the width changes.
        for p in &mut self.planes {
            if p.len() != len + PAD {
                p.clear();
                p.resize(len + PAD, offset(0));
            }
        }
        let [m1, m2, xh, xl, yh, yl, ph, pl] = &mut self.planes;
        let [a, b, c, d, e] = src;
        let low = |o: &mut [i16], v: &[u32]| o.iter_mut().zip(v).for_each(|(o, &v)| *o = offset(v));
        let high =
            |o: &mut [i16], v: &[u32]| o.iter_mut().zip(v).for_each(|(o, &v)| *o = offset(v >> 16));
        low(m1, a);
        low(m2, b);
        high(xh, c);
        low(xl, c);
        high(yh, d);
        low(yl, d);
        high(ph, e);
        low(pl, e);
    }
}

/// Samples one step reads: its 16 outputs, 17 taps rounded up to 18, and
/// the odd outputs' extra one.
const WIN: usize = 40;
/// Zeros after each row so every window of the last step is in bounds.
const PAD: usize = WIN;

#[inline(always)]
fn load(w: &[i16; WIN], o: usize) -> i16x16 {
    let mut a = [0i16; 16];
    a.copy_from_slice(&w[o..o + 16]);
    pulp::cast(a)
}

/// Adds the multiply-add of the tap pair `p` (loads at `2p + parity`) to
/// the eight accumulators.
#[inline(always)]
fn pair(simd: V3, acc: &mut [i32x8; PLANES], win: &[&[i16; WIN]; PLANES], o: usize, c: i16x16) {
    for q in 0..PLANES {
        let prod = simd.multiply_wrapping_add_adjacent_i16x16(load(win[q], o), c);
        acc[q] = simd.wrapping_add_i32x8(acc[q], prod);
    }
}

/// The accumulators of one parity of one step: taps in pairs, up to nine.
#[inline(always)]
fn accumulate(
    simd: V3,
    win: &[&[i16; WIN]; PLANES],
    coef: &[i16x16; 9],
    pairs: usize,
    parity: usize,
) -> [i32x8; PLANES] {
    let mut acc = [simd.splat_i32x8(i32::MIN); PLANES];
    pair(simd, &mut acc, win, parity, coef[0]);
    pair(simd, &mut acc, win, 2 + parity, coef[1]);
    if pairs > 2 {
        pair(simd, &mut acc, win, 4 + parity, coef[2]);
    }
    if pairs > 3 {
        pair(simd, &mut acc, win, 6 + parity, coef[3]);
        pair(simd, &mut acc, win, 8 + parity, coef[4]);
    }
    if pairs > 5 {
        pair(simd, &mut acc, win, 10 + parity, coef[5]);
        pair(simd, &mut acc, win, 12 + parity, coef[6]);
        pair(simd, &mut acc, win, 14 + parity, coef[7]);
        pair(simd, &mut acc, win, 16 + parity, coef[8]);
    }
    acc
}

/// Sums of the VIF terms of the outputs `0..steps * STEP` of one row.
/// `filt` has 3, 5, 9 or 17 taps, each below 32768.
#[inline(always)]
pub(crate) fn hpass<const FL: usize>(
    simd: V3,
    row: &SplitRow,
    steps: usize,
    filt: &[u16; FL],
    egl: f64,
    table: &[u16; 65537],
    sums: &mut VifSums,
) {
    let coef: [i16x16; 9] = std::array::from_fn(|p| {
        let tap = |k: usize| filt.get(k).map_or(0, |&f| f as i16);
        let (a, b) = (tap(2 * p), tap(2 * p + 1));
        pulp::cast([a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b])
    });
    let pairs = FL.div_ceil(2);
    let empty = [0i16; WIN];
    for step in 0..steps {
        let win: [&[i16; WIN]; PLANES] = std::array::from_fn(|q| {
            row.planes[q]
                .get(step * STEP..step * STEP + WIN)
                .and_then(|s| <&[i16; WIN]>::try_from(s).ok())
                .unwrap_or(&empty)
        });
        let even = accumulate(simd, &win, &coef, pairs, 0);
        let odd = accumulate(simd, &win, &coef, pairs, 1);
        // Even outputs in lanes 0..8, odd ones in 8..16.
        let lanes: [[u32; 16]; PLANES] = std::array::from_fn(|q| {
            let (e, o): ([u32; 8], [u32; 8]) = (pulp::cast(even[q]), pulp::cast(odd[q]));
            std::array::from_fn(|l| if l < 8 { e[l] } else { o[l - 8] })
        });
        let [mu1, mu2, xh, xl, yh, yl, ph, pl] = lanes;
        let (s1, s2, s12) = variances(&mu1, &mu2, &[xh, xl, yh, yl, ph, pl]);
        block_terms_v3(simd, &s1, &s2, &s12, egl, table, sums);
    }
}

/// [`super::vif_stats::block_terms`] for 16 pixels with explicit AVX2 lane
/// arithmetic, in the same operations and order, so the results are the
/// same bit for bit. Only the log2 table lookups are scalar.
#[inline(always)]
fn block_terms_v3(
    simd: V3,
    s1: &[i32; STEP],
    s2: &[i32; STEP],
    s12: &[i32; STEP],
    egl: f64,
    table: &[u16; 65537],
    sums: &mut VifSums,
) {
    let eps = simd.splat_f64x4(65536.0 * 1.0e-10);
    let sigma = simd.splat_f64x4(f64::from(SIGMA_NSQ));
    let zero = simd.splat_f64x4(0.0);
    let egl = simd.splat_f64x4(egl);
    let quad = |v: &[i32; STEP], q: usize| -> f64x4 {
        let mut a = [0i32; 4];
        a.copy_from_slice(&v[4 * q..4 * q + 4]);
        simd.convert_i32x4_to_f64x4(pulp::cast::<[i32; 4], i32x4>(a))
    };
    // (table index, power of two) of an exact integer in an f64, as
    // `log2_parts` computes them.
    let mask = simd.splat_u64x4(0x7fff);
    let top = simd.splat_u64x4(0x8000);
    let parts = |x: f64x4| -> (u64x4, u64x4) {
        let bits: u64x4 = pulp::cast(x);
        let index = simd.or_u64x4(top, simd.and_u64x4(simd.shr_const_u64x4::<37>(bits), mask));
        (index, simd.shr_const_u64x4::<52>(bits))
    };
    let mut idx = [[0u64; STEP]; 3];
    let mut exp = [[0u64; STEP]; 3];
    for q in 0..4 {
        let (a, b, c) = (quad(s1, q), quad(s2, q), quad(s12, q));
        let g = simd.div_f64x4(c, simd.add_f64x4(a, eps));
        let sv = simd.max_f64x4(
            simd.truncate_f64x4(simd.sub_f64x4(b, simd.mul_f64x4(g, c))),
            zero,
        );
        let g = simd.min_f64x4(g, egl);
        let n1 = simd.add_f64x4(sv, sigma);
        let gs = simd.truncate_f64x4(simd.mul_f64x4(simd.mul_f64x4(g, g), a));
        let n2 = simd.add_f64x4(gs, n1);
        let den = simd.add_f64x4(a, sigma);
        for (t, x) in [den, n1, n2].into_iter().enumerate() {
            let (i, e) = parts(x);
            idx[t][4 * q..4 * q + 4].copy_from_slice(&pulp::cast::<u64x4, [u64; 4]>(i));
            exp[t][4 * q..4 * q + 4].copy_from_slice(&pulp::cast::<u64x4, [u64; 4]>(e));
        }
    }
    let [den_i, n1_i, n2_i] = idx;
    let [den_e, n1_e, n2_e] = exp;
    let mut den = [0i32; STEP];
    let mut num = [0i32; STEP];
    for l in 0..STEP {
        let t = |i: u64| i32::from(table[i as usize & 0xffff]);
        // Shifts are exponent - 1023 - 15; the biases cancel in `num`.
        den[l] = t(den_i[l]) + 2048 * (den_e[l] as i32 - 1038) - 17 * 2048;
        num[l] = t(n2_i[l]) - t(n1_i[l]) + 2048 * (n2_e[l] as i32 - n1_e[l] as i32);
    }
    add_terms(s1, s2, s12, &den, &num, sums);
}
