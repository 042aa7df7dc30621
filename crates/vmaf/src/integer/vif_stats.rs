//! One scale of integer VIF: separable Gaussian statistics and the per-pixel
//! log-domain information terms, accumulated in i64 (order-independent).

use super::vif_table::log2_table;
use super::{mirror_a, split_even_odd, Pixel};
use crate::simd::Isa;

/// `sigma_nsq = 2` in "8-bit pixel² × 65536" units.
pub(crate) const SIGMA_NSQ: i32 = 131_072;
/// Columns handled together so LLVM keeps the accumulators in registers.
const BLOCK: usize = 16;

/// An image given as a sample slice with its row stride.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Img<'a, P> {
    pub data: &'a [P],
    pub stride: usize,
    pub width: usize,
    pub height: usize,
}

impl<'a, P> Img<'a, P> {
    #[inline(always)]
    pub fn row(&self, y: usize) -> &'a [P] {
        let s = y * self.stride;
        &self.data[s..s + self.width]
    }
}

/// Integer sums of one scale.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VifSums {
    pub num_log: i64,
    pub den_log: i64,
    pub num_nonlog: i64,
    pub cnt_nonlog: i64,
}

impl VifSums {
    /// libvmaf's per-scale numerator and denominator, stored as float.
    pub fn num_den(&self) -> (f32, f32) {
        let cnt = self.cnt_nonlog as f64;
        let num =
            self.num_log as f64 / 2048.0 + (cnt - (self.num_nonlog as f64 / 16384.0) / 65025.0);
        let den = self.den_log as f64 / 2048.0 + cnt;
        (num as f32, den as f32)
    }
}

/// Row buffers of one scale, reused across rows and frames.
#[derive(Debug, Default)]
pub(crate) struct StatsBuf {
    mu1: Vec<u32>,
    mu2: Vec<u32>,
    xx: Vec<u32>,
    yy: Vec<u32>,
    xy: Vec<u32>,
    /// The same row in the AVX2 horizontal pass's 16-bit form.
    #[cfg(target_arch = "x86_64")]
    split: super::vif_hpass::SplitRow,
}

impl StatsBuf {
    fn prepare(&mut self, len: usize) {
        for v in [
            &mut self.mu1,
            &mut self.mu2,
            &mut self.xx,
            &mut self.yy,
            &mut self.xy,
        ] {
            v.clear();
            v.resize(len, 0);
        }
    }
}

/// `rshift(65536·a + b, s)` for `s <= 16`, in u32 (wrapping like libvmaf's
/// u32 store). `a` and `b` are the filtered high and low 16-bit halves.
#[inline(always)]
fn join_halves(a: u32, b: u32, s: u32) -> u32 {
    let r = (1u32 << s) >> 1;
    (a << (16 - s)).wrapping_add((b + r) >> s)
}

