//! A per-frame signature: the mean luma of a 16x16 grid of blocks on an 8-bit
//! scale. It does not depend on the picture size, so a 360p rendition's frame
//! can be compared with the 1080p source frame it came from; coding noise
//! moves it by a fraction of a level, a different frame usually by several.

use reel_core::PlaneRef;

/// Blocks per side of the grid.
pub const GRID: usize = 16;

/// Block means of one picture's luma.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signature(pub [f32; GRID * GRID]);

impl Signature {
    pub fn from_u8(plane: PlaneRef<'_, u8>) -> Signature {
        block_means(plane, 0)
    }

    /// From high-bit-depth samples, brought to the 8-bit scale.
    pub fn from_u16(plane: PlaneRef<'_, u16>, bit_depth: u8) -> Signature {
        block_means(plane, u32::from(bit_depth.saturating_sub(8)))
    }

    /// Mean absolute difference of the block means, in 8-bit levels.
    pub fn distance(&self, other: &Signature) -> f32 {
        let sum: f32 = self
            .0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a - b).abs())
            .sum();
        sum / (GRID * GRID) as f32
    }

    /// Distance with most of the overall brightness offset taken out first:
    /// low-bit-rate encodes drift the mean level by a level or more, which
    /// would drown the motion between neighbouring frames; a quarter of the
    /// offset stays so fades still tell frames apart.
    pub fn shape_distance(&self, other: &Signature) -> f32 {
        let n = (GRID * GRID) as f32;
        let bias: f32 = self
            .0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| a - b)
            .sum::<f32>()
            / n;
        let spread: f32 = self
            .0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a - b - bias).abs())
            .sum::<f32>()
            / n;
        spread + 0.25 * bias.abs()
    }

    /// The brightest block mean.
    pub fn max(&self) -> f32 {
        self.0.iter().copied().fold(0.0, f32::max)
    }
}

/// How pixel `i` of `n` splits between the blocks of a `GRID`-block side:
/// (first block, its share of the pixel); the rest goes to the next block.
/// Exact area weighting keeps block edges where they are at every picture
/// size, so a 180p and a 720p picture of the same frame get the same means.
fn split(i: usize, n: usize) -> (usize, f64) {
    let start = (i * GRID) as f64 / n as f64;
    let end = ((i + 1) * GRID) as f64 / n as f64;
    let block = start.floor() as usize;
    let boundary = (block + 1) as f64;
    if end <= boundary || block + 1 >= GRID {
        (block.min(GRID - 1), 1.0)
    } else {
        (block, (boundary - start) / (end - start))
    }
}

fn block_means<T: Copy + Into<u32>>(plane: PlaneRef<'_, T>, shift: u32) -> Signature {
    let (w, h) = (plane.width().max(1), plane.height().max(1));
    let columns: Vec<(usize, f64)> = (0..w).map(|x| split(x, w)).collect();
    let mut sums = [0f64; GRID * GRID];
    let mut weights = [0f64; GRID * GRID];
    let mut row_sums = [0f64; GRID];
    let mut row_weights = [0f64; GRID];
    for (y, row) in plane.rows().enumerate().take(h) {
        row_sums.fill(0.0);
        row_weights.fill(0.0);
        for (&v, &(b, share)) in row.iter().take(w).zip(columns.iter()) {
            let v = f64::from(v.into() >> shift);
            row_sums[b] += v * share;
            row_weights[b] += share;
            if share < 1.0 {
                row_sums[b + 1] += v * (1.0 - share);
                row_weights[b + 1] += 1.0 - share;
            }
        }
        let (by, share) = split(y, h);
        for (rows, part) in [(by, share), (by + 1, 1.0 - share)] {
            if part <= 0.0 || rows >= GRID {
                continue;
            }
            for b in 0..GRID {
                sums[rows * GRID + b] += row_sums[b] * part;
                weights[rows * GRID + b] += row_weights[b] * part;
            }
        }
    }
    let mut out = [0f32; GRID * GRID];
    for (o, (s, c)) in out.iter_mut().zip(sums.iter().zip(weights.iter())) {
        *o = if *c <= 0.0 { 0.0 } else { (*s / *c) as f32 };
    }
    Signature(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_does_not_depend_on_size_or_depth() {
        let small: Vec<u8> = (0..64 * 36).map(|i| ((i % 64) * 4) as u8).collect();
        let big: Vec<u16> = (0..128 * 72)
            .map(|i| (((i % 128) / 2) * 4 * 4) as u16)
            .collect();
        let a = Signature::from_u8(PlaneRef::new(&small, 64, 36, 64).unwrap());
        let b = Signature::from_u16(PlaneRef::new(&big, 128, 72, 128).unwrap(), 10);
        assert!(a.distance(&b) < 0.01, "{}", a.distance(&b));
        let shifted: Vec<u8> = small.iter().map(|v| v.saturating_add(10)).collect();
        let c = Signature::from_u8(PlaneRef::new(&shifted, 64, 36, 64).unwrap());
        assert!(c.distance(&a) > 9.0);
    }
}
