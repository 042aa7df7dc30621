//! Throughput of the scorer on the bigbuckbunny x264 CRF 28 pair (raw yuv).
//!
//! `cargo bench -p reel-vmaf --bench vmaf -- [THREADS...]` prints fps for each
//! thread count (default: 1 and 2). The raw files are made once with the
//! ffmpeg CLI under `target/fixtures` (or set `REEL_VMAF_BENCH_REF` /
//! `REEL_VMAF_BENCH_DIS`, 1280x720 yuv420p; `REEL_VMAF_BENCH_SIZE=WxH` for
//! another size). libvmaf 3.2 on the reference 2-vCPU machine: 19.2 fps at
//! 720p, 8.7 fps at 1080p, single thread.

// Tests and benches stop at the first broken fixture: expect() is their assert.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use reel_core::{FrameIndex, FramePlanes, PixelLayout, Plane, Resolution, VideoFrame};
use reel_vmaf::{Vmaf, VmafConfig};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

fn fixture(name: &str, src: &Path) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fixtures");
    let out = dir.join(name);
    if !out.exists() {
        std::fs::create_dir_all(&dir).expect("fixture dir");
        let ok = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-i"])
            .arg(src)
            .args(["-f", "rawvideo", "-pix_fmt", "yuv420p"])
            .arg(&out)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "ffmpeg could not decode {}", src.display());
    }
    out
}

fn frames(path: &Path, w: usize, h: usize) -> impl Iterator<Item = VideoFrame> {
    let mut file = std::io::BufReader::new(std::fs::File::open(path).expect("yuv"));
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut index = 0;
    std::iter::from_fn(move || {
        let mut y = vec![0u8; w * h];
        file.read_exact(&mut y).ok()?;
        let mut u = vec![0u8; cw * ch];
        let mut v = vec![0u8; cw * ch];
        file.read_exact(&mut u).ok()?;
        file.read_exact(&mut v).ok()?;
        let plane = |d: Vec<u8>, w, h| Plane::from_vec(d, w, h, w).expect("plane");
        let f = VideoFrame {
            index: FrameIndex(index),
            timestamp: None,
            resolution: Resolution::new(w as u32, h as u32),
            layout: PixelLayout::YUV420P,
            interlaced: false,
            top_field_first: false,
            key_frame: false,
            planes: FramePlanes::U8(vec![plane(y, w, h), plane(u, cw, ch), plane(v, cw, ch)]),
        };
        index += 1;
        Some(f)
    })
}

/// CPU time (user + system) of this process in seconds, from /proc (Linux);
/// robust to other load on the machine, unlike wall time.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Peak resident memory of this process in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let media = std::env::var_os("REEL_MEDIA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../../media-cache"));
    let r = std::env::var_os("REEL_VMAF_BENCH_REF")
        .map(PathBuf::from)
        .unwrap_or_else(|| fixture("bbb_ref.yuv", &media.join("bigbuckbunny.mp4")));
    let d = std::env::var_os("REEL_VMAF_BENCH_DIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            fixture(
                "bbb_x264_crf28.yuv",
                &root.join("tests/data/encodes/bigbuckbunny_x264_crf28.mp4"),
            )
        });
    let (w, h) = std::env::var("REEL_VMAF_BENCH_SIZE")
        .ok()
        .and_then(|s| {
            let (a, b) = s.split_once('x')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .unwrap_or((1280, 720));
    let threads: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let threads = if threads.is_empty() {
        vec![1, 2]
    } else {
        threads
    };
    for t in threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .expect("pool");
        let vmaf = Vmaf::try_new(VmafConfig {
            pool: Some(Arc::new(pool)),
            ..VmafConfig::default()
        })
        .expect("scorer");
        let cpu0 = cpu_seconds();
        let start = Instant::now();
        let pairs = frames(&r, w, h).zip(frames(&d, w, h)).map(Ok);
        let scores = vmaf.score(pairs).expect("score");
        let secs = start.elapsed().as_secs_f64();
        let n = scores.frames.len();
        let cpu = cpu_seconds()
            .zip(cpu0)
            .map(|(b, a)| b - a)
            .unwrap_or(f64::NAN);
        println!(
            "{w}x{h} threads={t}: {n} frames in {secs:.2} s = {:.1} fps wall; \
             CPU {:.1} ms/frame = {:.1} fps per core (pooled vmaf {:.6})",
            n as f64 / secs,
            cpu * 1e3 / n as f64,
            n as f64 / cpu,
            scores.pooled["vmaf"].mean
        );
        println!(
            "peak RSS so far: {:.1} MiB",
            peak_rss_mib().unwrap_or(f64::NAN)
        );
    }
}
