//! libvmaf's `psnr` extractor (integer_psnr.c): per-plane PSNR from an
//! integer sum of squared errors.
//!
//! The peak is 255 for 8-bit and `2^bpc - 1` deeper; a plane's PSNR is
//! capped at `6 * bpc + 12` dB (60 dB for 8-bit), which is what identical
//! planes score.
//!
//! ```
//! use reel_core::Plane;
//! use reel_vmaf::psnr::psnr_plane;
//!
//! let a = Plane::from_vec(vec![10u8, 20, 30, 40], 2, 2, 2).unwrap();
//! let b = Plane::from_vec(vec![10u8, 20, 30, 42], 2, 2, 2).unwrap();
//! assert_eq!(psnr_plane(&a, &a, 8).unwrap(), 60.0);
//! let mse: f64 = 4.0 / 4.0;
//! assert!((psnr_plane(&a, &b, 8).unwrap() - 10.0 * (65025.0 / mse).log10()).abs() < 1e-12);
//! ```

use reel_core::{FramePlanes, PixelLayout, Plane};

use crate::float::Sample;
use crate::{Error, Result};

/// PSNR of a frame's planes, in dB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Psnr {
    /// `psnr_y`.
    pub y: f64,
    /// `psnr_cb`; `None` for luma-only frames.
    pub cb: Option<f64>,
    /// `psnr_cr`; `None` for luma-only frames.
    pub cr: Option<f64>,
}

/// PSNR of one plane pair at `bit_depth` (8..=16).
///
/// # Errors
/// [`Error::Unsupported`] when the planes differ in size or are empty, or
/// the bit depth is outside 8..=16.
pub fn psnr_plane<T: Sample>(
    reference: &Plane<T>,
    distorted: &Plane<T>,
    bit_depth: u8,
) -> Result<f64> {
    check(reference, distorted, bit_depth)?;
    let sse = sum_squared_error(reference, distorted);
    let (w, h) = (reference.width(), reference.height());
    let mse = sse as f64 / (w * h) as f64;
    Ok(psnr_from_mse(mse, bit_depth))
}

/// PSNR of every plane of a frame pair laid out as `layout` (`psnr_y`,
/// `psnr_cb`, `psnr_cr`; chroma at its own subsampled size).
///
/// # Errors
/// [`Error::Unsupported`] when the frames' sample types, plane counts or
/// plane sizes differ, or the bit depth is outside 8..=16.
pub fn psnr_planes(
    reference: &FramePlanes,
    distorted: &FramePlanes,
    layout: PixelLayout,
) -> Result<Psnr> {
    let scores = match (reference, distorted) {
        (FramePlanes::U8(r), FramePlanes::U8(d)) => per_plane(r, d, layout)?,
        (FramePlanes::U16(r), FramePlanes::U16(d)) => per_plane(r, d, layout)?,
        _ => {
            return Err(Error::Unsupported(
                "PSNR of an 8-bit frame against a high-bit-depth one".into(),
            ))
        }
    };
    Ok(Psnr {
        y: scores[0],
        cb: scores.get(1).copied(),
        cr: scores.get(2).copied(),
    })
}

fn per_plane<T: Sample>(
    reference: &[Plane<T>],
    distorted: &[Plane<T>],
    layout: PixelLayout,
) -> Result<Vec<f64>> {
    let n = layout.plane_count();
    if reference.len() < n || distorted.len() < n {
        return Err(Error::Unsupported(format!(
            "PSNR needs {n} planes, got {} and {}",
            reference.len(),
            distorted.len()
        )));
    }
    reference
        .iter()
        .zip(distorted)
        .take(n)
        .map(|(r, d)| psnr_plane(r, d, layout.bit_depth))
        .collect()
}

/// `min(10 log10(peak^2 / max(mse, 1e-16)), 6 bpc + 12)`.
fn psnr_from_mse(mse: f64, bit_depth: u8) -> f64 {
    // libvmaf's 8-bit path hard-codes 255; deeper ones use 2^bpc - 1.
    let peak: u64 = if bit_depth == 8 {
        255
    } else {
        (1u64 << bit_depth) - 1
    };
    let psnr_max = 6.0 * f64::from(bit_depth) + 12.0;
    let psnr = 10.0 * ((peak * peak) as f64 / mse.max(1e-16)).log10();
    if psnr < psnr_max {
        psnr
    } else {
        psnr_max
    }
}

