//! [`LocalStore`]: objects are files; writes go to a temp file in the same directory,
//! are fsynced and renamed into place, so readers never see a partial object.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::atomic::{blocking, commit, temp_beside, temp_writer, TEMP_SUFFIX};
use crate::error::{Error, Result};
use crate::hash::{self, CopyError};
use crate::store::{ObjectInfo, ObjectMeta, ObjectReader, ObjectStore};
use crate::url::StorageUrl;

/// Objects on the local file system (plain paths and `file://` URLs).
#[derive(Debug, Clone, Default)]
pub struct LocalStore;

impl LocalStore {
    /// A local store; it holds no state.
    pub fn new() -> Self {
        LocalStore
    }
}

fn path_of(url: &StorageUrl) -> Result<&Path> {
    url.local_path().ok_or_else(|| Error::InvalidUrl {
        url: url.to_string(),
        reason: "the local store only handles local paths and file:// URLs".to_string(),
    })
}

fn not_found_or(url: &StorageUrl, op: &'static str, path: &Path, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        Error::NotFound {
            url: url.to_string(),
        }
    } else {
        Error::io(url, op, path, e)
    }
}

/// Copies `src` to `dest` atomically, returning size and sha256 (blocking).
/// `Get` copies out of the object store (a missing source is `NotFound`), `Put` copies a
/// caller's file into it (a missing source is the caller's I/O error).
#[derive(Clone, Copy)]
enum Direction {
    Get,
    Put,
}

fn copy_atomic(
    url: &StorageUrl,
    src: &Path,
    dest: &Path,
    direction: Direction,
) -> Result<ObjectMeta> {
    let mut input = std::fs::File::open(src).map_err(|e| match direction {
        Direction::Get => not_found_or(url, "open", src, e),
        Direction::Put => Error::io(url, "open source file", src, e),
    })?;
    if matches!(direction, Direction::Get) && input.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(Error::NotFound {
            url: url.to_string(),
        });
    }
    let tmp = temp_beside(url, dest)?;
    let mut writer = std::io::BufWriter::with_capacity(hash::BUF_SIZE, tmp.as_file());
    let mut tee = TeeReader {
        inner: &mut input,
        out: &mut writer,
        write_err: None,
    };
    let hashed = hash::sha256_std_reader(&mut tee);
    let write_err = tee.write_err.take();
    let (size, sha256) = match (hashed, write_err) {
        (_, Some(e)) => return Err(Error::io(url, "write temp file for", dest, e)),
        (Err(e), None) => return Err(Error::io(url, "read", src, e)),
        (Ok(v), None) => v,
    };
    writer
        .flush()
        .map_err(|e| Error::io(url, "write temp file for", dest, e))?;
    drop(writer);
    commit(url, tmp, dest)?;
    Ok(ObjectMeta {
        size,
        sha256: Some(sha256),
    })
}

/// Writes everything read through it to `out`, keeping a write error apart from read errors.
struct TeeReader<'a, R, W> {
    inner: &'a mut R,
    out: &'a mut W,
    write_err: Option<std::io::Error>,
}

impl<R: std::io::Read, W: Write> std::io::Read for TeeReader<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Err(e) = self.out.write_all(&buf[..n]) {
            let kind = e.kind();
            self.write_err = Some(e);
            return Err(std::io::Error::new(kind, "write failed"));
        }
        Ok(n)
    }
}

/// Recursively lists files under `dir` whose path string starts with `prefix`, skipping
/// directories that cannot contain a match and our temp files.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<ObjectInfo>, url: &StorageUrl) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(url, "list directory", dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(url, "list directory", dir, e))?;
        let path = entry.path();
        let Some(path_str) = path.to_str() else {
            continue; // Non-UTF-8 names cannot be object keys.
        };
        let file_type = entry
            .file_type()
            .map_err(|e| Error::io(url, "reading the metadata of", &path, e))?;
        if file_type.is_dir() {
            let as_dir = format!("{path_str}/");
            if as_dir.starts_with(prefix) || prefix.starts_with(&as_dir) {
                walk(&path, prefix, out, url)?;
            }
        } else if path_str.starts_with(prefix) && !path_str.ends_with(TEMP_SUFFIX) {
            let meta = std::fs::metadata(&path)
                .map_err(|e| Error::io(url, "reading the metadata of", &path, e))?;
            if meta.is_file() {
                out.push(ObjectInfo {
                    url: StorageUrl::Local(path),
                    size: meta.len(),
                });
            }
        }
    }
    Ok(())
}

/// The directory to start walking from for a path prefix: everything up to its last `/`.
fn walk_root(prefix: &str) -> (PathBuf, String) {
    match prefix.rfind('/') {
        Some(0) => (PathBuf::from("/"), prefix.to_string()),
        Some(i) => (PathBuf::from(&prefix[..i]), prefix.to_string()),
        // "out" lists "./out*"; keep paths relative as the caller gave them.
        None => (PathBuf::from("."), format!("./{prefix}")),
    }
}

impl ObjectStore for LocalStore {
    async fn get_to_file(&self, url: &StorageUrl, path: &Path) -> Result<ObjectMeta> {
        let src = path_of(url)?.to_path_buf();
        let dest = path.to_path_buf();
        let owned = url.clone();
        blocking(url, "get", move || {
            copy_atomic(&owned, &src, &dest, Direction::Get)
        })
        .await
    }

