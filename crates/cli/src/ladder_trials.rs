//! The measuring half of `reel ladder`: trial encodes of the planned
//! segments at every candidate resolution and CRF (the encode crate's work
//! units, in parallel), and their VMAF after a bicubic upscale of both sides
//! to the display resolution.

use anyhow::{anyhow, Context, Result};
use rayon::prelude::*;
use reel_core::manifest::ChunkSpan;
use reel_core::{RateControl, Resolution, RungRecipe, VideoCodec};
use reel_encode::{chunk_path, encode_unit, SourceFacts, UnitContext};
use reel_ladder::{TrialPoint, TrialSegment};
use reel_media::{DecodeEvent, DecoderOptions, ScaleAlgorithm, Scaler, VideoDecoder};
use reel_vmaf::Vmaf;
use std::path::Path;

/// Heights of the Apple HLS authoring set, plus 1440p and 2160p for codecs
/// that serve them.
const HEIGHTS: [u32; 6] = [234, 360, 432, 540, 720, 1080];
const HEIGHTS_UHD: [u32; 2] = [1440, 2160];

/// Candidate resolutions: the set's heights up to the source's, widths
/// keeping the display aspect (even sizes for 4:2:0). A source smaller than
/// every candidate gets its own size, and says so in `warnings`.
pub fn candidate_resolutions(
    codec: VideoCodec,
    facts: &SourceFacts,
    warnings: &mut Vec<String>,
) -> Vec<Resolution> {
    let dar = facts.display_aspect();
    let aspect = if dar.num > 0 && dar.den > 0 {
        dar.as_f64()
    } else {
        16.0 / 9.0
    };
    let even = |v: f64| ((v / 2.0).round() as u32).max(1) * 2;
    let uhd = matches!(codec, VideoCodec::Hevc | VideoCodec::Av1);
    let heights = HEIGHTS
        .iter()
        .chain(HEIGHTS_UHD.iter().filter(|_| uhd))
        .copied()
        .filter(|&h| h <= facts.resolution.height);
    let mut out: Vec<Resolution> = heights
        .map(|h| Resolution::new(even(f64::from(h) * aspect), h))
        .collect();
    if out.is_empty() {
        let own = Resolution::new(
            even(f64::from(facts.resolution.width)),
            even(f64::from(facts.resolution.height)),
        );
        warnings.push(format!(
            "the source ({}) is smaller than every candidate resolution; the ladder uses {own} only",
            facts.resolution
        ));
        out.push(own);
    }
    out
}

/// The trial recipe of one (resolution, CRF).
pub fn trial_recipe(codec: VideoCodec, res: Resolution, crf: f64, preset: &str) -> RungRecipe {
    RungRecipe {
        name: format!("t{}x{}-crf{crf}", res.width, res.height),
        resolution: res,
        codec,
        rate_control: RateControl::Crf { crf: crf as f32 },
        preset: Some(preset.to_string()),
        bit_depth: 8,
        encoder: None,
        min_vmaf: None,
    }
}

