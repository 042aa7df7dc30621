//! SIGTERM and SIGINT as a flag that long-running commands (`reel worker`,
//! `reel watch`) look at between and during their units of work.

use anyhow::{Context, Result};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A flag raised by the first SIGTERM or SIGINT; a second one ends the process
/// at once (the default action), for an operator who does not want to wait.
pub fn stop_flag() -> Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register_conditional_shutdown(signal, 1, Arc::clone(&flag))
            .context("installing the signal handler")?;
        signal_hook::flag::register(signal, Arc::clone(&flag))
            .context("installing the signal handler")?;
    }
    Ok(flag)
}

/// This process, for failure records and logs: `host:pid`.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "localhost".into());
    format!("{host}:{}", std::process::id())
}
