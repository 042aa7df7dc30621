//! Quality checks of one rendition: VMAF against the source (upscaled to the
//! display size, frames paired by the alignment so one dropped frame does not
//! shift every later pair), the recipe's floor, the ladder's prediction, and
//! black or frozen spans the source does not have.

use crate::align::Alignment;
use crate::report::Report;
use crate::scan::FileScan;
use reel_core::manifest::RenditionQuality;
use reel_core::{FrameIndex, PixelLayout, Resolution, VideoFrame};
use reel_media::{DecodeEvent, DecoderOptions, ScaleAlgorithm, Scaler};
use reel_vmaf::{ClipPart, Scores, Vmaf};

/// Largest distance from the ladder's predicted VMAF.
const PREDICTION_TOLERANCE: f64 = 2.0;
/// Block means all at or below this (8-bit) make a black picture.
const BLACK_MAX_LEVEL: f32 = 24.0;
/// A picture this close to the one before is a repeat...
const FROZEN_DISTANCE: f32 = 0.25;
/// ...and a run of repeats is frozen when the output moves less than this
/// over the whole run...
const FROZEN_SPAN_MOTION: f32 = 0.5;
/// ...while the source moves at least this much: clearly visible motion.
/// Low rungs legitimately keep slow motion still (skipped blocks), so a
/// small source movement is not enough.
const SOURCE_MOTION: f32 = 3.0;
/// Shortest black or frozen run worth reporting, in frames.
const MIN_SPAN: usize = 3;

/// What the quality checks of one rendition compare against.
#[derive(Debug, Clone, Copy)]
pub struct QualityTargets {
    pub display: Resolution,
    pub min_vmaf: Option<f64>,
    pub predicted: Option<f64>,
}

/// Frames `start..start + count` (all from `start` without a count) of
/// `input`, seeking to the first.
fn decode_frames(
    input: &str,
    start: usize,
    count: Option<usize>,
) -> Result<impl Iterator<Item = Result<VideoFrame, String>>, String> {
    let opts = DecoderOptions {
        start_frame: start as u64,
        max_frames: count.map(|c| c as u64),
        ..DecoderOptions::default()
    };
    let rx = reel_media::spawn_decoder(input.to_string(), opts, 2).map_err(|e| e.to_string())?;
    let name = input.to_string();
    Ok(rx.filter_map(move |event| match event {
        Ok(DecodeEvent::Frame(f)) => Some(Ok(f)),
        // Decode errors are the decodability check's finding; score what decodes.
        Ok(DecodeEvent::Error(_)) => None,
        Err(e) => Some(Err(format!("{name}: {e}"))),
    }))
}

fn scaler_to(
    frame: &VideoFrame,
    display: Resolution,
    layout: PixelLayout,
) -> Result<Option<Scaler>, String> {
    if frame.resolution == display && frame.layout == layout {
        return Ok(None);
    }
    Scaler::new(
        (frame.resolution, frame.layout),
        (display, layout),
        ScaleAlgorithm::Bicubic,
    )
    .map(Some)
    .map_err(|e| e.to_string())
}

