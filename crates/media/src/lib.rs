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
//! | file | job |
//! |---|---|
//! | `source.rs` | open a path / `file://` / http(s) URL with libavformat |
//! | `probe.rs` | container, stream and main-video facts ([`SourceInfo`], [`VideoParams`]) |
//! | `side_data.rs` | HDR10 mastering display / content light, display-matrix rotation |
//! | `stream_side_data.rs` | display matrix and side-data copies on output streams |
//! | `engine.rs` | demux + decode loop: damage becomes issues, EOF drains the decoder |
//! | `decode.rs` | [`VideoDecoder`]: frame indices, frame-exact starts |
//! | `seek.rs` | timestamp <-> frame index mapping, seek backoff |
//! | `thread.rs` | [`spawn_decoder`]: decoding thread + bounded channel |
//! | `view.rs` | [`FrameView`]: a decoded picture lent to a callback, planes read in place |
//! | `convert.rs`, `pixfmt.rs` | decoded pictures -> owned planar frames (swscale when needed) |
//! | `scale.rs`, `sws.rs` | [`Scaler`] and the owned swscale context |
//! | `audio.rs` | [`AudioDecoder`]: interleaved f32 through swresample |
//! | `error.rs` | [`Error`]: every variant names the input and the step |
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
// Every unsafe block says why it is sound.
#![deny(clippy::undocumented_unsafe_blocks)]
// Unit tests may unwrap: a panic is how a test fails.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod audio;
mod audio_encode;
mod convert;
mod decode;
mod demux;
mod encode;
mod encoder_config;
mod engine;
mod error;
mod ffi_util;
mod mux;
mod packet;
mod pixfmt;
mod probe;
mod remux;
mod scale;
mod seek;
mod side_data;
mod sniff;
mod source;
mod stream_side_data;
mod sws;
mod thread;
mod view;
mod write_error;

pub use audio::{AudioDecoder, AudioFrame};
pub use audio_encode::AudioEncoder;
pub use decode::{DecodeEvent, DecodeIssue, DecoderOptions, VideoDecoder};
pub use demux::{PacketReader, StreamDesc};
pub use encode::{encoder_available, probe_encoder, VideoEncoder};
pub use encoder_config::VideoEncoderConfig;
pub use error::{Error, Result};
pub use mux::Muxer;
pub use packet::EncodedPacket;
pub use probe::{SourceInfo, VideoParams};
pub use remux::remux;
pub use scale::{ScaleAlgorithm, Scaler};
pub use source::MediaSource;
pub use thread::{spawn_decoder, spawn_decoder_with, FrameReceiver};
pub use view::FrameView;
pub use write_error::{WriteError, WriteResult};

pub use reel_core::{
    ColorInfo, FramePlanes, HdrInfo, PixelLayout, Plane, PlaneRef, Rational, Resolution, Timestamp,
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

/// Silences FFmpeg's own log output (after [`init`]). Programs that report decode
/// problems themselves, from [`DecodeEvent::Error`], call this so FFmpeg's lines do not
/// interleave with theirs.
pub fn silence_ffmpeg_log() {
    init();
    ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Quiet);
}

/// Version of the libavcodec reel runs with, `major.minor.micro`, for job
/// manifests.
pub fn libavcodec_version() -> String {
    let v = ffmpeg_next::codec::version();
    format!("{}.{}.{}", v >> 16, (v >> 8) & 0xff, v & 0xff)
}
