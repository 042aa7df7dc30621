//! Local-file behaviour of every operation, through the blocking facade and the async store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use common::{data, sha256};
use reel_storage::{Error, LocalStore, ObjectStore, Storage, StorageOptions, StorageUrl};

fn storage() -> Storage {
    Storage::open(&StorageOptions::default()).unwrap()
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Every entry under `dir`, recursively, as paths relative to it.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.push(path.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    out.sort();
    out
}

#[test]
fn put_and_get_files_with_paths_and_file_urls() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage();
    let src = dir.path().join("src.mp4");
    let bytes = data(3 * 1024 * 1024 + 11, 1);
    std::fs::write(&src, &bytes).unwrap();

    // Parent directories are created; file:// and plain paths name the same object.
    let object = dir.path().join("out/renditions/720p.mp4");
    let meta = storage.put_file(&src, &file_url(&object)).unwrap();
    assert_eq!(meta.size, bytes.len() as u64);
    assert_eq!(meta.sha256.as_deref(), Some(sha256(&bytes).as_str()));
    assert_eq!(std::fs::read(&object).unwrap(), bytes);

    let dest = dir.path().join("back/720p.mp4");
    let got = storage
        .get_to_file(object.to_str().unwrap(), &dest)
        .unwrap();
    assert_eq!(got.sha256.as_deref(), Some(sha256(&bytes).as_str()));
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);

    let mut back = Vec::new();
    storage
        .get_reader(&file_url(&object))
        .unwrap()
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, bytes);
    assert_eq!(storage.local_path(&file_url(&object)), Some(object.clone()));
    assert_eq!(storage.local_path("s3://b/k"), None);
    // No temp files left anywhere.
    assert!(
        tree(dir.path()).iter().all(|p| !p.contains("reel-tmp")),
        "{:?}",
        tree(dir.path())
    );
}

#[test]
fn bytes_head_checksum_exists_delete() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage();
    let url = StorageUrl::parse(dir.path().to_str().unwrap())
        .unwrap()
        .join("job/inspect.json")
        .unwrap();
    let bytes = br#"{"schema_version":1}"#;

    assert!(!storage.exists(&url).unwrap());
    let meta = storage.put_bytes(&url, bytes).unwrap();
    assert_eq!(meta.sha256.as_deref(), Some(sha256(bytes).as_str()));
    assert_eq!(storage.get_bytes(&url).unwrap(), bytes);

    let head = storage.head(&url).unwrap();
    assert_eq!(head.size, bytes.len() as u64);
    assert_eq!(head.sha256, None, "local head does not read the file");
    assert_eq!(storage.checksum(&url).unwrap(), sha256(bytes));
    assert!(storage.exists(&url).unwrap());

    let err = storage.get_bytes_limited(&url, 4).unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");

    storage.delete(&url).unwrap();
    assert!(!storage.exists(&url).unwrap());
    storage.delete(&url).unwrap();

    let err = storage.get_bytes(&url).unwrap_err();
    assert_eq!(err.to_string(), format!("{url}: not found"));
    assert!(storage.head(&url).unwrap_err().is_not_found());
    assert!(storage.checksum(&url).unwrap_err().is_not_found());
    // A directory is not an object.
    assert!(storage
        .head(dir.path().to_str().unwrap())
        .unwrap_err()
        .is_not_found());
}

#[test]
fn overwrite_replaces_whole_object() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage();
    let url = dir.path().join("m.json");
    let url = url.to_str().unwrap();
    storage.put_bytes(url, &data(10_000, 2)).unwrap();
    storage.put_bytes(url, b"short").unwrap();
    assert_eq!(storage.get_bytes(url).unwrap(), b"short");
}

#[test]
fn list_by_prefix_recurses_and_skips_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage();
    let base = dir.path().to_str().unwrap().to_string();
    for key in [
        "job/chunks/0/000.mp4",
        "job/chunks/0/001.mp4",
        "job/chunks/1/000.mp4",
        "job/chunksfoo",
        "job/encode.json",
        "other/x",
    ] {
        storage
            .put_bytes(&format!("{base}/{key}"), key.as_bytes())
            .unwrap();
    }
    // A stray temp file from a crashed writer is not an object.
    std::fs::write(
        dir.path().join("job/chunks/0/.002.mp4.abc.reel-tmp"),
        b"partial",
    )
    .unwrap();

    let keys = |prefix: &str| -> Vec<String> {
        storage
            .list(&format!("{base}/{prefix}"))
            .unwrap()
            .into_iter()
            .map(|o| {
                let path = o.url.local_path().unwrap().to_path_buf();
                path.strip_prefix(&base).unwrap().display().to_string()
            })
            .collect()
    };
    assert_eq!(
        keys("job/chunks/"),
        [
            "job/chunks/0/000.mp4",
            "job/chunks/0/001.mp4",
            "job/chunks/1/000.mp4"
        ]
    );
    assert_eq!(keys("job/chunks").len(), 4);
    assert_eq!(
        keys("job/chunks/0/00"),
        ["job/chunks/0/000.mp4", "job/chunks/0/001.mp4"]
    );
    assert_eq!(keys("").len(), 6);
    assert!(keys("nothing/").is_empty());

    let listed = storage.list(&format!("{base}/job/encode")).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].size, "job/encode.json".len() as u64);
    let via_file_url = storage.list(&format!("file://{base}/job/chunks/")).unwrap();
    assert_eq!(via_file_url.len(), 3);
}

