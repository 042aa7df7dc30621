//! Per-title bitrate ladders for reel (Netflix's complexity analysis and
//! ladder generation): the curve maths every ladder decision rests on. Pure
//! computation on numbers from trial encodes; no I/O, no FFmpeg.
//!
//! | file | job |
//! |---|---|
//! | `pchip.rs` | shape-preserving cubic interpolation ([`Pchip`]) |
//! | `bdrate.rs` | Bjøntegaard delta rate of two rate-quality curves ([`bd_rate`]) |
//! | `plan.rs` | trial plan: GOP-aligned ~4 s segments stratified by shot complexity ([`plan_trials`]) |
//! | `fixed.rs` | fixed ladders: Apple HLS authoring spec (H.264, HEVC), Netflix 2015 ([`FixedLadder`]) |
//! | `fit.rs` | per-resolution PCHIP fits of CRF -> bit rate / VMAF ([`ResolutionCurve`]) |
//! | `hull.rs` | Pareto front and upper convex hull of trial encodes, resolution crossovers |
//! | `rungs.rs` | rungs from the hull: target, steps, spacing, 2 Mb/s anchor ([`select_rungs`]) |
//! | `error.rs` | [`Error`] |
//!
//! ```
//! use reel_ladder::{bd_rate, RatePoint};
//! let a: Vec<RatePoint> = [(1000.0, 80.0), (2000.0, 88.0), (4000.0, 94.0), (8000.0, 97.0)]
//!     .iter().map(|&(r, q)| RatePoint::new(r, q)).collect();
//! // Same quality for 20 % less rate everywhere: BD-rate -20 %.
//! let b: Vec<RatePoint> = a.iter().map(|p| RatePoint::new(p.rate * 0.8, p.quality)).collect();
//! assert!((bd_rate(&a, &b).unwrap() + 20.0).abs() < 1e-9);
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod bdrate;
mod error;
mod fit;
mod fixed;
mod hull;
mod pchip;
mod plan;
mod rungs;

pub use bdrate::{bd_rate, RatePoint, MIN_POINTS};
pub use error::{Error, Result};
pub use fit::ResolutionCurve;
pub use fixed::FixedLadder;
pub use hull::{crossovers, pareto_front, upper_hull, vmaf_at, Crossover, TrialPoint};
pub use pchip::Pchip;
pub use plan::{plan_trials, PlanRules, TrialSegment};
pub use rungs::{select_rungs, RungRules, Selection};
