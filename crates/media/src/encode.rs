//! [`VideoEncoder`]: owned planar frames in, compressed packets out, through
//! any libavcodec video encoder (libx264, libx265, libsvtav1, libaom-av1,
//! libvpx-vp9, the NVENC encoders...). Key frames can be forced per frame.

use crate::convert::fill_frame;
use crate::encoder_config::VideoEncoderConfig;
use crate::ffi_util::err_text;
use crate::packet::{av_q, EncodedPacket};
use crate::pixfmt;
use crate::sws::{self, Geometry};
use crate::write_error::{WriteError, WriteResult};
use ffmpeg_next::{ffi, Dictionary};
use reel_core::{ColorRange, PixelLayout, Rational, Resolution, VideoFrame};
use std::ffi::CString;
use std::fmt;

/// An open video encoder. Owns an FFmpeg context: keep it on one thread.
pub struct VideoEncoder {
    pub(crate) inner: ffmpeg_next::encoder::Video,
    config: VideoEncoderConfig,
    geometry: Geometry,
    time_base: Rational,
}

impl fmt::Debug for VideoEncoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VideoEncoder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Whether this FFmpeg build has an encoder of that name.
pub fn encoder_available(name: &str) -> bool {
    crate::init();
    ffmpeg_next::encoder::find_by_name(name).is_some()
}

/// Opens `name` on a small 8-bit 4:2:0 picture and closes it: whether the
/// encoder works on this machine, not only whether FFmpeg was built with it
/// (NVENC is built into Debian's FFmpeg and needs a GPU and its driver).
///
/// Errors: as [`VideoEncoder::open`].
pub fn probe_encoder(name: &str) -> WriteResult<()> {
    let config = VideoEncoderConfig {
        encoder: name.to_string(),
        resolution: Resolution::new(256, 144),
        layout: PixelLayout::YUV420P,
        frame_rate: Rational::new(25, 1),
        sar: Rational::new(1, 1),
        color: Default::default(),
        hdr: Default::default(),
        rotation: 0,
        gop: 25,
        bit_rate: None,
        max_rate: None,
        buf_size: None,
        threads: 1,
        options: Vec::new(),
    };
    VideoEncoder::open(&config).map(drop)
}

impl VideoEncoder {
    /// Opens the encoder `config.encoder` with global headers (as MP4 needs).
    ///
    /// Errors: [`WriteError::InvalidConfig`] for a bad size or rate,
    /// [`WriteError::EncoderMissing`] when FFmpeg lacks the encoder,
    /// [`WriteError::OpenEncoder`] when it refuses the settings.
    pub fn open(config: &VideoEncoderConfig) -> WriteResult<VideoEncoder> {
        crate::init();
        config.validate()?;
        let name = config.encoder.clone();
        let open_err = |reason: String| WriteError::OpenEncoder {
            encoder: name.clone(),
            reason,
        };
        let codec = ffmpeg_next::encoder::find_by_name(&config.encoder).ok_or_else(|| {
            WriteError::EncoderMissing {
                encoder: config.encoder.clone(),
            }
        })?;
        let format = pixfmt::from_layout(config.layout).ok_or_else(|| {
            open_err(format!(
                "no FFmpeg format for {}",
                config.layout.ffmpeg_name()
            ))
        })?;
        let time_base = config.frame_rate.invert();
        let mut ctx = ffmpeg_next::codec::context::Context::new_with_codec(codec);
        ctx.set_flags(ffmpeg_next::codec::Flags::GLOBAL_HEADER);
        let mut video = ctx.encoder().video().map_err(|e| open_err(err_text(e)))?;
        // SAFETY: `video` owns a freshly allocated, not yet opened codec
        // context; we set plain fields before avcodec_open2 reads them.
        unsafe {
            let c = &mut *video.as_mut_ptr();
            c.width = config.resolution.width as i32;
            c.height = config.resolution.height as i32;
            c.pix_fmt = format;
            c.time_base = av_q(time_base);
            c.framerate = av_q(config.frame_rate);
            c.sample_aspect_ratio = av_q(sar_or_square(config.sar));
            c.gop_size = config.gop.max(1) as i32;
            c.keyint_min = 1;
            c.thread_count = config.threads as i32;
            if let Some(b) = config.bit_rate {
                c.bit_rate = b as i64;
            }
            if let Some(b) = config.max_rate {
                c.rc_max_rate = b as i64;
            }
            if let Some(b) = config.buf_size {
                c.rc_buffer_size = b as i32;
            }
            set_color(c, &config.color);
        }
        let mut dict = Dictionary::new();
        for (k, v) in &config.options {
            dict.set(k, v);
        }
        let inner = video.open_with(dict).map_err(|e| open_err(err_text(e)))?;
        Ok(VideoEncoder {
            inner,
            config: config.clone(),
            geometry: Geometry {
                format,
                width: config.resolution.width,
                height: config.resolution.height,
            },
            time_base,
        })
    }

