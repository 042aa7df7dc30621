//! A queued validation's VMAF in parts: once the renditions' validation units
//! have recorded their scoring plans, each encode chunk of each rendition is
//! scored by a `reel worker` as its own message; the waiting job joins the
//! parts' scores into the rendition's quality checks.

use crate::args::GlobalArgs;
use crate::progress::Meter;
use crate::queue_wait::wait_for_records;
use crate::sources;
use crate::validate_queue::{PieceJob, QueuedValidation};
use anyhow::{bail, Context, Result};
use reel_pipeline::{QueueMessage, VmafPartMessage, UNIT_MESSAGE_VERSION, VMAF_PART_MESSAGE_KIND};
use reel_queue::Queue;
use reel_storage::StorageUrl;
use reel_validate::RenditionValidation;
use reel_vmaf::{ClipPart, ScoredPart};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// What the coordinating side of the parts needs.
#[derive(Debug)]
pub(crate) struct QueuedParts<'a> {
    pub validation: &'a QueuedValidation<'a>,
    pub queue: &'a Queue,
    /// The validation's record prefix, ending in `/`.
    pub records: &'a str,
}

impl QueuedParts<'_> {
    /// Scores every rendition whose findings carry a scoring plan, in parts
    /// on the queue, and completes its findings with the quality checks.
    pub fn score(
        &self,
        renditions: &mut [RenditionValidation],
        meter: &Meter,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<()> {
        let mut messages = Vec::new();
        let manifest = self.validation.manifest;
        for (index, (entry, found)) in manifest.renditions.iter().zip(&*renditions).enumerate() {
            let Some(plan) = &found.scoring else { continue };
            for part in plan.parts(manifest) {
                if part.start == part.end {
                    continue;
                }
                messages.push(VmafPartMessage {
                    kind: VMAF_PART_MESSAGE_KIND.into(),
                    version: UNIT_MESSAGE_VERSION,
                    job: self.validation.job.to_string(),
                    rendition: index,
                    name: entry.recipe.name.clone(),
                    source: self.validation.source_url.to_string(),
                    start: part.start,
                    end: part.end,
                    rendition_frames: part.clip_frames,
                    records: self.records.to_string(),
                });
            }
        }
        for message in &messages {
            self.queue
                .send(&message.to_body(), Duration::ZERO)
                .with_context(|| {
                    format!(
                        "sending the VMAF of {} frames {}..{}",
                        message.name, message.start, message.end
                    )
                })?;
        }
        if !messages.is_empty() {
            let expected: BTreeSet<String> =
                messages.iter().map(VmafPartMessage::record_url).collect();
            meter.step("VMAF parts (queued)", "parts", expected.len() as u64);
            let started = Instant::now();
            let prefix = StorageUrl::parse(&format!("{}vmaf/", self.records))?;
            let failures = StorageUrl::parse(&format!("{}failures/", self.records))?;
            wait_for_records(
                self.validation.storage,
                &prefix,
                &expected,
                &failures,
                meter,
                |f| format!("VMAF of {} from frame {}", f.rungs.join(", "), f.index),
            )?;
            progress(&format!(
                "{} VMAF parts scored by workers in {:.1} s",
                messages.len(),
                started.elapsed().as_secs_f64()
            ));
        }
        for (entry, found) in self
            .validation
            .manifest
            .renditions
            .iter()
            .zip(renditions.iter_mut())
        {
            let Some(plan) = found.scoring.clone() else {
                continue;
            };
            let name = entry.recipe.name.as_str();
            let mut parts = Vec::new();
            for message in messages.iter().filter(|m| m.name == name) {
                let url = message.record_url();
                let bytes = self.validation.storage.get_bytes(url.as_str())?;
                let part: ScoredPart = serde_json::from_slice(&bytes)
                    .with_context(|| format!("{url}: not the scores of a VMAF part"))?;
                parts.push(part);
            }
            reel_validate::finish_rendition(found, name, &plan, parts);
        }
        Ok(())
    }
}

/// The worker's side: scores one part of a rendition, reading the rendition
/// and the source where they are stored (seeking to the part), and writes
/// its scores. A part already scored (a redelivered message) is not scored
/// again. Returns seconds spent scoring.
pub(crate) fn run_vmaf_part(
    message: &VmafPartMessage,
    threads: usize,
    global: &GlobalArgs,
) -> Result<f64> {
    let piece = PieceJob::open(&message.job, &message.record_url(), global)?;
    if piece.done()? {
        return Ok(0.0);
    }
    let plan_url = message.plan_url();
    let found: RenditionValidation = serde_json::from_slice(
        &piece
            .storage
            .get_bytes(plan_url.as_str())
            .with_context(|| format!("reading {plan_url}"))?,
    )
    .with_context(|| format!("{plan_url}: not a rendition validation"))?;
    let Some(plan) = found.scoring else {
        bail!("{plan_url} has no scoring plan for {}", message.name);
    };
    if plan.source_of.len() as u64 != message.rendition_frames {
        bail!(
            "{plan_url} plans {} frames of {}, the message {}",
            plan.source_of.len(),
            message.name,
            message.rendition_frames
        );
    }
    let manifest = piece.manifest_with(message.rendition)?;
    let key = &manifest.renditions[message.rendition].key;
    let rendition = sources::resolve(&piece.job.join(key)?.to_string(), global)
        .with_context(|| format!("rendition {}", message.name))?;
    let source = sources::resolve(&message.source, global)
        .with_context(|| format!("source {}", message.source))?;
    let part = ClipPart {
        start: message.start,
        end: message.end,
        clip_frames: message.rendition_frames,
    };
    let started = Instant::now();
    let scores = reel_validate::score_rendition_part(
        &source.media_input,
        &rendition.media_input,
        &plan,
        part,
        threads,
    )
    .with_context(|| {
        format!(
            "scoring {} frames {}..{} of {}",
            message.name, message.start, message.end, message.job
        )
    })?;
    let seconds = started.elapsed().as_secs_f64();
    piece.put_record(&scores)?;
    Ok(seconds)
}
