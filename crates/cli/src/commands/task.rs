//! `reel task`: one unit of a plan (batch mode), and the unit encode that queue
//! workers run too.

use super::encode::chunk_seconds;
use super::plan::read_plan;
use crate::args::GlobalArgs;
use crate::job_inputs::read_manifest;
use crate::sources;
use anyhow::{bail, Context, Result};
use clap::Args;
use reel_core::manifest::InspectReport;
use reel_encode::{chunk_path, encode_unit, units, EncodeConfig, SourceFacts, UnitOutcome};
use reel_pipeline::index_from_env;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct TaskArgs {
    /// The plan written by `reel plan` (OUTPUT/plan.json).
    #[arg(long, value_name = "URL")]
    pub plan: String,
    /// The unit to encode [default: $JOB_COMPLETION_INDEX (Kubernetes Indexed
    /// Job), else $AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job)].
    #[arg(long)]
    pub index: Option<usize>,
    /// Local work directory for s3:// outputs [default: one under the system
    /// temp directory].
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

pub fn run_task(args: &TaskArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let index = match args.index {
        Some(i) => i,
        None => index_from_env(|k| std::env::var(k).ok())?.with_context(|| {
            format!(
                "{}: which unit? give --index or set JOB_COMPLETION_INDEX or \
                 AWS_BATCH_JOB_ARRAY_INDEX",
                args.plan
            )
        })?,
    };
    let done = encode_planned_unit(&args.plan, index, None, args.work_dir.as_deref(), global)?;
    if !global.quiet {
        eprintln!("{}", done.summary());
    }
    Ok(ExitCode::SUCCESS)
}

/// What one unit did.
#[derive(Debug)]
pub(crate) struct UnitDone {
    pub index: usize,
    pub start_frame: u64,
    pub frame_count: u64,
    pub outcome: UnitOutcome,
    /// Seconds spent encoding (the rest of a unit is reading and uploading).
    pub encode_s: f64,
}

impl UnitDone {
    pub fn summary(&self) -> String {
        format!(
            "unit {}: frames {}..{} ({} rungs encoded, {} already done)",
            self.index,
            self.start_frame,
            self.start_frame + self.frame_count,
            self.outcome.encoded.len(),
            self.outcome.skipped.len()
        )
    }
}

/// Encodes unit `index` of the plan at `plan_url` for the rungs named in
/// `only_rungs` (every rung when `None`) and, for an s3:// output, uploads each
/// chunk and then its record (the chunk's commit marker). A chunk already
/// encoded alike is kept, so a repeated unit does no harm.
pub(crate) fn encode_planned_unit(
    plan_url: &str,
    index: usize,
    only_rungs: Option<&[String]>,
    work_dir: Option<&Path>,
    global: &GlobalArgs,
) -> Result<UnitDone> {
    let (plan, root, storage) = read_plan(plan_url, global)?;
    let unit = *plan.unit(index).with_context(|| plan_url.to_string())?;
    let rungs: Vec<_> = match only_rungs {
        None => plan.rungs.clone(),
        Some(names) => {
            if let Some(missing) = names
                .iter()
                .find(|n| !plan.rungs.iter().any(|r| &r.name == *n))
            {
                bail!("{plan_url}: the plan has no rung {missing}");
            }
            plan.rungs
                .iter()
                .filter(|r| names.contains(&r.name))
                .cloned()
                .collect()
        }
    };
    // A repeated unit (a redelivered message, a rerun task) finds its chunks'
    // records, written after the chunks, and encodes nothing again.
    let mut stored = Vec::new();
    let mut rungs = rungs;
    if root.local_path().is_none() {
        let mut pending = Vec::new();
        for rung in rungs {
            let record = chunk_path(Path::new(""), &rung.name, unit.index).with_extension("json");
            let url = root.join(&record.to_string_lossy())?;
            if storage
                .exists(&url)
                .with_context(|| format!("looking for {url}"))?
            {
                stored.push(rung.name.clone());
            } else {
                pending.push(rung);
            }
        }
        rungs = pending;
    }
    if rungs.is_empty() {
        return Ok(UnitDone {
            index,
            start_frame: unit.start_frame,
            frame_count: unit.frame_count,
            outcome: UnitOutcome {
                encoded: Vec::new(),
                skipped: stored,
            },
            encode_s: 0.0,
        });
    }
    let inspect: InspectReport = read_manifest(&storage, &root.join("inspect.json")?)?;
    let source = sources::resolve(&plan.source.url, global)
        .with_context(|| format!("source {}", plan.source.url))?;
    let facts = SourceFacts::from_inspect(&source.media_input, &inspect)?;
    let work =
        crate::job_inputs::work_dir(&plan.output, &root, work_dir, "", &format!("task-{index}"))?;
    let (min_chunk_s, max_chunk_s) = chunk_seconds(&plan.settings);
    let config = EncodeConfig {
        rungs: rungs.clone(),
        encoder_threads: Some(plan.encoder_threads),
        min_chunk_s,
        max_chunk_s,
        ..Default::default()
    };
    let (_, chunks, ctx, _) = units(&facts, &config, &work)?;
    if chunks != plan.units {
        bail!(
            "{plan_url}: the plan's units are not the chunks this source and ladder give; \
             run reel plan again"
        );
    }
    let encode_started = std::time::Instant::now();
    let mut outcome =
        encode_unit(&ctx, &unit).with_context(|| format!("unit {index} of {plan_url}"))?;
    let encode_s = encode_started.elapsed().as_secs_f64();
    if root.local_path().is_none() {
        for rung in &rungs {
            let chunk = chunk_path(Path::new(""), &rung.name, unit.index);
            for key in [chunk.clone(), chunk.with_extension("json")] {
                let key = key.to_string_lossy().into_owned();
                let url = root.join(&key)?;
                storage
                    .put_file(work.join(&key), &url)
                    .with_context(|| format!("uploading {key} to {url}"))?;
            }
        }
    }
    outcome.skipped.extend(stored);
    Ok(UnitDone {
        index,
        start_frame: unit.start_frame,
        frame_count: unit.frame_count,
        outcome,
        encode_s,
    })
}