/// Vertical filter of `N` columns starting at `j0`; results go to
/// `out[o..o + N]` of each buffer. The filter is symmetric, so mirrored taps
/// are added before multiplying. Second moments are filtered as two 16-bit
/// halves so every sum stays in u32 (`SPLIT`; 8-bit squares have no high
/// half).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn vblock<P: Pixel, const N: usize, const SPLIT: bool, const FL: usize>(
    rr: &[&[P]; FL],
    rd: &[&[P]; FL],
    filt: &[u16; FL],
    j0: usize,
    sh_mu: u32,
    sh_sq: u32,
    buf: &mut StatsBuf,
    o: usize,
) {
    let n = FL;
    let c = n / 2;
    let mut m1 = [0u32; N];
    let mut m2 = [0u32; N];
    let mut xx = [[0u32; N]; 2];
    let mut yy = [[0u32; N]; 2];
    let mut xy = [[0u32; N]; 2];
    let split = |v: u32| if SPLIT { (v >> 16, v & 0xffff) } else { (0, v) };
    for (k, &f) in filt[..=c].iter().enumerate() {
        let f = u32::from(f);
        let (a0, a1) = (&rr[k][j0..j0 + N], &rr[n - 1 - k][j0..j0 + N]);
        let (b0, b1) = (&rd[k][j0..j0 + N], &rd[n - 1 - k][j0..j0 + N]);
        if k < c {
            for l in 0..N {
                let (x0, x1) = (a0[l].to_u32(), a1[l].to_u32());
                let (y0, y1) = (b0[l].to_u32(), b1[l].to_u32());
                m1[l] += f * (x0 + x1);
                m2[l] += f * (y0 + y1);
                let (h0, l0) = split(x0 * x0);
                let (h1, l1) = split(x1 * x1);
                xx[0][l] += f * (h0 + h1);
                xx[1][l] += f * (l0 + l1);
                let (h0, l0) = split(y0 * y0);
                let (h1, l1) = split(y1 * y1);
                yy[0][l] += f * (h0 + h1);
                yy[1][l] += f * (l0 + l1);
                let (h0, l0) = split(x0 * y0);
                let (h1, l1) = split(x1 * y1);
                xy[0][l] += f * (h0 + h1);
                xy[1][l] += f * (l0 + l1);
            }
        } else {
            for l in 0..N {
                let (x, y) = (a0[l].to_u32(), b0[l].to_u32());
                m1[l] += f * x;
                m2[l] += f * y;
                let (h, lo) = split(x * x);
                xx[0][l] += f * h;
                xx[1][l] += f * lo;
                let (h, lo) = split(y * y);
                yy[0][l] += f * h;
                yy[1][l] += f * lo;
                let (h, lo) = split(x * y);
                xy[0][l] += f * h;
                xy[1][l] += f * lo;
            }
        }
    }
    let r_mu = (1u32 << sh_mu) >> 1;
    let o_m1 = &mut buf.mu1[o..o + N];
    let o_m2 = &mut buf.mu2[o..o + N];
    let o_xx = &mut buf.xx[o..o + N];
    let o_yy = &mut buf.yy[o..o + N];
    let o_xy = &mut buf.xy[o..o + N];
    for l in 0..N {
        o_m1[l] = (m1[l] + r_mu) >> sh_mu;
        o_m2[l] = (m2[l] + r_mu) >> sh_mu;
        o_xx[l] = join_halves(xx[0][l], xx[1][l], sh_sq);
        o_yy[l] = join_halves(yy[0][l], yy[1][l], sh_sq);
        o_xy[l] = join_halves(xy[0][l], xy[1][l], sh_sq);
    }
}

/// Horizontal filter of `N` output columns starting at `j0` (buffers are
/// padded by `half` on each side), then the per-pixel VIF terms.
#[inline(always)]
fn hblock<'a, const N: usize, const FL: usize>(
    buf: &'a StatsBuf,
    filt: &[u16; FL],
    j0: usize,
    egl: f64,
    table: &[u16; 65537],
    sums: &mut VifSums,
) {
    let c = FL / 2;
    // The taps of the block's outputs, sliced once.
    let win = |v: &'a [u32]| &v[j0..j0 + FL - 1 + N];
    let (wm1, wm2) = (win(&buf.mu1), win(&buf.mu2));
    let (wxx, wyy, wxy) = (win(&buf.xx), win(&buf.yy), win(&buf.xy));
    let mut mu1 = [0u32; N];
    let mut mu2 = [0u32; N];
    let mut sxx = [[0u32; N]; 2];
    let mut syy = [[0u32; N]; 2];
    let mut sxy = [[0u32; N]; 2];
    for (k, &f) in filt[..=c].iter().enumerate() {
        let f = u32::from(f);
        let (s0, s1) = (k, FL - 1 - k);
        let (a0, a1) = (&wm1[s0..s0 + N], &wm1[s1..s1 + N]);
        let (b0, b1) = (&wm2[s0..s0 + N], &wm2[s1..s1 + N]);
        let (c0, c1) = (&wxx[s0..s0 + N], &wxx[s1..s1 + N]);
        let (d0, d1) = (&wyy[s0..s0 + N], &wyy[s1..s1 + N]);
        let (e0, e1) = (&wxy[s0..s0 + N], &wxy[s1..s1 + N]);
        if k < c {
            for l in 0..N {
                mu1[l] += f * (a0[l] + a1[l]);
                mu2[l] += f * (b0[l] + b1[l]);
                sxx[0][l] += f * ((c0[l] >> 16) + (c1[l] >> 16));
                sxx[1][l] += f * ((c0[l] & 0xffff) + (c1[l] & 0xffff));
                syy[0][l] += f * ((d0[l] >> 16) + (d1[l] >> 16));
                syy[1][l] += f * ((d0[l] & 0xffff) + (d1[l] & 0xffff));
                sxy[0][l] += f * ((e0[l] >> 16) + (e1[l] >> 16));
                sxy[1][l] += f * ((e0[l] & 0xffff) + (e1[l] & 0xffff));
            }
        } else {
            for l in 0..N {
                mu1[l] += f * a0[l];
                mu2[l] += f * b0[l];
                sxx[0][l] += f * (c0[l] >> 16);
                sxx[1][l] += f * (c0[l] & 0xffff);
                syy[0][l] += f * (d0[l] >> 16);
                syy[1][l] += f * (d0[l] & 0xffff);
                sxy[0][l] += f * (e0[l] >> 16);
                sxy[1][l] += f * (e0[l] & 0xffff);
            }
        }
    }
    let halves = [sxx[0], sxx[1], syy[0], syy[1], sxy[0], sxy[1]];
    let (s1, s2, s12) = variances(&mu1, &mu2, &halves);
    block_terms(&s1, &s2, &s12, egl, table, sums);
}

