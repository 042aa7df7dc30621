//! Waiting for queued work: the records workers write to storage, the
//! failure records that end the wait when a worker gives a piece up, and
//! clearing an earlier run's.

use crate::progress::Meter;
use anyhow::{bail, Context, Result};
use reel_pipeline::UnitFailure;
use reel_storage::{Storage, StorageUrl};
use std::collections::BTreeSet;
use std::time::Duration;

/// How often storage is looked at.
const POLL: Duration = Duration::from_millis(500);

/// Waits until every URL of `expected` is listed under `prefix`, showing the
/// count on `meter`. Fails when a failure record under `failures` says a
/// piece was given up; `what` names it from the record.
pub(crate) fn wait_for_records(
    storage: &Storage,
    prefix: &StorageUrl,
    expected: &BTreeSet<String>,
    failures: &StorageUrl,
    meter: &Meter,
    what: impl Fn(&UnitFailure) -> String,
) -> Result<()> {
    loop {
        let listed: BTreeSet<String> = storage
            .list(prefix)?
            .into_iter()
            .map(|o| o.url.to_string())
            .collect();
        let done = expected.iter().filter(|u| listed.contains(*u)).count();
        meter.set_done(done as u64, 0);
        if done == expected.len() {
            return Ok(());
        }
        if let Some(failure) = given_up(storage, failures)? {
            bail!("{}", given_up_message(&what(&failure), &failure));
        }
        std::thread::sleep(POLL);
    }
}

/// Deletes every object under `prefix`: records or failure records of an
/// earlier run, which must not stand in for this one's.
pub(crate) fn clear_prefix(storage: &Storage, prefix: &StorageUrl) -> Result<()> {
    for object in storage.list(prefix)? {
        storage.delete(&object.url)?;
    }
    Ok(())
}

/// The first piece under `failures` a worker gave up on.
pub(crate) fn given_up(storage: &Storage, failures: &StorageUrl) -> Result<Option<UnitFailure>> {
    for object in storage.list(failures)? {
        let bytes = storage.get_bytes(&object.url)?;
        let failure: UnitFailure = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a failure record", object.url))?;
        if failure.given_up {
            return Ok(Some(failure));
        }
    }
    Ok(None)
}

/// `<what> failed 2 of 2 attempts, last on worker W: E; its message went to ...`.
pub(crate) fn given_up_message(what: &str, failure: &UnitFailure) -> String {
    format!(
        "{what} failed {} of {} attempts, last on worker {}: {}; {}",
        failure.attempt,
        failure.max_attempts,
        failure.worker,
        failure.error,
        match &failure.dead_letter_queue {
            Some(dlq) => format!("its message went to the dead-letter queue {dlq}"),
            None => "its message was dropped (the queue has no dead-letter queue)".into(),
        }
    )
}
