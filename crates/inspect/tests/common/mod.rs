//! Test fixtures: real clips from the media cache, generated clips made
//! with the ffmpeg CLI on first use and cached under `target/fixtures`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use reel_core::manifest::InspectReport;
use reel_inspect::{inspect, InspectOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A real clip: `$REEL_MEDIA_DIR/<name>` (default `<workspace>/media-cache`).
pub fn media(name: &str) -> PathBuf {
    let dir = std::env::var_os("REEL_MEDIA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("media-cache"));
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "missing test clip {} (set REEL_MEDIA_DIR or copy the clips to media-cache)",
        path.display()
    );
    path
}

pub fn fixtures_dir() -> PathBuf {
    let dir = workspace().join("target/fixtures");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `target/fixtures/<name>`, made by `ffmpeg <args> <output>` when absent.
/// Written to a temporary name and renamed, so tests running in parallel
/// never read a half-written file.
pub fn generated(name: &str, args: &[&str]) -> PathBuf {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let path = fixtures_dir().join(name);
    if path.is_file() {
        return path;
    }
    let ext = Path::new(name).extension().unwrap().to_str().unwrap();
    let tmp = fixtures_dir().join(format!(
        ".{name}.{}.{}.{ext}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-nostdin"])
        .args(args)
        .arg(&tmp)
        .output()
        .expect("run ffmpeg (is the ffmpeg CLI installed?)");
    assert!(
        out.status.success(),
        "ffmpeg failed making {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(&tmp, &path).unwrap();
    path
}

pub fn run(path: &Path) -> InspectReport {
    try_run(path).unwrap_or_else(|e| panic!("inspect {}: {e}", path.display()))
}

pub fn try_run(path: &Path) -> reel_inspect::Result<InspectReport> {
    let mut last = None;
    let report = inspect(
        path.to_str().unwrap(),
        &InspectOptions::default(),
        &mut |p| last = Some(p),
    )?;
    if let Some(v) = &report.video {
        let last = last.expect("progress was reported");
        assert_eq!(
            last.frames_done, v.frame_count,
            "final progress counts every frame"
        );
    }
    Ok(report)
}

/// Frame indices matched within `tolerance`: (precision, recall).
pub fn precision_recall(found: &[u64], truth: &[u64], tolerance: u64) -> (f64, f64) {
    let mut used = vec![false; truth.len()];
    let mut hits = 0usize;
    for &f in found {
        let m = truth
            .iter()
            .enumerate()
            .find(|(i, &t)| !used[*i] && t.abs_diff(f) <= tolerance);
        if let Some((i, _)) = m {
            used[i] = true;
            hits += 1;
        }
    }
    let precision = if found.is_empty() {
        1.0
    } else {
        hits as f64 / found.len() as f64
    };
    let recall = if truth.is_empty() {
        1.0
    } else {
        hits as f64 / truth.len() as f64
    };
    (precision, recall)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Ground truth of [`shot_clip`]: the first frame of each new shot.
///
/// The clip is 420 frames at 25 fps, 640x360:
/// - 0..60: carphone frames 0..59, with frame 30 replaced by solid white
///   (a one-frame flash: not a cut);
/// - 60..110: bigbuckbunny frames 0..49 (hard cut at 60);
/// - 110..130: a 20-frame dissolve (xfade) from bigbuckbunny 50..69 into
///   bikes 0..19 (ground truth: no cut anywhere in it);
/// - 130..360: bikes 20..249, whose own cuts (first frames 30, 76, 137,
///   187, 242, found from per-frame difference scores and checked by eye
///   on ffmpeg thumbnails of frames n-1 and n) land at 110 + n;
/// - 360..420: carphone frames 60..119 (hard cut at 360).
pub const SHOT_TRUTH: [u64; 7] = [60, 140, 186, 247, 297, 352, 360];
pub const SHOT_FLASH: u64 = 30;
pub const SHOT_DISSOLVE: std::ops::Range<u64> = 110..130;

pub fn shot_clip() -> PathBuf {
    let (car, bbb, bikes) = (
        media("carphone_pristine.mp4"),
        media("bigbuckbunny.mp4"),
        media("bikes.mp4"),
    );
    let norm = "scale=640:360,setsar=1,format=yuv420p";
    let graph = format!(
        "[0:v]setpts=N/(25*TB),{norm},split[ca][cb];\
         [ca]trim=end_frame=60,setpts=N/(25*TB),\
         drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='eq(n,30)'[c1];\
         [cb]trim=start_frame=60:end_frame=120,setpts=N/(25*TB)[c2];\
         [1:v]trim=end_frame=70,setpts=N/(25*TB),{norm}[b];\
         [2:v]setpts=N/(25*TB),{norm}[k];\
         [b][k]xfade=transition=fade:duration=0.8:offset=2.0[bk];\
         [c1][bk][c2]concat=n=3:v=1:a=0[out]"
    );
    generated(
        "shots.mp4",
        &[
            "-i",
            s(&car),
            "-i",
            s(&bbb),
            "-i",
            s(&bikes),
            "-filter_complex",
            &graph,
            "-map",
            "[out]",
            "-r",
            "25",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "20",
            "-an",
        ],
    )
}

const X264: [&str; 6] = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20"];

fn lavfi(name: &str, graph: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["-f", "lavfi", "-i", graph];
    args.extend_from_slice(extra);
    args.extend_from_slice(&X264);
    args.extend_from_slice(&["-pix_fmt", "yuv420p"]);
    generated(name, &args)
}

/// 1 s testsrc2, 1 s black, 1 s testsrc2 at 25 fps: black frames 25..=49.
pub fn black_clip() -> PathBuf {
    lavfi(
        "black.mp4",
        "testsrc2=s=320x240:r=25:d=1[a];color=black:s=320x240:r=25:d=1[b];\
         testsrc2=s=320x240:r=25:d=1[c];[a][b][c]concat=n=3:v=1:a=0",
        &[],
    )
}

/// testsrc2 320x180 letterboxed in 320x240 (30-pixel bars top and bottom).
pub fn letterbox_clip() -> PathBuf {
    lavfi(
        "letterbox.mp4",
        "testsrc2=s=320x180:r=25:d=2,pad=320:240:0:30:black",
        &[],
    )
}

/// testsrc2 240x240 pillarboxed in 320x240 (40-pixel bars left and right).
pub fn pillarbox_clip() -> PathBuf {
    lavfi(
        "pillarbox.mp4",
        "testsrc2=s=240x240:r=25:d=2,pad=320:240:40:0:black",
        &[],
    )
}

/// 2 s of testsrc2 (50 frames), then its last picture held for 1 s
/// (`tpad` clones): frames 50..=74 repeat frame 49.
pub fn frozen_clip() -> PathBuf {
    lavfi(
        "frozen.mp4",
        "testsrc2=s=320x240:r=25:d=2,tpad=stop_mode=clone:stop_duration=1",
        &[],
    )
}

/// bikes, woven into fields (`interlace`: two frames per picture, top
/// field first) and coded interlaced with TFF signalled.
pub fn interlaced_clip() -> PathBuf {
    let bikes = media("bikes.mp4");
    let mut args = vec!["-i", s(&bikes), "-vf", "interlace"];
    args.extend_from_slice(&X264);
    args.extend_from_slice(&["-flags", "+ilme+ildct", "-field_order", "tt", "-an"]);
    generated("interlaced.mp4", &args)
}

/// The same woven fields coded as progressive pictures, with no interlace
/// signalling: only the combing detector can tell.
pub fn combed_unflagged_clip() -> PathBuf {
    let bikes = media("bikes.mp4");
    let mut args = vec!["-i", s(&bikes), "-vf", "interlace,setfield=prog"];
    args.extend_from_slice(&X264);
    args.extend_from_slice(&["-an"]);
    generated("combed_unflagged.mkv", &args)
}

/// testsrc2 whose frame steps change: 40 ms for frames 0..25, then 80 ms,
/// muxed with the timestamps passed through.
pub fn vfr_clip() -> PathBuf {
    lavfi(
        "vfr.mkv",
        // In units of the 1/25 time base (integers: no rounding down).
        "testsrc2=s=320x240:r=25:d=2,setpts='N+if(gte(N,25),N-25,0)'",
        &["-fps_mode", "passthrough"],
    )
}

/// A one-second sine in AAC: no video stream.
pub fn audio_only_clip() -> PathBuf {
    generated(
        "audio_only.m4a",
        &[
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1",
            "-c:a",
            "aac",
        ],
    )
}

/// bigbuckbunny with 64 KiB of pseudo-random bytes written over the middle
/// of its `mdat` box (the container index stays intact).
pub fn corrupt_clip() -> PathBuf {
    let path = fixtures_dir().join("corrupt_bbb.mp4");
    if path.is_file() {
        return path;
    }
    let mut bytes = std::fs::read(media("bigbuckbunny.mp4")).unwrap();
    let (start, len) = find_box(&bytes, b"mdat").expect("bigbuckbunny has an mdat box");
    let from = start + len / 2;
    let mut x: u32 = 0x1234_5678;
    for b in &mut bytes[from..from + 65_536] {
        // xorshift32: deterministic garbage.
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let tmp = fixtures_dir().join(format!(".corrupt_bbb.{}.mp4", std::process::id()));
    std::fs::write(&tmp, &bytes).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    path
}

/// Offset and size of the first top-level MP4 box of `kind`.
fn find_box(bytes: &[u8], kind: &[u8; 4]) -> Option<(usize, usize)> {
    let mut pos = 0usize;
    while pos + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
        if &bytes[pos + 4..pos + 8] == kind {
            return Some((pos, size));
        }
        if size < 8 {
            return None;
        }
        pos += size;
    }
    None
}
