//! Inputs over http://, from a tiny Range-capable server written here: the
//! same streams and frames as from the file, read by byte ranges.

// Tests may unwrap: a panic is how a test fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{clip, decode_all, digest};
use reel_media::{DecoderOptions, Error, MediaSource};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Serves one file at `/clip.mp4` (anything else is 404) and records the
/// Range headers it receives.
struct Server {
    url: String,
    ranges: Arc<Mutex<Vec<String>>>,
    requests: Arc<AtomicU64>,
}

fn serve(data: Vec<u8>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/clip.mp4", listener.local_addr().unwrap());
    let data = Arc::new(data);
    let ranges = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::new(AtomicU64::new(0));
    let (r, n) = (Arc::clone(&ranges), Arc::clone(&requests));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (data, r, n) = (Arc::clone(&data), Arc::clone(&r), Arc::clone(&n));
            std::thread::spawn(move || {
                let _ = handle(stream, &data, &r, &n);
            });
        }
    });
    Server {
        url,
        ranges,
        requests,
    }
}

fn handle(
    stream: TcpStream,
    data: &[u8],
    ranges: &Mutex<Vec<String>>,
    requests: &AtomicU64,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_string());
            }
        }
    }
    requests.fetch_add(1, Ordering::Relaxed);
    let mut out = stream;
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if path != "/clip.mp4" {
        return out.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    }
    let len = data.len() as u64;
    let (start, end) = match range.as_deref().and_then(|r| r.strip_prefix("bytes=")) {
        Some(spec) => {
            ranges.lock().unwrap().push(spec.to_string());
            let (a, b) = spec.split_once('-').unwrap();
            let start: u64 = a.parse().unwrap_or(0);
            let end: u64 = b.parse().map(|e: u64| e.min(len - 1)).unwrap_or(len - 1);
            (start, end)
        }
        None => (0, len - 1),
    };
    if start >= len {
        let head = format!("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{len}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return out.write_all(head.as_bytes());
    }
    let status = if range.is_some() {
        "206 Partial Content"
    } else {
        "200 OK"
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: video/mp4\r\nAccept-Ranges: bytes\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{end}/{len}\r\nConnection: close\r\n\r\n",
        end - start + 1
    );
    out.write_all(head.as_bytes())?;
    if method != "HEAD" {
        for chunk in data[start as usize..=end as usize].chunks(16 * 1024) {
            out.write_all(chunk)?;
        }
    }
    out.flush()
}

#[test]
fn http_input_probes_like_the_file_reading_only_what_it_needs() {
    let path = clip("bigbuckbunny.mp4");
    let data = std::fs::read(&path).unwrap();
    let server = serve(data.clone());
    let remote = MediaSource::open(&server.url).unwrap();
    let local = MediaSource::open(&path).unwrap();
    assert_eq!(remote.info().input, server.url);
    assert_eq!(remote.info().streams, local.info().streams);
    assert_eq!(remote.info().video, local.info().video);
    assert_eq!(remote.info().size_bytes, Some(data.len() as u64));
    let read = remote.bytes_read().unwrap();
    eprintln!(
        "probing read {read} of {} bytes, ranges {:?}",
        data.len(),
        server.ranges.lock().unwrap()
    );
    assert!(
        read > 0 && read < data.len() as u64 / 2,
        "probing read {read} of {} bytes",
        data.len()
    );
    // The index is at the end of this file: reaching it took a range request.
    let ranges = server.ranges.lock().unwrap().clone();
    assert!(
        ranges.iter().any(|r| !r.starts_with("0-")),
        "ranges requested: {ranges:?}"
    );
}

#[test]
fn http_input_decodes_every_frame() {
    let path = clip("bigbuckbunny.mp4");
    let server = serve(std::fs::read(&path).unwrap());
    let (remote, issues) = decode_all(&server.url, &DecoderOptions::default());
    assert_eq!(issues, 0);
    assert_eq!(remote.len(), 132);
    let (local, _) = decode_all(&path, &DecoderOptions::default());
    assert!(remote
        .iter()
        .zip(&local)
        .all(|(a, b)| a.index == b.index && digest(a) == digest(b)));
    assert!(server.requests.load(Ordering::Relaxed) >= 2);
}

#[test]
fn http_input_seeks_by_range() {
    let path = clip("bikes.mp4");
    let server = serve(std::fs::read(&path).unwrap());
    let opts = DecoderOptions {
        start_frame: 200,
        max_frames: Some(5),
        ..Default::default()
    };
    let (remote, _) = decode_all(&server.url, &opts);
    let (local, _) = decode_all(&path, &opts);
    assert_eq!(remote.len(), 5);
    assert_eq!(
        remote.iter().map(digest).collect::<Vec<_>>(),
        local.iter().map(digest).collect::<Vec<_>>()
    );
    assert_eq!(remote[0].index.0, 200);
}

#[test]
fn http_not_found_is_an_open_error_naming_the_url() {
    let server = serve(vec![0; 16]);
    let url = server.url.replace("clip.mp4", "missing.mp4");
    let err = MediaSource::open(&url).unwrap_err();
    assert!(matches!(err, Error::Open { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with(&format!("cannot open {url}: ")),
        "{err}"
    );
    assert!(err.to_string().contains("404"), "{err}");
}
