//! libvmaf's integer (fixed-point) feature extractors: VIF, ADM and motion.
//!
//! Every function here reproduces libvmaf 3.2's integer arithmetic bit for
//! bit: the same widths, shifts, rounding and border rules. Only the luma
//! plane is used. Pixels are 8- to 12-bit samples stored as `u8` or `u16`.

pub mod adm;
mod adm_cm;
mod adm_decouple;
mod adm_dwt;
mod adm_pool;
pub mod motion;
pub mod vif;
#[cfg(target_arch = "x86_64")]
mod vif_hpass;
mod vif_stats;
pub mod vif_table;
#[cfg(target_arch = "x86_64")]
mod vif_vpass;

use reel_core::Plane;

/// A luma sample: `u8` for 8-bit video, `u16` for 10/12-bit.
pub trait Pixel: Copy + Default + Send + Sync + 'static {
    fn to_u32(self) -> u32;
    /// The samples as bytes when they are 8-bit, for byte-only kernels.
    fn as_bytes(s: &[Self]) -> Option<&[u8]>;
}

impl Pixel for u8 {
    #[inline(always)]
    fn to_u32(self) -> u32 {
        u32::from(self)
    }
    #[inline(always)]
    fn as_bytes(s: &[Self]) -> Option<&[u8]> {
        Some(s)
    }
}

impl Pixel for u16 {
    #[inline(always)]
    fn to_u32(self) -> u32 {
        u32::from(self)
    }
    #[inline(always)]
    fn as_bytes(_: &[Self]) -> Option<&[u8]> {
        None
    }
}

/// A borrowed luma plane of either sample width, with its bit depth.
#[derive(Debug, Clone, Copy)]
pub enum Luma<'a> {
    U8(&'a Plane<u8>),
    U16(&'a Plane<u16>, u32),
}

impl Luma<'_> {
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

    pub fn bit_depth(&self) -> u32 {
        match self {
            Luma::U8(_) => 8,
            Luma::U16(_, b) => *b,
        }
    }
}

/// Reflects an index without repeating the edge: -k -> k, n-1+k -> n-1-k
/// (libvmaf's VIF and motion borders). Indices still outside after one
/// reflection (planes smaller than the filter) are clamped.
#[inline(always)]
pub(crate) fn mirror_a(i: isize, n: usize) -> usize {
    let n = n as isize;
    let m = if i < 0 {
        -i
    } else if i >= n {
        2 * (n - 1) - i
    } else {
        i
    };
    m.clamp(0, n - 1) as usize
}

/// Reflects the top/left edge and duplicates the bottom/right one:
/// -k -> k, n-1+k -> n-k (libvmaf's ADM borders).
#[inline(always)]
pub(crate) fn mirror_b(i: isize, n: usize) -> usize {
    let n = n as isize;
    let m = if i < 0 {
        -i
    } else if i >= n {
        2 * n - 1 - i
    } else {
        i
    };
    m.clamp(0, n - 1) as usize
}

/// `ev[m] = src[2m]`, `od[m] = src[2m + 1]` (0 past the end). Reuses the
/// vectors' memory; every element is written.
#[inline(always)]
pub(crate) fn split_even_odd<T: Copy + Default>(src: &[T], ev: &mut Vec<T>, od: &mut Vec<T>) {
    let n = src.len().div_ceil(2);
    ev.resize(n, T::default());
    od.resize(n, T::default());
    for ((pair, e), o) in src.chunks_exact(2).zip(ev.iter_mut()).zip(od.iter_mut()) {
        *e = pair[0];
        *o = pair[1];
    }
    if let Some(&last) = src.chunks_exact(2).remainder().first() {
        ev[n - 1] = last;
        od[n - 1] = T::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_follow_libvmaf() {
        // mirrorA: reflect without repeating the edge.
        assert_eq!(mirror_a(-1, 5), 1);
        assert_eq!(mirror_a(-2, 5), 2);
        assert_eq!(mirror_a(5, 5), 3);
        assert_eq!(mirror_a(6, 5), 2);
        assert_eq!(mirror_a(3, 5), 3);
        // mirrorB: top reflected, bottom duplicated.
        assert_eq!(mirror_b(-1, 5), 1);
        assert_eq!(mirror_b(5, 5), 4);
        assert_eq!(mirror_b(6, 5), 3);
        // Tiny planes never index out of range.
        assert!(mirror_a(-3, 2) < 2);
        assert!(mirror_b(7, 2) < 2);
    }

    #[test]
    fn split_even_odd_pads_with_zero() {
        let (mut ev, mut od) = (vec![9; 7], Vec::new());
        split_even_odd(&[1, 2, 3, 4, 5], &mut ev, &mut od);
        assert_eq!(
            (ev.as_slice(), od.as_slice()),
            (&[1, 3, 5][..], &[2, 4, 0][..])
        );
        split_even_odd(&[1, 2], &mut ev, &mut od);
        assert_eq!((ev.as_slice(), od.as_slice()), (&[1][..], &[2][..]));
    }
}
