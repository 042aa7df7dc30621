//! One validation of an encode: every check, in order, over a local copy of
//! the job directory.

use crate::align::{align, Alignment};
use crate::error::{Error, Result};
use crate::parts::ScoringPlan;
use crate::quality::{self, QualityTargets};
use crate::report::Report;
use crate::scan::{scan_file, FileScan};
use crate::signature::Signature;
use crate::{audio, conformance, dash, frames, gop, hls, integrity};
use rayon::prelude::*;
use reel_core::manifest::{CheckResult, EncodeManifest, RenditionEntry, RenditionQuality};
use reel_core::Resolution;
use reel_media::{SourceInfo, VideoParams};
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
    /// With `vmaf`, leave the scoring to parts scored elsewhere:
    /// [`validate_rendition`] records a [`ScoringPlan`] instead (see
    /// [`crate::score_rendition_part`], [`crate::finish_rendition`]).
    pub vmaf_in_parts: bool,
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

/// One rendition's findings, as a validation unit on another machine returns
/// them: its checks in the order they ran, its VMAF, the model scored with.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RenditionValidation {
    pub checks: Vec<CheckResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<RenditionQuality>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vmaf_model: Option<String>,
    /// What scoring the rendition's VMAF in parts needs, when that is left
    /// to parts ([`ValidateOptions::vmaf_in_parts`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<ScoringPlan>,
}

/// The checks of the job as a whole: object integrity (first in the
/// report), then audio and packaging (last).
#[derive(Debug, Clone, Default)]
pub struct PackageValidation {
    pub integrity: Vec<CheckResult>,
    pub packaging: Vec<CheckResult>,
}

/// The source, scanned once for every rendition.
struct ScannedSource {
    scan: FileScan,
    info: SourceInfo,
    video: VideoParams,
    signatures: Vec<Signature>,
}

pub(crate) fn thread_pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("reel-validate-{i}"))
        .build()
        .map(Arc::new)
        .map_err(|e| Error::Vmaf(Box::new(reel_vmaf::Error::Config(e.to_string()))))
}

fn scan_source(source: &str) -> Result<ScannedSource> {
    let scan = scan_file(source);
    let info = scan.info.clone().ok_or_else(|| Error::Source {
        input: source.to_string(),
        reason: scan.problems.join("; "),
    })?;
    let video = info
        .video
        .clone()
        .ok_or_else(|| Error::NoVideo(source.to_string()))?;
    let signatures = signatures(&scan);
    Ok(ScannedSource {
        scan,
        info,
        video,
        signatures,
    })
}

fn scorer(opts: &ValidateOptions, pool: &Arc<rayon::ThreadPool>) -> Result<Option<Vmaf>> {
    if !opts.vmaf || opts.vmaf_in_parts {
        return Ok(None);
    }
    let config = VmafConfig {
        pool: Some(pool.clone()),
        ..VmafConfig::default()
    };
    Ok(Some(
        Vmaf::try_new(config).map_err(|e| Error::Vmaf(Box::new(e)))?,
    ))
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
    let pool = thread_pool(opts.threads)?;
    progress("checking object integrity");
    let mut integrity = Report::default();
    integrity::check_objects(root, &manifest.objects, &mut integrity);

    progress("scanning the source and the renditions");
    let (scanned, scans) = pool.install(|| {
        rayon::join(
            || scan_source(source),
            || {
                manifest
                    .renditions
                    .par_iter()
                    .map(|r| scan_file(&root.join(&r.key).to_string_lossy()))
                    .collect::<Vec<_>>()
            },
        )
    });
    let scanned = scanned?;
    let alignments: Vec<Alignment> = pool.install(|| {
        scans
            .par_iter()
            .map(|s| align(&scanned.signatures, &signatures(s)))
            .collect()
    });
    let vmaf = scorer(opts, &pool)?;
    let mut renditions = Vec::new();
    for ((entry, scan), alignment) in manifest.renditions.iter().zip(&scans).zip(&alignments) {
        renditions.push(check_rendition(
            root, manifest, entry, scan, &scanned, alignment, source, opts, &vmaf, progress,
        ));
    }
    progress("checking audio and packaging");
    let packaging = package_checks(root, manifest, &scanned)?;
    Ok(merge(
        PackageValidation {
            integrity: integrity.checks,
            packaging,
        },
        renditions,
    ))
}

