//! `reel transcode` against ONE ffmpeg CLI process writing the same outputs from
//! one decode (`-filter_complex split + scale`), same encoder settings, same run.
//!
//! 1. H.264 ladders (libx264 preset medium, CRF 23, 2 s closed GOP, no
//!    scene-cut key frames) on a 1080p clip (1080p, 720p, 540p, 360p) and a
//!    720p clip (720p, 540p, 360p): wall and CPU time ratios (targets <= 1.0x
//!    and <= 1.05x), and per rung the size (target within 2 %), PSNR and VMAF
//!    (target within 0.3) differences. Quality is measured against the source
//!    at its own size: PSNR after scaling the source down (bicubic), VMAF
//!    with `reel vmaf` after scaling the rung up (bicubic), every 5th frame.
//! 2. libaom-av1 (cpu-used 6, CRF 35) on the 720p clip, rungs 540p and 360p:
//!    wall ratio (target <= 0.8x) and CPU utilisation of each.
//!
//! `REEL_BENCH_SECONDS` sets the clip length (default 30 s), `REEL_BIN` the
//! binary; `REEL_BENCH_ONLY=h264|av1` runs one part.

use reel_benches::{bench_seconds, fixture_dir, looped_bbb, measure, reel_binary, Measure};
use std::path::{Path, PathBuf};
use std::process::Command;

const FPS: u32 = 25;

fn main() {
    if let Err(e) = run() {
        eprintln!("transcode_vs_ffmpeg: {e}");
        std::process::exit(2);
    }
}

fn wants(part: &str) -> bool {
    std::env::var("REEL_BENCH_ONLY").map_or(true, |only| only == part)
}

/// One ladder comparison: its clip, rungs and encoder settings.
struct Ladder<'a> {
    reel: &'a Path,
    clip: PathBuf,
    inspect: String,
    work: PathBuf,
    rungs: &'a [(u32, u32)],
    /// `codec:settings` for `reel -r WxH:<spec>:name=rH`.
    reel_spec: &'a str,
    /// The same settings as ffmpeg output options.
    ffmpeg_opts: Vec<String>,
}

fn run() -> Result<(), String> {
    let reel = reel_binary()?;
    let gop = (2 * FPS).to_string();
    let x264: Vec<String> = [
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
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // What reel gives libaom (codec.rs): only our key frames, none filtered.
    let aom: Vec<String> = [
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
        "-keyint_min",
        &gop,
        "-aom-params",
        "enable-keyframe-filtering=0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if wants("h264") {
        let l = ladder(
            &reel,
            1080,
            &[(1920, 1080), (1280, 720), (960, 540), (640, 360)],
        )?;
        compare(
            "H.264, 1080p clip, x264 medium CRF 23",
            &Ladder {
                reel_spec: "h264:crf=23:preset=medium",
                ffmpeg_opts: x264.clone(),
                ..l
            },
        )?;
        let l = ladder(&reel, 720, &[(1280, 720), (960, 540), (640, 360)])?;
        compare(
            "H.264, 720p clip, x264 medium CRF 23",
            &Ladder {
                reel_spec: "h264:crf=23:preset=medium",
                ffmpeg_opts: x264,
                ..l
            },
        )?;
    }
    if wants("av1") {
        let l = ladder(&reel, 720, &[(960, 540), (640, 360)])?;
        compare(
            "AV1, 720p clip, libaom-av1 cpu-used 6 CRF 35",
            &Ladder {
                reel_spec: "av1:crf=35:preset=6:encoder=libaom-av1",
                ffmpeg_opts: aom,
                work: l.work.with_extension("av1"),
                ..l
            },
        )?;
    }
    Ok(())
}

/// The looped clip at `height`, its inspect.json (made once, outside the
/// timing: the encode stage reads it) and a work directory.
fn ladder<'a>(reel: &'a Path, height: u32, rungs: &'a [(u32, u32)]) -> Result<Ladder<'a>, String> {
    let clip = looped_bbb(height, bench_seconds())?;
    let work = fixture_dir().join(format!("transcode-{height}p"));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let inspect_dir = work.join("inspect");
    let status = Command::new(reel)
        .args(["--quiet", "inspect"])
        .arg(&clip)
        .arg("--output")
        .arg(&inspect_dir)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("reel inspect failed".into());
    }
    Ok(Ladder {
        reel,
        clip,
        inspect: inspect_dir
            .join("inspect.json")
            .to_string_lossy()
            .into_owned(),
        work,
        rungs,
        reel_spec: "",
        ffmpeg_opts: Vec::new(),
    })
}