/// The (source, rendition) frame pairs of rendition frames `frames` (all
/// from its start without an end), both scaled to `display`: output frame i
/// with source frame `source_of[i]`.
fn frame_pairs<'a>(
    source: &'a str,
    rendition: &'a str,
    source_of: &'a [usize],
    display: Resolution,
    frames: std::ops::Range<usize>,
    whole: bool,
) -> Result<impl Iterator<Item = reel_vmaf::Result<(VideoFrame, VideoFrame)>> + 'a, String> {
    let first = frames.start;
    let src_first = if whole {
        0
    } else {
        *source_of
            .get(first)
            .ok_or_else(|| format!("{rendition}: no frame {first}"))?
    };
    let (out_count, src_count) = if whole {
        (None, None)
    } else {
        let last = frames.end.saturating_sub(1).max(first);
        let src_last = *source_of
            .get(last)
            .ok_or_else(|| format!("{rendition}: no frame {last}"))?;
        (
            Some(frames.end - first),
            Some(src_last.saturating_sub(src_first) + 1),
        )
    };
    let mut src = decode_frames(source, src_first, src_count)?;
    let out = decode_frames(rendition, first, out_count)?;
    let mut current: Option<(usize, VideoFrame)> = None;
    let mut src_next = src_first;
    let mut scalers: (Option<Option<Scaler>>, Option<Option<Scaler>>) = (None, None);
    let mut pair = move |i: usize, frame: VideoFrame| -> Result<(VideoFrame, VideoFrame), String> {
        let want = *source_of
            .get(i)
            .ok_or_else(|| format!("{rendition}: more frames than when it was scanned"))?;
        while current.as_ref().is_none_or(|(j, _)| *j < want) {
            let f = src
                .next()
                .ok_or_else(|| format!("{source}: ended before frame {want}"))??;
            current = Some((src_next, f));
            src_next += 1;
        }
        let (_, reference) = current.as_ref().ok_or("no source frame")?;
        let layout = PixelLayout::new(reference.layout.chroma, reference.layout.bit_depth);
        let mut reference = reference.clone();
        if scalers.0.is_none() {
            scalers.0 = Some(scaler_to(&reference, display, layout)?);
        }
        if let Some(Some(s)) = scalers.0.as_mut() {
            reference = s.scale(&reference).map_err(|e| e.to_string())?;
        }
        if scalers.1.is_none() {
            scalers.1 = Some(scaler_to(&frame, display, layout)?);
        }
        let mut distorted = frame;
        if let Some(Some(s)) = scalers.1.as_mut() {
            distorted = s.scale(&distorted).map_err(|e| e.to_string())?;
        }
        reference.index = FrameIndex(i as u64);
        distorted.index = FrameIndex(i as u64);
        Ok((reference, distorted))
    };
    Ok((first..).zip(out).map(move |(i, f)| {
        f.and_then(|f| pair(i, f))
            .map_err(|message| reel_vmaf::Error::Source {
                frame: i as u64,
                message,
            })
    }))
}

/// VMAF of `rendition` against `source`, pairing output frame i with source
/// frame `alignment.source_of[i]`.
pub fn score(
    source: &str,
    rendition: &str,
    alignment: &Alignment,
    display: Resolution,
    vmaf: &Vmaf,
) -> Result<Scores, String> {
    let pairs = frame_pairs(
        source,
        rendition,
        &alignment.source_of,
        display,
        0..usize::MAX,
        true,
    )?;
    vmaf.score(pairs).map_err(|e| e.to_string())
}

/// VMAF of rendition frames `part` (decoded from a seek to the frame before
/// it), paired as [`score`] pairs them: those frames' scores in a
/// whole-rendition run.
pub fn score_part(
    source: &str,
    rendition: &str,
    source_of: &[usize],
    display: Resolution,
    part: ClipPart,
    vmaf: &Vmaf,
) -> Result<Scores, String> {
    let input = part.input();
    let range = usize::try_from(input.start).map_err(|e| e.to_string())?
        ..usize::try_from(input.end).map_err(|e| e.to_string())?;
    let pairs = frame_pairs(source, rendition, source_of, display, range, false)?;
    vmaf.score_part(part, pairs).map_err(|e| e.to_string())
}

