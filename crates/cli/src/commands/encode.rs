//! `reel encode SOURCE --output URL`: a title end to end (inspect -> ladder
//! -> transcode -> validate -> report) through `reel-pipeline`, which claims the
//! output with job.json, keeps every stage already finished and verified,
//! and runs the rest. Each stage runs in-process as the stage command a user
//! could run by hand on another machine (`reel inspect`, `reel ladder`...).

use crate::args::{Cli, GlobalArgs, JobSettingsArgs};
use crate::sources;
use anyhow::{bail, Context, Result};
use clap::{Args, Parser};
use reel_core::manifest::ValidateManifest;
use reel_pipeline::{
    Event, JobSettings, Pipeline, SettingsLayer, SourceRecord, Stage, StageRunner, UnitGrain,
};
use reel_storage::{Storage, StorageUrl};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `reel encode`.
#[derive(Debug, Clone, Args)]
pub struct EncodeArgs {
    /// The source: a path or s3://bucket/key (its SHA-256 identifies the job).
    pub source: String,
    /// Output root (local directory or s3://bucket/prefix): job.json,
    /// inspect.json, ladder.json, renditions/, hls/, dash/, encode.json,
    /// validate.json, report/index.html.
    #[arg(long, short, value_name = "URL")]
    pub output: String,
    #[command(flatten)]
    pub settings: JobSettingsArgs,
    /// Local work directory for s3:// outputs, kept so a rerun resumes
    /// [default: reel-<stage>-<output URL> in the system temp directory].
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Print one JSON event per line on stdout (job, stage_kept, stage_started,
    /// progress, stage_finished, job_finished) instead of the progress display.
    #[arg(long)]
    pub json: bool,
    /// Send the job's encode units to this SQS queue (AWS, or an SQS-compatible
    /// service) for `reel worker` processes on any machines; this process
    /// plans, waits for their chunks, then assembles, packages and validates.
    #[arg(long, value_name = "QUEUE_URL")]
    pub queue: Option<String>,
    /// With --queue, what one queued unit encodes: a chunk at every rung of
    /// one encoder kind (decoded once), or a chunk at one rung (more,
    /// smaller units to spread over more workers).
    #[arg(long, value_enum, default_value_t = QueueUnit::Chunk, value_name = "UNIT")]
    pub queue_unit: QueueUnit,
}

/// `--queue-unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueueUnit {
    Chunk,
    Rung,
}

impl QueueUnit {
    pub fn grain(self) -> UnitGrain {
        match self {
            QueueUnit::Chunk => UnitGrain::Chunk,
            QueueUnit::Rung => UnitGrain::Rung,
        }
    }
}

/// How much of a job one command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobMode {
    /// Every stage (`reel encode`).
    Whole,
    /// Through the ladder, then `plan.json` (`reel plan`).
    Plan,
    /// Every stage, with every chunk already encoded by `reel task` units
    /// with this many encoder threads (`reel assemble`).
    Assemble { encoder_threads: usize },
    /// Through the ladder, then `plan.json` without a word about batch tasks
    /// (`reel encode --queue` sends the units itself).
    Dispatch,
}

pub fn run(args: &EncodeArgs, global: &GlobalArgs) -> Result<ExitCode> {
    match &args.queue {
        Some(queue) => {
            // Workers in other directories (or on machines sharing a mount)
            // must open the same source and output.
            let args = EncodeArgs {
                source: absolute(&args.source)?,
                output: absolute(&args.output)?,
                ..args.clone()
            };
            super::dispatch::run_queued(&args, global, queue)
        }
        None => run_job(args, global, JobMode::Whole),
    }
}

/// A relative local path made absolute; URLs as they are.
fn absolute(location: &str) -> Result<String> {
    if location.contains("://") || Path::new(location).is_absolute() {
        return Ok(location.to_string());
    }
    let here = std::env::current_dir().context("reading the current directory")?;
    Ok(here.join(location).to_string_lossy().into_owned())
}

