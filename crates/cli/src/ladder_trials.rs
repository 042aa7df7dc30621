//! The measuring half of `reel ladder`: trial encodes of the planned
//! segments at every candidate resolution and CRF (the encode crate's work
//! units, in parallel), and their VMAF after a bicubic upscale of both sides
//! to the display resolution.

use crate::conversion::Conversion;
use crate::progress::Meter;
use anyhow::{anyhow, Context, Result};
use rayon::prelude::*;
use reel_core::manifest::ChunkSpan;
use reel_core::{PixelLayout, RateControl, Resolution, RungRecipe, VideoCodec, VideoFrame};
use reel_encode::{chunk_path, encode_unit, SourceFacts, UnitContext};
use reel_ladder::{TrialPoint, TrialSegment};
use reel_media::{DecodeEvent, DecoderOptions, VideoDecoder};
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
    meter: &Meter,
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
    meter.step("encodes", "units", units.len() as u64);
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
                encode_unit(&ctx, span)?;
                meter.advance(1, span.frame_count * group.len() as u64);
                Ok::<(), reel_encode::Error>(())
            })
    })
    .with_context(|| format!("trial encodes of {}", facts.source))
}

/// Source frames of one segment held in memory, upscaled to the display,
/// when they take at most this much; else each trial decodes them afresh.
const REFERENCE_CACHE_BYTES: u64 = 3 << 29;

/// Bit rate and VMAF of every recipe (with its CRF) over all segments:
/// bytes over duration, and the frame-weighted mean of per-segment pooled
/// VMAF. Segment by segment, so the source is decoded and upscaled once for
/// all the recipes scored against it.
pub fn measure_trials(
    facts: &SourceFacts,
    segments: &[TrialSegment],
    recipes: &[(RungRecipe, f64)],
    work: &Path,
    display: Resolution,
    scorer: &Vmaf,
    meter: &Meter,
) -> Result<Vec<TrialPoint>> {
    meter.step(
        "scoring",
        "encodes",
        (segments.len() * recipes.len()) as u64,
    );
    let mut bytes = vec![0u64; recipes.len()];
    let mut vmaf_sums = vec![0.0f64; recipes.len()];
    let mut frames = 0u64;
    for (index, seg) in segments.iter().enumerate() {
        let cached = cache_reference(&facts.source, seg, display)?;
        for (i, (recipe, _)) in recipes.iter().enumerate() {
            let chunk = chunk_path(work, &recipe.name, index);
            bytes[i] += std::fs::metadata(&chunk)
                .with_context(|| format!("trial encode {}", chunk.display()))?
                .len();
            let mean = score_segment(&facts.source, seg, &chunk, display, scorer, &cached)
                .with_context(|| format!("scoring {}", chunk.display()))?;
            vmaf_sums[i] += mean * seg.frame_count as f64;
            meter.advance(1, seg.frame_count);
        }
        frames += seg.frame_count;
    }
    Ok(trial_points(facts, recipes, &bytes, &vmaf_sums, frames))
}

/// Each recipe's point from its encoded bytes and frame-weighted VMAF sum
/// over `frames` frames of trial segments: bytes over duration, mean VMAF.
pub(crate) fn trial_points(
    facts: &SourceFacts,
    recipes: &[(RungRecipe, f64)],
    bytes: &[u64],
    vmaf_sums: &[f64],
    frames: u64,
) -> Vec<TrialPoint> {
    let seconds = frames as f64 / facts.frame_rate.as_f64().max(1e-9);
    recipes
        .iter()
        .zip(bytes.iter().zip(vmaf_sums))
        .map(|((recipe, crf), (&bytes, &vmaf_sum))| TrialPoint {
            resolution: recipe.resolution,
            crf: *crf,
            kbps: bytes as f64 * 8.0 / seconds.max(1e-9) / 1000.0,
            vmaf: vmaf_sum / frames.max(1) as f64,
        })
        .collect()
}

/// The source frames of `seg` upscaled to `display`, or `None` when they
/// would take more than [`REFERENCE_CACHE_BYTES`].
pub(crate) fn cache_reference(
    source: &str,
    seg: &TrialSegment,
    display: Resolution,
) -> Result<Option<Vec<VideoFrame>>> {
    let (frames, layout) = reference_frames(source, seg, display)?;
    let sample_bytes = if layout.bit_depth > 8 { 2 } else { 1 };
    let frame_bytes: u64 = (0..layout.plane_count())
        .map(|i| {
            let (w, h) = layout.plane_size(i, display);
            (w * h * sample_bytes) as u64
        })
        .sum();
    if seg.frame_count.saturating_mul(frame_bytes) > REFERENCE_CACHE_BYTES {
        return Ok(None);
    }
    Ok(Some(frames.collect::<Result<Vec<_>>>()?))
}

