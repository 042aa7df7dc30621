//! Thumbnails of shot starts for the report's contact sheet: each shot's first
//! frame decoded (by seeking), scaled to a thumbnail and turned into a JPEG.

use anyhow::{Context, Result};
use reel_core::manifest::InspectReport;
use reel_media::{
    DecodeEvent, DecoderOptions, PixelLayout, Resolution, ScaleAlgorithm, Scaler, VideoDecoder,
};
use reel_report::thumbnail::{jpeg, jpeg_data_url, Matrix};
use reel_report::Shot;

/// Most thumbnails on one sheet; a title with more shots shows an even spread.
const MAX_SHOTS: usize = 24;
const THUMB_WIDTH: u32 = 320;

/// Thumbnails of (up to [`MAX_SHOTS`]) shot starts of the source `media_input`.
pub fn thumbnails(media_input: &str, inspect: &InspectReport) -> Result<Vec<Shot>> {
    let Some(video) = &inspect.video else {
        return Ok(Vec::new());
    };
    let dar = video.dar.as_f64();
    let aspect = if dar > 0.0 {
        dar
    } else {
        f64::from(video.width) / f64::from(video.height.max(1))
    };
    let height = ((f64::from(THUMB_WIDTH) / aspect / 2.0).round() as u32 * 2).max(2);
    let size = Resolution::new(THUMB_WIDTH, height);
    let matrix = Matrix::for_source(video.color.matrix.as_deref(), video.height);
    let mut scaler: Option<Scaler> = None;
    let mut shots = Vec::new();
    for (number, shot) in spread(inspect.shots.len(), MAX_SHOTS)
        .into_iter()
        .map(|i| (i + 1, &inspect.shots[i]))
    {
        let Some(frame) = first_frame(media_input, shot.start_frame)? else {
            continue;
        };
        let geometry = (frame.resolution, frame.layout);
        if scaler.as_ref().is_none_or(|s| s.src() != geometry) {
            scaler = Some(Scaler::new(
                geometry,
                (size, PixelLayout::YUV420P),
                ScaleAlgorithm::Bicubic,
            )?);
        }
        let Some(s) = scaler.as_mut() else { continue };
        let small = s.scale(&frame)?;
        let bytes = jpeg(&small, matrix, video.color.range)?;
        shots.push(Shot {
            number,
            start_s: shot.start_s,
            thumbnail: jpeg_data_url(&bytes),
        });
    }
    Ok(shots)
}

/// Indices of `max` items spread evenly over `len` (all of them when they fit).
fn spread(len: usize, max: usize) -> Vec<usize> {
    if len <= max {
        return (0..len).collect();
    }
    (0..max).map(|k| k * len / max).collect()
}

/// Frame `index` of the source as 8-bit 4:2:0, or `None` when it does not decode.
fn first_frame(media_input: &str, index: u64) -> Result<Option<reel_core::VideoFrame>> {
    let options = DecoderOptions {
        start_frame: index,
        max_frames: Some(1),
        output_layout: Some(PixelLayout::YUV420P),
        ..DecoderOptions::default()
    };
    let decoder = VideoDecoder::open(media_input, &options)
        .with_context(|| format!("opening {media_input} for shot thumbnails"))?;
    for event in decoder {
        if let DecodeEvent::Frame(frame) = event? {
            return Ok(Some(frame));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::spread;

    #[test]
    fn many_shots_are_spread_evenly() {
        assert_eq!(spread(3, 24), vec![0, 1, 2]);
        assert_eq!(spread(10, 4), vec![0, 2, 5, 7]);
    }
}
