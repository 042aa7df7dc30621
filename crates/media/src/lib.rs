//! FFmpeg access for reel: open and probe inputs, decode video to owned
//! frames (with frame-exact seeking), decode audio to interleaved `f32`, and
//! scale pictures with swscale.
//!
//! This is the only crate of the workspace that links FFmpeg (through
//! `ffmpeg-next`) and the only one allowed `unsafe`; every unsafe block carries
//! a `// SAFETY:` note. No FFmpeg type appears in the public API: callers get
//! [`reel_core`] types ([`VideoFrame`], [`Rational`], [`PixelLayout`]...).
//!
//! FFmpeg contexts never cross threads: a [`VideoDecoder`] owns its own
//! [`MediaSource`], and [`spawn_decoder`] opens everything on the thread that
//! decodes and hands owned frames over a bounded channel.
//!
//! ```no_run
//! use reel_media::{DecodeEvent, DecoderOptions, VideoDecoder};
//! # fn main() -> reel_media::Result<()> {
//! reel_media::init();
//! let source = reel_media::MediaSource::open("clip.mp4")?;
//! println!("{} {:.2}s", source.info().format, source.info().duration_s);
//!
//! let opts = DecoderOptions { start_frame: 48, max_frames: Some(10), ..Default::default() };
//! for event in VideoDecoder::open("clip.mp4", &opts)? {
//!     match event? {
//!         DecodeEvent::Frame(frame) => println!("frame {}", frame.index),
//!         DecodeEvent::Error(issue) => eprintln!("corrupt packet {}: {}", issue.packet, issue.message),
//!     }
//! }
//! # Ok(())
//! # }
//! ```
// FFmpeg is a C library: this crate is where the workspace's `unsafe` lives.
#![allow(unsafe_code)]

mod audio;
mod convert;
mod decode;
mod error;
mod ffi_util;
mod pixfmt;
mod probe;
mod scale;
mod seek;
mod side_data;
mod source;
mod thread;

pub use audio::{AudioDecoder, AudioFrame};
pub use decode::{DecodeEvent, DecodeIssue, DecoderOptions, VideoDecoder};
pub use error::{Error, Result};
pub use probe::{SourceInfo, VideoParams};
pub use scale::{ScaleAlgorithm, Scaler};
pub use source::MediaSource;
pub use thread::{spawn_decoder, FrameReceiver};

pub use reel_core::{
    ColorInfo, FramePlanes, HdrInfo, PixelLayout, Plane, Rational, Resolution, Timestamp,
    VideoFrame,
};

use std::sync::Once;

/// Initialises FFmpeg once per process and sets its log level to "error" so
/// that warnings about recoverable stream damage do not flood stderr (reel
/// reports those itself). Safe to call any number of times, from any thread;
/// every opening function calls it.
pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // `ffmpeg::init` only registers devices/network on FFmpeg >= 5; a
        // failure there leaves plain file inputs working, so it is not fatal.
        let _ = ffmpeg_next::init();
        // Sets up TLS/socket state for http(s) inputs before any thread uses it.
        ffmpeg_next::format::network::init();
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Error);
    });
}
