//! Shared types of reel: time, pictures, colour and the manifest schemas that
//! stages exchange through object storage.
//!
//! This crate does no I/O and knows nothing of FFmpeg or S3, so every stage can
//! depend on it and stay easy to test.
//!
//! ```
//! use reel_core::{Rational, Plane};
//! let fps = Rational::new(30000, 1001);
//! assert!((fps.as_f64() - 29.97).abs() < 0.01);
//! let plane = Plane::<u8>::new(4, 2);
//! assert_eq!(plane.row(1).len(), 4);
//! ```
#![forbid(unsafe_code)]

pub mod color;
pub mod frame;
pub mod manifest;
pub mod mpd;
pub mod rendition;
pub mod time;

pub use color::{ColorInfo, ColorRange, ContentLight, HdrInfo, MasteringDisplay};
pub use frame::{
    ChromaSubsampling, FramePlanes, PixelLayout, Plane, PlaneRef, Resolution, VideoFrame,
};
pub use rendition::{RateControl, RungRecipe, VideoCodec};
pub use time::{FrameIndex, Rational, Timestamp};
