//! Holding a received message while its work runs: the work runs on its own
//! thread while the caller's thread keeps the message invisible to other
//! consumers, and gives it back at once when the process is asked to stop.

use crate::error::Error;
use crate::queue::{Delivery, Queue};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How often the stop flag is looked at.
const STOP_POLL: Duration = Duration::from_millis(200);

/// How leased work ended.
#[derive(Debug)]
pub enum Leased<T> {
    /// The work finished with this result; the message is still held.
    Done(T),
    /// `stop` was raised first: the message was made visible again and the
    /// work's thread was left running (the caller is about to exit; the work's
    /// outputs are written atomically, so abandoning it loses nothing).
    Released,
    /// The work panicked (or its thread could not start); the message is
    /// still held, for the caller to treat as a failure.
    Crashed,
}

/// Runs `work` on a new thread while holding `delivery`: its visibility is
/// renewed to `visibility` every third of it. `on_error` hears about renewals
/// that fail (the work goes on; at-least-once delivery makes a duplicate
/// harmless).
pub fn run_leased<T: Send + 'static>(
    queue: &Queue,
    delivery: &Delivery,
    visibility: Duration,
    stop: &AtomicBool,
    mut on_error: impl FnMut(Error),
    work: impl FnOnce() -> T + Send + 'static,
) -> Leased<T> {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("reel-leased-work".into())
        .spawn(move || {
            // The receiver is gone only when the lease was released.
            let _ = tx.send(work());
        });
    if let Err(err) = spawned {
        on_error(Error::Runtime(err));
        return Leased::Crashed;
    }
    let renew_every = (visibility / 3).max(Duration::from_secs(1));
    let mut renew_at = Instant::now() + renew_every;
    loop {
        if stop.load(Ordering::SeqCst) {
            return release(queue, delivery, &mut on_error);
        }
        match rx.recv_timeout(STOP_POLL) {
            Ok(result) => return Leased::Done(result),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return Leased::Crashed,
        }
        if Instant::now() >= renew_at {
            if let Err(err) = queue.set_visibility(&delivery.receipt, visibility) {
                on_error(err);
            }
            renew_at = Instant::now() + renew_every;
        }
    }
}

fn release<T>(queue: &Queue, delivery: &Delivery, on_error: &mut impl FnMut(Error)) -> Leased<T> {
    if let Err(err) = queue.set_visibility(&delivery.receipt, Duration::ZERO) {
        on_error(err);
    }
    Leased::Released
}
