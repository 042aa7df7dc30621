//! ITU-T P.910 spatial and temporal information on luma, in 8-bit units.
//!
//! SI is the standard deviation of the Sobel gradient magnitude over the
//! picture (the one-pixel border, where the 3x3 kernel does not fit, is left
//! out); TI is the standard deviation of the difference from the previous
//! picture. Both run on luma normalised to 8 bits (deeper samples are
//! shifted down on the fly, no conversion buffer), in integer arithmetic
//! laid out so the compiler vectorises it.
//!
//! The inspection gives these functions the 2x2 box-filtered (quarter-area)
//! luma its other detectors use, not the full-resolution picture: P.910
//! applies the same operators to that picture, and reading the full frame
//! once more per measure would cost more than the decoder can spare. The
//! values are those of the picture at half resolution: for typical content
//! SI comes out higher than at full resolution (an edge spans half as many
//! pixels) and TI a little lower (the filter averages sensor and coding
//! noise). They rank content the same way, which is what the shot
//! complexity and the encoding ladder need; they are not numbers to compare
//! with a full-resolution P.910 tool.
//!
//! Large pictures are also sampled by lines ([`row_step`]): each sampled
//! gradient and difference is exactly P.910's; only the standard deviation
//! is estimated from every 2nd to 4th line, never fewer than ~270 lines
//! (a 1080p source's quarter picture gives every 2nd of its 540 lines),
//! for a per-frame error of about 1% on SI and a few % on the TI of
//! near-static frames, less on per-shot means; pictures up to 539 lines
//! are measured whole.

use super::luma::{Luma, Sample};
use reel_core::PlaneRef;

/// Lines sampled for SI and TI in a picture `height` lines high: every
/// `row_step`-th, 1 (all) up to 539 lines, 4 from 1080 lines.
pub fn row_step(height: usize) -> usize {
    (height / 270).clamp(1, 4)
}

/// Row buffers the Sobel pass reuses from frame to frame.
#[derive(Debug, Default, Clone)]
pub struct SobelScratch {
    /// Vertical smoothing `r0 + 2 r1 + r2` (feeds the horizontal gradient).
    smooth: Vec<i16>,
    /// Vertical difference `r2 - r0` (feeds the vertical gradient).
    diff: Vec<i16>,
    /// Gradient magnitude of the current row, squared then rooted in place.
    mag: Vec<f32>,
}

/// P.910 spatial information of one picture, in 8-bit units. `None` when the
/// picture is smaller than the 3x3 kernel.
#[inline(always)]
pub fn spatial_information(luma: Luma<'_>, scratch: &mut SobelScratch) -> Option<f64> {
    match luma {
        Luma::U8(p) => sobel_std(p, 0, scratch),
        Luma::U16(p, _) => sobel_std(p, luma.shift(), scratch),
    }
}

#[inline(always)]
fn sobel_std<T: Sample>(p: PlaneRef<'_, T>, shift: u32, s: &mut SobelScratch) -> Option<f64> {
    let (w, h) = (p.width(), p.height());
    if w < 3 || h < 3 {
        return None;
    }
    s.smooth.resize(w, 0);
    s.diff.resize(w, 0);
    s.mag.resize(w - 2, 0.0);
    let (mut sum, mut sum_sq) = (0f64, 0i64);
    let mut lines = 0usize;
    for y in (1..h - 1).step_by(row_step(h)) {
        lines += 1;
        let (r0, r1, r2) = (p.row(y - 1), p.row(y), p.row(y + 1));
        let rows = r0.iter().zip(r1).zip(r2);
        // 16-bit lanes: 8-bit samples keep every term within +-1020.
        for ((sm, df), ((&a, &b), &c)) in s.smooth.iter_mut().zip(s.diff.iter_mut()).zip(rows) {
            let (a, b, c) = (
                (a.value() >> shift).min(255) as i16,
                (b.value() >> shift).min(255) as i16,
                (c.value() >> shift).min(255) as i16,
            );
            *sm = a + 2 * b + c;
            *df = c - a;
        }
        // Gradients at x = 1..w-1 from shifted views of the row buffers,
        // in runs short enough for an i32 sum of squares (512 x 2.1e6 < 2^31).
        let (sm, df) = (&s.smooth, &s.diff);
        let mut x = 0;
        for mag in s.mag.chunks_mut(512) {
            let n = mag.len();
            let gx_terms = sm[x + 2..x + 2 + n].iter().zip(&sm[x..x + n]);
            let gy_terms = df[x..x + n]
                .iter()
                .zip(&df[x + 1..x + 1 + n])
                .zip(&df[x + 2..x + 2 + n]);
            let mut run_sq = 0i32;
            for ((m, (&right, &left)), ((&dl, &dc), &dr)) in
                mag.iter_mut().zip(gx_terms).zip(gy_terms)
            {
                let gx = i32::from(right - left);
                let gy = i32::from(dl + 2 * dc + dr);
                let q = gx * gx + gy * gy;
                run_sq += q;
                *m = q as f32;
            }
            sum_sq += i64::from(run_sq);
            x += n;
        }
        sum += sum_sqrt(&mut s.mag);
    }
    let n = ((w - 2) * lines) as f64;
    Some(std_dev(sum, sum_sq as f64, n))
}

