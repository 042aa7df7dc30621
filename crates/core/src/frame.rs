//! Decoded pictures: planes with an explicit stride, owned by the frame.

use crate::time::{FrameIndex, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Width and height in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Resolution {
    pub width: u32,
    pub height: u32,
}

impl Resolution {
    pub fn new(width: u32, height: u32) -> Self {
        Self { width, height }
    }

    pub fn pixels(self) -> u64 {
        self.width as u64 * self.height as u64
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// Chroma subsampling of a planar YUV picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChromaSubsampling {
    /// Luma only.
    #[serde(rename = "4:0:0")]
    Mono,
    #[serde(rename = "4:2:0")]
    Cs420,
    #[serde(rename = "4:2:2")]
    Cs422,
    #[serde(rename = "4:4:4")]
    Cs444,
}

impl ChromaSubsampling {
    /// log2 of the horizontal and vertical chroma decimation.
    pub fn shifts(self) -> (u32, u32) {
        match self {
            ChromaSubsampling::Mono | ChromaSubsampling::Cs444 => (0, 0),
            ChromaSubsampling::Cs420 => (1, 1),
            ChromaSubsampling::Cs422 => (1, 0),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChromaSubsampling::Mono => "4:0:0",
            ChromaSubsampling::Cs420 => "4:2:0",
            ChromaSubsampling::Cs422 => "4:2:2",
            ChromaSubsampling::Cs444 => "4:4:4",
        }
    }
}

/// The layout of a planar YUV frame as reel handles it: subsampling and bit
/// depth. Frames with 8-bit samples store `u8`, deeper ones `u16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PixelLayout {
    pub chroma: ChromaSubsampling,
    pub bit_depth: u8,
}

impl PixelLayout {
    pub const YUV420P: PixelLayout = PixelLayout {
        chroma: ChromaSubsampling::Cs420,
        bit_depth: 8,
    };

    pub fn new(chroma: ChromaSubsampling, bit_depth: u8) -> Self {
        Self { chroma, bit_depth }
    }

    pub fn plane_count(self) -> usize {
        if self.chroma == ChromaSubsampling::Mono {
            1
        } else {
            3
        }
    }

    /// FFmpeg's name of the planar format (`yuv420p`, `yuv422p10le`, `gray`...).
    pub fn ffmpeg_name(self) -> String {
        let base = match self.chroma {
            ChromaSubsampling::Mono => "gray",
            ChromaSubsampling::Cs420 => "yuv420p",
            ChromaSubsampling::Cs422 => "yuv422p",
            ChromaSubsampling::Cs444 => "yuv444p",
        };
        if self.bit_depth == 8 {
            base.to_string()
        } else {
            format!("{base}{}le", self.bit_depth)
        }
    }

    /// Size of plane `index` for a picture of `res`.
    pub fn plane_size(self, index: usize, res: Resolution) -> (usize, usize) {
        let (w, h) = (res.width as usize, res.height as usize);
        if index == 0 {
            return (w, h);
        }
        let (sx, sy) = self.chroma.shifts();
        (w.div_ceil(1 << sx), h.div_ceil(1 << sy))
    }
}

/// One plane of samples. Rows are `stride` samples apart; only the first
/// `width` samples of a row are picture.
#[derive(Clone, PartialEq, Eq)]
pub struct Plane<T> {
    data: Vec<T>,
    width: usize,
    height: usize,
    stride: usize,
}

impl<T: fmt::Debug> fmt::Debug for Plane<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plane")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("stride", &self.stride)
            .finish_non_exhaustive()
    }
}

impl<T: Copy + Default> Plane<T> {
    /// A zeroed plane with `stride == width`.
    pub fn new(width: usize, height: usize) -> Self {
        Self {
            data: vec![T::default(); width * height],
            width,
            height,
            stride: width,
        }
    }

    /// Wraps `data` laid out with `stride`. Returns `None` when `data` is too
    /// short or `stride < width`.
    pub fn from_vec(data: Vec<T>, width: usize, height: usize, stride: usize) -> Option<Self> {
        layout_fits(data.len(), width, height, stride).then_some(Self {
            data,
            width,
            height,
            stride,
        })
    }
}

impl<T> Plane<T> {
    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The picture samples of row `y` (without stride padding).
    ///
    /// # Panics
    /// When `y >= height`, like slice indexing.
    pub fn row(&self, y: usize) -> &[T] {
        let start = y * self.stride;
        &self.data[start..start + self.width]
    }

    pub fn row_mut(&mut self, y: usize) -> &mut [T] {
        let start = y * self.stride;
        &mut self.data[start..start + self.width]
    }

    /// Iterates over the picture rows, top to bottom.
    pub fn rows(&self) -> impl Iterator<Item = &[T]> + '_ {
        (0..self.height).map(move |y| self.row(y))
    }

    /// The raw buffer including stride padding.
    pub fn data(&self) -> &[T] {
        &self.data
    }
}

