//! The db2 wavelet of integer ADM: one level produces the A (approximation),
//! H, V and D bands at half size (rounded up), with mirrorB borders.

use super::vif_stats::Img;
use super::{mirror_b, split_even_odd, Pixel};

/// Low-pass db2 taps (Q15).
pub(crate) const LO: [i32; 4] = [15826, 27411, 7345, -4240];
/// High-pass db2 taps (Q15).
pub(crate) const HI: [i32; 4] = [-4240, -7345, 27411, -15826];
/// Sum of [`LO`].
const LO_SUM: i32 = 46342;

/// The four bands of one level, `w × h` each, stride `w`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Bands<T> {
    pub a: Vec<T>,
    pub h: Vec<T>,
    pub v: Vec<T>,
    pub d: Vec<T>,
    pub w: usize,
    pub hgt: usize,
}

impl<T: Copy + Default> Bands<T> {
    fn prepare(&mut self, w: usize, h: usize) {
        // Every value read is first written by the transform: no clearing,
        // and no shrinking (buffers alternate between scales; growing back
        // would clear them every frame). Only the first `w × h` are used.
        for b in [&mut self.a, &mut self.h, &mut self.v, &mut self.d] {
            if b.len() < w * h {
                b.resize(w * h, T::default());
            }
        }
        self.w = w;
        self.hgt = h;
    }
}

/// Row buffers of the transform.
#[derive(Debug, Default)]
pub(crate) struct DwtTmp {
    ev_lo: Vec<i32>,
    od_lo: Vec<i32>,
    ev_hi: Vec<i32>,
    od_hi: Vec<i32>,
    lo32: Vec<i32>,
    hi32: Vec<i32>,
}

/// Copies `row` into `pad` so that `pad[1 + x] = row[x]` and the three
/// out-of-range columns -1, w, w+1 hold their mirrorB sources.
#[inline(always)]
fn pad_row<T: Copy>(pad: &mut [T], w: usize) {
    pad[0] = pad[1 + mirror_b(-1, w)];
    pad[w + 1] = pad[1 + mirror_b(w as isize, w)];
    pad[w + 2] = pad[1 + mirror_b(w as isize + 1, w)];
}

/// Taps `j` and `j + 1` of `ow` outputs: `(v[..ow], v[1..=ow])`.
#[inline(always)]
fn taps<T>(v: &[T], ow: usize) -> (&[T], &[T]) {
    (&v[..ow], &v[1..ow + 1])
}

/// Scale 0: the luma plane at bit depth `bpc` to int16 bands (DC removed).
#[inline(always)]
pub(crate) fn dwt_s0<P: Pixel>(src: Img<'_, P>, bpc: u32, out: &mut Bands<i16>, tmp: &mut DwtTmp) {
    let (w, h) = (src.width, src.height);
    let (ow, oh) = (w.div_ceil(2), h.div_ceil(2));
    out.prepare(ow, oh);
    let half = 1i32 << (bpc - 1);
    let dc = LO_SUM * half;
    tmp.lo32.clear();
    tmp.lo32.resize(w + 3, 0);
    tmp.hi32.clear();
    tmp.hi32.resize(w + 3, 0);
    for i in 0..oh {
        let r: [&[P]; 4] =
            std::array::from_fn(|k| src.row(mirror_b(2 * i as isize - 1 + k as isize, h)));
        // Rows exactly `w` long: no bounds checks in the loop below.
        let r = r.map(|x| &x[..w]);
        let lo = &mut tmp.lo32[1..1 + w];
        let hi = &mut tmp.hi32[1..1 + w];
        for (j, (l, hv)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
            let p = [
                r[0][j].to_u32() as i32,
                r[1][j].to_u32() as i32,
                r[2][j].to_u32() as i32,
                r[3][j].to_u32() as i32,
            ];
            let sl = LO[0] * p[0] + LO[1] * p[1] + LO[2] * p[2] + LO[3] * p[3];
            let sh = HI[0] * p[0] + HI[1] * p[1] + HI[2] * p[2] + HI[3] * p[3];
            // Stored as int16 by libvmaf, then read back.
            *l = i32::from(((sl - dc + half) >> bpc) as i16);
            *hv = i32::from(((sh + half) >> bpc) as i16);
        }
        pad_row(&mut tmp.lo32, w);
        pad_row(&mut tmp.hi32, w);
        // Even and odd padded columns apart: the taps 2j..2j+3 of output j
        // are ev[j], od[j], ev[j+1], od[j+1], contiguous across j.
        split_even_odd(&tmp.lo32, &mut tmp.ev_lo, &mut tmp.od_lo);
        split_even_odd(&tmp.hi32, &mut tmp.ev_hi, &mut tmp.od_hi);
        let row = i * ow;
        // Taps j and j + 1 of the even and odd columns, all `ow` long so
        // that the loop has no bounds checks and vectorises.
        let ((el0, el1), (ol0, ol1)) = (taps(&tmp.ev_lo, ow), taps(&tmp.od_lo, ow));
        let ((eh0, eh1), (oh0, oh1)) = (taps(&tmp.ev_hi, ow), taps(&tmp.od_hi, ow));
        let a = &mut out.a[row..row + ow];
        let v = &mut out.v[row..row + ow];
        let hh = &mut out.h[row..row + ow];
        let d = &mut out.d[row..row + ow];
        for j in 0..ow {
            let l = [el0[j], ol0[j], el1[j], ol1[j]];
            let g = [eh0[j], oh0[j], eh1[j], oh1[j]];
            let f =
                |c: &[i32; 4], s: &[i32; 4]| c[0] * s[0] + c[1] * s[1] + c[2] * s[2] + c[3] * s[3];
            a[j] = ((f(&LO, &l) + 32768) >> 16) as i16;
            v[j] = ((f(&HI, &l) + 32768) >> 16) as i16;
            hh[j] = ((f(&LO, &g) + 32768) >> 16) as i16;
            d[j] = ((f(&HI, &g) + 32768) >> 16) as i16;
        }
    }
}

