//! Ladder trials through a queue (`reel encode --queue` with a per-title
//! ladder): each (segment, resolution) is a trial message a `reel worker`
//! encodes at the resolution's recipes and scores, writing one record per
//! recipe; the ladder waits for the records and reads the same rate and VMAF
//! points a local run measures.

use crate::args::GlobalArgs;
use crate::job_inputs::read_manifest;
use crate::ladder_trials::{cache_reference, score_segment, trial_points};
use crate::progress::Meter;
use crate::queue_wait::{clear_prefix, wait_for_records};
use crate::sources;
use anyhow::{Context, Result};
use reel_core::manifest::{ChunkSpan, InspectReport};
use reel_core::{Resolution, RungRecipe};
use reel_encode::{chunk_path, encode_unit, SourceFacts, UnitContext};
use reel_ladder::{TrialPoint, TrialSegment};
use reel_pipeline::{
    trial_record_url, QueueMessage, TrialMessage, TrialRecord, TRIAL_MESSAGE_KIND,
    UNIT_MESSAGE_VERSION,
};
use reel_queue::Queue;
use reel_storage::{Storage, StorageUrl};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// Where a job's trials go and how workers find their inputs.
#[derive(Debug)]
pub(crate) struct TrialQueue {
    queue: Queue,
    storage: Storage,
    /// `OUTPUT/ladder-trials/`.
    root: String,
    source: String,
    inspect: String,
}

/// What the trial's inputs are, shared by every message of a phase.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TrialSettings {
    pub gop: u32,
    pub display: Resolution,
    pub vmaf_subsample: u32,
}

impl TrialQueue {
    pub fn connect(
        queue_url: &str,
        output: &str,
        source: &str,
        inspect: &str,
        global: &GlobalArgs,
    ) -> Result<TrialQueue> {
        let queue = Queue::connect(queue_url)?;
        let out = StorageUrl::parse(output).with_context(|| format!("output {output}"))?;
        let storage = Storage::for_url(&out, &sources::storage_options(global))?;
        Ok(TrialQueue {
            queue,
            storage,
            root: format!("{}/ladder-trials/", output.trim_end_matches('/')),
            source: source.to_string(),
            inspect: inspect.to_string(),
        })
    }

    /// Bit rate and VMAF of every recipe over all segments, measured by
    /// workers: the same figures [`crate::ladder_trials::measure_trials`] gives.
    pub fn measure(
        &self,
        phase: &str,
        facts: &SourceFacts,
        segments: &[TrialSegment],
        recipes: &[(RungRecipe, f64)],
        settings: TrialSettings,
        meter: &Meter,
    ) -> Result<Vec<TrialPoint>> {
        let records = format!("{}{phase}/", self.root);
        // Trials are measured afresh, as a local ladder encodes them afresh.
        let prefix = StorageUrl::parse(&records)?;
        clear_prefix(&self.storage, &prefix)?;
        for (index, seg) in segments.iter().enumerate() {
            let mut by_res: Vec<(Resolution, Vec<RungRecipe>)> = Vec::new();
            for (r, _) in recipes {
                match by_res.iter_mut().find(|(res, _)| *res == r.resolution) {
                    Some((_, group)) => group.push(r.clone()),
                    None => by_res.push((r.resolution, vec![r.clone()])),
                }
            }
            for (_, group) in by_res {
                let message = TrialMessage {
                    kind: TRIAL_MESSAGE_KIND.into(),
                    version: UNIT_MESSAGE_VERSION,
                    source: self.source.clone(),
                    inspect: self.inspect.clone(),
                    segment: ChunkSpan {
                        index,
                        start_frame: seg.start_frame,
                        frame_count: seg.frame_count,
                    },
                    recipes: group,
                    gop: settings.gop,
                    display: settings.display,
                    vmaf_subsample: settings.vmaf_subsample,
                    records: records.clone(),
                };
                self.queue
                    .send(&message.to_body(), Duration::ZERO)
                    .with_context(|| format!("sending {phase} trial {index}"))?;
            }
        }
        let expected: BTreeSet<String> = recipes
            .iter()
            .flat_map(|(r, _)| (0..segments.len()).map(|i| trial_record_url(&records, &r.name, i)))
            .collect();
        meter.step(
            &format!("{phase} trials (queued)"),
            "encodes",
            expected.len() as u64,
        );
        let failures = StorageUrl::parse(&format!("{records}failures/"))?;
        wait_for_records(&self.storage, &prefix, &expected, &failures, meter, |f| {
            format!(
                "{phase} trial of segment {} ({})",
                f.index,
                f.rungs.join(", ")
            )
        })?;
        let mut bytes = vec![0u64; recipes.len()];
        let mut vmaf_sums = vec![0.0f64; recipes.len()];
        let mut frames = 0u64;
        // The local measurement's order: segment by segment.
        for (index, seg) in segments.iter().enumerate() {
            for (i, (recipe, _)) in recipes.iter().enumerate() {
                let url = trial_record_url(&records, &recipe.name, index);
                let record: TrialRecord =
                    serde_json::from_slice(&self.storage.get_bytes(url.as_str())?)
                        .with_context(|| format!("{url}: not a trial record"))?;
                bytes[i] += record.bytes;
                vmaf_sums[i] += record.vmaf_mean * seg.frame_count as f64;
            }
            frames += seg.frame_count;
        }
        Ok(trial_points(facts, recipes, &bytes, &vmaf_sums, frames))
    }
}

