//! The integer-VIF log2 table built in code with f32 log2 equals libvmaf's.

// Tests and benches stop at the first broken fixture: expect() is their assert.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use reel_vmaf::integer::vif_table::log2_table;

#[test]
fn log2_table_matches_libvmaf() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vif_log2_table.txt");
    let text = std::fs::read_to_string(path).expect("table file");
    let table = log2_table();
    let mut checked = 0;
    let mut marked = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut it = line.split_whitespace();
        let i: usize = it.next().expect("index").parse().expect("index");
        let v: u16 = it.next().expect("value").parse().expect("value");
        assert_eq!(table[i], v, "entry {i}");
        if it.next() == Some("*") {
            marked += 1;
            // A double-precision log2 would give a different value here.
            let d = ((i as f64).log2() * 2048.0).round() as u16;
            assert_ne!(d, v, "entry {i} is marked as float-specific");
        }
        checked += 1;
    }
    assert_eq!(checked, 65535 - 32767 + 1);
    assert_eq!(marked, 38);
}
