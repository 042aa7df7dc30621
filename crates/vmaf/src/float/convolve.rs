//! The separable f32 convolution of libvmaf's float VIF and motion
//! (`vif_filter1d_s`, `convolution_f32_c_s` and their AVX2 twins, which give
//! identical results): a vertical pass, then a horizontal one, each output an
//! f32 sum `0 + f[0]*x[0] + f[1]*x[1] + ...` in tap order, borders mirrored
//! without repeating the edge sample.
//!
//! The kernels work on blocks of adjacent outputs whose sums stay
//! in registers across taps: each output keeps its C summation order while
//! the block vectorises. They are `inline(always)` so that callers running
//! under [`crate::simd::Isa::run`] get them compiled for AVX2.

use super::{Buf, FloatImage};
use crate::simd::Isa;

/// Outputs computed together where several sums share a block (one AVX
/// register each).
pub(crate) const LANES: usize = 8;

/// Outputs computed together by the single-sum kernels: four independent
/// registers hide the latency of the add chain.
const BLOCK: usize = 4 * LANES;

/// Reflects `i` into `0..n` without repeating the edge (-1 -> 1, n -> n-2),
/// as libvmaf's float convolutions do. Clamped so tiny planes cannot index
/// out of bounds (libvmaf reads outside its buffer there).
pub(crate) fn mirror(i: isize, n: usize) -> usize {
    let n = n as isize;
    let m = if i < 0 {
        -i
    } else if i >= n {
        2 * n - i - 2
    } else {
        i
    };
    m.clamp(0, n - 1) as usize
}

/// The rows that feed output row `i` of a `taps`-tap filter on `h` rows.
pub(crate) fn tap_rows(i: usize, taps: usize, h: usize) -> impl Iterator<Item = usize> {
    let start = i as isize - (taps / 2) as isize;
    (0..taps).map(move |k| mirror(start + k as isize, h))
}

/// `out[j] = sum_k f[k] * rows[k][j]` (a vertical pass).
#[inline(always)]
pub(crate) fn vertical(filter: &[f32], rows: &[&[f32]], out: &mut [f32]) {
    let w = out.len();
    let mut j = 0;
    while j + BLOCK <= w {
        let mut acc = [0.0f32; BLOCK];
        for (&f, row) in filter.iter().zip(rows) {
            let x = &row[j..j + BLOCK];
            for t in 0..BLOCK {
                acc[t] += f * x[t];
            }
        }
        out[j..j + BLOCK].copy_from_slice(&acc);
        j += BLOCK;
    }
    for (jj, o) in out.iter_mut().enumerate().skip(j) {
        let mut acc = 0.0f32;
        for (&f, row) in filter.iter().zip(rows) {
            acc += f * row[jj];
        }
        *o = acc;
    }
}

/// Horizontal pass over one row at every column: `out[j] = sum_k f[k] *
/// row[mirror(j - r + k)]`. `pad` is scratch space.
#[inline(always)]
pub(crate) fn filter_row(filter: &[f32], row: &[f32], pad: &mut Vec<f32>, out: &mut [f32]) {
    let w = row.len();
    pad_row(row, filter.len() / 2, pad);
    let mut j = 0;
    while j + BLOCK <= w {
        let mut acc = [0.0f32; BLOCK];
        for (k, &f) in filter.iter().enumerate() {
            let x = &pad[j + k..j + k + BLOCK];
            for t in 0..BLOCK {
                acc[t] += f * x[t];
            }
        }
        out[j..j + BLOCK].copy_from_slice(&acc);
        j += BLOCK;
    }
    for (jj, o) in out.iter_mut().enumerate().take(w).skip(j) {
        let mut acc = 0.0f32;
        for (k, &f) in filter.iter().enumerate() {
            acc += f * pad[jj + k];
        }
        *o = acc;
    }
}

/// Horizontal pass at even columns only: `out[j] = filtered(row)[2j]` for
/// `j < out.len()` (filter, then keep even samples, without the rest).
/// `pad` and `split` are scratch space.
#[inline(always)]
pub(crate) fn filter_row_even(
    filter: &[f32],
    row: &[f32],
    pad: &mut Vec<f32>,
    split: &mut [Vec<f32>; 2],
    out: &mut [f32],
) {
    pad_row(row, filter.len() / 2, pad);
    // Even and odd padded samples apart, so tap k of output j is
    // split[k % 2][j + k / 2]: contiguous across j.
    for (parity, s) in split.iter_mut().enumerate() {
        s.clear();
        s.extend(pad.iter().skip(parity).step_by(2));
    }
    let n = out.len();
    let mut j = 0;
    while j + BLOCK <= n {
        let mut acc = [0.0f32; BLOCK];
        for (k, &f) in filter.iter().enumerate() {
            let src = &split[k % 2];
            let x = &src[j + k / 2..j + k / 2 + BLOCK];
            for t in 0..BLOCK {
                acc[t] += f * x[t];
            }
        }
        out[j..j + BLOCK].copy_from_slice(&acc);
        j += BLOCK;
    }
    for (jj, o) in out.iter_mut().enumerate().skip(j) {
        let mut acc = 0.0f32;
        for (k, &f) in filter.iter().enumerate() {
            acc += f * pad[2 * jj + k];
        }
        *o = acc;
    }
}

