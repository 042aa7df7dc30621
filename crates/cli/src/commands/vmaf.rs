//! `reel vmaf --reference REF --distorted DIS ...`: libvmaf-exact scores of a pair.

use crate::args::{GlobalArgs, ScaleTarget, VmafArgs, VmafFeature};
use crate::conversion::Conversion;
use crate::{plot, progress, sources};
use anyhow::{anyhow, Context, Result};
use reel_core::{Resolution, VideoFrame};
use reel_media::{DecodeEvent, DecoderOptions, FrameReceiver};
use reel_vmaf::{BuiltinModel, FeatureSet, Model, Scores, SvmModel, Vmaf, VmafConfig};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Frames decoded ahead of the scorer, per input: enough to keep the scorer
/// fed, few enough that memory stays below libvmaf's.
const FRAMES_IN_FLIGHT: usize = 2;

pub fn run(args: &VmafArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let reference = sources::resolve(&args.reference, global)?;
    let distorted = sources::resolve(&args.distorted, global)?;
    // Scoring reads only luma unless PSNR (or a conversion) needs chroma:
    // once that is known, the decoders stop copying chroma.
    let luma_only = Arc::new(AtomicBool::new(false));
    let ref_rx = open(&reference.media_input, &reference.original, &luma_only)?;
    let dis_rx = open(&distorted.media_input, &distorted.original, &luma_only)?;

    let ref_params = ref_rx.params().clone();
    let dis_params = dis_rx.params().clone();
    // VMAF compares at one size: the reference's unless --scale says otherwise; the
    // distorted clip is upscaled (bicubic) to it, as Netflix recommends.
    let target = match args.scale {
        ScaleTarget::Reference => ref_params.resolution,
        ScaleTarget::Size(w, h) => Resolution::new(w, h),
    };
    let layout = ref_params.output_layout();
    let mut ref_conv = Conversion::new(
        ref_params.resolution,
        ref_params.output_layout(),
        target,
        layout,
    )?;
    let mut dis_conv = Conversion::new(
        dis_params.resolution,
        dis_params.output_layout(),
        target,
        layout,
    )?;

    let needs_chroma = args.feature.contains(&VmafFeature::Psnr);
    if !needs_chroma && ref_conv.is_identity() && dis_conv.is_identity() {
        luma_only.store(true, Ordering::Relaxed);
    }
    let scorer = Vmaf::try_new(config(args)?)?;
    let meter = progress::meter(global.quiet, "vmaf");
    let total = match (ref_params.declared_frames, args.frames) {
        (Some(n), Some(limit)) => Some(n.min(limit)),
        (n, limit) => n.or(limit),
    };
    meter.step("scored", "frames", total.unwrap_or(0));
    let limit = args.frames.unwrap_or(u64::MAX) as usize;
    let ref_frames = frames(ref_rx, &reference.original)
        .take(limit)
        .map(move |f| f.and_then(|f| ref_conv.apply(f)));
    let dis_frames = frames(dis_rx, &distorted.original)
        .take(limit)
        .map(move |f| f.and_then(|f| dis_conv.apply(f)));
    let pairs = reel_vmaf::pair_frames(ref_frames, dis_frames).inspect(|_| meter.advance(1, 1));
    let scores = scorer.score(pairs).with_context(|| {
        format!(
            "scoring {} against {}",
            distorted.original, reference.original
        )
    })?;
    meter.finish();

    write_outputs(args, &scores, global)?;
    if !global.quiet {
        print!("{}", summary(&scores, &distorted.original));
    }
    Ok(ExitCode::SUCCESS)
}

fn open(
    media_input: &str,
    original: &str,
    luma_only: &Arc<AtomicBool>,
) -> Result<FrameReceiver<Option<VideoFrame>>> {
    let luma_only = luma_only.clone();
    reel_media::spawn_decoder_with(
        media_input.to_string(),
        DecoderOptions::default(),
        FRAMES_IN_FLIGHT,
        move |view| {
            let planes = if luma_only.load(Ordering::Relaxed) {
                1
            } else {
                usize::MAX
            };
            view.to_frame(planes)
        },
    )
    .with_context(|| format!("opening {original}"))
}

