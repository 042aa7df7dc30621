//! Shot thumbnails: an 8-bit 4:2:0 frame turned into a JPEG for the contact sheet.

use crate::{Error, Result};
use base64::Engine;
use image::codecs::jpeg::JpegEncoder;
use image::ColorType;
use reel_core::{ColorRange, FramePlanes, VideoFrame};

/// The Y'CbCr to R'G'B' matrix of the source (ITU-R BT.709 or BT.601).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    Bt709,
    Bt601,
}

impl Matrix {
    /// The matrix an H.273 name stands for; when absent, BT.601 below 720 lines
    /// (as players assume for SD), else BT.709.
    pub fn for_source(name: Option<&str>, height: u32) -> Matrix {
        match name {
            Some("bt470bg" | "smpte170m" | "bt601") => Matrix::Bt601,
            Some(_) => Matrix::Bt709,
            None if height < 720 => Matrix::Bt601,
            None => Matrix::Bt709,
        }
    }

    /// (Kr, Kb) luma weights.
    fn weights(self) -> (f32, f32) {
        match self {
            Matrix::Bt709 => (0.2126, 0.0722),
            Matrix::Bt601 => (0.299, 0.114),
        }
    }
}

/// Packed 8-bit RGB of `frame` (8-bit 4:2:0, chroma sited at its block's centre
/// is close enough for a thumbnail).
pub fn to_rgb(frame: &VideoFrame, matrix: Matrix, range: ColorRange) -> Result<Vec<u8>> {
    let bad = |reason: &str| Error::Thumbnail {
        frame: frame.index.0,
        reason: reason.to_string(),
    };
    let FramePlanes::U8(planes) = &frame.planes else {
        return Err(bad("not an 8-bit frame"));
    };
    let [y, u, v] = planes.as_slice() else {
        return Err(bad("not three planes"));
    };
    let (w, h) = (y.width(), y.height());
    if u.width() < w.div_ceil(2) || u.height() < h.div_ceil(2) || v.width() < u.width() {
        return Err(bad("chroma planes are not 4:2:0"));
    }
    let (kr, kb) = matrix.weights();
    let kg = 1.0 - kr - kb;
    // Limited range: luma 16..235, chroma 16..240 around 128.
    let (y_off, y_scale, c_scale) = match range {
        ColorRange::Full => (0.0, 1.0, 1.0),
        _ => (16.0, 255.0 / 219.0, 255.0 / 224.0),
    };
    let mut rgb = Vec::with_capacity(w * h * 3);
    for row in 0..h {
        let (ly, lu, lv) = (y.row(row), u.row(row / 2), v.row(row / 2));
        for col in 0..w {
            let luma = (f32::from(ly[col]) - y_off) * y_scale;
            let cb = (f32::from(lu[col / 2]) - 128.0) * c_scale;
            let cr = (f32::from(lv[col / 2]) - 128.0) * c_scale;
            let r = luma + 2.0 * (1.0 - kr) * cr;
            let b = luma + 2.0 * (1.0 - kb) * cb;
            let g = (luma - kr * r - kb * b) / kg;
            rgb.extend([r, g, b].map(|c| c.round().clamp(0.0, 255.0) as u8));
        }
    }
    Ok(rgb)
}

/// `frame` as a JPEG (quality 80).
pub fn jpeg(frame: &VideoFrame, matrix: Matrix, range: ColorRange) -> Result<Vec<u8>> {
    let rgb = to_rgb(frame, matrix, range)?;
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 80)
        .encode(
            &rgb,
            frame.resolution.width,
            frame.resolution.height,
            ColorType::Rgb8,
        )
        .map_err(|source| Error::Jpeg {
            frame: frame.index.0,
            source,
        })?;
    Ok(out)
}

/// A `data:` URL of JPEG bytes, for an `<img src>` inside the page.
pub fn jpeg_data_url(jpeg: &[u8]) -> String {
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_core::{FrameIndex, PixelLayout, Plane, Resolution};

    fn flat(w: usize, h: usize, yuv: [u8; 3]) -> VideoFrame {
        let plane = |pw: usize, ph: usize, value: u8| {
            Plane::from_vec(vec![value; pw * ph], pw, ph, pw).expect("plane")
        };
        VideoFrame {
            index: FrameIndex(7),
            timestamp: None,
            resolution: Resolution::new(w as u32, h as u32),
            layout: PixelLayout::YUV420P,
            interlaced: false,
            top_field_first: false,
            key_frame: true,
            planes: FramePlanes::U8(vec![
                plane(w, h, yuv[0]),
                plane(w / 2, h / 2, yuv[1]),
                plane(w / 2, h / 2, yuv[2]),
            ]),
        }
    }

    #[test]
    fn limited_range_colours_come_out_as_rgb() {
        // BT.709 limited-range white, black and red (75 % bars' red is 63,102,240).
        let px = |yuv| to_rgb(&flat(4, 2, yuv), Matrix::Bt709, ColorRange::Limited).unwrap();
        assert_eq!(&px([235, 128, 128])[..3], &[255, 255, 255]);
        assert_eq!(&px([16, 128, 128])[..3], &[0, 0, 0]);
        let red = px([63, 102, 240]);
        assert!(red[0] > 185 && red[1] < 5 && red[2] < 5, "{:?}", &red[..3]);
    }

    #[test]
    fn a_jpeg_decodes_to_the_frame_size() {
        let bytes = jpeg(
            &flat(16, 8, [120, 90, 200]),
            Matrix::Bt601,
            ColorRange::Limited,
        )
        .unwrap();
        assert_eq!(&bytes[..2], &[0xFF, 0xD8]);
        assert!(jpeg_data_url(&bytes).starts_with("data:image/jpeg;base64,/9j/"));
    }

    #[test]
    fn a_ten_bit_frame_is_refused() {
        let mut f = flat(4, 2, [0, 0, 0]);
        f.planes = FramePlanes::U16(Vec::new());
        assert!(matches!(
            to_rgb(&f, Matrix::Bt709, ColorRange::Limited),
            Err(Error::Thumbnail { frame: 7, .. })
        ));
    }
}
