//! `reel vmaf` speed and memory against libvmaf's published figures for this machine
//! kind (libvmaf 3.2, AVX2, from shared/vmaf/TIMINGS.md): the Big Buck Bunny CRF 28
//! pair at 720p and upscaled (bicubic) to 1080p, read from y4m so decoding costs little,
//! at 1 and 2 threads. fps = 132 frames / wall time, like TIMINGS.md.
//!
//! Target: >= 1.5x libvmaf's single-thread fps at both sizes, memory no higher.

use reel_benches::{
    ffmpeg, fixture_dir, measure, media_dir, median_of, reel_binary, workspace_root,
};
use std::path::PathBuf;

/// libvmaf's medians from TIMINGS.md: (height, threads, fps, peak RSS MiB).
const LIBVMAF: [(u32, usize, f64, f64); 4] = [
    (720, 1, 19.2, 34.4),
    (720, 2, 17.6, 59.8),
    (1080, 1, 8.7, 70.4),
    (1080, 2, 9.0, 126.6),
];

fn main() {
    if let Err(e) = run() {
        eprintln!("vmaf_vs_libvmaf: {e}");
        std::process::exit(2);
    }
}

fn y4m(name: &str, src: &std::path::Path, height: u32) -> Result<PathBuf, String> {
    let dir = fixture_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let out = dir.join(format!("{name}_{height}p.y4m"));
    if !out.exists() {
        let filter = format!("scale=-2:{height}:flags=bicubic,format=yuv420p");
        ffmpeg(&[
            "-i",
            &src.to_string_lossy(),
            "-vf",
            &filter,
            "-an",
            &out.to_string_lossy(),
        ])?;
    }
    Ok(out)
}

fn run() -> Result<(), String> {
    let reel = reel_binary()?;
    let reference = media_dir().join("bigbuckbunny.mp4");
    let distorted =
        workspace_root().join("crates/vmaf/tests/data/encodes/bigbuckbunny_x264_crf28.mp4");
    println!("size   threads  reel fps  libvmaf fps  ratio  reel RSS MiB  libvmaf RSS MiB");
    for (height, threads, libvmaf_fps, libvmaf_rss) in LIBVMAF {
        let r = y4m("bbb_ref", &reference, height)?;
        let d = y4m("bbb_crf28", &distorted, height)?;
        let t = threads.to_string();
        let (r, d) = (
            r.to_string_lossy().into_owned(),
            d.to_string_lossy().into_owned(),
        );
        let m = median_of(3, || {
            measure(
                &reel,
                &["vmaf", "--quiet", "-r", &r, "-d", &d, "--threads", &t],
            )
        })?;
        let fps = 132.0 / m.wall_s;
        println!(
            "{height:>4}p  {threads:>7}  {fps:>8.1}  {libvmaf_fps:>11.1}  {:>5.2}  {:>12.1}  {libvmaf_rss:>15.1}",
            fps / libvmaf_fps,
            m.max_rss_mib
        );
    }
    Ok(())
}