/// The filtered statistics of `N` pixels as libvmaf combines them: from the
/// means and the high/low 16-bit halves of xx, yy and xy (in that order),
/// sigma1², sigma2² (at least 0) and sigma12 in wrapping 32-bit arithmetic.
#[inline(always)]
pub(crate) fn variances<const N: usize>(
    mu1: &[u32; N],
    mu2: &[u32; N],
    halves: &[[u32; N]; 6],
) -> ([i32; N], [i32; N], [i32; N]) {
    let [xh, xl, yh, yl, ph, pl] = halves;
    let mut s1 = [0i32; N];
    let mut s2 = [0i32; N];
    let mut s12 = [0i32; N];
    for l in 0..N {
        let (m1, m2) = (u64::from(mu1[l]), u64::from(mu2[l]));
        let mu1_sq = ((m1 * m1 + 0x8000_0000) >> 32) as u32;
        let mu2_sq = ((m2 * m2 + 0x8000_0000) >> 32) as u32;
        let mu12 = ((m1 * m2 + 0x8000_0000) >> 32) as u32;
        let xx = join_halves(xh[l], xl[l], 16);
        let yy = join_halves(yh[l], yl[l], 16);
        let xy = join_halves(ph[l], pl[l], 16);
        s1[l] = xx.wrapping_sub(mu1_sq) as i32;
        s2[l] = (yy.wrapping_sub(mu2_sq) as i32).max(0);
        s12[l] = xy.wrapping_sub(mu12) as i32;
    }
    (s1, s2, s12)
}

/// `log2(x)·2048` split as (table index, power of two) for an integer
/// `x` in `[2^16, 2^53)` held exactly in an f64: the index is the top 16
/// significant bits (truncated) and the power is how far they were shifted,
/// which the f64's exponent and mantissa give without a bit scan. This is
/// `log2_64`'s arithmetic in a form that vectorises.
#[inline(always)]
fn log2_parts(x: f64) -> (usize, i64) {
    let bits = x.to_bits();
    let index = 0x8000 | ((bits >> 37) & 0x7fff);
    let shift = ((bits >> 52) as i64) - 1023 - 15;
    (index as usize, shift)
}

