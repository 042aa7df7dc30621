//! Letterbox / pillarbox detection.
//!
//! Per frame, the content box is the smallest rectangle outside which every
//! row and column is bar: at most 2% of its pixels brighter than the bar
//! limit. Over the title the boxes are united (a bar must hold in every
//! frame that has content), so the crop never cuts picture that any frame
//! shows. Frames with no content at all (black) say nothing and are skipped.

use reel_core::manifest::CropRect;
use reel_core::Plane;

/// Content rectangle in the coordinates of the measured plane; `right` and
/// `bottom` are exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentBox {
    pub left: usize,
    pub top: usize,
    pub right: usize,
    pub bottom: usize,
}

impl ContentBox {
    fn union(self, o: ContentBox) -> ContentBox {
        ContentBox {
            left: self.left.min(o.left),
            top: self.top.min(o.top),
            right: self.right.max(o.right),
            bottom: self.bottom.max(o.bottom),
        }
    }
}

/// Column counters reused from frame to frame.
#[derive(Debug, Clone, Default)]
pub struct CropScratch {
    bright_in_col: Vec<u32>,
}

/// The content box of one 8-bit picture, or `None` when it is all bar.
/// `limit`: luma above which a pixel is picture rather than bar.
#[inline(always)]
pub fn content_box(luma: &Plane<u8>, limit: u8, scratch: &mut CropScratch) -> Option<ContentBox> {
    let (w, h) = (luma.width(), luma.height());
    if w == 0 || h == 0 {
        return None;
    }
    let cols = &mut scratch.bright_in_col;
    cols.clear();
    cols.resize(w, 0);
    let (mut top, mut bottom) = (None, 0);
    let row_allow = (w / 50) as u32;
    for (y, row) in luma.rows().enumerate() {
        let mut bright = 0u32;
        for (c, &v) in cols.iter_mut().zip(row) {
            let b = u32::from(v > limit);
            *c += b;
            bright += b;
        }
        if bright > row_allow {
            top.get_or_insert(y);
            bottom = y + 1;
        }
    }
    let top = top?;
    let col_allow = (h / 50) as u32;
    let left = cols.iter().position(|&c| c > col_allow)?;
    let right = cols.iter().rposition(|&c| c > col_allow)? + 1;
    Some(ContentBox {
        left,
        top,
        right,
        bottom,
    })
}

/// Unites per-frame content boxes over a title.
#[derive(Debug, Clone, Default)]
pub struct CropDetector {
    united: Option<ContentBox>,
    /// Size of the measured plane.
    plane: (usize, usize),
}

impl CropDetector {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one frame's box, measured on a plane of `plane` (width, height).
    pub fn push(&mut self, content: Option<ContentBox>, plane: (usize, usize)) {
        let Some(b) = content else { return };
        if self.plane != plane && self.united.is_some() {
            // A resolution change mid-title: keep the full frame.
            self.united = Some(ContentBox {
                left: 0,
                top: 0,
                right: plane.0,
                bottom: plane.1,
            });
        } else {
            self.united = Some(self.united.map_or(b, |u| u.union(b)));
        }
        self.plane = plane;
    }

    /// The crop for a picture of `width x height` whose measured plane was
    /// downscaled by `scale`; even offsets and sizes. `None` when no frame
    /// had content.
    pub fn finish(&self, width: u32, height: u32, scale: usize) -> Option<CropRect> {
        let b = self.united?;
        let (pw, ph) = self.plane;
        let full = b.left == 0 && b.top == 0 && b.right >= pw && b.bottom >= ph;
        if full {
            return Some(CropRect {
                x: 0,
                y: 0,
                width,
                height,
                bars: false,
            });
        }
        let span = |lo: usize, hi: usize, n: usize, size: u32| -> (u32, u32) {
            let start = (lo * scale) as u32 & !1;
            // A box reaching the plane's edge keeps the picture's last (odd) line.
            let end = if hi >= n {
                size
            } else {
                ((hi * scale) as u32).min(size)
            };
            (start, end.saturating_sub(start) & !1)
        };
        let (x, w) = span(b.left, b.right, pw, width);
        let (y, h) = span(b.top, b.bottom, ph, height);
        Some(CropRect {
            x,
            y,
            width: w,
            height: h,
            bars: (x, y, w, h) != (0, 0, width, height),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letterboxed(w: usize, h: usize, bar: usize) -> Plane<u8> {
        let data = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| {
                if y < bar || y >= h - bar {
                    16
                } else {
                    (60 + x % 100) as u8
                }
            });
        Plane::from_vec(data.collect(), w, h, w).unwrap()
    }

    #[test]
    fn finds_a_letterbox() {
        let p = letterboxed(160, 120, 15);
        let b = content_box(&p, 32, &mut CropScratch::default()).unwrap();
        assert_eq!((b.top, b.bottom, b.left, b.right), (15, 105, 0, 160));
        let mut d = CropDetector::new();
        d.push(Some(b), (160, 120));
        d.push(None, (160, 120));
        let c = d.finish(320, 240, 2).unwrap();
        assert_eq!(
            (c.x, c.y, c.width, c.height, c.bars),
            (0, 30, 320, 180, true)
        );
    }

    #[test]
    fn full_frame_content_is_no_crop() {
        let p = letterboxed(160, 120, 0);
        let b = content_box(&p, 32, &mut CropScratch::default());
        let mut d = CropDetector::new();
        d.push(b, (160, 120));
        let c = d.finish(321, 241, 2).unwrap();
        assert_eq!((c.width, c.height, c.bars), (321, 241, false));
    }

    #[test]
    fn union_keeps_picture_any_frame_shows() {
        let mut d = CropDetector::new();
        let b = |top, bottom| ContentBox {
            left: 0,
            top,
            right: 100,
            bottom,
        };
        d.push(Some(b(20, 80)), (100, 100));
        d.push(Some(b(10, 85)), (100, 100));
        let c = d.finish(200, 200, 2).unwrap();
        assert_eq!((c.y, c.height), (20, 150));
    }
}