fn compare(title: &str, l: &Ladder) -> Result<(), String> {
    let clip_s = l.clip.to_string_lossy().into_owned();
    let reel_out = l.work.join("reel");
    let _ = std::fs::remove_dir_all(&reel_out);
    let out = reel_out.to_string_lossy().into_owned();
    let specs: Vec<String> = l
        .rungs
        .iter()
        .map(|(w, h)| format!("{w}x{h}:{}:name=r{h}", l.reel_spec))
        .collect();
    let mut args = vec![
        "--quiet",
        "transcode",
        &clip_s,
        "--output",
        &out,
        "--inspect",
        &l.inspect,
        "--no-hls",
        "--no-dash",
    ];
    for s in &specs {
        args.extend(["-r", s.as_str()]);
    }
    let reel_m = measure(l.reel, &args)?;

    let ff_dir = l.work.join("ffmpeg");
    std::fs::create_dir_all(&ff_dir).map_err(|e| e.to_string())?;
    let mut filter = format!("[0:v]split={}", l.rungs.len());
    for i in 0..l.rungs.len() {
        filter.push_str(&format!("[s{i}]"));
    }
    for (i, (w, h)) in l.rungs.iter().enumerate() {
        filter.push_str(&format!(";[s{i}]scale={w}:{h}:flags=bicubic[o{i}]"));
    }
    let mut ff_args: Vec<String> = ["-hide_banner", "-nostdin", "-y", "-i", &clip_s]
        .iter()
        .map(|s| s.to_string())
        .collect();
    ff_args.extend(["-filter_complex".to_string(), filter]);
    for (i, (_, h)) in l.rungs.iter().enumerate() {
        ff_args.extend(["-map".to_string(), format!("[o{i}]"), "-an".to_string()]);
        ff_args.extend(l.ffmpeg_opts.iter().cloned());
        ff_args.extend([
            "-movflags".to_string(),
            "+faststart".to_string(),
            ff_dir
                .join(format!("r{h}.mp4"))
                .to_string_lossy()
                .into_owned(),
        ]);
    }
    let refs: Vec<&str> = ff_args.iter().map(String::as_str).collect();
    let ff_m = measure(Path::new("ffmpeg"), &refs)?;

    println!("{title}, {} s at {FPS} fps", bench_seconds());
    print_ratio("reel", &reel_m, "ffmpeg", &ff_m);
    println!("rung   reel bytes  ffmpeg bytes  size diff  reel PSNR  ffmpeg PSNR  PSNR diff  reel VMAF  ffmpeg VMAF  VMAF diff");
    for (w, h) in l.rungs {
        let a = reel_out.join(format!("renditions/r{h}.mp4"));
        let b = ff_dir.join(format!("r{h}.mp4"));
        let (sa, sb) = (size(&a)?, size(&b)?);
        let (pa, pb) = (psnr(&a, &l.clip, *w, *h)?, psnr(&b, &l.clip, *w, *h)?);
        let (va, vb) = (vmaf(l.reel, &a, &l.clip)?, vmaf(l.reel, &b, &l.clip)?);
        println!(
            "{h:>4}p {sa:>11} {sb:>13} {:>+9.2}% {pa:>10.3} {pb:>12.3} {:>+10.3} {va:>10.3} {vb:>12.3} {:>+10.3}",
            (sa as f64 / sb as f64 - 1.0) * 100.0,
            pa - pb,
            va - vb
        );
    }
    println!();
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
fn psnr(dist: &Path, reference: &Path, w: u32, h: u32) -> Result<f64, String> {
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

/// Mean VMAF (vmaf_v0.6.1) of `dist` upscaled bicubic to the reference's
/// size, every 5th frame, from `reel vmaf --json`.
fn vmaf(reel: &Path, dist: &Path, reference: &Path) -> Result<f64, String> {
    let json = std::env::temp_dir().join(format!("reel-bench-vmaf-{}.json", std::process::id()));
    let status = Command::new(reel)
        .args(["--quiet", "vmaf", "--subsample", "5", "--reference"])
        .arg(reference)
        .arg("--distorted")
        .arg(dist)
        .arg("--json")
        .arg(&json)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("reel vmaf failed on {}", dist.display()));
    }
    let text = std::fs::read_to_string(&json).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&json);
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    v["pooled_metrics"]["vmaf"]["mean"]
        .as_f64()
        .ok_or_else(|| format!("no pooled VMAF for {}", dist.display()))
}
