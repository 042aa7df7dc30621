//! Queue mode on one machine: the units of a chunked x264 job (Apple's static
//! ladder, 2 s chunks) encoded by two `reel worker` processes against one, each
//! worker with one thread, through a real SQS and S3 (moto_server on
//! 127.0.0.1). Prints the units phase's wall time both ways and the throughput
//! ratio, and the queue overhead per unit: the time a worker holds a unit
//! (receive to delete) less the encode itself, that is the message round trip
//! plus reading the plan and uploading the chunks.
//!
//! `REEL_BENCH_SECONDS` sets the clip length (default 20 s, 720p),
//! `REEL_BIN` the binary.

use reel_benches::{bench_seconds_or, looped_bbb, reel_binary};
use reel_testkit::moto::MotoServer;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const BUCKET: &str = "bench";

fn main() {
    if let Err(e) = run() {
        eprintln!("queue_workers: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let reel = reel_binary()?;
    let seconds = bench_seconds_or(20);
    let clip = looped_bbb(720, seconds)?;
    let moto = MotoServer::start().ok_or("REEL_SKIP_QUEUE=1: nothing to measure")?;
    moto.create_bucket(BUCKET);
    let queue = moto.create_queue("units", Some(("units-dead", 3)));
    moto.upload(BUCKET, "sources/bbb.mp4", &clip);
    println!("== {seconds} s of 720p, apple ladder, 2 s chunks, one thread per worker");
    let one = round(&reel, &moto, &queue, "one", 1)?;
    let two = round(&reel, &moto, &queue, "two", 2)?;
    println!(
        "units phase: 1 worker {:.1} s, 2 workers {:.1} s -> throughput {:.2}x",
        one.units_s,
        two.units_s,
        one.units_s / two.units_s
    );
    println!(
        "whole job:   1 worker {:.1} s, 2 workers {:.1} s -> {:.2}x",
        one.job_s,
        two.job_s,
        one.job_s / two.job_s
    );
    let overheads: Vec<f64> = one
        .overheads_ms
        .iter()
        .chain(&two.overheads_ms)
        .copied()
        .collect();
    let mean = overheads.iter().sum::<f64>() / overheads.len().max(1) as f64;
    let mut sorted = overheads.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "queue overhead per unit (message round trip + storage): mean {mean:.0} ms, median \
         {:.0} ms, max {:.0} ms over {} units",
        sorted.get(sorted.len() / 2).copied().unwrap_or(0.0),
        sorted.last().copied().unwrap_or(0.0),
        sorted.len()
    );
    Ok(())
}

struct Round {
    units_s: f64,
    job_s: f64,
    overheads_ms: Vec<f64>,
}

fn round(
    reel: &Path,
    moto: &MotoServer,
    queue: &str,
    name: &str,
    workers: usize,
) -> Result<Round, String> {
    let dir = tempfile_dir(name)?;
    let mut children: Vec<(Child, std::path::PathBuf)> = Vec::new();
    for i in 0..workers {
        let log = dir.join(format!("worker-{i}.log"));
        let child = reel_cmd(reel, moto)
            .args(["worker", "--queue", queue, "--threads", "1"])
            .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?)
            .spawn()
            .map_err(|e| e.to_string())?;
        children.push((child, log));
    }
    let output = format!("s3://{BUCKET}/jobs/{name}");
    let started = Instant::now();
    let out = reel_cmd(reel, moto)
        .args([
            "encode",
            "s3://bench/sources/bbb.mp4",
            "--output",
            &output,
            "--static",
            "apple",
            "--no-validate",
            "--max-chunk",
            "2",
            "--queue",
            queue,
        ])
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| e.to_string())?;
    let job_s = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("reel encode --queue failed:\n{stderr}"));
    }
    let units_s = stderr
        .lines()
        .find_map(|l| l.split("chunks done by workers in ").nth(1))
        .and_then(|rest| rest.trim_end_matches(" s").parse().ok())
        .ok_or_else(|| format!("no units time in:\n{stderr}"))?;
    let mut overheads_ms = Vec::new();
    for (mut child, log) in children {
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&log).map_err(|e| e.to_string())?;
        overheads_ms.extend(text.lines().filter_map(|l| {
            l.split("queue and storage ")
                .nth(1)?
                .trim_end_matches(" ms)")
                .parse::<f64>()
                .ok()
        }));
    }
    println!(
        "{workers} worker(s): units {units_s:.1} s, job {job_s:.1} s, {} units",
        overheads_ms.len()
    );
    Ok(Round {
        units_s,
        job_s,
        overheads_ms,
    })
}

fn reel_cmd(reel: &Path, moto: &MotoServer) -> Command {
    let mut cmd = Command::new(reel);
    cmd.stdout(Stdio::null());
    for (k, v) in moto.env() {
        cmd.env(k, v);
    }
    cmd
}

fn tempfile_dir(name: &str) -> Result<std::path::PathBuf, String> {
    let dir = reel_benches::fixture_dir().join(format!("queue-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}
