//! Decoding on a dedicated thread: the FFmpeg contexts are created and used
//! there only, and owned frames cross a bounded channel, so memory is bounded
//! by the frames in flight.

use crate::decode::{DecodeEvent, DecoderOptions, VideoDecoder};
use crate::error::{Error, Result};
use crate::probe::VideoParams;
use crate::view::FrameView;
use reel_core::VideoFrame;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;

/// The receiving end of [`spawn_decoder`]: iterate it like a [`VideoDecoder`].
/// Dropping it stops the decoder thread (an in-flight network read is
/// interrupted) and waits for it to end.
pub struct FrameReceiver<F = VideoFrame> {
    input: String,
    params: VideoParams,
    rx: Option<Receiver<Result<DecodeEvent<F>>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl<F> fmt::Debug for FrameReceiver<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameReceiver")
            .field("input", &self.input)
            .finish_non_exhaustive()
    }
}

/// Opens `input` on a new thread and decodes it there, sending events over
/// a channel holding at most `capacity` of them (at least 1).
///
/// Returns once the decoder is open, so open errors (missing file, no video
/// stream...) are returned here rather than from the iterator.
pub fn spawn_decoder(
    input: String,
    opts: DecoderOptions,
    capacity: usize,
) -> Result<FrameReceiver> {
    spawn_with(input, opts, capacity, |decoder| decoder.next())
}

/// Like [`spawn_decoder`], but each frame is lent to `visit` on the decoder
/// thread (see [`VideoDecoder::next_with`]) and what it returns crosses the
/// channel: a consumer that needs part of each picture takes it there,
/// without a copy of the whole frame.
pub fn spawn_decoder_with<T, V>(
    input: String,
    opts: DecoderOptions,
    capacity: usize,
    mut visit: V,
) -> Result<FrameReceiver<T>>
where
    T: Send + 'static,
    V: FnMut(FrameView<'_>) -> T + Send + 'static,
{
    spawn_with(input, opts, capacity, move |decoder| {
        decoder.next_with(&mut visit)
    })
}

fn spawn_with<T, N>(
    input: String,
    opts: DecoderOptions,
    capacity: usize,
    mut next: N,
) -> Result<FrameReceiver<T>>
where
    T: Send + 'static,
    N: FnMut(&mut VideoDecoder) -> Option<Result<DecodeEvent<T>>> + Send + 'static,
{
    crate::init();
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = sync_channel::<Result<DecodeEvent<T>>>(capacity.max(1));
    let (params_tx, params_rx) = sync_channel::<Result<VideoParams>>(1);
    let thread_stop = Arc::clone(&stop);
    let thread_input = input.clone();
    let handle = std::thread::Builder::new()
        .name("reel-decode".to_string())
        .spawn(move || {
            let mut decoder = match VideoDecoder::open_with_cancel(
                &thread_input,
                &opts,
                Some(Arc::clone(&thread_stop)),
            ) {
                Ok(d) => d,
                Err(e) => {
                    let _ = params_tx.send(Err(e));
                    return;
                }
            };
            if params_tx.send(Ok(decoder.params().clone())).is_err() {
                return;
            }
            while let Some(event) = next(&mut decoder) {
                if thread_stop.load(Ordering::Relaxed) || tx.send(event).is_err() {
                    break;
                }
            }
        })
        .map_err(|e| Error::Thread {
            input: input.clone(),
            reason: format!("cannot start: {e}"),
        })?;
    match params_rx.recv() {
        Ok(Ok(params)) => Ok(FrameReceiver {
            input,
            params,
            rx: Some(rx),
            stop,
            handle: Some(handle),
        }),
        Ok(Err(e)) => {
            let _ = handle.join();
            Err(e)
        }
        Err(_) => {
            let reason = panic_reason(handle.join());
            Err(Error::Thread { input, reason })
        }
    }
}

fn panic_reason(joined: std::thread::Result<()>) -> String {
    match joined {
        Ok(()) => "ended without a result".to_string(),
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .map(|s| format!("panicked: {s}"))
            .unwrap_or_else(|| "panicked".to_string()),
    }
}

impl<F> FrameReceiver<F> {
    /// Parameters of the decoded stream, as the decoder saw them at open.
    pub fn params(&self) -> &VideoParams {
        &self.params
    }

    pub fn input(&self) -> &str {
        &self.input
    }
}

impl<F> Iterator for FrameReceiver<F> {
    type Item = Result<DecodeEvent<F>>;

    fn next(&mut self) -> Option<Self::Item> {
        let rx = self.rx.as_ref()?;
        match rx.recv() {
            Ok(event) => Some(event),
            Err(_) => {
                // The thread ended: normally, or by a panic we report once.
                self.rx = None;
                let handle = self.handle.take()?;
                match handle.join() {
                    Ok(()) => None,
                    Err(payload) => Some(Err(Error::Thread {
                        input: self.input.clone(),
                        reason: panic_reason(Err(payload)),
                    })),
                }
            }
        }
    }
}

impl<F> Drop for FrameReceiver<F> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Dropping the receiver makes a blocked send fail, so the thread ends.
        self.rx = None;
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
