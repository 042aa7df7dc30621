//! [`AudioEncoder`]: interleaved `f32` samples in, AAC-LC (or another
//! planar-float encoder) packets out, cut into the encoder's frame size.

use crate::ffi_util::err_text;
use crate::packet::{av_q, EncodedPacket};
use crate::write_error::{WriteError, WriteResult};
use ffmpeg_next::{ffi, Dictionary};
use reel_core::Rational;
use std::fmt;

/// An open audio encoder. Owns an FFmpeg context: keep it on one thread.
pub struct AudioEncoder {
    pub(crate) inner: ffmpeg_next::encoder::Audio,
    name: String,
    channels: u32,
    sample_rate: u32,
    frame_size: usize,
    pending: Vec<f32>,
    next_pts: i64,
}

impl fmt::Debug for AudioEncoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AudioEncoder")
            .field("encoder", &self.name)
            .field("channels", &self.channels)
            .field("sample_rate", &self.sample_rate)
            .finish_non_exhaustive()
    }
}

impl AudioEncoder {
    /// Opens `encoder` (FFmpeg's native `aac` for AAC-LC) for `channels` at
    /// `sample_rate` Hz and `bit_rate` bits per second.
    ///
    /// Errors: [`WriteError::InvalidConfig`] for zero channels, rate or bit
    /// rate, [`WriteError::EncoderMissing`], [`WriteError::OpenEncoder`].
    pub fn open(
        encoder: &str,
        channels: u32,
        sample_rate: u32,
        bit_rate: u64,
    ) -> WriteResult<AudioEncoder> {
        crate::init();
        if channels == 0 || sample_rate == 0 || bit_rate == 0 {
            return Err(WriteError::InvalidConfig {
                encoder: encoder.to_string(),
                reason: format!(
                    "channels {channels}, sample rate {sample_rate}, bit rate {bit_rate}: none may be 0"
                ),
            });
        }
        let open_err = |reason: String| WriteError::OpenEncoder {
            encoder: encoder.to_string(),
            reason,
        };
        let codec = ffmpeg_next::encoder::find_by_name(encoder).ok_or_else(|| {
            WriteError::EncoderMissing {
                encoder: encoder.to_string(),
            }
        })?;
        let mut ctx = ffmpeg_next::codec::context::Context::new_with_codec(codec);
        ctx.set_flags(ffmpeg_next::codec::Flags::GLOBAL_HEADER);
        let mut audio = ctx.encoder().audio().map_err(|e| open_err(err_text(e)))?;
        // SAFETY: a fresh, unopened codec context; plain fields and a default
        // channel layout are set before avcodec_open2.
        unsafe {
            let c = &mut *audio.as_mut_ptr();
            c.sample_rate = sample_rate as i32;
            c.sample_fmt = ffi::AVSampleFormat::AV_SAMPLE_FMT_FLTP;
            c.time_base = av_q(Rational::new(1, sample_rate as i64));
            c.bit_rate = bit_rate as i64;
            ffi::av_channel_layout_default(&mut c.ch_layout, channels as i32);
        }
        let inner = audio
            .open_with(Dictionary::new())
            .map_err(|e| open_err(err_text(e)))?;
        // SAFETY: the opened context is valid; frame_size is set by open.
        let frame_size = unsafe { (*inner.as_ptr()).frame_size }.max(1) as usize;
        Ok(AudioEncoder {
            inner,
            name: encoder.to_string(),
            channels,
            sample_rate,
            frame_size,
            pending: Vec::new(),
            next_pts: 0,
        })
    }

    /// One tick per sample.
    pub fn time_base(&self) -> Rational {
        Rational::new(1, self.sample_rate as i64)
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    pub fn channels(&self) -> u32 {
        self.channels
    }

    /// Queues interleaved samples and returns the packets completed so far.
    ///
    /// Errors: [`WriteError::Encode`] when the encoder fails.
    pub fn send(&mut self, interleaved: &[f32]) -> WriteResult<Vec<EncodedPacket>> {
        self.pending.extend_from_slice(interleaved);
        let per_frame = self.frame_size * self.channels as usize;
        let mut out = Vec::new();
        while self.pending.len() >= per_frame {
            let chunk: Vec<f32> = self.pending.drain(..per_frame).collect();
            self.encode_frame(&chunk)?;
            out.extend(self.drain()?);
        }
        Ok(out)
    }

    /// Encodes what is left (a short last frame) and flushes the encoder.
    ///
    /// Errors: [`WriteError::Encode`] when the flush fails.
    pub fn finish(&mut self) -> WriteResult<Vec<EncodedPacket>> {
        let mut out = Vec::new();
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.encode_frame(&rest)?;
            out.extend(self.drain()?);
        }
        self.inner
            .send_eof()
            .map_err(|e| self.err("send_eof", err_text(e)))?;
        out.extend(self.drain()?);
        Ok(out)
    }

    fn encode_frame(&mut self, interleaved: &[f32]) -> WriteResult<()> {
        let ch = self.channels as usize;
        let n = interleaved.len() / ch;
        // SAFETY: allocates an empty AVFrame owned by the wrapper.
        let mut frame = unsafe { ffmpeg_next::Frame::empty() };
        // SAFETY: `frame` is fresh; we describe planar float audio, allocate
        // its buffers and write `n` samples per channel plane, within the
        // buffers av_frame_get_buffer made for exactly that many samples.
        let ok = unsafe {
            let f = &mut *frame.as_mut_ptr();
            f.format = ffi::AVSampleFormat::AV_SAMPLE_FMT_FLTP as i32;
            f.nb_samples = n as i32;
            f.sample_rate = self.sample_rate as i32;
            ffi::av_channel_layout_default(&mut f.ch_layout, ch as i32);
            if ffi::av_frame_get_buffer(f, 0) < 0 {
                false
            } else {
                for c in 0..ch {
                    let dst = *f.extended_data.add(c) as *mut f32;
                    for i in 0..n {
                        *dst.add(i) = interleaved[i * ch + c];
                    }
                }
                f.pts = self.next_pts;
                true
            }
        };
        if !ok {
            return Err(self.err("alloc_frame", "out of memory".to_string()));
        }
        self.next_pts += n as i64;
        self.inner
            .send_frame(&frame)
            .map_err(|e| self.err("send_frame", err_text(e)))
    }

    fn drain(&mut self) -> WriteResult<Vec<EncodedPacket>> {
        let tb = self.time_base();
        let mut out = Vec::new();
        loop {
            let mut p = ffmpeg_next::Packet::empty();
            match self.inner.receive_packet(&mut p) {
                Ok(()) => out.push(EncodedPacket::from_ffmpeg(&p, tb)),
                Err(ffmpeg_next::Error::Eof) => break,
                Err(ffmpeg_next::Error::Other { errno }) if errno == ffi::EAGAIN => break,
                Err(e) => return Err(self.err("receive_packet", err_text(e))),
            }
        }
        Ok(out)
    }

    fn err(&self, step: &str, reason: String) -> WriteError {
        WriteError::Encode {
            encoder: self.name.clone(),
            step: step.to_string(),
            reason,
        }
    }
}
