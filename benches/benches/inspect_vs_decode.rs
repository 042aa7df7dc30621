//! `reel inspect` against decode-only speed of the same file with the same FFmpeg
//! libraries (`ffmpeg -i X -map 0:v:0 -f null -`), on a 720p and a 1080p clip of 30 s.
//!
//! Prints frames per second of both, the throughput ratio (target >= 0.90) and the peak
//! memory of `reel inspect` (target < 300 MB at 1080p).

use reel_benches::{frame_count, looped_bbb, measure, median_of, reel_binary};
use std::path::Path;

fn main() {
    if let Err(e) = run() {
        eprintln!("inspect_vs_decode: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let reel = reel_binary()?;
    let ffmpeg = Path::new("ffmpeg");
    println!("clip        frames  decode-only fps  inspect fps  ratio  inspect peak RSS  inspect CPU s / decode CPU s");
    for height in [720_u32, 1080] {
        let clip = looped_bbb(height, 30)?;
        let frames = frame_count(&clip)? as f64;
        let clip_s = clip.to_string_lossy().into_owned();
        let decode = median_of(3, || {
            measure(
                ffmpeg,
                &[
                    "-hide_banner",
                    "-nostdin",
                    "-i",
                    &clip_s,
                    "-map",
                    "0:v:0",
                    "-f",
                    "null",
                    "-",
                ],
            )
        })?;
        let inspect = median_of(3, || {
            measure(&reel, &["inspect", "--quiet", "--json", &clip_s])
        })?;
        let decode_fps = frames / decode.wall_s;
        let inspect_fps = frames / inspect.wall_s;
        println!(
            "{height:>4}p 30 s  {frames:>6}  {decode_fps:>15.1}  {inspect_fps:>11.1}  {:>5.2}  {:>12.1} MiB  {:>6.2} / {:.2}",
            inspect_fps / decode_fps,
            inspect.max_rss_mib,
            inspect.cpu_s,
            decode.cpu_s,
        );
    }
    Ok(())
}
