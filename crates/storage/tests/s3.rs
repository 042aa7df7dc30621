//! S3 behaviour against a real server (s3s-fs on 127.0.0.1, started per test).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;
use std::time::Duration;

use common::{data, http_get, sha256, S3Server, ServerOptions, MIB};
use reel_storage::{
    Error, ObjectStore, S3Credentials, S3Store, Storage, StorageOptions, StorageUrl,
};

macro_rules! server {
    () => {
        match S3Server::start() {
            Some(server) => server,
            None => return,
        }
    };
}

#[test]
fn small_object_round_trip_with_stored_checksum() {
    let s3 = server!();
    let storage = Storage::for_url(&s3.url(""), &s3.options()).unwrap();
    let bytes = data(100_000, 1);
    let url = s3.url("job/inspect.json");

    let meta = storage.put_bytes(&url, &bytes).unwrap();
    assert_eq!(meta.size, 100_000);
    assert_eq!(meta.sha256.as_deref(), Some(sha256(&bytes).as_str()));

    assert_eq!(storage.get_bytes(&url).unwrap(), bytes);
    let head = storage.head(&url).unwrap();
    assert_eq!(head.size, 100_000);
    assert_eq!(head.sha256.as_deref(), Some(sha256(&bytes).as_str()));
    assert_eq!(storage.checksum(&url).unwrap(), sha256(&bytes));
    assert!(storage.exists(&url).unwrap());

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("nested/dir/inspect.json");
    let got = storage.get_to_file(&url, &dest).unwrap();
    assert_eq!(got.sha256.as_deref(), Some(sha256(&bytes).as_str()));
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);

    let limited = storage.get_bytes_limited(&url, 1000).unwrap_err();
    assert!(
        matches!(limited, Error::TooLarge { size: 100_000, .. }),
        "{limited}"
    );
}

#[test]
fn small_file_upload_is_a_single_put() {
    let s3 = server!();
    let storage = Storage::open(&s3.options()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("audio.mp4");
    let bytes = data(3 * MIB + 5, 2);
    std::fs::write(&src, &bytes).unwrap();

    let url = s3.url("job/audio.mp4");
    storage.put_file(&src, &url).unwrap();
    assert_eq!(
        std::fs::read(s3.object_path("job/audio.mp4")).unwrap(),
        bytes
    );
    assert!(!s3.log().contains("multipart etag"), "{}", s3.log());
    let mut reader = storage.get_reader(&url).unwrap();
    let mut back = Vec::new();
    reader.read_to_end(&mut back).unwrap();
    assert_eq!(sha256(&back), sha256(&bytes));
}

#[test]
fn multipart_file_upload_round_trips_byte_for_byte() {
    let s3 = server!();
    let storage = Storage::open(&s3.small_part_options()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("rendition.mp4");
    // Three parts: 5 MiB, 5 MiB and a short tail.
    let bytes = data(12 * MIB + 12_345, 3);
    std::fs::write(&src, &bytes).unwrap();
    let url = s3.url("job/renditions/1080p.mp4");

    let meta = storage.put_file(&src, &url).unwrap();
    assert_eq!(meta.size, bytes.len() as u64);
    assert_eq!(meta.sha256.as_deref(), Some(sha256(&bytes).as_str()));
    assert!(
        s3.pending_uploads().is_empty(),
        "{:?}",
        s3.pending_uploads()
    );
    let log = s3.log();
    assert!(
        log.contains(".part-3") && !log.contains(".part-4"),
        "expected 3 parts:\n{log}"
    );
    assert!(log.contains("multipart etag"), "{log}");

    let head = storage.head(&url).unwrap();
    assert_eq!(head.size, bytes.len() as u64);
    assert_eq!(head.sha256.as_deref(), Some(sha256(&bytes).as_str()));

    let dest = dir.path().join("back.mp4");
    storage.get_to_file(&url, &dest).unwrap();
    assert_eq!(sha256(&std::fs::read(&dest).unwrap()), sha256(&bytes));

    let mut back = Vec::new();
    storage
        .get_reader(&url)
        .unwrap()
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back.len(), bytes.len());
    assert_eq!(sha256(&back), sha256(&bytes));
}

#[test]
fn streamed_uploads_single_and_multipart() {
    let s3 = server!();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = S3Store::connect(&s3.small_part_options()).await.unwrap();
        for (len, seed) in [(1000, 4), (11 * MIB + 7, 5), (10 * MIB, 6)] {
            let bytes = data(len, seed);
            let url = StorageUrl::parse(&s3.url(&format!("stream/{len}"))).unwrap();
            let meta = store.put_reader(&bytes[..], &url).await.unwrap();
            assert_eq!(meta.size, len as u64);
            assert_eq!(meta.sha256.as_deref(), Some(sha256(&bytes).as_str()));
            let back = store.get_bytes(&url, u64::MAX).await.unwrap();
            assert_eq!(sha256(&back), sha256(&bytes), "length {len}");
            // Streamed multipart objects have no stored sha; checksum computes it.
            assert_eq!(store.checksum(&url).await.unwrap(), sha256(&bytes));
        }
    });
    assert!(s3.pending_uploads().is_empty());
}

