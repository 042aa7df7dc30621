//! libvmaf's `float_motion` (float_motion.c, motion.c): mean absolute
//! difference of consecutive reference frames after a 5-tap Gaussian blur,
//! and the `motion2` rule that takes the smaller of the two neighbouring
//! differences.
//!
//! Blurring is per frame and can run on any worker ([`blur_luma`]); the
//! differences need frames in order ([`Motion2`]).

use reel_core::Plane;

use super::convolve::filter_image;
use super::{bit_depth_ok, to_float, FloatImage, Sample};
use crate::{Error, Result};

/// libvmaf clips motion scores to this (`motion_max_val`).
const MAX_MOTION: f64 = 10000.0;

/// A reference luma plane blurred by float_motion's 5-tap filter.
#[derive(Debug, Clone, PartialEq)]
pub struct BlurredLuma(FloatImage);

impl BlurredLuma {
    pub fn width(&self) -> usize {
        self.0.width
    }

    pub fn height(&self) -> usize {
        self.0.height
    }
}

/// Blurs one reference luma plane for [`sad`] / [`Motion2`].
///
/// # Errors
/// [`Error::Unsupported`] for an empty plane or a bit depth outside 8..=16.
pub fn blur_luma<T: Sample>(reference: &Plane<T>, bit_depth: u8) -> Result<BlurredLuma> {
    if !bit_depth_ok(bit_depth) || reference.width() == 0 || reference.height() == 0 {
        return Err(Error::Unsupported(format!(
            "float motion of a {}x{} plane at {bit_depth} bits",
            reference.width(),
            reference.height()
        )));
    }
    Ok(blur_float_image(&to_float(reference, bit_depth, -128.0)))
}

/// The blur on a picture already converted by `picture_copy` (offset -128).
pub(crate) fn blur_float_image(img: &FloatImage) -> BlurredLuma {
    // FILTER_5_s: double literals stored as f32.
    const FILTER: [f64; 5] = [
        0.054488685,
        0.244201342,
        0.402619947,
        0.244201342,
        0.054488685,
    ];
    BlurredLuma(filter_image(&FILTER.map(|c| c as f32), img))
}

/// Mean absolute difference of two blurred frames (`vmaf_image_sad_c`), the
/// `VMAF_feature_motion_score` of the later one. `None` when sizes differ.
pub fn sad(a: &BlurredLuma, b: &BlurredLuma) -> Option<f64> {
    let (a, b) = (&a.0, &b.0);
    if a.width != b.width || a.height != b.height {
        return None;
    }
    let mut accum = 0.0f32;
    for y in 0..a.height {
        let mut line = 0.0f32;
        for (&p, &q) in a.row(y).iter().zip(b.row(y)) {
            // `float += fabs(float - float)`: the add is done in double.
            line = (f64::from(line) + f64::from((p - q).abs())) as f32;
        }
        accum += line;
    }
    let score = accum / (a.width * a.height) as f32;
    Some(f64::from(score))
}

/// motion2 of every frame from `sads[i]` = motion between frames i-1 and i
/// (`sads[0]` is ignored): 0 for frame 0, `min(sads[i], sads[i+1])` inside,
/// `sads[last]` for the last frame.
pub fn motion2_from_sads(sads: &[f64]) -> Vec<f64> {
    let n = sads.len();
    (0..n)
        .map(|i| {
            if i == 0 {
                0.0
            } else if i + 1 < n {
                clip(min_c(sads[i], sads[i + 1]))
            } else {
                clip(sads[i])
            }
        })
        .collect()
}

/// libvmaf's `score2 < score ? score2 : score` with `score2` the earlier one.
fn min_c(earlier: f64, later: f64) -> f64 {
    if earlier < later {
        earlier
    } else {
        later
    }
}

fn clip(v: f64) -> f64 {
    if v < MAX_MOTION {
        v
    } else {
        MAX_MOTION
    }
}

/// Streams motion2 over frames given in order: push each frame's blurred
/// reference; a frame's motion2 comes out once the next frame is known, and
/// the last one from [`Motion2::finish`].
#[derive(Debug, Default)]
pub struct Motion2 {
    prev: Option<BlurredLuma>,
    /// The motion between the previous frame and the one before it.
    prev_sad: Option<f64>,
    frames: usize,
}

impl Motion2 {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next frame. Returns `(frame index, motion2)` for the frame
    /// whose value became known: frame 0 at once, frame i-1 when frame i
    /// arrives. `None` also when a frame's size differs from the previous
    /// one's (that frame's motion then counts as 0).
    pub fn push(&mut self, blurred: BlurredLuma) -> Option<(usize, f64)> {
        let index = self.frames;
        self.frames += 1;
        let prev = self.prev.replace(blurred);
        if index == 0 {
            return Some((0, 0.0));
        }
        let cur = self
            .prev
            .as_ref()
            .and_then(|b| prev.as_ref().and_then(|p| sad(p, b)))
            .unwrap_or(0.0);
        let earlier = self.prev_sad.replace(cur);
        earlier.map(|e| (index - 1, clip(min_c(e, cur))))
    }

    /// The last frame's motion2 (its motion to the frame before), once all
    /// frames are pushed. `None` with fewer than two frames.
    pub fn finish(&mut self) -> Option<(usize, f64)> {
        let last = self.prev_sad.take()?;
        Some((self.frames - 1, clip(last)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane(seed: usize, w: usize, h: usize) -> Plane<u8> {
        let data = (0..w * h)
            .map(|i| ((i * 13 + seed * 7) % 256) as u8)
            .collect();
        Plane::from_vec(data, w, h, w).unwrap()
    }

    #[test]
    fn motion2_takes_the_smaller_neighbour() {
        assert_eq!(
            motion2_from_sads(&[0.0, 3.0, 1.0, 2.0]),
            [0.0, 1.0, 1.0, 2.0]
        );
        assert_eq!(motion2_from_sads(&[0.0]), [0.0]);
    }

    #[test]
    fn streaming_matches_batch() {
        let frames: Vec<_> = (0..5)
            .map(|s| blur_luma(&plane(s * s, 24, 20), 8).unwrap())
            .collect();
        let mut sads = vec![0.0];
        for w in frames.windows(2) {
            sads.push(sad(&w[0], &w[1]).unwrap());
        }
        let batch = motion2_from_sads(&sads);
        let mut m = Motion2::new();
        let mut streamed: Vec<(usize, f64)> =
            frames.into_iter().filter_map(|f| m.push(f)).collect();
        streamed.extend(m.finish());
        let expect: Vec<(usize, f64)> = batch.into_iter().enumerate().collect();
        assert_eq!(streamed, expect);
    }

    #[test]
    fn still_frames_have_no_motion() {
        let a = blur_luma(&plane(1, 16, 16), 8).unwrap();
        assert_eq!(sad(&a, &a), Some(0.0));
    }
}