pub(crate) fn run_job(args: &EncodeArgs, global: &GlobalArgs, mode: JobMode) -> Result<ExitCode> {
    let settings = settings(&args.settings)?;
    let source = source_record(&args.source, global)?;
    let root =
        StorageUrl::parse(&args.output).with_context(|| format!("output {}", args.output))?;
    let storage = Storage::for_url(&root, &sources::storage_options(global))?;
    let versions = BTreeMap::from([
        ("reel".to_string(), env!("CARGO_PKG_VERSION").to_string()),
        (
            "ffmpeg-libavcodec".to_string(),
            reel_media::libavcodec_version(),
        ),
    ]);
    let mut pipeline = Pipeline::open(storage.clone(), root.clone(), source, settings, versions)?;
    let quiet = global.quiet || args.json;
    let mut runner = InProcessStages {
        args,
        global,
        root: &root,
        settings: pipeline.job().settings.clone(),
        quiet,
        stages: pipeline.stages(),
        mode,
    };
    let total = pipeline.stages().len();
    let mut on_event = |e: &Event| print_event(e, total, args.json, global.quiet);
    if matches!(mode, JobMode::Plan | JobMode::Dispatch) {
        let job = pipeline
            .run_through(Stage::Ladder, &mut runner, &mut on_event)?
            .clone();
        let announce = mode == JobMode::Plan;
        super::plan::write_plan(args, &job, &storage, &root, global, announce)?;
        return Ok(ExitCode::SUCCESS);
    }
    let job = pipeline.run(&mut runner, &mut on_event)?.clone();
    if !quiet {
        let page = root.join(crate::commands::report::REPORT_KEY)?;
        match root.local_path() {
            // Browsers do not let a page opened from disk fetch the playlist.
            Some(dir) => eprintln!(
                "report: {page} (for its player, serve the output over HTTP: \
                 python3 -m http.server -d {} and open http://localhost:8000/report/)",
                dir.display()
            ),
            None => eprintln!("report: {page}"),
        }
    }
    if !job.settings.validate {
        return Ok(ExitCode::SUCCESS);
    }
    let url = root.join(Stage::Validate.manifest_key())?;
    let validation: ValidateManifest = serde_json::from_slice(&storage.get_bytes(&url)?)
        .with_context(|| format!("parsing {url}"))?;
    if !quiet {
        eprintln!(
            "job {} in {}: validation {} ({} checks passed, {} warned, {} failed)",
            job.job_id,
            args.output,
            if validation.passed {
                "passed"
            } else {
                "FAILED"
            },
            validation.counts.pass,
            validation.counts.warn,
            validation.counts.fail
        );
    }
    Ok(if validation.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Shortest and longest encode chunk of a job, seconds: `reel transcode`'s
/// defaults (2 and 10), or as short as the job's `max_chunk` asks.
pub(crate) fn chunk_seconds(settings: &JobSettings) -> (f64, f64) {
    let max = settings.max_chunk_s.unwrap_or(10.0);
    (max.min(2.0), max)
}

/// Flags, then the config file, then the environment.
pub(crate) fn settings(args: &JobSettingsArgs) -> Result<JobSettings> {
    let flags = SettingsLayer {
        origin: "the command line".into(),
        codec: args.codec.clone(),
        static_ladder: args.static_ladder.clone(),
        target_vmaf: args.target_vmaf,
        validate: args.no_validate.then_some(false),
        max_chunk: args.max_chunk,
        hardware: args.hardware.clone(),
    };
    let mut layers = vec![flags];
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the config file", path.display()))?;
        layers.push(SettingsLayer::from_toml(
            &text,
            &path.display().to_string(),
        )?);
    }
    layers.push(SettingsLayer::from_env(|k| std::env::var(k).ok())?);
    Ok(JobSettings::resolve(&layers)?)
}

/// The source's size and SHA-256, read through storage.
pub(crate) fn source_record(source: &str, global: &GlobalArgs) -> Result<SourceRecord> {
    if source.starts_with("http://") || source.starts_with("https://") {
        bail!(
            "{source}: reel encode needs a path or s3:// source (its checksum identifies the job)"
        );
    }
    let resolved = sources::resolve(source, global)?;
    let url = StorageUrl::parse(source)?;
    let storage = Storage::for_url(&url, &sources::storage_options(global))?;
    let sha256 = storage
        .checksum(&url)
        .with_context(|| format!("{source}: reading it for its checksum"))?;
    Ok(SourceRecord {
        url: source.to_string(),
        size: resolved.size.unwrap_or_default(),
        sha256,
    })
}

/// Progress lines on stderr, or the events as JSON lines on stdout.
fn print_event(event: &Event, total: usize, json: bool, quiet: bool) {
    if json {
        if let Ok(line) = serde_json::to_string(event) {
            println!("{line}");
        }
        return;
    }
    if quiet {
        return;
    }
    match event {
        Event::Job {
            job_id, resumed, ..
        } => {
            let verb = if *resumed { "resuming" } else { "starting" };
            eprintln!("{verb} job {job_id}");
        }
        Event::StageKept { stage, index } => {
            eprintln!("[{}/{total}] {stage}: finished earlier, kept", index + 1);
        }
        Event::StageStarted {
            stage,
            index,
            reason,
        } => {
            eprintln!("[{}/{total}] {stage} ({reason})", index + 1);
        }
        Event::StageFinished {
            stage,
            index,
            wall_s,
        } => {
            eprintln!("[{}/{total}] {stage}: done in {wall_s:.1} s", index + 1);
        }
        Event::JobFinished { job_id, wall_s } => {
            eprintln!("job {job_id} finished in {wall_s:.1} s");
        }
    }
}

/// Runs each stage as its stage command would, in this process.
struct InProcessStages<'a> {
    args: &'a EncodeArgs,
    global: &'a GlobalArgs,
    root: &'a StorageUrl,
    settings: JobSettings,
    quiet: bool,
    /// The job's stages, for the `[k/N]` of every progress display.
    stages: Vec<Stage>,
    mode: JobMode,
}

