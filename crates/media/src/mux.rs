//! [`Muxer`]: writes encoded or copied streams into a container file (MP4
//! with faststart, fragmented MP4, HLS, DASH...) through libavformat.

use crate::audio_encode::AudioEncoder;
use crate::demux::PacketReader;
use crate::encode::VideoEncoder;
use crate::ffi_util::{err_text, rational};
use crate::packet::{av_q, EncodedPacket};
use crate::stream_side_data as side;
use crate::write_error::{WriteError, WriteResult};
use ffmpeg_next::Dictionary;
use reel_core::Rational;
use std::fmt;

/// An output file being written. Owns an FFmpeg context: keep it on one thread.
pub struct Muxer {
    ctx: ffmpeg_next::format::context::Output,
    path: String,
    header_written: bool,
    /// Stream time bases after the header (the muxer may change them).
    time_bases: Vec<Rational>,
}

impl fmt::Debug for Muxer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Muxer")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Muxer {
    /// Creates `path`; `format` names the muxer (`mp4`, `hls`, `dash`...) or
    /// is guessed from the extension.
    ///
    /// Errors: [`WriteError::Mux`] when the file cannot be created.
    pub fn create(path: &str, format: Option<&str>) -> WriteResult<Muxer> {
        crate::init();
        let ctx = match format {
            Some(f) => ffmpeg_next::format::output_as(&path, f),
            None => ffmpeg_next::format::output(&path),
        }
        .map_err(|e| WriteError::Mux {
            output: path.to_string(),
            step: "create the output".to_string(),
            reason: err_text(e),
        })?;
        Ok(Muxer {
            ctx,
            path: path.to_string(),
            header_written: false,
            time_bases: Vec::new(),
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    fn err(&self, step: &str, reason: String) -> WriteError {
        WriteError::Mux {
            output: self.path.clone(),
            step: step.to_string(),
            reason,
        }
    }

    /// Adds a stream carrying `encoder`'s output; returns its index.
    ///
    /// Errors: [`WriteError::Mux`] when the stream cannot be added.
    pub fn add_video_stream(&mut self, encoder: &VideoEncoder) -> WriteResult<usize> {
        let tb = encoder.time_base();
        let sar = encoder.config().sar;
        let fr = encoder.config().frame_rate;
        let rotation = encoder.config().rotation;
        let hdr = encoder.config().hdr.clone();
        let mut st = self
            .ctx
            .add_stream(ffmpeg_next::encoder::find(ffmpeg_next::codec::Id::None))
            .map_err(|e| WriteError::Mux {
                output: self.path.clone(),
                step: "add a video stream".to_string(),
                reason: err_text(e),
            })?;
        st.set_parameters(&encoder.inner);
        st.set_time_base(ffmpeg_next::Rational::new(tb.num as i32, tb.den as i32));
        st.set_avg_frame_rate(ffmpeg_next::Rational::new(fr.num as i32, fr.den as i32));
        // SAFETY: the stream and its codec parameters are owned by `ctx`.
        unsafe {
            let s = &mut *st.as_mut_ptr();
            if sar.num > 0 && sar.den > 0 {
                s.sample_aspect_ratio = av_q(sar);
                (*s.codecpar).sample_aspect_ratio = av_q(sar);
            }
            (*s.codecpar).codec_tag = 0;
        }
        // SAFETY: the pointer stays valid while `ctx` lives; it is only used
        // below, before the header is written.
        let st_ptr = unsafe { st.as_mut_ptr() };
        if rotation.rem_euclid(360) != 0 {
            // SAFETY: the stream is owned by `ctx` and not yet written.
            unsafe { side::set_rotation(st_ptr, rotation) }
                .map_err(|reason| self.err("tag the display rotation", reason))?;
        }
        // SAFETY: as above.
        unsafe { side::set_hdr10(st_ptr, &hdr) }
            .map_err(|reason| self.err("tag HDR10 metadata", reason))?;
        self.time_bases.push(tb);
        Ok(self.time_bases.len() - 1)
    }

    /// Adds a stream carrying `encoder`'s audio; returns its index.
    ///
    /// Errors: [`WriteError::Mux`] when the stream cannot be added.
    pub fn add_audio_stream(&mut self, encoder: &AudioEncoder) -> WriteResult<usize> {
        let tb = encoder.time_base();
        let mut st = self
            .ctx
            .add_stream(ffmpeg_next::encoder::find(ffmpeg_next::codec::Id::None))
            .map_err(|e| WriteError::Mux {
                output: self.path.clone(),
                step: "add an audio stream".to_string(),
                reason: err_text(e),
            })?;
        st.set_parameters(&encoder.inner);
        st.set_time_base(ffmpeg_next::Rational::new(tb.num as i32, tb.den as i32));
        // SAFETY: the stream's codec parameters are owned by `ctx`.
        unsafe {
            (*(*st.as_mut_ptr()).codecpar).codec_tag = 0;
        }
        self.time_bases.push(tb);
        Ok(self.time_bases.len() - 1)
    }

    /// Adds a stream copied from stream `index` of `reader`; returns its index.
    ///
    /// Errors: [`WriteError::Mux`] when the stream does not exist or cannot be added.
    pub fn add_copy_stream(&mut self, reader: &PacketReader, index: usize) -> WriteResult<usize> {
        let path = self.path.clone();
        let ist = reader.input.stream(index).ok_or_else(|| {
            self.err(
                "add a copied stream",
                format!("{} has no stream {index}", reader.path()),
            )
        })?;
        // SAFETY: the input stream pointer is valid while `reader` lives.
        let (tb, sar, fr) = unsafe {
            let s = &*ist.as_ptr();
            (
                rational(s.time_base),
                s.sample_aspect_ratio,
                s.avg_frame_rate,
            )
        };
        let mut st = self
            .ctx
            .add_stream(ffmpeg_next::encoder::find(ffmpeg_next::codec::Id::None))
            .map_err(|e| WriteError::Mux {
                output: path,
                step: "add a copied stream".to_string(),
                reason: err_text(e),
            })?;
        st.set_parameters(ist.parameters());
        st.set_time_base(ffmpeg_next::Rational::new(tb.num as i32, tb.den as i32));
        // SAFETY: the output stream and its parameters are owned by `ctx`.
        unsafe {
            let s = &mut *st.as_mut_ptr();
            s.sample_aspect_ratio = sar;
            // AV1 and VP9 bitstreams carry no aspect ratio: the container's
            // is the only one, and the muxer rejects two that disagree.
            if sar.num > 0 && sar.den > 0 {
                (*s.codecpar).sample_aspect_ratio = sar;
            }
            s.avg_frame_rate = fr;
            (*s.codecpar).codec_tag = 0;
        }
        // Display matrix, mastering display, content light... travel with the copy.
        // SAFETY: both streams are valid while `reader` and `ctx` live.
        unsafe { side::copy_stream_side_data(ist.as_ptr(), st.as_mut_ptr()) }
            .map_err(|reason| self.err("copy stream side data", reason))?;
        self.time_bases.push(tb);
        Ok(self.time_bases.len() - 1)
    }

    /// Writes the header with muxer options (`movflags`, `hls_time`...).
    ///
    /// Errors: [`WriteError::Mux`] when the muxer rejects the streams or options.
    pub fn write_header(&mut self, options: &[(&str, &str)]) -> WriteResult<()> {
        let mut dict = Dictionary::new();
        for (k, v) in options {
            dict.set(k, v);
        }
        self.ctx
            .write_header_with(dict)
            .map_err(|e| WriteError::Mux {
                output: self.path.clone(),
                step: "write the header".to_string(),
                reason: err_text(e),
            })?;
        self.time_bases = self
            .ctx
            .streams()
            // SAFETY: stream pointers are valid while `ctx` lives.
            .map(|s| rational(unsafe { (*s.as_ptr()).time_base }))
            .collect();
        self.header_written = true;
        Ok(())
    }

    /// Writes one packet into stream `stream` (interleaving by time).
    ///
    /// Errors: [`WriteError::Mux`] when the header is missing, the stream does
    /// not exist, or the write fails (full disk, non-monotonic timestamps).
    pub fn write(&mut self, stream: usize, packet: &EncodedPacket) -> WriteResult<()> {
        if !self.header_written {
            return Err(self.err("write a packet", "header not written".to_string()));
        }
        let tb = *self
            .time_bases
            .get(stream)
            .ok_or_else(|| self.err("write a packet", format!("no stream {stream}")))?;
        let mut p = packet.to_ffmpeg(tb);
        p.set_stream(stream);
        p.write_interleaved(&mut self.ctx)
            .map_err(|e| WriteError::Mux {
                output: self.path.clone(),
                step: format!("write a packet of stream {stream}"),
                reason: err_text(e),
            })
    }

    /// Writes the trailer and closes the file.
    ///
    /// Errors: [`WriteError::Mux`] when the trailer cannot be written.
    pub fn finish(mut self) -> WriteResult<()> {
        self.ctx.write_trailer().map_err(|e| WriteError::Mux {
            output: self.path.clone(),
            step: "write the trailer".to_string(),
            reason: err_text(e),
        })
    }
}
