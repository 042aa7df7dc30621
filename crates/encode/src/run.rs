//! The encode stage as one synchronous call: plan the chunks, encode the
//! units on a rayon pool (longest first), encode the audio, assemble every
//! rung, package HLS/DASH and write `encode.json` last.

use crate::assemble::{assemble, rendition_path};
use crate::audio::{encode_audio, AudioOptions};
use crate::checksum::{file_checksum, write_atomic};
use crate::codec::{encoder_name, StreamLook};
use crate::error::{Error, Result};
use crate::package::{package_dash, package_hls};
use crate::plan::{plan_chunks, ChunkLimits};
use crate::spec::check_recipe;
use crate::unit::{chunk_verified, encode_unit, UnitContext};
use rayon::prelude::*;
use reel_core::manifest::{
    AudioEntry, ChunkSpan, EncodeManifest, InputRef, InspectReport, ManifestHeader, ObjectEntry,
    Producer, RenditionEntry, ENCODE_SCHEMA_VERSION,
};
use reel_core::{ColorInfo, HdrInfo, Rational, Resolution, RungRecipe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// What the stage needs to know about the source (from `inspect.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFacts {
    pub source: String,
    pub frame_count: u64,
    pub frame_rate: Rational,
    pub cuts: Vec<u64>,
    /// Coded size; with `sar` it gives the display aspect every rung keeps.
    pub resolution: Resolution,
    pub sar: Rational,
    pub color: ColorInfo,
    /// HDR10 static metadata, carried into every rendition.
    pub hdr: HdrInfo,
    /// Display rotation (degrees counter-clockwise), tagged on every rendition.
    pub rotation: i32,
}

impl SourceFacts {
    /// Takes frame count, rate, cuts, SAR and colour from an inspect report.
    ///
    /// Errors: [`Error::Config`] when the report has no video.
    pub fn from_inspect(source: &str, report: &InspectReport) -> Result<SourceFacts> {
        let v = report
            .video
            .as_ref()
            .ok_or_else(|| Error::Config(format!("inspect report of {source} has no video")))?;
        Ok(SourceFacts {
            source: source.to_string(),
            frame_count: v.frame_count,
            frame_rate: v.frame_rate,
            cuts: report.cuts.clone(),
            resolution: Resolution::new(v.width, v.height),
            sar: v.sar,
            color: v.color.clone(),
            hdr: v.hdr.clone(),
            rotation: v.rotation,
        })
    }

    /// What every rendition keeps from the source: rate, aspect, colour,
    /// HDR10 metadata and rotation.
    pub fn look(&self) -> StreamLook {
        StreamLook {
            frame_rate: self.frame_rate,
            sar: self.sar,
            display_aspect: self.display_aspect(),
            color: self.color.clone(),
            hdr: self.hdr.clone(),
            rotation: self.rotation,
        }
    }

    /// Coded size x SAR (an unknown SAR counts as square).
    pub fn display_aspect(&self) -> Rational {
        let sar = if self.sar.num > 0 && self.sar.den > 0 {
            self.sar
        } else {
            Rational::new(1, 1)
        };
        Rational::new(
            i64::from(self.resolution.width) * sar.num,
            i64::from(self.resolution.height) * sar.den,
        )
    }

    /// Probes the source with reel-media (declared frame count; no cuts).
    /// For tests and callers without an inspect report.
    ///
    /// Errors: [`Error::Config`] when the source cannot be probed.
    pub fn probe(source: &str) -> Result<SourceFacts> {
        let info = reel_media::MediaSource::open(source)
            .map_err(|e| Error::Config(e.to_string()))?
            .info()
            .clone();
        let v = info
            .video
            .ok_or_else(|| Error::Config(format!("{source}: no video stream")))?;
        let frame_rate = v
            .frame_rate()
            .ok_or_else(|| Error::Config(format!("{source}: unknown frame rate")))?;
        let frame_count = match v.declared_frames {
            Some(n) if n > 0 => n,
            _ => {
                let opts = reel_media::DecoderOptions::default();
                reel_media::VideoDecoder::open(source, &opts)
                    .map_err(|e| Error::Config(e.to_string()))?
                    .filter(|e| matches!(e, Ok(reel_media::DecodeEvent::Frame(_))))
                    .count() as u64
            }
        };
        Ok(SourceFacts {
            source: source.to_string(),
            frame_count,
            frame_rate,
            cuts: Vec::new(),
            resolution: v.resolution,
            sar: v.sar,
            color: v.color,
            hdr: v.hdr,
            rotation: v.rotation,
        })
    }
}

