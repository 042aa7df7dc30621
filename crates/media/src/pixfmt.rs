//! Which FFmpeg pixel formats reel takes as they are (planar YUV or gray,
//! native little-endian) and which planar layout the others convert to.

use crate::ffi_util::c_str;
use ffmpeg_next::ffi;
use reel_core::{ChromaSubsampling, PixelLayout};
use std::ffi::CString;

/// What reel knows of a pixel format from its descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FormatFacts {
    /// The planar layout when the samples can be copied out as they are.
    pub direct: Option<PixelLayout>,
    /// The planar layout a conversion should produce otherwise.
    pub nearest: PixelLayout,
    /// Bit depth of the first component.
    pub bit_depth: u8,
    /// The JPEG ("yuvj") variants: same samples, full range.
    pub full_range_variant: bool,
}

/// FFmpeg's name of a pixel format (`yuv420p`), or `none`.
pub(crate) fn name(fmt: ffi::AVPixelFormat) -> String {
    // SAFETY: av_get_pix_fmt_name accepts any enum value and returns null or
    // a static string.
    c_str(unsafe { ffi::av_get_pix_fmt_name(fmt) }).unwrap_or_else(|| "none".to_string())
}

/// The FFmpeg pixel format of a planar layout (`yuv420p10le`...).
pub(crate) fn from_layout(layout: PixelLayout) -> Option<ffi::AVPixelFormat> {
    let name = CString::new(layout.ffmpeg_name()).ok()?;
    // SAFETY: `name` is a valid NUL-terminated string.
    let fmt = unsafe { ffi::av_get_pix_fmt(name.as_ptr()) };
    (fmt != ffi::AVPixelFormat::AV_PIX_FMT_NONE).then_some(fmt)
}

/// The pixel format named `name`, or `AV_PIX_FMT_NONE`.
pub(crate) fn by_name(name: &str) -> ffi::AVPixelFormat {
    match CString::new(name) {
        // SAFETY: `c` is a valid NUL-terminated string.
        Ok(c) => unsafe { ffi::av_get_pix_fmt(c.as_ptr()) },
        Err(_) => ffi::AVPixelFormat::AV_PIX_FMT_NONE,
    }
}

/// Converts the raw `format` field of codec parameters / frames.
pub(crate) fn from_raw(raw: i32) -> ffi::AVPixelFormat {
    if raw < 0 || raw >= ffi::AVPixelFormat::AV_PIX_FMT_NB as i32 {
        return ffi::AVPixelFormat::AV_PIX_FMT_NONE;
    }
    // SAFETY: AVPixelFormat is a C enum with contiguous values from NONE (-1)
    // to NB; `raw` was checked to lie in 0..NB, so it names a valid variant.
    unsafe { std::mem::transmute::<i32, ffi::AVPixelFormat>(raw) }
}

/// Whether `fmt` stores RGB(A) rather than YUV or gray.
pub(crate) fn is_rgb(fmt: ffi::AVPixelFormat) -> bool {
    // SAFETY: returns null or a static descriptor.
    unsafe { ffi::av_pix_fmt_desc_get(fmt).as_ref() }
        .is_some_and(|d| d.flags & ffi::AV_PIX_FMT_FLAG_RGB as u64 != 0)
}

