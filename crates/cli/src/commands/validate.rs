//! `reel validate JOB_URL [--source URL] [--json]`: every check of an encode,
//! `validate.json` written into the job, a table (or the JSON) printed.
//! Exit 0 when every check passes, 1 when one fails, 2 when it could not run.

use crate::args::GlobalArgs;
use crate::sources;
use anyhow::{bail, Context, Result};
use clap::Args;
use reel_core::manifest::{
    rfc3339, CheckCounts, CheckStatus, EncodeManifest, InputRef, LadderManifest, ManifestHeader,
    Producer, ValidateManifest, VALIDATE_SCHEMA_VERSION,
};
use reel_storage::{Storage, StorageUrl};
use reel_validate::{ValidateOptions, Validation};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The job directory holding encode.json: a local path or s3://bucket/prefix.
    pub job: String,
    /// The source the encode was made from; taken from encode.json when absent.
    #[arg(long, value_name = "URL")]
    pub source: Option<String>,
    /// ladder.json whose predicted VMAF each rung must meet within 2 points;
    /// JOB/ladder.json or the ladder encode.json names is used when absent.
    #[arg(long, value_name = "URL")]
    pub ladder: Option<String>,
    /// Lowest mean VMAF for rungs whose recipe sets no `min_vmaf`.
    #[arg(long, value_name = "SCORE")]
    pub min_vmaf: Option<f64>,
    /// Skip the VMAF scoring (every other check still runs).
    #[arg(long)]
    pub no_vmaf: bool,
    /// Threads for decoding checks and scoring; 0 uses every core.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Print validate.json on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Send each rendition's checks to this SQS queue for `reel worker`s;
    /// the job-wide checks run here meanwhile.
    #[arg(long, value_name = "QUEUE_URL")]
    pub queue: Option<String>,
}

