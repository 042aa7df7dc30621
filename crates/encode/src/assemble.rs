//! Joins the chunks of a rung into `renditions/<rung>.mp4` (faststart) with
//! continuous timestamps, optionally with the encoded audio, and measures
//! what was written: frame count, key frame times, bit rate.

use crate::checksum::{ensure_dir, TempFile};
use crate::error::{Error, Result};
use crate::unit::chunk_path;
use reel_core::manifest::ChunkSpan;
use reel_core::Rational;
use reel_media::{EncodedPacket, Muxer, PacketReader, WriteError};
use std::path::{Path, PathBuf};

/// Facts of an assembled rendition.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembled {
    pub path: PathBuf,
    pub frame_count: u64,
    pub keyframes_s: Vec<f64>,
    pub duration_s: f64,
    pub video_bytes: u64,
}

/// `renditions/<rung>.mp4` under `out`.
pub fn rendition_path(out: &Path, rung: &str) -> PathBuf {
    out.join("renditions").join(format!("{rung}.mp4"))
}

/// Joins the chunks of `rung` (and `audio`, an MP4 with one audio stream).
///
/// Errors: [`Error::Assemble`] naming the rung when a chunk cannot be read or
/// the output written, [`Error::Io`] when the file cannot be moved into place.
pub fn assemble(
    out: &Path,
    rung: &str,
    chunks: &[ChunkSpan],
    frame_rate: Rational,
    audio: Option<&Path>,
) -> Result<Assembled> {
    let err = |source: WriteError| Error::Assemble {
        rung: rung.to_string(),
        source: Box::new(source),
    };
    let path = rendition_path(out, rung);
    if let Some(dir) = path.parent() {
        ensure_dir(dir)?;
    }
    let file = TempFile::new(&path);
    let first = chunks
        .first()
        .ok_or_else(|| Error::Config(format!("rendition {rung}: no chunks")))?;
    let frame_tb = frame_rate.invert();
    let reader0 =
        PacketReader::open(&chunk_path(out, rung, first.index).to_string_lossy()).map_err(err)?;
    let mut muxer = Muxer::create(&file.tmp_str(), Some("mp4")).map_err(err)?;
    let video = muxer.add_copy_stream(&reader0, 0).map_err(err)?;
    let mut audio_reader = match audio {
        Some(a) => Some(PacketReader::open(&a.to_string_lossy()).map_err(err)?),
        None => None,
    };
    let audio_stream = match &audio_reader {
        Some(r) => Some(muxer.add_copy_stream(r, 0).map_err(err)?),
        None => None,
    };
    drop(reader0);
    muxer
        .write_header(&[("movflags", "+faststart")])
        .map_err(err)?;
    let mut pending_audio: Option<EncodedPacket> = None;
    let mut frames = 0u64;
    let mut keyframes_s = Vec::new();
    let mut last_dts = i64::MIN;
    let mut video_bytes = 0u64;
    for chunk in chunks {
        let mut reader = PacketReader::open(&chunk_path(out, rung, chunk.index).to_string_lossy())
            .map_err(err)?;
        let mut packets = Vec::new();
        while let Some((stream, p)) = reader.next_packet().map_err(err)? {
            if stream == 0 {
                packets.push(p);
            }
        }
        let to_frames = |v: i64, tb: Rational| tb.rescale(v, frame_tb);
        let min_pts = packets
            .iter()
            .filter_map(|p| p.pts.map(|v| to_frames(v, p.time_base)))
            .min()
            .unwrap_or(0);
        let shift = chunk.start_frame as i64 - min_pts;
        for p in packets {
            let pts = p.pts.map(|v| to_frames(v, p.time_base) + shift);
            let mut dts = p
                .dts
                .map(|v| to_frames(v, p.time_base) + shift)
                .or(pts)
                .unwrap_or(last_dts + 1);
            if dts <= last_dts {
                dts = last_dts + 1;
            }
            last_dts = dts;
            let out_p = EncodedPacket {
                pts,
                dts: Some(dts),
                duration: 1,
                time_base: frame_tb,
                key: p.key,
                data: p.data,
            };
            // Interleave audio up to this packet's decoding time.
            if let (Some(r), Some(a)) = (&mut audio_reader, audio_stream) {
                let now = dts as f64 * frame_tb.as_f64();
                loop {
                    if pending_audio.is_none() {
                        pending_audio = r.next_packet().map_err(err)?.map(|(_, p)| p);
                    }
                    match &pending_audio {
                        Some(ap)
                            if ap.dts.or(ap.pts).unwrap_or(0) as f64 * ap.time_base.as_f64()
                                <= now =>
                        {
                            if let Some(ap) = pending_audio.take() {
                                muxer.write(a, &ap).map_err(err)?;
                            }
                        }
                        _ => break,
                    }
                }
            }
            if out_p.key {
                if let Some(pts) = out_p.pts {
                    keyframes_s.push(pts as f64 * frame_tb.as_f64());
                }
            }
            video_bytes += out_p.data.len() as u64;
            muxer.write(video, &out_p).map_err(err)?;
            frames += 1;
        }
    }
    if let (Some(r), Some(a)) = (&mut audio_reader, audio_stream) {
        if let Some(ap) = pending_audio.take() {
            muxer.write(a, &ap).map_err(err)?;
        }
        while let Some((_, ap)) = r.next_packet().map_err(err)? {
            muxer.write(a, &ap).map_err(err)?;
        }
    }
    muxer.finish().map_err(err)?;
    file.commit()?;
    keyframes_s.sort_by(f64::total_cmp);
    Ok(Assembled {
        path,
        frame_count: frames,
        keyframes_s,
        duration_s: frames as f64 * frame_tb.as_f64(),
        video_bytes,
    })
}
