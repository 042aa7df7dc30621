//! Audio checks: present when the source has audio, in the format the
//! manifest lists, and ending within one frame of the video.

use crate::report::Report;
use reel_core::manifest::{AudioEntry, StreamKind};
use reel_media::{MediaSource, PacketReader, SourceInfo};
use std::path::Path;

/// Facts of the encoded audio stream, measured from its file.
struct Measured {
    codec: String,
    channels: u32,
    sample_rate: u32,
    duration_s: f64,
}

fn measure(path: &Path) -> Result<Measured, String> {
    let p = path.to_string_lossy();
    let source = MediaSource::open(&p).map_err(|e| e.to_string())?;
    let stream = source
        .info()
        .streams
        .iter()
        .find(|s| s.kind == StreamKind::Audio)
        .cloned()
        .ok_or("the file has no audio stream")?;
    let params = stream
        .audio
        .clone()
        .ok_or("the audio stream has no parameters")?;
    let mut reader = PacketReader::open(&p).map_err(|e| e.to_string())?;
    let (mut first, mut end) = (f64::INFINITY, f64::NEG_INFINITY);
    while let Some((index, packet)) = reader.next_packet().map_err(|e| e.to_string())? {
        if index != stream.index {
            continue;
        }
        if let Some(t) = packet.pts_seconds() {
            first = first.min(t);
            end = end.max(t + packet.duration as f64 * packet.time_base.as_f64());
        }
    }
    if !first.is_finite() {
        return Err("the audio stream has no packets".to_string());
    }
    Ok(Measured {
        codec: stream.codec.clone(),
        channels: params.channels,
        sample_rate: params.sample_rate,
        duration_s: end - first.max(0.0),
    })
}

/// `audio.present`, `audio.format` and `audio.duration`.
pub fn check_audio(
    root: &Path,
    entry: Option<&AudioEntry>,
    source: &SourceInfo,
    video_duration_s: f64,
    frame_s: f64,
    report: &mut Report,
) {
    let source_has = source.streams.iter().any(|s| s.kind == StreamKind::Audio);
    let Some(entry) = entry else {
        report.expect(
            "audio.present",
            "audio",
            !source_has,
            if source_has {
                "the source has audio, the encode lists none"
            } else {
                "no audio, as the source"
            },
        );
        return;
    };
    let measured = measure(&root.join(&entry.key));
    report.expect(
        "audio.present",
        "audio",
        measured.is_ok(),
        match &measured {
            Ok(m) => format!("{} has a {} stream", entry.key, m.codec),
            Err(why) => format!("{}: {why}", entry.key),
        },
    );
    let Ok(m) = measured else {
        report.skip("audio.format", "audio", "no audio stream to measure");
        report.skip("audio.duration", "audio", "no audio stream to measure");
        return;
    };
    let codec_ok = m.codec == entry.codec && (entry.passthrough || m.codec == "aac");
    report.expect(
        "audio.format",
        "audio",
        codec_ok && m.channels == entry.channels && m.sample_rate == entry.sample_rate,
        format!(
            "{} {} ch {} Hz, listed {} {} ch {} Hz",
            m.codec, m.channels, m.sample_rate, entry.codec, entry.channels, entry.sample_rate
        ),
    );
    report.expect(
        "audio.duration",
        "audio",
        (m.duration_s - video_duration_s).abs() <= frame_s + 1e-3,
        format!(
            "audio {:.3} s, video {video_duration_s:.3} s (one frame is {frame_s:.3} s)",
            m.duration_s
        ),
    );
}
