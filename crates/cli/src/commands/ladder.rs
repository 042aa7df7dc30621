//! `reel ladder SOURCE --output URL`: the per-title ladder. Trial encodes of
//! complexity-stratified segments at every candidate resolution and a few
//! CRFs, VMAF at the display resolution, PCHIP fits per resolution, the
//! convex hull, and rungs chosen along it; `OUTPUT/ladder.json` (written
//! last) feeds `reel transcode --ladder`.

use crate::args::GlobalArgs;
use crate::ladder_queue::{TrialQueue, TrialSettings};
use crate::ladder_trials::{candidate_resolutions, encode_trials, measure_trials, trial_recipe};
use crate::{job_inputs, sources};
use anyhow::{bail, Context, Result};
use clap::Args;
use reel_core::manifest::{
    rfc3339, AnalysisCost, InputRef, InspectReport, LadderCrossover, LadderManifest, LadderPoint,
    LadderSegment, ManifestHeader, Producer, RungPrediction, StaticReferencePoint,
    LADDER_SCHEMA_VERSION,
};
use reel_core::{RateControl, Resolution, RungRecipe, VideoCodec};
use reel_encode::SourceFacts;
use reel_ladder::{
    crossovers, plan_trials, select_rungs, upper_hull, FixedLadder, PlanRules, ResolutionCurve,
    RungRules, TrialPoint,
};
use reel_storage::StorageUrl;
use reel_vmaf::{BuiltinModel, Model, Vmaf, VmafConfig};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// Arguments of `reel ladder`.
#[derive(Debug, Args)]
pub struct LadderArgs {
    /// The source: a path, file:// URL, http(s):// URL or s3://bucket/key.
    pub source: String,
    /// Job directory (local path or s3://bucket/prefix) that receives ladder.json.
    #[arg(long, short, value_name = "URL")]
    pub output: String,
    /// inspect.json of the source; made on the fly (full decode) when absent.
    #[arg(long, value_name = "URL")]
    pub inspect: Option<String>,
    /// Codec of the ladder: h264, hevc, av1 or vp9.
    #[arg(long, default_value = "h264")]
    pub codec: String,
    /// VMAF the top rung aims for.
    #[arg(long, default_value_t = 95.0)]
    pub target_vmaf: f64,
    /// Trial CRFs (about 6 apart), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [18.0, 24.0, 30.0, 36.0])]
    pub crf: Vec<f64>,
    /// Encoder preset of the trial encodes (fast; default per codec).
    #[arg(long)]
    pub trial_preset: Option<String>,
    /// Encoder preset written into the rung recipes (default per codec).
    #[arg(long)]
    pub preset: Option<String>,
    /// Resolution scores are measured at (both sides upscaled bicubic).
    #[arg(long, default_value = "1920x1080", value_parser = parse_size)]
    pub display: Resolution,
    /// Score every N-th frame of the trial and refine encodes (motion still
    /// sees every frame). Neighbouring frames score alike, so 4 moves a
    /// clip's mean by a few hundredths and costs a quarter.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub vmaf_subsample: u32,
    /// Highest and lowest rung bit rate, kb/s.
    #[arg(long, default_value_t = 16_000.0)]
    pub max_kbps: f64,
    #[arg(long, default_value_t = 100.0)]
    pub min_kbps: f64,
    /// Emit a fixed ladder instead (`apple`: the HLS authoring spec's table
    /// for the codec, `netflix2015`), cut to the source's height; no trials.
    #[arg(long = "static", value_name = "NAME")]
    pub fixed: Option<String>,
    /// Skip the refine step: predictions then come from the trial curves,
    /// encoded with the trial preset, instead of the rungs as encoded.
    #[arg(long)]
    pub no_refine: bool,
    /// Worker threads (0 = every core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Local directory for the trial encodes (default: the output when local).
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Draw bit rate against VMAF (trials by resolution, hull, rungs, Apple's
    /// static ladder on the fitted curves) to PATH (.png or .svg).
    #[arg(long, value_name = "PATH", conflicts_with = "fixed")]
    pub plot: Option<PathBuf>,
    /// Print ladder.json on stdout.
    #[arg(long)]
    pub json: bool,
    /// FFmpeg encoder of every rung instead of the codec's default
    /// (h264_nvenc, hevc_nvenc, av1_nvenc for NVIDIA's hardware encoders);
    /// trial encodes keep the software encoder.
    #[arg(long, value_name = "NAME")]
    pub encoder: Option<String>,
    /// Send the trial and refine encodes to this SQS queue for `reel worker`s
    /// (needs --inspect and an output they can reach) instead of running them here.
    #[arg(long, value_name = "QUEUE_URL")]
    pub queue: Option<String>,
}

fn parse_size(s: &str) -> std::result::Result<Resolution, String> {
    let (w, h) = s
        .split_once('x')
        .ok_or_else(|| format!("`{s}` is not WIDTHxHEIGHT"))?;
    match (w.parse::<u32>(), h.parse::<u32>()) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 => Ok(Resolution::new(w, h)),
        _ => Err(format!("`{s}` is not WIDTHxHEIGHT")),
    }
}

