//! [`VideoDecoder`]: decodes one video stream to owned frames, with exact
//! presentation-order indices and frame-exact starts.

use crate::convert::FrameConverter;
use crate::engine::{Engine, Raw};
use crate::error::{Error, Result};
use crate::ffi_util::rational;
use crate::pixfmt;
use crate::probe::{self, VideoParams};
use crate::seek::{IndexMap, BACKOFF_FRAMES};
use crate::side_data;
use crate::source::{MediaSource, OpenOptions};
use crate::view::FrameView;
use ffmpeg_next::{ffi, Frame};
use reel_core::{PixelLayout, Timestamp, VideoFrame};
use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// What to decode and how to deliver it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecoderOptions {
    /// Stream index to decode; `None` picks the main video stream.
    pub stream: Option<usize>,
    /// First frame to deliver (presentation order, 0 = from the start). The
    /// decoder seeks to the keyframe at or before it and discards up to it,
    /// so the frames are identical to those of a decode from the start.
    /// Indices after a seek come from timestamps and the nominal frame rate
    /// (exact for constant-rate streams); without usable timestamps, or
    /// when the input cannot seek, it decodes from the start and discards.
    /// Issues met before the start frame are not reported.
    pub start_frame: u64,
    /// Stop after this many frames.
    pub max_frames: Option<u64>,
    /// Convert every frame to this planar layout (e.g. force `yuv420p`).
    pub output_layout: Option<PixelLayout>,
    /// Decoder threads; 0 lets FFmpeg choose.
    pub threads: usize,
}

/// A recoverable decoding problem (a corrupt or missing packet, a frame
/// decoded with concealed errors). Decoding continues after it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeIssue {
    /// Number of the packet of the decoded stream (counted from 0) it concerns.
    pub packet: u64,
    /// The packet's timestamp in seconds, when known.
    pub time_s: Option<f64>,
    /// FFmpeg's description.
    pub message: String,
}

/// What a decoder yields: a frame (an owned [`VideoFrame`], or what a
/// [`VideoDecoder::next_with`] callback made of one), or a recoverable problem.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeEvent<F = VideoFrame> {
    Frame(F),
    Error(DecodeIssue),
}

/// An event decoded but not yet delivered: frames stay FFmpeg pictures
/// until the caller says how it wants them (owned copy or borrowed view).
enum Pending {
    Frame {
        frame: Frame,
        index: u64,
        timestamp: Option<Timestamp>,
    },
    Issue(DecodeIssue),
}

/// Decodes one video stream of an input into owned [`VideoFrame`]s.
///
/// Iterating yields `Ok(DecodeEvent)`s; a fatal error is yielded once as
/// `Err` and the iterator then ends. The decoder is flushed at the end of the
/// input, so no frame is lost.
pub struct VideoDecoder {
    engine: Engine,
    params: VideoParams,
    converter: FrameConverter,
    start_frame: u64,
    max_frames: Option<u64>,
    /// Frames queued or delivered so far.
    emitted: u64,
    next_index: u64,
    /// A frame decoded while opening, with its index, not yet handled.
    primed: Option<(Frame, u64)>,
    queue: VecDeque<Pending>,
    /// Packets already reported, so one damage is not reported twice.
    reported: VecDeque<u64>,
    /// A fatal error, yielded once the events before it are out.
    failed: Option<Error>,
    /// Index of the first frame decoded for this start (the keyframe landed on).
    landing: u64,
    done: bool,
}

impl fmt::Debug for VideoDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VideoDecoder")
            .field("input", &self.engine.input())
            .field("stream", &self.params.stream_index)
            .field("next_index", &self.next_index)
            .finish_non_exhaustive()
    }
}

