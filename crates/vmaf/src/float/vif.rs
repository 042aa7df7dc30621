//! libvmaf's `float_vif` (vif.c, vif_tools.c): visual information fidelity
//! on a 4-scale Gaussian pyramid, in f32 as the C code computes it.

use reel_core::Plane;

use super::convolve::{filter_decimate, filter_row, tap_rows, LANES};
use super::{check_luma, to_float, FloatImage, Sample};
use crate::simd::Isa;
use crate::Result;

/// Neural noise variance (`vif_sigma_nsq`).
const SIGMA_NSQ: f64 = 2.0;
/// Enhancement gain limit (`vif_enhn_gain_limit`, default 100).
const ENHN_GAIN_LIMIT: f32 = 100.0;
const EPS: f32 = 1.0e-10;

/// Per-scale numerators and denominators of float VIF.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VifScores {
    /// `vif_num_scale0..3`.
    pub num: [f32; 4],
    /// `vif_den_scale0..3`.
    pub den: [f32; 4],
}

impl VifScores {
    /// `VMAF_feature_vif_scale0..3_score`: num/den in double; scales 1-3 are
    /// floored at 0 (libvmaf's default `vif_scaleN_min_val`).
    pub fn scores(&self) -> [f64; 4] {
        std::array::from_fn(|s| {
            let v = f64::from(self.num[s]) / f64::from(self.den[s]);
            if s == 0 {
                v
            } else {
                v.max(0.0)
            }
        })
    }
}

/// float_vif of one luma pair.
///
/// # Errors
/// [`crate::Error::Unsupported`] when the planes differ in size or are
/// empty, or the bit depth is outside 8..=16.
pub fn float_vif<T: Sample>(
    reference: &Plane<T>,
    distorted: &Plane<T>,
    bit_depth: u8,
) -> Result<VifScores> {
    check_luma(reference, distorted, bit_depth, "float VIF")?;
    let r = to_float(reference, bit_depth, -128.0);
    let d = to_float(distorted, bit_depth, -128.0);
    Ok(vif_float_images(&r, &d))
}

/// float VIF on pictures already converted by `picture_copy` (offset -128).
pub(crate) fn vif_float_images(reference: &FloatImage, distorted: &FloatImage) -> VifScores {
    let mut num = [0.0f32; 4];
    let mut den = [0.0f32; 4];
    let mut scaled: Option<(FloatImage, FloatImage)> = None;
    for scale in 0..4 {
        let filter = vif_filter(scale);
        if scale > 0 {
            // Scale s is scale s-1 blurred with scale s's filter, then halved.
            let (r, d) = match &scaled {
                Some((r, d)) => (r, d),
                None => (reference, distorted),
            };
            scaled = Some((filter_decimate(&filter, r), filter_decimate(&filter, d)));
        }
        let (r, d) = match &scaled {
            Some((r, d)) => (r, d),
            None => (reference, distorted),
        };
        (num[scale], den[scale]) = statistic(&filter, r, d);
    }
    VifScores { num, den }
}

/// libvmaf's run-time Gaussian for a VIF scale: N = 2^(4-s)+1 taps, sigma =
/// N/5, computed with its own float/double mix (`get_1d_gaussian_kernel`).
fn vif_filter(scale: usize) -> Vec<f32> {
    let n = (1usize << (4 - scale)) + 1;
    let stdev = n as f32 / 5.0;
    let half = (n - 1) / 2;
    let sd = f64::from(stdev);
    let den = (1.0 / (sd * (2.0 * std::f64::consts::PI).sqrt())) as f32;
    let mut out: Vec<f32> = (0..n)
        .map(|i| {
            let x = f64::from(i as f32 - half as f32);
            let num = (-0.5 * x / sd * x / sd).exp() as f32;
            num / den
        })
        .collect();
    let sum = out.iter().fold(0.0f32, |s, &v| s + v);
    for v in &mut out {
        *v /= sum;
    }
    out
}

