//! What the stage commands after `inspect` share: the source's inspect
//! report (read from a URL or made on the fly), reading a job's manifests, and
//! the local work directory of a job whose output may be remote.

use crate::args::GlobalArgs;
use crate::sources::{self, ResolvedSource};
use anyhow::{bail, Context, Result};
use reel_core::manifest::InspectReport;
use reel_storage::{Storage, StorageUrl};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// The report at `inspect` (a URL), or a full inspection of `source`.
pub fn inspect_report(
    inspect: Option<&str>,
    source: &ResolvedSource,
    global: &GlobalArgs,
) -> Result<InspectReport> {
    match inspect {
        Some(url) => {
            let u = StorageUrl::parse(url)?;
            let storage = Storage::for_url(&u, &sources::storage_options(global))?;
            read_manifest(&storage, &u)
        }
        None => {
            if !global.quiet {
                eprintln!("inspecting {} (no --inspect given)", source.original);
            }
            reel_inspect::inspect(
                &source.media_input,
                &reel_inspect::InspectOptions::default(),
                &mut |_| {},
            )
            .with_context(|| format!("inspecting {}", source.original))
        }
    }
}

/// The JSON manifest at `url`.
pub fn read_manifest<T: DeserializeOwned>(storage: &Storage, url: &StorageUrl) -> Result<T> {
    let bytes = storage
        .get_bytes(url)
        .with_context(|| format!("reading {url}"))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {url}"))
}

/// The JSON manifest `key` under `root`, `None` when there is none; one that
/// exists but does not parse is an error naming it.
pub fn optional_manifest<T: DeserializeOwned>(
    storage: &Storage,
    root: &StorageUrl,
    key: &str,
) -> Result<Option<T>> {
    let url = root.join(key)?;
    let bytes = match storage.get_bytes(&url) {
        Ok(bytes) => bytes,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {url}")),
    };
    match serde_json::from_slice(&bytes) {
        Ok(v) => Ok(Some(v)),
        Err(e) => bail!("{url}: not a valid {key}: {e}"),
    }
}

/// The local directory a job works in: `given` when set, else `local_sub`
/// of a local output, else a temp directory named after the output URL (so
/// a re-run of the same job finds its work again). Created if missing.
pub fn work_dir(
    output: &str,
    out_url: &StorageUrl,
    given: Option<&Path>,
    local_sub: &str,
    command: &str,
) -> Result<PathBuf> {
    let work = match (given, out_url.local_path()) {
        (Some(w), _) => w.to_path_buf(),
        (None, Some(p)) => p.join(local_sub),
        (None, None) => std::env::temp_dir().join(format!(
            "reel-{command}-{}",
            output
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect::<String>()
        )),
    };
    std::fs::create_dir_all(&work)
        .with_context(|| format!("creating work directory {}", work.display()))?;
    Ok(work)
}
