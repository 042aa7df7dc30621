//! Opening an input with libavformat: local paths, `file://` URLs and
//! http(s) URLs (presigned S3 URLs included), read through FFmpeg's own
//! protocols so only the byte ranges the demuxer asks for are fetched.

use crate::error::{Error, Result};
use crate::probe::{self, SourceInfo};
use crate::sniff;
use crate::{ffi_util, side_data};
use ffmpeg_next::ffi;
use ffmpeg_next::format::context::Input;
use ffmpeg_next::Dictionary;
use std::ffi::CString;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How long a network read may stall before FFmpeg gives up, in microseconds.
const NETWORK_TIMEOUT_US: &str = "30000000";

/// An opened and probed input.
///
/// Holds an FFmpeg format context: it is used on the thread that opened it
/// (decoders open their own).
pub struct MediaSource {
    input: String,
    ctx: Input,
    info: SourceInfo,
}

impl fmt::Debug for MediaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaSource")
            .field("input", &self.input)
            .field("format", &self.info.format)
            .finish_non_exhaustive()
    }
}

/// Crate-internal knobs for opening.
#[derive(Default, Clone)]
pub(crate) struct OpenOptions {
    /// Decode the first video frame when an HDR stream's container lacks its
    /// static metadata (HEVC SEI carries it instead).
    pub frame_probe: bool,
    /// Set to true to abort a blocking open or read (decoder thread shutdown).
    pub cancel: Option<Arc<AtomicBool>>,
}

impl MediaSource {
    /// Opens `input` (a path, a `file://` URL or an http/https URL) and reads
    /// its stream information.
    ///
    /// Errors: [`Error::InvalidInput`] for an unusable name, [`Error::Open`]
    /// when the file or URL cannot be opened, [`Error::NotMedia`] when no
    /// demuxer recognises it (text, empty file), [`Error::Probe`] when the
    /// streams cannot be read.
    pub fn open(input: &str) -> Result<MediaSource> {
        Self::open_with(
            input,
            &OpenOptions {
                frame_probe: true,
                cancel: None,
            },
        )
    }

    pub(crate) fn open_with(input: &str, opts: &OpenOptions) -> Result<MediaSource> {
        crate::init();
        let url = ffmpeg_url(input)?;
        let ctx = open_context(input, &url, opts.cancel.clone())?;
        let mut info = probe::source_info(input, &ctx);
        reject_non_media(input, &info)?;
        if opts.frame_probe {
            if let Some(video) = info.video.as_mut() {
                if probe::wants_frame_side_data(video) {
                    if let Some(side) = first_frame_side_info(input, video.stream_index) {
                        probe::apply_side_info(video, &side);
                    }
                }
            }
        }
        Ok(MediaSource {
            input: input.to_string(),
            ctx,
            info,
        })
    }

    /// What the input declares: container, streams, main video parameters.
    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// The input as given to [`MediaSource::open`].
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Bytes libavformat has read from the input so far (for http inputs, what
    /// was transferred). `None` when the protocol does not count.
    pub fn bytes_read(&self) -> Option<u64> {
        // SAFETY: the context is open; `pb` is null or its own I/O context,
        // and `bytes_read` is a plain statistic field.
        unsafe {
            let pb = (*self.ctx.as_ptr()).pb;
            pb.as_ref().map(|pb| pb.bytes_read.max(0) as u64)
        }
    }

    pub(crate) fn ctx(&self) -> &Input {
        &self.ctx
    }

    pub(crate) fn ctx_mut(&mut self) -> &mut Input {
        &mut self.ctx
    }
}

/// Opens `input` a second time and decodes up to the first frame of
/// `stream` to read its side data (HEVC SEI carries HDR metadata that MP4
/// containers written by some tools leave out).
fn first_frame_side_info(input: &str, stream: usize) -> Option<side_data::SideInfo> {
    let source = MediaSource::open_with(input, &OpenOptions::default()).ok()?;
    let mut engine = crate::engine::Engine::new(source, stream, 1).ok()?;
    for _ in 0..256 {
        match engine.next().ok()? {
            crate::engine::Raw::Frame => {
                // SAFETY: the engine's frame holds the picture just decoded.
                return Some(unsafe { side_data::from_frame(engine.frame.as_ptr()) });
            }
            crate::engine::Raw::Issue(_) => continue,
            crate::engine::Raw::End => return None,
        }
    }
    None
}

/// Turns `file://` URLs into paths; passes everything else to FFmpeg as is.
fn ffmpeg_url(input: &str) -> Result<String> {
    let invalid = |reason: &str| Error::InvalidInput {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    if input.is_empty() {
        return Err(invalid("empty name"));
    }
    if input.contains('\0') {
        return Err(invalid("contains a NUL byte"));
    }
    let Some(rest) = input.strip_prefix("file://") else {
        return Ok(input.to_string());
    };
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return Err(invalid("file:// URL without an absolute path"));
    }
    percent_decode(path).ok_or_else(|| invalid("bad percent-encoding"))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|p| !p.contains('\0'))
}

