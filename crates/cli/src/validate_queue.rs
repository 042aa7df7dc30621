//! Validation through a queue (`reel encode --queue`, `reel validate --queue`):
//! each rendition's checks are a message a `reel worker` runs, writing its
//! findings to storage, while this process checks the job as a whole
//! (integrity, audio, HLS, DASH); the two merge into the report a local
//! validation gives. A rendition's VMAF is scored in parts, one per encode
//! chunk, by workers too (`vmaf_queue.rs`).

use crate::args::GlobalArgs;
use crate::progress::Meter;
use crate::queue_wait::{clear_prefix, wait_for_records};
use crate::sources;
use crate::vmaf_queue::QueuedParts;
use anyhow::{bail, Context, Result};
use reel_core::manifest::EncodeManifest;
use reel_pipeline::{QueueMessage, ValidateMessage, UNIT_MESSAGE_VERSION, VALIDATE_MESSAGE_KIND};
use reel_queue::Queue;
use reel_storage::{Storage, StorageUrl};
use reel_validate::{RenditionValidation, ValidateOptions, Validation};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// What the coordinating side needs.
#[derive(Debug)]
pub(crate) struct QueuedValidation<'a> {
    pub queue_url: &'a str,
    pub job: &'a StorageUrl,
    pub storage: &'a Storage,
    pub manifest: &'a EncodeManifest,
    /// The source as workers open it (its original URL).
    pub source_url: &'a str,
    /// The source as this process opens it.
    pub source_input: &'a str,
    /// The job's local copy.
    pub root: &'a Path,
    pub opts: &'a ValidateOptions,
}

impl QueuedValidation<'_> {
    pub fn run(&self, meter: &Meter, progress: &(dyn Fn(&str) + Sync)) -> Result<Validation> {
        let queue = Queue::connect(self.queue_url)?;
        let records = format!(
            "{}/validate-units/",
            self.job.to_string().trim_end_matches('/')
        );
        let prefix = StorageUrl::parse(&records)?;
        clear_prefix(self.storage, &prefix)?;
        let messages: Vec<ValidateMessage> = self
            .manifest
            .renditions
            .iter()
            .enumerate()
            .map(|(index, entry)| ValidateMessage {
                kind: VALIDATE_MESSAGE_KIND.into(),
                version: UNIT_MESSAGE_VERSION,
                job: self.job.to_string(),
                rendition: index,
                name: entry.recipe.name.clone(),
                source: self.source_url.to_string(),
                vmaf: self.opts.vmaf,
                vmaf_in_parts: self.opts.vmaf,
                display: self.opts.display,
                min_vmaf: self.opts.min_vmaf,
                predicted_vmaf: self
                    .opts
                    .predictions
                    .iter()
                    .find(|(n, _)| *n == entry.recipe.name)
                    .map(|(_, v)| *v),
                records: records.clone(),
            })
            .collect();
        for message in &messages {
            queue
                .send(&message.to_body(), Duration::ZERO)
                .with_context(|| format!("sending the validation of {}", message.name))?;
        }
        // The job-wide checks run here while workers take the renditions.
        let package =
            reel_validate::validate_package(self.root, self.manifest, self.source_input, progress)
                .with_context(|| format!("validating {}", self.job))?;
        let expected: BTreeSet<String> = messages.iter().map(ValidateMessage::record_url).collect();
        meter.step("renditions (queued)", "renditions", expected.len() as u64);
        let started = Instant::now();
        let failures = StorageUrl::parse(&format!("{records}failures/"))?;
        wait_for_records(self.storage, &prefix, &expected, &failures, meter, |f| {
            format!("validation of {}", f.rungs.join(", "))
        })?;
        progress(&format!(
            "renditions validated by workers in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        let mut renditions = Vec::new();
        for message in &messages {
            let url = message.record_url();
            let bytes = self.storage.get_bytes(url.as_str())?;
            let found: RenditionValidation = serde_json::from_slice(&bytes)
                .with_context(|| format!("{url}: not a rendition validation"))?;
            renditions.push(found);
        }
        QueuedParts {
            validation: self,
            queue: &queue,
            records: &records,
        }
        .score(&mut renditions, meter, progress)?;
        Ok(reel_validate::merge(package, renditions))
    }
}

/// The job a worker's validation piece (a rendition, a VMAF part) belongs
/// to, and where the piece's record goes.
pub(crate) struct PieceJob {
    pub job: StorageUrl,
    pub storage: Storage,
    pub record: StorageUrl,
}

impl PieceJob {
    pub fn open(job: &str, record: &str, global: &GlobalArgs) -> Result<PieceJob> {
        let job = StorageUrl::parse(job).with_context(|| format!("job {job}"))?;
        let storage = Storage::for_url(&job, &sources::storage_options(global))?;
        let record = StorageUrl::parse(record)?;
        Ok(PieceJob {
            job,
            storage,
            record,
        })
    }

    /// Whether the piece's record is stored (a redelivered message).
    pub fn done(&self) -> Result<bool> {
        Ok(self.storage.exists(&self.record)?)
    }

    /// The job's `encode.json`, which must list rendition `rendition`.
    pub fn manifest_with(&self, rendition: usize) -> Result<EncodeManifest> {
        let url = self.job.join("encode.json")?;
        let manifest: EncodeManifest = serde_json::from_slice(
            &self
                .storage
                .get_bytes(&url)
                .with_context(|| format!("reading {url}"))?,
        )
        .with_context(|| format!("parsing {url}"))?;
        if manifest.renditions.len() <= rendition {
            bail!("{url} has no rendition {rendition}");
        }
        Ok(manifest)
    }

    pub fn put_record(&self, value: &impl serde::Serialize) -> Result<()> {
        let json = serde_json::to_vec_pretty(value).context("serialising the record")?;
        self.storage.put_bytes(&self.record, &json)?;
        Ok(())
    }
}

/// The worker's side: fetches the rendition, runs its checks, writes the
/// findings. A rendition already validated (a redelivered message) is not
/// validated again. Returns seconds spent validating.
pub(crate) fn run_validation(
    message: &ValidateMessage,
    work: &Path,
    threads: usize,
    global: &GlobalArgs,
) -> Result<f64> {
    let piece = PieceJob::open(&message.job, &message.record_url(), global)?;
    if piece.done()? {
        return Ok(0.0);
    }
    let manifest = piece.manifest_with(message.rendition)?;
    let entry = &manifest.renditions[message.rendition];
    let local = work.join(&entry.key);
    if let Some(dir) = local.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let url = piece.job.join(&entry.key)?;
    piece
        .storage
        .get_to_file(&url, &local)
        .with_context(|| format!("downloading {url}"))?;
    let source = sources::resolve(&message.source, global)
        .with_context(|| format!("source {}", message.source))?;
    let opts = ValidateOptions {
        vmaf: message.vmaf,
        display: message.display,
        min_vmaf: message.min_vmaf,
        predictions: message
            .predicted_vmaf
            .map(|v| vec![(message.name.clone(), v)])
            .unwrap_or_default(),
        threads,
        vmaf_in_parts: message.vmaf_in_parts,
    };
    let started = Instant::now();
    let found = reel_validate::validate_rendition(
        work,
        &manifest,
        message.rendition,
        &source.media_input,
        &opts,
        &|_| {},
    )
    .with_context(|| format!("validating {} of {}", message.name, message.job))?;
    let seconds = started.elapsed().as_secs_f64();
    piece.put_record(&found)?;
    Ok(seconds)
}
