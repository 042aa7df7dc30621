//! `reel transcode` against ONE ffmpeg CLI process writing the same outputs from
//! one decode (`-filter_complex split + scale`), same encoder settings, same run.
//!
//! 1. Four H.264 rungs (1080p, 720p, 540p, 360p; libx264 preset medium, CRF 23,
//!    2 s GOP, no scene-cut key frames): wall and CPU time ratios (targets
//!    <= 1.0x and <= 1.05x), per-rung size (within 2 %) and PSNR difference
//!    (PSNR of each output against the source scaled bicubic to the rung size).
//! 2. One libaom-av1 rung (360p, cpu-used 6, CRF 35): wall ratio (target <= 0.8x)
//!    and CPU utilisation of each.
//!
//! `REEL_BENCH_SECONDS` sets the clip length (default 20 s), `REEL_BIN` the binary.

use reel_benches::{fixture_dir, looped_bbb, measure, median_of, reel_binary, Measure};
use std::path::{Path, PathBuf};
use std::process::Command;

const RUNGS: [(u32, u32); 4] = [(1920, 1080), (1280, 720), (960, 540), (640, 360)];

fn main() {
    if let Err(e) = run() {
        eprintln!("transcode_vs_ffmpeg: {e}");
        std::process::exit(2);
    }
}

