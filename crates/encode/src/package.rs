//! HLS (CMAF fMP4 segments cut at the aligned key frames, one media playlist
//! per rung, an audio group, a master playlist whose BANDWIDTH and
//! AVERAGE-BANDWIDTH are measured from the segments) and a DASH MPD.

use crate::audio::EncodedAudio;
use crate::checksum::{ensure_dir, write_atomic};
use crate::error::{Error, Result};
use reel_core::manifest::RenditionEntry;
use reel_core::mpd::{parse_mpd, peak_bit_rate, with_bandwidths};
use reel_core::{Rational, VideoCodec};
use reel_media::{remux, PacketReader};
use std::fmt::Write as _;
use std::path::Path;

fn pkg_err(what: &str) -> impl Fn(reel_media::WriteError) -> Error + '_ {
    move |e| Error::Package {
        what: what.to_string(),
        reason: e.to_string(),
    }
}

/// The segment length asked of the muxers: half a frame under the key
/// frame cadence. The muxers cut at the first key frame at or after each
/// multiple of it; the exact cadence, rounded up in print (0.9976 s as
/// 0.998 at 24.06 fps), made them skip the key frame and cut one GOP late.
fn segment_target_s(gop: u32, frame_rate: Rational) -> f64 {
    (f64::from(gop.max(1)) - 0.5) / frame_rate.as_f64().max(1e-3)
}

/// Segments one input stream into `dir/index.m3u8` + `init.mp4` + `seg_NNNNN.m4s`.
fn hls_variant(input: &Path, kind: &str, dir: &Path, seg_s: f64, what: &str) -> Result<()> {
    ensure_dir(dir)?;
    let playlist = dir.join("index.m3u8");
    let seg = dir.join("seg_%05d.m4s");
    let seg = seg.to_string_lossy();
    let time = format!("{seg_s:.6}");
    remux(
        &[(&input.to_string_lossy(), Some(kind))],
        &playlist.to_string_lossy(),
        Some("hls"),
        &[
            ("hls_time", &time),
            ("hls_playlist_type", "vod"),
            ("hls_segment_type", "fmp4"),
            ("hls_fmp4_init_filename", "init.mp4"),
            ("hls_segment_filename", &seg),
            ("hls_flags", "independent_segments"),
        ],
    )
    .map_err(pkg_err(what))
}

/// Peak and average bit rate of a media playlist, from its segment sizes.
fn measure_playlist(dir: &Path, what: &str) -> Result<(u64, u64)> {
    let path = dir.join("index.m3u8");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
    let init = std::fs::metadata(dir.join("init.mp4")).map_or(0, |m| m.len());
    let (mut peak, mut bytes, mut secs) = (0f64, 0u64, 0f64);
    let mut dur = None;
    for line in text.lines() {
        if let Some(d) = line.strip_prefix("#EXTINF:") {
            dur = d
                .trim_end_matches(',')
                .split(',')
                .next()
                .and_then(|v| v.parse::<f64>().ok());
        } else if !line.starts_with('#') && !line.trim().is_empty() {
            let seg = dir.join(line.trim());
            let size = std::fs::metadata(&seg)
                .map_err(|e| Error::io("stat", &seg, e))?
                .len();
            let d = dur.take().unwrap_or(0.0);
            if d > 0.0 {
                peak = peak.max(size as f64 * 8.0 / d);
            }
            bytes += size;
            secs += d;
        }
    }
    if secs <= 0.0 {
        return Err(Error::Package {
            what: what.to_string(),
            reason: format!("{} lists no segments", path.display()),
        });
    }
    let avg = (bytes + init) as f64 * 8.0 / secs;
    Ok((peak.max(avg).ceil() as u64, avg.ceil() as u64))
}

/// RFC 6381 codec string from the stream's configuration record.
fn codec_string(codec: VideoCodec, extradata: &[u8], bit_depth: u8) -> String {
    let b = |i: usize| extradata.get(i).copied().unwrap_or(0);
    match codec {
        VideoCodec::H264 if extradata.len() >= 4 && b(0) == 1 => {
            format!("avc1.{:02X}{:02X}{:02X}", b(1), b(2), b(3))
        }
        VideoCodec::H264 => "avc1.640028".to_string(),
        VideoCodec::Hevc if extradata.len() >= 13 => {
            let profile = b(1) & 0x1f;
            let tier = if b(1) & 0x20 != 0 { 'H' } else { 'L' };
            format!("hvc1.{profile}.6.{tier}{}.B0", b(12))
        }
        VideoCodec::Hevc => "hvc1.1.6.L120.B0".to_string(),
        VideoCodec::Av1 => {
            let profile = b(1) >> 5;
            let level = b(1) & 0x1f;
            let tier = if b(2) & 0x80 != 0 { 'H' } else { 'M' };
            format!("av01.{profile}.{level:02}{tier}.{bit_depth:02}")
        }
        VideoCodec::Vp9 => format!("vp09.{:02}.40.{bit_depth:02}", u8::from(bit_depth > 8) * 2),
    }
}

