//! `reel report JOB [--source URL]`: JOB/report/index.html, one self-contained page
//! about the job: its ladder, the convex hull, VMAF per frame, shot thumbnails,
//! validation and a player for the HLS output. Needs JOB/encode.json; the other
//! manifests (job.json, inspect.json, ladder.json, validate.json) add what they know.

use crate::args::GlobalArgs;
use crate::job_inputs::optional_manifest;
use crate::ladder_plot::RateQuality;
use crate::plot::{self, PerFrame, Series};
use crate::{report_shots, sources};
use anyhow::{Context, Result};
use clap::Args;
use reel_core::manifest::{EncodeManifest, InspectReport, LadderManifest, ValidateManifest};
use reel_pipeline::JobManifest;
use reel_report::{Report, RungRow, Validation};
use reel_storage::{Storage, StorageUrl};
use std::process::ExitCode;

/// Key of the page under the job root.
pub const REPORT_KEY: &str = "report/index.html";

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The job root holding encode.json: a local path or s3://bucket/prefix.
    pub job: String,
    /// The source, for shot thumbnails; taken from job.json or inspect.json when absent.
    #[arg(long, value_name = "URL")]
    pub source: Option<String>,
}

/// The manifests of one job, as far as they exist.
struct Manifests {
    job: Option<JobManifest>,
    inspect: Option<InspectReport>,
    ladder: Option<LadderManifest>,
    encode: EncodeManifest,
    validate: Option<ValidateManifest>,
}

pub fn run(args: &ReportArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let root = StorageUrl::parse(&args.job).with_context(|| format!("job {}", args.job))?;
    let storage = Storage::for_url(&root, &sources::storage_options(global))?;
    let m = read_manifests(&storage, &root, &args.job)?;
    let shots = match (source_url(args, &m), &m.inspect) {
        (Some(url), Some(inspect)) => {
            let source = sources::resolve(&url, global).with_context(|| format!("source {url}"))?;
            report_shots::thumbnails(&source.media_input, inspect)
                .with_context(|| format!("shot thumbnails of {url}"))?
        }
        _ => Vec::new(),
    };
    let report = Report {
        title: title(&m, &args.job),
        summary: summary(&m),
        rungs: rungs(&m),
        warnings: m
            .ladder
            .as_ref()
            .map(|l| l.warnings.clone())
            .unwrap_or_default(),
        hull_svg: match &m.ladder {
            Some(l) if !l.trials.is_empty() => Some(plot::to_svg(&RateQuality(l))?),
            _ => None,
        },
        frame_plots: frame_plots(&m)?,
        shots,
        validation: m.validate.as_ref().map(|v| Validation {
            passed: v.passed,
            counts: v.counts,
            checks: v.checks.clone(),
        }),
        master_playlist: m.encode.hls_master.as_ref().map(|k| format!("../{k}")),
    };
    let url = root.join(REPORT_KEY)?;
    storage
        .put_bytes(&url, reel_report::render(&report).as_bytes())
        .with_context(|| format!("writing {url}"))?;
    if !global.quiet {
        eprintln!("report: {url}");
    }
    Ok(ExitCode::SUCCESS)
}

fn read_manifests(storage: &Storage, root: &StorageUrl, original: &str) -> Result<Manifests> {
    let encode_url = root.join("encode.json")?;
    let bytes = storage
        .get_bytes(&encode_url)
        .with_context(|| format!("reading {encode_url} (is {original} an encode job?)"))?;
    let encode = serde_json::from_slice(&bytes).with_context(|| format!("parsing {encode_url}"))?;
    Ok(Manifests {
        job: optional_manifest(storage, root, "job.json")?,
        inspect: optional_manifest(storage, root, "inspect.json")?,
        ladder: optional_manifest(storage, root, "ladder.json")?,
        encode,
        validate: optional_manifest(storage, root, "validate.json")?,
    })
}

/// The source as the job recorded it: job.json's, else inspect.json's input.
fn recorded_source(m: &Manifests) -> Option<&str> {
    m.job
        .as_ref()
        .map(|j| j.source.url.as_str())
        .or_else(|| Some(m.inspect.as_ref()?.header.inputs.first()?.url.as_str()))
}

