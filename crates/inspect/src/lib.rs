//! Source inspection for reel: the `inspect` stage.
//!
//! [`inspect`] probes a source, decodes its main video stream once on a
//! decoder thread and analyses the frames beside the decode: exact frame
//! count, variable frame rate, interlacing (metadata and a combing
//! detector), shot cuts with per-shot ITU-T P.910 SI/TI and a complexity
//! figure, black and frozen spans, letterbox/pillarbox crop and decode
//! errors. The result is the `inspect.json` manifest ([`InspectReport`]).
//!
//! The detectors in [`analysis`] are pure and streaming (bounded state, fed
//! in order), so the encode and validate stages can reuse them on their own
//! decodes: [`ShotDetector`] over [`LumaFeatures`], [`si_ti`], the black,
//! frozen, crop, combing and VFR detectors.
//!
//! ```no_run
//! use reel_inspect::{inspect, InspectOptions};
//! # fn main() -> reel_inspect::Result<()> {
//! let report = inspect("title.mp4", &InspectOptions::default(), &mut |p| {
//!     eprintln!("{} frames at {:.0} fps", p.frames_done, p.fps);
//! })?;
//! println!("{} shots", report.shots.len());
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
// Unit tests panic on purpose: a failed unwrap is the failure report.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod aggregate;
pub mod analysis;
mod error;
mod options;
mod picture;
mod progress;
mod report;
mod run;
mod simd;
pub mod truncation;
mod work;

pub use analysis::features::{FeatureExtractor, LumaFeatures};
pub use analysis::luma::Luma;
pub use analysis::shots::{ShotConfig, ShotDetector};
pub use analysis::siti::{complexity, si_ti};
pub use error::{Error, Result};
pub use options::InspectOptions;
pub use progress::Progress;
pub use reel_core::manifest::rfc3339;
pub use reel_core::manifest::InspectReport;
pub use run::inspect;
