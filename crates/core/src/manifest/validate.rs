//! `validate.json`: every check the validate stage ran over an encode, with
//! its outcome and the evidence behind it. Written last.

use super::header::ManifestHeader;
use serde::{Deserialize, Serialize};

/// Schema version of `validate.json`.
pub const VALIDATE_SCHEMA_VERSION: u32 = 1;

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    /// Not wrong, but worth a look (e.g. nothing to compare against).
    Warn,
    Fail,
    /// Could not be evaluated because a check it depends on failed.
    Skip,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
            CheckStatus::Skip => "skip",
        }
    }
}

/// One named check on one subject (a rendition, the audio, a playlist, the title).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Stable dotted name, e.g. `frames.count`, `gop.aligned`, `hls.bandwidth`.
    pub check: String,
    /// What was checked: a rung name, `audio`, `hls`, `dash`, `title` or an object key.
    pub subject: String,
    pub status: CheckStatus,
    /// What was measured against what was expected, in one or two sentences.
    pub evidence: String,
}

/// Counts of each outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CheckCounts {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
}

impl CheckCounts {
    pub fn of(checks: &[CheckResult]) -> CheckCounts {
        let mut c = CheckCounts::default();
        for check in checks {
            match check.status {
                CheckStatus::Pass => c.pass += 1,
                CheckStatus::Warn => c.warn += 1,
                CheckStatus::Fail => c.fail += 1,
                CheckStatus::Skip => c.skip += 1,
            }
        }
        c
    }
}

/// Pooled VMAF of one rendition, as the quality checks measured it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenditionQuality {
    pub name: String,
    pub vmaf_mean: f64,
    pub vmaf_p5: f64,
    pub vmaf_min: f64,
    /// Frames scored.
    pub frames: u64,
    /// VMAF of every scored frame, in output order (3 decimals); empty when
    /// not recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vmaf_frames: Vec<f64>,
}

/// The `validate.json` manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidateManifest {
    #[serde(flatten)]
    pub header: ManifestHeader,
    /// `true` when no check failed.
    pub passed: bool,
    pub counts: CheckCounts,
    pub checks: Vec<CheckResult>,
    /// VMAF model of the quality checks, when they ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vmaf_model: Option<String>,
    #[serde(default)]
    pub quality: Vec<RenditionQuality>,
}