#[test]
fn presign_returns_a_readable_absolute_path() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage();
    let object = dir.path().join("source.mp4");
    std::fs::write(&object, b"frames").unwrap();
    let location = storage
        .presign_get(&file_url(&object), Duration::from_secs(60))
        .unwrap();
    assert!(Path::new(&location).is_absolute());
    assert_eq!(std::fs::read(&location).unwrap(), b"frames");
}

#[test]
fn failed_put_file_leaves_old_object_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage();
    let object = dir.path().join("out/encode.json");
    storage.put_bytes(object.to_str().unwrap(), b"old").unwrap();

    // Opening a directory works, reading it fails: a real read error after open.
    let unreadable = dir.path().join("a-directory");
    std::fs::create_dir(&unreadable).unwrap();
    let err = storage
        .put_file(&unreadable, object.to_str().unwrap())
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");

    let missing = dir.path().join("missing.mp4");
    let err = storage
        .put_file(&missing, object.to_str().unwrap())
        .unwrap_err();
    assert!(err.to_string().contains("missing.mp4"), "{err}");

    assert_eq!(std::fs::read(&object).unwrap(), b"old");
    assert_eq!(tree(&dir.path().join("out")), ["encode.json"]);
}

/// Yields `good` bytes, then fails.
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
            return std::task::Poll::Ready(Err(std::io::Error::other("source vanished")));
        }
        let n = buf
            .remaining()
            .min(self.good.len() - self.pos)
            .min(64 * 1024);
        let start = self.pos;
        buf.put_slice(&self.good[start..start + n]);
        self.pos += n;
        std::task::Poll::Ready(Ok(()))
    }
}

#[test]
fn stream_failing_mid_way_leaves_no_partial_object() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = StorageUrl::Local(dir.path().join("out/new.mp4"));
    let existing = StorageUrl::Local(dir.path().join("out/old.mp4"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = LocalStore::new();
        store.put_bytes(&existing, b"old").await.unwrap();
        for url in [&fresh, &existing] {
            let reader = FailingReader {
                good: data(3 * 1024 * 1024, 3),
                pos: 0,
            };
            let err = store.put_reader(reader, url).await.unwrap_err();
            assert!(err.to_string().contains("source vanished"), "{err}");
        }
        assert!(!store.exists(&fresh).await.unwrap());
        assert_eq!(store.get_bytes(&existing, 100).await.unwrap(), b"old");

        // And a stream that ends well is stored whole.
        let bytes = data(2 * 1024 * 1024 + 3, 4);
        let meta = store.put_reader(&bytes[..], &fresh).await.unwrap();
        assert_eq!(meta.sha256.as_deref(), Some(sha256(&bytes).as_str()));
    });
    assert_eq!(tree(&dir.path().join("out")), ["new.mp4", "old.mp4"]);
}

#[test]
fn blocking_calls_inside_a_runtime_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let storage = storage();
    let url = dir.path().join("x").to_str().unwrap().to_string();
    storage.put_bytes(&url, b"x").unwrap();
    let mut reader = storage.get_reader(&url).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let err = storage.head(&url).unwrap_err();
        assert!(matches!(err, Error::InsideRuntime { op: "head" }), "{err}");
        assert!(err.to_string().contains("inside a tokio runtime"), "{err}");
        let mut buf = [0u8; 4];
        assert!(reader.read(&mut buf).is_err());
        // Dropping the last handle on a runtime thread must not panic either.
        drop(reader);
        drop(storage);
    });
}

#[test]
fn s3_urls_are_refused_by_the_local_store() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let url = StorageUrl::parse("s3://b/k").unwrap();
        let err = LocalStore::new().head(&url).await.unwrap_err();
        assert!(matches!(err, Error::InvalidUrl { .. }), "{err}");
    });
}

#[test]
fn storage_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Storage>();
    let dir = tempfile::tempdir().unwrap();
    let storage = storage();
    // The rest of reel calls storage from rayon workers: plain threads.
    std::thread::scope(|scope| {
        for i in 0..4 {
            let (storage, dir) = (storage.clone(), dir.path());
            scope.spawn(move || {
                let url = dir.join(format!("chunks/{i}.bin"));
                storage
                    .put_bytes(url.to_str().unwrap(), &[i as u8; 100])
                    .unwrap();
            });
        }
    });
    let prefix = format!("{}/chunks/", dir.path().display());
    assert_eq!(storage.list(&prefix).unwrap().len(), 4);
}