/// The worker's side: encodes the trial's segment at its recipes in `work`,
/// scores each encode and writes its record. Recipes already recorded (a
/// redelivered message) are not measured again. Returns seconds encoding
/// and scoring.
pub(crate) fn run_trial(
    message: &TrialMessage,
    work: &Path,
    threads: usize,
    global: &GlobalArgs,
) -> Result<f64> {
    let records = StorageUrl::parse(&message.records)?;
    let storage = Storage::for_url(&records, &sources::storage_options(global))?;
    let mut pending = Vec::new();
    for recipe in &message.recipes {
        let url = StorageUrl::parse(&message.record_url(&recipe.name))?;
        if !storage.exists(&url)? {
            pending.push(recipe.clone());
        }
    }
    if pending.is_empty() {
        return Ok(0.0);
    }
    let source = sources::resolve(&message.source, global)
        .with_context(|| format!("source {}", message.source))?;
    let inspect: InspectReport = read_manifest(&storage, &StorageUrl::parse(&message.inspect)?)?;
    let facts = SourceFacts::from_inspect(&source.media_input, &inspect)?;
    let ctx = UnitContext {
        source: facts.source.clone(),
        out_dir: work.to_path_buf(),
        rungs: pending.clone(),
        look: facts.look(),
        gop: message.gop,
        encoder_threads: 1,
        decoder_threads: 1,
    };
    let started = Instant::now();
    encode_unit(&ctx, &message.segment)
        .with_context(|| format!("trial encode of segment {}", message.segment.index))?;
    let seg = TrialSegment {
        start_frame: message.segment.start_frame,
        frame_count: message.segment.frame_count,
        complexity: 0.0,
    };
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let scorer = crate::commands::ladder::scorer(message.display, message.vmaf_subsample, threads)?;
    let cached = cache_reference(&facts.source, &seg, message.display)?;
    for recipe in &pending {
        let chunk = chunk_path(work, &recipe.name, message.segment.index);
        let bytes = std::fs::metadata(&chunk)
            .with_context(|| format!("trial encode {}", chunk.display()))?
            .len();
        let vmaf_mean = score_segment(
            &facts.source,
            &seg,
            &chunk,
            message.display,
            &scorer,
            &cached,
        )
        .with_context(|| format!("scoring {}", chunk.display()))?;
        let record = TrialRecord {
            version: UNIT_MESSAGE_VERSION,
            recipe: recipe.name.clone(),
            segment: message.segment.index,
            bytes,
            frames: message.segment.frame_count,
            vmaf_mean,
        };
        let url = StorageUrl::parse(&message.record_url(&recipe.name))?;
        let json = serde_json::to_vec_pretty(&record).context("serialising a trial record")?;
        storage.put_bytes(&url, &json)?;
    }
    Ok(started.elapsed().as_secs_f64())
}