/// Decoded frames of one input; a decode error is fatal here, since a frame missing
/// from either side would silently misalign the pair.
fn frames(
    rx: FrameReceiver<Option<VideoFrame>>,
    name: &str,
) -> impl Iterator<Item = Result<VideoFrame, anyhow::Error>> {
    let name = name.to_string();
    rx.map(move |event| match event {
        Ok(DecodeEvent::Frame(Some(f))) => Ok(f),
        Ok(DecodeEvent::Frame(None)) => {
            Err(anyhow!("{name}: a decoded picture has unreadable planes"))
        }
        Ok(DecodeEvent::Error(issue)) => Err(anyhow!(
            "{name}: decode error at packet {}: {}",
            issue.packet,
            issue.message
        )),
        Err(e) => Err(anyhow!(e)),
    })
}

fn config(args: &VmafArgs) -> Result<VmafConfig> {
    let model = match BuiltinModel::from_name(&args.model) {
        Some(b) => Model::Builtin(b),
        None => {
            let path = std::path::Path::new(&args.model);
            let m = SvmModel::from_path(path).with_context(|| {
                format!(
                    "--model {}: neither a built-in model (vmaf_v0.6.1, vmaf_4k_v0.6.1, vmaf_v0.6.1neg, vmaf_float_v0.6.1) nor a readable model file",
                    args.model
                )
            })?;
            Model::Custom(Arc::new(m))
        }
    };
    let mut features = FeatureSet::default();
    for f in &args.feature {
        match f {
            VmafFeature::Psnr => features.psnr = true,
            VmafFeature::Ssim => features.ssim = true,
            VmafFeature::MsSsim => features.ms_ssim = true,
        }
    }
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("reel-vmaf-{i}"))
        .build()
        .context("starting the scoring threads")?;
    Ok(VmafConfig {
        model,
        features,
        subsample: args.subsample,
        pool: Some(Arc::new(pool)),
        ..VmafConfig::default()
    })
}

fn write_outputs(args: &VmafArgs, scores: &Scores, global: &GlobalArgs) -> Result<()> {
    if let Some(dest) = &args.json {
        let mut buf = Vec::new();
        reel_vmaf::output::write_json(scores, &mut buf, None)?;
        sources::write_url(dest, &buf, global).with_context(|| format!("writing {dest}"))?;
    }
    if let Some(dest) = &args.csv {
        let mut buf = Vec::new();
        reel_vmaf::output::write_csv(scores, &mut buf)?;
        sources::write_url(dest, &buf, global).with_context(|| format!("writing {dest}"))?;
    }
    if let Some(path) = &args.plot {
        let values: Vec<f64> = scores
            .frames
            .iter()
            .filter_map(|f| f.metrics.get("vmaf").copied())
            .collect();
        let title = format!("VMAF per frame ({})", scores.model);
        let series = [plot::Series {
            name: "vmaf",
            values: &values,
        }];
        plot::to_file(
            path,
            &plot::PerFrame {
                title: &title,
                series: &series,
                size: (1280, 640),
            },
        )?;
    }
    Ok(())
}

/// The pooled table printed on the terminal.
fn summary(scores: &Scores, distorted: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{distorted}: {} frames, model {}",
        scores.frames.len(),
        scores.model
    );
    let _ = writeln!(
        s,
        "{:<22} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "metric", "mean", "harmonic", "min", "p1", "p5", "max"
    );
    let shown = [
        "vmaf",
        "psnr_y",
        "psnr_cb",
        "psnr_cr",
        "float_ssim",
        "float_ms_ssim",
    ];
    let mut names: Vec<&String> = scores.pooled.keys().collect();
    names.sort_by_key(|n| shown.iter().position(|s| s == n).unwrap_or(shown.len()));
    for name in names {
        if let Some(p) = scores.pooled.get(name) {
            let _ = writeln!(
                s,
                "{name:<22} {:>10.6} {:>10.6} {:>10.6} {:>10.6} {:>10.6} {:>10.6}",
                p.mean, p.harmonic_mean, p.min, p.p1, p.p5, p.max
            );
        }
    }
    s
}