/// Exact integer sum of squared differences.
fn sum_squared_error<T: Sample>(reference: &Plane<T>, distorted: &Plane<T>) -> u64 {
    reference
        .rows()
        .zip(distorted.rows())
        .map(|(r, d)| {
            r.iter()
                .zip(d)
                .map(|(&a, &b)| {
                    let e = u64::from(a.to_u32().abs_diff(b.to_u32()));
                    e * e
                })
                .sum::<u64>()
        })
        .sum()
}

fn check<T>(reference: &Plane<T>, distorted: &Plane<T>, bit_depth: u8) -> Result<()> {
    if !(8..=16).contains(&bit_depth) {
        return Err(Error::Unsupported(format!(
            "PSNR at {bit_depth} bits per sample (8 to 16 are supported)"
        )));
    }
    if reference.width() != distorted.width()
        || reference.height() != distorted.height()
        || reference.width() == 0
        || reference.height() == 0
    {
        return Err(Error::Unsupported(format!(
            "PSNR of {}x{} against {}x{} planes",
            reference.width(),
            reference.height(),
            distorted.width(),
            distorted.height()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_core::ChromaSubsampling;

    fn plane<T: Copy + Default>(data: Vec<T>, w: usize, h: usize) -> Plane<T> {
        Plane::from_vec(data, w, h, w).unwrap()
    }

    #[test]
    fn identical_planes_hit_the_cap() {
        let a = plane(vec![7u8; 16], 4, 4);
        assert_eq!(psnr_plane(&a, &a, 8).unwrap(), 60.0);
        let b = plane(vec![700u16; 16], 4, 4);
        assert_eq!(psnr_plane(&b, &b, 10).unwrap(), 72.0);
        assert_eq!(psnr_plane(&b, &b, 12).unwrap(), 84.0);
        assert_eq!(psnr_plane(&b, &b, 16).unwrap(), 108.0);
    }

    #[test]
    fn peak_follows_bit_depth() {
        let a = plane(vec![0u16; 4], 2, 2);
        let b = plane(vec![1u16, 0, 0, 0], 2, 2);
        let p = psnr_plane(&a, &b, 10).unwrap();
        assert!((p - 10.0 * (1023.0f64 * 1023.0 / 0.25).log10()).abs() < 1e-12);
    }

    #[test]
    fn stride_padding_is_ignored() {
        let a = Plane::from_vec(vec![1u8, 2, 99, 3, 4, 99], 2, 2, 3).unwrap();
        let b = Plane::from_vec(vec![1u8, 2, 3, 4], 2, 2, 2).unwrap();
        assert_eq!(psnr_plane(&a, &b, 8).unwrap(), 60.0);
    }

    #[test]
    fn chroma_planes_of_420() {
        let layout = PixelLayout::new(ChromaSubsampling::Cs420, 8);
        let r = FramePlanes::U8(vec![
            plane(vec![10; 16], 4, 4),
            plane(vec![20; 4], 2, 2),
            plane(vec![30; 4], 2, 2),
        ]);
        let d = FramePlanes::U8(vec![
            plane(vec![10; 16], 4, 4),
            plane(vec![21, 20, 20, 20], 2, 2),
            plane(vec![30; 4], 2, 2),
        ]);
        let p = psnr_planes(&r, &d, layout).unwrap();
        assert_eq!(p.y, 60.0);
        assert!((p.cb.unwrap() - 10.0 * (65025.0f64 / 0.25).log10()).abs() < 1e-12);
        assert_eq!(p.cr, Some(60.0));
    }

    #[test]
    fn mismatched_inputs_are_errors() {
        let a = plane(vec![0u8; 4], 2, 2);
        let b = plane(vec![0u8; 6], 3, 2);
        assert!(psnr_plane(&a, &b, 8).is_err());
        assert!(psnr_plane(&a, &a, 7).is_err());
    }
}
