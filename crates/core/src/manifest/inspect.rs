//! `inspect.json`: what reel learned about a source.

use super::header::ManifestHeader;
use crate::color::{ColorInfo, HdrInfo};
use crate::time::Rational;
use serde::{Deserialize, Serialize};

pub const INSPECT_SCHEMA_VERSION: u32 = 1;

/// The whole inspection report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectReport {
    #[serde(flatten)]
    pub header: ManifestHeader,
    /// Container format name(s) as libavformat reports them (`mov,mp4,m4a,3gp,3g2,mj2`).
    pub format: String,
    pub duration_s: f64,
    pub container: ContainerInfo,
    pub streams: Vec<StreamInfo>,
    /// The main video stream, analysed in full. `None` for an audio-only source.
    pub video: Option<VideoInfo>,
    pub shots: Vec<Shot>,
    /// Frame index of the first frame of each new shot (frame 0 excluded).
    pub cuts: Vec<u64>,
    /// Cut instants with their time, for readers who prefer seconds.
    pub cut_times: Vec<Cut>,
    pub black: Vec<BlackSegment>,
    pub frozen: Vec<FrozenSegment>,
    /// Letterbox / pillarbox crop detected over the whole title.
    pub crop: Option<CropRect>,
    pub decode_errors: DecodeErrors,
}

/// Container-level facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerInfo {
    pub format: String,
    pub format_long_name: String,
    pub duration_s: f64,
    pub size_bytes: u64,
    pub bit_rate: Option<u64>,
    pub start_time_s: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamKind {
    Video,
    Audio,
    Subtitle,
    Data,
    Attachment,
    Unknown,
}

/// Stream disposition flags that matter for packaging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Disposition {
    pub default: bool,
    pub forced: bool,
    pub attached_pic: bool,
    pub hearing_impaired: bool,
    pub visual_impaired: bool,
    pub comment: bool,
}

/// One stream of the container, as declared by its headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamInfo {
    pub index: usize,
    pub kind: StreamKind,
    pub codec: String,
    pub profile: Option<String>,
    pub level: Option<i32>,
    pub bit_rate: Option<u64>,
    pub language: Option<String>,
    pub disposition: Disposition,
    pub time_base: Rational,
    pub duration_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<AudioInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<SubtitleInfo>,
    /// Declared video parameters (the main video stream also gets [`VideoInfo`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioInfo {
    pub sample_rate: u32,
    pub channels: u32,
    pub layout: Option<String>,
    pub sample_format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubtitleInfo {
    pub codec: String,
    pub language: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldOrder {
    Progressive,
    /// Top field first.
    Tff,
    /// Bottom field first.
    Bff,
    Unknown,
}

/// Interlacing as declared and as measured on the pictures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interlacing {
    /// Field order from the stream headers.
    pub field_order: FieldOrder,
    /// Frames the decoder flagged interlaced.
    pub flagged_frames: u64,
    /// Frames whose pictures show combing (field-difference detector).
    pub combed_frames: u64,
    /// Verdict: true when either the metadata or the pictures say interlaced.
    pub detected: bool,
}

/// The main video stream, with facts measured by a full decode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoInfo {
    pub stream_index: usize,
    pub codec: String,
    pub profile: Option<String>,
    pub level: Option<i32>,
    pub width: u32,
    pub height: u32,
    /// Sample aspect ratio (`1/1` for square pixels).
    pub sar: Rational,
    /// Display aspect ratio, from width, height and SAR.
    pub dar: Rational,
    pub pix_fmt: String,
    pub bit_depth: u8,
    /// `4:2:0`, `4:2:2`, `4:4:4` or `4:0:0`.
    pub chroma_subsampling: String,
    /// Frames per second: the average rate (frames / duration) as a rational.
    pub frame_rate: Rational,
    pub avg_frame_rate: Rational,
    /// The stream's "real" base rate (lowest rate that represents all timestamps).
    pub r_frame_rate: Rational,
    /// Exact number of decoded frames.
    pub frame_count: u64,
    /// Variable frame rate, measured from the decoded timestamps.
    pub vfr: bool,
    /// Shortest and longest measured frame duration, in seconds.
    pub min_frame_duration_s: f64,
    pub max_frame_duration_s: f64,
    pub interlaced: bool,
    pub interlacing: Interlacing,
    pub color: ColorInfo,
    pub hdr: HdrInfo,
    /// Display rotation in degrees, counter-clockwise (0, 90, 180, 270).
    pub rotation: i32,
    pub bit_rate: Option<u64>,
}

/// A shot: frames between two cuts, with its complexity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shot {
    pub start_frame: u64,
    /// Last frame of the shot (inclusive).
    pub end_frame: u64,
    pub start_s: f64,
    pub duration_s: f64,
    /// ITU-T P.910 spatial information on luma: mean and max over the shot.
    pub si: Stat,
    /// ITU-T P.910 temporal information on luma: mean and max over the shot.
    pub ti: Stat,
    /// A single complexity figure in [0, 1] for ladder planning (SI and TI blended).
    pub complexity: f64,
}

/// Mean and maximum of a per-frame measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    pub mean: f64,
    pub max: f64,
}

/// A cut instant.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cut {
    pub frame: u64,
    pub time_s: f64,
}

/// A span of (near-)black frames, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BlackSegment {
    pub start_frame: u64,
    pub end_frame: u64,
    pub start_s: f64,
    pub duration_s: f64,
}

/// A span of frames that repeat the previous picture, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FrozenSegment {
    pub start_frame: u64,
    pub end_frame: u64,
    pub start_s: f64,
    pub duration_s: f64,
}

/// The picture area that holds content, once black bars are removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CropRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// True when the crop removes something (letterbox or pillarbox present).
    pub bars: bool,
}

/// Decode errors met during the full decode, without aborting.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DecodeErrors {
    pub count: u64,
    /// The first few errors: where and what.
    pub first: Vec<DecodeErrorAt>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodeErrorAt {
    /// Packet position in the stream (packets counted from 0).
    pub packet: u64,
    /// Packet timestamp in seconds, when known.
    pub time_s: Option<f64>,
    pub message: String,
}
