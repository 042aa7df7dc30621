//! Orchestration of reel: one title through inspect -> ladder -> encode ->
//! validate, every stage reading and writing through object storage and
//! committing with its manifest, written last.
//!
//! The pipeline owns what is the same whoever runs the stages: the job
//! (`job.json` at the output root: id, source checksum, settings, versions),
//! the settings and their precedence, the decision which stages are already
//! finished (their manifests parse, describe this source and settings, and
//! every object they list has its recorded size and checksum), and the
//! events a progress display or a `--json` consumer follows. Running a stage
//! is the caller's: a [`StageRunner`] (the `reel` binary runs its stage
//! commands in-process; a fleet worker could run them anywhere).

mod dispatch;
mod error;
mod job;
mod plan;
mod run;
mod settings;
mod stage;
mod validate_messages;
mod verify;

pub use dispatch::{
    trial_record_url, unit_messages, EncoderKind, QueueMessage, TrialMessage, TrialRecord,
    UnitFailure, UnitGrain, UnitMessage, FAILURES_PREFIX, TRIAL_MESSAGE_KIND, UNIT_MESSAGE_KIND,
    UNIT_MESSAGE_VERSION,
};
pub use error::{Error, Result};
pub use job::{job_id, JobManifest, SourceRecord, StageRecord, JOB_SCHEMA_VERSION};
pub use plan::{index_from_env, JobPlan, INDEX_VARIABLES, PLAN_KEY, PLAN_SCHEMA_VERSION};
pub use run::{Event, Pipeline, StageRunner};
pub use settings::{JobSettings, SettingsLayer, CODECS, HARDWARE, STATIC_LADDERS};
pub use stage::Stage;
pub use validate_messages::{
    ValidateMessage, VmafPartMessage, VALIDATE_MESSAGE_KIND, VMAF_PART_MESSAGE_KIND,
};