impl InProcessStages<'_> {
    /// The command line of `stage`, as a user would type it.
    fn argv(&self, stage: Stage) -> Result<Vec<String>> {
        let a = self.args;
        let at = |key: &str| -> Result<String> { Ok(self.root.join(key)?.to_string()) };
        let mut argv = vec!["reel".to_string()];
        if let Some(endpoint) = &self.global.s3_endpoint {
            argv.extend(["--s3-endpoint".into(), endpoint.clone()]);
        }
        if self.quiet {
            argv.push("--quiet".into());
        }
        let threads = a.settings.threads.to_string();
        let work = |sub: &str| {
            a.work_dir
                .as_ref()
                .map(|w| w.join(sub).display().to_string())
        };
        match stage {
            Stage::Inspect => {
                argv.extend(["inspect".into(), a.source.clone(), "--output".into()]);
                argv.push(a.output.clone());
            }
            Stage::Ladder => {
                argv.extend(["ladder".into(), a.source.clone(), "--output".into()]);
                argv.extend([a.output.clone(), "--inspect".into(), at("inspect.json")?]);
                argv.extend(["--codec".into(), self.settings.codec.clone()]);
                match &self.settings.static_ladder {
                    Some(name) => argv.extend(["--static".into(), name.clone()]),
                    None => argv.extend([
                        "--target-vmaf".into(),
                        self.settings.target_vmaf.to_string(),
                        "--threads".into(),
                        threads,
                    ]),
                }
                if let Some(w) = work("ladder") {
                    argv.extend(["--work-dir".into(), w]);
                }
                if let Some(queue) = &a.queue {
                    argv.extend(["--queue".into(), queue.clone()]);
                }
                if let Some(encoder) = self.settings.rung_encoder() {
                    argv.extend(["--encoder".into(), encoder]);
                }
            }
            Stage::Encode => {
                argv.extend(["transcode".into(), a.source.clone(), "--output".into()]);
                argv.extend([a.output.clone(), "--inspect".into(), at("inspect.json")?]);
                argv.extend([
                    "--ladder".into(),
                    at("ladder.json")?,
                    "--threads".into(),
                    threads,
                ]);
                if let Some(w) = work("encode") {
                    argv.extend(["--work-dir".into(), w]);
                }
                let (min_chunk, max_chunk) = chunk_seconds(&self.settings);
                argv.extend([
                    "--min-chunk".into(),
                    min_chunk.to_string(),
                    "--max-chunk".into(),
                    max_chunk.to_string(),
                ]);
                if let JobMode::Assemble { encoder_threads } = self.mode {
                    argv.extend([
                        "--require-chunks".into(),
                        "--encoder-threads".into(),
                        encoder_threads.to_string(),
                    ]);
                }
            }
            Stage::Validate => {
                argv.extend(["validate".into(), a.output.clone(), "--source".into()]);
                argv.extend([a.source.clone(), "--threads".into(), threads]);
                if let Some(queue) = &a.queue {
                    argv.extend(["--queue".into(), queue.clone()]);
                }
            }
            Stage::Report => {
                argv.extend(["report".into(), a.output.clone(), "--source".into()]);
                argv.push(a.source.clone());
            }
        }
        Ok(argv)
    }
}

impl StageRunner for InProcessStages<'_> {
    fn run(&mut self, stage: Stage) -> std::result::Result<(), String> {
        let argv = self.argv(stage).map_err(|e| format!("{e:#}"))?;
        let cli = Cli::try_parse_from(&argv).map_err(|e| e.to_string())?;
        let index = self.stages.iter().position(|s| *s == stage).unwrap_or(0);
        let _scope = crate::progress::enter_stage(index, self.stages.len(), self.args.json);
        // A failed check still finishes the stage (validate.json is written);
        // the job's exit code reports it.
        super::run(cli).map(|_| ()).map_err(|e| format!("{e:#}"))
    }
}