/// A sample of the band a scale-1..3 transform reads.
pub(crate) trait BandSample: Copy {
    /// `((Σ c·p + add) >> sh) as i32` of one column's four rows.
    fn vertical(p: [Self; 4], c: &[i32; 4], add: i64, sh: u32) -> i32;
}

impl BandSample for i16 {
    /// Σ|c|·2^15 + add ≤ 54822·2^15 + 2^15 < 2^31 (add ≤ 2^15): 32-bit
    /// lanes hold the sum.
    #[inline(always)]
    fn vertical(p: [i16; 4], c: &[i32; 4], add: i64, sh: u32) -> i32 {
        let s = c[0] * i32::from(p[0])
            + c[1] * i32::from(p[1])
            + c[2] * i32::from(p[2])
            + c[3] * i32::from(p[3]);
        (s + add as i32) >> sh
    }
}

impl BandSample for i32 {
    #[inline(always)]
    fn vertical(p: [i32; 4], c: &[i32; 4], add: i64, sh: u32) -> i32 {
        let f = |k: usize| i64::from(c[k]) * i64::from(p[k]);
        ((f(0) + f(1) + f(2) + f(3) + add) >> sh) as i32
    }
}

/// Scales 1..3: the previous A band (`w × h`, stride `w`) to int32 bands.
#[inline(always)]
pub(crate) fn dwt_s123<T: BandSample>(
    src: &[T],
    w: usize,
    h: usize,
    scale: usize,
    out: &mut Bands<i32>,
    tmp: &mut DwtTmp,
) {
    const ADD_V: [i64; 3] = [0, 32768, 32768];
    const SH_V: [u32; 3] = [0, 16, 16];
    const ADD_H: [i64; 3] = [16384, 32768, 16384];
    const SH_H: [u32; 3] = [15, 16, 15];
    let (add_v, sh_v, add_h, sh_h) = (
        ADD_V[scale - 1],
        SH_V[scale - 1],
        ADD_H[scale - 1],
        SH_H[scale - 1],
    );
    let (ow, oh) = (w.div_ceil(2), h.div_ceil(2));
    out.prepare(ow, oh);
    // The vertical sums are stored as int32 by libvmaf: 32-bit rows.
    tmp.lo32.clear();
    tmp.lo32.resize(w + 3, 0);
    tmp.hi32.clear();
    tmp.hi32.resize(w + 3, 0);
    for i in 0..oh {
        let r: [&[T]; 4] = std::array::from_fn(
            #[inline(always)]
            |k| {
                let y = mirror_b(2 * i as isize - 1 + k as isize, h);
                &src[y * w..y * w + w]
            },
        );
        let lo = &mut tmp.lo32[1..1 + w];
        let hi = &mut tmp.hi32[1..1 + w];
        for (j, (l, hv)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
            let p = [r[0][j], r[1][j], r[2][j], r[3][j]];
            *l = T::vertical(p, &LO, add_v, sh_v);
            *hv = T::vertical(p, &HI, add_v, sh_v);
        }
        pad_row(&mut tmp.lo32, w);
        pad_row(&mut tmp.hi32, w);
        split_even_odd(&tmp.lo32, &mut tmp.ev_lo, &mut tmp.od_lo);
        split_even_odd(&tmp.hi32, &mut tmp.ev_hi, &mut tmp.od_hi);
        let ((el0, el1), (ol0, ol1)) = (taps(&tmp.ev_lo, ow), taps(&tmp.od_lo, ow));
        let ((eh0, eh1), (oh0, oh1)) = (taps(&tmp.ev_hi, ow), taps(&tmp.od_hi, ow));
        let row = i * ow;
        let a = &mut out.a[row..row + ow];
        let v = &mut out.v[row..row + ow];
        let hh = &mut out.h[row..row + ow];
        let d = &mut out.d[row..row + ow];
        // int32 samples times Q15 taps: 32×32→64-bit products.
        let f = |c: &[i32; 4], s: &[i32; 4]| {
            let m = |k: usize| i64::from(c[k]) * i64::from(s[k]);
            (m(0) + m(1) + m(2) + m(3) + add_h) >> sh_h
        };
        for j in 0..ow {
            let l = [el0[j], ol0[j], el1[j], ol1[j]];
            let g = [eh0[j], oh0[j], eh1[j], oh1[j]];
            a[j] = f(&LO, &l) as i32;
            v[j] = f(&HI, &l) as i32;
            hh[j] = f(&LO, &g) as i32;
            d[j] = f(&HI, &g) as i32;
        }
    }
}
