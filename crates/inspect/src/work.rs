//! The per-frame half of the analysis: everything that depends on one frame
//! (and its predecessor) only, so frames of a batch run in parallel. Each
//! worker slot keeps its buffers between batches: no allocation per frame.
//!
//! Full-resolution luma is read on the decoder thread only, by the 2x2 box
//! filter that makes the quarter-area picture and by the sparse combing
//! sample (see [`crate::picture`]). Everything here runs on that quarter
//! picture: shots,
//! black, crop, and SI/TI, which P.910 defines on whatever picture it is
//! given; see [`crate::analysis::siti`] for why the quarter is precise enough.

use crate::analysis::crop::{content_box, ContentBox, CropScratch};
use crate::analysis::features::{FeatureExtractor, LumaFeatures};
use crate::analysis::interlace::CombMeasure;
use crate::analysis::luma::Luma;
use crate::analysis::siti::{frame_difference, spatial_information, FrameDiff, SobelScratch};
use crate::picture::Picture;
use crate::simd::wide_simd;
use reel_core::Plane;

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
    extractor: FeatureExtractor,
    sobel: SobelScratch,
    crop: CropScratch,
    pub measures: FrameMeasures,
}

impl FrameSlot {
    pub(crate) fn new(levels: Levels) -> Self {
        Self {
            extractor: FeatureExtractor::new(levels.dark),
            sobel: SobelScratch::default(),
            crop: CropScratch::default(),
            measures: FrameMeasures::default(),
        }
    }

    /// Measures everything of `pic` but its difference from the previous
    /// frame (left `None`; it needs the previous quarter picture and is
    /// taken afterwards, in order).
    pub(crate) fn analyse(&mut self, pic: &Picture, levels: Levels) {
        let m = &mut self.measures;
        if !pic.has_luma {
            *m = FrameMeasures::default();
            return;
        }
        let quarter = &pic.quarter;
        m.comb = pic.comb;
        m.diff = None;
        m.content_plane = (quarter.width(), quarter.height());
        let (sobel, extractor, crop) = (&mut self.sobel, &mut self.extractor, &mut self.crop);
        wide_simd(
            #[inline(always)]
            || {
                m.si = spatial_information(Luma::U8(quarter.view()), sobel);
                extractor.extract(quarter, &mut m.features);
                m.content = content_box(quarter, levels.bar, crop);
            },
        );
    }
}

/// TI and mean absolute difference of the quarter picture `cur` from
/// `prev`, the previous frame's; `None` when the sizes differ (an empty
/// `prev` stands for "no previous frame").
pub(crate) fn quarter_difference(cur: &Plane<u8>, prev: &Plane<u8>) -> Option<FrameDiff> {
    wide_simd(
        #[inline(always)]
        || frame_difference(Luma::U8(cur.view()), Luma::U8(prev.view())),
    )
}
