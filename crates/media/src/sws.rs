//! A thin owner of a swscale context, shared by format conversion and scaling.

use ffmpeg_next::ffi;
use std::os::raw::c_int;

/// One picture geometry: pixel format and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Geometry {
    pub format: ffi::AVPixelFormat,
    pub width: u32,
    pub height: u32,
}

/// Quantisation ranges and matrix for a conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Colorimetry {
    pub src_full_range: bool,
    pub dst_full_range: bool,
    /// `SWS_CS_*` matrix for YUV<->RGB conversions.
    pub matrix: c_int,
}

impl Default for Colorimetry {
    fn default() -> Self {
        Self {
            src_full_range: false,
            dst_full_range: false,
            matrix: ffi::SWS_CS_DEFAULT,
        }
    }
}

/// An owned `SwsContext`.
pub(crate) struct Sws {
    ptr: *mut ffi::SwsContext,
    pub src: Geometry,
    pub dst: Geometry,
    pub colorimetry: Colorimetry,
}

// SAFETY: a SwsContext has no thread affinity; `Sws` owns it exclusively and
// only uses it through `&mut self`, so moving it to another thread is sound.
unsafe impl Send for Sws {}

impl Sws {
    /// Sets up a conversion; `None` when swscale refuses the formats or sizes.
    pub fn new(
        src: Geometry,
        dst: Geometry,
        flags: c_int,
        colorimetry: Colorimetry,
    ) -> Option<Sws> {
        if src.width == 0 || src.height == 0 || dst.width == 0 || dst.height == 0 {
            return None;
        }
        // SAFETY: plain constructor call with valid formats and sizes; null
        // filters and params ask for defaults. The result is checked for null.
        let ptr = unsafe {
            ffi::sws_getContext(
                src.width as c_int,
                src.height as c_int,
                src.format,
                dst.width as c_int,
                dst.height as c_int,
                dst.format,
                flags,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null(),
            )
        };
        if ptr.is_null() {
            return None;
        }
        // SAFETY: `ptr` is a fresh, valid context; the coefficient tables are
        // static arrays returned by sws_getCoefficients. The call only fails
        // for formats where ranges do not apply, which is harmless.
        unsafe {
            let coefficients = ffi::sws_getCoefficients(colorimetry.matrix);
            ffi::sws_setColorspaceDetails(
                ptr,
                coefficients,
                colorimetry.src_full_range as c_int,
                coefficients,
                colorimetry.dst_full_range as c_int,
                0,
                1 << 16,
                1 << 16,
            );
        }
        Some(Sws {
            ptr,
            src,
            dst,
            colorimetry,
        })
    }

    /// Converts `src` into `dst`. Both frames must be allocated with the
    /// geometries this context was made for.
    pub fn run(&mut self, src: &ffmpeg_next::Frame, dst: &mut ffmpeg_next::Frame) -> bool {
        let same = |f: &ffmpeg_next::Frame, g: Geometry| {
            // SAFETY: reading plain fields of a valid frame.
            let f = unsafe { &*f.as_ptr() };
            f.format == g.format as i32
                && f.width == g.width as c_int
                && f.height == g.height as c_int
                && !f.data[0].is_null()
        };
        if !same(src, self.src) || !same(dst, self.dst) {
            return false;
        }
        // SAFETY: both frames hold allocated buffers matching the geometries
        // the context was created with (checked above); swscale reads
        // `src.height` rows of the source planes and writes the destination
        // planes within their allocated line sizes.
        let ret = unsafe {
            let s = &*src.as_ptr();
            let d = &mut *dst.as_mut_ptr();
            ffi::sws_scale(
                self.ptr,
                s.data.as_ptr() as *const *const u8,
                s.linesize.as_ptr(),
                0,
                self.src.height as c_int,
                d.data.as_ptr(),
                d.linesize.as_ptr(),
            )
        };
        ret > 0
    }
}

impl Drop for Sws {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from sws_getContext and is freed exactly once.
        unsafe { ffi::sws_freeContext(self.ptr) };
    }
}

/// Allocates a frame with buffers for `g` (FFmpeg's alignment and padding).
pub(crate) fn alloc_frame(g: Geometry) -> Option<ffmpeg_next::Frame> {
    // SAFETY: allocates an empty AVFrame owned by the wrapper.
    let mut frame = unsafe { ffmpeg_next::Frame::empty() };
    // SAFETY: `frame` is a fresh empty AVFrame; we set its geometry and ask
    // FFmpeg to allocate matching buffers, checking the result.
    let ok = unsafe {
        let f = &mut *frame.as_mut_ptr();
        f.format = g.format as i32;
        f.width = g.width as c_int;
        f.height = g.height as c_int;
        ffi::av_frame_get_buffer(frame.as_mut_ptr(), 0) >= 0
    };
    ok.then_some(frame)
}