/// Encodes every segment at every recipe under `work`, one unit per
/// (segment, resolution) so the units spread over `threads` workers.
pub fn encode_trials(
    facts: &SourceFacts,
    segments: &[TrialSegment],
    recipes: &[RungRecipe],
    gop: u32,
    work: &Path,
    threads: usize,
) -> Result<()> {
    let mut units: Vec<(ChunkSpan, Vec<RungRecipe>)> = Vec::new();
    for (index, seg) in segments.iter().enumerate() {
        let span = ChunkSpan {
            index,
            start_frame: seg.start_frame,
            frame_count: seg.frame_count,
        };
        let mut by_res: Vec<(Resolution, Vec<RungRecipe>)> = Vec::new();
        for r in recipes {
            match by_res.iter_mut().find(|(res, _)| *res == r.resolution) {
                Some((_, group)) => group.push(r.clone()),
                None => by_res.push((r.resolution, vec![r.clone()])),
            }
        }
        units.extend(by_res.into_iter().map(|(_, group)| (span, group)));
    }
    // Longest (most pixels) first, as the encode stage orders its units.
    units.sort_by_key(|(span, group)| {
        std::cmp::Reverse(span.frame_count * u64::from(group[0].resolution.height))
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .context("starting the trial encode threads")?;
    pool.install(|| {
        units
            .par_iter()
            .with_max_len(1)
            .try_for_each(|(span, group)| {
                let ctx = UnitContext {
                    source: facts.source.clone(),
                    out_dir: work.to_path_buf(),
                    rungs: group.clone(),
                    look: facts.look(),
                    gop,
                    encoder_threads: 1,
                    decoder_threads: 1,
                };
                encode_unit(&ctx, span).map(|_| ())
            })
    })
    .with_context(|| format!("trial encodes of {}", facts.source))
}

/// Bit rate and VMAF of one recipe over all segments: bytes over duration,
/// and the frame-weighted mean of per-segment pooled VMAF.
pub fn measure_trial(
    facts: &SourceFacts,
    segments: &[TrialSegment],
    recipe: &RungRecipe,
    crf: f64,
    work: &Path,
    display: Resolution,
    scorer: &Vmaf,
) -> Result<TrialPoint> {
    let (mut bytes, mut frames, mut vmaf_sum) = (0u64, 0u64, 0.0);
    for (index, seg) in segments.iter().enumerate() {
        let chunk = chunk_path(work, &recipe.name, index);
        bytes += std::fs::metadata(&chunk)
            .with_context(|| format!("trial encode {}", chunk.display()))?
            .len();
        let mean = score_segment(&facts.source, seg, &chunk, display, scorer)
            .with_context(|| format!("scoring {}", chunk.display()))?;
        vmaf_sum += mean * seg.frame_count as f64;
        frames += seg.frame_count;
    }
    let seconds = frames as f64 / facts.frame_rate.as_f64().max(1e-9);
    Ok(TrialPoint {
        resolution: recipe.resolution,
        crf,
        kbps: bytes as f64 * 8.0 / seconds.max(1e-9) / 1000.0,
        vmaf: vmaf_sum / frames.max(1) as f64,
    })
}

/// Mean VMAF of the trial encode `chunk` against the source frames of `seg`,
/// both upscaled (bicubic) to `display`.
fn score_segment(
    source: &str,
    seg: &TrialSegment,
    chunk: &Path,
    display: Resolution,
    scorer: &Vmaf,
) -> Result<f64> {
    let reference = VideoDecoder::open(
        source,
        &DecoderOptions {
            start_frame: seg.start_frame,
            max_frames: Some(seg.frame_count),
            ..Default::default()
        },
    )?;
    let layout = reference.output_layout();
    let distorted = VideoDecoder::open(
        &chunk.to_string_lossy(),
        &DecoderOptions {
            output_layout: Some(layout),
            ..Default::default()
        },
    )?;
    let scaled = |decoder: VideoDecoder, name: String| -> Result<_> {
        let from = (decoder.params().resolution, decoder.output_layout());
        let mut scaler = if from == (display, layout) {
            None
        } else {
            Some(Scaler::new(
                from,
                (display, layout),
                ScaleAlgorithm::Bicubic,
            )?)
        };
        Ok(decoder.map(move |event| match event {
            Ok(DecodeEvent::Frame(f)) => match &mut scaler {
                Some(s) => s.scale(&f).map_err(anyhow::Error::from),
                None => Ok(f),
            },
            Ok(DecodeEvent::Error(issue)) => Err(anyhow!(
                "{name}: decode error at packet {}: {}",
                issue.packet,
                issue.message
            )),
            Err(e) => Err(anyhow!(e)),
        }))
    };
    let refs = scaled(reference, source.to_string())?;
    let dis = scaled(distorted, chunk.display().to_string())?;
    let pairs = reel_vmaf::pair_frames(refs, dis);
    let scores = scorer.score(pairs)?;
    scores
        .pooled
        .get("vmaf")
        .map(|p| p.mean)
        .ok_or_else(|| anyhow!("no VMAF frames"))
}
