//! Compares inspect's throughput with a decode-only pass of the same input:
//! `cargo run --release -p reel-inspect --example throughput -- FILE [ROUNDS]`.
//! Prints frames per second of each and their ratio (target: >= 0.90).

use reel_inspect::{inspect, InspectOptions};
use reel_media::{spawn_decoder, DecodeEvent, DecoderOptions};
use std::time::Instant;

fn decode_only(input: &str) -> Result<u64, Box<dyn std::error::Error>> {
    let mut frames = 0u64;
    for event in spawn_decoder(input.to_string(), DecoderOptions::default(), 8)? {
        if let DecodeEvent::Frame(_) = event? {
            frames += 1;
        }
    }
    Ok(frames)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let input = args.next().ok_or("usage: throughput FILE [ROUNDS]")?;
    let rounds: usize = args.next().map_or(Ok(3), |r| r.parse())?;
    let opts = InspectOptions::default();
    let (mut best_decode, mut best_inspect) = (f64::MAX, f64::MAX);
    let mut frames = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        frames = decode_only(&input)?;
        best_decode = best_decode.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let report = inspect(&input, &opts, &mut |_| {})?;
        best_inspect = best_inspect.min(t.elapsed().as_secs_f64());
        let count = report.video.map_or(0, |v| v.frame_count);
        if count != frames {
            return Err(format!("inspect counted {count} frames, decode {frames}").into());
        }
    }
    let (d, i) = (frames as f64 / best_decode, frames as f64 / best_inspect);
    println!(
        "{input}: {frames} frames; decode-only {d:.1} fps, inspect {i:.1} fps, ratio {:.3} ({} rayon threads)",
        i / d,
        rayon::current_num_threads()
    );
    Ok(())
}
