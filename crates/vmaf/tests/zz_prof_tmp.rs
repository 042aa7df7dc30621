#![allow(clippy::unwrap_used, clippy::expect_used)]
use reel_core::Plane;
use reel_vmaf::integer::{adm, vif, Luma};
use reel_vmaf::simd::Isa;
use std::io::Read;

fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = stat.rsplit_once(')').unwrap().1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}

#[test]
#[ignore]
fn prof() {
    let (w, h) = (1280usize, 720usize);
    let load = |p: &str| {
        let mut f = std::fs::File::open(p).unwrap();
        let mut v = Vec::new();
        for _ in 0..std::env::var("NF")
            .map(|v| v.parse().unwrap())
            .unwrap_or(20)
        {
            let mut y = vec![0u8; w * h];
            f.read_exact(&mut y).unwrap();
            let mut c = vec![0u8; w * h / 2];
            f.read_exact(&mut c).unwrap();
            v.push(Plane::from_vec(y, w, h, w).unwrap());
        }
        v
    };
    let r = load("/work/main/target/fixtures/bbb_ref.yuv");
    let d = load("/work/main/target/fixtures/bbb_x264_crf28.yuv");
    let isa = Isa::detect();
    let mut vs = vif::VifScratch::default();
    let mut ad = adm::AdmScratch::default();
    let mut acc = 0.0;
    let (mut bv, mut ba) = (f64::MAX, f64::MAX);
    let f = r.len() as f64;
    for _ in 0..std::env::var("NR").map(|v| v.parse().unwrap()).unwrap_or(6) {
        let t0 = cpu();
        if std::env::var("ONLY").is_ok_and(|v| v == "adm") {
            for (a, b) in r.iter().zip(&d) {
                acc += adm::adm(Luma::U8(a), Luma::U8(b), 100.0, isa, &mut ad).adm2;
            }
            ba = ba.min((cpu() - t0) * 1e3 / f);
            continue;
        }
        for (a, b) in r.iter().zip(&d) {
            acc += vif::vif(Luma::U8(a), Luma::U8(b), 100.0, isa, &mut vs).scale[0];
        }
        let t1 = cpu();
        if std::env::var("ONLY").is_ok_and(|v| v == "vif") {
            bv = bv.min((t1 - t0) * 1e3 / f);
            continue;
        }
        for (a, b) in r.iter().zip(&d) {
            acc += adm::adm(Luma::U8(a), Luma::U8(b), 100.0, isa, &mut ad).adm2;
        }
        let t2 = cpu();
        bv = bv.min((t1 - t0) * 1e3 / f);
        ba = ba.min((t2 - t1) * 1e3 / f);
    }
    println!("VIF {bv:.2} ms/frame  ADM {ba:.2} ms/frame ({acc})");
}
