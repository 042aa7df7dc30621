//! Pure-Rust VMAF that reproduces libvmaf 3.2's numbers: the integer VIF,
//! ADM and motion features bit for bit, the SVM models (`vmaf_v0.6.1`,
//! `vmaf_4k_v0.6.1`, `vmaf_v0.6.1neg`, `vmaf_float_v0.6.1` or any libvmaf
//! JSON model), PSNR, SSIM and MS-SSIM, pooled like libvmaf, written as
//! libvmaf JSON or CSV.
//!
//! Frames are scored in parallel on an injected rayon pool with memory
//! bounded by the frames in flight; results do not depend on the thread
//! count or on the SIMD path.
//!
//! ```
//! use reel_core::{FrameIndex, FramePlanes, PixelLayout, Plane, Resolution, VideoFrame};
//! use reel_vmaf::{Vmaf, VmafConfig};
//!
//! let frame = |v: u8| VideoFrame {
//!     index: FrameIndex(0),
//!     timestamp: None,
//!     resolution: Resolution::new(64, 48),
//!     layout: PixelLayout::YUV420P,
//!     interlaced: false,
//!     top_field_first: false,
//!     key_frame: true,
//!     planes: FramePlanes::U8(vec![
//!         Plane::from_vec((0..64 * 48).map(|i| (i % 200) as u8 + v).collect(), 64, 48, 64).unwrap(),
//!         Plane::new(32, 24),
//!         Plane::new(32, 24),
//!     ]),
//! };
//! let vmaf = Vmaf::try_new(VmafConfig::default())?;
//! let scores = vmaf.score((0..3).map(|_| Ok((frame(0), frame(0)))))?;
//! assert_eq!(scores.frames.len(), 3);
//! assert!(scores.pooled["vmaf"].mean > 90.0);
//! # Ok::<(), reel_vmaf::Error>(())
//! ```

pub mod error;
mod features;
pub mod float;
pub mod integer;
pub mod model;
pub mod ms_ssim;
pub mod output;
mod part;
pub mod pool;
pub mod psnr;
mod scorer;
pub mod simd;
pub mod ssim;

pub use error::{Error, Result};
pub use model::{BuiltinModel, SvmModel};
pub use part::{ClipPart, ScoredPart};
pub use pool::Pooled;
pub use scorer::{pair_frames, FeatureSet, FrameScores, Model, Scores, Vmaf, VmafConfig};
