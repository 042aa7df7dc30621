//! One work unit: a chunk of the source decoded once and fed to the scaler
//! and encoder of every rung that still needs it ("decode once, encode
//! many"). Each rung's chunk is written as `chunks/<rung>/<index>.mp4` (temp +
//! rename) with a `<index>.json` record holding its checksum; a chunk whose
//! record matches and verifies is skipped.

use crate::av1_hdr::Av1HdrObus;
use crate::checksum::{ensure_dir, file_checksum, write_atomic, TempFile};
use crate::codec::{
    encoder_config, encoder_name, forces_key_frames, needs_av1_hdr_obus, StreamLook,
};
use crate::error::{Error, Result};
use reel_core::manifest::ChunkSpan;
use reel_core::{ChromaSubsampling, PixelLayout, Resolution, RungRecipe};
use reel_media::{
    DecodeEvent, DecoderOptions, EncodedPacket, Muxer, ScaleAlgorithm, Scaler, VideoDecoder,
    VideoEncoder, WriteError,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The record written beside each chunk once it is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRecord {
    pub start_frame: u64,
    pub frame_count: u64,
    /// The recipe and GOP the chunk was encoded with, as JSON.
    pub recipe: String,
    pub size: u64,
    pub checksum: String,
}

/// What every unit shares.
#[derive(Debug, Clone)]
pub struct UnitContext {
    pub source: String,
    pub out_dir: PathBuf,
    pub rungs: Vec<RungRecipe>,
    pub look: StreamLook,
    pub gop: u32,
    pub encoder_threads: usize,
    pub decoder_threads: usize,
}

/// What a unit did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitOutcome {
    pub encoded: Vec<String>,
    pub skipped: Vec<String>,
}

/// `chunks/<rung>/<index>.mp4` under `out`.
pub fn chunk_path(out: &Path, rung: &str, index: usize) -> PathBuf {
    out.join("chunks")
        .join(rung)
        .join(format!("{index:05}.mp4"))
}

fn record_path(out: &Path, rung: &str, index: usize) -> PathBuf {
    out.join("chunks")
        .join(rung)
        .join(format!("{index:05}.json"))
}

fn fingerprint(r: &RungRecipe, gop: u32) -> String {
    // Chunks whose key frames came another way are not reused.
    let keys = if forces_key_frames(&encoder_name(r)) {
        ""
    } else {
        "|keys=cadence"
    };
    format!(
        "{}|gop={gop}{keys}",
        serde_json::to_string(r).unwrap_or_default()
    )
}

/// Whether the chunk of `rung` exists, matches the plan and its checksum.
pub fn chunk_verified(ctx: &UnitContext, rung: &RungRecipe, chunk: &ChunkSpan) -> bool {
    let rec = record_path(&ctx.out_dir, &rung.name, chunk.index);
    let Ok(text) = std::fs::read_to_string(&rec) else {
        return false;
    };
    let Ok(rec) = serde_json::from_str::<ChunkRecord>(&text) else {
        return false;
    };
    if rec.start_frame != chunk.start_frame
        || rec.frame_count != chunk.frame_count
        || rec.recipe != fingerprint(rung, ctx.gop)
    {
        return false;
    }
    matches!(
        file_checksum(&chunk_path(&ctx.out_dir, &rung.name, chunk.index)),
        Ok((size, sum)) if size == rec.size && sum == rec.checksum
    )
}

struct RungWriter<'a> {
    rung: &'a RungRecipe,
    scaler: Option<Scaler>,
    encoder: VideoEncoder,
    muxer: Muxer,
    /// HDR10 metadata OBUs for AV1 encoders that do not write them.
    hdr_obus: Option<Av1HdrObus>,
    /// Key frames are asked for frame by frame (else the encoder's fixed cadence places them).
    forced_keys: bool,
    /// The chunk file; removed unless committed, so a failed unit leaves no
    /// partial chunk behind.
    file: TempFile,
}

impl RungWriter<'_> {
    /// Muxes `packets`, adding the HDR10 OBUs to key frames where needed.
    fn write(&mut self, packets: Vec<EncodedPacket>) -> std::result::Result<(), WriteError> {
        for mut p in packets {
            if let (Some(obus), true) = (&self.hdr_obus, p.key) {
                if !obus.insert_into(&mut p.data) {
                    return Err(WriteError::Mux {
                        output: self.file.tmp().display().to_string(),
                        step: "add HDR10 metadata to a key frame".to_string(),
                        reason: "the encoder's packet is not a readable AV1 temporal unit"
                            .to_string(),
                    });
                }
            }
            self.muxer.write(0, &p)?;
        }
        Ok(())
    }
}