/// A borrowed plane: the same row access as [`Plane`], over samples owned
/// elsewhere (a decoder's buffer, a [`Plane`]), so a picture can be read
/// without copying it first.
#[derive(Clone, Copy)]
pub struct PlaneRef<'a, T> {
    data: &'a [T],
    width: usize,
    height: usize,
    stride: usize,
}

impl<T> fmt::Debug for PlaneRef<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlaneRef")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("stride", &self.stride)
            .finish_non_exhaustive()
    }
}

/// Whether `len` samples hold `height` rows of `width` with `stride` (the
/// last row needs only `width`).
fn layout_fits(len: usize, width: usize, height: usize, stride: usize) -> bool {
    let needed = if height == 0 {
        0
    } else {
        stride * (height - 1) + width
    };
    stride >= width && len >= needed
}

impl<'a, T> PlaneRef<'a, T> {
    /// Views `data` laid out with `stride`. Returns `None` when `data` is too
    /// short or `stride < width`.
    pub fn new(data: &'a [T], width: usize, height: usize, stride: usize) -> Option<Self> {
        layout_fits(data.len(), width, height, stride).then_some(Self {
            data,
            width,
            height,
            stride,
        })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The picture samples of row `y` (without stride padding).
    ///
    /// # Panics
    /// When `y >= height`, like slice indexing.
    pub fn row(&self, y: usize) -> &'a [T] {
        let start = y * self.stride;
        &self.data[start..start + self.width]
    }

    /// Iterates over the picture rows, top to bottom.
    pub fn rows(&self) -> impl Iterator<Item = &'a [T]> + '_ {
        (0..self.height).map(move |y| self.row(y))
    }

    /// An owned, tightly packed copy (stride = width).
    pub fn to_plane(&self) -> Plane<T>
    where
        T: Copy,
    {
        let mut data = Vec::with_capacity(self.width * self.height);
        for row in self.rows() {
            data.extend_from_slice(row);
        }
        Plane {
            data,
            width: self.width,
            height: self.height,
            stride: self.width,
        }
    }
}

impl<T> Plane<T> {
    /// The plane as a borrowed view.
    pub fn view(&self) -> PlaneRef<'_, T> {
        PlaneRef {
            data: &self.data,
            width: self.width,
            height: self.height,
            stride: self.stride,
        }
    }
}

/// The planes of a frame, 8-bit or high bit depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FramePlanes {
    U8(Vec<Plane<u8>>),
    U16(Vec<Plane<u16>>),
}

impl FramePlanes {
    pub fn len(&self) -> usize {
        match self {
            FramePlanes::U8(p) => p.len(),
            FramePlanes::U16(p) => p.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A decoded picture with its position in the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoFrame {
    /// Presentation-order index from the start of the stream.
    pub index: FrameIndex,
    /// Presentation timestamp in the stream's time base, when the stream had one.
    pub timestamp: Option<Timestamp>,
    pub resolution: Resolution,
    pub layout: PixelLayout,
    /// Whether the decoder flagged the picture as interlaced, and top field first.
    pub interlaced: bool,
    pub top_field_first: bool,
    /// Whether the decoder marked it a key frame.
    pub key_frame: bool,
    pub planes: FramePlanes,
}

impl VideoFrame {
    /// Luma as 8-bit-equivalent samples is often all an analysis needs; this
    /// returns the 8-bit luma plane when the frame is 8-bit.
    pub fn luma_u8(&self) -> Option<&Plane<u8>> {
        match &self.planes {
            FramePlanes::U8(p) => p.first(),
            FramePlanes::U16(_) => None,
        }
    }

    pub fn luma_u16(&self) -> Option<&Plane<u16>> {
        match &self.planes {
            FramePlanes::U16(p) => p.first(),
            FramePlanes::U8(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plane_rows_skip_stride_padding() {
        let data: Vec<u8> = (0..12).collect();
        let p = Plane::from_vec(data, 3, 3, 4).unwrap();
        assert_eq!(p.row(0), &[0, 1, 2]);
        assert_eq!(p.row(2), &[8, 9, 10]);
        assert_eq!(p.rows().count(), 3);
    }

    #[test]
    fn plane_rejects_short_buffers() {
        assert!(Plane::<u8>::from_vec(vec![0; 5], 3, 2, 4).is_none());
        assert!(Plane::<u8>::from_vec(vec![0; 8], 3, 2, 2).is_none());
    }

    #[test]
    fn layout_names_and_chroma_sizes() {
        let l = PixelLayout::new(ChromaSubsampling::Cs420, 10);
        assert_eq!(l.ffmpeg_name(), "yuv420p10le");
        assert_eq!(l.plane_size(1, Resolution::new(175, 143)), (88, 72));
        let l = PixelLayout::new(ChromaSubsampling::Cs422, 8);
        assert_eq!(l.plane_size(2, Resolution::new(640, 272)), (320, 272));
    }
}
