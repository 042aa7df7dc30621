//! Decoded FFmpeg frames -> owned [`VideoFrame`]s: planes copied out cropped
//! to the picture, high bit depths as `u16`, and anything that is not planar
//! YUV/gray (nv12, p010, rgb24...) converted with swscale first.

use crate::error::{Error, Result};
use crate::pixfmt;
use crate::sws::{self, Colorimetry, Geometry, Sws};
use crate::view::{FrameMeta, FrameView};
use ffmpeg_next::ffi;
use reel_core::{FrameIndex, FramePlanes, PixelLayout, Plane, Resolution, Timestamp, VideoFrame};

/// Converts decoded frames of one stream, caching the swscale context.
pub(crate) struct FrameConverter {
    input: String,
    target: Option<PixelLayout>,
    sws: Option<(Sws, ffmpeg_next::Frame)>,
}

impl FrameConverter {
    /// `target` forces an output layout; `None` keeps planar frames as they
    /// are and converts the others to their nearest planar layout.
    pub fn new(input: &str, target: Option<PixelLayout>) -> Self {
        Self {
            input: input.to_string(),
            target,
            sws: None,
        }
    }

    /// The layout frames of `pix_fmt` will be delivered in.
    pub fn output_layout(&self, pix_fmt: ffi::AVPixelFormat) -> Option<PixelLayout> {
        let facts = pixfmt::facts(pix_fmt)?;
        Some(self.target.unwrap_or(facts.direct.unwrap_or(facts.nearest)))
    }

    pub fn convert(
        &mut self,
        frame: &ffmpeg_next::Frame,
        index: u64,
        timestamp: Option<Timestamp>,
    ) -> Result<VideoFrame> {
        let view = self.view(frame, index, timestamp)?;
        // SAFETY: `view.raw()` is the picture `view` describes, in the planar
        // format of `view.layout`, covering `view.resolution`.
        let planes = unsafe { copy_planes(view.raw(), view.layout, view.resolution) };
        let layout = view.layout;
        let out = planes.map(|planes| VideoFrame {
            index: view.index,
            timestamp: view.timestamp,
            resolution: view.resolution,
            layout,
            interlaced: view.interlaced,
            top_field_first: view.top_field_first,
            key_frame: view.key_frame,
            planes,
        });
        out.ok_or_else(|| self.missing_buffers(frame, layout))
    }

    /// The decoded picture as a [`FrameView`] in the output layout: the
    /// decoder's own buffers when they already are (no copy), else the
    /// swscale output this converter keeps.
    pub fn view<'a>(
        &'a mut self,
        frame: &'a ffmpeg_next::Frame,
        index: u64,
        timestamp: Option<Timestamp>,
    ) -> Result<FrameView<'a>> {
        // SAFETY: `frame` holds a decoded picture; we only read plain fields.
        let f = unsafe { &*frame.as_ptr() };
        let fmt = pixfmt::from_raw(f.format);
        let unsupported = || Error::UnsupportedPixelFormat {
            input: self.input.clone(),
            pix_fmt: pixfmt::name(fmt),
        };
        let facts = pixfmt::facts(fmt).ok_or_else(unsupported)?;
        let want = self.target.unwrap_or(facts.direct.unwrap_or(facts.nearest));
        let resolution = Resolution::new(f.width.max(0) as u32, f.height.max(0) as u32);
        let meta = FrameMeta {
            index: FrameIndex(index),
            timestamp,
            resolution,
            layout: want,
            interlaced: f.interlaced_frame != 0,
            top_field_first: f.top_field_first != 0,
            key_frame: f.key_frame != 0,
        };
        if facts.direct == Some(want) {
            // SAFETY: the decoder produced `f` in the planar format of `want`
            // and allocated it for `resolution`.
            return unsafe { FrameView::new(f, meta) }
                .ok_or_else(|| self.missing_buffers(frame, want));
        }
        // Built before the conversion borrows `self` (this path pays for
        // swscale anyway).
        let missing = self.missing_buffers(frame, want);
        let full = facts.full_range_variant || f.color_range == ffi::AVColorRange::AVCOL_RANGE_JPEG;
        let converted = self.sws_convert(frame, fmt, want, resolution, full)?;
        // SAFETY: `converted` was allocated by us in the planar format of
        // `want` for `resolution`, and lives as long as the borrow of `self`.
        unsafe { FrameView::new(&*converted.as_ptr(), meta) }.ok_or(missing)
    }

    fn missing_buffers(&self, frame: &ffmpeg_next::Frame, want: PixelLayout) -> Error {
        // SAFETY: reading the format field of a valid frame.
        let fmt = pixfmt::from_raw(unsafe { (*frame.as_ptr()).format });
        Error::Convert {
            input: self.input.clone(),
            from: pixfmt::name(fmt),
            to: want.ffmpeg_name(),
            reason: "frame buffers are missing or smaller than the picture".to_string(),
        }
    }

    fn sws_convert(
        &mut self,
        frame: &ffmpeg_next::Frame,
        fmt: ffi::AVPixelFormat,
        want: PixelLayout,
        res: Resolution,
        full_range: bool,
    ) -> Result<&ffmpeg_next::Frame> {
        let error = |reason: &str| Error::Convert {
            input: self.input.clone(),
            from: pixfmt::name(fmt),
            to: want.ffmpeg_name(),
            reason: reason.to_string(),
        };
        let dst_fmt = pixfmt::from_layout(want).ok_or_else(|| error("no such FFmpeg format"))?;
        let src = Geometry {
            format: fmt,
            width: res.width,
            height: res.height,
        };
        let dst = Geometry {
            format: dst_fmt,
            width: res.width,
            height: res.height,
        };
        // SAFETY: reading the colour matrix field of a valid frame.
        let space = unsafe { (*frame.as_ptr()).colorspace };
        let is_rgb = pixfmt::is_rgb(fmt);
        let colorimetry = Colorimetry {
            src_full_range: full_range || is_rgb,
            // YUV->YUV keeps the range (a relabel, not a remap); RGB->YUV is limited.
            dst_full_range: full_range && !is_rgb,
            matrix: sws_matrix(space),
        };
        let reusable = self
            .sws
            .as_ref()
            .is_some_and(|(s, _)| s.src == src && s.dst == dst && s.colorimetry == colorimetry);
        if !reusable {
            let flags = ffi::SWS_BICUBIC | ffi::SWS_ACCURATE_RND | ffi::SWS_BITEXACT;
            let ctx = Sws::new(src, dst, flags, colorimetry)
                .ok_or_else(|| error("swscale refused the conversion"))?;
            let out = sws::alloc_frame(dst).ok_or_else(|| error("cannot allocate a frame"))?;
            self.sws = Some((ctx, out));
        }
        let (ctx, out) = self
            .sws
            .as_mut()
            .ok_or_else(|| error("no conversion context"))?;
        if !ctx.run(frame, out) {
            return Err(error("swscale failed"));
        }
        Ok(out)
    }
}