/// The per-pixel contributions of VIF over a block (see VMAF-ALGORITHM.md,
/// VIF step 4). The arithmetic runs lane-wise over the block and only the
/// table lookups are scalar; both branches of every pixel are evaluated and
/// selected, so textured content costs no mispredictions. Unselected lanes
/// compute on harmless values (every index is masked into the table). The
/// selected values are exactly libvmaf's: every integer below is exact in an
/// f64 (all are under 2^53).
#[inline(always)]
pub(crate) fn block_terms<const N: usize>(
    s1: &[i32; N],
    s2: &[i32; N],
    s12: &[i32; N],
    egl: f64,
    table: &[u16; 65537],
    sums: &mut VifSums,
) {
    let eps = 65536.0 * 1.0e-10;
    let sigma = f64::from(SIGMA_NSQ);
    let mut den_x = [0f64; N];
    let mut n1_x = [0f64; N];
    let mut n2_x = [0f64; N];
    for l in 0..N {
        let (a, b, c) = (f64::from(s1[l]), f64::from(s2[l]), f64::from(s12[l]));
        let g = c / (a + eps);
        // libvmaf's max((int)(s2 - g·s12), 0), kept in f64 so the block
        // vectorises: the difference never exceeds s2 < 2^31 in the lanes
        // whose `num` is used (s1, s12 > 0), and the truncation is exact.
        let sv = (b - g * c).trunc().max(0.0);
        let g = g.min(egl);
        // n1 = sv + sigma fits u32 and is exact in f64.
        n1_x[l] = sv + sigma;
        // trunc(g²·s1) + n1: libvmaf adds the i64 truncation of the gain term.
        n2_x[l] = ((g * g) * a).trunc() + n1_x[l];
        den_x[l] = a + sigma;
    }
    let mut den_i = [0usize; N];
    let mut n1_i = [0usize; N];
    let mut n2_i = [0usize; N];
    let mut den_k = [0i64; N];
    let mut num_k = [0i64; N];
    for l in 0..N {
        let (i, k) = log2_parts(den_x[l]);
        den_i[l] = i;
        den_k[l] = k;
        let (i1, k1) = log2_parts(n1_x[l]);
        let (i2, k2) = log2_parts(n2_x[l]);
        n1_i[l] = i1;
        n2_i[l] = i2;
        num_k[l] = k2 - k1;
    }
    let mut den = [0i32; N];
    let mut num = [0i32; N];
    for l in 0..N {
        let t = |i: usize| i32::from(table[i & 0xffff]);
        // Entries are at most 2^15 and the powers small: all fit i32.
        den[l] = t(den_i[l]) + 2048 * den_k[l] as i32 - 17 * 2048;
        num[l] = t(n2_i[l]) - t(n1_i[l]) + 2048 * num_k[l] as i32;
    }
    add_terms(s1, s2, s12, &den, &num, sums);
}

/// Adds one block's per-pixel log terms (`den`, `num`) and non-log terms
/// to `sums`, selecting without branches as libvmaf's conditions say.
#[inline(always)]
pub(crate) fn add_terms<const N: usize>(
    s1: &[i32; N],
    s2: &[i32; N],
    s12: &[i32; N],
    den: &[i32; N],
    num: &[i32; N],
    sums: &mut VifSums,
) {
    let (mut den_log, mut num_log, mut num_nonlog, mut cnt_nonlog) = (0i64, 0i64, 0i64, 0i64);
    for l in 0..N {
        let big = s1[l] >= SIGMA_NSQ;
        let ok = big & (s12[l] > 0) & (s2[l] > 0);
        den_log += i64::from(if big { den[l] } else { 0 });
        num_log += i64::from(if ok { num[l] } else { 0 });
        num_nonlog += if big { 0 } else { i64::from(s2[l]) };
        cnt_nonlog += i64::from(!big);
    }
    sums.den_log += den_log;
    sums.num_log += num_log;
    sums.num_nonlog += num_nonlog;
    sums.cnt_nonlog += cnt_nonlog;
}

