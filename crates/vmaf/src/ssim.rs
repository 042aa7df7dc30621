//! libvmaf's `float_ssim` (float_ssim.c, ssim.c and the IQA library's
//! ssim_tools.c / convolve.c / decimate.c): luma SSIM with an 11x11 Gaussian
//! window (sigma 1.5) over the "valid" region, after libvmaf's automatic
//! down-sampling by `round(min(w, h) / 256)` with a box filter.
//!
//! The IQA kernels themselves live in `float::iqa`, shared with
//! [`crate::ms_ssim`].
//!
//! ```
//! use reel_core::Plane;
//! use reel_vmaf::ssim::float_ssim;
//!
//! let data: Vec<u8> = (0..64 * 64).map(|i| (i % 61 * 4) as u8).collect();
//! let p = Plane::from_vec(data, 64, 64, 64).unwrap();
//! assert!((float_ssim(&p, &p, 8).unwrap() - 1.0).abs() < 1e-6);
//! ```

use reel_core::Plane;

use crate::float::iqa::{decimate, ssim_means, WINDOW};
use crate::float::{check_luma, to_float, Sample};
use crate::{Error, Result};

/// float_ssim of one luma pair.
///
/// # Errors
/// [`Error::Unsupported`] when the planes differ in size, the bit depth is
/// outside 8..=16, or the (down-sampled) picture is smaller than the 11x11
/// window.
pub fn float_ssim<T: Sample>(
    reference: &Plane<T>,
    distorted: &Plane<T>,
    bit_depth: u8,
) -> Result<f64> {
    check_luma(reference, distorted, bit_depth, "SSIM")?;
    let mut r = to_float(reference, bit_depth, 0.0);
    let mut d = to_float(distorted, bit_depth, 0.0);
    let scale = auto_scale(r.width, r.height);
    if scale > 1 {
        // A scale x scale box filter, then every scale-th sample.
        let tap = 1.0f32 / (scale * scale) as f32;
        let kernel = vec![tap; scale * scale];
        r = decimate(&r, scale, &kernel);
        d = decimate(&d, scale, &kernel);
    }
    let means = ssim_means(&r, &d).ok_or_else(|| {
        Error::Unsupported(format!(
            "SSIM needs at least {WINDOW}x{WINDOW} pixels after down-sampling by {scale}, got {}x{}",
            r.width, r.height
        ))
    })?;
    Ok(f64::from(means.ssim))
}

/// libvmaf's default decimation factor: `max(1, round(min(w, h) / 256))`,
/// with IQA's `_round` (halves away from zero).
fn auto_scale(w: usize, h: usize) -> usize {
    let a = w.min(h) as f32 / 256.0;
    let t = a.trunc();
    let rounded = if a - t >= 0.5 { t + 1.0 } else { t };
    (rounded as usize).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_follows_libvmaf() {
        assert_eq!(auto_scale(1280, 720), 3);
        assert_eq!(auto_scale(1920, 1080), 4);
        assert_eq!(auto_scale(640, 272), 1);
        assert_eq!(auto_scale(176, 144), 1);
        assert_eq!(auto_scale(3840, 2160), 8);
    }

    #[test]
    fn too_small_is_an_error() {
        let p = Plane::from_vec(vec![0u8; 10 * 40], 10, 40, 10).unwrap();
        assert!(float_ssim(&p, &p, 8).is_err());
    }
}
