//! [`Scaler`]: resizes and converts planar frames with swscale (bilinear,
//! bicubic or Lanczos), including bit-depth changes such as 8 -> 10 bit.

use crate::convert::{copy_planes, fill_frame};
use crate::error::{Error, Result};
use crate::pixfmt;
use crate::sws::{self, Colorimetry, Geometry, Sws};
use ffmpeg_next::{ffi, Frame};
use reel_core::{PixelLayout, Resolution, VideoFrame};
use std::fmt;

/// The resampling filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScaleAlgorithm {
    Bilinear,
    /// What VMAF's upscaling to the display resolution uses.
    #[default]
    Bicubic,
    Lanczos,
}

impl ScaleAlgorithm {
    fn sws_flag(self) -> i32 {
        match self {
            ScaleAlgorithm::Bilinear => ffi::SWS_BILINEAR,
            ScaleAlgorithm::Bicubic => ffi::SWS_BICUBIC,
            ScaleAlgorithm::Lanczos => ffi::SWS_LANCZOS,
        }
    }
}

/// A reusable scaler between two fixed geometries. Owns an FFmpeg context:
/// keep one per thread.
pub struct Scaler {
    sws: Sws,
    src: (Resolution, PixelLayout),
    dst: (Resolution, PixelLayout),
    src_frame: Frame,
    dst_frame: Frame,
}

impl fmt::Debug for Scaler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scaler")
            .field("src", &self.src)
            .field("dst", &self.dst)
            .finish_non_exhaustive()
    }
}

fn describe(g: (Resolution, PixelLayout)) -> String {
    format!("{} {}", g.0, g.1.ffmpeg_name())
}

impl Scaler {
    /// Prepares a scale from `src` to `dst` (size and planar layout).
    ///
    /// Errors: [`Error::Scale`] when a size is zero or swscale refuses the
    /// formats. Samples keep their range (limited stays limited).
    pub fn new(
        src: (Resolution, PixelLayout),
        dst: (Resolution, PixelLayout),
        algo: ScaleAlgorithm,
    ) -> Result<Scaler> {
        crate::init();
        let error = |reason: &str| Error::Scale {
            from: describe(src),
            to: describe(dst),
            reason: reason.to_string(),
        };
        let geometry = |g: (Resolution, PixelLayout)| {
            pixfmt::from_layout(g.1).map(|format| Geometry {
                format,
                width: g.0.width,
                height: g.0.height,
            })
        };
        let s = geometry(src).ok_or_else(|| error("no FFmpeg format for the source layout"))?;
        let d = geometry(dst).ok_or_else(|| error("no FFmpeg format for the target layout"))?;
        let flags =
            algo.sws_flag() | ffi::SWS_ACCURATE_RND | ffi::SWS_FULL_CHR_H_INT | ffi::SWS_BITEXACT;
        let sws = Sws::new(s, d, flags, Colorimetry::default())
            .ok_or_else(|| error("swscale refused the sizes or formats"))?;
        let src_frame = sws::alloc_frame(s).ok_or_else(|| error("cannot allocate a frame"))?;
        let dst_frame = sws::alloc_frame(d).ok_or_else(|| error("cannot allocate a frame"))?;
        Ok(Scaler {
            sws,
            src,
            dst,
            src_frame,
            dst_frame,
        })
    }

    pub fn src(&self) -> (Resolution, PixelLayout) {
        self.src
    }

    pub fn dst(&self) -> (Resolution, PixelLayout) {
        self.dst
    }

    /// Scales one frame; the result keeps its index, timestamp and flags.
    ///
    /// Errors: [`Error::Scale`] when the frame's size or layout is not the
    /// source geometry this scaler was made for.
    pub fn scale(&mut self, frame: &VideoFrame) -> Result<VideoFrame> {
        let error = |reason: String| Error::Scale {
            from: describe(self.src),
            to: describe(self.dst),
            reason,
        };
        if (frame.resolution, frame.layout) != self.src {
            return Err(error(format!(
                "frame {} is {}",
                frame.index,
                describe((frame.resolution, frame.layout))
            )));
        }
        let sample_bits_ok = matches!(
            (&frame.planes, frame.layout.bit_depth > 8),
            (reel_core::FramePlanes::U8(_), false) | (reel_core::FramePlanes::U16(_), true)
        );
        if !sample_bits_ok
            || frame.planes.len() != frame.layout.plane_count()
            || !planes_cover(frame)
        {
            return Err(error(format!(
                "frame {} planes do not match its layout",
                frame.index
            )));
        }
        if !fill_frame(&mut self.src_frame, &frame.planes) {
            return Err(error(
                "cannot copy the frame into swscale's buffer".to_string(),
            ));
        }
        if !self.sws.run(&self.src_frame, &mut self.dst_frame) {
            return Err(error("swscale failed".to_string()));
        }
        let (res, layout) = self.dst;
        // SAFETY: `dst_frame` was allocated for exactly (res, layout).
        let planes = unsafe { copy_planes(self.dst_frame.as_ptr(), layout, res) }
            .ok_or_else(|| error("cannot read swscale's output".to_string()))?;
        Ok(VideoFrame {
            resolution: res,
            layout,
            planes,
            ..frame.clone_meta()
        })
    }
}

/// Whether each plane has exactly the size the layout says.
fn planes_cover(frame: &VideoFrame) -> bool {
    let sizes =
        (0..frame.layout.plane_count()).map(|i| frame.layout.plane_size(i, frame.resolution));
    match &frame.planes {
        reel_core::FramePlanes::U8(p) => p
            .iter()
            .zip(sizes)
            .all(|(p, (w, h))| p.width() == w && p.height() == h),
        reel_core::FramePlanes::U16(p) => p
            .iter()
            .zip(sizes)
            .all(|(p, (w, h))| p.width() == w && p.height() == h),
    }
}

/// Copying a frame's metadata without its planes.
trait CloneMeta {
    fn clone_meta(&self) -> VideoFrame;
}

impl CloneMeta for VideoFrame {
    fn clone_meta(&self) -> VideoFrame {
        VideoFrame {
            index: self.index,
            timestamp: self.timestamp,
            resolution: self.resolution,
            layout: self.layout,
            interlaced: self.interlaced,
            top_field_first: self.top_field_first,
            key_frame: self.key_frame,
            planes: reel_core::FramePlanes::U8(Vec::new()),
        }
    }
}
