//! The per-frame work of the scorer: every feature of one frame pair.

use crate::float::{BlurredLuma, FloatFrame};
use crate::integer::adm::{adm, AdmScores, AdmScratch};
use crate::integer::motion::{motion_sad, MotionScratch};
use crate::integer::vif::{vif, VifScores, VifScratch};
use crate::integer::Luma;
use crate::simd::Isa;
use crate::{Error, Result};
use reel_core::{FramePlanes, VideoFrame};
use std::cell::RefCell;

/// What to compute for a frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FramePlan {
    /// Full features (false for frames skipped by subsampling: motion only).
    pub full: bool,
    pub integer: bool,
    pub float: bool,
    pub psnr: bool,
    pub ssim: bool,
    pub ms_ssim: bool,
    pub adm_egl: f64,
    pub vif_egl: f64,
    pub isa: Isa,
}

/// Everything computed for one frame.
#[derive(Debug)]
pub(crate) struct FrameFeatures {
    pub index: u64,
    pub full: bool,
    pub vif: Option<VifScores>,
    pub adm: Option<AdmScores>,
    /// Integer motion SAD against the previous reference frame (0 for frame 0).
    pub sad: f64,
    /// Float VIF scales and float ADM2.
    pub float: Option<FloatScores>,
    /// The blurred reference luma of float motion.
    pub blur: Option<BlurredLuma>,
    /// Extra metrics (PSNR, SSIM, MS-SSIM) by libvmaf name.
    pub extra: Vec<(&'static str, f64)>,
}

/// The float features of a frame that the model reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FloatScores {
    pub vif: [f64; 4],
    pub adm2: f64,
}

#[derive(Debug, Default)]
struct Scratch {
    vif: VifScratch,
    adm: AdmScratch,
    motion: MotionScratch,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

pub(crate) fn luma(frame: &VideoFrame) -> Option<Luma<'_>> {
    match &frame.planes {
        FramePlanes::U8(p) => p.first().map(Luma::U8),
        FramePlanes::U16(p) => p
            .first()
            .map(|p| Luma::U16(p, u32::from(frame.layout.bit_depth))),
    }
}

fn lost(index: u64) -> Error {
    Error::FrameMismatch {
        frame: index,
        reason: "frame has no luma plane".into(),
    }
}

/// Computes the features of frame `index`.
pub(crate) fn compute(
    index: u64,
    plan: &FramePlan,
    reference: &VideoFrame,
    distorted: &VideoFrame,
    prev_ref: Option<&VideoFrame>,
) -> Result<FrameFeatures> {
    let r = luma(reference).ok_or_else(|| lost(index))?;
    let d = luma(distorted).ok_or_else(|| lost(index))?;
    let mut out = FrameFeatures {
        index,
        full: plan.full,
        vif: None,
        adm: None,
        sad: 0.0,
        float: None,
        blur: None,
        extra: Vec::new(),
    };
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let s = &mut *s;
        if plan.integer {
            if let Some(p) = prev_ref.and_then(luma) {
                out.sad = motion_sad(p, r, plan.isa, &mut s.motion);
            }
            if plan.full {
                out.vif = Some(vif(r, d, plan.vif_egl, plan.isa, &mut s.vif));
                out.adm = Some(adm(r, d, plan.adm_egl, plan.isa, &mut s.adm));
            }
        }
    });
    let bpc = reference.layout.bit_depth;
    if plan.float {
        let ff = match (&reference.planes, &distorted.planes) {
            (FramePlanes::U8(a), FramePlanes::U8(b)) => FloatFrame::compute(&a[0], &b[0], bpc)?,
            (FramePlanes::U16(a), FramePlanes::U16(b)) => FloatFrame::compute(&a[0], &b[0], bpc)?,
            _ => return Err(lost(index)),
        };
        out.float = Some(FloatScores {
            vif: ff.vif,
            adm2: ff.adm2,
        });
        out.blur = Some(ff.blurred_ref);
    }
    if !plan.full {
        return Ok(out);
    }
    if plan.psnr {
        let p = crate::psnr::psnr_planes(&reference.planes, &distorted.planes, reference.layout)?;
        out.extra.push(("psnr_y", p.y));
        if let Some(cb) = p.cb {
            out.extra.push(("psnr_cb", cb));
        }
        if let Some(cr) = p.cr {
            out.extra.push(("psnr_cr", cr));
        }
    }
    if plan.ssim || plan.ms_ssim {
        let (ssim, ms) = match (&reference.planes, &distorted.planes) {
            (FramePlanes::U8(a), FramePlanes::U8(b)) => (
                plan.ssim
                    .then(|| crate::ssim::float_ssim(&a[0], &b[0], bpc))
                    .transpose()?,
                plan.ms_ssim
                    .then(|| crate::ms_ssim::float_ms_ssim(&a[0], &b[0], bpc))
                    .transpose()?,
            ),
            (FramePlanes::U16(a), FramePlanes::U16(b)) => (
                plan.ssim
                    .then(|| crate::ssim::float_ssim(&a[0], &b[0], bpc))
                    .transpose()?,
                plan.ms_ssim
                    .then(|| crate::ms_ssim::float_ms_ssim(&a[0], &b[0], bpc))
                    .transpose()?,
            ),
            _ => return Err(lost(index)),
        };
        if let Some(v) = ssim {
            out.extra.push(("float_ssim", v));
        }
        if let Some(v) = ms {
            out.extra.push(("float_ms_ssim", v));
        }
    }
    Ok(out)
}