pub fn run(args: &LadderArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let codec = parse_codec(&args.codec)?;
    if args.crf.len() < 2 {
        bail!("--crf needs at least 2 values to fit a curve");
    }
    if let Some(path) = &args.plot {
        // Checked now, not after the trial encodes.
        crate::plot::check_extension(path)?;
    }
    let source = sources::resolve(&args.source, global)?;
    let out_url =
        StorageUrl::parse(&args.output).with_context(|| format!("output {}", args.output))?;
    let work = job_inputs::work_dir(
        &args.output,
        &out_url,
        args.work_dir.as_deref(),
        "ladder",
        "ladder",
    )?;
    // Trials are always encoded afresh: a chunk left by another source or
    // another run's plan must not pass for this one's.
    let trials_dir = work.join("chunks");
    if trials_dir.exists() {
        std::fs::remove_dir_all(&trials_dir)
            .with_context(|| format!("clearing old trial encodes in {}", trials_dir.display()))?;
    }
    let fixed = match &args.fixed {
        Some(name) => Some(
            FixedLadder::from_name(name)
                .ok_or_else(|| anyhow::anyhow!("--static {name}: not one of apple, netflix2015"))?,
        ),
        None => None,
    };
    let report = job_inputs::inspect_report(args.inspect.as_deref(), &source, global)?;
    let facts = SourceFacts::from_inspect(&source.media_input, &report)?;
    if let Some(fixed) = fixed {
        let manifest = fixed_manifest(args, fixed, codec, &source.original, &report, &facts);
        return write_manifest(args, &manifest, &out_url, global);
    }
    let threads = match args.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };

    let mut warnings = Vec::new();
    let plan = PlanRules::for_frame_rate(facts.frame_rate.as_f64());
    let segments = plan_trials(facts.frame_count, &report.shots, &plan);
    let resolutions = candidate_resolutions(codec, &facts, &mut warnings);
    let trial_preset = args
        .trial_preset
        .clone()
        .unwrap_or_else(|| fast_preset(codec));
    let mut recipes = Vec::new();
    for &res in &resolutions {
        for &crf in &args.crf {
            recipes.push((trial_recipe(codec, res, crf, &trial_preset), crf));
        }
    }
    let gop = plan.gop_frames as u32;
    let trial_queue = match &args.queue {
        Some(queue) => {
            let inspect = args
                .inspect
                .as_deref()
                .context("--queue needs --inspect: workers read the source's facts from it")?;
            Some(TrialQueue::connect(
                queue,
                &args.output,
                &args.source,
                inspect,
                global,
            )?)
        }
        None => None,
    };
    let trial_settings = TrialSettings {
        gop,
        display: args.display,
        vmaf_subsample: args.vmaf_subsample,
    };
    let cpu0 = process_cpu_s();
    let only_recipes: Vec<RungRecipe> = recipes.iter().map(|(r, _)| r.clone()).collect();
    let meter = crate::progress::meter(global.quiet, "ladder");
    meter.phase("trial");
    let scorer = scorer(args.display, args.vmaf_subsample, threads)?;
    let (trials, cpu1) = match &trial_queue {
        Some(q) => {
            let trials = q.measure("trial", &facts, &segments, &recipes, trial_settings, &meter)?;
            (trials, process_cpu_s())
        }
        None => {
            encode_trials(
                &facts,
                &segments,
                &only_recipes,
                gop,
                &work,
                threads,
                &meter,
            )?;
            let cpu1 = process_cpu_s();
            let trials = measure_trials(
                &facts,
                &segments,
                &recipes,
                &work,
                args.display,
                &scorer,
                &meter,
            )?;
            (trials, cpu1)
        }
    };
    let cpu2 = process_cpu_s();

    let mut candidates = Vec::new();
    let mut curves = Vec::new();
    for &res in &resolutions {
        let curve = ResolutionCurve::fit(res, &trials)
            .with_context(|| format!("fitting the {res} trials"))?;
        candidates.extend(curve.sample(0.5));
        curves.push(curve);
    }
    let hull = upper_hull(&candidates);
    let rules = RungRules {
        target_vmaf: args.target_vmaf,
        min_kbps: args.min_kbps,
        max_kbps: args.max_kbps,
        ..Default::default()
    };
    let selection = select_rungs(&hull, &rules);
    warnings.extend(selection.warnings.iter().cloned());
    if selection.rungs.is_empty() {
        bail!(
            "{}: no rung fits: {}",
            source.original,
            selection.warnings.join("; ")
        );
    }
    let preset = args
        .preset
        .clone()
        .unwrap_or_else(|| production_preset(codec));
    let (mut rungs, mut predictions) = recipes_for(&selection.rungs, codec, &preset);
    for rung in &mut rungs {
        rung.encoder = args.encoder.clone();
    }
    let cpu3 = process_cpu_s();
    if !args.no_refine {
        // The trial preset is faster than the production one, which spends
        // more bits for more quality at the same CRF: each rung is encoded
        // as it will be (production preset, VBV cap) on the trial segments,
        // and its measurement is the prediction validation holds it to.
        meter.phase("refine");
        let with_crf: Vec<(RungRecipe, f64)> = rungs
            .iter()
            .map(|rung| {
                let crf = match rung.rate_control {
                    RateControl::CappedCrf { crf, .. } | RateControl::Crf { crf } => f64::from(crf),
                    RateControl::Bitrate { .. } => 0.0,
                };
                (rung.clone(), crf)
            })
            .collect();
        let measured = match &trial_queue {
            Some(q) => q.measure(
                "refine",
                &facts,
                &segments,
                &with_crf,
                trial_settings,
                &meter,
            )?,
            None => {
                encode_trials(&facts, &segments, &rungs, gop, &work, threads, &meter)?;
                measure_trials(
                    &facts,
                    &segments,
                    &with_crf,
                    &work,
                    args.display,
                    &scorer,
                    &meter,
                )?
            }
        };
        for (prediction, m) in predictions.iter_mut().zip(measured) {
            prediction.kbps = m.kbps;
            prediction.vmaf = Some(m.vmaf);
        }
        // Names carry the rate the rung will have, not the trial curve's.
        let mut renamed: Vec<RungRecipe> = Vec::new();
        for (mut rung, prediction) in rungs.into_iter().zip(predictions.iter_mut()) {
            rung.name = unique_name(&renamed, rung.resolution, codec, prediction.kbps);
            prediction.name = rung.name.clone();
            renamed.push(rung);
        }
        rungs = renamed;
    }
    let cpu4 = process_cpu_s();
    meter.finish();

    let point = |p: &TrialPoint| LadderPoint {
        resolution: p.resolution,
        crf: p.crf,
        kbps: p.kbps,
        vmaf: p.vmaf,
    };
    let manifest = LadderManifest {
        header: header(&source.original, &report),
        codec,
        display: args.display,
        model: default_model(args.display).name().to_string(),
        target_vmaf: args.target_vmaf,
        fixed_ladder: None,
        segments: segments
            .iter()
            .map(|s| LadderSegment {
                start_frame: s.start_frame,
                frame_count: s.frame_count,
                complexity: s.complexity,
            })
            .collect(),
        trials: trials.iter().map(point).collect(),
        hull: hull.iter().map(point).collect(),
        crossovers: crossovers(&hull)
            .iter()
            .map(|c| LadderCrossover {
                resolution: c.resolution,
                from_kbps: c.from_kbps,
                to_kbps: c.to_kbps,
            })
            .collect(),
        rungs,
        predictions,
        warnings,
        cost: AnalysisCost {
            trial_encode_cpu_s: cpu1 - cpu0,
            scoring_cpu_s: cpu2 - cpu1,
            refine_cpu_s: cpu4 - cpu3,
            wall_s: started.elapsed().as_secs_f64(),
        },
        static_reference: apple_on_curves(codec, &facts, &curves),
    };
    if let Some(path) = &args.plot {
        crate::plot::to_file(path, &crate::ladder_plot::RateQuality(&manifest))?;
    }
    write_manifest(args, &manifest, &out_url, global)
}