    pub fn config(&self) -> &VideoEncoderConfig {
        &self.config
    }

    /// One tick per frame: the inverse of the frame rate.
    pub fn time_base(&self) -> Rational {
        self.time_base
    }

    /// Encodes `frame` at presentation time `pts` (in frames); `force_key`
    /// asks for an IDR / key frame there. Returns the packets that came out.
    ///
    /// Errors: [`WriteError::Encode`] when the frame does not match the
    /// configured size or the encoder fails.
    pub fn send(
        &mut self,
        frame: &VideoFrame,
        pts: i64,
        force_key: bool,
    ) -> WriteResult<Vec<EncodedPacket>> {
        if (frame.resolution, frame.layout) != (self.config.resolution, self.config.layout) {
            return Err(self.encode_err(
                "send_frame",
                format!(
                    "frame {} is {} {}, encoder wants {} {}",
                    frame.index,
                    frame.resolution,
                    frame.layout.ffmpeg_name(),
                    self.config.resolution,
                    self.config.layout.ffmpeg_name()
                ),
            ));
        }
        // A new buffer per frame: the encoder may keep a reference to it.
        let mut av = sws::alloc_frame(self.geometry)
            .ok_or_else(|| self.encode_err("alloc_frame", "out of memory".to_string()))?;
        if !fill_frame(&mut av, &frame.planes) {
            return Err(self.encode_err(
                "fill_frame",
                format!("frame {} planes do not fit", frame.index),
            ));
        }
        // SAFETY: `av` is a valid frame we own; plain fields are set.
        unsafe {
            let f = &mut *av.as_mut_ptr();
            f.pts = pts;
            f.pict_type = if force_key {
                ffi::AVPictureType::AV_PICTURE_TYPE_I
            } else {
                ffi::AVPictureType::AV_PICTURE_TYPE_NONE
            };
            f.key_frame = i32::from(force_key);
            f.sample_aspect_ratio = av_q(sar_or_square(self.config.sar));
        }
        self.inner
            .send_frame(&av)
            .map_err(|e| self.encode_err("send_frame", err_text(e)))?;
        self.drain()
    }

    /// Flushes the encoder and returns its last packets.
    ///
    /// Errors: [`WriteError::Encode`] when the flush fails.
    pub fn finish(&mut self) -> WriteResult<Vec<EncodedPacket>> {
        self.inner
            .send_eof()
            .map_err(|e| self.encode_err("send_eof", err_text(e)))?;
        self.drain()
    }

    fn drain(&mut self) -> WriteResult<Vec<EncodedPacket>> {
        let mut out = Vec::new();
        loop {
            let mut p = ffmpeg_next::Packet::empty();
            match self.inner.receive_packet(&mut p) {
                Ok(()) => out.push(EncodedPacket::from_ffmpeg(&p, self.time_base)),
                Err(ffmpeg_next::Error::Eof) => break,
                Err(ffmpeg_next::Error::Other { errno }) if errno == ffi::EAGAIN => break,
                Err(e) => return Err(self.encode_err("receive_packet", err_text(e))),
            }
        }
        Ok(out)
    }

    fn encode_err(&self, step: &str, reason: String) -> WriteError {
        WriteError::Encode {
            encoder: self.config.encoder.clone(),
            step: step.to_string(),
            reason,
        }
    }
}

fn sar_or_square(sar: Rational) -> Rational {
    if sar.num > 0 && sar.den > 0 {
        sar
    } else {
        Rational::new(1, 1)
    }
}