/// Yields `good` bytes, then fails like a dying pipe.
struct FailingReader {
    good: Vec<u8>,
    pos: usize,
}

impl tokio::io::AsyncRead for FailingReader {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        if self.pos == self.good.len() {
            return std::task::Poll::Ready(Err(std::io::Error::other("encoder pipe closed")));
        }
        let n = buf.remaining().min(self.good.len() - self.pos);
        let start = self.pos;
        buf.put_slice(&self.good[start..start + n]);
        self.pos += n;
        std::task::Poll::Ready(Ok(()))
    }
}

#[test]
fn failed_multipart_upload_leaves_no_object_and_no_pending_upload() {
    let s3 = server!();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = S3Store::connect(&s3.small_part_options()).await.unwrap();
        let url = StorageUrl::parse(&s3.url("job/broken.mp4")).unwrap();
        // Two full parts are uploaded before the source fails.
        let reader = FailingReader {
            good: data(11 * MIB, 7),
            pos: 0,
        };
        let err = store.put_reader(reader, &url).await.unwrap_err();
        assert!(matches!(err, Error::Source { .. }), "{err}");
        assert!(err.to_string().contains("encoder pipe closed"), "{err}");
        assert!(!store.exists(&url).await.unwrap());
    });
    assert!(!s3.object_path("job/broken.mp4").exists());
    assert!(
        s3.pending_uploads().is_empty(),
        "left behind: {:?}",
        s3.pending_uploads()
    );
}

#[test]
fn list_paginates_by_prefix() {
    let s3 = server!();
    let opts = StorageOptions {
        list_page_size: Some(7),
        ..s3.options()
    };
    let storage = Storage::open(&opts).unwrap();
    for i in 0..25 {
        storage
            .put_bytes(&s3.url(&format!("job/chunks/{i:03}.mp4")), &[i as u8; 10])
            .unwrap();
    }
    storage.put_bytes(&s3.url("job/chunksfoo"), b"x").unwrap();
    storage.put_bytes(&s3.url("other/a"), b"x").unwrap();

    let chunks = storage.list(&s3.url("job/chunks/")).unwrap();
    assert_eq!(chunks.len(), 25);
    assert_eq!(chunks[0].url.to_string(), s3.url("job/chunks/000.mp4"));
    assert_eq!(chunks[24].url.to_string(), s3.url("job/chunks/024.mp4"));
    assert!(chunks.iter().all(|o| o.size == 10));
    // A plain string prefix, as S3 defines it.
    assert_eq!(storage.list(&s3.url("job/chunks")).unwrap().len(), 26);
    assert_eq!(storage.list(&s3.url("job/chunks/01")).unwrap().len(), 10);
    assert_eq!(storage.list(&s3.url("")).unwrap().len(), 27);
    assert!(storage.list(&s3.url("nothing/")).unwrap().is_empty());
}

#[test]
fn delete_and_exists() {
    let s3 = server!();
    let storage = Storage::open(&s3.options()).unwrap();
    let url = s3.url("job/tmp.bin");
    storage.put_bytes(&url, b"abc").unwrap();
    assert!(storage.exists(&url).unwrap());
    storage.delete(&url).unwrap();
    assert!(!storage.exists(&url).unwrap());
    let err = storage.head(&url).unwrap_err();
    assert!(err.is_not_found(), "{err}");
    // Deleting again is fine.
    storage.delete(&url).unwrap();
}

#[test]
fn presigned_get_serves_whole_object_and_ranges() {
    let s3 = server!();
    let storage = Storage::open(&s3.options()).unwrap();
    let bytes = data(MIB + 17, 8);
    let url = s3.url("job/source.mp4");
    storage.put_bytes(&url, &bytes).unwrap();

    let presigned = storage.presign_get(&url, Duration::from_secs(600)).unwrap();
    assert!(presigned.starts_with(&s3.endpoint), "{presigned}");
    assert!(presigned.contains("X-Amz-Signature="), "{presigned}");

    let (status, body) = http_get(&presigned, None);
    assert_eq!(status, 200);
    assert_eq!(sha256(&body), sha256(&bytes));

    let (status, body) = http_get(&presigned, Some("bytes=1000-1999"));
    assert_eq!(status, 206);
    assert_eq!(body, &bytes[1000..2000]);

    // A tampered signature is refused by the server.
    let at = presigned.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
    let flipped = if &presigned[at..=at] == "0" { "1" } else { "0" };
    let tampered = format!("{}{flipped}{}", &presigned[..at], &presigned[at + 1..]);
    let (status, _) = http_get(&tampered, None);
    assert_eq!(status, 403);
}

