//! The stages of a job, in order.

use serde::{Deserialize, Serialize};

/// One stage of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// `reel inspect`: inspect.json.
    Inspect,
    /// `reel ladder` (per-title or a static table): ladder.json.
    Ladder,
    /// `reel transcode --ladder`: renditions, audio, HLS, DASH, encode.json.
    Encode,
    /// `reel validate`: validate.json (with the VMAF of every rendition).
    Validate,
    /// `reel report`: report/index.html, the page about the job.
    Report,
}

impl Stage {
    /// Every stage, in the order a job runs them.
    pub const ALL: [Stage; 5] = [
        Stage::Inspect,
        Stage::Ladder,
        Stage::Encode,
        Stage::Validate,
        Stage::Report,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Inspect => "inspect",
            Stage::Ladder => "ladder",
            Stage::Encode => "encode",
            Stage::Validate => "validate",
            Stage::Report => "report",
        }
    }

    /// Key of the manifest the stage writes last, under the output root (the
    /// report's page is its own commit marker: it is written in one piece).
    pub fn manifest_key(self) -> &'static str {
        match self {
            Stage::Inspect => "inspect.json",
            Stage::Ladder => "ladder.json",
            Stage::Encode => "encode.json",
            Stage::Validate => "validate.json",
            Stage::Report => "report/index.html",
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
