//! The validate stage of reel: proves every output of an encode is correct
//! before anyone streams it, and says why when it is not.
//!
//! [`validate`] reads a local copy of a job directory (its `encode.json` and
//! the objects it lists) and the source, and runs named checks, each with a
//! pass / warn / fail / skip outcome and the evidence behind it:
//!
//! | file | checks |
//! |---|---|
//! | `integrity.rs` | `integrity.objects`: every listed object exists with its size and checksum |
//! | `frames.rs` | `decode.clean`, `frames.count`, `frames.duration`, `frames.timestamps`, `frames.sequence` |
//! | `conformance.rs`, `levels.rs` | `recipe.codec`, `.resolution`, `.aspect`, `.pixel_format`, `.frame_rate`, `.colour`, `.hdr`, `.profile_level` |
//! | `gop.rs` | `gop.aligned`, `gop.interval`, `gop.closed` |
//! | `audio.rs` | `audio.present`, `audio.format`, `audio.duration` |
//! | `hls.rs`, `playlist.rs` | `hls.master`, `hls.segments`, `hls.segment_duration`, `hls.segment_start`, `hls.bandwidth` |
//! | `dash.rs` (MPD reading in `reel_core::mpd`) | `dash.mpd`, `dash.segments`, `dash.segment_start`, `dash.bandwidth` |
//! | `quality.rs` | `quality.vmaf`, `quality.prediction`, `quality.black_frozen` |
//!
//! The same checks split for a fleet: [`validate_rendition`] is one
//! rendition's (a queue worker's unit), [`validate_package`] the job-wide
//! ones, and [`merge`] puts them together as [`validate`] reports them. A
//! rendition's VMAF can go further apart, one part per encode chunk
//! (`parts.rs`: [`score_rendition_part`], joined by [`finish_rendition`]).
//!
//! Dropped and duplicated frames are found by aligning per-frame signatures
//! (`signature.rs`: 16x16 block means of luma, independent of the picture
//! size) of each rendition with the source's (`align.rs`); the same
//! alignment pairs frames for VMAF, so one dropped frame is reported once
//! instead of lowering the score of every later frame.

mod align;
mod audio;
mod conformance;
mod dash;
mod error;
mod frames;
mod gop;
mod hls;
mod integrity;
mod levels;
mod parts;
mod playlist;
mod quality;
mod report;
mod run;
mod scan;
mod segment;
mod signature;

pub use error::{Error, Result};
pub use integrity::file_checksum;
pub use parts::{finish_rendition, score_rendition_part, ScoringPlan};
pub use run::{
    merge, validate, validate_package, validate_rendition, PackageValidation, RenditionValidation,
    ValidateOptions, Validation,
};
