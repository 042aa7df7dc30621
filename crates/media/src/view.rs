//! [`FrameView`]: a decoded picture lent to a callback, its planes borrowed
//! from the decoder's buffers, so a caller that needs part of a picture
//! (luma, a downscaled copy) reads it in place instead of copying it all.

use ffmpeg_next::ffi;
use reel_core::{
    FrameIndex, FramePlanes, PixelLayout, PlaneRef, Resolution, Timestamp, VideoFrame,
};

/// What a [`FrameView`] tells about its picture besides the samples.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameMeta {
    pub index: FrameIndex,
    pub timestamp: Option<Timestamp>,
    pub resolution: Resolution,
    pub layout: PixelLayout,
    pub interlaced: bool,
    pub top_field_first: bool,
    pub key_frame: bool,
}

/// A decoded picture borrowed for the duration of a callback (see
/// [`crate::VideoDecoder::next_with`]): the same facts as a
/// [`reel_core::VideoFrame`], with planes read in place.
pub struct FrameView<'a> {
    /// Presentation-order index from the start of the stream.
    pub index: FrameIndex,
    /// Presentation timestamp in the stream's time base, when known.
    pub timestamp: Option<Timestamp>,
    pub resolution: Resolution,
    /// The planar layout of the planes (as [`crate::VideoDecoder::output_layout`]).
    pub layout: PixelLayout,
    /// Whether the decoder flagged the picture as interlaced, and top field first.
    pub interlaced: bool,
    pub top_field_first: bool,
    /// Whether the decoder marked it a key frame.
    pub key_frame: bool,
    picture: &'a ffi::AVFrame,
}

impl std::fmt::Debug for FrameView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameView")
            .field("index", &self.index)
            .field("resolution", &self.resolution)
            .field("layout", &self.layout)
            .finish_non_exhaustive()
    }
}

impl<'a> FrameView<'a> {
    /// `None` when a plane of `meta.layout` is missing or its line size is
    /// too short for the picture (so every plane accessor can then succeed).
    ///
    /// # Safety
    /// `picture` must be in the planar format of `meta.layout` with buffers
    /// allocated for `meta.resolution`, unchanged while `'a` lasts.
    pub(crate) unsafe fn new(picture: &'a ffi::AVFrame, meta: FrameMeta) -> Option<Self> {
        let view = FrameView {
            index: meta.index,
            timestamp: meta.timestamp,
            resolution: meta.resolution,
            layout: meta.layout,
            interlaced: meta.interlaced,
            top_field_first: meta.top_field_first,
            key_frame: meta.key_frame,
            picture,
        };
        let ok = (0..meta.layout.plane_count()).all(|i| view.raw_plane(i).is_some());
        ok.then_some(view)
    }

    /// The underlying picture (for copying it out in this crate).
    pub(crate) fn raw(&self) -> *const ffi::AVFrame {
        self.picture
    }

    /// Plane `i` as bytes: (pointer, width and height in samples, line size
    /// in bytes), checked against the layout.
    fn raw_plane(&self, i: usize) -> Option<(*const u8, usize, usize, usize)> {
        if i >= self.layout.plane_count() {
            return None;
        }
        let bytes_per_sample = if self.layout.bit_depth > 8 { 2 } else { 1 };
        let (w, h) = self.layout.plane_size(i, self.resolution);
        let data = self.picture.data[i];
        let linesize = usize::try_from(self.picture.linesize[i]).ok()?;
        (!data.is_null() && linesize >= w * bytes_per_sample).then_some((data, w, h, linesize))
    }

    /// An owned copy of the first `planes` planes (all of them with
    /// `usize::MAX`): a consumer that reads only luma keeps a third of the
    /// memory of a 4:2:0 frame. `None` when a plane cannot be read.
    pub fn to_frame(&self, planes: usize) -> Option<VideoFrame> {
        let n = planes.min(self.layout.plane_count());
        let planes = if self.layout.bit_depth > 8 {
            let p: Option<Vec<_>> = (0..n)
                .map(|i| self.plane_u16(i).map(|p| p.to_plane()))
                .collect();
            FramePlanes::U16(p?)
        } else {
            let p: Option<Vec<_>> = (0..n)
                .map(|i| self.plane_u8(i).map(|p| p.to_plane()))
                .collect();
            FramePlanes::U8(p?)
        };
        Some(VideoFrame {
            index: self.index,
            timestamp: self.timestamp,
            resolution: self.resolution,
            layout: self.layout,
            interlaced: self.interlaced,
            top_field_first: self.top_field_first,
            key_frame: self.key_frame,
            planes,
        })
    }

    /// Plane `i` (0 = luma) of an 8-bit picture; `None` for deeper ones.
    pub fn plane_u8(&self, i: usize) -> Option<PlaneRef<'a, u8>> {
        if self.layout.bit_depth > 8 {
            return None;
        }
        let (data, w, h, linesize) = self.raw_plane(i)?;
        let len = if h == 0 { 0 } else { linesize * (h - 1) + w };
        // SAFETY: per `new`'s contract the plane has `h` rows of `linesize`
        // bytes, unchanged while `'a` lasts; `len` stays within them.
        let bytes = unsafe { std::slice::from_raw_parts(data, len) };
        PlaneRef::new(bytes, w, h, linesize)
    }

    /// Plane `i` (0 = luma) of a picture deeper than 8 bits, samples in
    /// the low bits; `None` for 8-bit ones. The samples are little-endian
    /// in memory, so this view exists on little-endian targets only.
    pub fn plane_u16(&self, i: usize) -> Option<PlaneRef<'a, u16>> {
        if self.layout.bit_depth <= 8 || cfg!(target_endian = "big") {
            return None;
        }
        let (data, w, h, linesize) = self.raw_plane(i)?;
        // FFmpeg aligns buffers and line sizes far beyond 2 bytes; checked
        // anyway, as reading u16 needs it.
        if !(data as usize).is_multiple_of(2) || !linesize.is_multiple_of(2) {
            return None;
        }
        let stride = linesize / 2;
        let len = if h == 0 { 0 } else { stride * (h - 1) + w };
        // SAFETY: as in `plane_u8`, and the pointer is 2-byte aligned; the
        // plane holds `h` rows of `stride` u16 samples.
        let samples = unsafe { std::slice::from_raw_parts(data.cast::<u16>(), len) };
        PlaneRef::new(samples, w, h, stride)
    }
}
