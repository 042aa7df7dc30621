#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The job report: a per-title job (killed during its ladder trials and resumed)
//! writes report/index.html, and the page works in a real headless Chromium:
//! no console errors, the player plays the HLS output, switching rungs works.

mod common;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PLAYWRIGHT: &str = "playwright-core@1.65.1";

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// Serves the files under `root` over HTTP/1.1 on 127.0.0.1 (one request per
/// connection), as a static website or an S3 bucket's web endpoint would.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || answer(stream, &root));
        }
    });
    port
}

fn answer(mut stream: TcpStream, root: &Path) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let path = request.split(' ').nth(1).unwrap_or("/");
    let path = path.split('?').next().unwrap().trim_start_matches('/');
    let file = root.join(path);
    let body = if path.split('/').any(|p| p == "..") {
        None
    } else {
        std::fs::read(&file).ok()
    };
    let response = match body {
        Some(body) => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("m3u8") => "application/vnd.apple.mpegurl",
                Some("mpd") => "application/dash+xml",
                Some("json") => "application/json",
                _ => "video/mp4",
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            [head.into_bytes(), body].concat()
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        }
    };
    let _ = stream.write_all(&response);
}

/// playwright-core installed from npm into the build directory (once).
fn playwright_modules() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    let modules = dir.join("node_modules");
    if !modules.join("playwright-core").is_dir() {
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
            ])
            .arg(&dir)
            .arg(PLAYWRIGHT)
            .output()
            .expect("npm (Node.js) is needed to install playwright-core");
        assert!(
            out.status.success(),
            "npm install {PLAYWRIGHT}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    modules
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("REEL_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.is_file(),
        "{} missing: scripts/install-deps.sh installs Debian's chromium",
        path.display()
    );
    path
}

/// Runs tests/browser/report_check.cjs on `url`; its JSON verdict.
fn check_in_chromium(url: &str, screenshot: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/report_check.cjs");
    let out = Command::new("node")
        .arg(script)
        .arg(url)
        .arg(screenshot)
        .env("NODE_PATH", playwright_modules())
        .env("REEL_CHROMIUM", chromium())
        .output()
        .expect("node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| {
        panic!(
            "report_check printed no verdict ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn a_per_title_job_resumes_after_kill_9_in_its_trials_and_its_report_plays_in_chromium() {
    let src = clip("carphone_pristine.mp4");
    let src = src.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("job");
    let out_s = out.to_str().unwrap();
    let args = ["encode", src, "--output", out_s, "--json"];

    // 1. Killed (SIGKILL) once the ladder's first trial encode is on disk.
    let mut child = Command::new(env!("CARGO_BIN_EXE_reel"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while files_under(&out.join("ladder")).is_empty() {
        assert!(Instant::now() < deadline, "no trial encode in 120 s");
        assert!(child.try_wait().unwrap().is_none(), "the job ended first");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !out.join("ladder.json").exists(),
        "killed before the commit"
    );

    // 2. The rerun keeps inspect and completes every other stage. Exit 1 only
    // when validation failed a check, which the report must then say.
    let run = reel(&args);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let events: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let first = events.iter().find(|e| e["stage"].is_string()).unwrap();
    assert_eq!(
        (&first["event"], &first["stage"]),
        (&"stage_kept".into(), &"inspect".into())
    );
    let validation = read_json(&out.join("validate.json"));
    assert_eq!(validation["passed"].as_bool().unwrap(), run.code == 0);

    // 3. The page holds what the manifests say.
    let page = std::fs::read_to_string(out.join("report/index.html")).unwrap();
    let encode = read_json(&out.join("encode.json"));
    let renditions = encode["renditions"].as_array().unwrap();
    for r in renditions {
        let name = r["recipe"]["name"].as_str().unwrap();
        assert!(
            page.contains(&format!("<td>{name}</td>")),
            "{name} not in the ladder table"
        );
        assert!(
            page.contains(&format!("data-rung=\"{name}\"")),
            "no VMAF plot of {name}"
        );
    }
    assert!(page.contains("convex hull"), "no hull plot");
    let verdict = if run.code == 0 { "Passed:" } else { "Failed:" };
    assert!(page.contains(verdict), "the page does not say {verdict}");
    let shots = read_json(&out.join("inspect.json"))["shots"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        page.matches("<img src=\"data:image/jpeg;base64,").count(),
        shots.min(24)
    );

    // 4. In Chromium, served over HTTP.
    let port = serve(out.clone());
    let screenshot = dir.path().join("report.png");
    let url = format!("http://127.0.0.1:{port}/report/index.html");
    let seen = check_in_chromium(&url, &screenshot);
    assert!(seen["failure"].is_null(), "{seen}");
    assert_eq!(
        seen["errors"],
        Value::Array(Vec::new()),
        "console errors: {seen}"
    );
    let sections: Vec<&str> = seen["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        sections,
        [
            "summary",
            "player",
            "ladder",
            "hull",
            "quality",
            "shots",
            "validation"
        ]
    );
    assert!(
        seen["images"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["width"] == 320),
        "{seen}"
    );
    assert_eq!(
        seen["plots"].as_u64().unwrap() as usize,
        1 + renditions.len()
    );
    assert_eq!(seen["levels"].as_array().unwrap().len(), renditions.len());
    assert!(seen["played_s"].as_f64().unwrap() >= 2.0, "{seen}");
    assert_eq!(seen["switched"], true);
    assert_ne!(seen["switch_from"], seen["switch_to"]);
    assert!(
        seen["played_after_switch_s"].as_f64().unwrap() >= 1.0,
        "{seen}"
    );
    assert!(seen["player_error"].is_null(), "{seen}");
    let mut png = [0u8; 8];
    std::fs::File::open(&screenshot)
        .unwrap()
        .read_exact(&mut png)
        .unwrap();
    assert_eq!(&png, b"\x89PNG\r\n\x1a\n");
}

#[test]
fn a_report_of_a_missing_job_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("nothing");
    let run = reel(&["report", job.to_str().unwrap()]);
    assert_clean_error(&run, "encode.json", "an encode job?");
    assert!(!job.join("report").exists());
}