/// Filters mu, squares and cross product row by row and sums the per-pixel
/// VIF terms (`vif_statistic_s`): f32 sums per row, then across rows.
fn statistic(filter: &[f32], r: &FloatImage, d: &FloatImage) -> (f32, f32) {
    let (w, h) = (r.width, r.height);
    if w == 0 || h == 0 {
        return (0.0, 0.0);
    }
    Isa::detect().run(
        #[inline(always)]
        || {
            let mut vert: [Vec<f32>; 5] = std::array::from_fn(|_| vec![0.0f32; w]);
            let mut hor: [Vec<f32>; 5] = std::array::from_fn(|_| vec![0.0f32; w]);
            let mut pad = Vec::with_capacity(w + filter.len());
            let (mut num_row, mut den_row) = (vec![0.0f32; w], vec![0.0f32; w]);
            let mut ref_rows: Vec<&[f32]> = Vec::with_capacity(filter.len());
            let mut dis_rows: Vec<&[f32]> = Vec::with_capacity(filter.len());
            let (mut accum_num, mut accum_den) = (0.0f32, 0.0f32);
            for i in 0..h {
                ref_rows.clear();
                dis_rows.clear();
                for y in tap_rows(i, filter.len(), h) {
                    ref_rows.push(r.row(y));
                    dis_rows.push(d.row(y));
                }
                vertical_moments(filter, &ref_rows, &dis_rows, &mut vert);
                for (v, o) in vert.iter().zip(hor.iter_mut()) {
                    filter_row(filter, v, &mut pad, o);
                }
                // Per-pixel terms first (vectorisable), then the C code's
                // sequential f32 row sums.
                let [mu1, mu2, xx, yy, xy] = &hor;
                for j in 0..w {
                    (num_row[j], den_row[j]) = pixel_terms(mu1[j], mu2[j], xx[j], yy[j], xy[j]);
                }
                let row_num = num_row.iter().fold(0.0f32, |acc, &v| acc + v);
                let row_den = den_row.iter().fold(0.0f32, |acc, &v| acc + v);
                accum_num += row_num;
                accum_den += row_den;
            }
            (accum_num, accum_den)
        },
    )
}

/// The vertical pass of the five filtered images at once: means of x and y,
/// and of x*x, y*y, x*y (each product rounded to f32 before weighting, as
/// in C), in blocks of [`LANES`] columns.
#[inline(always)]
fn vertical_moments(filter: &[f32], a_rows: &[&[f32]], b_rows: &[&[f32]], out: &mut [Vec<f32>; 5]) {
    let w = out[0].len();
    let taps = filter.iter().zip(a_rows.iter().zip(b_rows));
    let mut j = 0;
    while j + LANES <= w {
        let mut acc = [[0.0f32; LANES]; 5];
        for (&f, (a, b)) in taps.clone() {
            let (a, b) = (&a[j..j + LANES], &b[j..j + LANES]);
            for t in 0..LANES {
                let (x, y) = (a[t], b[t]);
                acc[0][t] += f * x;
                acc[1][t] += f * y;
                acc[2][t] += f * (x * x);
                acc[3][t] += f * (y * y);
                acc[4][t] += f * (x * y);
            }
        }
        for (o, a) in out.iter_mut().zip(&acc) {
            o[j..j + LANES].copy_from_slice(a);
        }
        j += LANES;
    }
    for jj in j..w {
        let mut acc = [0.0f32; 5];
        for (&f, (a, b)) in taps.clone() {
            let (x, y) = (a[jj], b[jj]);
            acc[0] += f * x;
            acc[1] += f * y;
            acc[2] += f * (x * x);
            acc[3] += f * (y * y);
            acc[4] += f * (x * y);
        }
        for (o, a) in out.iter_mut().zip(acc) {
            o[jj] = a;
        }
    }
}