/// The checks of rendition `index` of `manifest` alone (decoding, frames,
/// recipe, GOP, black and frozen spans, VMAF), its file under `root`: one
/// validation unit, run where a queue worker is.
///
/// Errors: as [`validate`]; [`Error::NoRendition`] for an index past the list.
pub fn validate_rendition(
    root: &Path,
    manifest: &EncodeManifest,
    index: usize,
    source: &str,
    opts: &ValidateOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<RenditionValidation> {
    let entry = manifest
        .renditions
        .get(index)
        .ok_or(Error::NoRendition(index))?;
    let pool = thread_pool(opts.threads)?;
    let (scanned, scan) = pool.install(|| {
        rayon::join(
            || scan_source(source),
            || scan_file(&root.join(&entry.key).to_string_lossy()),
        )
    });
    let scanned = scanned?;
    let alignment = align(&scanned.signatures, &signatures(&scan));
    let vmaf = scorer(opts, &pool)?;
    Ok(check_rendition(
        root, manifest, entry, &scan, &scanned, &alignment, source, opts, &vmaf, progress,
    ))
}

/// The checks of the job as a whole: integrity of every object, audio, HLS
/// and DASH, leaving the renditions' own checks to [`validate_rendition`].
///
/// Errors: as [`validate`].
pub fn validate_package(
    root: &Path,
    manifest: &EncodeManifest,
    source: &str,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<PackageValidation> {
    progress("checking object integrity");
    let mut integrity = Report::default();
    integrity::check_objects(root, &manifest.objects, &mut integrity);
    progress("scanning the source");
    let scanned = scan_source(source)?;
    progress("checking audio and packaging");
    Ok(PackageValidation {
        integrity: integrity.checks,
        packaging: package_checks(root, manifest, &scanned)?,
    })
}

/// One validation of the job as a whole and its renditions (in the
/// manifest's order), as [`validate`] reports it.
pub fn merge(package: PackageValidation, renditions: Vec<RenditionValidation>) -> Validation {
    let mut validation = Validation {
        checks: package.integrity,
        ..Validation::default()
    };
    for r in renditions {
        validation.checks.extend(r.checks);
        validation.quality.extend(r.quality);
        if r.vmaf_model.is_some() {
            validation.vmaf_model = r.vmaf_model;
        }
    }
    validation.checks.extend(package.packaging);
    validation
}

#[allow(clippy::too_many_arguments)]
fn check_rendition(
    root: &Path,
    manifest: &EncodeManifest,
    entry: &RenditionEntry,
    scan: &FileScan,
    source_scan: &ScannedSource,
    alignment: &Alignment,
    source: &str,
    opts: &ValidateOptions,
    vmaf: &Option<Vmaf>,
    progress: &(dyn Fn(&str) + Sync),
) -> RenditionValidation {
    let mut report = Report::default();
    let mut out = RenditionValidation::default();
    let name = entry.recipe.name.as_str();
    let display = opts.display.unwrap_or(source_scan.video.resolution);
    frames::check_decodable(name, scan, &mut report);
    let Some(video) = scan.info.as_ref().and_then(|i| i.video.as_ref()) else {
        report.skip("frames", name, "the rendition cannot be opened");
        out.checks = report.checks;
        return out;
    };
    frames::check_frames(name, scan, &source_scan.scan, alignment, &mut report);
    conformance::check_recipe(
        &entry.recipe,
        video,
        &source_scan.video,
        manifest.frame_rate,
        &mut report,
    );
    gop::check_gop(name, scan, manifest, &mut report);
    quality::check_black_frozen(name, scan, &source_scan.scan, alignment, &mut report);
    if opts.vmaf {
        let targets = QualityTargets {
            display,
            min_vmaf: entry.recipe.min_vmaf.map(f64::from).or(opts.min_vmaf),
            predicted: prediction(entry, &opts.predictions),
        };
        if opts.vmaf_in_parts {
            out.scoring = Some(ScoringPlan {
                display,
                source_of: alignment.source_of.clone(),
                min_vmaf: targets.min_vmaf,
                predicted: targets.predicted,
            });
        } else if let Some(vmaf) = vmaf {
            progress(&format!("scoring {name}"));
            let path = root.join(&entry.key);
            match quality::score(source, &path.to_string_lossy(), alignment, display, vmaf) {
                Ok(scores) => {
                    out.vmaf_model = Some(scores.model.clone());
                    out.quality = quality::check_scores(name, &scores, &targets, &mut report);
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
    out.checks = report.checks;
    out
}

fn package_checks(
    root: &Path,
    manifest: &EncodeManifest,
    source: &ScannedSource,
) -> Result<Vec<CheckResult>> {
    let scratch = Scratch::new()?;
    let mut report = Report::default();
    let frame_s = source.scan.frame_duration().unwrap_or(0.0);
    let video_s = source.scan.duration_s().unwrap_or(0.0);
    audio::check_audio(
        root,
        manifest.audio.as_ref(),
        &source.info,
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
    Ok(report.checks)
}

fn prediction(entry: &RenditionEntry, predictions: &[(String, f64)]) -> Option<f64> {
    predictions
        .iter()
        .find(|(n, _)| *n == entry.recipe.name)
        .map(|(_, v)| *v)
}