/// Replaces each value by its square root and returns their sum: a plain
/// map, then a sum in eight independent f32 lanes (a float reduction the
/// compiler vectorises only when written this way), then in f64.
#[inline(always)]
fn sum_sqrt(values: &mut [f32]) -> f64 {
    values.iter_mut().for_each(|v| *v = v.sqrt());
    let mut lanes = [0f32; 8];
    let chunks = values.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    lanes.iter().map(|&l| f64::from(l)).sum::<f64>() + f64::from(tail)
}

/// How a picture differs from the previous one, in 8-bit units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameDiff {
    /// P.910 temporal information: standard deviation of the difference.
    pub ti: f64,
    /// Mean absolute frame difference (0 for a repeated picture).
    pub mafd: f64,
}

/// TI and mean absolute difference between `cur` and `prev`. `None` when the
/// two pictures differ in size or sample type (a mid-stream format change).
#[inline(always)]
pub fn frame_difference(cur: Luma<'_>, prev: Luma<'_>) -> Option<FrameDiff> {
    match (cur, prev) {
        (Luma::U8(a), Luma::U8(b)) => diff_stats(a, b, 0),
        (Luma::U16(a, da), Luma::U16(b, db)) if da == db => diff_stats(a, b, cur.shift()),
        _ => None,
    }
}

#[inline(always)]
fn diff_stats<T: Sample>(a: PlaneRef<'_, T>, b: PlaneRef<'_, T>, shift: u32) -> Option<FrameDiff> {
    let (w, h) = (a.width(), a.height());
    if w != b.width() || h != b.height() || w == 0 || h == 0 {
        return None;
    }
    let (mut sum, mut sum_sq, mut sum_abs) = (0i64, 0i64, 0i64);
    let mut lines = 0usize;
    for (ra, rb) in a.rows().zip(b.rows()).step_by(row_step(h)) {
        lines += 1;
        // i32 per row cannot overflow: 255^2 x 8192 columns < 2^31.
        let (mut s, mut s2, mut sa) = (0i32, 0i32, 0i32);
        for (&x, &y) in ra.iter().zip(rb) {
            let d = (x.value() >> shift) as i32 - (y.value() >> shift) as i32;
            s += d;
            s2 += d * d;
            sa += d.abs();
        }
        sum += i64::from(s);
        sum_sq += i64::from(s2);
        sum_abs += i64::from(sa);
    }
    let n = (w * lines) as f64;
    Some(FrameDiff {
        ti: std_dev(sum as f64, sum_sq as f64, n),
        mafd: sum_abs as f64 / n,
    })
}

#[inline(always)]
fn std_dev(sum: f64, sum_sq: f64, n: f64) -> f64 {
    let mean = sum / n;
    (sum_sq / n - mean * mean).max(0.0).sqrt()
}

/// SI and TI of one picture pair, for callers that need no scratch reuse.
pub fn si_ti(cur: Luma<'_>, prev: Option<Luma<'_>>) -> (Option<f64>, Option<f64>) {
    let si = spatial_information(cur, &mut SobelScratch::default());
    let ti = prev.and_then(|p| frame_difference(cur, p)).map(|d| d.ti);
    (si, ti)
}

