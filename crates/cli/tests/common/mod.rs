//! Running the real `reel` binary in tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[allow(unused_imports)]
pub use reel_testkit::clip;
#[allow(unused_imports)]
pub use reel_testkit::s3::{S3Server, ACCESS_KEY, BUCKET, SECRET_KEY};

/// The outcome of one `reel` run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// The outcome of a finished `reel` process.
pub fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `reel ARGS` with no S3 settings from the environment.
pub fn reel(args: &[&str]) -> Run {
    reel_env(args, &[])
}

/// `reel ARGS` with extra environment variables (AWS settings are cleared first).
pub fn reel_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    finish(reel_command(args, env).output().expect("run reel"))
}

/// The command `reel ARGS` with AWS settings cleared and `env` set, for a test
/// that starts it and acts while it runs.
pub fn reel_command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reel"));
    cmd.args(args);
    for var in [
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// The AWS environment that reaches `server`, with `secret` as the secret key.
pub fn aws_env(server: &S3Server, secret: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", server.endpoint.clone()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
        ("AWS_SECRET_ACCESS_KEY", secret.to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
    ]
}

pub fn as_refs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Asserts a failed run: exit code 2, one line on stderr that names `input`
/// and says `problem`, and no panic.
pub fn assert_clean_error(run: &Run, input: &str, problem: &str) {
    assert_eq!(run.code, 2, "exit code; stderr:\n{}", run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "expected a one-line error, got:\n{}",
        run.stderr
    );
    assert!(
        lines[0].contains(input),
        "error does not name {input}: {}",
        lines[0]
    );
    assert!(
        lines[0].to_lowercase().contains(&problem.to_lowercase()),
        "error does not say `{problem}`: {}",
        lines[0]
    );
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
}

/// A copy of `src` in `dir` under `name`, with `edit` applied to its bytes.
pub fn edited_copy(src: &Path, dir: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(src).unwrap();
    edit(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Completed chunk objects of a transcode work directory: those whose
/// `<index>.json` record exists (it is written after the chunk).
pub fn completed_chunks(work: &Path) -> Vec<PathBuf> {
    let mut done = Vec::new();
    let Ok(rungs) = std::fs::read_dir(work.join("chunks")) else {
        return done;
    };
    for rung in rungs.flatten() {
        for f in std::fs::read_dir(rung.path()).unwrap().flatten() {
            let p = f.path();
            if p.extension().is_some_and(|e| e == "json") {
                assert!(p.with_extension("mp4").is_file(), "{}", p.display());
                done.push(p.with_extension("mp4"));
            }
        }
    }
    done.sort();
    done
}

/// Every file under `dir` (none when it does not exist).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out
}
