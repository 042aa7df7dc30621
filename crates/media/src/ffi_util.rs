//! Small conversions between FFmpeg's C values and reel's types.

use ffmpeg_next::ffi;
use reel_core::Rational;
use std::ffi::CStr;
use std::os::raw::c_char;

/// Copies a C string owned by FFmpeg; `None` for a null pointer or empty text.
pub(crate) fn c_str(ptr: *const c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: FFmpeg returns either null (checked above) or a pointer to a
    // NUL-terminated static or context-owned string that outlives this call.
    let s = unsafe { CStr::from_ptr(ptr) }
        .to_string_lossy()
        .into_owned();
    (!s.is_empty()).then_some(s)
}

/// FFmpeg's description of an error code (what `av_strerror` says).
pub(crate) fn err_text(err: ffmpeg_next::Error) -> String {
    err.to_string()
}

pub(crate) fn rational(r: ffi::AVRational) -> Rational {
    Rational::new(r.num as i64, r.den as i64)
}

/// `ts` in seconds, for a timestamp in time base `tb`; `None` for AV_NOPTS_VALUE.
pub(crate) fn seconds(ts: i64, tb: ffi::AVRational) -> Option<f64> {
    (ts != ffi::AV_NOPTS_VALUE && tb.den != 0).then(|| ts as f64 * tb.num as f64 / tb.den as f64)
}

/// Reads a value from an FFmpeg dictionary (stream or format metadata).
pub(crate) fn dict_get(dict: *const ffi::AVDictionary, key: &str) -> Option<String> {
    if dict.is_null() {
        return None;
    }
    let key = std::ffi::CString::new(key).ok()?;
    // SAFETY: `dict` is a valid dictionary owned by the format context, which
    // the caller keeps alive; `key` is NUL-terminated; a null previous entry
    // asks for the first match. The returned entry is read before any change.
    unsafe {
        let entry = ffi::av_dict_get(dict, key.as_ptr(), std::ptr::null(), 0);
        if entry.is_null() {
            None
        } else {
            c_str((*entry).value)
        }
    }
}
