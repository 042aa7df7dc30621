//! sha256 of files and bytes, written `sha256:<hex>`, and atomic writes
//! (temp file + rename) so no half-written object is ever visible.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// `sha256:<hex>` of a file's bytes and its size.
///
/// Errors: [`Error::Io`] when the file cannot be read.
pub fn file_checksum(path: &Path) -> Result<(u64, String)> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io("read", path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((size, format!("sha256:{}", hex::encode(h.finalize()))))
}

/// The temporary name a file is written under before its rename.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".part");
    path.with_file_name(name)
}

/// A file being written under its temporary name (`<name>.part`). It takes
/// its final name on [`TempFile::commit`]; dropped uncommitted (an error, a
/// panic), it is removed, so a failed step leaves nothing half-written.
#[derive(Debug)]
pub(crate) struct TempFile {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl TempFile {
    pub(crate) fn new(path: &Path) -> TempFile {
        TempFile {
            tmp: temp_path(path),
            path: path.to_path_buf(),
            committed: false,
        }
    }

    /// Where to write.
    pub(crate) fn tmp(&self) -> &Path {
        &self.tmp
    }

    /// The final name.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary name as text, for FFmpeg muxers.
    pub(crate) fn tmp_str(&self) -> String {
        self.tmp.to_string_lossy().into_owned()
    }

    /// Moves the finished file into place.
    ///
    /// Errors: [`Error::Io`] when the rename fails.
    pub(crate) fn commit(mut self) -> Result<()> {
        std::fs::rename(&self.tmp, &self.path)
            .map_err(|e| Error::io("rename into place", &self.path, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
///
/// Errors: [`Error::Io`] when writing or renaming fails (full disk...).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    }
    let file = TempFile::new(path);
    std::fs::write(file.tmp(), bytes).map_err(|e| Error::io("write", path, e))?;
    file.commit()
}

/// Creates `dir` and its parents.
///
/// Errors: [`Error::Io`].
pub fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))
}
