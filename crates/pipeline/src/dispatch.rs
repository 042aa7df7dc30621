//! Queue mode: a job's work as queue messages, and the records workers leave
//! in storage. A unit message names the plan, the unit and the rungs to encode;
//! units whose rungs ask for a hardware encoder are sent apart from the
//! software ones, so a GPU worker takes only the former. A trial message is one
//! ladder trial: a segment encoded at one resolution's trial recipes and scored
//! with VMAF, its result a [`TrialRecord`] per recipe.

use crate::plan::JobPlan;
use reel_core::manifest::ChunkSpan;
use reel_core::{Resolution, RungRecipe};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;

/// `kind` of a unit message.
pub const UNIT_MESSAGE_KIND: &str = "reel.unit";
/// `kind` of a ladder trial message.
pub const TRIAL_MESSAGE_KIND: &str = "reel.trial";
/// Schema version of unit messages and failure records.
pub const UNIT_MESSAGE_VERSION: u32 = 1;
/// Where workers record failed units, under the output root.
pub const FAILURES_PREFIX: &str = "queue/failures/";

/// A reel queue message: JSON whose `kind` names its type and whose
/// `version` its schema; anything else on a queue is poison.
pub trait QueueMessage: Serialize + DeserializeOwned {
    /// The `kind` of this type of message.
    const KIND: &'static str;
    fn kind(&self) -> &str;
    fn version(&self) -> u32;

    /// Reads a message body; `None` when it is not a message of this type.
    fn parse(body: &str) -> Option<Self> {
        serde_json::from_str::<Self>(body)
            .ok()
            .filter(|m| m.kind() == Self::KIND && m.version() == UNIT_MESSAGE_VERSION)
    }

    /// The message body.
    fn to_body(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Implements [`QueueMessage`] for a struct with `kind` and `version` fields.
macro_rules! queue_message {
    ($message:ty, $kind:expr) => {
        impl $crate::dispatch::QueueMessage for $message {
            const KIND: &'static str = $kind;
            fn kind(&self) -> &str {
                &self.kind
            }
            fn version(&self) -> u32 {
                self.version
            }
        }
    };
}
pub(crate) use queue_message;

/// The kind of encoder a unit needs, and a worker offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EncoderKind {
    /// Software encoders (x264, x265, libaom, libvpx, SVT-AV1).
    Cpu,
    /// NVIDIA's hardware encoders (`h264_nvenc`, `hevc_nvenc`, `av1_nvenc`).
    Nvenc,
}

impl EncoderKind {
    /// Every kind, in the order units are sent.
    pub const ALL: [EncoderKind; 2] = [EncoderKind::Cpu, EncoderKind::Nvenc];

    /// What `recipe` needs.
    pub fn of(recipe: &RungRecipe) -> EncoderKind {
        match &recipe.encoder {
            Some(name) if name.ends_with("_nvenc") => EncoderKind::Nvenc,
            _ => EncoderKind::Cpu,
        }
    }

    /// Parses `cpu` or `nvenc`.
    pub fn parse(text: &str) -> Option<EncoderKind> {
        match text.trim() {
            "cpu" => Some(EncoderKind::Cpu),
            "nvenc" => Some(EncoderKind::Nvenc),
            _ => None,
        }
    }
}

impl fmt::Display for EncoderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EncoderKind::Cpu => "cpu",
            EncoderKind::Nvenc => "nvenc",
        })
    }
}

/// One queued unit: chunk `index` of the plan's rungs named in `rungs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitMessage {
    /// Always [`UNIT_MESSAGE_KIND`]: tells a unit from a stray message.
    pub kind: String,
    pub version: u32,
    pub job_id: String,
    /// URL of the job's `plan.json`.
    pub plan: String,
    pub index: usize,
    pub encoders: EncoderKind,
    pub rungs: Vec<String>,
}

queue_message!(UnitMessage, UNIT_MESSAGE_KIND);

impl UnitMessage {
    /// Key of this unit's failure record under the output root: one per
    /// message, so failures of units of one chunk never overwrite each other.
    pub fn failure_key(&self) -> String {
        format!(
            "{FAILURES_PREFIX}{:05}-{}-{}.json",
            self.index,
            self.encoders,
            self.rungs.join("+")
        )
    }
}

/// How much of a chunk one queued unit encodes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnitGrain {
    /// Every rung of one encoder kind: the chunk is decoded once for all.
    #[default]
    Chunk,
    /// One rung: more, smaller units, which spread a few long chunks of a
    /// many-rung ladder over more workers.
    Rung,
}

/// The messages of `plan` (stored at `plan_url`): per unit, one for its
/// software rungs and one for its hardware rungs, each only when it has any;
/// with [`UnitGrain::Rung`], one per rung.
pub fn unit_messages(plan: &JobPlan, plan_url: &str, grain: UnitGrain) -> Vec<UnitMessage> {
    let mut messages = Vec::new();
    for index in 0..plan.units.len() {
        for kind in EncoderKind::ALL {
            let rungs: Vec<String> = plan
                .rungs
                .iter()
                .filter(|r| EncoderKind::of(r) == kind)
                .map(|r| r.name.clone())
                .collect();
            let groups = match grain {
                UnitGrain::Chunk if !rungs.is_empty() => vec![rungs],
                UnitGrain::Chunk => Vec::new(),
                UnitGrain::Rung => rungs.into_iter().map(|r| vec![r]).collect(),
            };
            for rungs in groups {
                messages.push(UnitMessage {
                    kind: UNIT_MESSAGE_KIND.into(),
                    version: UNIT_MESSAGE_VERSION,
                    job_id: plan.job_id.clone(),
                    plan: plan_url.to_string(),
                    index,
                    encoders: kind,
                    rungs,
                });
            }
        }
    }
    messages
}