fn source_url(args: &ReportArgs, m: &Manifests) -> Option<String> {
    args.source
        .clone()
        .or_else(|| recorded_source(m).map(str::to_string))
}

/// The source's file name, else the job's.
fn title(m: &Manifests, job: &str) -> String {
    let url = recorded_source(m).unwrap_or(job).trim_end_matches('/');
    url.rsplit('/').next().unwrap_or(url).to_string()
}

fn summary(m: &Manifests) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut row = |label: &str, value: String| rows.push((label.to_string(), value));
    if let Some(j) = &m.job {
        row("job id", j.job_id.clone());
        row(
            "source",
            format!(
                "{} ({} bytes, SHA-256 {})",
                j.source.url, j.source.size, j.source.sha256
            ),
        );
        let ladder = match &j.settings.static_ladder {
            Some(name) => format!("static ({name})"),
            None => format!("per-title, target VMAF {}", j.settings.target_vmaf),
        };
        row("codec", j.settings.codec.clone());
        row("ladder", ladder);
        row(
            "validation",
            if j.settings.validate { "on" } else { "off" }.into(),
        );
        for (name, version) in &j.versions {
            row(name, version.clone());
        }
        row("started", j.started.clone());
        if let Some(f) = &j.finished {
            row("finished", f.clone());
        }
    }
    if let Some(v) = m.inspect.as_ref().and_then(|i| i.video.as_ref()) {
        row(
            "source video",
            format!(
                "{} {}x{} {} fps, {} frames, {}",
                v.codec,
                v.width,
                v.height,
                format_rate(v.frame_rate.as_f64()),
                v.frame_count,
                v.pix_fmt
            ),
        );
    }
    if let Some(l) = &m.ladder {
        row(
            "analysis",
            format!(
                "{} trial encodes over {} segments; {:.1} s wall, {:.1} CPU s",
                l.trials.len(),
                l.segments.len(),
                l.cost.wall_s,
                l.cost.trial_encode_cpu_s + l.cost.scoring_cpu_s + l.cost.refine_cpu_s
            ),
        );
    }
    if let Some(a) = &m.encode.audio {
        row(
            "audio",
            format!(
                "{} {} ch {} Hz, {} kb/s",
                a.codec,
                a.channels,
                a.sample_rate,
                a.bit_rate / 1000
            ),
        );
    }
    rows
}

fn format_rate(fps: f64) -> String {
    if (fps - fps.round()).abs() < 1e-3 {
        format!("{fps:.0}")
    } else {
        format!("{fps:.3}")
    }
}

fn rungs(m: &Manifests) -> Vec<RungRow> {
    m.encode
        .renditions
        .iter()
        .map(|r| {
            let name = &r.recipe.name;
            let quality = m
                .validate
                .as_ref()
                .and_then(|v| v.quality.iter().find(|q| &q.name == name));
            RungRow {
                name: name.clone(),
                resolution: r.recipe.resolution,
                codec: r.encoder.clone(),
                kbps: r.bit_rate as f64 / 1000.0,
                predicted_vmaf: m
                    .ladder
                    .as_ref()
                    .and_then(|l| l.predictions.iter().find(|p| &p.name == name))
                    .and_then(|p| p.vmaf),
                vmaf_mean: quality.map(|q| q.vmaf_mean),
                vmaf_p5: quality.map(|q| q.vmaf_p5),
                size_bytes: m
                    .encode
                    .objects
                    .iter()
                    .find(|o| o.key == r.key)
                    .map(|o| o.size),
            }
        })
        .collect()
}

fn frame_plots(m: &Manifests) -> Result<Vec<(String, String)>> {
    let Some(v) = &m.validate else {
        return Ok(Vec::new());
    };
    let model = v.vmaf_model.as_deref().unwrap_or("vmaf");
    v.quality
        .iter()
        .filter(|q| !q.vmaf_frames.is_empty())
        .map(|q| {
            let title = format!("{}: VMAF per frame ({model})", q.name);
            let series = [Series {
                name: &q.name,
                values: &q.vmaf_frames,
            }];
            let svg = plot::to_svg(&PerFrame {
                title: &title,
                series: &series,
                size: (1100, 360),
            })?;
            Ok((q.name.clone(), svg))
        })
        .collect()
}