fn seconds() -> u32 {
    std::env::var("REEL_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
}

fn run() -> Result<(), String> {
    let reel = reel_binary()?;
    let clip = looped_bbb(1080, seconds())?;
    let clip_s = clip.to_string_lossy().into_owned();
    let work = fixture_dir().join("transcode");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    // inspect.json is made once, outside the timing (the encode stage reads it).
    let inspect_dir = work.join("inspect");
    let status = Command::new(&reel)
        .args(["--quiet", "inspect", &clip_s, "--output"])
        .arg(&inspect_dir)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("reel inspect failed".into());
    }
    let inspect = inspect_dir
        .join("inspect.json")
        .to_string_lossy()
        .into_owned();
    let fps = 25;
    let gop = (2 * fps).to_string();

    // H.264 ladder.
    let specs: Vec<String> = RUNGS
        .iter()
        .map(|(w, h)| format!("{w}x{h}:h264:crf=23:preset=medium:name=r{h}"))
        .collect();
    let reel_out = work.join("reel");
    let reel_m = median_of(1, || {
        let _ = std::fs::remove_dir_all(&reel_out);
        let out = reel_out.to_string_lossy().into_owned();
        let mut args = vec![
            "--quiet",
            "transcode",
            &clip_s,
            "--output",
            &out,
            "--inspect",
            &inspect,
            "--no-hls",
            "--no-dash",
        ];
        for s in &specs {
            args.extend(["-r", s.as_str()]);
        }
        measure(&reel, &args)
    })?;
    let ff_dir = work.join("ffmpeg");
    std::fs::create_dir_all(&ff_dir).map_err(|e| e.to_string())?;
    let ff_m = median_of(1, || {
        let mut filter = format!("[0:v]split={}", RUNGS.len());
        for i in 0..RUNGS.len() {
            filter.push_str(&format!("[s{i}]"));
        }
        for (i, (w, h)) in RUNGS.iter().enumerate() {
            filter.push_str(&format!(";[s{i}]scale={w}:{h}:flags=bicubic[o{i}]"));
        }
        let mut args: Vec<String> = [
            "-hide_banner",
            "-nostdin",
            "-y",
            "-i",
            &clip_s,
            "-filter_complex",
            &filter,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for (i, (_, h)) in RUNGS.iter().enumerate() {
            args.extend(
                [
                    "-map",
                    &format!("[o{i}]"),
                    "-an",
                    "-c:v",
                    "libx264",
                    "-preset",
                    "medium",
                    "-crf",
                    "23",
                    "-g",
                    &gop,
                    "-keyint_min",
                    "1",
                    "-x264-params",
                    "scenecut=0:open-gop=0",
                    "-movflags",
                    "+faststart",
                    &ff_dir.join(format!("r{h}.mp4")).to_string_lossy(),
                ]
                .iter()
                .map(|s| s.to_string()),
            );
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        measure(Path::new("ffmpeg"), &refs)
    })?;
    println!(
        "H.264 ladder, {} s of 1080p25, 4 rungs, x264 medium CRF 23",
        seconds()
    );
    print_ratio("reel", &reel_m, "ffmpeg", &ff_m);
    println!("rung   reel bytes  ffmpeg bytes  size diff  reel PSNR  ffmpeg PSNR  PSNR diff");
    for (w, h) in RUNGS {
        let a = reel_out.join(format!("renditions/r{h}.mp4"));
        let b = ff_dir.join(format!("r{h}.mp4"));
        let (sa, sb) = (size(&a)?, size(&b)?);
        let (pa, pb) = (psnr(&a, &clip, w, h)?, psnr(&b, &clip, w, h)?);
        println!(
            "{h:>4}p {sa:>11} {sb:>13} {:>+9.2}% {pa:>10.3} {pb:>12.3} {:>+10.3}",
            (sa as f64 / sb as f64 - 1.0) * 100.0,
            pa - pb
        );
    }

    // AV1: libaom-av1, one rung.
    let av1_out = work.join("reel-av1");
    let reel_av1 = measure(
        &reel,
        &[
            "--quiet",
            "transcode",
            &clip_s,
            "--output",
            &av1_out.to_string_lossy(),
            "--inspect",
            &inspect,
            "--no-hls",
            "--no-dash",
            "-r",
            "640x360:av1:crf=35:preset=6:encoder=libaom-av1:name=av1",
        ],
    )?;
    let ff_av1_out = ff_dir.join("av1.mp4");
    let ff_av1 = measure(
        Path::new("ffmpeg"),
        &[
            "-hide_banner",
            "-nostdin",
            "-y",
            "-i",
            &clip_s,
            "-an",
            "-vf",
            "scale=640:360:flags=bicubic",
            "-c:v",
            "libaom-av1",
            "-cpu-used",
            "6",
            "-row-mt",
            "1",
            "-crf",
            "35",
            "-b:v",
            "0",
            "-g",
            &gop,
            &ff_av1_out.to_string_lossy(),
        ],
    )?;
    println!("AV1 360p, libaom-av1 cpu-used 6 CRF 35");
    print_ratio("reel", &reel_av1, "ffmpeg", &ff_av1);
    let a = av1_out.join("renditions/av1.mp4");
    println!(
        "sizes {} / {} bytes, PSNR {:.3} / {:.3} dB",
        size(&a)?,
        size(&ff_av1_out)?,
        psnr(&a, &clip, 640, 360)?,
        psnr(&ff_av1_out, &clip, 640, 360)?
    );
    Ok(())
}

fn print_ratio(a: &str, ma: &Measure, b: &str, mb: &Measure) {
    println!(
        "{a}: wall {:.2} s, CPU {:.2} s ({:.0}% util) | {b}: wall {:.2} s, CPU {:.2} s ({:.0}% util) | wall {:.3}x, CPU {:.3}x",
        ma.wall_s,
        ma.cpu_s,
        ma.cpu_s / ma.wall_s * 100.0,
        mb.wall_s,
        mb.cpu_s,
        mb.cpu_s / mb.wall_s * 100.0,
        ma.wall_s / mb.wall_s,
        ma.cpu_s / mb.cpu_s
    );
}

fn size(p: &Path) -> Result<u64, String> {
    std::fs::metadata(p)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", p.display()))
}

/// Mean luma PSNR of `dist` against `reference` scaled (bicubic) to `w`x`h`.
fn psnr(dist: &PathBuf, reference: &Path, w: u32, h: u32) -> Result<f64, String> {
    let filter = format!("[1:v]scale={w}:{h}:flags=bicubic[r];[0:v][r]psnr");
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-i"])
        .arg(dist)
        .arg("-i")
        .arg(reference)
        .args(["-lavfi", &filter, "-f", "null", "-"])
        .output()
        .map_err(|e| e.to_string())?;
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines()
        .find_map(|l| l.split("PSNR y:").nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no PSNR for {}", dist.display()))
}
