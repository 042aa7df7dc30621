//! `reel transcode SOURCE --output URL (--ladder URL | --rendition SPEC...)`:
//! the encode stage from the command line. Encodes into a local work
//! directory (the output itself when local); for s3:// outputs every object is
//! uploaded, then encode.json last.

use crate::args::GlobalArgs;
use crate::{job_inputs, progress, sources};
use anyhow::{bail, Context, Result};
use clap::Args;
use reel_core::manifest::{InputRef, ObjectEntry};
use reel_core::RungRecipe;
use reel_encode::{EncodeConfig, EncodeProgress, MissingChunks, SourceFacts};
use reel_storage::{Storage, StorageUrl};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `reel transcode`.
#[derive(Debug, Args)]
pub struct TranscodeArgs {
    /// The source: a path, file:// URL, http(s):// URL or s3://bucket/key.
    pub source: String,
    /// Job directory (local path or s3://bucket/prefix) that receives chunks/,
    /// renditions/, audio/, hls/, dash/ and encode.json.
    #[arg(long, short, value_name = "URL")]
    pub output: String,
    /// inspect.json of the source; made on the fly (full decode) when absent.
    #[arg(long, value_name = "URL")]
    pub inspect: Option<String>,
    /// ladder.json: a list of rung recipes, or an object with a `rungs` list.
    #[arg(long, value_name = "URL", conflicts_with = "rendition")]
    pub ladder: Option<String>,
    /// A rung, e.g. `1280x720:h264:crf=23:maxrate=4500k:bufsize=9000k:preset=medium`
    /// (codecs h264, hevc, av1, vp9; crf=, bitrate=, maxrate=, bufsize=, preset=,
    /// 10bit, encoder=, name=). Repeat for several rungs.
    #[arg(long = "rendition", short = 'r', value_name = "SPEC")]
    pub rendition: Vec<String>,
    /// Forced key frame cadence inside chunks, seconds.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub keyframe_interval: f64,
    /// Shortest chunk, seconds (shorter shots are merged).
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub min_chunk: f64,
    /// Longest chunk, seconds (longer shots are split).
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub max_chunk: f64,
    /// Fail unless every chunk is already in the output, encoded by `reel task`
    /// units of a plan (what `reel assemble` runs); the error names the units
    /// still missing.
    #[arg(long)]
    pub require_chunks: bool,
    /// Encoder threads of every chunk, as a plan fixed them [default: from --threads].
    #[arg(long, value_name = "N")]
    pub encoder_threads: Option<usize>,
    /// Worker threads in all (0 = every core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// AAC bit rate, kbit/s.
    #[arg(long, default_value_t = 128)]
    pub audio_kbps: u64,
    /// Always re-encode the audio, even when the source's is suitable AAC-LC.
    #[arg(long)]
    pub no_audio_passthrough: bool,
    /// Skip HLS packaging.
    #[arg(long)]
    pub no_hls: bool,
    /// Skip DASH packaging.
    #[arg(long)]
    pub no_dash: bool,
    /// Local work directory for s3:// outputs (kept so a re-run resumes).
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Print encode.json on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &TranscodeArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let source = sources::resolve(&args.source, global)?;
    let rungs = rungs(args, global)?;
    let out_url =
        StorageUrl::parse(&args.output).with_context(|| format!("output {}", args.output))?;
    // A local output is itself the work directory.
    let given = out_url.local_path().or(args.work_dir.as_deref());
    let work = job_inputs::work_dir(&args.output, &out_url, given, "", "transcode")?;
    // A remote output that cannot be reached (credentials, missing bucket)
    // fails now, not after an hour of encoding.
    let remote = match out_url.local_path() {
        Some(_) => None,
        None => {
            let storage = Storage::for_url(&out_url, &sources::storage_options(global))?;
            storage
                .list(&out_url)
                .with_context(|| format!("checking the output {} before encoding", args.output))?;
            Some(storage)
        }
    };

