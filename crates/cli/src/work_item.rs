//! The work a `reel worker` takes from its queue: an encode unit of a planned
//! job, a ladder trial, a rendition's validation or a part of its VMAF; what
//! each needs, how it runs, and where its failure
//! is recorded.

use crate::args::GlobalArgs;
use crate::commands::plan::read_plan;
use crate::commands::task::encode_planned_unit;
use crate::ladder_queue::run_trial;
use crate::sources;
use crate::validate_queue::run_validation;
use crate::vmaf_queue::run_vmaf_part;
use anyhow::Result;
use reel_pipeline::{
    EncoderKind, QueueMessage, TrialMessage, UnitMessage, ValidateMessage, VmafPartMessage,
};
use reel_storage::{Storage, StorageUrl};
use std::path::Path;

/// One message's work.
#[derive(Debug, Clone)]
pub(crate) enum WorkItem {
    Unit(UnitMessage),
    Trial(TrialMessage),
    Validate(ValidateMessage),
    VmafPart(VmafPartMessage),
}

/// How a work item went.
#[derive(Debug)]
pub(crate) struct WorkDone {
    pub summary: String,
    /// Seconds encoding (and scoring, for a trial): the rest of the time a
    /// worker holds the message is the queue's and storage's.
    pub work_s: f64,
}

impl WorkItem {
    /// Reads a message body; `None` when it is neither kind.
    pub fn parse(body: &str) -> Option<WorkItem> {
        UnitMessage::parse(body)
            .map(WorkItem::Unit)
            .or_else(|| TrialMessage::parse(body).map(WorkItem::Trial))
            .or_else(|| ValidateMessage::parse(body).map(WorkItem::Validate))
            .or_else(|| VmafPartMessage::parse(body).map(WorkItem::VmafPart))
    }

    /// The encoders it needs (trials use the software encoders).
    pub fn encoders(&self) -> EncoderKind {
        match self {
            WorkItem::Unit(m) => m.encoders,
            // A trial's recipes share one encoder: the trials' software
            // one, or the rungs' own for the refine encodes.
            WorkItem::Trial(m) => m.recipes.first().map_or(EncoderKind::Cpu, EncoderKind::of),
            WorkItem::Validate(_) | WorkItem::VmafPart(_) => EncoderKind::Cpu,
        }
    }

    /// `unit 3 of s3://.../plan.json` or `trial of segment 2 (1280x720) of s3://...`.
    pub fn describe(&self) -> String {
        match self {
            WorkItem::Unit(m) => format!("unit {} of {}", m.index, m.plan),
            WorkItem::Trial(m) => format!(
                "trial of segment {} ({}) of {}",
                m.segment.index,
                m.recipes
                    .first()
                    .map_or_else(String::new, |r| r.resolution.to_string()),
                m.source
            ),
            WorkItem::Validate(m) => format!("validation of {} in {}", m.name, m.job),
            WorkItem::VmafPart(m) => format!(
                "VMAF of {} frames {}..{} in {}",
                m.name, m.start, m.end, m.job
            ),
        }
    }

    /// Its index (unit or segment) and the rungs or recipes it encodes.
    pub fn index_and_rungs(&self) -> (usize, Vec<String>) {
        match self {
            WorkItem::Unit(m) => (m.index, m.rungs.clone()),
            WorkItem::Trial(m) => (
                m.segment.index,
                m.recipes.iter().map(|r| r.name.clone()).collect(),
            ),
            WorkItem::Validate(m) => (m.rendition, vec![m.name.clone()]),
            // The part's first frame names it in a failure.
            WorkItem::VmafPart(m) => (
                usize::try_from(m.start).unwrap_or(usize::MAX),
                vec![m.name.clone()],
            ),
        }
    }

    /// A directory name for its local files.
    pub fn dir_name(&self) -> String {
        match self {
            WorkItem::Unit(m) => format!("{}-{:05}-{}", m.job_id, m.index, m.encoders),
            WorkItem::Trial(m) => format!(
                "trial-{:05}-{}",
                m.segment.index,
                m.recipes
                    .first()
                    .map_or_else(String::new, |r| r.name.clone())
            ),
            WorkItem::Validate(m) => format!("validate-{}", m.name),
            WorkItem::VmafPart(m) => format!("vmaf-{}-{:08}", m.name, m.start),
        }
    }

    /// Runs it with local files under `work`.
    pub fn run(&self, work: &Path, threads: usize, global: &GlobalArgs) -> Result<WorkDone> {
        match self {
            WorkItem::Unit(m) => {
                let done =
                    encode_planned_unit(&m.plan, m.index, Some(&m.rungs), Some(work), global)?;
                Ok(WorkDone {
                    summary: format!("{} [{}]", done.summary(), m.rungs.join(", ")),
                    work_s: done.encode_s,
                })
            }
            WorkItem::Trial(m) => {
                let work_s = run_trial(m, work, threads, global)?;
                Ok(WorkDone {
                    summary: format!("{}: {} recipes measured", self.describe(), m.recipes.len()),
                    work_s,
                })
            }
            WorkItem::Validate(m) => {
                let work_s = run_validation(m, work, threads, global)?;
                Ok(WorkDone {
                    summary: format!("{}: checked", self.describe()),
                    work_s,
                })
            }
            WorkItem::VmafPart(m) => {
                let work_s = run_vmaf_part(m, threads, global)?;
                Ok(WorkDone {
                    summary: format!("{}: scored", self.describe()),
                    work_s,
                })
            }
        }
    }

    /// Where its failure record goes.
    pub fn failure_location(&self, global: &GlobalArgs) -> Result<(Storage, StorageUrl)> {
        match self {
            WorkItem::Unit(m) => {
                let (_, root, storage) = read_plan(&m.plan, global)?;
                Ok((storage, root.join(&m.failure_key())?))
            }
            WorkItem::Trial(m) => storage_at(&m.failure_url(), global),
            WorkItem::Validate(m) => storage_at(&m.failure_url(), global),
            WorkItem::VmafPart(m) => storage_at(&m.failure_url(), global),
        }
    }
}

fn storage_at(url: &str, global: &GlobalArgs) -> Result<(Storage, StorageUrl)> {
    let url = StorageUrl::parse(url)?;
    let storage = Storage::for_url(&url, &sources::storage_options(global))?;
    Ok((storage, url))
}