/// Apple's ladder for this source, each rung placed on its resolution's
/// trial curve (rungs no curve covers are left out).
fn apple_on_curves(
    codec: VideoCodec,
    facts: &SourceFacts,
    curves: &[ResolutionCurve],
) -> Vec<StaticReferencePoint> {
    FixedLadder::Apple
        .rungs_for(
            codec,
            facts.resolution.height,
            facts.display_aspect().as_f64(),
        )
        .iter()
        .filter_map(|&(resolution, kbps)| {
            let curve = curves
                .iter()
                .find(|c| c.resolution.height == resolution.height)?;
            let kbps = f64::from(kbps);
            vmaf_on_curve(curve, kbps).map(|vmaf| StaticReferencePoint {
                resolution,
                kbps,
                vmaf,
            })
        })
        .collect()
}

/// VMAF of `curve` at `kbps`, interpolated in log rate between samples;
/// `None` outside the range the trials cover.
fn vmaf_on_curve(curve: &ResolutionCurve, kbps: f64) -> Option<f64> {
    let mut points = curve.sample(0.25);
    points.sort_by(|a, b| a.kbps.total_cmp(&b.kbps));
    points.windows(2).find_map(|w| {
        let (a, b) = (&w[0], &w[1]);
        (a.kbps <= kbps && kbps <= b.kbps && b.kbps > a.kbps).then(|| {
            let t = (kbps.ln() - a.kbps.ln()) / (b.kbps.ln() - a.kbps.ln());
            a.vmaf + t * (b.vmaf - a.vmaf)
        })
    })
}