    async fn get_reader(&self, url: &StorageUrl) -> Result<ObjectReader> {
        let path = path_of(url)?;
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| not_found_or(url, "open", path, e))?;
        let meta = file
            .metadata()
            .await
            .map_err(|e| Error::io(url, "reading the metadata of", path, e))?;
        if meta.is_dir() {
            return Err(Error::NotFound {
                url: url.to_string(),
            });
        }
        Ok(Box::pin(tokio::io::BufReader::with_capacity(
            hash::BUF_SIZE,
            file,
        )))
    }

    async fn get_bytes(&self, url: &StorageUrl, limit: u64) -> Result<Vec<u8>> {
        let meta = self.head(url).await?;
        if meta.size > limit {
            return Err(Error::TooLarge {
                url: url.to_string(),
                size: meta.size,
                limit,
            });
        }
        let path = path_of(url)?;
        tokio::fs::read(path)
            .await
            .map_err(|e| not_found_or(url, "read", path, e))
    }

    async fn put_file(&self, path: &Path, url: &StorageUrl) -> Result<ObjectMeta> {
        let dest = path_of(url)?.to_path_buf();
        let src = path.to_path_buf();
        let owned = url.clone();
        blocking(url, "put", move || {
            copy_atomic(&owned, &src, &dest, Direction::Put)
        })
        .await
    }

    async fn put_reader<R>(&self, mut reader: R, url: &StorageUrl) -> Result<ObjectMeta>
    where
        R: tokio::io::AsyncRead + Send + Unpin,
    {
        let dest = path_of(url)?.to_path_buf();
        let (tmp, mut file) = temp_writer(url, "put", &dest).await?;
        // On any error `tmp` is dropped here, which deletes the temp file.
        let (size, sha256) =
            hash::copy_hashing(&mut reader, &mut file)
                .await
                .map_err(|e| match e {
                    CopyError::Read(e) => Error::io(url, "read source for", &dest, e),
                    CopyError::Write(e) => Error::io(url, "write temp file for", &dest, e),
                })?;
        drop(file);
        let owned = url.clone();
        blocking(url, "put", move || commit(&owned, tmp, &dest)).await?;
        Ok(ObjectMeta {
            size,
            sha256: Some(sha256),
        })
    }

    async fn put_bytes(&self, url: &StorageUrl, bytes: &[u8]) -> Result<ObjectMeta> {
        let dest = path_of(url)?.to_path_buf();
        let (owned, bytes) = (url.clone(), bytes.to_vec());
        blocking(url, "put", move || {
            let mut tmp = temp_beside(&owned, &dest)?;
            tmp.write_all(&bytes)
                .map_err(|e| Error::io(&owned, "write temp file for", &dest, e))?;
            commit(&owned, tmp, &dest)?;
            Ok(ObjectMeta {
                size: bytes.len() as u64,
                sha256: Some(hash::sha256_hex(&bytes)),
            })
        })
        .await
    }

    async fn list(&self, prefix: &StorageUrl) -> Result<Vec<ObjectInfo>> {
        let prefix_path = path_of(prefix)?;
        let Some(prefix_str) = prefix_path.to_str() else {
            return Err(Error::InvalidUrl {
                url: prefix.to_string(),
                reason: "list prefix is not valid UTF-8".to_string(),
            });
        };
        let (root, match_prefix) = walk_root(prefix_str);
        // Give back paths spelled like the prefix: "out" lists "out/x", not "./out/x".
        let strip_dot = !prefix_str.starts_with("./") && match_prefix.starts_with("./");
        let owned = prefix.clone();
        blocking(prefix, "list", move || {
            let mut out = Vec::new();
            walk(&root, &match_prefix, &mut out, &owned)?;
            if strip_dot {
                for info in &mut out {
                    if let StorageUrl::Local(path) = &mut info.url {
                        if let Ok(rel) = path.strip_prefix(".") {
                            *path = rel.to_path_buf();
                        }
                    }
                }
            }
            out.sort();
            Ok(out)
        })
        .await
    }

    async fn head(&self, url: &StorageUrl) -> Result<ObjectMeta> {
        let path = path_of(url)?;
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| not_found_or(url, "reading the metadata of", path, e))?;
        if !meta.is_file() {
            return Err(Error::NotFound {
                url: url.to_string(),
            });
        }
        Ok(ObjectMeta {
            size: meta.len(),
            sha256: None,
        })
    }

    async fn exists(&self, url: &StorageUrl) -> Result<bool> {
        match self.head(url).await {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn checksum(&self, url: &StorageUrl) -> Result<String> {
        self.head(url).await?;
        let path = path_of(url)?.to_path_buf();
        let owned = url.clone();
        blocking(url, "checksum", move || {
            hash::sha256_file(&path)
                .map(|(_, sha)| sha)
                .map_err(|e| not_found_or(&owned, "read", &path, e))
        })
        .await
    }

    async fn delete(&self, url: &StorageUrl) -> Result<()> {
        let path = path_of(url)?;
        match tokio::fs::remove_file(path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(url, "delete", path, e)),
        }
    }

    async fn presign_get(&self, url: &StorageUrl, _ttl: Duration) -> Result<String> {
        let path = path_of(url)?;
        let abs =
            std::path::absolute(path).map_err(|e| Error::io(url, "make absolute", path, e))?;
        abs.into_os_string()
            .into_string()
            .map_err(|_| Error::InvalidUrl {
                url: url.to_string(),
                reason: "path is not valid UTF-8".to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_root_splits_at_last_slash() {
        assert_eq!(
            walk_root("/data/out/ch"),
            (PathBuf::from("/data/out"), "/data/out/ch".into())
        );
        assert_eq!(
            walk_root("/data/out/"),
            (PathBuf::from("/data/out"), "/data/out/".into())
        );
        assert_eq!(walk_root("/x"), (PathBuf::from("/"), "/x".into()));
        assert_eq!(walk_root("out"), (PathBuf::from("."), "./out".into()));
    }
}
