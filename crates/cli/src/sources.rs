//! Turning user-given URLs into something libavformat can open, and writing outputs.

use crate::args::GlobalArgs;
use anyhow::{Context, Result};
use reel_storage::{Storage, StorageOptions, StorageUrl};
use std::time::Duration;

/// How long a presigned GET handed to libavformat stays valid.
const PRESIGN_TTL: Duration = Duration::from_secs(6 * 3600);

/// A source the media layer can open, and what to record of it.
#[derive(Debug)]
pub struct ResolvedSource {
    /// The URL or path as the user wrote it (recorded in manifests).
    pub original: String,
    /// What libavformat opens: a local path, or an http(s) URL (presigned for s3://).
    pub media_input: String,
    pub size: Option<u64>,
}

pub fn storage_options(global: &GlobalArgs) -> StorageOptions {
    StorageOptions {
        s3_endpoint: global.s3_endpoint.clone(),
        ..StorageOptions::default()
    }
}

/// Resolves SOURCE. For s3:// the object is looked up first, so a missing key or
/// rejected credentials are reported before any decoding starts.
pub fn resolve(source: &str, global: &GlobalArgs) -> Result<ResolvedSource> {
    if source.starts_with("http://") || source.starts_with("https://") {
        return Ok(ResolvedSource {
            original: source.to_string(),
            media_input: source.to_string(),
            size: None,
        });
    }
    let url = StorageUrl::parse(source)?;
    if let Some(path) = url.local_path() {
        let meta =
            std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
        if meta.is_dir() {
            anyhow::bail!("{}: is a directory, not a media file", path.display());
        }
        let size = meta.len();
        return Ok(ResolvedSource {
            original: source.to_string(),
            media_input: path.to_string_lossy().into_owned(),
            size: Some(size),
        });
    }
    let storage = Storage::for_url(&url, &storage_options(global))?;
    let head = storage.head(&url)?;
    let presigned = storage.presign_get(&url, PRESIGN_TTL)?;
    Ok(ResolvedSource {
        original: source.to_string(),
        media_input: presigned,
        size: Some(head.size),
    })
}

/// Writes `bytes` as `<dir>/<name>` through storage, atomically.
pub fn write_object(dir: &str, name: &str, bytes: &[u8], global: &GlobalArgs) -> Result<String> {
    let dir_url = StorageUrl::parse(dir)?;
    let url = dir_url.join(name)?;
    let storage = Storage::for_url(&url, &storage_options(global))?;
    storage.put_bytes(&url, bytes)?;
    Ok(url.to_string())
}

/// Writes `bytes` to a full object URL or path (e.g. `--json out.json`), atomically.
pub fn write_url(dest: &str, bytes: &[u8], global: &GlobalArgs) -> Result<()> {
    let url = StorageUrl::parse(dest)?;
    let storage = Storage::for_url(&url, &storage_options(global))?;
    storage.put_bytes(&url, bytes)?;
    Ok(())
}