/// How to run the stage.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodeConfig {
    pub rungs: Vec<RungRecipe>,
    /// Forced key frame cadence inside chunks, seconds (2 s default).
    pub keyframe_interval_s: f64,
    /// Chunk length limits, seconds.
    pub min_chunk_s: f64,
    pub max_chunk_s: f64,
    /// Worker threads in all (0 = the machine's cores).
    pub threads: usize,
    pub audio: AudioOptions,
    pub hls: bool,
    pub dash: bool,
    /// Stop after this many units (for resume tests); `None` runs all.
    pub unit_limit: Option<usize>,
    pub job_id: Option<String>,
    /// What to do about a unit whose chunks are not all done.
    pub missing_chunks: MissingChunks,
    /// Encoder threads of every unit, fixed by a plan; `None` derives them
    /// from `threads`.
    pub encoder_threads: Option<usize>,
}

/// What the stage does about a unit whose chunks are not all done already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingChunks {
    /// Encode it (a local run, or a resume).
    #[default]
    Encode,
    /// Fail, naming the units: they were to be encoded elsewhere (`reel task`).
    Fail,
}

impl Default for EncodeConfig {
    fn default() -> Self {
        EncodeConfig {
            rungs: Vec::new(),
            keyframe_interval_s: 2.0,
            min_chunk_s: 2.0,
            max_chunk_s: 10.0,
            threads: 0,
            audio: AudioOptions::default(),
            hls: true,
            dash: true,
            unit_limit: None,
            job_id: None,
            missing_chunks: MissingChunks::Encode,
            encoder_threads: None,
        }
    }
}

/// What a run is doing, told to the caller's progress display as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeProgress {
    /// Chunk units (one chunk of the title, every rung) finished or verified:
    /// `done` of `total`, behind which `frames` frames were encoded (all rungs).
    Chunks { done: u64, total: u64, frames: u64 },
    /// A step after the chunks: `audio`, `assembly`, `hls`, `dash`.
    Step(&'static str),
}

/// A progress callback that ignores everything.
pub fn no_progress(_: EncodeProgress) {}

/// Progress of a run, for callers that report it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunStats {
    pub units: usize,
    pub chunks_encoded: usize,
    pub chunks_skipped: usize,
}

/// The chunk plan `config` gives for `facts`.
pub fn plan_for(facts: &SourceFacts, config: &EncodeConfig) -> (u32, Vec<ChunkSpan>) {
    let fps = facts.frame_rate.as_f64().max(1e-3);
    let gop = ((config.keyframe_interval_s * fps).round() as u32).max(1);
    let limits = ChunkLimits {
        min_frames: ((config.min_chunk_s * fps).round() as u64).max(1),
        max_frames: ((config.max_chunk_s * fps).round() as u64).max(1),
    };
    (gop, plan_chunks(facts.frame_count, &facts.cuts, limits))
}

/// The work of the chunk stage: the GOP, the chunk plan, what every unit
/// shares (with the encoder threads each unit gets) and how many units run at
/// once. `reel task` runs one of these units on its own.
///
/// Errors: [`Error::Config`] / [`Error::Spec`] for an unusable configuration.
pub fn units(
    facts: &SourceFacts,
    config: &EncodeConfig,
    out: &Path,
) -> Result<(u32, Vec<ChunkSpan>, UnitContext, usize)> {
    if config.rungs.is_empty() {
        return Err(Error::Config("no renditions to encode".to_string()));
    }
    for r in &config.rungs {
        check_recipe(r)?;
        if !reel_media::encoder_available(&encoder_name(r)) {
            return Err(Error::Spec {
                spec: r.name.clone(),
                reason: format!("encoder {} is not available", encoder_name(r)),
            });
        }
    }
    let mut names: Vec<&str> = config.rungs.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    if names.len() != config.rungs.len() {
        return Err(Error::Config("rendition names must be unique".to_string()));
    }
    if facts.frame_count == 0 {
        return Err(Error::Config(format!("{}: no frames", facts.source)));
    }
    let (gop, chunks) = plan_for(facts, config);
    let cores = if config.threads > 0 {
        config.threads
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    };
    let workers = cores.min(chunks.len()).max(1);
    let ctx = UnitContext {
        source: facts.source.clone(),
        out_dir: out.to_path_buf(),
        rungs: config.rungs.clone(),
        look: facts.look(),
        gop,
        // Encoders give other bytes with other thread counts: a plan fixes it
        // so every machine that runs a unit encodes it alike.
        encoder_threads: config
            .encoder_threads
            .unwrap_or((cores / workers / config.rungs.len()).max(1)),
        decoder_threads: 1,
    };
    Ok((gop, chunks, ctx, workers))
}