/// `pad[r + j] = row[j]`, with `r` mirrored samples on each side.
#[inline(always)]
fn pad_row(row: &[f32], r: usize, pad: &mut Vec<f32>) {
    let w = row.len();
    pad.clear();
    pad.extend((0..r).map(|k| row[mirror(k as isize - r as isize, w)]));
    pad.extend_from_slice(row);
    pad.extend((0..r).map(|k| row[mirror((w + k) as isize, w)]));
}

/// Filters a whole image (float_motion's blur).
pub(crate) fn filter_image(filter: &[f32], img: &FloatImage) -> FloatImage {
    let (w, h) = (img.width, img.height);
    let mut data = Buf::scratch(w * h);
    Isa::detect().run(
        #[inline(always)]
        || {
            let mut tmp = vec![0.0f32; w];
            let mut pad = Vec::with_capacity(w + filter.len());
            let mut rows: Vec<&[f32]> = Vec::with_capacity(filter.len());
            for (i, out) in data.chunks_exact_mut(w.max(1)).enumerate().take(h) {
                rows.clear();
                rows.extend(tap_rows(i, filter.len(), h).map(|y| img.row(y)));
                vertical(filter, &rows, &mut tmp);
                filter_row(filter, &tmp, &mut pad, out);
            }
        },
    );
    FloatImage {
        data,
        width: w,
        height: h,
    }
}

/// Filters an image and keeps even rows and columns: `floor(w/2) x
/// floor(h/2)` (float VIF's `vif_filter1d_s` + `vif_dec2_s`).
pub(crate) fn filter_decimate(filter: &[f32], img: &FloatImage) -> FloatImage {
    let (w, h) = (img.width, img.height);
    let (dw, dh) = (w / 2, h / 2);
    let mut data = Buf::scratch(dw * dh);
    if dw > 0 {
        Isa::detect().run(
            #[inline(always)]
            || {
                let mut tmp = vec![0.0f32; w];
                let mut pad = Vec::with_capacity(w + filter.len());
                let mut split = [Vec::new(), Vec::new()];
                let mut rows: Vec<&[f32]> = Vec::with_capacity(filter.len());
                for (i, out) in data.chunks_exact_mut(dw).enumerate() {
                    rows.clear();
                    rows.extend(tap_rows(2 * i, filter.len(), h).map(|y| img.row(y)));
                    vertical(filter, &rows, &mut tmp);
                    filter_row_even(filter, &tmp, &mut pad, &mut split, out);
                }
            },
        );
    }
    FloatImage {
        data,
        width: dw,
        height: dh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_reflects_without_repeating_the_edge() {
        assert_eq!(mirror(-1, 5), 1);
        assert_eq!(mirror(-2, 5), 2);
        assert_eq!(mirror(5, 5), 3);
        assert_eq!(mirror(6, 5), 2);
        assert_eq!(mirror(3, 5), 3);
        assert_eq!(mirror(-3, 1), 0);
    }

    /// Reference: the C code's loops, output by output.
    fn naive(filter: &[f32], img: &FloatImage) -> FloatImage {
        let (w, h) = (img.width, img.height);
        let r = (filter.len() / 2) as isize;
        let mut tmp = vec![0.0f32; w * h];
        for i in 0..h {
            for j in 0..w {
                let mut acc = 0.0f32;
                for (k, &f) in filter.iter().enumerate() {
                    acc += f * img.row(mirror(i as isize - r + k as isize, h))[j];
                }
                tmp[i * w + j] = acc;
            }
        }
        let mut data = vec![0.0f32; w * h];
        for i in 0..h {
            for j in 0..w {
                let mut acc = 0.0f32;
                for (k, &f) in filter.iter().enumerate() {
                    acc += f * tmp[i * w + mirror(j as isize - r + k as isize, w)];
                }
                data[i * w + j] = acc;
            }
        }
        FloatImage {
            data: data.into(),
            width: w,
            height: h,
        }
    }

    fn test_image(w: usize, h: usize) -> FloatImage {
        FloatImage {
            data: (0..w * h)
                .map(|i| ((i * 37) % 101) as f32 * 0.37 - 50.0)
                .collect(),
            width: w,
            height: h,
        }
    }

    #[test]
    fn blocked_filter_is_bit_identical_to_the_c_loops() {
        let filter = [
            0.054488685f64,
            0.244201342,
            0.402619947,
            0.244201342,
            0.054488685,
        ]
        .map(|c| c as f32);
        for (w, h) in [(37, 23), (8, 5), (3, 3), (64, 9)] {
            let img = test_image(w, h);
            assert_eq!(filter_image(&filter, &img), naive(&filter, &img), "{w}x{h}");
        }
    }

    #[test]
    fn decimate_matches_filter_then_subsample() {
        let filter = [0.1f32, 0.2, 0.4, 0.2, 0.1];
        for (w, h) in [(13, 9), (41, 30), (4, 4)] {
            let img = test_image(w, h);
            let full = filter_image(&filter, &img);
            let dec = filter_decimate(&filter, &img);
            assert_eq!((dec.width, dec.height), (w / 2, h / 2));
            for i in 0..h / 2 {
                for j in 0..w / 2 {
                    assert_eq!(dec.row(i)[j], full.row(2 * i)[2 * j], "{w}x{h} ({i},{j})");
                }
            }
        }
    }
}
