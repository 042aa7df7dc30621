//! VMAF of a rendition scored in parts, one per encode chunk, by other
//! machines: a rendition's validation unit records what the parts need (the
//! frame pairing, the display size, the targets) instead of scoring, each
//! part is scored on its own, and the joined scores give the same
//! `quality.vmaf` and `quality.prediction` checks as a whole-rendition run.

use crate::error::{Error, Result};
use crate::quality::{self, QualityTargets};
use crate::report::Report;
use crate::run::{thread_pool, RenditionValidation};
use reel_core::manifest::{CheckStatus, EncodeManifest};
use reel_core::Resolution;
use reel_vmaf::{ClipPart, ScoredPart, Scores, Vmaf, VmafConfig};

/// What scoring a rendition in parts needs, from its validation unit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoringPlan {
    /// Size both videos are scaled to.
    pub display: Resolution,
    /// Source frame of each rendition frame (the alignment).
    pub source_of: Vec<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_vmaf: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicted: Option<f64>,
}

impl ScoringPlan {
    /// The rendition's frames cut where the encode's chunks start.
    pub fn parts(&self, manifest: &EncodeManifest) -> Vec<ClipPart> {
        let frames = self.source_of.len() as u64;
        let mut cuts: Vec<u64> = manifest
            .chunks
            .iter()
            .map(|c| c.start_frame)
            .filter(|&s| s > 0 && s < frames)
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut parts = Vec::new();
        let mut start = 0;
        for end in cuts.into_iter().chain(std::iter::once(frames)) {
            parts.push(ClipPart {
                start,
                end,
                clip_frames: frames,
            });
            start = end;
        }
        parts
    }
}

/// VMAF of `part` of `rendition` against `source` (paths or URLs
/// libavformat opens, read from a seek to the part), on
/// `threads` threads (0: every core).
///
/// Errors: [`Error::Vmaf`] when the scorer cannot start or the part cannot
/// be scored (a video that cannot be decoded, fewer frames than planned).
pub fn score_rendition_part(
    source: &str,
    rendition: &str,
    plan: &ScoringPlan,
    part: ClipPart,
    threads: usize,
) -> Result<ScoredPart> {
    let pool = thread_pool(threads)?;
    let vmaf = Vmaf::try_new(VmafConfig {
        pool: Some(pool),
        ..VmafConfig::default()
    })
    .map_err(|e| Error::Vmaf(Box::new(e)))?;
    let scores = quality::score_part(
        source,
        rendition,
        &plan.source_of,
        plan.display,
        part,
        &vmaf,
    )
    .map_err(|message| {
        Error::Vmaf(Box::new(reel_vmaf::Error::Source {
            frame: part.start,
            message,
        }))
    })?;
    Ok(ScoredPart::new(part, scores))
}

/// Adds the quality checks of the joined `parts` to the findings of
/// rendition `name`, as a whole-rendition run would have made them.
pub fn finish_rendition(
    found: &mut RenditionValidation,
    name: &str,
    plan: &ScoringPlan,
    parts: Vec<ScoredPart>,
) {
    let mut report = Report::default();
    let scores = if plan.source_of.is_empty() {
        Ok(Scores::from_frames(String::new(), Vec::new()))
    } else {
        Scores::join(parts)
    };
    match scores {
        Ok(scores) => {
            let targets = QualityTargets {
                display: plan.display,
                min_vmaf: plan.min_vmaf,
                predicted: plan.predicted,
            };
            if !scores.model.is_empty() {
                found.vmaf_model = Some(scores.model.clone());
            }
            found.quality = quality::check_scores(name, &scores, &targets, &mut report);
        }
        Err(e) => report.push(
            "quality.vmaf",
            name,
            CheckStatus::Fail,
            format!("scoring failed: {e}"),
        ),
    }
    found.checks.extend(report.checks);
    found.scoring = None;
}
