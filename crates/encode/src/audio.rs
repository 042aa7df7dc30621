//! The main audio stream encoded once to AAC-LC into `audio/main.mp4`, cut or
//! padded with silence to the video's duration so both end together; copied
//! instead when it already is suitable AAC-LC (see `audio_copy.rs`).

use crate::audio_copy::{copy_audio, passthrough_fits};
use crate::checksum::{ensure_dir, TempFile};
use crate::error::{Error, Result};
use reel_media::{AudioDecoder, AudioEncoder, Muxer};
use std::path::{Path, PathBuf};

/// Audio settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioOptions {
    /// Output channels (2 = stereo downmix of the source).
    pub channels: u32,
    pub bit_rate: u64,
    /// Copy the source's packets when they already fit (AAC-LC, `channels`,
    /// 44.1/48 kHz, at most `bit_rate`).
    pub passthrough: bool,
}

impl Default for AudioOptions {
    fn default() -> Self {
        AudioOptions {
            channels: 2,
            bit_rate: 128_000,
            passthrough: true,
        }
    }
}

/// What was encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedAudio {
    pub path: PathBuf,
    pub channels: u32,
    pub sample_rate: u32,
    pub bit_rate: u64,
    pub duration_s: f64,
    /// The source's packets were copied rather than encoded.
    pub passthrough: bool,
}

/// Encodes the main audio of `source` to `out/audio/main.mp4`, exactly
/// `video_duration_s` long, or copies it when it already fits `opts`.
/// `Ok(None)` when the source has no audio.
///
/// Errors: [`Error::Audio`] naming the source when decoding or encoding fails.
pub fn encode_audio(
    source: &str,
    out: &Path,
    video_duration_s: f64,
    opts: &AudioOptions,
) -> Result<Option<EncodedAudio>> {
    let fail = audio_error(source);
    let decoder = match AudioDecoder::open(source, None) {
        Ok(d) => d,
        Err(reel_media::Error::NoAudioStream { .. }) => return Ok(None),
        Err(e) => return Err(fail(e.to_string())),
    };
    let path = out.join("audio").join("main.mp4");
    if let Some(dir) = path.parent() {
        ensure_dir(dir)?;
    }
    if opts.passthrough {
        if let Some(copied) = try_copy(
            source,
            decoder.stream_index(),
            &path,
            video_duration_s,
            opts,
        )? {
            return Ok(Some(copied));
        }
    }
    let in_ch = decoder.channels().max(1) as usize;
    let rate = decoder.sample_rate();
    let out_ch = opts.channels.max(1) as usize;
    let want = (video_duration_s * f64::from(rate)).round() as u64;
    let mut encoder = AudioEncoder::open("aac", out_ch as u32, rate, opts.bit_rate)
        .map_err(|e| fail(e.to_string()))?;
    let file = TempFile::new(&path);
    let mut muxer = Muxer::create(&file.tmp_str(), Some("mp4")).map_err(|e| fail(e.to_string()))?;
    let stream = muxer
        .add_audio_stream(&encoder)
        .map_err(|e| fail(e.to_string()))?;
    muxer.write_header(&[]).map_err(|e| fail(e.to_string()))?;
    let mut done = 0u64;
    let write = |encoder: &mut AudioEncoder, muxer: &mut Muxer, samples: &[f32]| -> Result<()> {
        for p in encoder.send(samples).map_err(|e| fail(e.to_string()))? {
            muxer.write(stream, &p).map_err(|e| fail(e.to_string()))?;
        }
        Ok(())
    };
    for frame in decoder {
        let frame = frame.map_err(|e| fail(e.to_string()))?;
        let n = (frame.samples.len() / in_ch) as u64;
        let take = n.min(want.saturating_sub(done));
        if take == 0 {
            break;
        }
        let mixed = remix(&frame.samples[..take as usize * in_ch], in_ch, out_ch);
        write(&mut encoder, &mut muxer, &mixed)?;
        done += take;
    }
    // Pad with silence when the audio is shorter than the video.
    while done < want {
        let n = (want - done).min(4096);
        write(&mut encoder, &mut muxer, &vec![0.0; n as usize * out_ch])?;
        done += n;
    }
    for p in encoder.finish().map_err(|e| fail(e.to_string()))? {
        muxer.write(stream, &p).map_err(|e| fail(e.to_string()))?;
    }
    muxer.finish().map_err(|e| fail(e.to_string()))?;
    file.commit()?;
    Ok(Some(EncodedAudio {
        path,
        channels: out_ch as u32,
        sample_rate: rate,
        bit_rate: opts.bit_rate,
        duration_s: done as f64 / f64::from(rate),
        passthrough: false,
    }))
}

/// Copies stream `index` when [`passthrough_fits`] says so and it covers the
/// video; `Ok(None)` means encode instead.
fn try_copy(
    source: &str,
    index: usize,
    path: &Path,
    video_duration_s: f64,
    opts: &AudioOptions,
) -> Result<Option<EncodedAudio>> {
    let fail = audio_error(source);
    let media = reel_media::MediaSource::open(source).map_err(|e| fail(e.to_string()))?;
    let info = media.info();
    let Some(stream) = info
        .streams
        .get(index)
        .filter(|s| passthrough_fits(s, opts))
    else {
        return Ok(None);
    };
    let video = info.video.as_ref();
    let video_start_s = video
        .and_then(|v| v.start_pts.map(|p| p as f64 * v.time_base.as_f64()))
        .unwrap_or(0.0);
    let frame_s = video
        .and_then(|v| v.frame_rate())
        .map_or(0.04, |r| r.invert().as_f64());
    copy_audio(
        source,
        index,
        stream,
        path,
        video_start_s,
        video_duration_s,
        frame_s,
    )
}

/// Interleaved `in_ch` -> `out_ch`: mono is duplicated, more channels are
/// averaged into the outputs in turn.
fn remix(samples: &[f32], in_ch: usize, out_ch: usize) -> Vec<f32> {
    if in_ch == out_ch {
        return samples.to_vec();
    }
    let frames = samples.len() / in_ch;
    let mut out = vec![0.0f32; frames * out_ch];
    for f in 0..frames {
        let src = &samples[f * in_ch..(f + 1) * in_ch];
        for (o, slot) in out[f * out_ch..(f + 1) * out_ch].iter_mut().enumerate() {
            let picks: Vec<f32> = src
                .iter()
                .enumerate()
                .filter(|(i, _)| in_ch < out_ch || i % out_ch == o)
                .map(|(_, v)| *v)
                .collect();
            *slot = if in_ch < out_ch {
                src[o.min(in_ch - 1)]
            } else {
                picks.iter().sum::<f32>() / picks.len().max(1) as f32
            };
        }
    }
    out
}

/// Builds [`Error::Audio`] for `source` from a reason.
fn audio_error(source: &str) -> impl Fn(String) -> Error + '_ {
    move |reason| Error::Audio {
        input: source.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::remix;

    #[test]
    fn remix_mono_to_stereo_and_back() {
        assert_eq!(remix(&[1.0, 2.0], 1, 2), vec![1.0, 1.0, 2.0, 2.0]);
        assert_eq!(remix(&[1.0, 3.0], 2, 1), vec![2.0]);
    }
}
