//! Batch-scheduler mode: `reel plan` runs a job through its ladder and writes
//! `plan.json` (the job's units); `reel task --index N` encodes unit N (a
//! Kubernetes Indexed Job pod or an AWS Batch array child, the index from
//! `JOB_COMPLETION_INDEX` / `AWS_BATCH_JOB_ARRAY_INDEX`); `reel assemble` runs the
//! fan-in: assembly, packaging, validation and the report, over the units' chunks.

use super::encode::{chunk_seconds, run_job, EncodeArgs, JobMode, QueueUnit};
use crate::args::{GlobalArgs, JobSettingsArgs};
use crate::job_inputs::read_manifest;
use crate::sources;
use anyhow::{Context, Result};
use clap::Args;
use reel_core::manifest::{InspectReport, LadderManifest};
use reel_encode::{units, EncodeConfig, SourceFacts};
use reel_pipeline::{JobManifest, JobPlan, PLAN_KEY, PLAN_SCHEMA_VERSION};
use reel_storage::{Storage, StorageUrl};
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub job: EncodeArgs,
}

#[derive(Debug, Args)]
pub struct AssembleArgs {
    /// The plan written by `reel plan` (OUTPUT/plan.json).
    #[arg(long, value_name = "URL")]
    pub plan: String,
    /// Local work directory for s3:// outputs.
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<std::path::PathBuf>,
    /// Worker threads of the fan-in stages (0 = every core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Print one JSON event per line on stdout instead of the progress display.
    #[arg(long)]
    pub json: bool,
}

pub fn run_plan(args: &PlanArgs, global: &GlobalArgs) -> Result<ExitCode> {
    if args.job.queue.is_some() {
        anyhow::bail!(
            "reel plan writes units for a batch scheduler; to send them to queue workers, \
             run reel encode --queue"
        );
    }
    run_job(&args.job, global, JobMode::Plan)
}

/// Writes `plan.json` for a job whose inspect and ladder stages are done.
pub(crate) fn write_plan(
    args: &EncodeArgs,
    job: &JobManifest,
    storage: &Storage,
    root: &StorageUrl,
    global: &GlobalArgs,
    announce: bool,
) -> Result<()> {
    let inspect: InspectReport = read_manifest(storage, &root.join("inspect.json")?)?;
    let ladder: LadderManifest = read_manifest(storage, &root.join("ladder.json")?)?;
    let facts = SourceFacts::from_inspect(&args.source, &inspect)?;
    let (min_chunk_s, max_chunk_s) = chunk_seconds(&job.settings);
    let config = EncodeConfig {
        rungs: ladder.rungs.clone(),
        threads: args.settings.threads,
        min_chunk_s,
        max_chunk_s,
        ..Default::default()
    };
    let (gop, chunks, ctx, _) = units(&facts, &config, Path::new("."))?;
    let plan = JobPlan {
        schema_version: PLAN_SCHEMA_VERSION,
        job_id: job.job_id.clone(),
        source: job.source.clone(),
        output: args.output.clone(),
        settings: job.settings.clone(),
        encoder_threads: ctx.encoder_threads,
        gop_frames: gop,
        rungs: ladder.rungs,
        units: chunks,
    };
    let url = root.join(PLAN_KEY)?;
    let json = serde_json::to_string_pretty(&plan).context("serialising plan.json")?;
    storage
        .put_bytes(&url, json.as_bytes())
        .with_context(|| format!("writing {url}"))?;
    if !announce {
        return Ok(());
    }
    if args.json {
        let event = serde_json::json!({
            "event": "plan",
            "plan": url.to_string(),
            "units": plan.units.len(),
            "rungs": plan.rungs.len(),
        });
        println!("{event}");
    } else if !global.quiet {
        eprintln!(
            "plan {url}: {} units of {} rungs; run `reel task --plan {url} --index N` for N in \
             0..{} (any order, anywhere), then `reel assemble --plan {url}`",
            plan.units.len(),
            plan.rungs.len(),
            plan.units.len()
        );
    }
    Ok(())
}

pub fn run_assemble(args: &AssembleArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let (plan, _, _) = read_plan(&args.plan, global)?;
    let job = EncodeArgs {
        source: plan.source.url.clone(),
        output: plan.output.clone(),
        settings: JobSettingsArgs {
            codec: Some(plan.settings.codec.clone()),
            static_ladder: plan.settings.static_ladder.clone(),
            target_vmaf: Some(plan.settings.target_vmaf),
            no_validate: !plan.settings.validate,
            max_chunk: plan.settings.max_chunk_s,
            hardware: plan.settings.hardware.clone(),
            config: None,
            threads: args.threads,
        },
        work_dir: args.work_dir.clone(),
        json: args.json,
        queue: None,
        queue_unit: QueueUnit::Chunk,
    };
    run_job(
        &job,
        global,
        JobMode::Assemble {
            encoder_threads: plan.encoder_threads,
        },
    )
}

/// The plan at `url` with the output root it belongs to and its storage.
pub(crate) fn read_plan(url: &str, global: &GlobalArgs) -> Result<(JobPlan, StorageUrl, Storage)> {
    let plan_url = StorageUrl::parse(url).with_context(|| format!("plan {url}"))?;
    let storage = Storage::for_url(&plan_url, &sources::storage_options(global))?;
    let bytes = storage
        .get_bytes(&plan_url)
        .with_context(|| format!("reading {url} (written by reel plan?)"))?;
    let plan: JobPlan =
        serde_json::from_slice(&bytes).with_context(|| format!("{url}: not a reel plan"))?;
    let root = StorageUrl::parse(&plan.output).with_context(|| format!("{url}: output"))?;
    Ok((plan, root, storage))
}
