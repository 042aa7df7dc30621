//! Audio passthrough: when the source's main audio already is what the
//! encode would make, its packets are copied into `audio/main.mp4` untouched
//! (no generation loss, no encode time).
//!
//! The rule ([`passthrough_fits`]): AAC-LC, exactly the configured channel
//! count, 44.1 or 48 kHz, and a declared bit rate no higher than the
//! configured one. The copy must also cover the video: packets starting at
//! or after the video's end are dropped, and when the audio ends more than
//! one video frame early the copy is abandoned (silence cannot be appended
//! without encoding) and the caller encodes instead.

use crate::audio::{AudioOptions, EncodedAudio};
use crate::checksum::TempFile;
use crate::error::{Error, Result};
use reel_core::manifest::{StreamInfo, StreamKind};
use reel_core::Rational;
use reel_media::{Muxer, PacketReader};
use std::path::Path;

/// Sample rates copied as they are; others are resampled by the encode.
const PASSTHROUGH_RATES: [u32; 2] = [44_100, 48_000];

/// Whether `stream` may be copied instead of encoded under `opts`.
pub fn passthrough_fits(stream: &StreamInfo, opts: &AudioOptions) -> bool {
    let Some(audio) = &stream.audio else {
        return false;
    };
    opts.passthrough
        && stream.kind == StreamKind::Audio
        && stream.codec == "aac"
        && stream.profile.as_deref() == Some("LC")
        && audio.channels == opts.channels
        && PASSTHROUGH_RATES.contains(&audio.sample_rate)
        && stream.bit_rate.is_some_and(|b| b > 0 && b <= opts.bit_rate)
}

/// Copies audio stream `index` of `source` to `path`, keeping its timing
/// relative to the first video frame (`video_start_s`), up to
/// `video_duration_s`. `Ok(None)` when the audio is too short to cover the
/// video within `frame_s` (nothing is left behind then).
///
/// Errors: [`Error::Audio`] when reading or writing fails.
pub(crate) fn copy_audio(
    source: &str,
    index: usize,
    stream: &StreamInfo,
    path: &Path,
    video_start_s: f64,
    video_duration_s: f64,
    frame_s: f64,
) -> Result<Option<EncodedAudio>> {
    let fail = |reason: String| Error::Audio {
        input: source.to_string(),
        reason: format!("audio passthrough: {reason}"),
    };
    let mut reader = PacketReader::open(source).map_err(|e| fail(e.to_string()))?;
    let file = TempFile::new(path);
    let mut muxer = Muxer::create(&file.tmp_str(), Some("mp4")).map_err(|e| fail(e.to_string()))?;
    let out = muxer
        .add_copy_stream(&reader, index)
        .map_err(|e| fail(e.to_string()))?;
    muxer.write_header(&[]).map_err(|e| fail(e.to_string()))?;
    let mut end_s = f64::NEG_INFINITY;
    let mut shift: Option<i64> = None;
    while let Some((i, mut p)) = reader.next_packet().map_err(|e| fail(e.to_string()))? {
        if i != index {
            continue;
        }
        // The video's first frame is time 0 in the renditions.
        let shift = *shift.get_or_insert_with(|| {
            Rational::new(1, 1_000_000).rescale((video_start_s * 1e6).round() as i64, p.time_base)
        });
        p.pts = p.pts.map(|v| v - shift);
        p.dts = p.dts.map(|v| v - shift);
        let tb = p.time_base.as_f64();
        let start_s = p.pts.or(p.dts).unwrap_or(0) as f64 * tb;
        if start_s >= video_duration_s {
            break;
        }
        end_s = start_s + p.duration as f64 * tb;
        muxer.write(out, &p).map_err(|e| fail(e.to_string()))?;
    }
    muxer.finish().map_err(|e| fail(e.to_string()))?;
    if end_s < video_duration_s - frame_s {
        return Ok(None); // `file` removes itself
    }
    file.commit()?;
    let audio = stream.audio.as_ref();
    Ok(Some(EncodedAudio {
        path: path.to_path_buf(),
        channels: audio.map_or(0, |a| a.channels),
        sample_rate: audio.map_or(0, |a| a.sample_rate),
        bit_rate: stream.bit_rate.unwrap_or(0),
        duration_s: end_s.min(video_duration_s).max(0.0),
        passthrough: true,
    }))
}

#[cfg(test)]
mod tests {
    use super::passthrough_fits;
    use crate::audio::AudioOptions;
    use reel_core::manifest::{AudioInfo, StreamInfo, StreamKind};

    fn aac(profile: &str, channels: u32, rate: u32, bit_rate: u64) -> StreamInfo {
        StreamInfo {
            index: 1,
            kind: StreamKind::Audio,
            codec: "aac".to_string(),
            profile: Some(profile.to_string()),
            level: None,
            bit_rate: Some(bit_rate),
            language: None,
            disposition: Default::default(),
            time_base: reel_core::Rational::new(1, i64::from(rate)),
            duration_s: Some(1.0),
            audio: Some(AudioInfo {
                sample_rate: rate,
                channels,
                layout: None,
                sample_format: None,
            }),
            subtitle: None,
            width: None,
            height: None,
        }
    }

    #[test]
    fn only_suitable_aac_lc_is_copied() {
        let o = AudioOptions::default();
        assert!(passthrough_fits(&aac("LC", 2, 48_000, 128_000), &o));
        assert!(passthrough_fits(&aac("LC", 2, 44_100, 96_000), &o));
        assert!(!passthrough_fits(&aac("LC", 2, 48_000, 192_000), &o));
        assert!(!passthrough_fits(&aac("LC", 6, 48_000, 128_000), &o));
        assert!(!passthrough_fits(&aac("HE-AAC", 2, 48_000, 64_000), &o));
        assert!(!passthrough_fits(&aac("LC", 2, 22_050, 64_000), &o));
        let off = AudioOptions {
            passthrough: false,
            ..o
        };
        assert!(!passthrough_fits(&aac("LC", 2, 48_000, 128_000), &off));
    }
}
