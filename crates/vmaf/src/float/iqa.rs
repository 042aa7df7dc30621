//! The IQA library pieces behind libvmaf's `float_ssim` and `float_ms_ssim`
//! (iqa/ssim_tools.c, convolve.c, decimate.c): the 11x11 Gaussian SSIM over
//! the window's valid region, and decimation by a 2-D kernel.
//!
//! IQA sums each output in double from f32 products, in tap order. The
//! kernels below keep that order per output and compute blocks of adjacent
//! outputs together so that they vectorise (under [`Isa::run`], with AVX2).

use super::{Buf, FloatImage};
use crate::simd::Isa;

/// Side of the Gaussian window.
pub(crate) const WINDOW: usize = 11;

/// The window's separable taps as libvmaf stores them (f32 literals).
const GAUSSIAN_1D: [f32; WINDOW] = [
    0.001028, 0.007599, 0.036001, 0.109361, 0.213006, 0.266012, 0.213006, 0.109361, 0.036001,
    0.007599, 0.001028,
];

/// Adjacent outputs summed together (four AVX registers of f64).
const BLOCK: usize = 16;

/// Mean SSIM and its luminance, contrast and structure terms, each rounded
/// to f32 as IQA returns them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SsimMeans {
    pub ssim: f32,
    pub l: f32,
    pub c: f32,
    pub s: f32,
}

/// IQA's `_iqa_ssim` with default arguments over the valid region of the
/// window. `None` when a picture is smaller than the window.
pub(crate) fn ssim_means(reference: &FloatImage, distorted: &FloatImage) -> Option<SsimMeans> {
    let (w, h) = (reference.width, reference.height);
    if w < WINDOW || h < WINDOW || distorted.width != w || distorted.height != h {
        return None;
    }
    let [mu1, mu2, s11, s22, s12] = Isa::detect().run(
        #[inline(always)]
        || moments(reference, distorted),
    );
    // C1 = (K1 L)^2, C2 = (K2 L)^2, C3 = C2/2, all f32.
    let c1 = (0.01f32 * 255.0) * (0.01f32 * 255.0);
    let c2 = (0.03f32 * 255.0) * (0.03f32 * 255.0);
    let c3 = c2 / 2.0;
    let dw = w + 1 - WINDOW;
    let (mut ssim_sum, mut l_sum, mut c_sum, mut s_sum) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut terms = [vec![0.0f64; dw], vec![0.0f64; dw], vec![0.0f64; dw]];
    for row in 0..h + 1 - WINDOW {
        let span = row * dw..(row + 1) * dw;
        let [l_row, c_row, s_row] = &mut terms;
        for (x, ((l, c), s)) in l_row
            .iter_mut()
            .zip(c_row.iter_mut())
            .zip(s_row.iter_mut())
            .enumerate()
        {
            let i = span.start + x;
            (*l, *c, *s) = pixel_terms(mu1[i], mu2[i], s11[i], s22[i], s12[i], (c1, c2, c3));
        }
        // IQA's running double sums, pixel by pixel.
        for ((&l, &c), &s) in l_row.iter().zip(c_row.iter()).zip(s_row.iter()) {
            ssim_sum += l * c * s;
            l_sum += l;
            c_sum += c;
            s_sum += s;
        }
    }
    let n = (dw * (h + 1 - WINDOW)) as f64;
    Some(SsimMeans {
        ssim: (ssim_sum / n) as f32,
        l: (l_sum / n) as f32,
        c: (c_sum / n) as f32,
        s: (s_sum / n) as f32,
    })
}

/// One pixel's luminance, contrast and structure terms, with IQA's mix of
/// f32 and double.
#[inline(always)]
fn pixel_terms(
    m1: f32,
    m2: f32,
    s11: f32,
    s22: f32,
    s12: f32,
    (c1, c2, c3): (f32, f32, f32),
) -> (f64, f64, f64) {
    let v1 = s11 - m1 * m1;
    let v2 = s22 - m2 * m2;
    let v1 = if 0.0 > v1 { 0.0 } else { v1 };
    let v2 = if 0.0 > v2 { 0.0 } else { v2 };
    let cov = s12 - m1 * m2;
    let sigma_both = f64::from(v1 * v2).sqrt() as f32;
    let l =
        (2.0 * f64::from(m1) * f64::from(m2) + f64::from(c1)) / f64::from(m1 * m1 + m2 * m2 + c1);
    let c = (2.0 * f64::from(sigma_both) + f64::from(c2)) / f64::from(v1 + v2 + c2);
    // Flat identical windows can give a slightly negative covariance with
    // zero deviations; libvmaf treats that as 0 so SSIM stays 1.
    let cov = if cov < 0.0 && sigma_both <= 0.0 {
        0.0
    } else {
        cov
    };
    let s = f64::from((cov + c3) / (sigma_both + c3));
    (l, c, s)
}

