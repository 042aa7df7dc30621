//! `encode.json`: what the encode stage produced — the chunk plan, every
//! rendition with measured facts, packaging entry points and every object
//! with its size and checksum. Written last.

use super::header::ManifestHeader;
use crate::rendition::RungRecipe;
use crate::time::Rational;
use serde::{Deserialize, Serialize};

/// Schema version of `encode.json`.
pub const ENCODE_SCHEMA_VERSION: u32 = 1;

/// One chunk of the plan, shared by every rung.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkSpan {
    pub index: usize,
    /// First source frame of the chunk.
    pub start_frame: u64,
    pub frame_count: u64,
}

/// An object written by the stage, relative to the output root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectEntry {
    pub key: String,
    pub size: u64,
    /// `sha256:<hex>`.
    pub checksum: String,
}

/// One assembled rendition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenditionEntry {
    pub recipe: RungRecipe,
    /// Key of the assembled MP4 (`renditions/<rung>.mp4`).
    pub key: String,
    /// FFmpeg encoder used.
    pub encoder: String,
    pub frame_count: u64,
    pub duration_s: f64,
    /// Average bit rate of the video stream, bits per second.
    pub bit_rate: u64,
    /// Presentation times (seconds) of the key frames, the same in every rung.
    pub keyframes_s: Vec<f64>,
}

/// The encoded audio, when the source has audio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioEntry {
    pub key: String,
    pub codec: String,
    pub channels: u32,
    pub sample_rate: u32,
    pub bit_rate: u64,
    pub duration_s: f64,
    /// The source's packets were copied, not re-encoded (see docs/manifests.md).
    #[serde(default)]
    pub passthrough: bool,
}

/// The `encode.json` manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodeManifest {
    #[serde(flatten)]
    pub header: ManifestHeader,
    pub source_frame_count: u64,
    pub frame_rate: Rational,
    /// Forced key frame cadence inside chunks, in frames.
    pub gop_frames: u32,
    pub chunks: Vec<ChunkSpan>,
    /// Chunk objects (chunk x rung) this run encoded.
    #[serde(default)]
    pub chunks_encoded: u64,
    /// Chunk objects a re-run found complete and verified, so kept as they were.
    #[serde(default)]
    pub chunks_skipped: u64,
    pub renditions: Vec<RenditionEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<AudioEntry>,
    /// `hls/master.m3u8`, when HLS was packaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls_master: Option<String>,
    /// `dash/manifest.mpd`, when DASH was packaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dash_manifest: Option<String>,
    /// Every object of the stage except `encode.json` itself.
    pub objects: Vec<ObjectEntry>,
}