fn header(source: &str, report: &InspectReport) -> ManifestHeader {
    ManifestHeader {
        schema_version: LADDER_SCHEMA_VERSION,
        job_id: None,
        producer: Producer::new("reel-cli", env!("CARGO_PKG_VERSION")),
        created: rfc3339(std::time::SystemTime::now()),
        inputs: vec![InputRef {
            url: source.to_string(),
            size: report.container.size_bytes,
            checksum: None,
        }],
    }
}

/// A fixed ladder cut to the source: target bit rates, peaks capped at
/// twice the average (the HLS spec's VOD limit), no trial data.
fn fixed_manifest(
    args: &LadderArgs,
    fixed: FixedLadder,
    codec: VideoCodec,
    source: &str,
    report: &InspectReport,
    facts: &SourceFacts,
) -> LadderManifest {
    let preset = args
        .preset
        .clone()
        .unwrap_or_else(|| production_preset(codec));
    let mut rungs: Vec<RungRecipe> = Vec::new();
    let mut predictions = Vec::new();
    let mut warnings = Vec::new();
    let table = fixed.rungs_for(
        codec,
        facts.resolution.height,
        facts.display_aspect().as_f64(),
    );
    if table.is_empty() {
        warnings.push(format!(
            "the source ({}) is below every rung of the {} ladder",
            facts.resolution,
            fixed.name()
        ));
    }
    for (res, kbps) in table {
        let name = unique_name(&rungs, res, codec, f64::from(kbps));
        rungs.push(RungRecipe {
            name: name.clone(),
            resolution: res,
            codec,
            rate_control: RateControl::Bitrate {
                kbps,
                max_rate_kbps: Some(kbps * 2),
                buf_size_kbps: Some(kbps * 4),
            },
            preset: Some(preset.clone()),
            bit_depth: 8,
            encoder: args.encoder.clone(),
            min_vmaf: None,
        });
        predictions.push(RungPrediction {
            name,
            kbps: f64::from(kbps),
            vmaf: None,
        });
    }
    LadderManifest {
        header: header(source, report),
        codec,
        display: args.display,
        model: default_model(args.display).name().to_string(),
        target_vmaf: args.target_vmaf,
        fixed_ladder: Some(fixed.name().to_string()),
        segments: Vec::new(),
        trials: Vec::new(),
        hull: Vec::new(),
        crossovers: Vec::new(),
        rungs,
        predictions,
        warnings,
        cost: AnalysisCost::default(),
        static_reference: Vec::new(),
    }
}

/// `<height>p-<codec>`, or with the rate appended when that name is taken.
fn unique_name(rungs: &[RungRecipe], res: Resolution, codec: VideoCodec, kbps: f64) -> String {
    let name = format!("{}p-{}", res.height, codec.as_str());
    if rungs.iter().any(|r| r.name == name) {
        format!("{name}-{}k", kbps.round())
    } else {
        name
    }
}