/// The five Gaussian-filtered images of IQA's SSIM over the valid region
/// (`(w-10) x (h-10)`): means of x and y, and of x*x, y*y, x*y. As
/// `_iqa_convolve`: horizontal pass first, rounded to f32, then vertical.
#[inline(always)]
fn moments(reference: &FloatImage, distorted: &FloatImage) -> [Buf; 5] {
    let (w, h) = (reference.width, reference.height);
    let (dw, dh) = (w + 1 - WINDOW, h + 1 - WINDOW);
    // Horizontal pass of every row; products rounded to f32 first, as C
    // squares the picture into a float buffer before filtering it.
    let mut horiz: [Buf; 5] = std::array::from_fn(|_| Buf::scratch(dw * h));
    let mut prods: [Vec<f32>; 3] = std::array::from_fn(|_| vec![0.0f32; w]);
    for y in 0..h {
        let (a, b) = (reference.row(y), distorted.row(y));
        let [xx, yy, xy] = &mut prods;
        for (((p, q), r), (&x, &v)) in xx
            .iter_mut()
            .zip(yy.iter_mut())
            .zip(xy.iter_mut())
            .zip(a.iter().zip(b))
        {
            *p = x * x;
            *q = v * v;
            *r = x * v;
        }
        let sources = [a, b, &prods[0][..], &prods[1][..], &prods[2][..]];
        for (src, out) in sources.iter().zip(horiz.iter_mut()) {
            let taps: [&[f32]; WINDOW] = std::array::from_fn(|k| &src[k..k + dw]);
            weighted_sum(&GAUSSIAN_1D, &taps, &mut out[y * dw..(y + 1) * dw]);
        }
    }
    // Vertical pass over the valid rows.
    let mut result: [Buf; 5] = std::array::from_fn(|_| Buf::scratch(dw * dh));
    for (src, out) in horiz.iter().zip(result.iter_mut()) {
        for y in 0..dh {
            let taps: [&[f32]; WINDOW] =
                std::array::from_fn(|k| &src[(y + k) * dw..(y + k + 1) * dw]);
            weighted_sum(&GAUSSIAN_1D, &taps, &mut out[y * dw..(y + 1) * dw]);
        }
    }
    result
}

/// `out[x] = (f32) sum_k (double)(taps[k][x] * f[k])`, in tap order.
#[inline(always)]
fn weighted_sum(filter: &[f32], taps: &[&[f32]], out: &mut [f32]) {
    let n = out.len();
    let mut x = 0;
    while x + BLOCK <= n {
        let mut acc = [0.0f64; BLOCK];
        for (&f, src) in filter.iter().zip(taps) {
            let s = &src[x..x + BLOCK];
            for t in 0..BLOCK {
                acc[t] += f64::from(s[t] * f);
            }
        }
        for (o, a) in out[x..x + BLOCK].iter_mut().zip(acc) {
            *o = a as f32;
        }
        x += BLOCK;
    }
    for (xx, o) in out.iter_mut().enumerate().skip(x) {
        let mut acc = 0.0f64;
        for (&f, src) in filter.iter().zip(taps) {
            acc += f64::from(src[xx] * f);
        }
        *o = acc as f32;
    }
}

/// IQA's symmetric border: -1 -> 0, n -> n-1 (the edge sample repeats).
fn symmetric(i: isize, n: usize) -> usize {
    let n = n as isize;
    let m = if i < 0 {
        -1 - i
    } else if i >= n {
        2 * n - i - 1
    } else {
        i
    };
    m.clamp(0, n - 1) as usize
}

