//! Queue messages of a validation: one per rendition (its checks), and, when
//! a rendition's VMAF is scored in parts, one per part (frames of one encode
//! chunk). Their findings are records under a prefix the waiting job names.

use crate::dispatch::queue_message;
use reel_core::Resolution;
use serde::{Deserialize, Serialize};

/// `kind` of a rendition validation message.
pub const VALIDATE_MESSAGE_KIND: &str = "reel.validate";
/// `kind` of a VMAF part message.
pub const VMAF_PART_MESSAGE_KIND: &str = "reel.vmaf_part";

/// The validation of one rendition of an encoded job (decoding, frames,
/// recipe, GOP, black and frozen spans, VMAF); its findings are written to
/// `RECORDS/<rendition>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidateMessage {
    /// Always [`VALIDATE_MESSAGE_KIND`].
    pub kind: String,
    pub version: u32,
    /// The job's output root, holding `encode.json` and the rendition.
    pub job: String,
    /// Index of the rendition in `encode.json`.
    pub rendition: usize,
    /// Its name, for logs and the record's key.
    pub name: String,
    pub source: String,
    pub vmaf: bool,
    /// With `vmaf`: record what scoring needs and leave the scoring to
    /// [`VmafPartMessage`]s, one per encode chunk.
    #[serde(default)]
    pub vmaf_in_parts: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Resolution>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_vmaf: Option<f64>,
    /// The ladder's predicted VMAF of this rung.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted_vmaf: Option<f64>,
    /// URL prefix of the records, ending in `/`.
    pub records: String,
}

queue_message!(ValidateMessage, VALIDATE_MESSAGE_KIND);

impl ValidateMessage {
    /// URL of this rendition's findings.
    pub fn record_url(&self) -> String {
        format!("{}{}.json", self.records, self.name)
    }

    /// URL of this unit's failure record.
    pub fn failure_url(&self) -> String {
        format!("{}failures/{}.json", self.records, self.name)
    }
}

/// VMAF of rendition frames `start..end` against the source, paired and
/// scaled as the rendition's validation record (`ScoringPlan`) says; the
/// scores are written to `RECORDS/vmaf/<rendition>/<start>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VmafPartMessage {
    /// Always [`VMAF_PART_MESSAGE_KIND`].
    pub kind: String,
    pub version: u32,
    /// The job's output root, holding `encode.json` and the rendition.
    pub job: String,
    /// Index of the rendition in `encode.json`.
    pub rendition: usize,
    pub name: String,
    pub source: String,
    /// First frame of the part.
    pub start: u64,
    /// Frame after its last.
    pub end: u64,
    /// Frames of the whole rendition.
    pub rendition_frames: u64,
    /// The validation's record prefix, ending in `/`: the rendition's record
    /// (with its scoring plan) is `RECORDS/<name>.json`.
    pub records: String,
}

queue_message!(VmafPartMessage, VMAF_PART_MESSAGE_KIND);

impl VmafPartMessage {
    /// URL of the rendition's validation record, holding its scoring plan.
    pub fn plan_url(&self) -> String {
        format!("{}{}.json", self.records, self.name)
    }

    /// URL of this part's scores.
    pub fn record_url(&self) -> String {
        format!("{}vmaf/{}/{:08}.json", self.records, self.name, self.start)
    }

    /// URL of this part's failure record.
    pub fn failure_url(&self) -> String {
        format!(
            "{}failures/{}-{:08}.json",
            self.records, self.name, self.start
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{QueueMessage, UNIT_MESSAGE_VERSION};

    #[test]
    fn part_messages_round_trip_and_name_their_records() {
        let m = VmafPartMessage {
            kind: VMAF_PART_MESSAGE_KIND.into(),
            version: UNIT_MESSAGE_VERSION,
            job: "s3://b/job".into(),
            rendition: 1,
            name: "720p".into(),
            source: "s3://b/in.mp4".into(),
            start: 48,
            end: 96,
            rendition_frames: 120,
            records: "s3://b/job/validate-units/".into(),
        };
        assert_eq!(VmafPartMessage::parse(&m.to_body()), Some(m.clone()));
        assert_eq!(
            m.record_url(),
            "s3://b/job/validate-units/vmaf/720p/00000048.json"
        );
        assert_eq!(m.plan_url(), "s3://b/job/validate-units/720p.json");
        // Another kind of message is not a part.
        let body = m
            .to_body()
            .replace(VMAF_PART_MESSAGE_KIND, VALIDATE_MESSAGE_KIND);
        assert_eq!(VmafPartMessage::parse(&body), None);
    }
}
