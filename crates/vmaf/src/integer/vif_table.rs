//! The log2 lookup table of integer VIF.

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
    }
}
