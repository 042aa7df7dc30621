//! The per-frame half of the analysis: everything that depends on one frame
//! (and its predecessor) only, so frames of a batch run in parallel. Each
//! worker slot keeps its buffers between batches: no allocation per frame.
//!
//! Full-resolution luma is read once, by the 2x2 box filter that makes the
//! quarter-area picture (and by the sparse combing sample, which needs
//! single lines). Everything else runs on that quarter picture: shots,
//! black, crop, and SI/TI, which P.910 defines on whatever picture it is
//! given; see [`crate::analysis::siti`] for why the quarter is precise enough.

use crate::analysis::crop::{content_box, ContentBox, CropScratch};
use crate::analysis::features::{FeatureExtractor, LumaFeatures};
use crate::analysis::interlace::{comb_measure, CombMeasure};
use crate::analysis::luma::{downscale_half, Luma};
use crate::analysis::siti::{frame_difference, spatial_information, FrameDiff, SobelScratch};
use reel_core::{Plane, VideoFrame};

/// Luma levels (8-bit) the per-frame measures compare against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Levels {
    /// At or below: a dark (black) pixel.
    pub dark: u8,
    /// Above: picture rather than letterbox bar.
    pub bar: u8,
}

/// Measures of one frame, filled by [`FrameSlot::analyse`].
#[derive(Debug, Clone, Default)]
pub(crate) struct FrameMeasures {
    pub features: LumaFeatures,
    pub si: Option<f64>,
    pub diff: Option<FrameDiff>,
    pub comb: CombMeasure,
    pub content: Option<ContentBox>,
    /// Size of the plane `content` was measured on.
    pub content_plane: (usize, usize),
}

/// One worker's buffers and the measures of the frame it last analysed.
#[derive(Debug, Clone)]
pub(crate) struct FrameSlot {
    quarter: Plane<u8>,
    extractor: FeatureExtractor,
    sobel: SobelScratch,
    crop: CropScratch,
    pub measures: FrameMeasures,
}

impl FrameSlot {
    pub(crate) fn new(levels: Levels) -> Self {
        Self {
            quarter: Plane::new(0, 0),
            extractor: FeatureExtractor::new(levels.dark),
            sobel: SobelScratch::default(),
            crop: CropScratch::default(),
            measures: FrameMeasures::default(),
        }
    }

    /// Measures everything of `frame` but its difference from the previous
    /// frame (left `None`).
    pub(crate) fn analyse(&mut self, frame: &VideoFrame, levels: Levels) {
        let m = &mut self.measures;
        let Some(luma) = Luma::of(frame) else {
            *m = FrameMeasures::default();
            return;
        };
        // Combing lives in single lines: it samples full resolution. The
        // rest works on the 2x2 box-filtered picture: a quarter of the
        // pixels, noise averaged. The frame difference needs the previous
        // quarter picture: [`FrameSlot::difference`] does it afterwards.
        m.comb = comb_measure(luma);
        downscale_half(luma, &mut self.quarter);
        let quarter = Luma::U8(&self.quarter);
        m.si = spatial_information(quarter, &mut self.sobel);
        m.diff = None;
        self.extractor.extract(&self.quarter, &mut m.features);
        m.content = content_box(&self.quarter, levels.bar, &mut self.crop);
        m.content_plane = (self.quarter.width(), self.quarter.height());
    }

    /// The quarter-area picture of the frame last analysed.
    pub(crate) fn quarter(&self) -> &Plane<u8> {
        &self.quarter
    }

    /// Swaps the quarter picture with `other` (a buffer exchange, no copy).
    pub(crate) fn swap_quarter(&mut self, other: &mut Plane<u8>) {
        std::mem::swap(&mut self.quarter, other);
    }
}

/// TI and mean absolute difference of the quarter picture `cur` from
/// `prev`, the previous frame's; `None` when the sizes differ (an empty
/// `prev` stands for "no previous frame").
pub(crate) fn quarter_difference(cur: &Plane<u8>, prev: &Plane<u8>) -> Option<FrameDiff> {
    frame_difference(Luma::U8(cur), Luma::U8(prev))
}