/// Sets colour primaries / transfer / matrix / range / chroma location by name.
///
/// # Safety
/// `c` must be a codec context that is not yet opened.
unsafe fn set_color(c: &mut ffi::AVCodecContext, color: &reel_core::ColorInfo) {
    let cstr = |s: &Option<String>| s.as_deref().and_then(|s| CString::new(s).ok());
    if let Some(n) = cstr(&color.primaries) {
        let v = ffi::av_color_primaries_from_name(n.as_ptr());
        if v >= 0 {
            c.color_primaries = std::mem::transmute::<i32, ffi::AVColorPrimaries>(v);
        }
    }
    if let Some(n) = cstr(&color.transfer) {
        let v = ffi::av_color_transfer_from_name(n.as_ptr());
        if v >= 0 {
            c.color_trc = std::mem::transmute::<i32, ffi::AVColorTransferCharacteristic>(v);
        }
    }
    if let Some(n) = cstr(&color.matrix) {
        let v = ffi::av_color_space_from_name(n.as_ptr());
        if v >= 0 {
            c.colorspace = std::mem::transmute::<i32, ffi::AVColorSpace>(v);
        }
    }
    if let Some(n) = cstr(&color.chroma_location) {
        let v = ffi::av_chroma_location_from_name(n.as_ptr());
        if v >= 0 {
            c.chroma_sample_location = std::mem::transmute::<i32, ffi::AVChromaLocation>(v);
        }
    }
    c.color_range = match color.range {
        ColorRange::Unspecified => ffi::AVColorRange::AVCOL_RANGE_UNSPECIFIED,
        ColorRange::Limited => ffi::AVColorRange::AVCOL_RANGE_MPEG,
        ColorRange::Full => ffi::AVColorRange::AVCOL_RANGE_JPEG,
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Muxer, PacketReader};
    use reel_core::{FrameIndex, FramePlanes, PixelLayout, Plane, Resolution};

    fn gray(index: u64, res: Resolution) -> VideoFrame {
        let layout = PixelLayout::YUV420P;
        let planes = (0..3)
            .map(|i| {
                let (w, h) = layout.plane_size(i, res);
                let mut p = Plane::<u8>::new(w, h);
                for y in 0..h {
                    for (x, v) in p.row_mut(y).iter_mut().enumerate() {
                        *v = ((x + y + index as usize * 3) % 200) as u8 + 16;
                    }
                }
                p
            })
            .collect();
        VideoFrame {
            index: FrameIndex(index),
            timestamp: None,
            resolution: res,
            layout,
            interlaced: false,
            top_field_first: false,
            key_frame: false,
            planes: FramePlanes::U8(planes),
        }
    }

    #[test]
    fn forced_key_frames_survive_encode_mux_and_read_back() {
        if !encoder_available("libx264") {
            println!("skipping: libx264 not in this FFmpeg build");
            return;
        }
        let res = Resolution::new(64, 48);
        let cfg = VideoEncoderConfig {
            encoder: "libx264".to_string(),
            resolution: res,
            layout: PixelLayout::YUV420P,
            frame_rate: Rational::new(25, 1),
            sar: Rational::new(1, 1),
            color: Default::default(),
            hdr: Default::default(),
            rotation: 0,
            gop: 100,
            bit_rate: None,
            max_rate: None,
            buf_size: None,
            threads: 1,
            options: vec![
                ("preset".to_string(), "ultrafast".to_string()),
                ("forced-idr".to_string(), "1".to_string()),
                ("x264-params".to_string(), "scenecut=0".to_string()),
            ],
        };
        let mut enc = VideoEncoder::open(&cfg).unwrap();
        let path = std::env::temp_dir().join(format!("reel-media-enc-{}.mp4", std::process::id()));
        let path_s = path.to_string_lossy().into_owned();
        let mut mux = Muxer::create(&path_s, Some("mp4")).unwrap();
        let s = mux.add_video_stream(&enc).unwrap();
        mux.write_header(&[]).unwrap();
        for i in 0..12u64 {
            for p in enc.send(&gray(i, res), i as i64, i % 6 == 0).unwrap() {
                mux.write(s, &p).unwrap();
            }
        }
        for p in enc.finish().unwrap() {
            mux.write(s, &p).unwrap();
        }
        mux.finish().unwrap();
        let mut reader = PacketReader::open(&path_s).unwrap();
        let mut keys = Vec::new();
        let mut n = 0;
        while let Some((_, p)) = reader.next_packet().unwrap() {
            if p.key {
                keys.push((p.pts_seconds().unwrap() * 25.0).round() as i64);
            }
            n += 1;
        }
        let _ = std::fs::remove_file(&path);
        assert_eq!(n, 12);
        keys.sort_unstable();
        assert_eq!(keys, vec![0, 6]);
    }

    #[test]
    fn odd_sizes_and_zero_rates_are_refused_before_ffmpeg() {
        let mut cfg = VideoEncoderConfig {
            encoder: "libx264".to_string(),
            resolution: Resolution::new(63, 48),
            layout: PixelLayout::YUV420P,
            frame_rate: Rational::new(25, 1),
            sar: Rational::new(1, 1),
            color: Default::default(),
            hdr: Default::default(),
            rotation: 0,
            gop: 50,
            bit_rate: None,
            max_rate: None,
            buf_size: None,
            threads: 1,
            options: vec![],
        };
        assert!(cfg.validate().unwrap_err().to_string().contains("even"));
        cfg.resolution = Resolution::new(64, 48);
        cfg.bit_rate = Some(0);
        assert!(cfg.validate().unwrap_err().to_string().contains("0"));
        cfg.bit_rate = None;
        cfg.encoder = "no-such-encoder".to_string();
        assert!(matches!(
            VideoEncoder::open(&cfg),
            Err(WriteError::EncoderMissing { .. })
        ));
    }
}
