//! A real S3 server (s3s-fs, which checks request signatures) on 127.0.0.1, started
//! per test and killed on drop.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

pub const ACCESS_KEY: &str = "reel-test-access-key";
pub const SECRET_KEY: &str = "reel-test-secret-key";
pub const BUCKET: &str = "reel-test";

/// An s3s-fs process serving a temp directory, killed on drop.
#[derive(Debug)]
pub struct S3Server {
    child: Child,
    /// The server's data directory: `<root>/<bucket>/<key>` plus its own bookkeeping files.
    pub root: TempDir,
    _logs: TempDir,
    log_path: PathBuf,
    pub endpoint: String,
}

fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("REEL_S3S_FS") {
        return PathBuf::from(path);
    }
    crate::workspace_root().join("target/tools/bin/s3s-fs")
}

impl S3Server {
    /// Starts a server with one bucket, [`BUCKET`]. Returns `None` only when
    /// `REEL_SKIP_S3=1`; a missing binary fails the test with instructions.
    pub fn start() -> Option<S3Server> {
        if std::env::var("REEL_SKIP_S3").as_deref() == Ok("1") {
            eprintln!("REEL_SKIP_S3=1: skipping S3 test");
            return None;
        }
        let bin = binary();
        assert!(
            bin.is_file(),
            "s3s-fs not found at {}: run scripts/test-services.sh to install it, set \
             REEL_S3S_FS to its path, or set REEL_SKIP_S3=1 to skip the S3 tests",
            bin.display()
        );
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join(BUCKET)).unwrap();
        let logs = tempfile::tempdir().unwrap();
        let log_path = logs.path().join("s3s-fs.log");
        let child = spawn(&bin, &root, &log_path);
        let mut server = S3Server {
            child,
            root,
            _logs: logs,
            log_path,
            endpoint: String::new(),
        };
        server.endpoint = server.wait_for_address(0);
        Some(server)
    }

    /// An outage: the server process is killed; its data stays.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server back after [`S3Server::stop`], serving the same data on a new
    /// port: `endpoint` changes.
    pub fn restart(&mut self) {
        self.stop();
        // The new server appends to the log: only what it writes counts.
        let skip = self.log().len();
        self.child = spawn(&binary(), &self.root, &self.log_path);
        self.endpoint = self.wait_for_address(skip);
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The endpoint the server logs after byte `skip` of its log (measured
    /// before it was spawned: it may log before this looks).
    fn wait_for_address(&mut self, skip: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("s3s-fs exited with {status}:\n{}", self.log());
            }
            let log = self.log();
            if let Some(at) = log
                .get(skip..)
                .and_then(|l| l.find("running at http://"))
                .map(|at| at + skip)
            {
                let rest = &log[at + "running at ".len()..];
                let endpoint: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
                let addr = endpoint.trim_start_matches("http://").to_string();
                if TcpStream::connect(&addr).is_ok() {
                    return endpoint;
                }
            }
            assert!(
                Instant::now() < deadline,
                "s3s-fs did not start:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self, key: &str) -> String {
        format!("s3://{BUCKET}/{key}")
    }

    /// Where the server keeps the object's bytes.
    pub fn object_path(&self, key: &str) -> PathBuf {
        self.root.path().join(BUCKET).join(key)
    }

    /// Names of the server's pending-multipart bookkeeping files (uploads and parts).
    pub fn pending_uploads(&self) -> Vec<String> {
        std::fs::read_dir(self.root.path())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with(".upload"))
            .collect()
    }
}

/// s3s-fs serving `root` on a free port of 127.0.0.1, logging (appending) to `log_path`.
fn spawn(bin: &std::path::Path, root: &TempDir, log_path: &std::path::Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)
        .unwrap();
    // Port 0: the kernel picks a free port, which the server logs.
    Command::new(bin)
        .args(["--host", "127.0.0.1", "--port", "0"])
        .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
        .arg(root.path())
        // debug: the log then shows each part written, which tests inspect.
        .env("RUST_LOG", "s3s_fs=debug")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()))
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