/// Encodes `chunk` for every rung whose chunk is not already verified.
///
/// Errors: [`Error::Decode`] / [`Error::ShortSource`] when the source fails,
/// [`Error::Chunk`] naming the rung when an encoder or muxer fails,
/// [`Error::Io`] when the chunk cannot be stored.
pub fn encode_unit(ctx: &UnitContext, chunk: &ChunkSpan) -> Result<UnitOutcome> {
    let mut outcome = UnitOutcome::default();
    let pending: Vec<&RungRecipe> = ctx
        .rungs
        .iter()
        .filter(|r| {
            let done = chunk_verified(ctx, r, chunk);
            if done {
                outcome.skipped.push(r.name.clone());
            }
            !done
        })
        .collect();
    if pending.is_empty() {
        return Ok(outcome);
    }
    let end = chunk.start_frame + chunk.frame_count;
    let chunk_err = |rung: &str, source: WriteError| Error::Chunk {
        chunk: chunk.index,
        start: chunk.start_frame,
        end,
        rung: rung.to_string(),
        source: Box::new(source),
    };
    let decode_err = |source: reel_media::Error| Error::Decode {
        chunk: chunk.index,
        input: ctx.source.clone(),
        source: Box::new(source),
    };
    let opts = DecoderOptions {
        start_frame: chunk.start_frame,
        max_frames: Some(chunk.frame_count),
        threads: ctx.decoder_threads,
        ..Default::default()
    };
    let decoder = VideoDecoder::open(&ctx.source, &opts).map_err(decode_err)?;
    let src_res = decoder.params().resolution;
    let src_layout = decoder.output_layout();
    let mut writers = Vec::new();
    for rung in pending {
        writers.push(
            open_writer(ctx, rung, chunk, src_res, src_layout)
                .map_err(|e| chunk_err(&rung.name, e))?,
        );
    }
    let mut got = 0u64;
    for event in decoder {
        let frame = match event.map_err(decode_err)? {
            DecodeEvent::Frame(f) => f,
            DecodeEvent::Error(_) => continue,
        };
        let rel = got as i64;
        let key = got.is_multiple_of(u64::from(ctx.gop.max(1)));
        for w in &mut writers {
            let scaled;
            let input = match &mut w.scaler {
                Some(s) => {
                    scaled = s
                        .scale(&frame)
                        .map_err(|e| chunk_err(&w.rung.name, e.into()))?;
                    &scaled
                }
                None => &frame,
            };
            let packets = w
                .encoder
                .send(input, rel, key && w.forced_keys)
                .map_err(|e| chunk_err(&w.rung.name, e))?;
            w.write(packets).map_err(|e| chunk_err(&w.rung.name, e))?;
        }
        got += 1;
        if got == chunk.frame_count {
            break;
        }
    }
    if got < chunk.frame_count {
        return Err(Error::ShortSource {
            chunk: chunk.index,
            input: ctx.source.clone(),
            got,
            want: chunk.frame_count,
        });
    }
    for mut w in writers {
        let name = w.rung.name.clone();
        let packets = w.encoder.finish().map_err(|e| chunk_err(&name, e))?;
        w.write(packets).map_err(|e| chunk_err(&name, e))?;
        w.muxer.finish().map_err(|e| chunk_err(&name, e))?;
        let path = w.file.path().to_path_buf();
        w.file.commit()?;
        let (size, checksum) = file_checksum(&path)?;
        let rec = ChunkRecord {
            start_frame: chunk.start_frame,
            frame_count: chunk.frame_count,
            recipe: fingerprint(w.rung, ctx.gop),
            size,
            checksum,
        };
        let json = serde_json::to_vec_pretty(&rec)
            .map_err(|e| Error::Config(format!("chunk record of {name}: {e}")))?;
        write_atomic(&record_path(&ctx.out_dir, &name, chunk.index), &json)?;
        outcome.encoded.push(name);
    }
    Ok(outcome)
}

fn open_writer<'a>(
    ctx: &UnitContext,
    rung: &'a RungRecipe,
    chunk: &ChunkSpan,
    src_res: Resolution,
    src_layout: PixelLayout,
) -> std::result::Result<RungWriter<'a>, WriteError> {
    let cfg = encoder_config(rung, &ctx.look, ctx.gop, ctx.encoder_threads);
    let dst_layout = PixelLayout::new(ChromaSubsampling::Cs420, rung.bit_depth);
    let scaler = if (src_res, src_layout) == (rung.resolution, dst_layout) {
        None
    } else {
        Some(Scaler::new(
            (src_res, src_layout),
            (rung.resolution, dst_layout),
            ScaleAlgorithm::Bicubic,
        )?)
    };
    let hdr_obus = needs_av1_hdr_obus(&cfg.encoder)
        .then(|| Av1HdrObus::new(&cfg.hdr))
        .flatten();
    let encoder = VideoEncoder::open(&cfg)?;
    let path = chunk_path(&ctx.out_dir, &rung.name, chunk.index);
    if let Some(dir) = path.parent() {
        ensure_dir(dir).map_err(|e| WriteError::Mux {
            output: dir.display().to_string(),
            step: "create the chunk directory".to_string(),
            reason: e.to_string(),
        })?;
    }
    let file = TempFile::new(&path);
    let mut muxer = Muxer::create(&file.tmp_str(), Some("mp4"))?;
    muxer.add_video_stream(&encoder)?;
    muxer.write_header(&[])?;
    Ok(RungWriter {
        rung,
        scaler,
        encoder,
        muxer,
        hdr_obus,
        forced_keys: forces_key_frames(&cfg.encoder),
        file,
    })
}
