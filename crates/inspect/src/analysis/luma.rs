//! Luma access shared by the detectors: 8- and 16-bit samples behind one trait,
//! and the 2x2 box filter that makes the quarter-area picture most detectors use.

use reel_core::{FramePlanes, Plane, PlaneRef, VideoFrame};

/// A luma sample, 8-bit or deeper. Kernels are generic over it so high bit
/// depth needs no conversion buffer.
pub trait Sample: Copy + Send + Sync + 'static {
    fn value(self) -> u32;
}

impl Sample for u8 {
    #[inline(always)]
    fn value(self) -> u32 {
        self as u32
    }
}

impl Sample for u16 {
    #[inline(always)]
    fn value(self) -> u32 {
        self as u32
    }
}

/// The luma plane of a frame, whatever its sample type.
#[derive(Debug, Clone, Copy)]
pub enum Luma<'a> {
    U8(PlaneRef<'a, u8>),
    /// Samples of `bit_depth` bits stored in `u16`.
    U16(PlaneRef<'a, u16>, u8),
}

impl<'a> Luma<'a> {
    /// The frame's luma, or `None` when it has no planes.
    pub fn of(frame: &'a VideoFrame) -> Option<Self> {
        match &frame.planes {
            FramePlanes::U8(p) => p.first().map(|p| Luma::U8(p.view())),
            FramePlanes::U16(p) => p
                .first()
                .map(|p| Luma::U16(p.view(), frame.layout.bit_depth)),
        }
    }

    pub fn width(&self) -> usize {
        match self {
            Luma::U8(p) => p.width(),
            Luma::U16(p, _) => p.width(),
        }
    }

    pub fn height(&self) -> usize {
        match self {
            Luma::U8(p) => p.height(),
            Luma::U16(p, _) => p.height(),
        }
    }

    /// How far samples must be shifted right to be 8-bit.
    pub fn shift(&self) -> u32 {
        match self {
            Luma::U8(_) => 0,
            Luma::U16(_, depth) => u32::from(depth.saturating_sub(8)),
        }
    }
}

/// Box-filters `src` by 2 in both directions into `out` as 8-bit samples.
///
/// `out` is reallocated only when the size changes, so a caller that keeps
/// it across frames allocates once per resolution. An odd last column or row
/// is dropped (a frame narrower than 2 keeps its single column).
#[inline(always)]
pub fn downscale_half(src: Luma<'_>, out: &mut Plane<u8>) {
    match src {
        Luma::U8(p) => downscale_half_u8(p, out),
        Luma::U16(p, _) => downscale_half_t(p, src.shift(), out),
    }
}

/// Output pixels per block of [`downscale_half_u8`]: its row sums fit on
/// the stack.
const BLOCK: usize = 64;

/// The 8-bit case, the common one, in two plain loops the compiler
/// vectorises: vertical pair sums in 16 bits, then horizontal pairs.
#[inline(always)]
fn downscale_half_u8(src: PlaneRef<'_, u8>, out: &mut Plane<u8>) {
    let (w, h) = (src.width(), src.height());
    if w < 2 || h == 0 {
        downscale_half_t(src, 0, out);
        return;
    }
    let (ow, oh) = (w / 2, (h / 2).max(1));
    if out.width() != ow || out.height() != oh {
        *out = Plane::new(ow, oh);
    }
    let mut sums = [0u16; 2 * BLOCK];
    for oy in 0..oh {
        let r0 = src.row((2 * oy).min(h - 1));
        let r1 = src.row((2 * oy + 1).min(h - 1));
        let dst = out.row_mut(oy);
        let blocks = dst
            .chunks_mut(BLOCK)
            .zip(r0.chunks(2 * BLOCK))
            .zip(r1.chunks(2 * BLOCK));
        for ((d, a), b) in blocks {
            for ((s, &x), &y) in sums.iter_mut().zip(a).zip(b) {
                *s = u16::from(x) + u16::from(y);
            }
            for (d, pair) in d.iter_mut().zip(sums.chunks_exact(2)) {
                *d = ((pair[0] + pair[1] + 2) >> 2) as u8;
            }
        }
    }
}

#[inline(always)]
fn downscale_half_t<T: Sample>(src: PlaneRef<'_, T>, shift: u32, out: &mut Plane<u8>) {
    let (w, h) = (src.width(), src.height());
    let (ow, oh) = ((w / 2).max(w.min(1)), (h / 2).max(h.min(1)));
    if out.width() != ow || out.height() != oh {
        *out = Plane::new(ow, oh);
    }
    let round = 2u32 << shift;
    for oy in 0..oh {
        let r0 = src.row((2 * oy).min(h - 1));
        let r1 = src.row((2 * oy + 1).min(h - 1));
        let dst = out.row_mut(oy);
        if w < 2 {
            dst[0] = ((r0[0].value() + r1[0].value() + 1) >> (1 + shift)).min(255) as u8;
            continue;
        }
        for ((d, a), b) in dst
            .iter_mut()
            .zip(r0.chunks_exact(2))
            .zip(r1.chunks_exact(2))
        {
            let sum = a[0].value() + a[1].value() + b[0].value() + b[1].value();
            *d = ((sum + round) >> (2 + shift)).min(255) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downscale_averages_2x2_blocks() {
        let data: Vec<u8> = vec![0, 4, 10, 10, 8, 12, 20, 20, 1, 1, 1, 1];
        let src = Plane::from_vec(data, 4, 3, 4).unwrap();
        let mut out = Plane::new(0, 0);
        downscale_half(Luma::U8(src.view()), &mut out);
        assert_eq!((out.width(), out.height()), (2, 1));
        assert_eq!(out.row(0), &[6, 15]);
    }

    #[test]
    fn downscale_u8_matches_the_generic_kernel() {
        for (w, h) in [(1, 1), (2, 1), (3, 3), (129, 5), (300, 7), (1920, 4)] {
            let data: Vec<u8> = (0..w * h).map(|i| ((i * 7919) % 256) as u8).collect();
            let src = Plane::from_vec(data, w, h, w).unwrap();
            let (mut fast, mut generic) = (Plane::new(0, 0), Plane::new(0, 0));
            downscale_half(Luma::U8(src.view()), &mut fast);
            downscale_half_t(src.view(), 0, &mut generic);
            assert_eq!(fast, generic, "{w}x{h}");
        }
    }

    #[test]
    fn downscale_normalises_high_bit_depth() {
        let src = Plane::from_vec(vec![400u16; 16], 4, 4, 4).unwrap();
        let mut out = Plane::new(0, 0);
        downscale_half(Luma::U16(src.view(), 10), &mut out);
        assert_eq!(out.row(1), &[100, 100]);
    }
}