fn is_network(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "tcp://", "tls://"]
        .iter()
        .any(|p| lower.starts_with(p))
}

fn open_context(input: &str, url: &str, cancel: Option<Arc<AtomicBool>>) -> Result<Input> {
    let c_url = CString::new(url).map_err(|_| Error::InvalidInput {
        input: input.to_string(),
        reason: "contains a NUL byte".to_string(),
    })?;
    let mut options = Dictionary::new();
    if is_network(url) {
        options.set("rw_timeout", NETWORK_TIMEOUT_US);
        options.set("reconnect", "1");
        options.set("reconnect_on_network_error", "1");
        options.set("reconnect_delay_max", "5");
    }
    let open_error = |code: i32| {
        let err = ffmpeg_next::Error::from(code);
        let reason = ffi_util::err_text(err);
        match err {
            ffmpeg_next::Error::InvalidData | ffmpeg_next::Error::Eof => {
                sniff::explain_unreadable(input, reason)
            }
            _ => Error::Open {
                input: input.to_string(),
                reason,
            },
        }
    };
    // SAFETY: the context is allocated here and either handed to `Input`
    // (which closes it on drop) or freed on every error path:
    // avformat_open_input frees a user-supplied context when it fails, and
    // avformat_close_input is called when stream probing fails. The interrupt
    // closure's box is owned by the guard stored with the context, so it
    // outlives every callback FFmpeg makes.
    unsafe {
        let mut ps = ffi::avformat_alloc_context();
        if ps.is_null() {
            return Err(Error::Open {
                input: input.to_string(),
                reason: "cannot allocate a format context".to_string(),
            });
        }
        let guard = cancel.map(|flag| {
            let interrupt =
                ffmpeg_next::util::interrupt::new(Box::new(move || flag.load(Ordering::Relaxed)));
            (*ps).interrupt_callback = interrupt.interrupt;
            interrupt.guard
        });
        let mut raw_opts = options.disown();
        let ret =
            ffi::avformat_open_input(&mut ps, c_url.as_ptr(), std::ptr::null(), &mut raw_opts);
        // Takes back (and frees) the options FFmpeg did not consume.
        drop(Dictionary::own(raw_opts));
        if ret < 0 {
            return Err(open_error(ret));
        }
        let ret = ffi::avformat_find_stream_info(ps, std::ptr::null_mut());
        if ret < 0 {
            ffi::avformat_close_input(&mut ps);
            return Err(Error::Probe {
                input: input.to_string(),
                reason: ffi_util::err_text(ffmpeg_next::Error::from(ret)),
            });
        }
        Ok(match guard {
            Some(guard) => Input::wrap_with_interrupt(ps, guard),
            None => Input::wrap(ps),
        })
    }
}

/// Demuxers that accept any text (ANSI art, subtitles) are not media for reel.
fn reject_non_media(input: &str, info: &SourceInfo) -> Result<()> {
    const TEXT_DEMUXERS: [&str; 2] = ["tty", "txt"];
    let first = info.format.split(',').next().unwrap_or("");
    if TEXT_DEMUXERS.contains(&first) || info.streams.is_empty() {
        return Err(Error::NotMedia {
            input: input.to_string(),
            reason: if info.streams.is_empty() {
                "no streams found".to_string()
            } else {
                format!("recognised only as {}", info.format_long_name)
            },
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_become_paths() {
        assert_eq!(ffmpeg_url("file:///x/a%20b.mp4").unwrap(), "/x/a b.mp4");
        assert_eq!(ffmpeg_url("file://localhost/x/a.mp4").unwrap(), "/x/a.mp4");
        assert_eq!(ffmpeg_url("/x/a.mp4").unwrap(), "/x/a.mp4");
        assert_eq!(
            ffmpeg_url("https://b.s3.amazonaws.com/k?X-Amz-Signature=ab%2F").unwrap(),
            "https://b.s3.amazonaws.com/k?X-Amz-Signature=ab%2F"
        );
        assert!(ffmpeg_url("").is_err());
        assert!(ffmpeg_url("file://x/a.mp4").is_err());
        assert!(ffmpeg_url("file:///x/%zz").is_err());
        assert!(ffmpeg_url("a\0b").is_err());
    }
}
