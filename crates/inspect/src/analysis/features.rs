//! Per-frame picture features for shot, black and flash decisions, taken in
//! one pass over the quarter-area luma: a 32x16 thumbnail of block means,
//! a 32-bin histogram per 4x4 region (over every other line: a histogram is
//! a statistic, and the scatter is the costly part), and the count of dark
//! pixels.

use reel_core::Plane;

pub const GRID_W: usize = 32;
pub const GRID_H: usize = 16;
const CELLS: usize = GRID_W * GRID_H;
const REGIONS_X: usize = 4;
const REGIONS_Y: usize = 4;
const BINS: usize = 32;
const HIST_LEN: usize = REGIONS_X * REGIONS_Y * BINS;

/// Features of one picture. Fixed-size arrays: copying one never allocates.
#[derive(Clone, PartialEq, Eq)]
pub struct LumaFeatures {
    /// Block means, row-major `GRID_W x GRID_H`.
    pub thumb: [u8; CELLS],
    /// Region histograms, `BINS` per region, regions row-major.
    pub hist: [u32; HIST_LEN],
    /// Pixels measured.
    pub pixels: u32,
    /// Pixels counted in the histograms.
    pub hist_pixels: u32,
    /// Pixels at or below the dark threshold.
    pub dark: u32,
}

impl Default for LumaFeatures {
    fn default() -> Self {
        Self {
            thumb: [0; CELLS],
            hist: [0; HIST_LEN],
            pixels: 0,
            hist_pixels: 0,
            dark: 0,
        }
    }
}

impl std::fmt::Debug for LumaFeatures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LumaFeatures")
            .field("pixels", &self.pixels)
            .field("dark", &self.dark)
            .finish_non_exhaustive()
    }
}

impl LumaFeatures {
    /// Share of pixels at or below the dark threshold, in [0, 1].
    pub fn dark_fraction(&self) -> f64 {
        if self.pixels == 0 {
            return 0.0;
        }
        f64::from(self.dark) / f64::from(self.pixels)
    }

    /// How different two pictures look, in [0, 1]: the mean of the
    /// thumbnail difference (local structure, sensitive to motion) and the
    /// regional histogram difference (content, tolerant of motion).
    pub fn distance(&self, other: &LumaFeatures) -> f32 {
        let mad: u32 = self
            .thumb
            .iter()
            .zip(&other.thumb)
            .map(|(&a, &b)| u32::from(a.abs_diff(b)))
            .sum();
        let mad = mad as f32 / (CELLS as f32 * 255.0);
        let hist: u64 = self
            .hist
            .iter()
            .zip(&other.hist)
            .map(|(&a, &b)| u64::from(a.abs_diff(b)))
            .sum();
        let total = (self.hist_pixels + other.hist_pixels).max(1);
        let hist = hist as f32 / total as f32;
        // A thumbnail MAD of 0.25 (64 levels) is already a different picture.
        0.5 * ((4.0 * mad).min(1.0) + hist)
    }
}

/// Computes [`LumaFeatures`]; keeps the per-resolution tables, so one
/// extractor per worker allocates only when the resolution changes.
#[derive(Debug, Clone)]
pub struct FeatureExtractor {
    dark_threshold: u8,
    width: usize,
    height: usize,
    /// Column range `[start, end)` of each thumbnail column.
    cell_cols: Vec<(usize, usize)>,
    /// Pixels in each thumbnail cell.
    cell_pixels: Vec<u32>,
    sums: Vec<u32>,
    /// Per-column sums over the lines of the current thumbnail row.
    col_sums: Vec<u32>,
}

impl FeatureExtractor {
    /// `dark_threshold`: 8-bit luma at or below which a pixel counts as black.
    pub fn new(dark_threshold: u8) -> Self {
        Self {
            dark_threshold,
            width: 0,
            height: 0,
            cell_cols: Vec::new(),
            cell_pixels: vec![0; CELLS],
            sums: vec![0; CELLS],
            col_sums: Vec::new(),
        }
    }

    #[inline(always)]
    fn prepare(&mut self, w: usize, h: usize) {
        if (w, h) == (self.width, self.height) {
            return;
        }
        self.width = w;
        self.height = h;
        let edge = |i: usize| (i * w).div_ceil(GRID_W);
        self.cell_cols = (0..GRID_W).map(|cx| (edge(cx), edge(cx + 1))).collect();
        self.cell_pixels.iter_mut().for_each(|c| *c = 0);
        for y in 0..h {
            let cy = y * GRID_H / h;
            for (cx, &(x0, x1)) in self.cell_cols.iter().enumerate() {
                self.cell_pixels[cy * GRID_W + cx] += (x1 - x0) as u32;
            }
        }
    }

