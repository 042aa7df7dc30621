//! `plan.json`: a job cut into work units for a batch scheduler. `reel plan`
//! runs the job through its ladder and writes it; `reel task --index N` (one
//! Kubernetes Indexed Job pod or AWS Batch array child per unit) encodes unit N;
//! `reel assemble` runs the fan-in (assembly, packaging, validation, report).

use crate::job::SourceRecord;
use crate::settings::JobSettings;
use crate::{Error, Result};
use reel_core::manifest::ChunkSpan;
use reel_core::RungRecipe;
use serde::{Deserialize, Serialize};

/// Schema version of `plan.json`.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// Key of the plan under the output root.
pub const PLAN_KEY: &str = "plan.json";

/// Environment variables that carry an array task's index, in the order read:
/// Kubernetes Indexed Jobs, then AWS Batch array jobs.
pub const INDEX_VARIABLES: [&str; 2] = ["JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"];

/// The units of one job and what every unit needs to be encoded alike anywhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobPlan {
    pub schema_version: u32,
    pub job_id: String,
    pub source: SourceRecord,
    /// The output root (local directory or s3://bucket/prefix).
    pub output: String,
    pub settings: JobSettings,
    /// Encoder threads of every unit: encoders give other bytes with another
    /// thread count, so a plan fixes it.
    pub encoder_threads: usize,
    pub gop_frames: u32,
    /// The ladder's rungs, each encoded by every unit.
    pub rungs: Vec<RungRecipe>,
    /// Unit `i` encodes chunk `units[i]` of every rung.
    pub units: Vec<ChunkSpan>,
}

impl JobPlan {
    /// The unit at `index`.
    ///
    /// # Errors
    /// [`Error::Plan`] when the plan has no such unit.
    pub fn unit(&self, index: usize) -> Result<&ChunkSpan> {
        self.units.get(index).ok_or_else(|| Error::Plan {
            reason: format!(
                "unit {index} does not exist: the plan has units 0..{}",
                self.units.len().saturating_sub(1)
            ),
        })
    }
}

/// The array index from the first of [`INDEX_VARIABLES`] that is set, read
/// with `get`; `Ok(None)` when none is.
///
/// # Errors
/// [`Error::Plan`] naming the variable when its value is not an index.
pub fn index_from_env(get: impl Fn(&str) -> Option<String>) -> Result<Option<usize>> {
    for name in INDEX_VARIABLES {
        if let Some(value) = get(name) {
            return value.trim().parse().map(Some).map_err(|_| Error::Plan {
                reason: format!("{name}={value:?} is not a unit index"),
            });
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_comes_from_kubernetes_then_aws_batch() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(index_from_env(env(&[])).unwrap(), None);
        assert_eq!(
            index_from_env(env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "7")])).unwrap(),
            Some(7)
        );
        assert_eq!(
            index_from_env(env(&[
                ("AWS_BATCH_JOB_ARRAY_INDEX", "7"),
                ("JOB_COMPLETION_INDEX", "3")
            ]))
            .unwrap(),
            Some(3)
        );
        let err = index_from_env(env(&[("JOB_COMPLETION_INDEX", "x")])).unwrap_err();
        assert!(err.to_string().contains("JOB_COMPLETION_INDEX"), "{err}");
    }
}
