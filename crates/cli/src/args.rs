//! Command-line flags, as clap parses them.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "reel",
    version,
    about = "Per-title video encoding pipeline: inspect, ladder, encode, validate, score"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// S3-compatible endpoint (MinIO, Ceph, R2...); path-style addressing is used with it.
    /// Credentials and region come from the standard AWS environment and profile files.
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub s3_endpoint: Option<String>,
    /// No progress display.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Encode a title end to end: inspect, per-title (or static) ladder, chunked
    /// encodes with HLS/DASH, validation, report. Resumes: a rerun keeps every
    /// stage already finished and verified. Exit 1 when validation fails.
    Encode(crate::commands::encode::EncodeArgs),
    /// Inspect a source: container, streams, frame count, shots, complexity, black/frozen
    /// spans, crop, decode errors. Writes OUTPUT/inspect.json when --output is given.
    Inspect(InspectArgs),
    /// Score a distorted clip against its reference with VMAF (libvmaf-exact, native),
    /// optionally PSNR, SSIM and MS-SSIM.
    Vmaf(VmafArgs),
    /// Encode renditions (chunked parallel encodes, assembly, AAC audio, HLS/DASH) and
    /// write OUTPUT/encode.json last.
    Transcode(crate::commands::transcode::TranscodeArgs),
    /// Bjøntegaard delta rate of curve B against curve A (percent bit rate at
    /// equal quality; PCHIP over the overlapping quality range).
    Bdrate(crate::commands::bdrate::BdrateArgs),
    /// Work out a per-title ladder (trial encodes, VMAF, convex hull, rungs) and
    /// write OUTPUT/ladder.json last; `reel transcode --ladder` encodes it.
    Ladder(crate::commands::ladder::LadderArgs),
    /// Check every output of an encode (decodability, frames, recipe, GOP, audio,
    /// HLS/DASH, VMAF, integrity) and write JOB/validate.json; exit 1 when a check fails.
    Validate(crate::commands::validate::ValidateArgs),
    /// Write JOB/report/index.html: one self-contained page with the ladder, the
    /// convex hull, VMAF per frame, shot thumbnails, validation and an HLS player.
    Report(crate::commands::report::ReportArgs),
    /// Batch mode, step 1: run a job (same options as `reel encode`) through its
    /// ladder and write OUTPUT/plan.json, the job's encode units.
    Plan(crate::commands::plan::PlanArgs),
    /// Batch mode, step 2: encode one unit of a plan (one Kubernetes Indexed Job
    /// pod or AWS Batch array child per unit; any order, any machine, reruns harmless).
    Task(crate::commands::task::TaskArgs),
    /// Batch mode, step 3: assemble, package, validate and report a planned job
    /// once every unit is done.
    Assemble(crate::commands::plan::AssembleArgs),
    /// Queue mode: encode units that `reel encode --queue` sends to an SQS queue,
    /// as one of any number of workers on any machines; SIGTERM gives the
    /// current unit back to the queue and exits.
    Worker(crate::commands::worker::WorkerArgs),
    /// S3-triggered processing: run a job for every new source a bucket's event
    /// notifications (on an SQS queue) announce, its units encoded here or sent
    /// to --work-queue for `reel worker`s.
    Watch(crate::commands::watch::WatchArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The source: a path, file:// URL, http(s):// URL or s3://bucket/key.
    pub source: String,
    /// Job directory (local path or s3://bucket/prefix) that receives inspect.json.
    #[arg(long, short, value_name = "URL")]
    pub output: Option<String>,
    /// Print the report as JSON on stdout instead of a summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VmafArgs {
    /// Reference clip: anything FFmpeg reads (mp4, mkv, webm, y4m...), path or URL.
    #[arg(long, short = 'r', value_name = "REF")]
    pub reference: String,
    /// Distorted clip; upscaled (bicubic) to the reference size when smaller.
    #[arg(long, short = 'd', value_name = "DIS")]
    pub distorted: String,
    /// Built-in model name (vmaf_v0.6.1, vmaf_4k_v0.6.1, vmaf_v0.6.1neg,
    /// vmaf_float_v0.6.1) or the path of a libvmaf JSON model.
    #[arg(long, default_value = "vmaf_v0.6.1", value_name = "NAME|PATH")]
    pub model: String,
    /// Extra metrics to compute (repeatable).
    #[arg(long, value_enum, value_name = "METRIC")]
    pub feature: Vec<VmafFeature>,
    /// Scoring threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Score every N-th frame only.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub subsample: u32,
    /// Score only the first N frames of both clips.
    #[arg(long, value_name = "N")]
    pub frames: Option<u64>,
    /// Size to score at: `reference` (default) or WxH (both clips scaled to it).
    #[arg(long, default_value = "reference", value_parser = parse_scale)]
    pub scale: ScaleTarget,
    /// Write libvmaf-layout JSON here (path or s3:// URL).
    #[arg(long, value_name = "PATH")]
    pub json: Option<String>,
    /// Write one CSV row per frame here (path or s3:// URL).
    #[arg(long, value_name = "PATH")]
    pub csv: Option<String>,
    /// Draw per-frame VMAF with mean and 5th-percentile lines (.png or .svg).
    #[arg(long, value_name = "PATH")]
    pub plot: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VmafFeature {
    Psnr,
    #[value(alias = "float_ssim")]
    Ssim,
    #[value(name = "ms_ssim", alias = "float_ms_ssim")]
    MsSsim,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleTarget {
    Reference,
    Size(u32, u32),
}

fn parse_scale(s: &str) -> Result<ScaleTarget, String> {
    if s == "reference" {
        return Ok(ScaleTarget::Reference);
    }
    let (w, h) = s
        .split_once('x')
        .ok_or_else(|| format!("`{s}`: expected `reference` or WxH, e.g. 1920x1080"))?;
    let parse = |v: &str| {
        v.parse::<u32>()
            .ok()
            .filter(|n| (16..=16384).contains(n))
            .ok_or_else(|| {
                format!("`{s}`: width and height must be whole numbers from 16 to 16384")
            })
    };
    Ok(ScaleTarget::Size(parse(w)?, parse(h)?))
}

/// The settings of a job, on every command that starts one (`reel encode`,
/// `reel plan`, `reel watch`). Settings left out come from `--config`, then
/// from the environment (`REEL_CODEC`, `REEL_STATIC`, `REEL_TARGET_VMAF`,
/// `REEL_VALIDATE`, `REEL_MAX_CHUNK`, `REEL_HARDWARE`), then the defaults shown.
#[derive(Debug, Clone, Args)]
pub struct JobSettingsArgs {
    /// Codec of every rung: h264, hevc, av1 or vp9 [default: h264].
    #[arg(long)]
    pub codec: Option<String>,
    /// Use a fixed ladder (apple, netflix2015) instead of the per-title one
    /// [default: per-title].
    #[arg(long = "static", value_name = "NAME")]
    pub static_ladder: Option<String>,
    /// VMAF the per-title ladder's top rung aims for [default: 95].
    #[arg(long)]
    pub target_vmaf: Option<f64>,
    /// Skip the validate stage [default: validate].
    #[arg(long)]
    pub no_validate: bool,
    /// Longest encode chunk in seconds: the unit of parallel work, and of
    /// `reel plan`'s batch units [default: 10].
    #[arg(long, value_name = "SECONDS")]
    pub max_chunk: Option<f64>,
    /// Hardware encoders for every rung: nvenc (h264_nvenc, hevc_nvenc,
    /// av1_nvenc), or none [default: none, the software encoders]. With
    /// --queue, only `reel worker --encoders nvenc` takes their units.
    #[arg(long, value_name = "NAME")]
    pub hardware: Option<String>,
    /// TOML settings file (keys codec, static, target_vmaf, validate, max_chunk,
    /// hardware); flags win over it, it wins over the environment.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Worker threads of every stage (0 = every core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}