#[test]
fn missing_bucket_is_named() {
    let s3 = server!();
    let storage = Storage::open(&s3.options()).unwrap();
    let url = "s3://no-such-bucket/job/inspect.json";
    for err in [
        storage.get_bytes(url).unwrap_err(),
        storage.head(url).unwrap_err(),
        storage.exists(url).unwrap_err(),
        storage.list("s3://no-such-bucket/job/").unwrap_err(),
    ] {
        assert!(matches!(err, Error::NoSuchBucket { .. }), "{err}");
        assert!(err.to_string().contains("bucket does not exist"), "{err}");
    }
    assert_eq!(
        storage.get_bytes(url).unwrap_err().to_string(),
        "s3://no-such-bucket/job/inspect.json: bucket does not exist"
    );
}

#[test]
fn missing_key_is_not_found_and_leaves_no_file() {
    let s3 = server!();
    let storage = Storage::open(&s3.options()).unwrap();
    let url = s3.url("job/missing.json");
    let err = storage.get_bytes(&url).unwrap_err();
    assert_eq!(err.to_string(), format!("{url}: not found"));
    assert!(storage.head(&url).unwrap_err().is_not_found());
    assert!(!storage.exists(&url).unwrap());

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("missing.json");
    assert!(storage.get_to_file(&url, &dest).unwrap_err().is_not_found());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn wrong_credentials_are_rejected() {
    let s3 = server!();
    let good = Storage::open(&s3.options()).unwrap();
    good.put_bytes(&s3.url("job/a"), b"a").unwrap();

    let wrong_secret = S3Credentials {
        secret_access_key: "not-the-secret".into(),
        ..s3.options().credentials.unwrap()
    };
    let wrong_key = S3Credentials {
        access_key_id: "unknown-key".into(),
        ..s3.options().credentials.unwrap()
    };
    for creds in [wrong_secret, wrong_key] {
        let opts = StorageOptions {
            credentials: Some(creds),
            ..s3.options()
        };
        let storage = Storage::open(&opts).unwrap();
        for err in [
            storage.get_bytes(&s3.url("job/a")).unwrap_err(),
            storage.put_bytes(&s3.url("job/b"), b"b").unwrap_err(),
            storage.list(&s3.url("job/")).unwrap_err(),
            storage.head(&s3.url("job/a")).unwrap_err(),
        ] {
            assert!(matches!(err, Error::AccessDenied { .. }), "{err}");
            assert!(
                err.to_string()
                    .contains("access denied (check credentials)"),
                "{err}"
            );
        }
    }
    assert!(!s3.object_path("job/b").exists());
}

#[test]
fn unreachable_endpoint_fails_clearly() {
    let port = common::closed_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let opts = StorageOptions {
        s3_endpoint: Some(endpoint.clone()),
        region: Some("us-east-1".into()),
        credentials: Some(S3Credentials {
            access_key_id: "k".into(),
            secret_access_key: "s".into(),
            session_token: None,
        }),
        max_attempts: 3,
        ..StorageOptions::default()
    };
    let storage = Storage::open(&opts).unwrap();
    let err = storage.head("s3://b/k").unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("cannot reach endpoint {endpoint}")),
        "{err}"
    );
    let err = storage.put_bytes("s3://b/k", b"x").unwrap_err();
    assert!(matches!(err, Error::Unreachable { .. }), "{err}");
}

#[test]
fn corrupted_object_fails_checksum_verification() {
    let s3 = server!();
    let storage = Storage::open(&s3.options()).unwrap();
    let url = s3.url("job/chunk.mp4");
    storage.put_bytes(&url, &data(50_000, 9)).unwrap();
    // Flip the stored bytes behind the server's back.
    std::fs::write(s3.object_path("job/chunk.mp4"), data(50_000, 10)).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("chunk.mp4");
    let err = storage.get_to_file(&url, &dest).unwrap_err();
    assert!(matches!(err, Error::ChecksumMismatch { .. }), "{err}");
    assert!(!dest.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn malformed_urls_are_rejected_before_any_request() {
    let s3 = server!();
    let storage = Storage::open(&s3.options()).unwrap();
    for bad in [
        "s3://",
        "s3:///key",
        "gs://b/k",
        "s3:b/k",
        "s3://b/",
        "s3://b/dir/",
    ] {
        let err = storage.get_bytes(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{bad}: {err}");
    }
    assert!(Storage::for_url("http://x/y", &s3.options()).is_err());
}
