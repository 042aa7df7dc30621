//! HDR static metadata and display rotation, read from stream side data (the
//! container's boxes) or from a decoded frame's side data (SEI messages).

use crate::ffi_util::rational;
use ffmpeg_next::ffi;
use reel_core::{ContentLight, MasteringDisplay};
use std::mem::size_of;

/// Side data found on a stream or frame, already decoded into reel's types.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct SideInfo {
    pub mastering_display: Option<MasteringDisplay>,
    pub content_light: Option<ContentLight>,
    /// Counter-clockwise display rotation in degrees, when a matrix was present.
    pub rotation: Option<i32>,
}

/// Reads the side data attached to a stream (`mdcv`/`clli`/`tkhd` matrix in MP4,
/// equivalents in Matroska).
///
/// # Safety
/// `st` must point to a valid stream of an open format context.
pub(crate) unsafe fn from_stream(st: *const ffi::AVStream) -> SideInfo {
    let mut info = SideInfo::default();
    // SAFETY: per the function contract `st` is valid; `side_data` holds
    // `nb_side_data` initialised entries owned by the stream.
    let entries = unsafe {
        let st = &*st;
        if st.side_data.is_null() || st.nb_side_data <= 0 {
            return info;
        }
        std::slice::from_raw_parts(st.side_data, st.nb_side_data as usize)
    };
    for sd in entries {
        if sd.data.is_null() {
            continue;
        }
        // SAFETY: `data` points to `size` bytes owned by the stream.
        let bytes = unsafe { std::slice::from_raw_parts(sd.data, sd.size) };
        match sd.type_ {
            ffi::AVPacketSideDataType::AV_PKT_DATA_MASTERING_DISPLAY_METADATA => {
                info.mastering_display = mastering_display(bytes);
            }
            ffi::AVPacketSideDataType::AV_PKT_DATA_CONTENT_LIGHT_LEVEL => {
                info.content_light = content_light(bytes);
            }
            ffi::AVPacketSideDataType::AV_PKT_DATA_DISPLAYMATRIX => {
                info.rotation = rotation(bytes);
            }
            _ => {}
        }
    }
    info
}

/// Reads HDR metadata and rotation from a decoded frame (HEVC/AV1 SEI/OBUs).
///
/// # Safety
/// `frame` must point to a valid decoded frame.
pub(crate) unsafe fn from_frame(frame: *const ffi::AVFrame) -> SideInfo {
    let get = |kind| {
        // SAFETY: `frame` is valid per the function contract; the returned
        // entry (or null) is owned by the frame and read before it changes.
        unsafe {
            let sd = ffi::av_frame_get_side_data(frame, kind);
            match sd.as_ref() {
                Some(sd) if !sd.data.is_null() => {
                    Some(std::slice::from_raw_parts(sd.data, sd.size).to_vec())
                }
                _ => None,
            }
        }
    };
    SideInfo {
        mastering_display: get(ffi::AVFrameSideDataType::AV_FRAME_DATA_MASTERING_DISPLAY_METADATA)
            .and_then(|b| mastering_display(&b)),
        content_light: get(ffi::AVFrameSideDataType::AV_FRAME_DATA_CONTENT_LIGHT_LEVEL)
            .and_then(|b| content_light(&b)),
        rotation: get(ffi::AVFrameSideDataType::AV_FRAME_DATA_DISPLAYMATRIX)
            .and_then(|b| rotation(&b)),
    }
}

/// Mirror of libavutil's `AVMasteringDisplayMetadata` (mastering_display_metadata.h,
/// stable layout), which the generated bindings do not include.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct MasteringDisplayRaw {
    display_primaries: [[ffi::AVRational; 2]; 3],
    white_point: [ffi::AVRational; 2],
    min_luminance: ffi::AVRational,
    max_luminance: ffi::AVRational,
    has_primaries: std::os::raw::c_int,
    has_luminance: std::os::raw::c_int,
}

impl MasteringDisplayRaw {
    /// FFmpeg's form of `m`: chromaticities in 1/50000, luminance in 1/10000
    /// cd/m² (HEVC's SEI units, so nothing is lost on the way to a bitstream).
    pub(crate) fn from_core(m: &MasteringDisplay) -> MasteringDisplayRaw {
        let q = |v: f64, den: i32| ffi::AVRational {
            num: (v * f64::from(den)).round().clamp(0.0, f64::from(i32::MAX)) as i32,
            den,
        };
        let xy = |p: (f64, f64)| [q(p.0, 50_000), q(p.1, 50_000)];
        MasteringDisplayRaw {
            display_primaries: [xy(m.primaries[0]), xy(m.primaries[1]), xy(m.primaries[2])],
            white_point: xy(m.white_point),
            min_luminance: q(m.min_luminance, 10_000),
            max_luminance: q(m.max_luminance, 10_000),
            has_primaries: 1,
            has_luminance: 1,
        }
    }
}

