//! [`AudioDecoder`]: decodes one audio stream to interleaved `f32` samples
//! (swresample converts from whatever the decoder produces).

use crate::decode::DecodeIssue;
use crate::engine::{Engine, Raw};
use crate::error::{Error, Result};
use crate::ffi_util::{err_text, rational};
use crate::probe;
use crate::source::{MediaSource, OpenOptions};
use ffmpeg_next::ffi;
use reel_core::Timestamp;
use std::fmt;

/// Decoded audio: interleaved samples (`channels` per instant).
#[derive(Debug, Clone, PartialEq)]
pub struct AudioFrame {
    pub samples: Vec<f32>,
    pub channels: u32,
    pub sample_rate: u32,
    /// Presentation timestamp in the stream's time base.
    pub pts: Option<Timestamp>,
}

impl AudioFrame {
    /// Samples per channel.
    pub fn len(&self) -> usize {
        self.samples.len() / self.channels.max(1) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

/// Decodes one audio stream. Corrupt packets are skipped and recorded in
/// [`AudioDecoder::issues`]; a fatal error is yielded once as `Err`.
pub struct AudioDecoder {
    engine: Engine,
    resampler: Option<Resampler>,
    sample_rate: u32,
    channels: u32,
    issues: Vec<DecodeIssue>,
    done: bool,
}

impl fmt::Debug for AudioDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudioDecoder")
            .field("input", &self.engine.input())
            .field("stream", &self.engine.stream)
            .finish_non_exhaustive()
    }
}

impl AudioDecoder {
    /// Opens `input` and its audio stream `stream` (default: the default or
    /// first audio stream).
    ///
    /// Errors: those of [`MediaSource::open`], [`Error::NoAudioStream`],
    /// [`Error::WrongStream`], [`Error::OpenDecoder`].
    pub fn open(input: &str, stream: Option<usize>) -> Result<AudioDecoder> {
        let source = MediaSource::open_with(input, &OpenOptions::default())?;
        let audio = ffi::AVMediaType::AVMEDIA_TYPE_AUDIO;
        let index = match stream {
            Some(i) => {
                let ok = probe::stream_ptr(source.ctx(), i).is_some_and(|st| {
                    // SAFETY: `st` is a valid stream of the open context.
                    unsafe { (*(*st).codecpar).codec_type == audio }
                });
                if !ok {
                    return Err(Error::WrongStream {
                        input: input.to_string(),
                        index: i,
                        expected: "audio",
                        reason: match source.info().streams.get(i) {
                            Some(s) => format!("it is {:?}", s.kind).to_lowercase(),
                            None => {
                                format!("the input has {} streams", source.info().streams.len())
                            }
                        },
                    });
                }
                i
            }
            None => {
                probe::first_stream_of(source.ctx(), audio).ok_or_else(|| Error::NoAudioStream {
                    input: input.to_string(),
                })?
            }
        };
        let info = source
            .info()
            .streams
            .get(index)
            .and_then(|s| s.audio.clone());
        let engine = Engine::new(source, index, 1)?;
        Ok(AudioDecoder {
            engine,
            resampler: None,
            sample_rate: info.as_ref().map_or(0, |a| a.sample_rate),
            channels: info.as_ref().map_or(0, |a| a.channels),
            issues: Vec::new(),
            done: false,
        })
    }

    pub fn stream_index(&self) -> usize {
        self.engine.stream
    }

    /// Declared sample rate (frames report their own).
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Declared channel count (frames report their own).
    pub fn channels(&self) -> u32 {
        self.channels
    }

    /// Recoverable problems met so far (corrupt packets skipped).
    pub fn issues(&self) -> &[DecodeIssue] {
        &self.issues
    }

    fn convert(&mut self) -> Result<AudioFrame> {
        let input = self.engine.input().to_string();
        // SAFETY: only the pointer is taken; it stays valid while the engine
        // is not stepped, which does not happen in this function.
        let frame = unsafe { self.engine.frame.as_ptr() };
        // SAFETY: the engine's frame holds decoded audio; plain field reads.
        let (rate, channels, pts) = unsafe {
            let f = &*frame;
            (
                f.sample_rate,
                f.ch_layout.nb_channels,
                [f.best_effort_timestamp, f.pts]
                    .into_iter()
                    .find(|&t| t != ffi::AV_NOPTS_VALUE),
            )
        };
        let fail = |reason: String| Error::Resample {
            input: input.clone(),
            reason,
        };
        if rate <= 0 || channels <= 0 {
            return Err(fail("frame without sample rate or channels".to_string()));
        }
        // SAFETY: `frame` is valid; the resampler checks it matches.
        let reusable = self
            .resampler
            .as_ref()
            .is_some_and(|r| unsafe { r.matches(frame) });
        if !reusable {
            // SAFETY: `frame` is a valid decoded audio frame.
            self.resampler = Some(unsafe { Resampler::new(frame) }.map_err(fail)?);
        }
        let resampler = self
            .resampler
            .as_mut()
            .ok_or_else(|| fail("no resampler".to_string()))?;
        // SAFETY: `frame` is the valid frame the resampler was made for.
        let samples = unsafe { resampler.run(frame) }.map_err(fail)?;
        Ok(AudioFrame {
            samples,
            channels: channels as u32,
            sample_rate: rate as u32,
            pts: pts.map(|p| Timestamp::new(p, rational(self.engine.time_base))),
        })
    }
}

