//! libvmaf's floating-point extractors: `float_vif`, `float_adm` and
//! `float_motion`, the inputs of the `vmaf_float_v0.6.1` model.
//!
//! Each follows libvmaf's C code operation by operation: the same f32/f64 mix,
//! the same summation order (per output in tap order, per row, then across
//! rows), the same border mirroring, the same polynomial log2 and `rcpss`
//! division. That is what makes the results bit-identical to libvmaf's on the
//! reference pairs, where a "mathematically equal" rewrite would be ~1e-5
//! off. Hot loops compute blocks of outputs at once, which vectorises without
//! changing any output's order of operations.
//!
//! ```
//! use reel_core::Plane;
//! use reel_vmaf::float::{FloatFrame, Motion2};
//!
//! let (w, h) = (64, 48);
//! let src: Vec<u8> = (0..w * h).map(|i| (i * 7 % 251) as u8).collect();
//! let plane = Plane::from_vec(src, w, h, w).unwrap();
//! let mut motion = Motion2::new();
//! let frame = FloatFrame::compute(&plane, &plane, 8).unwrap();
//! assert!((frame.adm2 - 1.0).abs() < 1e-6);
//! assert_eq!(motion.push(frame.blurred_ref), Some((0, 0.0))); // frame 0: 0
//! assert_eq!(motion.finish(), None); // later frames: once the next is known
//! ```

pub mod adm;
mod convolve;
pub(crate) mod iqa;
pub mod motion;
mod pool;
pub mod vif;

use reel_core::Plane;

use crate::{Error, Result};

pub use adm::{float_adm, AdmScores};
pub use motion::{blur_luma, motion2_from_sads, sad, BlurredLuma, Motion2};
pub use vif::{float_vif, VifScores};

/// A luma sample type: `u8` for 8-bit frames, `u16` for deeper ones.
pub trait Sample: Copy + Send + Sync + 'static {
    fn to_f32(self) -> f32;
    fn to_u32(self) -> u32;
}

impl Sample for u8 {
    fn to_f32(self) -> f32 {
        f32::from(self)
    }
    fn to_u32(self) -> u32 {
        u32::from(self)
    }
}

impl Sample for u16 {
    fn to_f32(self) -> f32 {
        f32::from(self)
    }
    fn to_u32(self) -> u32 {
        u32::from(self)
    }
}

pub(crate) use pool::Buf;

/// A plane of f32 samples packed with `stride == width`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FloatImage {
    pub data: Buf,
    pub width: usize,
    pub height: usize,
}

impl FloatImage {
    pub fn row(&self, y: usize) -> &[f32] {
        &self.data[y * self.width..(y + 1) * self.width]
    }
}

/// Whether libvmaf's float extractors accept this bit depth.
pub(crate) fn bit_depth_ok(bit_depth: u8) -> bool {
    (8..=16).contains(&bit_depth)
}

/// libvmaf's `picture_copy`: samples to f32 in 8-bit units (deeper samples
/// are divided by 2^(bpc-8), exactly), plus `offset`.
pub(crate) fn to_float<T: Sample>(plane: &Plane<T>, bit_depth: u8, offset: f32) -> FloatImage {
    let (w, h) = (plane.width(), plane.height());
    let mut data = Buf::scratch(w * h);
    // Deeper samples are divided by 2^(bpc-8); 8-bit ones are not (the
    // division by 1 would be exact anyway).
    let scaler = (1u32 << bit_depth.saturating_sub(8)) as f32;
    for (out, row) in data.chunks_exact_mut(w.max(1)).zip(plane.rows()) {
        if bit_depth <= 8 {
            for (o, &v) in out.iter_mut().zip(row) {
                *o = v.to_f32() + offset;
            }
        } else {
            for (o, &v) in out.iter_mut().zip(row) {
                *o = v.to_f32() / scaler + offset;
            }
        }
    }
    FloatImage {
        data,
        width: w,
        height: h,
    }
}

/// Checks the inputs every luma extractor needs: same size, non-empty, a
/// bit depth libvmaf handles. `what` names the metric in the error.
pub(crate) fn check_luma<T>(a: &Plane<T>, b: &Plane<T>, bit_depth: u8, what: &str) -> Result<()> {
    if !bit_depth_ok(bit_depth) {
        return Err(Error::Unsupported(format!(
            "{what} at {bit_depth} bits per sample (8 to 16 are supported)"
        )));
    }
    if a.width() != b.width() || a.height() != b.height() || a.width() == 0 || a.height() == 0 {
        return Err(Error::Unsupported(format!(
            "{what} of {}x{} against {}x{} luma",
            a.width(),
            a.height(),
            b.width(),
            b.height()
        )));
    }
    Ok(())
}

/// The per-frame part of `vmaf_float_v0.6.1`'s inputs; motion needs the
/// neighbouring frames and goes through [`Motion2`] with `blurred_ref`.
#[derive(Debug, Clone)]
pub struct FloatFrame {
    /// `VMAF_feature_vif_scale0..3_score` (float_vif).
    pub vif: [f64; 4],
    /// `VMAF_feature_adm2_score` (float_adm).
    pub adm2: f64,
    /// VIF's per-scale numerators and denominators (libvmaf's debug output).
    pub vif_detail: VifScores,
    /// ADM's per-scale numerators and denominators (libvmaf's debug output).
    pub adm_detail: AdmScores,
    /// The reference luma blurred as float_motion does, for [`Motion2::push`].
    pub blurred_ref: BlurredLuma,
}

impl FloatFrame {
    /// Computes float VIF, float ADM and the motion blur of one frame pair.
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the planes differ in size or are empty,
    /// or the bit depth is outside 8..=16.
    pub fn compute<T: Sample>(
        reference: &Plane<T>,
        distorted: &Plane<T>,
        bit_depth: u8,
    ) -> Result<Self> {
        check_luma(reference, distorted, bit_depth, "float VMAF features")?;
        let r = to_float(reference, bit_depth, -128.0);
        let d = to_float(distorted, bit_depth, -128.0);
        let vif_detail = vif::vif_float_images(&r, &d);
        let adm_detail = adm::adm_float_images(&r, &d);
        let blurred_ref = motion::blur_float_image(&r);
        Ok(Self {
            vif: vif_detail.scores(),
            adm2: adm_detail.adm2,
            vif_detail,
            adm_detail,
            blurred_ref,
        })
    }
}