impl VideoDecoder {
    /// Opens `input` and prepares to decode from `opts.start_frame`.
    ///
    /// Errors: those of [`MediaSource::open`], [`Error::NoVideoStream`],
    /// [`Error::WrongStream`] when `opts.stream` is not video,
    /// [`Error::OpenDecoder`], and [`Error::Read`]/[`Error::Decode`] when the
    /// input fails before the first frame.
    pub fn open(input: &str, opts: &DecoderOptions) -> Result<VideoDecoder> {
        Self::open_with_cancel(input, opts, None)
    }

    pub(crate) fn open_with_cancel(
        input: &str,
        opts: &DecoderOptions,
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<VideoDecoder> {
        let source = MediaSource::open_with(
            input,
            &OpenOptions {
                frame_probe: false,
                cancel: cancel.clone(),
            },
        )?;
        let stream = match opts.stream {
            Some(i) => i,
            None => source
                .info()
                .video
                .as_ref()
                .map(|v| v.stream_index)
                .ok_or_else(|| Error::NoVideoStream {
                    input: input.to_string(),
                })?,
        };
        let params = match source.info().video.as_ref() {
            Some(v) if v.stream_index == stream => Some(v.clone()),
            _ => probe::video_params(source.ctx(), stream),
        }
        .ok_or_else(|| Error::WrongStream {
            input: input.to_string(),
            index: stream,
            expected: "video",
            reason: if stream < source.info().streams.len() {
                format!("it is {:?}", source.info().streams[stream].kind).to_lowercase()
            } else {
                format!("the input has {} streams", source.info().streams.len())
            },
        })?;
        let engine = Engine::new(source, stream, opts.threads)?;
        let mut decoder = VideoDecoder {
            engine,
            params,
            converter: FrameConverter::new(input, opts.output_layout),
            start_frame: opts.start_frame,
            max_frames: opts.max_frames,
            emitted: 0,
            next_index: 0,
            primed: None,
            queue: VecDeque::new(),
            reported: VecDeque::new(),
            failed: None,
            landing: 0,
            done: opts.max_frames == Some(0),
        };
        decoder.prime()?;
        if decoder.start_frame > 0 {
            decoder.seek_to_start_frame(opts, cancel)?;
        }
        Ok(decoder)
    }

    /// The parameters of the decoded stream. After opening they also reflect
    /// the first decoded frame (its pixel format and HDR side data).
    pub fn params(&self) -> &VideoParams {
        &self.params
    }

    /// Index of the first frame actually decoded to reach the start frame:
    /// the keyframe the seek landed on (0 when decoding from the start).
    /// Frames from there up to the start frame are decoded and discarded.
    pub fn landing_frame(&self) -> u64 {
        self.landing
    }

    /// The input being decoded.
    pub fn input(&self) -> &str {
        self.engine.input()
    }

    /// The layout frames are delivered in.
    pub fn output_layout(&self) -> PixelLayout {
        let fmt = pixfmt::by_name(&self.params.pix_fmt);
        self.converter
            .output_layout(fmt)
            .unwrap_or_else(|| self.params.output_layout())
    }

    /// Decodes the first frame: it fixes the origin of frame indices and
    /// shows the decoder's real output format and SEI side data.
    fn prime(&mut self) -> Result<()> {
        loop {
            match self.engine.next()? {
                Raw::Frame => break,
                Raw::Issue(issue) => self.push_issue(issue),
                Raw::End => {
                    self.done = true;
                    return Ok(());
                }
            }
        }
        let frame = self.engine.take_frame();
        // SAFETY: `frame` holds a decoded picture; we read plain fields and
        // its side data.
        unsafe {
            let f = &*frame.as_ptr();
            let fmt = pixfmt::from_raw(f.format);
            if let Some(facts) = pixfmt::facts(fmt) {
                self.params.pix_fmt = pixfmt::name(fmt);
                self.params.layout = facts.direct;
                self.params.bit_depth = facts.bit_depth;
            }
            let side = side_data::from_frame(frame.as_ptr());
            probe::apply_side_info(&mut self.params, &side);
        }
        self.primed = Some((frame, 0));
        self.next_index = 1;
        Ok(())
    }

    fn origin_map(&self) -> Option<IndexMap> {
        let (frame, _) = self.primed.as_ref()?;
        let origin = best_effort_pts(frame)?;
        IndexMap::new(origin, self.params.time_base, self.params.frame_rate()?)
    }

    /// Seeks so that the next frame handled is at or before `start_frame`,
    /// with its index known. Falls back to decoding from the start (and
    /// discarding) when the stream has no usable timestamps or cannot seek.
    fn seek_to_start_frame(
        &mut self,
        opts: &DecoderOptions,
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<()> {
        let target = self.start_frame;
        let Some(map) = self.origin_map() else {
            return Ok(()); // counting from the primed first frame
        };
        for backoff in BACKOFF_FRAMES {
            let aim = target.saturating_sub(backoff);
            if aim == 0 {
                break;
            }
            if self.engine.seek(map.pts_of(aim)).is_err() {
                break;
            }
            match self.first_frame_after_seek(&map)? {
                SeekLanding::At(frame, index) if (0..=target as i64).contains(&index) => {
                    // Issues before the start frame are not reported.
                    let index = index as u64;
                    self.primed = Some((frame, index));
                    self.landing = index;
                    self.next_index = index + 1;
                    return Ok(());
                }
                // Landed after the start, past the last decodable frame (no
                // keyframe after the landing point), before frame 0 or
                // without timestamps: aim earlier. A start past the end ends
                // up in `restart`.
                _ => continue,
            }
        }
        // Decode from the very start and discard: always exact.
        self.restart(opts, cancel)
    }

    fn first_frame_after_seek(&mut self, map: &IndexMap) -> Result<SeekLanding> {
        loop {
            match self.engine.next()? {
                Raw::Frame => {
                    let frame = self.engine.take_frame();
                    return Ok(match best_effort_pts(&frame) {
                        Some(pts) => SeekLanding::At(frame, map.index_of(pts)),
                        None => SeekLanding::NoTimestamp,
                    });
                }
                // Before the start frame: not reported.
                Raw::Issue(_) => continue,
                Raw::End => return Ok(SeekLanding::End),
            }
        }
    }

    fn restart(&mut self, opts: &DecoderOptions, cancel: Option<Arc<AtomicBool>>) -> Result<()> {
        let fresh = VideoDecoder::open_with_cancel(
            self.engine.input(),
            &DecoderOptions {
                start_frame: 0,
                max_frames: None,
                ..opts.clone()
            },
            cancel,
        )
        .map_err(|e| Error::Seek {
            input: self.engine.input().to_string(),
            frame: self.start_frame,
            reason: format!("reopening to decode from the start failed: {e}"),
        })?;
        // Its queue only holds issues met before the start frame: dropped.
        let VideoDecoder {
            engine,
            primed,
            next_index,
            done,
            ..
        } = fresh;
        self.landing = 0;
        self.engine = engine;
        self.primed = primed;
        self.queue.clear();
        self.next_index = next_index;
        self.done = done || self.done;
        Ok(())
    }

    fn push_issue(&mut self, issue: DecodeIssue) {
        if self.reported.len() == 64 {
            self.reported.pop_front();
        }
        self.reported.push_back(issue.packet);
        // Before the first frame of a later start, what the decoder meets is
        // the lead-in (often references a seek cut off), not the caller's range.
        if self.start_frame > 0 && self.emitted == 0 {
            return;
        }
        self.queue.push_back(Pending::Issue(issue));
    }

    /// Handles one decoded frame: reports damage, discards frames before the
    /// start, queues the rest.
    fn handle(&mut self, frame: Frame, index: u64) {
        // SAFETY: `frame` holds a decoded picture; we read plain fields.
        let (damaged, pts) = unsafe {
            let f = &*frame.as_ptr();
            (
                f.decode_error_flags != 0 || f.flags & ffi::AV_FRAME_FLAG_CORRUPT != 0,
                best_effort_pts(&frame),
            )
        };
        if damaged {
            let packet = self.engine.packet_for(pts);
            if !self.reported.contains(&packet) {
                let tb = self.engine.time_base;
                self.push_issue(DecodeIssue {
                    packet,
                    time_s: pts.map(|p| p as f64 * rational(tb).as_f64()),
                    message: format!("frame {index} decoded with errors (concealed)"),
                });
            }
        }
        if index < self.start_frame {
            return;
        }
        let timestamp = pts.map(|p| Timestamp::new(p, self.params.time_base));
        self.queue.push_back(Pending::Frame {
            frame,
            index,
            timestamp,
        });
        self.emitted += 1;
        if self.max_frames.is_some_and(|m| self.emitted >= m) {
            self.done = true;
        }
    }

    fn step(&mut self) -> Result<()> {
        if let Some((frame, index)) = self.primed.take() {
            self.handle(frame, index);
            return Ok(());
        }
        match self.engine.next()? {
            Raw::Frame => {
                let index = self.next_index;
                self.next_index += 1;
                let frame = self.engine.take_frame();
                self.handle(frame, index);
                Ok(())
            }
            Raw::Issue(issue) => {
                self.push_issue(issue);
                Ok(())
            }
            Raw::End => {
                self.done = true;
                Ok(())
            }
        }
    }
}

enum SeekLanding {
    At(Frame, i64),
    NoTimestamp,
    End,
}

fn best_effort_pts(frame: &Frame) -> Option<i64> {
    // SAFETY: reading plain timestamp fields of a valid frame.
    let f = unsafe { &*frame.as_ptr() };
    [f.best_effort_timestamp, f.pts]
        .into_iter()
        .find(|&t| t != ffi::AV_NOPTS_VALUE)
}

impl VideoDecoder {
    /// Like [`Iterator::next`], but a frame is lent to `visit` as a
    /// [`FrameView`] of the decoder's own buffers instead of being copied
    /// out; the event carries what `visit` returns. A caller that needs part
    /// of each picture (luma, a downscaled copy) saves the copy of the rest.
    pub fn next_with<T>(
        &mut self,
        visit: impl FnOnce(FrameView<'_>) -> T,
    ) -> Option<Result<DecodeEvent<T>>> {
        self.deliver(|converter, frame, index, timestamp| {
            converter.view(frame, index, timestamp).map(visit)
        })
    }

    /// The next pending event, a frame turned into `T` by `make`. A failure
    /// of `make` is fatal, like any error met while decoding.
    fn deliver<T>(
        &mut self,
        make: impl FnOnce(&mut FrameConverter, &Frame, u64, Option<Timestamp>) -> Result<T>,
    ) -> Option<Result<DecodeEvent<T>>> {
        let pending = self.next_pending()?;
        Some(match pending {
            Ok(Pending::Issue(issue)) => Ok(DecodeEvent::Error(issue)),
            Ok(Pending::Frame {
                frame,
                index,
                timestamp,
            }) => match make(&mut self.converter, &frame, index, timestamp) {
                Ok(out) => Ok(DecodeEvent::Frame(out)),
                Err(e) => {
                    // Nothing is queued after a frame: stop here.
                    self.done = true;
                    self.queue.clear();
                    Err(e)
                }
            },
            Err(e) => Err(e),
        })
    }

    fn next_pending(&mut self) -> Option<Result<Pending>> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(Ok(event));
            }
            if let Some(e) = self.failed.take() {
                return Some(Err(e));
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.step() {
                self.done = true;
                self.failed = Some(e);
            }
        }
    }
}

impl Iterator for VideoDecoder {
    type Item = Result<DecodeEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        self.deliver(|converter, frame, index, timestamp| {
            converter.convert(frame, index, timestamp)
        })
    }
}
