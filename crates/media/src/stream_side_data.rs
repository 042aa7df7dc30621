//! Writing stream side data on output streams: the display matrix of a
//! rotated video, HDR10 static metadata (for the container boxes of codecs
//! whose bitstream has no place for it, such as VP9), and a verbatim copy of
//! an input stream's side data (display matrix, mastering display, content
//! light) for stream copies.

use crate::side_data::{ContentLightRaw, MasteringDisplayRaw};
use ffmpeg_next::ffi;
use reel_core::HdrInfo;

/// Tags `st` with a display matrix rotating by `degrees` counter-clockwise
/// (the angle `av_display_rotation_get` reads back).
///
/// # Safety
/// `st` must be a valid stream of an output context whose header is not written.
pub(crate) unsafe fn set_rotation(st: *mut ffi::AVStream, degrees: i32) -> Result<(), String> {
    let size = 9 * std::mem::size_of::<i32>();
    // SAFETY: `st` is valid per the contract; the returned buffer (or null)
    // has `size` bytes owned by the stream.
    unsafe {
        let data = ffi::av_stream_new_side_data(
            st,
            ffi::AVPacketSideDataType::AV_PKT_DATA_DISPLAYMATRIX,
            size,
        );
        if data.is_null() {
            return Err("out of memory for the display matrix".to_string());
        }
        // `_set` takes a clockwise angle, `_get` returns a counter-clockwise one.
        ffi::av_display_rotation_set(data.cast::<i32>(), -f64::from(degrees));
    }
    Ok(())
}

/// Tags `st` with the mastering display and content light of `hdr`, where set.
///
/// # Safety
/// `st` must be a valid stream of an output context whose header is not written.
pub(crate) unsafe fn set_hdr10(st: *mut ffi::AVStream, hdr: &HdrInfo) -> Result<(), String> {
    if let Some(m) = &hdr.mastering_display {
        // SAFETY: `st` is valid per the contract.
        unsafe {
            put(
                st,
                ffi::AVPacketSideDataType::AV_PKT_DATA_MASTERING_DISPLAY_METADATA,
                MasteringDisplayRaw::from_core(m),
            )
        }?;
    }
    if let Some(c) = &hdr.content_light {
        // SAFETY: `st` is valid per the contract.
        unsafe {
            put(
                st,
                ffi::AVPacketSideDataType::AV_PKT_DATA_CONTENT_LIGHT_LEVEL,
                ContentLightRaw::from_core(c),
            )
        }?;
    }
    Ok(())
}

/// Adds a side data entry of `kind` holding the bytes of `value`.
///
/// # Safety
/// `st` must be a valid stream of an output context whose header is not
/// written; `T` must be the C struct FFmpeg expects for `kind`.
unsafe fn put<T: Copy>(
    st: *mut ffi::AVStream,
    kind: ffi::AVPacketSideDataType,
    value: T,
) -> Result<(), String> {
    let size = std::mem::size_of::<T>();
    // SAFETY: `st` is valid per the contract; the returned buffer (or null)
    // has `size` bytes owned by the stream; write_unaligned makes no
    // alignment assumption.
    unsafe {
        let data = ffi::av_stream_new_side_data(st, kind, size);
        if data.is_null() {
            return Err("out of memory for HDR stream side data".to_string());
        }
        std::ptr::write_unaligned(data.cast::<T>(), value);
    }
    Ok(())
}

/// Copies every side data entry of input stream `from` onto output stream `to`.
///
/// # Safety
/// `from` must be a valid stream of an open input; `to` a valid stream of an
/// output context whose header is not written.
pub(crate) unsafe fn copy_stream_side_data(
    from: *const ffi::AVStream,
    to: *mut ffi::AVStream,
) -> Result<(), String> {
    // SAFETY: `from` is valid per the contract; `side_data` holds
    // `nb_side_data` initialised entries owned by the input stream.
    let entries = unsafe {
        let s = &*from;
        if s.side_data.is_null() || s.nb_side_data <= 0 {
            return Ok(());
        }
        std::slice::from_raw_parts(s.side_data, s.nb_side_data as usize)
    };
    for sd in entries {
        if sd.data.is_null() || sd.size == 0 {
            continue;
        }
        // SAFETY: `to` is valid per the contract; the new buffer has
        // `sd.size` bytes, the source `sd.size` readable bytes, no overlap.
        unsafe {
            let data = ffi::av_stream_new_side_data(to, sd.type_, sd.size);
            if data.is_null() {
                return Err("out of memory for stream side data".to_string());
            }
            std::ptr::copy_nonoverlapping(sd.data, data, sd.size);
        }
    }
    Ok(())
}
