//! The demux + decode loop shared by the video and audio decoders: reads the
//! packets of one stream, feeds the decoder, drains it at end of input, and
//! turns recoverable damage into [`DecodeIssue`]s instead of stopping.

use crate::decode::DecodeIssue;
use crate::error::{Error, Result};
use crate::ffi_util::{err_text, seconds};
use crate::probe;
use crate::source::MediaSource;
use ffmpeg_next::error::{
    EAGAIN, ECONNREFUSED, ECONNRESET, EHOSTUNREACH, EIO, ENETDOWN, ENETUNREACH, EPIPE, ETIMEDOUT,
};
use ffmpeg_next::packet::Mut as _;
use ffmpeg_next::{ffi, Error as FfError, Frame, Packet};
use std::collections::VecDeque;

/// Consecutive failures without a frame after which decoding gives up.
const MAX_CONSECUTIVE_ERRORS: u32 = 1000;
/// Packets remembered to attribute a damaged frame to its packet.
const RECENT_PACKETS: usize = 64;

/// What one step of the loop produced.
pub(crate) enum Raw {
    /// A frame is in [`Engine::frame`].
    Frame,
    Issue(DecodeIssue),
    End,
}

pub(crate) struct Engine {
    pub source: MediaSource,
    pub stream: usize,
    pub time_base: ffi::AVRational,
    decoder: ffmpeg_next::decoder::Opened,
    /// The last decoded frame (valid after [`Raw::Frame`]).
    pub frame: Frame,
    packet: Packet,
    pending_packet: Option<Packet>,
    packets_read: u64,
    recent: VecDeque<(i64, u64)>,
    draining: bool,
    finished: bool,
    /// A non-data read error, reported after the decoder is drained.
    deferred_fatal: Option<Error>,
    consecutive_errors: u32,
}

impl Engine {
    /// Opens a decoder for `stream` of `source`, and tells the demuxer to skip
    /// every other stream.
    pub fn new(mut source: MediaSource, stream: usize, threads: usize) -> Result<Engine> {
        let input = source.input().to_string();
        let st = probe::stream_ptr(source.ctx(), stream).ok_or_else(|| Error::WrongStream {
            input: input.clone(),
            index: stream,
            expected: "media",
            reason: "no such stream".to_string(),
        })?;
        // SAFETY: the context is open; stream pointers are valid and owned by
        // it. Setting `discard` before reading is how FFmpeg expects callers
        // to select streams.
        let (time_base, codec_id) = unsafe {
            let fc = &*source.ctx_mut().as_mut_ptr();
            for i in 0..fc.nb_streams as usize {
                let other = *fc.streams.add(i);
                (*other).discard = if i == stream {
                    ffi::AVDiscard::AVDISCARD_DEFAULT
                } else {
                    ffi::AVDiscard::AVDISCARD_ALL
                };
            }
            ((*st).time_base, (*(*st).codecpar).codec_id)
        };
        let open_error = |reason: String| Error::OpenDecoder {
            input: input.clone(),
            stream,
            // SAFETY: avcodec_get_name accepts any id and returns a static string.
            codec: crate::ffi_util::c_str(unsafe { ffi::avcodec_get_name(codec_id) })
                .unwrap_or_else(|| "unknown".to_string()),
            reason,
        };
        let mut ctx = ffmpeg_next::codec::Context::new();
        // SAFETY: `ctx` is a fresh codec context and `codecpar` belongs to a
        // valid stream; the parameters are copied, not shared. The threading
        // and time base fields are set before avcodec_open2, as required.
        unsafe {
            let c = ctx.as_mut_ptr();
            if c.is_null() {
                return Err(open_error("cannot allocate a codec context".to_string()));
            }
            let ret = ffi::avcodec_parameters_to_context(c, (*st).codecpar);
            if ret < 0 {
                return Err(open_error(err_text(FfError::from(ret))));
            }
            (*c).pkt_timebase = time_base;
            (*c).thread_count = threads.min(64) as i32;
            (*c).thread_type = ffi::FF_THREAD_FRAME | ffi::FF_THREAD_SLICE;
        }
        let codec = ffmpeg_next::decoder::find(ffmpeg_next::codec::Id::from(codec_id)).ok_or_else(
            || open_error("no decoder for this codec in the FFmpeg build".to_string()),
        )?;
        let decoder = ctx
            .decoder()
            .open_as(codec)
            .map_err(|e| open_error(err_text(e)))?;
        Ok(Engine {
            source,
            stream,
            time_base,
            decoder,
            // SAFETY: allocates an empty AVFrame owned by the wrapper.
            frame: unsafe { Frame::empty() },
            packet: Packet::empty(),
            pending_packet: None,
            packets_read: 0,
            recent: VecDeque::with_capacity(RECENT_PACKETS),
            draining: false,
            finished: false,
            deferred_fatal: None,
            consecutive_errors: 0,
        })
    }

    pub fn input(&self) -> &str {
        self.source.input()
    }

    /// The packet number whose timestamp is `pts`, else the last one read.
    pub fn packet_for(&self, pts: Option<i64>) -> u64 {
        pts.and_then(|p| {
            self.recent
                .iter()
                .rev()
                .find(|(t, _)| *t == p)
                .map(|(_, n)| *n)
        })
        .unwrap_or(self.packets_read.saturating_sub(1))
    }

    fn issue(&self, packet: u64, pts: Option<i64>, message: String) -> DecodeIssue {
        DecodeIssue {
            packet,
            time_s: pts.and_then(|p| seconds(p, self.time_base)),
            message,
        }
    }

