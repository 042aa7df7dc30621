//! Shared helpers of the encode integration tests: clips, temp dirs, ffprobe.
#![allow(dead_code)]
// Test helpers: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn media(name: &str) -> PathBuf {
    let dir = std::env::var_os("REEL_MEDIA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("media-cache"));
    dir.join(name)
}

pub fn out_dir(name: &str) -> tempfile::TempDir {
    let base = workspace().join("target/fixtures/encode");
    std::fs::create_dir_all(&base).unwrap();
    tempfile::Builder::new()
        .prefix(name)
        .tempdir_in(base)
        .unwrap()
}

fn ffprobe(args: &[&str]) -> String {
    let out = Command::new("ffprobe")
        .args(args)
        .output()
        .expect("ffprobe runs");
    assert!(
        out.status.success(),
        "ffprobe {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// (pts seconds, is key) of every video packet, in presentation order.
pub fn video_packets(file: &Path) -> Vec<(f64, bool)> {
    let text = ffprobe(&[
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "packet=pts_time,flags",
        "-of",
        "csv=p=0",
        &file.to_string_lossy(),
    ]);
    let mut v: Vec<(f64, bool)> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut it = l.split(',');
            let pts = it.next().unwrap().parse::<f64>().unwrap();
            let key = it.next().unwrap_or("").contains('K');
            (pts, key)
        })
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// Key frame times rounded to milliseconds.
pub fn keyframes_ms(file: &Path) -> Vec<i64> {
    video_packets(file)
        .into_iter()
        .filter(|p| p.1)
        .map(|p| (p.0 * 1000.0).round() as i64)
        .collect()
}

/// End time (start + duration) of the first stream of `kind` (`v` or `a`).
pub fn stream_end(file: &Path, kind: &str) -> f64 {
    let text = ffprobe(&[
        "-v",
        "error",
        "-select_streams",
        &format!("{kind}:0"),
        "-show_entries",
        "stream=start_time,duration",
        "-of",
        "csv=p=0",
        &file.to_string_lossy(),
    ]);
    let mut it = text.trim().split(',');
    let start: f64 = it.next().unwrap().parse().unwrap_or(0.0);
    let dur: f64 = it.next().unwrap().parse().unwrap();
    start + dur
}

/// Pooled mean VMAF (vmaf_v0.6.1, reel-vmaf) of `dist` against `reference`
/// downscaled (bicubic) to `dist`'s size and layout.
pub fn vmaf(dist: &Path, reference: &Path) -> f64 {
    use reel_media::{spawn_decoder, DecodeEvent, DecoderOptions, ScaleAlgorithm, Scaler};
    let open = |p: &Path| {
        spawn_decoder(
            p.to_string_lossy().into_owned(),
            DecoderOptions::default(),
            4,
        )
        .unwrap()
    };
    let dis_rx = open(dist);
    let ref_rx = open(reference);
    let (dst, dst_layout) = (dis_rx.params().resolution, dis_rx.params().output_layout());
    let src = (ref_rx.params().resolution, ref_rx.params().output_layout());
    let mut scaler = Scaler::new(src, (dst, dst_layout), ScaleAlgorithm::Bicubic).unwrap();
    let frames = |rx: reel_media::FrameReceiver| {
        rx.map(|e| match e {
            Ok(DecodeEvent::Frame(f)) => Ok(f),
            // A skipped frame would misalign the pairs: fail instead.
            Ok(DecodeEvent::Error(issue)) => Err(issue.message),
            Err(e) => Err(e.to_string()),
        })
    };
    let refs =
        frames(ref_rx).map(move |f| f.and_then(|f| scaler.scale(&f).map_err(|e| e.to_string())));
    let scorer = reel_vmaf::Vmaf::try_new(reel_vmaf::VmafConfig::default()).unwrap();
    let scores = scorer
        .score(reel_vmaf::pair_frames(refs, frames(dis_rx)))
        .unwrap();
    scores.pooled["vmaf"].mean
}

/// A clip made by the ffmpeg CLI with `args` (inputs and encoding options),
/// cached under `target/fixtures/encode-src/<name>`.
pub fn generated(name: &str, args: &[&str]) -> PathBuf {
    let dir = workspace().join("target/fixtures/encode-src");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    if !path.exists() {
        // Unique per call: tests of one process may make the same clip at once.
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!("tmp-{}-{n}-{name}", std::process::id()));
        let out = Command::new("ffmpeg")
            .args(["-v", "error", "-y"])
            .args(args)
            .arg(&tmp)
            .output()
            .expect("ffmpeg runs");
        assert!(
            out.status.success(),
            "ffmpeg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

/// ffprobe's JSON for `args` followed by `file`.
pub fn ffprobe_json(args: &[&str], file: &Path) -> serde_json::Value {
    let mut all = vec!["-v", "error", "-of", "json"];
    all.extend_from_slice(args);
    let f = file.to_string_lossy();
    all.push(&f);
    serde_json::from_str(&ffprobe(&all)).unwrap()
}

/// sha256 of every packet of the first audio stream, in file order.
pub fn audio_packet_hashes(file: &Path) -> Vec<String> {
    let v = ffprobe_json(
        &[
            "-select_streams",
            "a:0",
            "-show_data_hash",
            "sha256",
            "-show_entries",
            "packet=data_hash",
        ],
        file,
    );
    v["packets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["data_hash"].as_str().unwrap().to_string())
        .collect()
}