/// Packages HLS under `out/hls/` and returns the master playlist's key.
///
/// Errors: [`Error::Package`] naming the rung or audio that failed.
pub fn package_hls(
    out: &Path,
    renditions: &[RenditionEntry],
    audio: Option<&EncodedAudio>,
    gop: u32,
    frame_rate: Rational,
) -> Result<String> {
    let seg_s = segment_target_s(gop, frame_rate);
    let hls = out.join("hls");
    let mut audio_bw = (0u64, 0u64);
    if let Some(a) = audio {
        let dir = hls.join("audio");
        hls_variant(&a.path, "audio", &dir, seg_s, "HLS audio")?;
        audio_bw = measure_playlist(&dir, "HLS audio")?;
    }
    let mut master = String::from("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    if audio.is_some() {
        master.push_str(
            "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"main\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/index.m3u8\"\n",
        );
    }
    for r in renditions {
        let what = format!("HLS rendition {}", r.recipe.name);
        let input = out.join(&r.key);
        let dir = hls.join(&r.recipe.name);
        hls_variant(&input, "video", &dir, seg_s, &what)?;
        let (peak, avg) = measure_playlist(&dir, &what)?;
        let reader = PacketReader::open(&input.to_string_lossy()).map_err(pkg_err(&what))?;
        let extra = reader
            .streams()
            .iter()
            .find(|s| s.kind == "video")
            .map(|s| s.extradata.clone())
            .unwrap_or_default();
        let mut codecs = codec_string(r.recipe.codec, &extra, r.recipe.bit_depth);
        if audio.is_some() {
            codecs.push_str(",mp4a.40.2");
        }
        let _ = write!(
            master,
            "#EXT-X-STREAM-INF:BANDWIDTH={},AVERAGE-BANDWIDTH={},RESOLUTION={}x{},CODECS=\"{}\",FRAME-RATE={:.3}{}\n{}/index.m3u8\n",
            peak + audio_bw.0,
            avg + audio_bw.1,
            r.recipe.resolution.width,
            r.recipe.resolution.height,
            codecs,
            frame_rate.as_f64(),
            if audio.is_some() { ",AUDIO=\"aud\"" } else { "" },
            r.recipe.name
        );
    }
    write_atomic(&hls.join("master.m3u8"), master.as_bytes())?;
    Ok("hls/master.m3u8".to_string())
}

/// Packages DASH under `out/dash/` and returns the MPD's key.
///
/// Errors: [`Error::Package`] when the DASH muxer fails.
pub fn package_dash(
    out: &Path,
    renditions: &[RenditionEntry],
    audio: Option<&EncodedAudio>,
    gop: u32,
    frame_rate: Rational,
) -> Result<String> {
    let seg_s = format!("{:.6}", segment_target_s(gop, frame_rate));
    let dir = out.join("dash");
    ensure_dir(&dir)?;
    let paths: Vec<String> = renditions
        .iter()
        .map(|r| out.join(&r.key).to_string_lossy().into_owned())
        .collect();
    let mut inputs: Vec<(&str, Option<&str>)> =
        paths.iter().map(|p| (p.as_str(), Some("video"))).collect();
    let audio_path = audio.map(|a| a.path.to_string_lossy().into_owned());
    if let Some(a) = &audio_path {
        inputs.push((a.as_str(), Some("audio")));
    }
    let sets = if audio.is_some() {
        "id=0,streams=v id=1,streams=a"
    } else {
        "id=0,streams=v"
    };
    let mpd = dir.join("manifest.mpd");
    let tmp = dir.join("manifest.tmp.mpd");
    remux(
        &inputs,
        &tmp.to_string_lossy(),
        Some("dash"),
        &[
            ("seg_duration", &seg_s),
            ("use_template", "1"),
            ("use_timeline", "1"),
            ("adaptation_sets", sets),
            ("init_seg_name", "init-$RepresentationID$.m4s"),
            (
                "media_seg_name",
                "chunk-$RepresentationID$-$Number%05d$.m4s",
            ),
        ],
    )
    .map_err(pkg_err("DASH"))?;
    let text = std::fs::read_to_string(&tmp).map_err(|e| Error::io("read", &tmp, e))?;
    let declared = measured_bandwidths(&dir, &text)?;
    write_atomic(&mpd, with_bandwidths(&text, &declared).as_bytes())?;
    let _ = std::fs::remove_file(&tmp);
    Ok("dash/manifest.mpd".to_string())
}

/// Each representation's peak segment bit rate. FFmpeg declares the codec's
/// average rate, which leaves out the container and every peak: a client
/// trusting it could stall. The peak honours @bandwidth's definition (a
/// channel at that rate delivers each segment within its duration), as
/// BANDWIDTH does in HLS.
fn measured_bandwidths(dir: &Path, text: &str) -> Result<Vec<(String, u64)>> {
    let reps = parse_mpd(text).map_err(|reason| Error::Package {
        what: "DASH".to_string(),
        reason,
    })?;
    let mut out = Vec::new();
    for rep in reps {
        let mut segments = Vec::new();
        for (name, secs) in &rep.segments {
            let path = dir.join(name);
            let bytes = std::fs::metadata(&path)
                .map_err(|e| Error::io("stat", &path, e))?
                .len();
            segments.push((bytes, *secs));
        }
        out.push((rep.id, peak_bit_rate(&segments).ceil() as u64));
    }
    Ok(out)
}