/// IQA's `_iqa_decimate`: the 2-D `kernel` (k x k, row-major) centred on
/// every `factor`-th sample, symmetric borders, a double sum of f32
/// products in kernel order. Output `w/factor + (w&1)` by `h/factor + (h&1)`.
pub(crate) fn decimate(img: &FloatImage, factor: usize, kernel: &[f32]) -> FloatImage {
    let (w, h) = (img.width, img.height);
    let k = (kernel.len() as f64).sqrt() as usize;
    let (sw, sh) = (w / factor + (w & 1), h / factor + (h & 1));
    let mut data = Buf::scratch(sw * sh);
    if sw == 0 || sh == 0 || k == 0 || factor == 0 {
        return FloatImage {
            data,
            width: sw,
            height: sh,
        };
    }
    let center = k / 2;
    // Every source row, padded with mirrored samples so that column
    // x*factor + u - center is padded[x*factor + u], then split into
    // `factor` phases: padded[m*factor + p] = phases[p][m]. Tap u of output
    // x is then phases[u % factor][u / factor + x], contiguous across x.
    let pad_len = (sw - 1) * factor + k;
    let pw = pad_len.div_ceil(factor);
    let mut split = Buf::scratch(h * factor * pw);
    for (y, rows) in split.chunks_exact_mut(factor * pw).enumerate() {
        let src = img.row(y);
        for i in 0..pad_len {
            let v = src[symmetric(i as isize - center as isize, w)];
            rows[(i % factor) * pw + i / factor] = v;
        }
    }
    Isa::detect().run(
        #[inline(always)]
        || {
            for (y, out) in data.chunks_exact_mut(sw).enumerate() {
                // Sources of every tap, in kernel order (row v, column u).
                let mut taps: Vec<&[f32]> = Vec::with_capacity(k * k);
                for v in 0..k {
                    let sy = symmetric((y * factor + v) as isize - center as isize, h);
                    let rows = &split[sy * factor * pw..(sy + 1) * factor * pw];
                    for u in 0..k {
                        let phase = &rows[(u % factor) * pw..(u % factor + 1) * pw];
                        taps.push(&phase[u / factor..u / factor + sw]);
                    }
                }
                weighted_sum(kernel, &taps, out);
            }
        },
    );
    FloatImage {
        data,
        width: sw,
        height: sh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(w: usize, h: usize, f: impl Fn(usize, usize) -> f32) -> FloatImage {
        FloatImage {
            data: (0..w * h)
                .map(|i| f(i % w, i / w))
                .collect::<Vec<_>>()
                .into(),
            width: w,
            height: h,
        }
    }

    /// IQA's `_iqa_filter_pixel` loop, output by output.
    fn naive_decimate(img: &FloatImage, factor: usize, kernel: &[f32]) -> FloatImage {
        let (w, h) = (img.width, img.height);
        let k = (kernel.len() as f64).sqrt() as usize;
        let c = (k / 2) as isize;
        let (sw, sh) = (w / factor + (w & 1), h / factor + (h & 1));
        let mut data = vec![0.0f32; sw * sh];
        for y in 0..sh {
            for x in 0..sw {
                let mut sum = 0.0f64;
                for v in 0..k {
                    for u in 0..k {
                        let sy = symmetric((y * factor) as isize + v as isize - c, h);
                        let sx = symmetric((x * factor) as isize + u as isize - c, w);
                        sum += f64::from(img.row(sy)[sx] * kernel[v * k + u]);
                    }
                }
                data[y * sw + x] = sum as f32;
            }
        }
        FloatImage {
            data: data.into(),
            width: sw,
            height: sh,
        }
    }

    #[test]
    fn decimate_is_bit_identical_to_the_c_loop() {
        let kernel9: Vec<f32> = (0..81)
            .map(|i| ((i * 17) % 23) as f32 / 300.0 - 0.03)
            .collect();
        let box3 = vec![1.0f32 / 9.0; 9];
        let box2 = vec![0.25f32; 4];
        for (w, h) in [(37, 29), (40, 22), (11, 11), (64, 48)] {
            let img = image(w, h, |x, y| ((x * 7 + y * 13) % 256) as f32 * 0.9);
            assert_eq!(
                decimate(&img, 2, &kernel9),
                naive_decimate(&img, 2, &kernel9)
            );
            assert_eq!(decimate(&img, 3, &box3), naive_decimate(&img, 3, &box3));
            assert_eq!(decimate(&img, 2, &box2), naive_decimate(&img, 2, &box2));
        }
    }

    #[test]
    fn decimate_box_averages() {
        let img = image(6, 6, |x, y| (x + 10 * y) as f32);
        let d = decimate(&img, 3, &[1.0f32 / 9.0; 9]);
        assert_eq!((d.width, d.height), (2, 2));
        // Centre (3, 3): the mean of its 3x3 neighbourhood is the sample.
        assert!((d.data[3] - 33.0).abs() < 1e-4);
        // Corner (0, 0): row/column -1 repeat the edge.
        let corner = (0.0 + 0.0 + 1.0 + 0.0 + 0.0 + 1.0 + 10.0 + 10.0 + 11.0) / 9.0;
        assert!((d.data[0] - corner).abs() < 1e-4);
    }

    #[test]
    fn identical_and_flat_pictures_score_one() {
        let img = image(32, 24, |x, y| ((x * 7 + y * 13) % 256) as f32);
        let m = ssim_means(&img, &img).unwrap();
        assert!((m.ssim - 1.0).abs() < 1e-6);
        let flat = image(16, 16, |_, _| 77.0);
        assert!((ssim_means(&flat, &flat).unwrap().ssim - 1.0).abs() < 1e-6);
    }

    #[test]
    fn distortion_lowers_ssim() {
        let a = image(32, 32, |x, y| ((x * 7 + y * 13) % 256) as f32);
        let b = image(32, 32, |x, y| {
            ((x * 7 + y * 13) % 256) as f32 + ((x + y) % 3) as f32 * 9.0
        });
        let m = ssim_means(&a, &b).unwrap();
        assert!(m.ssim < 0.99 && m.ssim > 0.0, "{}", m.ssim);
    }

    #[test]
    fn too_small_is_none() {
        let img = image(10, 40, |x, _| x as f32);
        assert!(ssim_means(&img, &img).is_none());
    }
}
