//! `ladder.json`: the per-title ladder — the trial segments, every trial
//! point, the convex hull, where each resolution takes over, the chosen rungs
//! as encode recipes (what `reel transcode --ladder` reads) with their
//! predicted bit rate and VMAF, and what the analysis cost. Written last.

use super::header::ManifestHeader;
use crate::rendition::{RungRecipe, VideoCodec};
use crate::Resolution;
use serde::{Deserialize, Serialize};

/// Schema version of `ladder.json`.
pub const LADDER_SCHEMA_VERSION: u32 = 1;

/// The ladder of one title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LadderManifest {
    #[serde(flatten)]
    pub header: ManifestHeader,
    pub codec: VideoCodec,
    /// Resolution every trial is upscaled to before scoring.
    pub display: Resolution,
    /// VMAF model of the scores.
    pub model: String,
    pub target_vmaf: f64,
    /// The fixed ladder emitted instead of a per-title one (`apple`,
    /// `netflix2015`); absent for a per-title ladder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_ladder: Option<String>,
    /// Parts of the title the trials encode.
    pub segments: Vec<LadderSegment>,
    /// Every trial encode, measured over all segments.
    pub trials: Vec<LadderPoint>,
    /// Upper convex hull of the fitted curves, ascending bit rate.
    pub hull: Vec<LadderPoint>,
    /// Bit-rate range over which each resolution is on the hull.
    pub crossovers: Vec<LadderCrossover>,
    /// The rungs, ascending bit rate, as encode recipes.
    pub rungs: Vec<RungRecipe>,
    /// Predicted bit rate and VMAF of each rung, in the order of `rungs`.
    pub predictions: Vec<RungPrediction>,
    /// Why the ladder is not what was asked for, one sentence each.
    pub warnings: Vec<String>,
    pub cost: AnalysisCost,
    /// Apple's static ladder for this source placed on the trial curves
    /// (VMAF each of its rungs would reach), for comparison; empty for a
    /// fixed ladder and where no trial curve covers a rung.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub static_reference: Vec<StaticReferencePoint>,
}

/// One rung of a static reference ladder, as the trial curves predict it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StaticReferencePoint {
    pub resolution: Resolution,
    pub kbps: f64,
    pub vmaf: f64,
}

/// One trial segment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LadderSegment {
    pub start_frame: u64,
    pub frame_count: u64,
    pub complexity: f64,
}

/// A (resolution, CRF) point: bit rate in kb/s and pooled (mean) VMAF.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LadderPoint {
    pub resolution: Resolution,
    pub crf: f64,
    pub kbps: f64,
    pub vmaf: f64,
}

/// Where one resolution is on the hull.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LadderCrossover {
    pub resolution: Resolution,
    pub from_kbps: f64,
    pub to_kbps: f64,
}

/// What the ladder expects a rung to measure once encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RungPrediction {
    pub name: String,
    pub kbps: f64,
    /// Absent for a fixed ladder, which is not measured.
    pub vmaf: Option<f64>,
}

/// CPU seconds the analysis took, by step, and its wall time.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct AnalysisCost {
    pub trial_encode_cpu_s: f64,
    pub scoring_cpu_s: f64,
    /// Encoding and scoring the chosen rungs as they will be encoded.
    #[serde(default)]
    pub refine_cpu_s: f64,
    pub wall_s: f64,
}
