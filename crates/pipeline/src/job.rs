//! The job manifest, `job.json` at the output root: which source and
//! settings the output belongs to, what produced it, and how each stage went.

use crate::settings::JobSettings;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Schema version of `job.json`.
pub const JOB_SCHEMA_VERSION: u32 = 1;

/// The source a job encodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub url: String,
    pub size: u64,
    /// Hex SHA-256 of the source's bytes.
    pub sha256: String,
}

/// How one stage of the job went, as of the last run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRecord {
    pub stage: String,
    /// Key of its manifest under the output root.
    pub manifest: String,
    /// `done` (ran in the last run), `kept` (found finished and verified),
    /// `pending` or `off` (not part of this job).
    pub state: String,
    /// Wall seconds of the run that finished it; absent when it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_s: Option<f64>,
}

/// `job.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobManifest {
    pub schema_version: u32,
    /// [`job_id`] of the source and settings.
    pub job_id: String,
    pub source: SourceRecord,
    pub settings: JobSettings,
    /// Versions of what produced the output (`reel`, libraries).
    pub versions: BTreeMap<String, String>,
    /// RFC 3339 time this run started.
    pub started: String,
    /// RFC 3339 time every stage was finished; absent while the job runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    pub stages: Vec<StageRecord>,
}

/// The job's id: the first 16 hex digits of the SHA-256 of the source's
/// checksum and the settings, so the same source with the same settings is
/// the same job wherever and whenever it runs.
pub fn job_id(source_sha256: &str, settings: &JobSettings) -> String {
    let mut h = Sha256::new();
    h.update(source_sha256.as_bytes());
    h.update(b"\n");
    // Serialising a struct of plain fields cannot fail; an empty string
    // would still give a stable id.
    h.update(serde_json::to_vec(settings).unwrap_or_default());
    let digest = hex::encode(h.finalize());
    digest[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_follows_the_source_and_every_setting() {
        let s = JobSettings::default();
        let id = job_id("ab", &s);
        assert_eq!(id.len(), 16);
        assert_eq!(id, job_id("ab", &s.clone()));
        assert_ne!(id, job_id("ac", &s));
        let hevc = JobSettings {
            codec: "hevc".into(),
            ..s.clone()
        };
        assert_ne!(id, job_id("ab", &hevc));
        let fixed = JobSettings {
            static_ladder: Some("apple".into()),
            ..s
        };
        assert_ne!(id, job_id("ab", &fixed));
    }
}