    let report = job_inputs::inspect_report(args.inspect.as_deref(), &source, global)?;
    let facts = SourceFacts::from_inspect(&source.media_input, &report)?;
    let config = EncodeConfig {
        rungs,
        keyframe_interval_s: args.keyframe_interval,
        min_chunk_s: args.min_chunk,
        max_chunk_s: args.max_chunk,
        threads: args.threads,
        audio: reel_encode::AudioOptions {
            bit_rate: args.audio_kbps * 1000,
            passthrough: !args.no_audio_passthrough,
            ..Default::default()
        },
        hls: !args.no_hls,
        dash: !args.no_dash,
        missing_chunks: if args.require_chunks {
            MissingChunks::Fail
        } else {
            MissingChunks::Encode
        },
        encoder_threads: args.encoder_threads,
        ..Default::default()
    };
    if let Some(storage) = &remote {
        fetch_chunks(storage, &out_url, &work)?;
    }
    let meter = progress::meter(global.quiet, "encode");
    let on_progress = |p: EncodeProgress| match p {
        EncodeProgress::Chunks {
            done,
            total,
            frames,
        } => {
            if done == 0 {
                meter.step("chunk units", "units", total);
            }
            meter.set_done(done, frames);
        }
        EncodeProgress::Step(step) => meter.step(step, "steps", 0),
    };
    let mut manifest = reel_encode::run_with(&facts, &config, &work, &on_progress)
        .with_context(|| format!("transcoding {}", source.original))?;
    meter.finish();
    if let Some(first) = manifest.header.inputs.first_mut() {
        first.url = source.original.clone();
    }
    // Validation reads the ladder's predictions from here.
    if let Some(ladder) = &args.ladder {
        let url = StorageUrl::parse(ladder)?;
        let size = Storage::for_url(&url, &sources::storage_options(global))?
            .head(&url)
            .with_context(|| format!("looking up {ladder}"))?
            .size;
        manifest.header.inputs.push(InputRef {
            url: ladder.clone(),
            size,
            checksum: None,
        });
    }
    let json = serde_json::to_string_pretty(&manifest).context("serialising encode.json")?;
    if let Some(storage) = remote {
        // Objects first, encode.json last: the manifest commits the job.
        for o in &manifest.objects {
            let url = out_url.join(&o.key)?;
            if already_stored(&storage, &url, o) {
                continue;
            }
            storage
                .put_file(work.join(&o.key), &url)
                .with_context(|| format!("uploading {} to {url}", o.key))?;
        }
        storage
            .put_bytes(&out_url.join("encode.json")?, json.as_bytes())
            .with_context(|| format!("uploading encode.json to {}", args.output))?;
    } else {
        // Rewritten with the source's original URL; temp + rename keeps the
        // manifest whole even if the disk fills now.
        let path = work.join("encode.json");
        let tmp = work.join("encode.json.part");
        std::fs::write(&tmp, &json)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        println!("{json}");
    } else if !global.quiet {
        // Says how much a re-run after an interruption reused.
        println!(
            "chunks: {} encoded, {} skipped (already complete)",
            manifest.chunks_encoded, manifest.chunks_skipped
        );
        for r in &manifest.renditions {
            println!(
                "{:<16} {:>6} frames {:>8.0} kb/s  {}",
                r.recipe.name,
                r.frame_count,
                r.bit_rate as f64 / 1000.0,
                r.key
            );
        }
        if let Some(m) = &manifest.hls_master {
            println!("HLS  {m}");
        }
        if let Some(m) = &manifest.dash_manifest {
            println!("DASH {m}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The rungs from --ladder or --rendition.
fn rungs(args: &TranscodeArgs, global: &GlobalArgs) -> Result<Vec<RungRecipe>> {
    if let Some(url) = &args.ladder {
        let u = StorageUrl::parse(url)?;
        let storage = Storage::for_url(&u, &sources::storage_options(global))?;
        let bytes = storage
            .get_bytes(&u)
            .with_context(|| format!("reading {url}"))?;
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).with_context(|| format!("parsing {url}"))?;
        let list = value.get("rungs").cloned().unwrap_or(value);
        let rungs: Vec<RungRecipe> =
            serde_json::from_value(list).with_context(|| format!("rung recipes in {url}"))?;
        for r in &rungs {
            reel_encode::check_recipe(r)?;
        }
        return Ok(rungs);
    }
    if args.rendition.is_empty() {
        bail!("give --ladder URL or at least one --rendition SPEC");
    }
    args.rendition
        .iter()
        .map(|s| reel_encode::parse_spec(s).map_err(anyhow::Error::from))
        .collect()
}

/// Chunks already in a remote output (uploaded by `reel task` units, or by an
/// earlier run on another machine) copied into the work directory, where the
/// encode verifies and keeps them instead of encoding them again.
fn fetch_chunks(storage: &Storage, out_url: &StorageUrl, work: &std::path::Path) -> Result<()> {
    let prefix = out_url.join("chunks/")?;
    let root = format!("{}/", out_url.to_string().trim_end_matches('/'));
    for object in storage
        .list(&prefix)
        .with_context(|| format!("listing the chunks in {out_url}"))?
    {
        let url = object.url.to_string();
        let Some(key) = url.strip_prefix(&root) else {
            continue;
        };
        let local = work.join(key);
        if std::fs::metadata(&local).is_ok_and(|m| m.len() == object.size) {
            continue;
        }
        if let Some(dir) = local.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        storage
            .get_to_file(&object.url, &local)
            .with_context(|| format!("fetching {url}"))?;
    }
    Ok(())
}

/// Whether `url` already holds exactly `object` (its size and recorded SHA-256):
/// chunks that `reel task` units or an interrupted run uploaded are not sent again.
fn already_stored(storage: &Storage, url: &StorageUrl, object: &ObjectEntry) -> bool {
    storage.head(url).is_ok_and(|meta| {
        meta.size == object.size
            && meta
                .sha256
                .is_some_and(|sum| object.checksum == format!("sha256:{sum}"))
    })
}