/// One pixel's numerator and denominator ("matching_matlab" statistic).
#[inline(always)]
fn pixel_terms(mu1: f32, mu2: f32, xx: f32, yy: f32, xy: f32) -> (f32, f32) {
    // powf(2, 2) / (255*255), rounded to f32 as in C.
    let sigma_max_inv = (4.0f64 / (255.0 * 255.0)) as f32;
    let mut sigma1_sq = xx - mu1 * mu1;
    let mut sigma2_sq = yy - mu2 * mu2;
    let sigma12 = xy - mu1 * mu2;
    sigma1_sq = if sigma1_sq > 0.0 { sigma1_sq } else { 0.0 };
    sigma2_sq = if sigma2_sq > 0.0 { sigma2_sq } else { 0.0 };

    let mut g = sigma12 / (sigma1_sq + EPS);
    let mut sv_sq = sigma2_sq - g * sigma12;
    if sigma1_sq < EPS {
        g = 0.0;
        sv_sq = sigma2_sq;
        sigma1_sq = 0.0;
    }
    if sigma2_sq < EPS {
        g = 0.0;
        sv_sq = 0.0;
    }
    if g < 0.0 {
        sv_sq = sigma2_sq;
        g = 0.0;
    }
    sv_sq = if sv_sq > EPS { sv_sq } else { EPS };
    g = if g < ENHN_GAIN_LIMIT {
        g
    } else {
        ENHN_GAIN_LIMIT
    };

    // The divisions mix f32 and the double sigma_nsq, as in C.
    let mut num =
        log2f_approx((1.0 + f64::from(g * g * sigma1_sq) / (f64::from(sv_sq) + SIGMA_NSQ)) as f32);
    let mut den = log2f_approx((1.0 + f64::from(sigma1_sq) / SIGMA_NSQ) as f32);
    if sigma12 < 0.0 {
        num = 0.0;
    }
    if f64::from(sigma1_sq) < SIGMA_NSQ {
        num = 1.0 - sigma2_sq * sigma_max_inv;
        den = 1.0;
    }
    (num, den)
}

/// libvmaf's polynomial log2 (`VIF_OPT_FAST_LOG2`): exponent plus a degree-8
/// polynomial of the mantissa, evaluated by Horner in f32.
#[inline(always)]
fn log2f_approx(x: f32) -> f32 {
    // Coefficients are double literals rounded to f32, as the C array does.
    const POLY: [f64; 9] = [
        -0.012671635276421,
        0.064841182402670,
        -0.157048836463065,
        0.257167726303123,
        -0.353800560300520,
        0.480131410397451,
        -0.721314327952201,
        1.442694803896991,
        0.0,
    ];
    if x == 0.0 {
        return f32::NEG_INFINITY;
    }
    if x < 0.0 {
        return f32::NAN;
    }
    let bits = x.to_bits();
    let exponent = ((bits & 0x7F80_0000) >> 23) as i32;
    let remain = f32::from_bits((bits & 0x007F_FFFF) | 0x3F80_0000);
    let t = remain - 1.0;
    let poly = POLY.iter().fold(0.0f32, |acc, &c| acc * t + c as f32);
    (exponent - 127) as f32 + poly
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_normalised_gaussians() {
        for (scale, taps) in [(0, 17), (1, 9), (2, 5), (3, 3)] {
            let f = vif_filter(scale);
            assert_eq!(f.len(), taps);
            let sum: f32 = f.iter().sum();
            assert!((sum - 1.0).abs() < 1e-5);
            assert_eq!(f[0], f[taps - 1]);
        }
        // The Q16 integer filter of scale 3 is these taps times 65536, rounded.
        let f = vif_filter(3);
        assert_eq!((f[0] * 65536.0).round(), 10904.0);
    }

    #[test]
    fn fast_log2_is_close_to_log2() {
        for x in [1.0f32, 1.5, 2.0, 3.7, 1000.0, 1.0e-3] {
            assert!((log2f_approx(x) - x.log2()).abs() < 1e-4, "{x}");
        }
    }

    #[test]
    fn identical_planes_score_one() {
        let (w, h) = (40, 36);
        let img = FloatImage {
            data: (0..w * h)
                .map(|i| ((i * 31) % 97) as f32 - 48.0)
                .collect::<Vec<_>>()
                .into(),
            width: w,
            height: h,
        };
        let s = vif_float_images(&img, &img).scores();
        for v in s {
            // Flat windows take the sigma1 < 2 branch, where num < den.
            assert!((v - 1.0).abs() < 1e-3, "{s:?}");
        }
    }
}