/// The AVX2 vertical pass for 8-bit input and the 17-tap filter of scale
/// 0; returns how many columns it did (none for other inputs).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn vpass_u8<P: Pixel, const FL: usize>(
    simd: pulp::x86::V3,
    rr: &[&[P]; FL],
    rd: &[&[P]; FL],
    filt: &[u16; FL],
    w: usize,
    half: usize,
    buf: &mut StatsBuf,
) -> usize {
    use super::vif_vpass::{vpass, STEP};
    fn bytes<'a, P: Pixel, const FL: usize>(rows: &[&'a [P]; FL]) -> Option<[&'a [u8]; 17]> {
        let mut out: [&[u8]; 17] = [&[]; 17];
        if FL != 17 {
            return None;
        }
        for (o, r) in out.iter_mut().zip(rows) {
            *o = P::as_bytes(r)?;
        }
        Some(out)
    }
    let (Ok(f), Some(r8), Some(d8)) = (<&[u16; 17]>::try_from(&filt[..]), bytes(rr), bytes(rd))
    else {
        return 0;
    };
    let steps = w / STEP;
    let out = [
        &mut buf.mu1,
        &mut buf.mu2,
        &mut buf.xx,
        &mut buf.yy,
        &mut buf.xy,
    ]
    .map(|v| &mut v[half..]);
    vpass(simd, &r8, &d8, f, steps, out);
    steps * STEP
}

/// Whether the 16-bit multiply-add pass takes this filter: at most 17 taps
/// (nine pairs), each below 2^15.
#[cfg(target_arch = "x86_64")]
fn hpass_fits(filt: &[u16]) -> bool {
    filt.len() <= 17 && filt.iter().all(|&f| f < 0x8000)
}

/// Statistics of one scale. `sh_mu`/`sh_sq` are the vertical shifts of the
/// means and of the second moments.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn vif_scale<P: Pixel, const FL: usize>(
    r: Img<'_, P>,
    d: Img<'_, P>,
    filt: &[u16; FL],
    sh_mu: u32,
    sh_sq: u32,
    egl: f64,
    isa: Isa,
    buf: &mut StatsBuf,
) -> VifSums {
    let (w, h) = (r.width, r.height);
    let half = filt.len() / 2;
    let table = log2_table();
    let mut sums = VifSums::default();
    buf.prepare(w + 2 * half);
    // 8-bit squares (< 2^16) need no high half.
    let split = std::mem::size_of::<P>() > 1;
    for i in 0..h {
        let ys: [usize; FL] =
            std::array::from_fn(|k| mirror_a(i as isize - half as isize + k as isize, h));
        let rr: [&[P]; FL] = ys.map(|y| r.row(y));
        let rd: [&[P]; FL] = ys.map(|y| d.row(y));
        let mut j = 0;
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = isa.v3() {
            j = vpass_u8(simd, &rr, &rd, filt, w, half, buf);
        }
        if split {
            while j + BLOCK <= w {
                vblock::<P, BLOCK, true, FL>(&rr, &rd, filt, j, sh_mu, sh_sq, buf, half + j);
                j += BLOCK;
            }
            while j < w {
                vblock::<P, 1, true, FL>(&rr, &rd, filt, j, sh_mu, sh_sq, buf, half + j);
                j += 1;
            }
        } else {
            while j + BLOCK <= w {
                vblock::<P, BLOCK, false, FL>(&rr, &rd, filt, j, sh_mu, sh_sq, buf, half + j);
                j += BLOCK;
            }
            while j < w {
                vblock::<P, 1, false, FL>(&rr, &rd, filt, j, sh_mu, sh_sq, buf, half + j);
                j += 1;
            }
        }
        for f in 1..=half {
            let left = half + mirror_a(-(f as isize), w);
            let right = half + mirror_a((w - 1 + f) as isize, w);
            for v in [
                &mut buf.mu1,
                &mut buf.mu2,
                &mut buf.xx,
                &mut buf.yy,
                &mut buf.xy,
            ] {
                v[half - f] = v[left];
                v[half + w - 1 + f] = v[right];
            }
        }
        let mut j = 0;
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = isa.v3().filter(|_| hpass_fits(filt)) {
            use super::vif_hpass::{hpass, STEP};
            let len = w + 2 * half;
            let rows = [&buf.mu1, &buf.mu2, &buf.xx, &buf.yy, &buf.xy].map(|v| &v[..len]);
            buf.split.fill(rows);
            let steps = w / STEP;
            // Already inside `Isa::run`'s AVX2 copy, so the intrinsics inline.
            hpass(simd, &buf.split, steps, filt, egl, table, &mut sums);
            j = steps * STEP;
        }
        while j + BLOCK <= w {
            hblock::<BLOCK, FL>(buf, filt, j, egl, table, &mut sums);
            j += BLOCK;
        }
        while j < w {
            hblock::<1, FL>(buf, filt, j, egl, table, &mut sums);
            j += 1;
        }
    }
    sums
}

