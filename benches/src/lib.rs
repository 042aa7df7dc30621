//! Helpers for reel's whole-program benchmarks: locating the binaries, making the
//! long test clips from the real samples, and measuring a command's wall time, CPU
//! time and peak memory with GNU time.
//!
//! Each bench target in `benches/` compares `reel` against a real baseline in the same
//! run and prints the ratio.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// The release `reel` binary: `REEL_BIN`, or `target/release/reel`, built on demand.
pub fn reel_binary() -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var("REEL_BIN") {
        return Ok(PathBuf::from(p));
    }
    let root = workspace_root();
    let status = Command::new("cargo")
        .args(["build", "--release", "-p", "reel-cli"])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo build --release -p reel-cli failed".into());
    }
    // Cargo puts it under CARGO_TARGET_DIR when that is set.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|d| root.join(d))
        .unwrap_or_else(|| root.join("target"));
    Ok(target.join("release/reel"))
}

/// Directory of the real sample clips (`REEL_MEDIA_DIR`, default `media-cache/`).
pub fn media_dir() -> PathBuf {
    std::env::var_os("REEL_MEDIA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("media-cache"))
}

/// Where generated benchmark clips are cached.
pub fn fixture_dir() -> PathBuf {
    workspace_root().join("target/fixtures/bench")
}

/// Length of the generated benchmark clips: `REEL_BENCH_SECONDS`, default 30.
pub fn bench_seconds() -> u32 {
    bench_seconds_or(30)
}

/// `REEL_BENCH_SECONDS`, else `default`.
pub fn bench_seconds_or(default: u32) -> u32 {
    std::env::var("REEL_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Runs `ffmpeg` with `args` (quiet), failing with its stderr.
pub fn ffmpeg(args: &[&str]) -> Result<(), String> {
    let mut all = vec!["-hide_banner", "-loglevel", "error", "-y"];
    all.extend_from_slice(args);
    run_checked(Path::new("ffmpeg"), &all)
}

/// Runs `program args`, failing with its stderr when it exits non-zero.
pub fn run_checked(program: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} {}: {}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A clip of `seconds` made by looping the Big Buck Bunny sample, scaled to `height`
/// (keeping 16:9), H.264 CRF 18, cached under `target/fixtures/bench`.
pub fn looped_bbb(height: u32, seconds: u32) -> Result<PathBuf, String> {
    let dir = fixture_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let out = dir.join(format!("bbb_{height}p_{seconds}s.mp4"));
    if out.exists() {
        return Ok(out);
    }
    let src = media_dir().join("bigbuckbunny.mp4");
    let tmp = dir.join(format!("bbb_{height}p_{seconds}s.tmp.mp4"));
    let width = height * 16 / 9;
    let filter = format!("scale={width}:{height}:flags=bicubic");
    let t = seconds.to_string();
    ffmpeg(&[
        "-stream_loop",
        "-1",
        "-i",
        &src.to_string_lossy(),
        "-t",
        &t,
        "-vf",
        &filter,
        "-an",
        "-c:v",
        "libx264",
        "-preset",
        "fast",
        "-crf",
        "18",
        &tmp.to_string_lossy(),
    ])?;
    std::fs::rename(&tmp, &out).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(out)
}

/// What one run of a command cost.
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    pub wall_s: f64,
    pub cpu_s: f64,
    pub max_rss_mib: f64,
}

/// Runs `program args` under GNU time (`/usr/bin/time`), discarding its output.
pub fn measure(program: &Path, args: &[&str]) -> Result<Measure, String> {
    measure_env(program, args, &[])
}

/// [`measure`] with extra environment variables.
pub fn measure_env(program: &Path, args: &[&str], env: &[(&str, &str)]) -> Result<Measure, String> {
    measure_with(program, args, env, &[0])
}

/// [`measure_env`] that accepts any exit code in `ok` (`reel validate` and
/// `reel encode` exit 1 when a check fails; the time still counts).
pub fn measure_with(
    program: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    ok: &[i32],
) -> Result<Measure, String> {
    let report = std::env::temp_dir().join(format!("reel-bench-time-{}", std::process::id()));
    let status = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%e %U %S %M")
        .arg("-o")
        .arg(&report)
        .arg(program)
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("cannot run /usr/bin/time (apt package `time`): {e}"))?;
    // GNU time exits with the command's own status.
    if !status.code().is_some_and(|c| ok.contains(&c)) {
        return Err(format!("{} {} failed", program.display(), args.join(" ")));
    }
    let text = std::fs::read_to_string(&report).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&report);
    let fields: Vec<f64> = text
        .split_whitespace()
        .rev()
        .take(4)
        .map(|f| f.parse::<f64>().unwrap_or(f64::NAN))
        .collect();
    match fields.as_slice() {
        [rss_kib, sys, user, wall] => Ok(Measure {
            wall_s: *wall,
            cpu_s: user + sys,
            max_rss_mib: rss_kib / 1024.0,
        }),
        _ => Err(format!("unexpected GNU time output: {text}")),
    }
}

/// The median of `runs` measurements (by wall time).
pub fn median_of(
    runs: usize,
    mut f: impl FnMut() -> Result<Measure, String>,
) -> Result<Measure, String> {
    let mut all = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        all.push(f()?);
    }
    all.sort_by(|a, b| a.wall_s.total_cmp(&b.wall_s));
    Ok(all[all.len() / 2])
}

/// Number of video frames in `clip`, counted by ffprobe.
pub fn frame_count(clip: &Path) -> Result<u64, String> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
        ])
        .arg(clip)
        .output()
        .map_err(|e| format!("cannot run ffprobe: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("ffprobe frame count of {}: {e}", clip.display()))
}