/// SWS_CS_* constant for an FFmpeg colour matrix.
pub(crate) fn sws_matrix(space: ffi::AVColorSpace) -> i32 {
    use ffi::AVColorSpace as S;
    match space {
        S::AVCOL_SPC_BT709 => ffi::SWS_CS_ITU709,
        S::AVCOL_SPC_FCC => ffi::SWS_CS_FCC,
        S::AVCOL_SPC_SMPTE240M => ffi::SWS_CS_SMPTE240M,
        S::AVCOL_SPC_BT2020_NCL | S::AVCOL_SPC_BT2020_CL => ffi::SWS_CS_BT2020,
        _ => ffi::SWS_CS_DEFAULT,
    }
}

/// Copies the planes of a planar frame into owned, tightly packed planes.
/// `None` when a plane pointer is missing or its line size is too short.
///
/// # Safety
/// `frame` must point to a valid frame whose pixel format is the planar
/// format of `layout` and whose buffers cover `res`.
pub(crate) unsafe fn copy_planes(
    frame: *const ffi::AVFrame,
    layout: PixelLayout,
    res: Resolution,
) -> Option<FramePlanes> {
    // SAFETY: valid frame per the contract.
    let f = unsafe { &*frame };
    let bytes_per_sample = if layout.bit_depth > 8 { 2 } else { 1 };
    let mut rows_of = Vec::with_capacity(layout.plane_count());
    for i in 0..layout.plane_count() {
        let (w, h) = layout.plane_size(i, res);
        let linesize = f.linesize[i];
        if f.data[i].is_null() || linesize < 0 || (linesize as usize) < w * bytes_per_sample {
            return None;
        }
        rows_of.push((i, w, h, linesize as usize));
    }
    let row = |i: usize, y: usize, len: usize, linesize: usize| {
        // SAFETY: plane `i` has at least `h` rows of `linesize` bytes (the
        // frame covers `res` per the contract) and `len <= linesize`.
        unsafe { std::slice::from_raw_parts(f.data[i].add(y * linesize), len) }
    };
    if bytes_per_sample == 1 {
        let planes = rows_of
            .into_iter()
            .map(|(i, w, h, ls)| {
                let mut data = Vec::with_capacity(w * h);
                for y in 0..h {
                    data.extend_from_slice(row(i, y, w, ls));
                }
                Plane::from_vec(data, w, h, w)
            })
            .collect::<Option<Vec<_>>>()?;
        Some(FramePlanes::U8(planes))
    } else {
        let planes = rows_of
            .into_iter()
            .map(|(i, w, h, ls)| {
                let mut data = Vec::with_capacity(w * h);
                for y in 0..h {
                    let bytes = row(i, y, w * 2, ls);
                    data.extend(
                        bytes
                            .chunks_exact(2)
                            .map(|b| u16::from_le_bytes([b[0], b[1]])),
                    );
                }
                Plane::from_vec(data, w, h, w)
            })
            .collect::<Option<Vec<_>>>()?;
        Some(FramePlanes::U16(planes))
    }
}