/// Filters `src` with `filt` (vertical shift `sh_v`, horizontal 16) and keeps
/// even rows and columns: the next VIF scale, `floor(w/2) × floor(h/2)`.
#[inline(always)]
pub(crate) fn downsample<P: Pixel>(
    src: Img<'_, P>,
    filt: &[u16],
    sh_v: u32,
    tmp: &mut Vec<u32>,
    out: &mut Vec<u16>,
) -> (usize, usize) {
    let (w, h) = (src.width, src.height);
    let (ow, oh) = (w / 2, h / 2);
    let half = filt.len() / 2;
    // Every output sample is written below; the buffer is only grown (the
    // same one holds scales 1 and 3), and only the first `ow × oh` are used.
    if out.len() < ow * oh {
        out.resize(ow * oh, 0);
    }
    tmp.clear();
    tmp.resize(w + 2 * half, 0);
    let r_v = (1u32 << sh_v) >> 1;
    let mut rows: Vec<&[P]> = Vec::with_capacity(filt.len());
    let (mut ev, mut od, mut hacc) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..oh {
        rows.clear();
        for k in 0..filt.len() {
            rows.push(src.row(mirror_a((2 * i) as isize - half as isize + k as isize, h)));
        }
        let vacc = &mut tmp[half..half + w];
        vacc.fill(0);
        for (row, &f) in rows.iter().zip(filt) {
            let f = u32::from(f);
            for (a, p) in vacc.iter_mut().zip(row.iter()) {
                *a += f * p.to_u32();
            }
        }
        for a in vacc.iter_mut() {
            *a = (*a + r_v) >> sh_v;
        }
        for f in 1..=half {
            tmp[half - f] = tmp[half + mirror_a(-(f as isize), w)];
            tmp[half + w - 1 + f] = tmp[half + mirror_a((w - 1 + f) as isize, w)];
        }
        // Even and odd columns apart, so that the taps of consecutive
        // outputs are contiguous: tmp[2j + k] = ev[j + k/2] or od[j + k/2].
        split_even_odd(tmp, &mut ev, &mut od);
        let orow = &mut out[i * ow..(i + 1) * ow];
        hacc.resize(ow, 0u32);
        hacc.fill(0);
        for (k, &f) in filt.iter().enumerate() {
            let f = u32::from(f);
            let src = if k % 2 == 0 {
                &ev[k / 2..]
            } else {
                &od[k / 2..]
            };
            for (a, &v) in hacc.iter_mut().zip(src) {
                *a += f * v;
            }
        }
        for (o, &a) in orow.iter_mut().zip(hacc.iter()) {
            *o = ((a + 32768) >> 16) as u16;
        }
    }
    (ow, oh)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// log2·2048 by the bit-scan definition libvmaf uses.
    fn log2_reference(table: &[u16; 65537], x: u64) -> i64 {
        let k = (48 - x.leading_zeros() as i32).max(0) as u32;
        i64::from(table[(x >> k) as usize & 0xffff]) + 2048 * i64::from(k)
    }

    #[test]
    fn log2_parts_match_the_bit_scan() {
        let table = log2_table();
        let mut x = 1u64 << 16;
        while x < 1 << 52 {
            for v in [x, x + 1, x + x / 3, 2 * x - 1] {
                let (i, k) = log2_parts(v as f64);
                assert_eq!(
                    i64::from(table[i]) + 2048 * k,
                    log2_reference(table, v),
                    "{v}"
                );
            }
            x += x / 7 + 1;
        }
        assert_eq!(log2_reference(table, 1 << 17), 17 * 2048);
    }
}
