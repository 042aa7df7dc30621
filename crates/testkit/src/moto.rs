//! A real SQS (and S3, with S3 -> SQS event notifications) on 127.0.0.1:
//! moto_server from PyPI, started per test and killed on drop. Set-up and
//! inspection go through boto3 from moto's own virtual environment, so the
//! tests check reel against another client, not against itself.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The account moto gives every queue.
pub const ACCOUNT: &str = "123456789012";

/// A moto_server process, killed on drop.
#[derive(Debug)]
pub struct MotoServer {
    child: Child,
    _logs: TempDir,
    log_path: PathBuf,
    bin_dir: PathBuf,
    /// `http://127.0.0.1:PORT`: the S3 and the SQS endpoint.
    pub endpoint: String,
}

fn bin_dir() -> PathBuf {
    if let Some(path) = std::env::var_os("REEL_MOTO_SERVER") {
        let path = PathBuf::from(path);
        return path.parent().map(Path::to_path_buf).unwrap_or(path);
    }
    crate::workspace_root().join("target/tools/moto/bin")
}

const PRELUDE: &str = r#"
import boto3, json, os, sys
kw = dict(endpoint_url=os.environ["MOTO_ENDPOINT"], region_name="us-east-1",
          aws_access_key_id="testing", aws_secret_access_key="testing")
s3 = boto3.client("s3", **kw)
sqs = boto3.client("sqs", **kw)
a = sys.argv[1:]
"#;

impl MotoServer {
    /// Starts a server. Returns `None` only when `REEL_SKIP_QUEUE=1`; a
    /// missing moto_server fails the test with instructions.
    pub fn start() -> Option<MotoServer> {
        if std::env::var("REEL_SKIP_QUEUE").as_deref() == Ok("1") {
            eprintln!("REEL_SKIP_QUEUE=1: skipping queue test");
            return None;
        }
        let bin_dir = bin_dir();
        let bin = bin_dir.join("moto_server");
        assert!(
            bin.is_file(),
            "moto_server not found at {}: run scripts/test-services.sh to install it, set \
             REEL_MOTO_SERVER to its path, or set REEL_SKIP_QUEUE=1 to skip the queue tests",
            bin.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let logs = tempfile::tempdir().unwrap();
        let log_path = logs.path().join("moto.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = MotoServer {
            child,
            _logs: logs,
            log_path,
            bin_dir,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("moto_server exited with {status}:\n{}", server.log());
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not start:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(server)
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The AWS environment that reaches this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }

    /// Runs `script` with boto3 clients `s3` and `sqs` and the arguments as
    /// `a`; returns its stdout, trimmed.
    pub fn python(&self, script: &str, args: &[&str]) -> String {
        let out = Command::new(self.bin_dir.join("python"))
            .arg("-c")
            .arg(format!("{PRELUDE}\n{script}"))
            .args(args)
            .env("MOTO_ENDPOINT", &self.endpoint)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "boto3 script failed:\n{script}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn create_bucket(&self, bucket: &str) {
        self.python("s3.create_bucket(Bucket=a[0])", &[bucket]);
    }

    /// Creates queue `name`; with `dead_letter` = (its name, maxReceiveCount)
    /// also that queue and the redrive policy. Returns the queue's URL.
    pub fn create_queue(&self, name: &str, dead_letter: Option<(&str, u32)>) -> String {
        match dead_letter {
            None => self.python(
                "print(sqs.create_queue(QueueName=a[0])['QueueUrl'])",
                &[name],
            ),
            Some((dlq, max)) => self.python(
                r#"
d = sqs.create_queue(QueueName=a[1])["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=d, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": a[2]})
print(sqs.create_queue(QueueName=a[0], Attributes={"RedrivePolicy": policy})["QueueUrl"])
"#,
                &[name, dlq, &max.to_string()],
            ),
        }
    }

    /// Sends `bucket`'s ObjectCreated events for keys under `prefix` to the queue.
    pub fn notify(&self, bucket: &str, queue_url: &str, prefix: &str) {
        self.python(
            r#"
arn = sqs.get_queue_attributes(QueueUrl=a[1], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
s3.put_bucket_notification_configuration(Bucket=a[0], NotificationConfiguration={
    "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": a[2]}]}}}]})
"#,
            &[bucket, queue_url, prefix],
        );
    }

    pub fn upload(&self, bucket: &str, key: &str, path: &Path) {
        self.python(
            "s3.upload_file(a[2], a[0], a[1])",
            &[bucket, key, path.to_str().unwrap()],
        );
    }

    pub fn put_text(&self, bucket: &str, key: &str, text: &str) {
        self.python(
            "s3.put_object(Bucket=a[0], Key=a[1], Body=a[2].encode())",
            &[bucket, key, text],
        );
    }

    pub fn delete_object(&self, bucket: &str, key: &str) {
        self.python("s3.delete_object(Bucket=a[0], Key=a[1])", &[bucket, key]);
    }

    /// Keys under `prefix`, sorted.
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let out = self.python(
            r#"
p = s3.get_paginator("list_objects_v2")
for page in p.paginate(Bucket=a[0], Prefix=a[1]):
    for o in page.get("Contents", []):
        print(o["Key"])
"#,
            &[bucket, prefix],
        );
        let mut keys: Vec<String> = out.lines().map(str::to_string).collect();
        keys.sort();
        keys
    }

    pub fn get(&self, bucket: &str, key: &str) -> Vec<u8> {
        let hex = self.python(
            "print(s3.get_object(Bucket=a[0], Key=a[1])['Body'].read().hex())",
            &[bucket, key],
        );
        unhex(&hex)
    }

    pub fn send(&self, queue_url: &str, body: &str) {
        self.python(
            "sqs.send_message(QueueUrl=a[0], MessageBody=a[1])",
            &[queue_url, body],
        );
    }

    /// Bodies of the messages in a queue (received with no visibility timeout,
    /// so they stay there).
    pub fn peek(&self, queue_url: &str) -> Vec<String> {
        let out = self.python(
            r#"
seen = {}
for _ in range(5):
    r = sqs.receive_message(QueueUrl=a[0], MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1)
    for m in r.get("Messages", []):
        seen[m["MessageId"]] = m["Body"]
for body in seen.values():
    print(body.encode().hex())
"#,
            &[queue_url],
        );
        out.lines()
            .map(|hex| String::from_utf8(unhex(hex)).unwrap())
            .collect()
    }

    /// Visible, in-flight and delayed messages of a queue.
    pub fn message_count(&self, queue_url: &str) -> u64 {
        self.python(
            r#"
n = sqs.get_queue_attributes(QueueUrl=a[0], AttributeNames=["All"])["Attributes"]
print(sum(int(n[k]) for k in ["ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]))
"#,
            &[queue_url],
        )
        .parse()
        .unwrap()
    }
}

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
