//! The decoder-thread half of the per-frame work. Each picture is lent by the
//! decoder in place; from it we take the only things read at full
//! resolution, the combing sample and the 2x2 box-filtered quarter picture
//! every other measure works on, so whole frames are never copied. Quarter
//! buffers come back from the analysis once folded: no allocation per frame.

use crate::analysis::interlace::{comb_measure, CombMeasure};
use crate::analysis::luma::{downscale_half, Luma};
use crate::simd::wide_simd;
use reel_core::{Plane, Resolution, Timestamp};
use reel_media::FrameView;
use std::sync::mpsc;

/// What the in-order half needs of a frame besides its measures.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameInfo {
    pub timestamp: Option<Timestamp>,
    pub resolution: Resolution,
    /// Whether the decoder flagged the picture as interlaced.
    pub interlaced: bool,
}

/// A frame as the analysis receives it.
#[derive(Debug)]
pub(crate) struct Picture {
    pub info: FrameInfo,
    /// Quarter-area 8-bit luma; empty when the picture had no luma.
    pub quarter: Plane<u8>,
    pub comb: CombMeasure,
    pub has_luma: bool,
}

/// Runs on the decoder thread: turns lent pictures into [`Picture`]s,
/// reusing the quarter buffers sent back through the paired sender.
#[derive(Debug)]
pub(crate) struct Preparer {
    recycled: mpsc::Receiver<Plane<u8>>,
}

/// A [`Preparer`] and the sender that returns quarter buffers to it.
pub(crate) fn preparer() -> (mpsc::Sender<Plane<u8>>, Preparer) {
    let (tx, rx) = mpsc::channel();
    (tx, Preparer { recycled: rx })
}

impl Preparer {
    pub(crate) fn prepare(&mut self, view: FrameView<'_>) -> Picture {
        let info = FrameInfo {
            timestamp: view.timestamp,
            resolution: view.resolution,
            interlaced: view.interlaced,
        };
        let Some(luma) = luma_of(&view) else {
            return Picture {
                info,
                quarter: Plane::new(0, 0),
                comb: CombMeasure::default(),
                has_luma: false,
            };
        };
        // A returned buffer of the same size is overwritten in place.
        let mut quarter = self
            .recycled
            .try_recv()
            .unwrap_or_else(|_| Plane::new(0, 0));
        // Combing lives in single lines: it samples full resolution.
        let comb = wide_simd(
            #[inline(always)]
            || {
                downscale_half(luma, &mut quarter);
                comb_measure(luma)
            },
        );
        Picture {
            info,
            quarter,
            comb,
            has_luma: true,
        }
    }
}

fn luma_of<'a>(view: &FrameView<'a>) -> Option<Luma<'a>> {
    let depth = view.layout.bit_depth;
    if depth > 8 {
        view.plane_u16(0).map(|p| Luma::U16(p, depth))
    } else {
        view.plane_u8(0).map(Luma::U8)
    }
}
