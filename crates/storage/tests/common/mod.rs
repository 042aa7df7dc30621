//! Test support: a real S3 server (s3s-fs) on 127.0.0.1, test data, a raw HTTP GET.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reel_storage::{S3Credentials, StorageOptions};
use sha2::{Digest, Sha256};

#[allow(unused_imports)]
pub use reel_testkit::s3::{S3Server, ACCESS_KEY, BUCKET, SECRET_KEY};

pub const MIB: usize = 1024 * 1024;

/// Storage options that reach a test server.
pub trait ServerOptions {
    fn options(&self) -> StorageOptions;
    fn small_part_options(&self) -> StorageOptions;
}

impl ServerOptions for S3Server {
    /// Options that reach this server with the right credentials.
    fn options(&self) -> StorageOptions {
        StorageOptions {
            s3_endpoint: Some(self.endpoint.clone()),
            region: Some("us-east-1".into()),
            credentials: Some(S3Credentials {
                access_key_id: ACCESS_KEY.into(),
                secret_access_key: SECRET_KEY.into(),
                session_token: None,
            }),
            ..StorageOptions::default()
        }
    }

    /// Options with 5 MiB parts above a 5 MiB threshold, so tests exercise multipart.
    fn small_part_options(&self) -> StorageOptions {
        StorageOptions {
            multipart_threshold: 5 * MIB as u64,
            part_size: 5 * MIB as u64,
            ..self.options()
        }
    }
}

/// Deterministic, incompressible-looking test bytes.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A closed port on 127.0.0.1: bound, then released.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A plain HTTP/1.1 GET with std only; returns the status and body.
pub fn http_get(url: &str, range: Option<&str>) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(range) = range {
        request.push_str(&format!("Range: {range}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP header end");
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let body = response[split + 4..].to_vec();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(&body)
    } else {
        body
    };
    (status, body)
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_str = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_str.split(';').next().unwrap().trim(), 16).unwrap();
        body = &body[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}
