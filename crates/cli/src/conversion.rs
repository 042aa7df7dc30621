//! Scaling and bit-depth conversion of decoded frames before scoring (the
//! `vmaf` command's inputs, the ladder's trial encodes): bicubic, or nothing
//! when the frames already have the wanted size and layout.

use anyhow::{Context, Result};
use reel_core::{PixelLayout, Resolution, VideoFrame};
use reel_media::{ScaleAlgorithm, Scaler};

/// Scaling / bit-depth conversion applied to one input before scoring, if any.
pub struct Conversion(Option<Scaler>);

impl Conversion {
    pub fn new(
        src: Resolution,
        src_layout: PixelLayout,
        dst: Resolution,
        dst_layout: PixelLayout,
    ) -> Result<Self> {
        if src == dst && src_layout == dst_layout {
            return Ok(Conversion(None));
        }
        let scaler = Scaler::new(
            (src, src_layout),
            (dst, dst_layout),
            ScaleAlgorithm::Bicubic,
        )
        .with_context(|| {
            format!(
                "scaling {src} {} to {dst} {}",
                src_layout.ffmpeg_name(),
                dst_layout.ffmpeg_name()
            )
        })?;
        Ok(Conversion(Some(scaler)))
    }

    pub fn is_identity(&self) -> bool {
        self.0.is_none()
    }

    pub fn apply(&mut self, frame: VideoFrame) -> Result<VideoFrame> {
        match &mut self.0 {
            None => Ok(frame),
            Some(s) => Ok(s.scale(&frame)?),
        }
    }
}