/// Writes `OUTPUT/ladder.json` and reports the rungs.
fn write_manifest(
    args: &LadderArgs,
    manifest: &LadderManifest,
    out_url: &StorageUrl,
    global: &GlobalArgs,
) -> Result<ExitCode> {
    if manifest.rungs.is_empty() {
        bail!(
            "{}: no rung fits: {}",
            args.source,
            manifest.warnings.join("; ")
        );
    }
    let json = serde_json::to_string_pretty(manifest).context("serialising ladder.json")?;
    let dest = out_url.join("ladder.json")?.to_string();
    sources::write_url(&dest, json.as_bytes(), global)
        .with_context(|| format!("writing {dest}"))?;
    if args.json {
        println!("{json}");
    } else if !global.quiet {
        for w in &manifest.warnings {
            eprintln!("warning: {w}");
        }
        for (r, p) in manifest.rungs.iter().zip(&manifest.predictions) {
            let vmaf = p.vmaf.map_or("-".to_string(), |v| format!("{v:.2}"));
            println!(
                "{:<16} {:>9}  {:>8.0} kb/s  VMAF {vmaf:>6}",
                r.name,
                r.resolution.to_string(),
                p.kbps,
            );
        }
        println!("ladder.json: {dest}");
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_codec(name: &str) -> Result<VideoCodec> {
    Ok(match name {
        "h264" => VideoCodec::H264,
        "hevc" | "h265" => VideoCodec::Hevc,
        "av1" => VideoCodec::Av1,
        "vp9" => VideoCodec::Vp9,
        other => bail!("--codec {other}: not one of h264, hevc, av1, vp9"),
    })
}

fn fast_preset(codec: VideoCodec) -> String {
    match codec {
        VideoCodec::H264 | VideoCodec::Hevc => "veryfast",
        VideoCodec::Av1 => "10",
        VideoCodec::Vp9 => "6",
    }
    .to_string()
}

fn production_preset(codec: VideoCodec) -> String {
    match codec {
        VideoCodec::H264 | VideoCodec::Hevc => "medium",
        VideoCodec::Av1 => "6",
        VideoCodec::Vp9 => "2",
    }
    .to_string()
}

/// vmaf_v0.6.1 for displays up to 1080p, the 4K model above.
fn default_model(display: Resolution) -> BuiltinModel {
    if display.height > 1080 {
        BuiltinModel::V061_4k
    } else {
        BuiltinModel::V061
    }
}

pub(crate) fn scorer(display: Resolution, subsample: u32, threads: usize) -> Result<Vmaf> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("reel-ladder-vmaf-{i}"))
        .build()
        .context("starting the scoring threads")?;
    Ok(Vmaf::try_new(VmafConfig {
        model: Model::Builtin(default_model(display)),
        pool: Some(Arc::new(pool)),
        subsample,
        ..VmafConfig::default()
    })?)
}

/// Recipes of the chosen points: CRF capped at twice the predicted rate
/// (VBV buffer of two seconds at the cap), named `<height>p-<codec>`.
fn recipes_for(
    points: &[TrialPoint],
    codec: VideoCodec,
    preset: &str,
) -> (Vec<RungRecipe>, Vec<RungPrediction>) {
    let mut rungs: Vec<RungRecipe> = Vec::new();
    let mut predictions = Vec::new();
    for p in points {
        let name = unique_name(&rungs, p.resolution, codec, p.kbps);
        let max_rate = (p.kbps * 2.0).ceil() as u32;
        rungs.push(RungRecipe {
            name: name.clone(),
            resolution: p.resolution,
            codec,
            rate_control: RateControl::CappedCrf {
                crf: ((p.crf * 2.0).round() / 2.0) as f32,
                max_rate_kbps: max_rate,
                buf_size_kbps: max_rate * 2,
            },
            preset: Some(preset.to_string()),
            bit_depth: 8,
            encoder: None,
            min_vmaf: None,
        });
        predictions.push(RungPrediction {
            name,
            kbps: p.kbps,
            vmaf: Some(p.vmaf),
        });
    }
    (rungs, predictions)
}

/// CPU seconds (user + system) of this process so far, all threads, from
/// /proc/self/stat (clock ticks of 1/100 s, Linux's fixed USER_HZ).
fn process_cpu_s() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the
    // 12th and 13th of those.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
