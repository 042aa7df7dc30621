#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Queue mode and S3-triggered processing against a real SQS and S3 (moto_server
//! on 127.0.0.1): `reel watch` turns an upload into a job whose units two
//! `reel worker`s share; a worker killed mid-unit or stopped with SIGTERM loses
//! nothing; a unit that keeps failing ends in the dead-letter queue and fails
//! its job by name; poison never stops a watcher or a worker.

mod common;

use common::*;
use reel_testkit::moto::MotoServer;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const BUCKET: &str = "studio";
/// 1.5 s chunks: the 5.3 s title is four units; seven apple rungs each.
const SETTINGS: [&str; 5] = ["--static", "apple", "--no-validate", "--max-chunk", "1.5"];

/// A `reel` process whose stderr goes to a file the test reads while it runs.
struct Spawned {
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Spawned {
    fn start(args: &[&str], env: &[(&'static str, String)]) -> Spawned {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("stderr.log");
        let child = reel_command(args, &as_refs(env))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Spawned {
            child,
            log,
            _dir: dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log has a line containing every one of `parts`; returns it.
    fn wait_for(&mut self, parts: &[&str], limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(line) = self
                .log()
                .lines()
                .find(|l| parts.iter().all(|p| l.contains(p)))
            {
                return line.to_string();
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "exited ({status}) before logging {parts:?}:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no line with {parts:?} after {limit:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits for the exit code.
    fn wait(&mut self, limit: Duration) -> i32 {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(
                Instant::now() < deadline,
                "still running after {limit:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Unit indices this worker finished.
    fn finished_units(&self) -> BTreeSet<usize> {
        self.log()
            .lines()
            .filter_map(|l| l.split(": unit ").nth(1))
            .filter(|rest| rest.contains(": frames "))
            .filter_map(|rest| rest.split(':').next()?.parse().ok())
            .collect()
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An S3 ObjectCreated notification for `key` (URL-encoded, as S3 writes it)
/// in the test bucket.
fn s3_event(key: &str) -> String {
    serde_json::json!({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-28T20:00:00.000Z", "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": BUCKET, "arn": "arn:aws:s3:::studio"},
               "object": {"key": key, "size": 1, "eTag": "0", "sequencer": "0"}}
    }]})
    .to_string()
}

fn worker(moto: &MotoServer, queue: &str, extra: &[&str]) -> Spawned {
    let mut args = vec!["worker", "--queue", queue];
    args.extend(extra);
    Spawned::start(&args, &moto.env())
}

fn json(moto: &MotoServer, key: &str) -> Value {
    serde_json::from_slice(&moto.get(BUCKET, key)).unwrap()
}

/// Every rendition of the job at `prefix` has every frame of the 132-frame
/// title, and each rung has exactly one chunk and one record per unit.
fn assert_complete(moto: &MotoServer, prefix: &str, units: usize) {
    let encode = json(moto, &format!("{prefix}/encode.json"));
    let renditions = encode["renditions"].as_array().unwrap();
    assert_eq!(renditions.len(), 7, "{encode}");
    for rendition in renditions {
        assert_eq!(rendition["frame_count"], 132, "{rendition}");
    }
    let keys = moto.keys(BUCKET, &format!("{prefix}/chunks/"));
    let rungs: BTreeSet<&str> = keys.iter().filter_map(|k| k.split('/').nth(3)).collect();
    assert_eq!(rungs.len(), 7, "{keys:?}");
    assert_eq!(keys.len(), 7 * units * 2, "{keys:?}");
}

/// A moto server with the bucket, Big Buck Bunny at sources/bbb.mp4 and a
/// `units` queue whose messages go to `units-dead` after `max_receives`;
/// `None` when queue tests are skipped.
fn studio_with_bbb(max_receives: u32) -> Option<(MotoServer, String)> {
    let moto = MotoServer::start()?;
    moto.create_bucket(BUCKET);
    let units = moto.create_queue("units", Some(("units-dead", max_receives)));
    moto.upload(BUCKET, "sources/bbb.mp4", &clip("bigbuckbunny.mp4"));
    Some((moto, units))
}

#[test]
fn an_upload_becomes_a_job_whose_units_two_workers_share() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    moto.create_bucket(BUCKET);
    let units = moto.create_queue("units", Some(("units-dead", 3)));
    let events = moto.create_queue("events", None);
    moto.notify(BUCKET, &events, "incoming/");

    let mut watch = Spawned::start(
        &[
            "watch",
            "--queue",
            &events,
            "--output",
            "s3://studio/jobs",
            "--prefix",
            "incoming/",
            "--work-queue",
            &units,
            "--static",
            "apple",
            "--max-chunk",
            "1.5",
        ],
        &moto.env(),
    );
    let mut workers = [worker(&moto, &units, &[]), worker(&moto, &units, &[])];
    for w in &mut workers {
        w.wait_for(&["taking cpu units"], Duration::from_secs(60));
    }
    // Poison first: none of it may stop the watcher.
    moto.send(&events, "{not json");
    moto.put_text(BUCKET, "incoming/readme.txt", "not a video");
    moto.upload(
        BUCKET,
        "incoming/Big Buck Bunny.mp4",
        &clip("bigbuckbunny.mp4"),
    );

    watch.wait_for(
        &["s3://studio/incoming/Big Buck Bunny.mp4: job done in s3://studio/jobs/Big Buck Bunny"],
        Duration::from_secs(900),
    );
    let log = watch.log();
    assert!(log.contains("not JSON"), "{log}");
    assert!(
        log.contains("s3://studio/incoming/readme.txt: not a video source"),
        "{log}"
    );
    let validation = json(&moto, "jobs/Big Buck Bunny/validate.json");
    assert_eq!(validation["passed"], true, "{validation}");
    assert_complete(&moto, "jobs/Big Buck Bunny", 4);
    let shares: Vec<BTreeSet<usize>> = workers.iter().map(Spawned::finished_units).collect();
    for (i, share) in shares.iter().enumerate() {
        assert!(
            !share.is_empty(),
            "worker {i} did no unit:\n{}",
            workers[i].log()
        );
    }
    let all: BTreeSet<usize> = shares.iter().flatten().copied().collect();
    assert_eq!(all, (0..4).collect(), "{shares:?}");

    // The same event again (S3 delivers at least once): the finished job is
    // kept, nothing is encoded again. Then an event for an object deleted
    // before it was processed: dropped, and the watcher goes on.
    let report = moto.get(BUCKET, "jobs/Big Buck Bunny/validate.json");
    moto.send(&events, &s3_event("incoming/Big+Buck+Bunny.mp4"));
    moto.send(&events, &s3_event("incoming/gone.mp4"));
    watch.wait_for(
        &["s3://studio/incoming/gone.mp4: the object was deleted before processing"],
        Duration::from_secs(120),
    );
    let log = watch.log();
    assert_eq!(
        log.matches("Big Buck Bunny.mp4: job done").count(),
        2,
        "{log}"
    );
    assert!(
        log.contains("[4/5] validate: finished earlier, kept"),
        "{log}"
    );
    assert_eq!(
        moto.get(BUCKET, "jobs/Big Buck Bunny/validate.json"),
        report
    );

    watch.signal("-TERM");
    assert_eq!(watch.wait(Duration::from_secs(30)), 0, "{}", watch.log());
    for w in &mut workers {
        w.signal("-TERM");
        assert_eq!(w.wait(Duration::from_secs(30)), 0, "{}", w.log());
        assert!(w.log().contains("stopped after"), "{}", w.log());
    }
}

#[test]
fn killed_and_stopped_workers_lose_no_unit() {
    let Some((moto, units)) = studio_with_bbb(5) else {
        return;
    };
    // One rung per unit: 4 chunks x 7 rungs.
    let mut args = vec![
        "encode",
        "s3://studio/sources/bbb.mp4",
        "--output",
        "s3://studio/jobs/bbb",
        "--queue",
        &units,
        "--queue-unit",
        "rung",
    ];
    args.extend(SETTINGS);
    let mut job = Spawned::start(&args, &moto.env());
    job.wait_for(&["sent 28 unit messages"], Duration::from_secs(120));

    // Killed mid-unit: its unit comes back after the 5 s visibility timeout.
    let mut killed = worker(&moto, &units, &["--visibility", "5"]);
    let line = killed.wait_for(&["started (attempt 1)"], Duration::from_secs(60));
    let killed_unit = line
        .split(": unit ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    killed.signal("-KILL");
    killed.wait(Duration::from_secs(10));

    // Stopped mid-unit with SIGTERM: its unit is given back at once, though
    // it would otherwise stay hidden for an hour, longer than the job may take.
    let mut stopped = worker(&moto, &units, &["--visibility", "3600"]);
    let line = stopped.wait_for(&["started"], Duration::from_secs(60));
    let stopped_unit = line
        .split(": unit ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    stopped.signal("-TERM");
    assert_eq!(
        stopped.wait(Duration::from_secs(30)),
        0,
        "{}",
        stopped.log()
    );
    assert!(
        stopped.log().contains("released to other workers"),
        "{}",
        stopped.log()
    );

    let mut finisher = worker(&moto, &units, &["--visibility", "600"]);
    assert_eq!(job.wait(Duration::from_secs(1200)), 0, "{}", job.log());
    let log = finisher.log();
    for unit in [&killed_unit, &stopped_unit] {
        assert!(
            log.lines().any(|l| l.contains(&format!("unit {unit} of "))
                && l.contains("started (attempt")
                && !l.contains("(attempt 1)")),
            "unit {unit} was not received again:\n{log}"
        );
    }
    assert_complete(&moto, "jobs/bbb", 4);
    // Every message encoded one rung.
    let logs: String = [&killed, &stopped, &finisher]
        .iter()
        .map(|w| w.log())
        .collect();
    let rungs_per_unit: BTreeSet<usize> = logs
        .lines()
        .filter(|l| l.contains(": frames "))
        .filter_map(|l| {
            let rungs = l.rsplit_once('[')?.1.split_once(']')?.0;
            Some(rungs.split(", ").count())
        })
        .collect();
    assert_eq!(rungs_per_unit, BTreeSet::from([1]), "{logs}");
    finisher.signal("-TERM");
    assert_eq!(finisher.wait(Duration::from_secs(30)), 0);
}

#[test]
fn a_unit_that_keeps_failing_is_dead_lettered_and_fails_its_job_by_name() {
    let Some((moto, units)) = studio_with_bbb(2) else {
        return;
    };
    let mut args = vec![
        "encode",
        "s3://studio/sources/bbb.mp4",
        "--output",
        "s3://studio/jobs/bbb",
        "--queue",
        &units,
    ];
    args.extend(SETTINGS);
    let mut job = Spawned::start(&args, &moto.env());
    job.wait_for(&["sent 4 unit messages"], Duration::from_secs(120));
    // Planned, then the source is gone: every unit fails on every attempt.
    moto.delete_object(BUCKET, "sources/bbb.mp4");
    let mut w = worker(&moto, &units, &["--idle-exit", "5"]);

    assert_eq!(job.wait(Duration::from_secs(120)), 2, "{}", job.log());
    let error = job.log().lines().last().unwrap().to_string();
    assert!(error.starts_with("reel: error: unit "), "{error}");
    assert!(error.contains("failed 2 of 2 attempts"), "{error}");
    assert!(error.contains("sources/bbb.mp4"), "{error}");
    assert!(
        error.contains("went to the dead-letter queue units-dead"),
        "{error}"
    );
    assert!(!job.log().contains("panicked"), "{}", job.log());
    assert_eq!(w.wait(Duration::from_secs(120)), 0, "{}", w.log());
    let dead_url = units.replace("/units", "/units-dead");
    let dead = moto.peek(&dead_url);
    assert!(!dead.is_empty(), "nothing in the dead-letter queue");
    for body in &dead {
        let message: Value = serde_json::from_str(body).unwrap();
        assert_eq!(message["kind"], "reel.unit", "{body}");
        assert_eq!(message["plan"], "s3://studio/jobs/bbb/plan.json", "{body}");
    }
    assert!(!moto
        .keys(BUCKET, "jobs/bbb/")
        .iter()
        .any(|k| k.ends_with("encode.json")));
}

#[test]
fn workers_pass_on_units_they_cannot_encode_and_drop_poison() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let queue = moto.create_queue("units", None);
    let gpu_unit = serde_json::json!({
        "kind": "reel.unit", "version": 1, "job_id": "0123456789abcdef",
        "plan": "s3://studio/jobs/x/plan.json", "index": 0,
        "encoders": "nvenc", "rungs": ["1080p-h264"]
    });
    moto.send(&queue, &gpu_unit.to_string());
    moto.send(&queue, "hello");
    let mut cpu = worker(&moto, &queue, &["--idle-exit", "3"]);
    assert_eq!(cpu.wait(Duration::from_secs(60)), 0, "{}", cpu.log());
    let log = cpu.log();
    assert!(
        log.contains("unit 0 of s3://studio/jobs/x/plan.json needs nvenc encoders; passed on"),
        "{log}"
    );
    assert!(log.contains("is not a reel unit"), "{log}");
    assert!(log.contains("stopped after 0 units"), "{log}");
    // The GPU unit waits for a GPU worker; the poison is gone.
    let left = moto.peek(&queue);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(serde_json::from_str::<Value>(&left[0]).unwrap(), gpu_unit);

    let gpu = reel_env(
        &[
            "worker",
            "--queue",
            &queue,
            "--encoders",
            "nvenc",
            "--idle-exit",
            "1",
        ],
        &as_refs(&moto.env()),
    );
    if gpu.code == 2 {
        assert_clean_error(
            &gpu,
            "--encoders nvenc",
            "NVENC does not work on this machine",
        );
    } else {
        println!("NVENC works on this machine: the refusal without a GPU is not checked here");
    }
}

#[test]
fn bad_queues_are_clear_errors() {
    let run = reel(&["worker", "--queue", "units"]);
    assert_clean_error(&run, "units", "not an SQS queue URL");
    let run = reel(&[
        "worker",
        "--queue",
        "http://127.0.0.1:9/123456789012/units",
        "--encoders",
        "gpu",
    ]);
    assert_clean_error(&run, "--encoders gpu", "not an encoder kind");
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    let run = reel_env(
        &["worker", "--queue", "http://127.0.0.1:9/123456789012/units"],
        &env,
    );
    assert_clean_error(
        &run,
        "http://127.0.0.1:9/123456789012/units",
        "cannot reach",
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let src = clip("bigbuckbunny.mp4");
    let run = reel_env(
        &[
            "encode",
            src.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--queue",
            "http://127.0.0.1:9/123456789012/units",
        ],
        &env,
    );
    assert_clean_error(
        &run,
        "http://127.0.0.1:9/123456789012/units",
        "cannot reach",
    );
    assert!(
        !Path::new(&out).exists(),
        "nothing is written before the queue answers"
    );
}

#[test]
fn per_title_trials_and_validation_run_on_workers_and_find_what_a_local_job_finds() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    moto.create_bucket(BUCKET);
    let units = moto.create_queue("units", Some(("units-dead", 3)));
    let carphone = clip("carphone_pristine.mp4");
    moto.upload(BUCKET, "sources/carphone.mp4", &carphone);
    let workers = [worker(&moto, &units, &[]), worker(&moto, &units, &[])];
    let run = reel_env(
        &[
            "encode",
            "s3://studio/sources/carphone.mp4",
            "--output",
            "s3://studio/jobs/carphone",
            "--queue",
            &units,
            "--max-chunk",
            "1.5",
        ],
        &as_refs(&moto.env()),
    );
    // Exit 1 is a validation finding (carphone's rungs miss their predicted
    // VMAF by about 3), which the local run must find alike.
    assert!(matches!(run.code, 0 | 1), "{}", run.stderr);
    let queued_code = run.code;
    let logs: String = workers.iter().map(Spawned::log).collect();
    // Trials, then the refine encodes of the chosen rungs, then the job's units.
    assert!(logs.contains("recipes measured"), "{logs}");
    assert!(logs.contains("t176x144-crf18"), "{logs}");
    assert!(
        logs.contains("unit 0 of s3://studio/jobs/carphone/plan.json"),
        "{logs}"
    );
    let queued = json(&moto, "jobs/carphone/ladder.json");

    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("carphone");
    let run = reel(&[
        "--quiet",
        "encode",
        carphone.to_str().unwrap(),
        "--output",
        local.to_str().unwrap(),
        "--max-chunk",
        "1.5",
    ]);
    assert_eq!(run.code, queued_code, "{}", run.stderr);
    let here: Value =
        serde_json::from_slice(&std::fs::read(local.join("ladder.json")).unwrap()).unwrap();
    for field in ["segments", "trials", "hull", "rungs", "predictions"] {
        assert_eq!(queued[field], here[field], "{field} differs");
    }
    assert!(!queued["trials"].as_array().unwrap().is_empty());
    let keys = moto.keys(BUCKET, "jobs/carphone/ladder-trials/");
    assert!(
        keys.iter()
            .any(|k| k.starts_with("jobs/carphone/ladder-trials/trial/")),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k.starts_with("jobs/carphone/ladder-trials/refine/")),
        "{keys:?}"
    );
    assert!(!keys.iter().any(|k| k.contains("/failures/")), "{keys:?}");
    assert_complete_renditions(&moto, "jobs/carphone", 120);

    // Renditions validated by workers, the job-wide checks here: the same
    // findings, in the same order, as one local validation.
    let queued = json(&moto, "jobs/carphone/validate.json");
    let here: Value =
        serde_json::from_slice(&std::fs::read(local.join("validate.json")).unwrap()).unwrap();
    for field in ["passed", "counts", "checks", "quality", "vmaf_model"] {
        assert_eq!(queued[field], here[field], "{field} differs");
    }
    assert_eq!(queued["passed"], queued_code == 0);
    assert!(!queued["quality"].as_array().unwrap().is_empty());
    // Each rendition's VMAF was scored in parts, one per encode chunk, by
    // the workers: the joined parts gave the local scores above exactly.
    let encode = json(&moto, "jobs/carphone/encode.json");
    let chunks = encode["chunks"].as_array().unwrap().len();
    assert!(chunks > 1, "{encode}");
    let renditions = encode["renditions"].as_array().unwrap();
    let parts = moto.keys(BUCKET, "jobs/carphone/validate-units/vmaf/");
    assert_eq!(parts.len(), renditions.len() * chunks, "{parts:?}");
    let logs: String = workers.iter().map(Spawned::log).collect();
    assert!(logs.contains("frames 0.."), "{logs}");
}

/// Every rendition of the job at `prefix` has `frames` frames.
fn assert_complete_renditions(moto: &MotoServer, prefix: &str, frames: u64) {
    let encode = json(moto, &format!("{prefix}/encode.json"));
    for rendition in encode["renditions"].as_array().unwrap() {
        assert_eq!(rendition["frame_count"], frames, "{rendition}");
    }
}

#[test]
fn a_hardware_job_s_units_are_left_to_gpu_workers() {
    let Some((moto, units)) = studio_with_bbb(2) else {
        return;
    };
    let mut args = vec![
        "encode",
        "s3://studio/sources/bbb.mp4",
        "--output",
        "s3://studio/jobs/gpu",
        "--hardware",
        "nvenc",
        "--queue",
        &units,
    ];
    args.extend(SETTINGS);
    let mut job = Spawned::start(&args, &moto.env());
    job.wait_for(&["sent 4 unit messages"], Duration::from_secs(120));
    let plan = json(&moto, "jobs/gpu/plan.json");
    for rung in plan["rungs"].as_array().unwrap() {
        assert_eq!(rung["encoder"], "h264_nvenc", "{rung}");
    }
    // A CPU worker passes every unit on, more than maxReceiveCount times,
    // and none ends in the dead-letter queue.
    let mut cpu = worker(&moto, &units, &[]);
    for index in 0..4 {
        cpu.wait_for(
            &[
                &format!("unit {index} of s3://studio/jobs/gpu/plan.json"),
                "needs nvenc encoders; passed on",
            ],
            Duration::from_secs(60),
        );
    }
    let passes = cpu.log().matches("passed on").count();
    let deadline = Instant::now() + Duration::from_secs(60);
    while cpu.log().matches("passed on").count() < passes + 4 {
        assert!(Instant::now() < deadline, "{}", cpu.log());
        std::thread::sleep(Duration::from_millis(200));
    }
    cpu.signal("-TERM");
    assert_eq!(cpu.wait(Duration::from_secs(30)), 0, "{}", cpu.log());
    assert!(cpu.log().contains("stopped after 0 units"), "{}", cpu.log());
    assert!(moto.keys(BUCKET, "jobs/gpu/chunks/").is_empty());
    assert!(moto
        .peek(&units.replace("/units", "/units-dead"))
        .is_empty());
    // Still waiting for a GPU worker.
    assert!(job.child.try_wait().unwrap().is_none(), "{}", job.log());
}

#[test]
fn a_vmaf_part_that_keeps_failing_fails_its_validation_by_name() {
    let Some((moto, units)) = studio_with_bbb(2) else {
        return;
    };
    let mut args = vec![
        "encode",
        "s3://studio/sources/bbb.mp4",
        "--output",
        "s3://studio/jobs/bbb",
    ];
    args.extend(SETTINGS);
    let run = reel_env(&args, &as_refs(&moto.env()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let encode = json(&moto, "jobs/bbb/encode.json");
    let renditions = encode["renditions"].as_array().unwrap().len();
    let name = encode["renditions"][0]["recipe"]["name"]
        .as_str()
        .unwrap()
        .to_string();

    let mut job = Spawned::start(
        &[
            "validate",
            "s3://studio/jobs/bbb",
            "--source",
            "s3://studio/sources/bbb.mp4",
            "--queue",
            &units,
        ],
        &moto.env(),
    );
    // One worker validates the renditions (their messages all come before
    // any part's) and stops; then the first rendition's scoring plan is
    // spoilt, so every part of it fails on every attempt.
    let max_units = renditions.to_string();
    let mut first = worker(&moto, &units, &["--max-units", &max_units]);
    assert_eq!(first.wait(Duration::from_secs(300)), 0, "{}", first.log());
    let key = format!("jobs/bbb/validate-units/{name}.json");
    let mut record: Value = serde_json::from_slice(&moto.get(BUCKET, &key)).unwrap();
    record["scoring"]["source_of"].as_array_mut().unwrap().pop();
    moto.put_text(BUCKET, &key, &record.to_string());
    let mut second = worker(&moto, &units, &["--idle-exit", "5"]);

    assert_eq!(job.wait(Duration::from_secs(300)), 2, "{}", job.log());
    let error = job.log().lines().last().unwrap().to_string();
    assert!(
        error.starts_with(&format!("reel: error: VMAF of {name} from frame ")),
        "{error}"
    );
    assert!(error.contains("failed 2 of 2 attempts"), "{error}");
    assert!(error.contains("plans "), "{error}");
    assert!(
        error.contains("went to the dead-letter queue units-dead"),
        "{error}"
    );
    assert_eq!(second.wait(Duration::from_secs(120)), 0, "{}", second.log());
    let dead = moto.peek(&units.replace("/units", "/units-dead"));
    assert!(!dead.is_empty(), "nothing in the dead-letter queue");
    for body in &dead {
        let message: Value = serde_json::from_str(body).unwrap();
        assert_eq!(message["kind"], "reel.vmaf_part", "{body}");
        assert_eq!(message["name"], name.as_str(), "{body}");
    }
    // No report claims a validation that did not finish.
    assert!(!moto
        .keys(BUCKET, "jobs/bbb/validate.json")
        .contains(&"jobs/bbb/validate.json".to_string()));
}
