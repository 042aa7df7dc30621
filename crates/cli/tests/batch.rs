#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Batch-scheduler mode into S3: `reel plan`, then `reel task` for every unit
//! (out of order, one twice, indices from the flag and from the Kubernetes and
//! AWS Batch variables), then `reel assemble`; the renditions and playlists are
//! the bytes a local `reel encode` of the same job makes.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// key -> bytes of every rendition and HLS playlist under `root`.
fn outputs(root: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(root)
        .into_iter()
        .filter_map(|p| {
            let key = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let wanted = key.starts_with("renditions/") || key.ends_with(".m3u8");
            wanted.then(|| (key, std::fs::read(&p).unwrap()))
        })
        .collect()
}

#[test]
fn planned_units_run_anywhere_in_any_order_and_assemble_to_the_local_result() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let env = aws_env(&server, SECRET_KEY);
    let env = as_refs(&env);
    let src = clip("bigbuckbunny.mp4");
    let src = src.to_str().unwrap();
    let work = tempfile::tempdir().unwrap();
    let output = server.url("jobs/bbb");
    // 1.5 s chunks: the 5.3 s title is several units.
    let settings = ["--static", "apple", "--no-validate", "--max-chunk", "1.5"];

    // 1. The plan: the job through its ladder, and its units.
    let mut args = vec!["plan", src, "--output", &output, "--json"];
    args.extend(settings);
    let run = reel_env(&args, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan_url = server.url("jobs/bbb/plan.json");
    let plan: Value =
        serde_json::from_slice(&std::fs::read(server.object_path("jobs/bbb/plan.json")).unwrap())
            .unwrap();
    let units = plan["units"].as_array().unwrap().len();
    assert!(units >= 3, "{plan}");
    assert!(server.object_path("jobs/bbb/ladder.json").is_file());
    assert!(!server.object_path("jobs/bbb/encode.json").exists());

    // 2. Every unit but the first, last to first, each in its own work directory
    // as on its own machine; one through JOB_COMPLETION_INDEX, one through
    // AWS_BATCH_JOB_ARRAY_INDEX.
    let task = |index: usize, how: &str| {
        let dir = work.path().join(format!("task-{index}-{how}"));
        let dir = dir.to_str().unwrap().to_string();
        let mut args = vec!["--quiet", "task", "--plan", &plan_url, "--work-dir", &dir];
        let index_text = index.to_string();
        let mut env = env.clone();
        match how {
            "k8s" => env.push(("JOB_COMPLETION_INDEX", &index_text)),
            "batch" => env.push(("AWS_BATCH_JOB_ARRAY_INDEX", &index_text)),
            _ => args.extend(["--index", &index_text]),
        }
        let run = reel_env(&args, &env);
        assert_eq!(run.code, 0, "unit {index}: {}", run.stderr);
    };
    for index in (1..units).rev() {
        let how = match index {
            1 => "k8s",
            2 => "batch",
            _ => "flag",
        };
        task(index, how);
    }

    // 3. Assembling now names the unit still missing, and changes nothing.
    let assemble = [
        "assemble",
        "--plan",
        &plan_url,
        "--work-dir",
        work.path().join("assemble").to_str().unwrap(),
        "--json",
    ]
    .map(str::to_string);
    let assemble: Vec<&str> = assemble.iter().map(String::as_str).collect();
    let run = reel_env(
        &[&["--quiet"], &assemble[..assemble.len() - 1]].concat(),
        &env,
    );
    assert_clean_error(
        &run,
        "encode stage",
        &format!("1 of {units} units are not encoded yet (units 0)"),
    );
    assert!(!server.object_path("jobs/bbb/encode.json").exists());

    // 4. The first unit, twice (a redelivered or retried task is harmless).
    task(0, "flag");
    task(0, "again");

    // 5. The fan-in: inspect and ladder kept, no chunk encoded again.
    let run = reel_env(&assemble, &env);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &Value| e["event"] != "progress")
        .collect();
    let kept: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "stage_kept")
        .map(|e| &e["stage"])
        .collect();
    assert_eq!(kept, ["inspect", "ladder"]);
    let encode: Value =
        serde_json::from_slice(&std::fs::read(server.object_path("jobs/bbb/encode.json")).unwrap())
            .unwrap();
    assert_eq!(encode["chunks_encoded"], 0, "{encode}");
    assert!(server.object_path("jobs/bbb/report/index.html").is_file());

    // 6. The same job run locally in one process gives the same bytes.
    let local = work.path().join("local");
    let mut args = vec![
        "--quiet",
        "encode",
        src,
        "--output",
        local.to_str().unwrap(),
    ];
    args.extend(settings);
    let run = reel(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let batch = outputs(&server.object_path("jobs/bbb"));
    let here = outputs(&local);
    assert!(batch.keys().any(|k| k.starts_with("renditions/")));
    assert_eq!(
        batch.keys().collect::<Vec<_>>(),
        here.keys().collect::<Vec<_>>()
    );
    for (key, bytes) in &here {
        assert!(batch[key] == *bytes, "{key} differs from the local run's");
    }
}

#[test]
fn a_task_without_a_unit_or_outside_the_plan_is_a_clean_error() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let env = aws_env(&server, SECRET_KEY);
    let env = as_refs(&env);
    let plan_url = server.url("jobs/none/plan.json");
    let run = reel_env(&["task", "--plan", &plan_url, "--index", "0"], &env);
    assert_clean_error(&run, "jobs/none/plan.json", "written by reel plan?");

    let plan = serde_json::json!({
        "schema_version": 1,
        "job_id": "0123456789abcdef",
        "source": {"url": "x.mp4", "size": 1, "sha256": "00"},
        "output": server.url("jobs/none"),
        "settings": {"codec": "h264", "target_vmaf": 95.0, "validate": true},
        "encoder_threads": 1,
        "gop_frames": 48,
        "rungs": [],
        "units": [{"index": 0, "start_frame": 0, "frame_count": 48}]
    });
    let path = server.object_path("jobs/none/plan.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, plan.to_string()).unwrap();
    let run = reel_env(&["task", "--plan", &plan_url, "--index", "5"], &env);
    assert_clean_error(&run, "plan.json", "unit 5 does not exist");
    let run = reel_env(&["task", "--plan", &plan_url], &env);
    assert_clean_error(&run, "plan.json", "JOB_COMPLETION_INDEX");
    let mut bad = env.clone();
    bad.push(("AWS_BATCH_JOB_ARRAY_INDEX", "two"));
    let run = reel_env(&["task", "--plan", &plan_url], &bad);
    assert_clean_error(&run, "AWS_BATCH_JOB_ARRAY_INDEX", "not a unit index");
}
