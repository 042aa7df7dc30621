//! [`VideoEncoderConfig`]: everything a libavcodec video encoder is opened
//! with, in reel's own types; codec-private options travel as name/value text.

use crate::write_error::{WriteError, WriteResult};
use reel_core::{ChromaSubsampling, ColorInfo, HdrInfo, PixelLayout, Rational, Resolution};

/// Settings of one video encoder instance.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoEncoderConfig {
    /// FFmpeg encoder name: `libx264`, `libx265`, `libsvtav1`, `libaom-av1`, `libvpx-vp9`...
    pub encoder: String,
    pub resolution: Resolution,
    pub layout: PixelLayout,
    /// Frames per second; the encoder time base is its inverse (one tick per frame).
    pub frame_rate: Rational,
    /// Sample aspect ratio written into the stream (1:1 when unknown).
    pub sar: Rational,
    pub color: ColorInfo,
    /// HDR10 static metadata, tagged on the muxed stream so containers that
    /// have boxes for it (Matroska, MP4 `vp09`) write them. Encoders that
    /// carry it in the bitstream get it through their own options.
    pub hdr: HdrInfo,
    /// Display rotation tagged on the muxed stream (degrees counter-clockwise,
    /// as [`crate::VideoParams::rotation`]); 0 writes no display matrix.
    pub rotation: i32,
    /// Largest distance between key frames, in frames.
    pub gop: u32,
    /// Target / maximum bit rate and VBV buffer, bits per second / bits.
    pub bit_rate: Option<u64>,
    pub max_rate: Option<u64>,
    pub buf_size: Option<u64>,
    /// Encoder threads (0 lets the encoder choose).
    pub threads: usize,
    /// Encoder-private options (`preset`, `crf`, `x264-params`...).
    pub options: Vec<(String, String)>,
}

impl VideoEncoderConfig {
    /// Checks sizes and rates before FFmpeg sees them.
    ///
    /// Errors: [`WriteError::InvalidConfig`] naming the encoder and the rule broken.
    pub fn validate(&self) -> WriteResult<()> {
        let bad = |reason: String| {
            Err(WriteError::InvalidConfig {
                encoder: self.encoder.clone(),
                reason,
            })
        };
        let Resolution { width, height } = self.resolution;
        if width == 0 || height == 0 {
            return bad(format!("size {width}x{height} has a zero side"));
        }
        if self.layout.chroma == ChromaSubsampling::Cs420 && (width % 2 != 0 || height % 2 != 0) {
            return bad(format!("size {width}x{height} must be even for 4:2:0"));
        }
        if self.frame_rate.num <= 0 || self.frame_rate.den <= 0 {
            return bad(format!("frame rate {} is not positive", self.frame_rate));
        }
        if self.bit_rate == Some(0) || self.max_rate == Some(0) || self.buf_size == Some(0) {
            return bad("a bit rate or buffer size of 0".to_string());
        }
        Ok(())
    }
}