/// `quality.vmaf` and `quality.prediction` from the scores.
pub fn check_scores(
    name: &str,
    scores: &Scores,
    targets: &QualityTargets,
    report: &mut Report,
) -> Option<RenditionQuality> {
    let Some(p) = scores.pooled.get("vmaf") else {
        report.push(
            "quality.vmaf",
            name,
            reel_core::manifest::CheckStatus::Fail,
            "no VMAF was computed",
        );
        return None;
    };
    let floor_text = match targets.min_vmaf {
        Some(f) => format!("floor {f:.1}"),
        None => "no floor set".to_string(),
    };
    report.expect(
        "quality.vmaf",
        name,
        targets.min_vmaf.is_none_or(|f| p.mean >= f),
        format!(
            "VMAF mean {:.2}, 5th percentile {:.2}, min {:.2} over {} frames at {} ({}); {floor_text}",
            p.mean,
            p.p5,
            p.min,
            scores.frames.len(),
            targets.display,
            scores.model
        ),
    );
    if let Some(pred) = targets.predicted {
        report.expect(
            "quality.prediction",
            name,
            (p.mean - pred).abs() <= PREDICTION_TOLERANCE,
            format!("VMAF mean {:.2}, ladder predicted {pred:.2}", p.mean),
        );
    }
    Some(RenditionQuality {
        name: name.to_string(),
        vmaf_mean: p.mean,
        vmaf_p5: p.p5,
        vmaf_min: p.min,
        frames: scores.frames.len() as u64,
        vmaf_frames: scores
            .frames
            .iter()
            .filter_map(|f| f.metrics.get("vmaf"))
            .map(|v| (v * 1000.0).round() / 1000.0)
            .collect(),
    })
}

/// Runs of at least [`MIN_SPAN`] true values, as (first, last) indices.
fn runs(flags: &[bool]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &f) in flags.iter().chain(std::iter::once(&false)).enumerate() {
        match (f, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= MIN_SPAN {
                    out.push((s, i - 1));
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// `quality.black_frozen`: black or frozen spans in the output where the source has none.
///
/// A frozen span is a run of output frames each (nearly) equal to the one
/// before, over which the source frames they stand for change; a black span
/// a run of black output frames whose source frames are not black.
pub fn check_black_frozen(
    name: &str,
    out: &FileScan,
    source: &FileScan,
    alignment: &Alignment,
    report: &mut Report,
) {
    let n = out.frames.len().min(alignment.source_of.len());
    let out_sig = |i: usize| out.frames[i].signature;
    let src_sig = |i: usize| {
        source
            .frames
            .get(alignment.source_of[i])
            .map(|f| f.signature)
    };
    let black: Vec<bool> = (0..n)
        .map(|i| {
            out_sig(i).max() <= BLACK_MAX_LEVEL
                && src_sig(i).is_some_and(|s| s.max() > BLACK_MAX_LEVEL)
        })
        .collect();
    let still: Vec<bool> = (0..n)
        .map(|i| {
            i > 0
                && out_sig(i).max() > BLACK_MAX_LEVEL
                && out_sig(i).distance(&out_sig(i - 1)) < FROZEN_DISTANCE
        })
        .collect();
    // A still run is frozen when, across it, the source moves and the output
    // does not (a slow pan moves both, a little per frame).
    let frozen: Vec<(usize, usize)> = runs(&still)
        .into_iter()
        .filter(|&(a, b)| {
            let (Some(src_first), out_first) = (src_sig(a - 1), out_sig(a - 1)) else {
                return false;
            };
            let span = |f: &dyn Fn(usize) -> f32| (a..=b).map(f).fold(0.0, f32::max);
            let out_moved = span(&|i| out_sig(i).distance(&out_first));
            let src_moved = span(&|i| src_sig(i).map_or(0.0, |s| s.distance(&src_first)));
            out_moved < FROZEN_SPAN_MOTION && src_moved >= SOURCE_MOTION
        })
        .collect();
    let black = runs(&black);
    let span = |r: &[(usize, usize)]| {
        r.iter()
            .map(|(a, b)| format!("frames {a}-{b}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ok = black.is_empty() && frozen.is_empty();
    let evidence = if ok {
        "no black or frozen span that the source does not have".to_string()
    } else {
        let mut parts = Vec::new();
        if !black.is_empty() {
            parts.push(format!("black where the source is not: {}", span(&black)));
        }
        if !frozen.is_empty() {
            parts.push(format!("frozen where the source moves: {}", span(&frozen)));
        }
        parts.join("; ")
    };
    report.expect("quality.black_frozen", name, ok, evidence);
}
