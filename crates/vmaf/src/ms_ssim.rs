//! libvmaf's `float_ms_ssim` (float_ms_ssim.c, ms_ssim.c): Wang's 5-scale
//! MS-SSIM. Each scale is the previous one filtered with the 9x9 (9/7
//! biorthogonal) low-pass and halved; SSIM's luminance, contrast and
//! structure means at each scale are raised to Wang's exponents.
//!
//! libvmaf refuses pictures whose side, halved (rounding down) four times,
//! drops below the 11-pixel window at any scale: 176 pixels is the minimum.
//!
//! ```
//! use reel_core::Plane;
//! use reel_vmaf::ms_ssim::float_ms_ssim;
//!
//! let data: Vec<u8> = (0..192 * 176).map(|i| (i * 7 % 253) as u8).collect();
//! let p = Plane::from_vec(data, 192, 176, 192).unwrap();
//! assert!((float_ms_ssim(&p, &p, 8).unwrap() - 1.0).abs() < 1e-6);
//! let small = Plane::from_vec(vec![0u8; 176 * 144], 176, 144, 176).unwrap();
//! assert!(float_ms_ssim(&small, &small, 8).is_err());
//! ```

use reel_core::Plane;

use crate::float::iqa::{decimate, ssim_means, WINDOW};
use crate::float::{check_luma, to_float, FloatImage, Sample};
use crate::{Error, Result};

const SCALES: usize = 5;

/// Wang's exponents per scale (alpha for luminance, beta for contrast,
/// gamma for structure), f32 as in libvmaf.
const ALPHAS: [f32; SCALES] = [0.0, 0.0, 0.0, 0.0, 0.1333];
const BETAS: [f32; SCALES] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];
const GAMMAS: [f32; SCALES] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

/// One quadrant (rows/columns 0..=4) of libvmaf's 9x9 low-pass kernel; the
/// kernel is symmetric about its centre row and column. libvmaf applies the
/// rounded 2-D table, not the outer product of its 1-D taps.
const LPF_QUADRANT: [[f32; 5]; 5] = [
    [0.000714, -0.000450, -0.002090, 0.007132, 0.016114],
    [-0.000450, 0.000283, 0.001316, -0.004490, -0.010146],
    [-0.002090, 0.001316, 0.006115, -0.020867, -0.047149],
    [0.007132, -0.004490, -0.020867, 0.071207, 0.160885],
    [0.016114, -0.010146, -0.047149, 0.160885, 0.363505],
];

fn lpf_kernel() -> Vec<f32> {
    let fold = |i: usize| if i <= 4 { i } else { 8 - i };
    (0..81)
        .map(|n| LPF_QUADRANT[fold(n / 9)][fold(n % 9)])
        .collect()
}

/// float_ms_ssim of one luma pair.
///
/// # Errors
/// [`Error::Unsupported`] when the planes differ in size, the bit depth is
/// outside 8..=16, or the picture is too small for five scales (either side
/// below 176 pixels, as libvmaf counts it).
pub fn float_ms_ssim<T: Sample>(
    reference: &Plane<T>,
    distorted: &Plane<T>,
    bit_depth: u8,
) -> Result<f64> {
    check_luma(reference, distorted, bit_depth, "MS-SSIM")?;
    let (w, h) = (reference.width(), reference.height());
    if !big_enough(w, h) {
        return Err(Error::Unsupported(format!(
            "MS-SSIM needs pictures of at least 176x176, got {w}x{h}"
        )));
    }
    let r = to_float(reference, bit_depth, 0.0);
    let d = to_float(distorted, bit_depth, 0.0);
    ms_ssim_images(r, d)
        .ok_or_else(|| Error::Unsupported(format!("MS-SSIM of {w}x{h} pictures is not finite")))
}

/// libvmaf's size check: every scale, with sides halved rounding down,
/// must hold the 11x11 window.
fn big_enough(w: usize, h: usize) -> bool {
    let (mut w, mut h) = (w, h);
    for _ in 0..SCALES {
        if w < WINDOW || h < WINDOW {
            return false;
        }
        w /= 2;
        h /= 2;
    }
    true
}

fn ms_ssim_images(reference: FloatImage, distorted: FloatImage) -> Option<f64> {
    let kernel = lpf_kernel();
    let mut r = reference;
    let mut d = distorted;
    let mut msssim = 1.0f64;
    for scale in 0..SCALES {
        if scale > 0 {
            r = decimate(&r, 2, &kernel);
            d = decimate(&d, 2, &kernel);
        }
        let m = ssim_means(&r, &d)?;
        let pow = |v: f32, e: f32| f64::from(v).powf(f64::from(e));
        msssim *= pow(m.l, ALPHAS[scale]) * pow(m.c, BETAS[scale]) * pow(m.s, GAMMAS[scale]);
        if msssim == f64::INFINITY {
            return None;
        }
    }
    Some(msssim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_is_libvmafs_table() {
        let k = lpf_kernel();
        assert_eq!(k.len(), 81);
        assert_eq!(k[0], 0.000714);
        assert_eq!(k[4], 0.016114);
        assert_eq!(k[8], 0.000714);
        assert_eq!(k[40], 0.363505);
        assert_eq!(k[9 * 3 + 5], 0.071207);
        assert_eq!(k[80], 0.000714);
        let sum: f32 = k.iter().sum();
        assert!((sum - 1.0).abs() < 1e-3);
    }

    #[test]
    fn minimum_size_is_176() {
        assert!(big_enough(176, 176));
        assert!(!big_enough(176, 175));
        assert!(!big_enough(176, 144));
        assert!(big_enough(640, 272));
    }

    #[test]
    fn distortion_lowers_the_score() {
        let (w, h) = (200, 180);
        let a: Vec<u8> = (0..w * h)
            .map(|i| ((i % w) * 3 + (i / w) * 5) as u8)
            .collect();
        let b: Vec<u8> = a
            .iter()
            .enumerate()
            .map(|(i, &v)| v.wrapping_add((i % 7) as u8 * 3))
            .collect();
        let pa = Plane::from_vec(a, w, h, w).unwrap();
        let pb = Plane::from_vec(b, w, h, w).unwrap();
        let same = float_ms_ssim(&pa, &pa, 8).unwrap();
        let diff = float_ms_ssim(&pa, &pb, 8).unwrap();
        assert!((same - 1.0).abs() < 1e-6);
        assert!(diff < same, "{diff}");
    }
}