/// A single complexity figure in [0, 1) from a shot's mean SI and TI.
///
/// Each measure saturates smoothly (`1 - exp(-x / scale)`) and the two are
/// averaged. The scales sit where P.910 SI/TI plots of broadcast content
/// turn from "easy" to "hard" to encode: SI 80 (detailed texture), TI 20
/// (fast motion); so a static talking head lands near 0.3, sports near 0.8.
pub fn complexity(si_mean: f64, ti_mean: f64) -> f64 {
    let sat = |x: f64, scale: f64| 1.0 - (-x.max(0.0) / scale).exp();
    (0.5 * sat(si_mean, 80.0) + 0.5 * sat(ti_mean, 20.0)).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reel_core::Plane;

    fn plane(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Plane<u8> {
        let data = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y));
        Plane::from_vec(data.collect(), w, h, w).unwrap()
    }

    #[test]
    fn complexity_is_monotone_and_bounded() {
        assert_eq!(complexity(0.0, 0.0), 0.0);
        assert!(complexity(50.0, 5.0) < complexity(50.0, 30.0));
        assert!(complexity(50.0, 5.0) < complexity(120.0, 5.0));
        assert!(complexity(1e6, 1e6) <= 1.0);
    }

    #[test]
    fn flat_picture_has_no_spatial_information() {
        let p = plane(16, 8, |_, _| 77);
        let si = spatial_information(Luma::U8(p.view()), &mut SobelScratch::default()).unwrap();
        assert!(si.abs() < 1e-9);
    }

    #[test]
    fn si_matches_a_direct_computation() {
        let p = plane(23, 17, |x, y| ((x * 37 + y * y * 11) % 251) as u8);
        let si = spatial_information(Luma::U8(p.view()), &mut SobelScratch::default()).unwrap();
        let v = |x: usize, y: usize| f64::from(p.row(y)[x]);
        let mut mags = Vec::new();
        for y in (1..16).step_by(row_step(17)) {
            for x in 1..22 {
                let gx = v(x + 1, y - 1) + 2.0 * v(x + 1, y) + v(x + 1, y + 1)
                    - v(x - 1, y - 1)
                    - 2.0 * v(x - 1, y)
                    - v(x - 1, y + 1);
                let gy = v(x - 1, y + 1) + 2.0 * v(x, y + 1) + v(x + 1, y + 1)
                    - v(x - 1, y - 1)
                    - 2.0 * v(x, y - 1)
                    - v(x + 1, y - 1);
                mags.push((gx * gx + gy * gy).sqrt());
            }
        }
        let mean = mags.iter().sum::<f64>() / mags.len() as f64;
        let var = mags.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / mags.len() as f64;
        assert!(
            (si - var.sqrt()).abs() < 1e-3 * var.sqrt(),
            "{si} vs {}",
            var.sqrt()
        );
    }

    #[test]
    fn ti_and_mafd_of_a_half_changed_picture() {
        let a = plane(8, 8, |_, _| 100);
        let b = plane(8, 8, |x, _| if x < 4 { 100 } else { 120 });
        let d = frame_difference(Luma::U8(b.view()), Luma::U8(a.view())).unwrap();
        assert!((d.mafd - 10.0).abs() < 1e-9);
        assert!((d.ti - 10.0).abs() < 1e-9);
        let same = frame_difference(Luma::U8(a.view()), Luma::U8(a.view())).unwrap();
        assert_eq!(same.mafd, 0.0);
    }

    #[test]
    fn high_bit_depth_is_reported_in_8_bit_units() {
        let a8 = plane(9, 9, |x, y| ((x * 29 + y * 13) % 200) as u8);
        let data: Vec<u16> = a8.data().iter().map(|&v| u16::from(v) * 4).collect();
        let a10 = Plane::from_vec(data, 9, 9, 9).unwrap();
        let (s8, _) = si_ti(Luma::U8(a8.view()), None);
        let (s10, _) = si_ti(Luma::U16(a10.view(), 10), None);
        assert!((s8.unwrap() - s10.unwrap()).abs() < 1e-6);
    }
}