/// Copies owned planes into an FFmpeg frame of the same layout (for swscale).
pub(crate) fn fill_frame(frame: &mut ffmpeg_next::Frame, planes: &FramePlanes) -> bool {
    // SAFETY: `frame` was allocated by av_frame_get_buffer for the planar
    // layout of `planes`; each destination row is written within its line
    // size (checked against the source row length below).
    unsafe {
        let f = &mut *frame.as_mut_ptr();
        let write = |i: usize, y: usize, src: &[u8]| {
            let ls = f.linesize[i];
            if f.data[i].is_null() || ls < 0 || (ls as usize) < src.len() {
                return false;
            }
            std::ptr::copy_nonoverlapping(src.as_ptr(), f.data[i].add(y * ls as usize), src.len());
            true
        };
        match planes {
            FramePlanes::U8(planes) => planes
                .iter()
                .enumerate()
                .all(|(i, p)| p.rows().enumerate().all(|(y, r)| write(i, y, r))),
            FramePlanes::U16(planes) => {
                let mut buf = Vec::new();
                planes.iter().enumerate().all(|(i, p)| {
                    p.rows().enumerate().all(|(y, r)| {
                        buf.clear();
                        buf.extend(r.iter().flat_map(|v| v.to_le_bytes()));
                        write(i, y, &buf)
                    })
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_core::ChromaSubsampling;

    /// A p010 frame (10-bit samples in the high bits, chroma interleaved).
    fn p010_frame(
        width: u32,
        height: u32,
        luma: impl Fn(usize, usize) -> u16,
        u: u16,
        v: u16,
    ) -> ffmpeg_next::Frame {
        let g = Geometry {
            format: ffi::AVPixelFormat::AV_PIX_FMT_P010LE,
            width,
            height,
        };
        let mut frame = sws::alloc_frame(g).unwrap();
        // SAFETY: the frame was just allocated for `g`: plane 0 has `height`
        // rows and plane 1 `height / 2` rows, each `linesize` bytes long.
        unsafe {
            let f = &mut *frame.as_mut_ptr();
            for y in 0..height as usize {
                let row = f.data[0].add(y * f.linesize[0] as usize).cast::<u16>();
                for x in 0..width as usize {
                    row.add(x).write_unaligned(luma(x, y) << 6);
                }
            }
            for y in 0..height as usize / 2 {
                let row = f.data[1].add(y * f.linesize[1] as usize).cast::<u16>();
                for x in 0..width as usize / 2 {
                    row.add(2 * x).write_unaligned(u << 6);
                    row.add(2 * x + 1).write_unaligned(v << 6);
                }
            }
        }
        frame
    }

    #[test]
    fn p010_becomes_planar_10_bit_with_the_same_values() {
        let luma = |x: usize, y: usize| (64 + x * 8 + y * 100) as u16;
        let frame = p010_frame(16, 8, luma, 300, 700);
        let mut converter = FrameConverter::new("synthetic", None);
        let out = converter.convert(&frame, 5, None).unwrap();
        assert_eq!(out.layout, PixelLayout::new(ChromaSubsampling::Cs420, 10));
        assert_eq!(out.index, FrameIndex(5));
        let FramePlanes::U16(planes) = &out.planes else {
            panic!("expected u16 planes")
        };
        for (y, row) in planes[0].rows().enumerate() {
            for (x, &v) in row.iter().enumerate() {
                assert_eq!(v, luma(x, y), "luma at {x},{y}");
            }
        }
        assert!(planes[1].rows().flatten().all(|&v| v == 300));
        assert!(planes[2].rows().flatten().all(|&v| v == 700));
    }

    #[test]
    fn a_forced_layout_converts_depth() {
        let frame = p010_frame(16, 8, |_, _| 512, 512, 512);
        let mut converter = FrameConverter::new("synthetic", Some(PixelLayout::YUV420P));
        let out = converter.convert(&frame, 0, None).unwrap();
        let FramePlanes::U8(planes) = &out.planes else {
            panic!("expected u8 planes")
        };
        assert!(planes.iter().all(|p| p.rows().flatten().all(|&v| v == 128)));
    }
}