/// Decoded source frames of `seg`, upscaled (bicubic) to `display`, and
/// their pixel layout.
fn reference_frames(
    source: &str,
    seg: &TrialSegment,
    display: Resolution,
) -> Result<(impl Iterator<Item = Result<VideoFrame>>, PixelLayout)> {
    let decoder = VideoDecoder::open(
        source,
        &DecoderOptions {
            start_frame: seg.start_frame,
            max_frames: Some(seg.frame_count),
            ..Default::default()
        },
    )?;
    let layout = decoder.output_layout();
    let mut scaler = Conversion::new(decoder.params().resolution, layout, display, layout)?;
    let name = source.to_string();
    let frames = decoder.map(move |event| scaler.apply(decoded(event, &name)?));
    Ok((frames, layout))
}

/// Mean VMAF of the trial encode `chunk` against the source frames of `seg`
/// (`cached`, or decoded afresh), both upscaled (bicubic) to `display`.
/// Distorted frames the scorer does not read are decoded but not upscaled.
pub(crate) fn score_segment(
    source: &str,
    seg: &TrialSegment,
    chunk: &Path,
    display: Resolution,
    scorer: &Vmaf,
    cached: &Option<Vec<VideoFrame>>,
) -> Result<f64> {
    let (refs, layout): (Box<dyn Iterator<Item = Result<VideoFrame>>>, PixelLayout) = match cached {
        Some(frames) => {
            let layout = frames
                .first()
                .map(|f| f.layout)
                .ok_or_else(|| anyhow!("{source}: no frames in the trial segment"))?;
            (Box::new(frames.iter().cloned().map(Ok)), layout)
        }
        None => {
            let (frames, layout) = reference_frames(source, seg, display)?;
            (Box::new(frames), layout)
        }
    };
    let distorted = VideoDecoder::open(
        &chunk.to_string_lossy(),
        &DecoderOptions {
            output_layout: Some(layout),
            ..Default::default()
        },
    )?;
    let mut scaler = Conversion::new(distorted.params().resolution, layout, display, layout)?;
    let name = chunk.display().to_string();
    let dis = distorted.map(move |event| decoded(event, &name));
    let pairs = (0u64..)
        .zip(reel_vmaf::pair_frames(refs, dis))
        .map(move |(index, pair)| {
            let (r, d) = pair?;
            if scorer.reads_distorted(index) {
                let d = scaler.apply(d).map_err(|e| reel_vmaf::Error::Source {
                    frame: index,
                    message: e.to_string(),
                })?;
                Ok((r, d))
            } else {
                Ok((r.clone(), r))
            }
        });
    let scores = scorer.score(pairs)?;
    scores
        .pooled
        .get("vmaf")
        .map(|p| p.mean)
        .ok_or_else(|| anyhow!("no VMAF frames"))
}

/// The frame of a decode event, or an error naming `name`.
fn decoded(event: reel_media::Result<DecodeEvent>, name: &str) -> Result<VideoFrame> {
    match event {
        Ok(DecodeEvent::Frame(f)) => Ok(f),
        Ok(DecodeEvent::Error(issue)) => Err(anyhow!(
            "{name}: decode error at packet {}: {}",
            issue.packet,
            issue.message
        )),
        Err(e) => Err(anyhow!(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_vmaf::VmafConfig;

    /// Scoring against the held reference frames and against frames decoded
    /// afresh give the same score, frame for frame.
    #[test]
    fn cached_and_fresh_references_score_alike() {
        let source = reel_testkit::clip("carphone_pristine.mp4");
        let distorted = reel_testkit::clip("carphone_distorted.mp4");
        let source = source.to_string_lossy();
        let seg = TrialSegment {
            start_frame: 0,
            frame_count: 120,
            complexity: 0.5,
        };
        let display = Resolution::new(352, 288);
        let scorer = Vmaf::try_new(VmafConfig {
            subsample: 4,
            ..VmafConfig::default()
        })
        .expect("scorer");
        let cached = cache_reference(&source, &seg, display).expect("cache");
        assert_eq!(cached.as_ref().map(Vec::len), Some(120));
        let held = score_segment(&source, &seg, &distorted, display, &scorer, &cached)
            .expect("score with the held reference");
        let fresh = score_segment(&source, &seg, &distorted, display, &scorer, &None)
            .expect("score with a fresh decode");
        assert_eq!(held, fresh);
        // A real difference was measured, not a clip against itself.
        assert!((5.0..95.0).contains(&held), "{held}");
    }
}
