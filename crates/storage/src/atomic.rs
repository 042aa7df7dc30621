//! Atomic local writes: a temp file in the destination's directory, fsynced and renamed
//! into place, so a reader sees the old file or the complete new one, never a partial one.

use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Marks our temp files so listings skip them and a person can tell what they are.
pub(crate) const TEMP_SUFFIX: &str = ".reel-tmp";

/// A temp file next to `dest` (creating the directory), removed when dropped unpersisted.
pub(crate) fn temp_beside(url: &impl std::fmt::Display, dest: &Path) -> Result<NamedTempFile> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(url, "create directory", &dir, e))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)
        .map_err(|e| Error::io(url, "create temp file in", &dir, e))
}

/// fsyncs the temp file, renames it onto `dest` and fsyncs the directory so the rename
/// survives a crash.
pub(crate) fn commit(url: &impl std::fmt::Display, tmp: NamedTempFile, dest: &Path) -> Result<()> {
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(url, "fsync temp file", tmp.path(), e))?;
    tmp.persist(dest)
        .map_err(|e| Error::io(url, "rename temp file onto", dest, e.error))?;
    if let Some(dir) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        // Directory fsync is best effort: some file systems refuse it.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Runs blocking file work on tokio's blocking pool.
/// A temp file beside `dest` and a buffered async writer over it: the first half of
/// an atomic write for callers that stream into the file. Dropping the returned temp
/// file deletes it, so an error before the rename leaves nothing behind.
pub(crate) async fn temp_writer(
    url: &impl std::fmt::Display,
    op: &'static str,
    dest: &Path,
) -> Result<(NamedTempFile, tokio::io::BufWriter<tokio::fs::File>)> {
    let (u, d) = (url.to_string(), dest.to_path_buf());
    let tmp = blocking(url, op, move || temp_beside(&u, &d)).await?;
    let std_file = tmp
        .as_file()
        .try_clone()
        .map_err(|e| Error::io(url, "open temp file for", dest, e))?;
    let file = tokio::io::BufWriter::with_capacity(
        crate::hash::BUF_SIZE,
        tokio::fs::File::from_std(std_file),
    );
    Ok((tmp, file))
}

pub(crate) async fn blocking<T: Send + 'static>(
    url: &impl std::fmt::Display,
    op: &'static str,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task {
            url: url.to_string(),
            op,
            detail: e.to_string(),
        })?
}