    /// Fills `out` with the features of `luma` (8-bit, usually quarter-area).
    #[inline(always)]
    pub fn extract(&mut self, luma: &Plane<u8>, out: &mut LumaFeatures) {
        let (w, h) = (luma.width(), luma.height());
        out.hist.iter_mut().for_each(|v| *v = 0);
        out.thumb.iter_mut().for_each(|v| *v = 0);
        out.pixels = (w * h) as u32;
        out.hist_pixels = 0;
        out.dark = 0;
        if w == 0 || h == 0 {
            return;
        }
        self.prepare(w, h);
        self.sums.iter_mut().for_each(|v| *v = 0);
        self.col_sums.clear();
        self.col_sums.resize(w, 0);
        let dark_th = self.dark_threshold;
        let (mut dark, mut hist_pixels) = (0u32, 0u32);
        for y in 0..h {
            let row = luma.row(y);
            let cy = y * GRID_H / h;
            // Column sums and the dark count in one vectorised pass; the
            // cells take their share of the column sums once per cell row.
            let mut row_dark = 0u32;
            for (c, &v) in self.col_sums.iter_mut().zip(row) {
                *c += u32::from(v);
                row_dark += u32::from(v <= dark_th);
            }
            dark += row_dark;
            if y + 1 == h || (y + 1) * GRID_H / h != cy {
                let sums = &mut self.sums[cy * GRID_W..(cy + 1) * GRID_W];
                for (sum, &(x0, x1)) in sums.iter_mut().zip(&self.cell_cols) {
                    *sum += self.col_sums[x0..x1].iter().sum::<u32>();
                }
                self.col_sums.iter_mut().for_each(|c| *c = 0);
            }
            if y % 2 == 0 {
                let ry = cy * REGIONS_Y / GRID_H;
                let hist = &mut out.hist[ry * REGIONS_X * BINS..(ry + 1) * REGIONS_X * BINS];
                let cells_per_region = GRID_W / REGIONS_X;
                for (region, cols) in hist
                    .chunks_exact_mut(BINS)
                    .zip(self.cell_cols.chunks_exact(cells_per_region))
                {
                    let (x0, x1) = (cols[0].0, cols[cells_per_region - 1].1);
                    count_into(&row[x0..x1], region);
                }
                hist_pixels += w as u32;
            }
        }
        out.dark = dark;
        out.hist_pixels = hist_pixels;
        for ((t, &s), &n) in out.thumb.iter_mut().zip(&self.sums).zip(&self.cell_pixels) {
            *t = (s + n / 2).checked_div(n).unwrap_or(0) as u8;
        }
    }
}

/// Adds the 32-bin histogram of `values` to `region`. Four partial
/// histograms take turns, so runs of equal values (flat picture) do not
/// wait on the previous increment of the same counter.
#[inline(always)]
fn count_into(values: &[u8], region: &mut [u32]) {
    let mut parts = [[0u32; BINS]; 4];
    let quads = values.chunks_exact(4);
    for &v in quads.remainder() {
        parts[0][usize::from(v >> 3)] += 1;
    }
    for q in quads {
        parts[0][usize::from(q[0] >> 3)] += 1;
        parts[1][usize::from(q[1] >> 3)] += 1;
        parts[2][usize::from(q[2] >> 3)] += 1;
        parts[3][usize::from(q[3] >> 3)] += 1;
    }
    for (b, bin) in region.iter_mut().enumerate() {
        *bin += parts.iter().map(|p| p[b]).sum::<u32>();
    }
}

/// Features of a picture in one call (allocates; for occasional use).
pub fn features_of(luma: &Plane<u8>, dark_threshold: u8) -> LumaFeatures {
    let mut out = LumaFeatures::default();
    FeatureExtractor::new(dark_threshold).extract(luma, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(w: usize, h: usize, v: u8) -> Plane<u8> {
        Plane::from_vec(vec![v; w * h], w, h, w).unwrap()
    }

    #[test]
    fn identical_pictures_have_zero_distance() {
        let a = features_of(&flat(64, 32, 90), 30);
        assert_eq!(a.distance(&a), 0.0);
        assert_eq!(a.thumb[0], 90);
        assert_eq!(a.dark, 0);
    }

    #[test]
    fn black_and_white_are_far_apart() {
        let a = features_of(&flat(64, 32, 16), 30);
        let b = features_of(&flat(64, 32, 235), 30);
        assert!(a.distance(&b) > 0.9);
        assert_eq!(a.dark_fraction(), 1.0);
    }

    #[test]
    fn small_pictures_still_work() {
        let a = features_of(&flat(5, 3, 200), 30);
        assert_eq!(a.pixels, 15);
        assert_eq!(a.hist.iter().sum::<u32>(), a.hist_pixels);
        assert_eq!(a.hist_pixels, 10);
        assert_eq!(a.thumb.iter().filter(|&&t| t == 200).count(), 5 * 3);
    }
}