/// Mirror of libavutil's `AVContentLightMetadata`.
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct ContentLightRaw {
    max_cll: std::os::raw::c_uint,
    max_fall: std::os::raw::c_uint,
}

impl ContentLightRaw {
    pub(crate) fn from_core(c: &ContentLight) -> ContentLightRaw {
        ContentLightRaw {
            max_cll: c.max_cll,
            max_fall: c.max_fall,
        }
    }
}

fn read_struct<T: Copy>(bytes: &[u8]) -> Option<T> {
    if bytes.len() < size_of::<T>() {
        return None;
    }
    // SAFETY: the slice holds at least size_of::<T>() bytes, T is a plain C
    // struct of integers (any bit pattern is valid) and read_unaligned makes
    // no alignment assumption.
    Some(unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast::<T>()) })
}

fn mastering_display(bytes: &[u8]) -> Option<MasteringDisplay> {
    let m: MasteringDisplayRaw = read_struct(bytes)?;
    if m.has_primaries == 0 && m.has_luminance == 0 {
        return None;
    }
    let xy = |p: [ffi::AVRational; 2]| (rational(p[0]).as_f64(), rational(p[1]).as_f64());
    Some(MasteringDisplay {
        primaries: [
            xy(m.display_primaries[0]),
            xy(m.display_primaries[1]),
            xy(m.display_primaries[2]),
        ],
        white_point: xy(m.white_point),
        min_luminance: rational(m.min_luminance).as_f64(),
        max_luminance: rational(m.max_luminance).as_f64(),
    })
}

fn content_light(bytes: &[u8]) -> Option<ContentLight> {
    let c: ContentLightRaw = read_struct(bytes)?;
    Some(ContentLight {
        max_cll: c.max_cll,
        max_fall: c.max_fall,
    })
}

/// The display matrix's rotation, counter-clockwise, snapped to 0/90/180/270.
fn rotation(bytes: &[u8]) -> Option<i32> {
    let matrix: [i32; 9] = read_struct(bytes)?;
    // SAFETY: `matrix` is a local array of the 9 values the function reads.
    let degrees = unsafe { ffi::av_display_rotation_get(matrix.as_ptr()) };
    Some(normalise_rotation(degrees))
}

/// Snaps an angle in degrees to the nearest multiple of 90 in `0..360`.
pub(crate) fn normalise_rotation(degrees: f64) -> i32 {
    if !degrees.is_finite() {
        return 0;
    }
    let quarter = (degrees / 90.0).round() as i64;
    (quarter.rem_euclid(4) * 90) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_snaps_to_quarter_turns() {
        assert_eq!(normalise_rotation(0.0), 0);
        assert_eq!(normalise_rotation(-90.0), 270);
        assert_eq!(normalise_rotation(90.0000001), 90);
        assert_eq!(normalise_rotation(180.0), 180);
        assert_eq!(normalise_rotation(-180.0), 180);
        assert_eq!(normalise_rotation(450.0), 90);
        assert_eq!(normalise_rotation(f64::NAN), 0);
    }

    #[test]
    fn display_matrix_rotation_is_what_ffmpeg_reads() {
        // A quarter-turn matrix in 16.16 fixed point (w in 2.30), as MP4
        // `tkhd` boxes store it; av_display_rotation_get reads it as -90.
        let one = 1 << 16;
        let matrix: [i32; 9] = [0, one, 0, -one, 0, 0, 0, 0, 1 << 30];
        let bytes: Vec<u8> = matrix.iter().flat_map(|v| v.to_ne_bytes()).collect();
        assert_eq!(rotation(&bytes), Some(270));
        let identity: [i32; 9] = [one, 0, 0, 0, one, 0, 0, 0, 1 << 30];
        let bytes: Vec<u8> = identity.iter().flat_map(|v| v.to_ne_bytes()).collect();
        assert_eq!(rotation(&bytes), Some(0));
        assert_eq!(rotation(&bytes[..8]), None);
        assert_eq!(
            rotation(&[0; 36]),
            Some(0),
            "a singular matrix means no rotation"
        );
    }

    #[test]
    fn content_light_reads_both_values() {
        let c = ContentLightRaw {
            max_cll: 1000,
            max_fall: 400,
        };
        // SAFETY: viewing a plain C struct as bytes for the test.
        let bytes = unsafe {
            std::slice::from_raw_parts(
                (&c as *const ContentLightRaw).cast::<u8>(),
                size_of::<ContentLightRaw>(),
            )
        };
        assert_eq!(
            content_light(bytes),
            Some(ContentLight {
                max_cll: 1000,
                max_fall: 400
            })
        );
    }
}
