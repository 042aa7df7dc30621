//! The vertical pass of integer VIF scale 0 for 8-bit input with AVX2
//! multiply-add of 16-bit pairs (`vpmaddwd`).
//!
//! Two filter rows are interleaved byte by byte, so one `vpmaddwd` applies
//! two taps to eight pixels, in pixel order. Squares and cross products of
//! 8-bit samples fit 16 bits; they enter the multiply-add as `v - 32768`,
//! and the offset comes back exactly at the end because the taps sum to
//! 65536 (`+2^31` in wrapping u32 arithmetic). The results are the scalar
//! pass's: exact sums, means rounded and shifted by 8, second moments
//! unshifted.

use pulp::x86::V3;
use pulp::{i16x16, i32x8};
use std::arch::x86_64::{__m128i, __m256i};

/// Pixels per step.
pub(crate) const STEP: usize = 16;

/// The five accumulators of eight pixels.
type Acc = [__m256i; 5];

#[inline(always)]
fn load16(row: &[u8], j: usize) -> __m128i {
    let mut a = [0u8; 16];
    if let Some(s) = row.get(j..j + 16) {
        a.copy_from_slice(s);
    }
    pulp::cast(a)
}

/// Adds taps `(fa, fb)` of rows `(ra, rb)` (reference) and `(da, db)`
/// (distorted) at the 16 pixels from `j`, to the accumulators of pixels
/// `j..j + 8` (`lo`) and `j + 8..j + 16` (`hi`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn pair(
    simd: V3,
    lo: &mut Acc,
    hi: &mut Acc,
    rows: [&[u8]; 4],
    j: usize,
    coef: __m256i,
    flip: __m256i,
) {
    let [ra, rb, da, db] = rows.map(|r| load16(r, j));
    let halves = [
        (
            simd.sse2._mm_unpacklo_epi8(ra, rb),
            simd.sse2._mm_unpacklo_epi8(da, db),
        ),
        (
            simd.sse2._mm_unpackhi_epi8(ra, rb),
            simd.sse2._mm_unpackhi_epi8(da, db),
        ),
    ];
    for ((r, d), acc) in halves.into_iter().zip([lo, hi]) {
        let x = simd.avx2._mm256_cvtepu8_epi16(r);
        let y = simd.avx2._mm256_cvtepu8_epi16(d);
        let xx = simd
            .avx2
            ._mm256_xor_si256(simd.avx2._mm256_mullo_epi16(x, x), flip);
        let yy = simd
            .avx2
            ._mm256_xor_si256(simd.avx2._mm256_mullo_epi16(y, y), flip);
        let xy = simd
            .avx2
            ._mm256_xor_si256(simd.avx2._mm256_mullo_epi16(x, y), flip);
        for (a, v) in acc.iter_mut().zip([x, y, xx, yy, xy]) {
            *a = simd
                .avx2
                ._mm256_add_epi32(*a, simd.avx2._mm256_madd_epi16(v, coef));
        }
    }
}

/// Vertical 17-tap pass of `steps * STEP` pixels of one output row: `rr`
/// and `rd` are the 17 source rows of the reference and the distorted
/// frame. Writes mu1, mu2, xx, yy, xy of pixel `j` to `out[k][j]`.
#[inline(always)]
pub(crate) fn vpass(
    simd: V3,
    rr: &[&[u8]; 17],
    rd: &[&[u8]; 17],
    filt: &[u16; 17],
    steps: usize,
    out: [&mut [u32]; 5],
) {
    let coef: [__m256i; 9] = std::array::from_fn(|p| {
        let tap = |k: usize| filt.get(k).map_or(0, |&f| f as i16);
        let (a, b) = (tap(2 * p), tap(2 * p + 1));
        pulp::cast::<i16x16, __m256i>(pulp::cast([a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b]))
    });
    let flip = simd.avx._mm256_set1_epi16(i16::MIN);
    // Means start at zero; second moments at the offset's 2^31.
    let zero = simd.avx._mm256_setzero_si256();
    let bias = simd.avx._mm256_set1_epi32(i32::MIN);
    let start: Acc = [zero, zero, bias, bias, bias];
    let round = simd.avx._mm256_set1_epi32(128);
    let [o1, o2, o3, o4, o5] = out;
    for step in 0..steps {
        let j = step * STEP;
        let (mut lo, mut hi) = (start, start);
        for (p, &c) in coef.iter().enumerate() {
            let (a, b) = (2 * p, (2 * p + 1).min(16));
            let rows = [rr[a], rr[b], rd[a], rd[b]];
            pair(simd, &mut lo, &mut hi, rows, j, c, flip);
        }
        for (half, acc) in [lo, hi].into_iter().enumerate() {
            let mu1 = simd
                .avx2
                ._mm256_srli_epi32::<8>(simd.avx2._mm256_add_epi32(acc[0], round));
            let mu2 = simd
                .avx2
                ._mm256_srli_epi32::<8>(simd.avx2._mm256_add_epi32(acc[1], round));
            let vals = [mu1, mu2, acc[2], acc[3], acc[4]];
            let at = j + 8 * half;
            for (o, v) in [&mut *o1, &mut *o2, &mut *o3, &mut *o4, &mut *o5]
                .into_iter()
                .zip(vals)
            {
                let lanes: [u32; 8] = pulp::cast::<i32x8, [u32; 8]>(pulp::cast(v));
                if let Some(dst) = o.get_mut(at..at + 8) {
                    dst.copy_from_slice(&lanes);
                }
            }
        }
    }
}