/// Encodes only the chunks (the resumable part). Returns how many units ran.
///
/// Errors: the first unit's error ([`Error::Chunk`], [`Error::Decode`]...).
pub fn encode_chunks(
    facts: &SourceFacts,
    config: &EncodeConfig,
    out: &Path,
) -> Result<(u32, Vec<ChunkSpan>, RunStats)> {
    encode_chunks_with(facts, config, out, &no_progress)
}

/// [`encode_chunks`], telling `progress` as each unit finishes.
pub fn encode_chunks_with(
    facts: &SourceFacts,
    config: &EncodeConfig,
    out: &Path,
    progress: &(dyn Fn(EncodeProgress) + Sync),
) -> Result<(u32, Vec<ChunkSpan>, RunStats)> {
    let (gop, chunks, ctx, workers) = units(facts, config, out)?;
    let mut order = chunks.clone();
    order.sort_by_key(|c| std::cmp::Reverse(c.frame_count));
    if let Some(limit) = config.unit_limit {
        order.truncate(limit);
    }
    if config.missing_chunks == MissingChunks::Fail {
        let missing: Vec<usize> = order
            .iter()
            .filter(|c| !config.rungs.iter().all(|r| chunk_verified(&ctx, r, c)))
            .map(|c| c.index)
            .collect();
        if !missing.is_empty() {
            return Err(Error::MissingUnits {
                total: order.len(),
                missing,
            });
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .map_err(|e| Error::Pool(e.to_string()))?;
    let encoded = AtomicUsize::new(0);
    let skipped = AtomicUsize::new(0);
    let done = AtomicU64::new(0);
    let frames = AtomicU64::new(0);
    let total = order.len() as u64;
    progress(EncodeProgress::Chunks {
        done: 0,
        total,
        frames: 0,
    });
    pool.install(|| {
        order.par_iter().with_max_len(1).try_for_each(|c| {
            let o = encode_unit(&ctx, c)?;
            encoded.fetch_add(o.encoded.len(), Ordering::Relaxed);
            skipped.fetch_add(o.skipped.len(), Ordering::Relaxed);
            let coded = c.frame_count * o.encoded.len() as u64;
            progress(EncodeProgress::Chunks {
                done: done.fetch_add(1, Ordering::Relaxed) + 1,
                total,
                frames: frames.fetch_add(coded, Ordering::Relaxed) + coded,
            });
            Ok::<(), Error>(())
        })
    })?;
    let stats = RunStats {
        units: order.len(),
        chunks_encoded: encoded.into_inner(),
        chunks_skipped: skipped.into_inner(),
    };
    Ok((gop, chunks, stats))
}

/// Runs the whole stage into the local directory `out` and returns the
/// manifest it wrote to `out/encode.json` (last).
///
/// Errors: any stage error; nothing half-written is left under a final name,
/// and completed chunks stay for a re-run.
pub fn run(facts: &SourceFacts, config: &EncodeConfig, out: &Path) -> Result<EncodeManifest> {
    run_with(facts, config, out, &no_progress)
}

/// [`run`], telling `progress` what it is doing.
pub fn run_with(
    facts: &SourceFacts,
    config: &EncodeConfig,
    out: &Path,
    progress: &(dyn Fn(EncodeProgress) + Sync),
) -> Result<EncodeManifest> {
    let (gop, chunks, stats) = encode_chunks_with(facts, config, out, progress)?;
    let frame_tb = facts.frame_rate.invert();
    let duration = facts.frame_count as f64 * frame_tb.as_f64();
    progress(EncodeProgress::Step("audio"));
    let audio = encode_audio(&facts.source, out, duration, &config.audio)?;
    progress(EncodeProgress::Step("assembly"));
    let mut renditions = Vec::new();
    for r in &config.rungs {
        let a = assemble(
            out,
            &r.name,
            &chunks,
            facts.frame_rate,
            audio.as_ref().map(|a| a.path.as_path()),
        )?;
        if a.frame_count != facts.frame_count {
            return Err(Error::FrameCount {
                rung: r.name.clone(),
                got: a.frame_count,
                want: facts.frame_count,
            });
        }
        renditions.push(RenditionEntry {
            recipe: r.clone(),
            key: key_of(out, &rendition_path(out, &r.name)),
            encoder: encoder_name(r),
            frame_count: a.frame_count,
            duration_s: a.duration_s,
            bit_rate: (a.video_bytes as f64 * 8.0 / a.duration_s.max(1e-9)).round() as u64,
            keyframes_s: a.keyframes_s,
        });
    }
    let hls_master = if config.hls {
        progress(EncodeProgress::Step("hls"));
        Some(package_hls(
            out,
            &renditions,
            audio.as_ref(),
            gop,
            facts.frame_rate,
        )?)
    } else {
        None
    };
    let dash_manifest = if config.dash {
        progress(EncodeProgress::Step("dash"));
        Some(package_dash(
            out,
            &renditions,
            audio.as_ref(),
            gop,
            facts.frame_rate,
        )?)
    } else {
        None
    };
    let objects = list_objects(out)?;
    let (size, checksum) = std::fs::metadata(&facts.source)
        .ok()
        .map(|m| m.len())
        .map_or((0, None), |s| (s, None));
    let manifest = EncodeManifest {
        header: ManifestHeader {
            schema_version: ENCODE_SCHEMA_VERSION,
            job_id: config.job_id.clone(),
            producer: Producer::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
            created: reel_core::manifest::rfc3339(std::time::SystemTime::now()),
            inputs: vec![InputRef {
                url: facts.source.clone(),
                size,
                checksum,
            }],
        },
        source_frame_count: facts.frame_count,
        frame_rate: facts.frame_rate,
        gop_frames: gop,
        chunks,
        chunks_encoded: stats.chunks_encoded as u64,
        chunks_skipped: stats.chunks_skipped as u64,
        renditions,
        audio: audio.map(|a| AudioEntry {
            key: key_of(out, &a.path),
            codec: "aac".to_string(),
            channels: a.channels,
            sample_rate: a.sample_rate,
            bit_rate: a.bit_rate,
            duration_s: a.duration_s,
            passthrough: a.passthrough,
        }),
        hls_master,
        dash_manifest,
        objects,
    };
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Config(format!("serialising encode.json: {e}")))?;
    write_atomic(&out.join("encode.json"), &json)?;
    Ok(manifest)
}

/// `path` relative to `out`, with `/` separators.
pub(crate) fn key_of(out: &Path, path: &Path) -> String {
    path.strip_prefix(out)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Top-level directories the encode stage writes; other stages' files in
/// a shared output root (job.json, ladder.json, validate.json, trial
/// encodes) are theirs to list.
const STAGE_DIRS: [&str; 5] = ["chunks", "renditions", "audio", "hls", "dash"];

/// Every file the stage wrote under `out` (not temp files), with checksums.
fn list_objects(out: &Path) -> Result<Vec<ObjectEntry>> {
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> = STAGE_DIRS
        .iter()
        .map(|d| out.join(d))
        .filter(|d| d.is_dir())
        .collect();
    while let Some(dir) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| Error::io("list", &dir, e))?;
        for entry in rd {
            let entry = entry.map_err(|e| Error::io("list", &dir, e))?;
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let key = key_of(out, &p);
                if !key.ends_with(".part") {
                    files.push((key, p));
                }
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|(key, p)| {
            let (size, checksum) = file_checksum(&p)?;
            Ok(ObjectEntry {
                key,
                size,
                checksum,
            })
        })
        .collect()
}
