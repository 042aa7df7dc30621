//! One validation of an encode: every check, in order, over a local copy of
//! the job directory.

use crate::align::{align, Alignment};
use crate::error::{Error, Result};
use crate::quality::{self, QualityTargets};
use crate::report::Report;
use crate::scan::{scan_file, FileScan};
use crate::signature::Signature;
use crate::{audio, conformance, dash, frames, gop, hls, integrity};
use rayon::prelude::*;
use reel_core::manifest::{CheckResult, EncodeManifest, RenditionEntry, RenditionQuality};
use reel_core::Resolution;
use reel_vmaf::{Vmaf, VmafConfig};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What to hold the outputs to beyond what `encode.json` says.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Score VMAF (the `quality.vmaf` / `quality.prediction` checks).
    pub vmaf: bool,
    /// Size every rendition is upscaled to for VMAF; the source's when `None`.
    pub display: Option<Resolution>,
    /// VMAF floor for renditions whose recipe sets none.
    pub min_vmaf: Option<f64>,
    /// Predicted VMAF per rung name (from `ladder.json`).
    pub predictions: Vec<(String, f64)>,
    /// Threads for scanning and scoring; 0 uses every core.
    pub threads: usize,
}

/// Everything a validation found.
#[derive(Debug, Clone, Default)]
pub struct Validation {
    pub checks: Vec<CheckResult>,
    pub quality: Vec<RenditionQuality>,
    pub vmaf_model: Option<String>,
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "reel-validate-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|source| Error::Scratch {
            what: "creating",
            path: dir.clone(),
            source,
        })?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn signatures(scan: &FileScan) -> Vec<Signature> {
    scan.frames.iter().map(|f| f.signature).collect()
}

/// Validates the encode described by `manifest`, whose objects are under
/// `root`, against `source` (a path or URL libavformat can open).
///
/// Errors: only when validation cannot run (the source cannot be read, the
/// scorer cannot start); every finding about the outputs is a check result.
pub fn validate(
    root: &Path,
    manifest: &EncodeManifest,
    source: &str,
    opts: &ValidateOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Validation> {
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads)
            .thread_name(|i| format!("reel-validate-{i}"))
            .build()
            .map_err(|e| Error::Vmaf(Box::new(reel_vmaf::Error::Config(e.to_string()))))?,
    );
    let scratch = Scratch::new()?;
    let mut report = Report::default();
    progress("checking object integrity");
    integrity::check_objects(root, &manifest.objects, &mut report);

    progress("scanning the source and the renditions");
    let (source_scan, scans) = pool.install(|| {
        rayon::join(
            || scan_file(source),
            || {
                manifest
                    .renditions
                    .par_iter()
                    .map(|r| scan_file(&root.join(&r.key).to_string_lossy()))
                    .collect::<Vec<_>>()
            },
        )
    });
    let source_info = source_scan.info.clone().ok_or_else(|| Error::Source {
        input: source.to_string(),
        reason: source_scan.problems.join("; "),
    })?;
    let source_video = source_info
        .video
        .clone()
        .ok_or_else(|| Error::NoVideo(source.to_string()))?;
    let source_sigs = signatures(&source_scan);
    let alignments: Vec<Alignment> = pool.install(|| {
        scans
            .par_iter()
            .map(|s| align(&source_sigs, &signatures(s)))
            .collect()
    });

    let vmaf = if opts.vmaf {
        let config = VmafConfig {
            pool: Some(pool.clone()),
            ..VmafConfig::default()
        };
        Some(Vmaf::try_new(config).map_err(|e| Error::Vmaf(Box::new(e)))?)
    } else {
        None
    };
    let display = opts.display.unwrap_or(source_video.resolution);
    let mut validation = Validation::default();
    for ((entry, scan), alignment) in manifest.renditions.iter().zip(&scans).zip(&alignments) {
        let name = entry.recipe.name.as_str();
        frames::check_decodable(name, scan, &mut report);
        let Some(video) = scan.info.as_ref().and_then(|i| i.video.as_ref()) else {
            report.skip("frames", name, "the rendition cannot be opened");
            continue;
        };
        frames::check_frames(name, scan, &source_scan, alignment, &mut report);
        conformance::check_recipe(
            &entry.recipe,
            video,
            &source_video,
            manifest.frame_rate,
            &mut report,
        );
        gop::check_gop(name, scan, manifest, &mut report);
        quality::check_black_frozen(name, scan, &source_scan, alignment, &mut report);
        if let Some(vmaf) = &vmaf {
            progress(&format!("scoring {name}"));
            let targets = QualityTargets {
                display,
                min_vmaf: entry.recipe.min_vmaf.map(f64::from).or(opts.min_vmaf),
                predicted: prediction(entry, &opts.predictions),
            };
            let path = root.join(&entry.key);
            match quality::score(source, &path.to_string_lossy(), alignment, display, vmaf) {
                Ok(scores) => {
                    validation.vmaf_model = Some(scores.model.clone());
                    if let Some(q) = quality::check_scores(name, &scores, &targets, &mut report) {
                        validation.quality.push(q);
                    }
                }
                Err(why) => report.push(
                    "quality.vmaf",
                    name,
                    reel_core::manifest::CheckStatus::Fail,
                    format!("scoring failed: {why}"),
                ),
            }
        }
    }
    progress("checking audio and packaging");
    let frame_s = source_scan.frame_duration().unwrap_or(0.0);
    let video_s = source_scan.duration_s().unwrap_or(0.0);
    audio::check_audio(
        root,
        manifest.audio.as_ref(),
        &source_info,
        video_s,
        frame_s,
        &mut report,
    );
    if let Some(master) = &manifest.hls_master {
        hls::check_hls(root, master, manifest, &scratch.0, &mut report);
    }
    if let Some(mpd) = &manifest.dash_manifest {
        dash::check_dash(root, mpd, manifest, &scratch.0, &mut report);
    }
    validation.checks = report.checks;
    Ok(validation)
}

fn prediction(entry: &RenditionEntry, predictions: &[(String, f64)]) -> Option<f64> {
    predictions
        .iter()
        .find(|(n, _)| *n == entry.recipe.name)
        .map(|(_, v)| *v)
}