    fn bump_errors(&mut self) -> Result<()> {
        self.consecutive_errors += 1;
        if self.consecutive_errors > MAX_CONSECUTIVE_ERRORS {
            self.finished = true;
            return Err(Error::Decode {
                input: self.input().to_string(),
                reason: format!("{MAX_CONSECUTIVE_ERRORS} consecutive errors without a frame"),
            });
        }
        Ok(())
    }

    /// One step: a frame, an issue, or the end.
    pub fn next(&mut self) -> Result<Raw> {
        loop {
            if self.finished {
                return match self.deferred_fatal.take() {
                    Some(e) => Err(e),
                    None => Ok(Raw::End),
                };
            }
            match self.decoder.receive_frame(&mut self.frame) {
                Ok(()) => {
                    self.consecutive_errors = 0;
                    return Ok(Raw::Frame);
                }
                Err(FfError::Other { errno: EAGAIN }) => {}
                Err(FfError::Eof) => {
                    self.finished = true;
                    continue;
                }
                Err(e) => {
                    self.bump_errors()?;
                    let packet = self.packets_read.saturating_sub(1);
                    let pts = self
                        .recent
                        .iter()
                        .rev()
                        .find(|(_, n)| *n == packet)
                        .map(|(t, _)| *t);
                    return Ok(Raw::Issue(self.issue(packet, pts, err_text(e))));
                }
            }
            if self.draining {
                // EAGAIN while draining cannot happen with a sane decoder.
                self.finished = true;
                continue;
            }
            if let Some(issue) = self.feed()? {
                return Ok(Raw::Issue(issue));
            }
        }
    }

    /// Sends the next packet of our stream (or EOF) to the decoder.
    fn feed(&mut self) -> Result<Option<DecodeIssue>> {
        if let Some(packet) = self.pending_packet.take() {
            return self.send(packet);
        }
        loop {
            // SAFETY: av_read_frame does not release what the packet held;
            // unref it first so skipped packets do not leak.
            unsafe { ffi::av_packet_unref(self.packet.as_mut_ptr()) };
            match self.packet.read(self.source.ctx_mut()) {
                Ok(()) => {
                    if self.packet.stream() != self.stream {
                        continue;
                    }
                    let packet = std::mem::replace(&mut self.packet, Packet::empty());
                    return self.send(packet);
                }
                Err(FfError::Eof) => {
                    self.start_draining();
                    return Ok(None);
                }
                Err(e) if is_fatal_read_error(e) => {
                    self.deferred_fatal = Some(Error::Read {
                        input: self.input().to_string(),
                        packet: self.packets_read,
                        reason: err_text(e),
                    });
                    self.start_draining();
                    return Ok(None);
                }
                Err(e) => {
                    // Damaged or truncated data: report it; keep reading after
                    // demuxer resyncs, but stop at a latched error.
                    self.bump_errors()?;
                    let issue =
                        self.issue(self.packets_read, None, format!("demuxer: {}", err_text(e)));
                    if e != FfError::InvalidData {
                        self.start_draining();
                    }
                    return Ok(Some(issue));
                }
            }
        }
    }

    fn send(&mut self, packet: Packet) -> Result<Option<DecodeIssue>> {
        let number = self.packets_read;
        self.packets_read += 1;
        let pts = packet.pts().or(packet.dts());
        if let Some(p) = packet.pts() {
            if self.recent.len() == RECENT_PACKETS {
                self.recent.pop_front();
            }
            self.recent.push_back((p, number));
        }
        match self.decoder.send_packet(&packet) {
            Ok(()) => Ok(None),
            Err(FfError::Other { errno: EAGAIN }) => {
                // The decoder wants its output read first; keep the packet.
                self.packets_read -= 1;
                self.pending_packet = Some(packet);
                Ok(None)
            }
            Err(e) => {
                self.bump_errors()?;
                Ok(Some(self.issue(number, pts, err_text(e))))
            }
        }
    }

    fn start_draining(&mut self) {
        self.draining = true;
        // An error here means the decoder is already draining.
        let _ = self.decoder.send_eof();
    }

    /// Seeks to the keyframe at or before `ts` (stream time base) and resets
    /// the decoder. On failure the position is unspecified.
    pub fn seek(&mut self, ts: i64) -> std::result::Result<(), FfError> {
        // SAFETY: the context is open and `stream` is one of its streams;
        // avformat_seek_file only repositions the demuxer.
        let ret = unsafe {
            ffi::avformat_seek_file(
                self.source.ctx_mut().as_mut_ptr(),
                self.stream as i32,
                i64::MIN,
                ts,
                ts,
                0,
            )
        };
        self.decoder.flush();
        self.pending_packet = None;
        self.recent.clear();
        self.draining = false;
        self.finished = false;
        self.deferred_fatal = None;
        self.consecutive_errors = 0;
        if ret < 0 {
            Err(FfError::from(ret))
        } else {
            Ok(())
        }
    }

    /// Takes the decoded frame out, leaving an empty one for the next step.
    pub fn take_frame(&mut self) -> Frame {
        // SAFETY: allocates an empty AVFrame owned by the wrapper.
        std::mem::replace(&mut self.frame, unsafe { Frame::empty() })
    }
}

/// Errors that mean the input itself is failing (I/O, network, abort), as
/// opposed to damaged data.
fn is_fatal_read_error(e: FfError) -> bool {
    match e {
        FfError::Exit
        | FfError::HttpBadRequest
        | FfError::HttpUnauthorized
        | FfError::HttpForbidden
        | FfError::HttpNotFound
        | FfError::HttpOther4xx
        | FfError::HttpServerError => true,
        FfError::Other { errno } => [
            EIO,
            ETIMEDOUT,
            ECONNRESET,
            ECONNREFUSED,
            EPIPE,
            ENETDOWN,
            ENETUNREACH,
            EHOSTUNREACH,
        ]
        .contains(&errno),
        _ => false,
    }
}
