//! Whether a stage is already finished: its manifest (the commit marker)
//! is there, describes this source and these settings, and every object it
//! lists has its recorded size and checksum. Anything less and the stage
//! runs again; nothing half-written passes for finished.

use crate::error::{Error, Result};
use crate::job::SourceRecord;
use crate::settings::JobSettings;
use crate::stage::Stage;
use reel_core::manifest::{EncodeManifest, InspectReport, LadderManifest, ValidateManifest};
use reel_storage::{Storage, StorageUrl};
use serde::de::DeserializeOwned;

/// `Ok(None)` when `stage` is finished for this job, `Ok(Some(why not))`
/// when it must run; `Err` when storage cannot tell.
pub(crate) fn unfinished(
    storage: &Storage,
    root: &StorageUrl,
    stage: Stage,
    source: &SourceRecord,
    settings: &JobSettings,
) -> Result<Option<String>> {
    let url = root.join(stage.manifest_key())?;
    let bytes = match storage.get_bytes(&url) {
        Ok(b) => b,
        Err(e) if e.is_not_found() => return Ok(Some(format!("no {}", stage.manifest_key()))),
        Err(e) => return Err(e.into()),
    };
    let why = match stage {
        Stage::Inspect => parse::<InspectReport>(&bytes, stage).map(|r| {
            (r.container.size_bytes != source.size).then(|| {
                format!(
                    "inspect.json describes a {}-byte source, not this {}-byte one",
                    r.container.size_bytes, source.size
                )
            })
        }),
        Stage::Ladder => {
            parse::<LadderManifest>(&bytes, stage).map(|l| ladder_mismatch(&l, source, settings))
        }
        Stage::Encode => match parse::<EncodeManifest>(&bytes, stage) {
            Ok(m) => match rungs_mismatch(storage, root, &m)? {
                Some(why) => Ok(Some(why)),
                None => Ok(objects_mismatch(storage, root, &m)?),
            },
            Err(why) => Err(why),
        },
        Stage::Validate => parse::<ValidateManifest>(&bytes, stage).map(|_| None),
        Stage::Report => Ok((!bytes.trim_ascii_end().ends_with(b"</html>"))
            .then(|| "report/index.html is incomplete".to_string())),
    };
    Ok(why.unwrap_or_else(Some))
}

/// The manifest, or why it does not count (a torn or foreign file).
fn parse<T: DeserializeOwned>(bytes: &[u8], stage: Stage) -> Result<T, String> {
    serde_json::from_slice(bytes)
        .map_err(|e| format!("{} does not parse ({e})", stage.manifest_key()))
}

fn ladder_mismatch(
    l: &LadderManifest,
    source: &SourceRecord,
    settings: &JobSettings,
) -> Option<String> {
    let size = l.header.inputs.first().map(|i| i.size);
    if size != Some(source.size) {
        return Some("ladder.json was made for another source".into());
    }
    if l.codec.as_str() != settings.codec {
        return Some(format!(
            "ladder.json is for {}, not {}",
            l.codec.as_str(),
            settings.codec
        ));
    }
    if l.fixed_ladder != settings.static_ladder {
        return Some("ladder.json is another kind of ladder".into());
    }
    if l.fixed_ladder.is_none() && (l.target_vmaf - settings.target_vmaf).abs() > 1e-9 {
        return Some(format!(
            "ladder.json aims at VMAF {}, not {}",
            l.target_vmaf, settings.target_vmaf
        ));
    }
    None
}

/// Whether encode.json encoded other rungs than ladder.json lists (a
/// transcode run by hand into the same root, say).
fn rungs_mismatch(
    storage: &Storage,
    root: &StorageUrl,
    m: &EncodeManifest,
) -> Result<Option<String>> {
    let bytes = match storage.get_bytes(&root.join(Stage::Ladder.manifest_key())?) {
        Ok(b) => b,
        Err(e) if e.is_not_found() => return Ok(Some("no ladder.json".into())),
        Err(e) => return Err(e.into()),
    };
    let Ok(ladder) = serde_json::from_slice::<LadderManifest>(&bytes) else {
        return Ok(Some("ladder.json does not parse".into()));
    };
    let encoded: Vec<_> = m.renditions.iter().map(|r| &r.recipe).collect();
    let planned: Vec<_> = ladder.rungs.iter().collect();
    Ok((encoded != planned)
        .then(|| "encode.json encoded other rungs than ladder.json lists".into()))
}

/// The first object of `m` that is missing or differs from its record.
fn objects_mismatch(
    storage: &Storage,
    root: &StorageUrl,
    m: &EncodeManifest,
) -> Result<Option<String>> {
    for entry in &m.objects {
        let url = root.join(&entry.key)?;
        let meta = match storage.head(&url) {
            Ok(meta) => meta,
            Err(e) if e.is_not_found() => return Ok(Some(format!("{} is missing", entry.key))),
            Err(e) => return Err(Error::from(e)),
        };
        if meta.size != entry.size {
            return Ok(Some(format!(
                "{} has {} bytes, not {}",
                entry.key, meta.size, entry.size
            )));
        }
        let want = entry
            .checksum
            .strip_prefix("sha256:")
            .unwrap_or(&entry.checksum);
        let have = match meta.sha256 {
            Some(sum) => sum,
            None => storage.checksum(&url)?,
        };
        if !have.eq_ignore_ascii_case(want) {
            return Ok(Some(format!("{} does not match its checksum", entry.key)));
        }
    }
    Ok(None)
}
