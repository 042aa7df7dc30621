//! The log2 lookup table of integer VIF and the two log2 helpers built on it.

use std::sync::OnceLock;

/// `T[i] = round(log2f(i) * 2048)` for i in 32767..=65535; other entries 0.
/// Built with single-precision log2 as libvmaf does (a double log2 differs
/// at 38 indices).
pub fn log2_table() -> &'static [u16; 65537] {
    static TABLE: OnceLock<Box<[u16; 65537]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0u16; 65537]);
        for (i, v) in t.iter_mut().enumerate().take(65536).skip(32767) {
            *v = ((i as f32).log2() * 2048.0).round() as u16;
        }
        t
    })
}

/// log2(x)·2048 from the top 16 significant bits (truncated), for
/// `x >= 2^16`.
#[inline(always)]
pub(crate) fn log2_32(table: &[u16; 65537], x: u32) -> i64 {
    let k = (16 - x.leading_zeros() as i32).max(0) as u32;
    i64::from(table[(x >> k) as usize & 0xffff]) + 2048 * i64::from(k)
}

/// log2(x)·2048 from the top 16 significant bits (truncated), for
/// `x >= 2^16`.
#[inline(always)]
pub(crate) fn log2_64(table: &[u16; 65537], x: u64) -> i64 {
    let k = (48 - x.leading_zeros() as i32).max(0) as u32;
    i64::from(table[(x >> k) as usize & 0xffff]) + 2048 * i64::from(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_endpoints() {
        let t = log2_table();
        assert_eq!(t[32767], 30720);
        assert_eq!(t[32768], 30720);
        assert_eq!(t[65535], 32768);
        assert_eq!(t[100], 0);
        // 2^17 -> 17 * 2048
        assert_eq!(log2_32(t, 1 << 17), 17 * 2048);
        assert_eq!(log2_64(t, 1 << 40), 40 * 2048);
    }
}