pub fn run(args: &ValidateArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let job = StorageUrl::parse(&args.job).with_context(|| format!("job {}", args.job))?;
    let storage = Storage::for_url(&job, &sources::storage_options(global))?;
    let manifest_url = job.join("encode.json")?;
    let bytes = storage
        .get_bytes(&manifest_url)
        .with_context(|| format!("reading {manifest_url} (is {} an encode job?)", args.job))?;
    let manifest: EncodeManifest =
        serde_json::from_slice(&bytes).with_context(|| format!("parsing {manifest_url}"))?;
    let root = local_copy(&job, &storage, &manifest, &args.job, global)?;

    let source_url = match (&args.source, manifest.header.inputs.first()) {
        (Some(s), _) => s.clone(),
        (None, Some(input)) => input.url.clone(),
        (None, None) => bail!("{manifest_url} names no source; give --source"),
    };
    let source =
        sources::resolve(&source_url, global).with_context(|| format!("source {source_url}"))?;
    let ladder = ladder(args, &job, &storage, &manifest, global)?;
    let opts = ValidateOptions {
        vmaf: !args.no_vmaf,
        display: ladder.as_ref().map(|l| l.display),
        min_vmaf: args.min_vmaf,
        predictions: ladder
            .iter()
            .flat_map(|l| l.predictions.iter())
            .filter_map(|p| p.vmaf.map(|v| (p.name.clone(), v)))
            .collect(),
        threads: args.threads,
        vmaf_in_parts: false,
    };
    let quiet = global.quiet || args.json;
    let meter = crate::progress::meter(quiet, "validate");
    let progress = |step: &str| {
        meter.step(step, "steps", 0);
        if !quiet && !meter.is_drawn() {
            eprintln!("validate: {step}");
        }
    };
    let validation = match &args.queue {
        Some(queue_url) => crate::validate_queue::QueuedValidation {
            queue_url,
            job: &job,
            storage: &storage,
            manifest: &manifest,
            source_url: &source_url,
            source_input: &source.media_input,
            root: &root,
            opts: &opts,
        }
        .run(&meter, &progress)?,
        None => reel_validate::validate(&root, &manifest, &source.media_input, &opts, &progress)
            .with_context(|| format!("validating {}", args.job))?,
    };
    meter.finish();

    let out = manifest_of(&validation, &args.job, bytes.len() as u64, &source);
    let json = serde_json::to_string_pretty(&out).context("serialising validate.json")?;
    storage
        .put_bytes(&job.join("validate.json")?, json.as_bytes())
        .with_context(|| format!("writing validate.json to {}", args.job))?;
    if args.json {
        println!("{json}");
    } else if !global.quiet {
        print!("{}", table(&out));
    }
    Ok(if out.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The job's objects on local disk: the job itself when local, else a copy
/// of every listed object (a missing one stays missing, for the integrity check).
fn local_copy(
    job: &StorageUrl,
    storage: &Storage,
    manifest: &EncodeManifest,
    original: &str,
    global: &GlobalArgs,
) -> Result<PathBuf> {
    if let Some(p) = job.local_path() {
        return Ok(p.to_path_buf());
    }
    let work = crate::job_inputs::work_dir(original, job, None, "", "validate")?;
    // A fresh copy: a file left from an earlier run must not stand in for an
    // object that is gone from the bucket now.
    std::fs::remove_dir_all(&work)
        .and_then(|()| std::fs::create_dir_all(&work))
        .with_context(|| format!("emptying work directory {}", work.display()))?;
    if !global.quiet {
        eprintln!(
            "validate: copying {} objects to {}",
            manifest.objects.len(),
            work.display()
        );
    }
    for o in &manifest.objects {
        let url = job.join(&o.key)?;
        let dest = work.join(&o.key);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let _ = std::fs::remove_file(&dest);
        match storage.exists(&url) {
            Ok(true) => {
                storage
                    .get_to_file(&url, &dest)
                    .with_context(|| format!("downloading {url}"))?;
            }
            Ok(false) => {}
            Err(e) => return Err(e).with_context(|| format!("looking up {url}")),
        }
    }
    Ok(work)
}

/// The ladder to compare with: --ladder, else JOB/ladder.json, else the
/// ladder encode.json lists as an input; `None` when there is none.
fn ladder(
    args: &ValidateArgs,
    job: &StorageUrl,
    storage: &Storage,
    manifest: &EncodeManifest,
    global: &GlobalArgs,
) -> Result<Option<LadderManifest>> {
    let url = match &args.ladder {
        Some(u) => Some(StorageUrl::parse(u)?),
        None => {
            let beside = job.join("ladder.json")?;
            if storage.exists(&beside).unwrap_or(false) {
                Some(beside)
            } else {
                manifest
                    .header
                    .inputs
                    .iter()
                    .find(|i| i.url.ends_with("ladder.json"))
                    .map(|i| StorageUrl::parse(&i.url))
                    .transpose()?
            }
        }
    };
    let Some(url) = url else { return Ok(None) };
    let store = Storage::for_url(&url, &sources::storage_options(global))?;
    let bytes = store
        .get_bytes(&url)
        .with_context(|| format!("reading {url}"))?;
    let ladder = serde_json::from_slice(&bytes).with_context(|| format!("parsing {url}"))?;
    Ok(Some(ladder))
}

fn manifest_of(
    v: &Validation,
    job: &str,
    encode_json_size: u64,
    source: &sources::ResolvedSource,
) -> ValidateManifest {
    let counts = CheckCounts::of(&v.checks);
    ValidateManifest {
        header: ManifestHeader {
            schema_version: VALIDATE_SCHEMA_VERSION,
            job_id: None,
            producer: Producer::new("reel-validate", env!("CARGO_PKG_VERSION")),
            created: rfc3339(std::time::SystemTime::now()),
            inputs: vec![
                InputRef {
                    url: format!("{}/encode.json", job.trim_end_matches('/')),
                    size: encode_json_size,
                    checksum: None,
                },
                InputRef {
                    url: source.original.clone(),
                    size: source.size.unwrap_or(0),
                    checksum: None,
                },
            ],
        },
        passed: counts.fail == 0,
        counts,
        checks: v.checks.clone(),
        vmaf_model: v.vmaf_model.clone(),
        quality: v.quality.clone(),
    }
}

fn table(m: &ValidateManifest) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    for c in &m.checks {
        let mark = match c.status {
            CheckStatus::Pass => "pass",
            CheckStatus::Warn => "WARN",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Skip => "skip",
        };
        let _ = writeln!(
            s,
            "{mark}  {:<22} {:<16} {}",
            c.check, c.subject, c.evidence
        );
    }
    let _ = writeln!(
        s,
        "{} checks: {} passed, {} failed, {} warnings, {} skipped",
        m.checks.len(),
        m.counts.pass,
        m.counts.fail,
        m.counts.warn,
        m.counts.skip
    );
    s
}