impl Iterator for AudioDecoder {
    type Item = Result<AudioFrame>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.engine.next() {
                Ok(Raw::Frame) => {
                    let frame = self.convert();
                    if frame.is_err() {
                        self.done = true;
                    }
                    match frame {
                        Ok(f) if f.is_empty() => continue,
                        other => return Some(other),
                    }
                }
                Ok(Raw::Issue(issue)) => self.issues.push(issue),
                Ok(Raw::End) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

/// An owned swresample context converting one input format to packed f32
/// at the same rate and channel layout.
struct Resampler {
    ptr: *mut ffi::SwrContext,
    format: i32,
    rate: i32,
    layout: ffi::AVChannelLayout,
}

impl Resampler {
    /// # Safety
    /// `frame` must be a valid decoded audio frame.
    unsafe fn new(frame: *const ffi::AVFrame) -> std::result::Result<Resampler, String> {
        // SAFETY: per the contract the frame is valid; the layout is copied
        // (av_channel_layout_copy) so the resampler does not borrow it; every
        // failure path frees what was allocated.
        unsafe {
            let f = &*frame;
            let mut layout: ffi::AVChannelLayout = std::mem::zeroed();
            let ret = ffi::av_channel_layout_copy(&mut layout, &f.ch_layout);
            if ret < 0 {
                return Err(err_text(ffmpeg_next::Error::from(ret)));
            }
            let in_format = crate::probe::sample_format(f.format)
                .ok_or_else(|| "unknown sample format".to_string());
            let in_format = match in_format {
                Ok(fmt) => fmt,
                Err(e) => {
                    ffi::av_channel_layout_uninit(&mut layout);
                    return Err(e);
                }
            };
            let mut ptr: *mut ffi::SwrContext = std::ptr::null_mut();
            let mut ret = ffi::swr_alloc_set_opts2(
                &mut ptr,
                &mut layout,
                ffi::AVSampleFormat::AV_SAMPLE_FMT_FLT,
                f.sample_rate,
                &mut layout,
                in_format,
                f.sample_rate,
                0,
                std::ptr::null_mut(),
            );
            if ret >= 0 {
                ret = ffi::swr_init(ptr);
            }
            if ret < 0 {
                ffi::swr_free(&mut ptr);
                ffi::av_channel_layout_uninit(&mut layout);
                return Err(err_text(ffmpeg_next::Error::from(ret)));
            }
            Ok(Resampler {
                ptr,
                format: f.format,
                rate: f.sample_rate,
                layout,
            })
        }
    }

    /// # Safety
    /// `frame` must be a valid decoded audio frame.
    unsafe fn matches(&self, frame: *const ffi::AVFrame) -> bool {
        // SAFETY: valid frame per the contract; compares two valid layouts.
        unsafe {
            let f = &*frame;
            f.format == self.format
                && f.sample_rate == self.rate
                && ffi::av_channel_layout_compare(&f.ch_layout, &self.layout) == 0
        }
    }

    /// # Safety
    /// `frame` must be a valid decoded audio frame matching this resampler.
    unsafe fn run(&mut self, frame: *const ffi::AVFrame) -> std::result::Result<Vec<f32>, String> {
        // SAFETY: the frame is valid and matches the context's input format;
        // the output buffer holds `capacity` samples per channel of packed
        // f32, and swr_convert writes at most that many.
        unsafe {
            let f = &*frame;
            let channels = self.layout.nb_channels.max(1) as usize;
            let capacity = ffi::swr_get_out_samples(self.ptr, f.nb_samples);
            if capacity < 0 {
                return Err(err_text(ffmpeg_next::Error::from(capacity)));
            }
            let mut out = vec![0f32; capacity as usize * channels];
            let mut out_ptr = out.as_mut_ptr().cast::<u8>();
            let n = ffi::swr_convert(
                self.ptr,
                &mut out_ptr,
                capacity,
                f.extended_data as *mut *const u8,
                f.nb_samples,
            );
            if n < 0 {
                return Err(err_text(ffmpeg_next::Error::from(n)));
            }
            out.truncate(n as usize * channels);
            Ok(out)
        }
    }
}

impl Drop for Resampler {
    fn drop(&mut self) {
        // SAFETY: both were allocated in `new` and are freed exactly once.
        unsafe {
            ffi::swr_free(&mut self.ptr);
            ffi::av_channel_layout_uninit(&mut self.layout);
        }
    }
}
