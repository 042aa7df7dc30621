//! Shared harness of the `extra_*` tests: the reference pairs, decoded
//! through reel-media, and libvmaf's logged scores for them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::PathBuf;

use reel_core::{FramePlanes, PixelLayout, Plane, VideoFrame};
use reel_media::{DecodeEvent, DecoderOptions, VideoDecoder};

/// A reference pair as `/tests/data/scores` names it.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub name: &'static str,
    /// File of the reference clip in the media directory.
    pub reference: &'static str,
    /// Where the distorted clip lives.
    pub distorted: Distorted,
    /// The reference is 8-bit and the distorted 10-bit: libvmaf saw the
    /// reference promoted exactly by `x << 2`.
    pub promote_reference: bool,
}

#[derive(Debug, Clone, Copy)]
pub enum Distorted {
    /// `tests/data/encodes/<name>.mp4`.
    Encode,
    /// A clip of the media directory.
    Media(&'static str),
}

pub const BBB_CRF18: Pair = bbb("bigbuckbunny_x264_crf18");
pub const BBB_CRF28: Pair = bbb("bigbuckbunny_x264_crf28");
pub const BBB_CRF38: Pair = bbb("bigbuckbunny_x264_crf38");
pub const BBB_X265: Pair = bbb("bigbuckbunny_x265_crf30");
pub const BIKES_10BIT: Pair = Pair {
    name: "bikes_x265_main10_crf28",
    reference: "bikes.mp4",
    distorted: Distorted::Encode,
    promote_reference: true,
};
pub const CARPHONE: Pair = Pair {
    name: "carphone",
    reference: "carphone_pristine.mp4",
    distorted: Distorted::Media("carphone_distorted.mp4"),
    promote_reference: false,
};

const fn bbb(name: &'static str) -> Pair {
    Pair {
        name,
        reference: "bigbuckbunny.mp4",
        distorted: Distorted::Encode,
        promote_reference: false,
    }
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `REEL_MEDIA_DIR`, or `<workspace>/media-cache`.
pub fn media_dir() -> PathBuf {
    std::env::var_os("REEL_MEDIA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir().join("../../media-cache"))
}

impl Pair {
    pub fn reference_path(&self) -> PathBuf {
        media_dir().join(self.reference)
    }

    pub fn distorted_path(&self) -> PathBuf {
        match self.distorted {
            Distorted::Encode => crate_dir()
                .join("tests/data/encodes")
                .join(format!("{}.mp4", self.name)),
            Distorted::Media(file) => media_dir().join(file),
        }
    }

    /// Decodes both clips in lockstep and calls `f(index, reference,
    /// distorted)` for each frame pair. Panics when a clip is missing or
    /// the clips differ in length.
    pub fn for_each_frame(&self, mut f: impl FnMut(usize, &VideoFrame, &VideoFrame)) -> usize {
        let mut refs = frames(&self.reference_path());
        let mut dists = frames(&self.distorted_path());
        let mut n = 0;
        loop {
            match (refs.next(), dists.next()) {
                (Some(r), Some(d)) => {
                    let r = if self.promote_reference {
                        promote_to_10bit(r)
                    } else {
                        r
                    };
                    f(n, &r, &d);
                    n += 1;
                }
                (None, None) => return n,
                _ => panic!("{}: reference and distorted differ in length", self.name),
            }
        }
    }
}

/// The decoded frames of a clip, in presentation order.
fn frames(path: &std::path::Path) -> impl Iterator<Item = VideoFrame> {
    let path_str = path.to_string_lossy().into_owned();
    let decoder = VideoDecoder::open(&path_str, &DecoderOptions::default())
        .unwrap_or_else(|e| panic!("cannot open {path_str}: {e} (set REEL_MEDIA_DIR?)"));
    decoder.map(move |event| match event {
        Ok(DecodeEvent::Frame(frame)) => frame,
        Ok(DecodeEvent::Error(issue)) => panic!("{path_str}: decode issue {issue:?}"),
        Err(e) => panic!("{path_str}: {e}"),
    })
}

/// An 8-bit frame as 10-bit samples `x << 2` (how the 10-bit pair's
/// reference was fed to libvmaf).
fn promote_to_10bit(frame: VideoFrame) -> VideoFrame {
    let FramePlanes::U8(planes) = &frame.planes else {
        return frame;
    };
    let promoted = planes
        .iter()
        .map(|p| {
            let data = p
                .rows()
                .flat_map(|r| r.iter().map(|&v| u16::from(v) << 2))
                .collect();
            Plane::from_vec(data, p.width(), p.height(), p.width()).expect("plane size")
        })
        .collect();
    VideoFrame {
        layout: PixelLayout::new(frame.layout.chroma, 10),
        planes: FramePlanes::U16(promoted),
        ..frame
    }
}

/// Per-frame values libvmaf logged, by metric name.
pub struct Logged {
    frames: Vec<HashMap<String, f64>>,
}

impl Logged {
    /// `tests/data/scores/<pair><suffix>.json`, e.g. suffix `.features`.
    pub fn load(pair: &Pair, suffix: &str) -> Self {
        let path = crate_dir()
            .join("tests/data/scores")
            .join(format!("{}{suffix}.json", pair.name));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let json: serde_json::Value = serde_json::from_str(&text).expect("score JSON");
        let frames = json["frames"]
            .as_array()
            .expect("frames array")
            .iter()
            .map(|f| {
                f["metrics"]
                    .as_object()
                    .expect("metrics object")
                    .iter()
                    .filter_map(|(k, v)| v.as_f64().map(|v| (k.clone(), v)))
                    .collect()
            })
            .collect();
        Self { frames }
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn get(&self, frame: usize, metric: &str) -> f64 {
        *self.frames[frame]
            .get(metric)
            .unwrap_or_else(|| panic!("no {metric} for frame {frame}"))
    }
}

/// The largest deviations seen per metric, reported together at the end so
/// one run shows every metric's agreement.
#[derive(Default)]
pub struct Deviations {
    worst: Vec<(String, f64, usize, f64, f64)>,
}

impl Deviations {
    pub fn record(&mut self, metric: &str, frame: usize, ours: f64, libvmaf: f64) {
        let err = (ours - libvmaf).abs();
        let err = if err.is_nan() { f64::INFINITY } else { err };
        match self.worst.iter_mut().find(|w| w.0 == metric) {
            Some(w) if err > w.1 => *w = (metric.to_string(), err, frame, ours, libvmaf),
            Some(_) => {}
            None => self
                .worst
                .push((metric.to_string(), err, frame, ours, libvmaf)),
        }
    }

    /// Prints every metric's worst deviation and panics if one exceeds its
    /// tolerance (`tolerance(metric)`).
    pub fn check(&self, pair: &str, tolerance: impl Fn(&str) -> f64) {
        let mut failed = Vec::new();
        for (metric, err, frame, ours, libvmaf) in &self.worst {
            let tol = tolerance(metric);
            let verdict = if *err <= tol { "ok" } else { "FAIL" };
            eprintln!(
                "{pair} {metric:<16} max |err| {err:.3e} (tol {tol:.0e}) at frame {frame}: \
                 ours {ours:.9} libvmaf {libvmaf:.6} {verdict}"
            );
            if *err > tol {
                failed.push(metric.clone());
            }
        }
        assert!(
            failed.is_empty(),
            "{pair}: {failed:?} off libvmaf beyond tolerance"
        );
    }
}