/// One ladder trial: segment `segment` of the source encoded at `recipes` (one
/// resolution, several CRFs) and scored at `display`; each recipe's result is
/// written to `RECORDS/<recipe>/<segment>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialMessage {
    /// Always [`TRIAL_MESSAGE_KIND`].
    pub kind: String,
    pub version: u32,
    /// The source as the job names it.
    pub source: String,
    /// URL of the source's `inspect.json`.
    pub inspect: String,
    /// The segment; its `index` names its records.
    pub segment: ChunkSpan,
    pub recipes: Vec<RungRecipe>,
    pub gop: u32,
    pub display: Resolution,
    pub vmaf_subsample: u32,
    /// URL prefix of the records, ending in `/`.
    pub records: String,
}

queue_message!(TrialMessage, TRIAL_MESSAGE_KIND);

impl TrialMessage {
    /// URL of the record of `recipe`'s encode of this segment.
    pub fn record_url(&self, recipe: &str) -> String {
        trial_record_url(&self.records, recipe, self.segment.index)
    }

    /// URL of this trial's failure record.
    pub fn failure_url(&self) -> String {
        format!(
            "{}failures/{:05}-{}x{}.json",
            self.records,
            self.segment.index,
            self.recipes.first().map_or(0, |r| r.resolution.width),
            self.recipes.first().map_or(0, |r| r.resolution.height)
        )
    }
}

/// `RECORDS/<recipe>/<segment>.json`.
pub fn trial_record_url(records: &str, recipe: &str, segment: usize) -> String {
    format!("{records}{recipe}/{segment:05}.json")
}

/// One trial encode's measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialRecord {
    pub version: u32,
    pub recipe: String,
    pub segment: usize,
    /// Size of the encoded segment.
    pub bytes: u64,
    pub frames: u64,
    /// Pooled (mean) VMAF of the segment.
    pub vmaf_mean: f64,
}

/// What a worker records when a unit fails, so the job that waits for it can
/// say which unit failed and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitFailure {
    pub version: u32,
    pub index: usize,
    pub encoders: EncoderKind,
    pub rungs: Vec<String>,
    /// This failure's attempt (the message's receive count).
    pub attempt: u32,
    /// Attempts before the unit is given up: the queue's maxReceiveCount.
    pub max_attempts: u32,
    /// Whether this was the last attempt: the message goes to the dead-letter
    /// queue (or is dropped where the queue has none) and the job fails.
    pub given_up: bool,
    /// The dead-letter queue the message goes to, when the queue has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_queue: Option<String>,
    /// The unit's error, on one line.
    pub error: String,
    /// Host name and process id of the worker.
    pub worker: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_core::manifest::ChunkSpan;
    use reel_core::{RateControl, Resolution, VideoCodec};
    use std::collections::BTreeSet;

    fn recipe(name: &str, encoder: Option<&str>) -> RungRecipe {
        RungRecipe {
            name: name.into(),
            resolution: Resolution {
                width: 640,
                height: 360,
            },
            codec: VideoCodec::H264,
            rate_control: RateControl::Crf { crf: 23.0 },
            preset: None,
            bit_depth: 8,
            encoder: encoder.map(str::to_string),
            min_vmaf: None,
        }
    }

    #[test]
    fn hardware_rungs_travel_apart_from_software_ones() {
        let plan_json = serde_json::json!({
            "schema_version": 1, "job_id": "j", "output": "s3://b/o",
            "source": {"url": "s3://b/s.mp4", "sha256": "00", "size": 1},
            "settings": {"codec": "h264", "target_vmaf": 95.0, "validate": true},
            "encoder_threads": 1, "gop_frames": 48, "rungs": [], "units": []
        });
        let mut plan: JobPlan = serde_json::from_value(plan_json).unwrap();
        plan.rungs = vec![
            recipe("360p", None),
            recipe("720p", Some("h264_nvenc")),
            recipe("540p", Some("libx264")),
        ];
        plan.units = (0..2)
            .map(|index| ChunkSpan {
                index,
                start_frame: index as u64 * 48,
                frame_count: 48,
            })
            .collect();
        let messages = unit_messages(&plan, "s3://b/o/plan.json", UnitGrain::Chunk);
        assert_eq!(messages.len(), 4);
        assert_eq!(messages[0].encoders, EncoderKind::Cpu);
        assert_eq!(messages[0].rungs, ["360p", "540p"]);
        assert_eq!(messages[1].encoders, EncoderKind::Nvenc);
        assert_eq!(messages[1].rungs, ["720p"]);
        assert_eq!(messages[3].index, 1);
        let body = messages[1].to_body();
        assert_eq!(UnitMessage::parse(&body).as_ref(), Some(&messages[1]));
        assert_eq!(
            messages[1].failure_key(),
            "queue/failures/00000-nvenc-720p.json"
        );
        assert_eq!(UnitMessage::parse(r#"{"kind":"other"}"#), None);
        assert_eq!(UnitMessage::parse("not json"), None);
        // One rung per unit: six, each with its own failure record.
        let per_rung = unit_messages(&plan, "s3://b/o/plan.json", UnitGrain::Rung);
        let units: Vec<_> = per_rung
            .iter()
            .map(|m| (m.index, m.encoders, m.rungs.join(",")))
            .collect();
        assert_eq!(units.len(), 6);
        assert_eq!(units[1], (0, EncoderKind::Cpu, "540p".to_string()));
        assert_eq!(units[2], (0, EncoderKind::Nvenc, "720p".to_string()));
        let keys: BTreeSet<String> = per_rung.iter().map(UnitMessage::failure_key).collect();
        assert_eq!(keys.len(), 6);
    }
}