/// Facts about `fmt`, or `None` when it is not a format reel can handle at
/// all (hardware surfaces, bitstream, unknown).
pub(crate) fn facts(fmt: ffi::AVPixelFormat) -> Option<FormatFacts> {
    if fmt == ffi::AVPixelFormat::AV_PIX_FMT_NONE {
        return None;
    }
    // SAFETY: av_pix_fmt_desc_get returns null or a pointer to a static
    // descriptor that lives for the whole process.
    let desc = unsafe { ffi::av_pix_fmt_desc_get(fmt).as_ref() }?;
    let flags = desc.flags;
    let unusable = ffi::AV_PIX_FMT_FLAG_HWACCEL as u64
        | ffi::AV_PIX_FMT_FLAG_BITSTREAM as u64
        | ffi::AV_PIX_FMT_FLAG_PAL as u64;
    if flags & unusable != 0 || desc.nb_components == 0 {
        return None;
    }
    let comps = &desc.comp[..desc.nb_components as usize];
    let depth = comps[0].depth.clamp(1, 16) as u8;
    let is_rgb = flags & ffi::AV_PIX_FMT_FLAG_RGB as u64 != 0;
    let has_alpha = flags & ffi::AV_PIX_FMT_FLAG_ALPHA as u64 != 0;
    let colour_comps = if has_alpha {
        desc.nb_components - 1
    } else {
        desc.nb_components
    };
    let chroma = if colour_comps <= 2 {
        ChromaSubsampling::Mono
    } else if is_rgb {
        ChromaSubsampling::Cs444
    } else {
        match (desc.log2_chroma_w, desc.log2_chroma_h) {
            (0, 0) => ChromaSubsampling::Cs444,
            (_, 0) => ChromaSubsampling::Cs422,
            _ => ChromaSubsampling::Cs420,
        }
    };
    let nearest_depth = match depth {
        0..=8 => 8,
        9..=10 => 10,
        11..=12 => 12,
        _ => 16,
    };
    let nearest = PixelLayout::new(chroma, nearest_depth);

    let planar = flags & ffi::AV_PIX_FMT_FLAG_PLANAR as u64 != 0 || desc.nb_components == 1;
    let big_endian = flags & ffi::AV_PIX_FMT_FLAG_BE as u64 != 0;
    let float = flags & ffi::AV_PIX_FMT_FLAG_FLOAT as u64 != 0;
    let bytes = if depth > 8 { 2 } else { 1 };
    let simple_comps = comps.iter().enumerate().all(|(i, c)| {
        c.plane as usize == i
            && c.shift == 0
            && c.offset == 0
            && c.step == bytes
            && c.depth == comps[0].depth
    });
    let exact_subsampling = matches!(
        (desc.log2_chroma_w, desc.log2_chroma_h),
        (0, 0) | (1, 0) | (1, 1)
    );
    let direct = (planar
        && !is_rgb
        && !has_alpha
        && !float
        && (!big_endian || depth <= 8)
        && matches!(desc.nb_components, 1 | 3)
        && exact_subsampling
        && simple_comps)
        .then(|| PixelLayout::new(chroma, depth));

    let name = name(fmt);
    Some(FormatFacts {
        direct,
        nearest,
        bit_depth: depth,
        full_range_variant: name.starts_with("yuvj"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ffi::AVPixelFormat as F;

    #[test]
    fn planar_formats_are_taken_as_they_are() {
        let f = facts(F::AV_PIX_FMT_YUV420P).unwrap();
        assert_eq!(f.direct, Some(PixelLayout::YUV420P));
        let f = facts(F::AV_PIX_FMT_YUV422P10LE).unwrap();
        assert_eq!(
            f.direct,
            Some(PixelLayout::new(ChromaSubsampling::Cs422, 10))
        );
        let f = facts(F::AV_PIX_FMT_GRAY8).unwrap();
        assert_eq!(f.direct, Some(PixelLayout::new(ChromaSubsampling::Mono, 8)));
        let f = facts(F::AV_PIX_FMT_YUVJ420P).unwrap();
        assert_eq!(f.direct, Some(PixelLayout::YUV420P));
        assert!(f.full_range_variant);
    }

    #[test]
    fn packed_and_semi_planar_formats_map_to_the_nearest_layout() {
        let f = facts(F::AV_PIX_FMT_NV12).unwrap();
        assert_eq!((f.direct, f.nearest), (None, PixelLayout::YUV420P));
        let f = facts(F::AV_PIX_FMT_P010LE).unwrap();
        assert_eq!(f.direct, None);
        assert_eq!(f.nearest, PixelLayout::new(ChromaSubsampling::Cs420, 10));
        let f = facts(F::AV_PIX_FMT_RGB24).unwrap();
        assert_eq!(f.nearest, PixelLayout::new(ChromaSubsampling::Cs444, 8));
        let f = facts(F::AV_PIX_FMT_YUV420P10BE).unwrap();
        assert_eq!(f.direct, None);
        let f = facts(F::AV_PIX_FMT_YUVA420P).unwrap();
        assert_eq!((f.direct, f.nearest), (None, PixelLayout::YUV420P));
    }

    #[test]
    fn layouts_round_trip_through_ffmpeg_names() {
        for layout in [
            PixelLayout::YUV420P,
            PixelLayout::new(ChromaSubsampling::Cs420, 10),
            PixelLayout::new(ChromaSubsampling::Cs444, 12),
            PixelLayout::new(ChromaSubsampling::Mono, 8),
        ] {
            let fmt = from_layout(layout).unwrap();
            assert_eq!(facts(fmt).unwrap().direct, Some(layout), "{layout:?}");
        }
        assert!(facts(F::AV_PIX_FMT_NONE).is_none());
    }
}
