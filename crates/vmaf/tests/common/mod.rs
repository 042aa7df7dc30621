//! Shared helpers of the integration tests: locating clips, decoding them
//! with reel-media, reading libvmaf's reference JSON.

#![allow(dead_code)]

use reel_core::{ChromaSubsampling, FramePlanes, PixelLayout, Plane, VideoFrame};
use reel_media::{DecodeEvent, DecoderOptions, VideoDecoder};
use std::path::PathBuf;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Directory of the source clips: `$REEL_MEDIA_DIR` or `<workspace>/media-cache`.
pub fn media_dir() -> PathBuf {
    std::env::var_os("REEL_MEDIA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("media-cache"))
}

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// A reference pair of the shared data.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub name: &'static str,
    pub reference: &'static str,
    /// Distorted clip: in tests/data/encodes, or in the media dir.
    pub distorted: &'static str,
    pub distorted_in_media: bool,
    /// Promote the 8-bit reference to 10-bit by `x << 2`.
    pub promote10: bool,
}

pub const PAIRS: [Pair; 6] = [
    Pair {
        name: "bigbuckbunny_x264_crf18",
        reference: "bigbuckbunny.mp4",
        distorted: "bigbuckbunny_x264_crf18.mp4",
        distorted_in_media: false,
        promote10: false,
    },
    Pair {
        name: "bigbuckbunny_x264_crf28",
        reference: "bigbuckbunny.mp4",
        distorted: "bigbuckbunny_x264_crf28.mp4",
        distorted_in_media: false,
        promote10: false,
    },
    Pair {
        name: "bigbuckbunny_x264_crf38",
        reference: "bigbuckbunny.mp4",
        distorted: "bigbuckbunny_x264_crf38.mp4",
        distorted_in_media: false,
        promote10: false,
    },
    Pair {
        name: "bigbuckbunny_x265_crf30",
        reference: "bigbuckbunny.mp4",
        distorted: "bigbuckbunny_x265_crf30.mp4",
        distorted_in_media: false,
        promote10: false,
    },
    Pair {
        name: "bikes_x265_main10_crf28",
        reference: "bikes.mp4",
        distorted: "bikes_x265_main10_crf28.mp4",
        distorted_in_media: false,
        promote10: true,
    },
    Pair {
        name: "carphone",
        reference: "carphone_pristine.mp4",
        distorted: "carphone_distorted.mp4",
        distorted_in_media: true,
        promote10: false,
    },
];

pub fn pair(name: &str) -> Pair {
    PAIRS
        .iter()
        .copied()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no pair {name}"))
}

/// `x << 2`: an 8-bit frame as the 10-bit frame libvmaf's reference saw.
pub fn promote10(f: VideoFrame) -> VideoFrame {
    let planes = match f.planes {
        FramePlanes::U8(ps) => FramePlanes::U16(
            ps.iter()
                .map(|p| {
                    let data: Vec<u16> = p
                        .rows()
                        .flat_map(|r| r.iter().map(|&v| u16::from(v) << 2))
                        .collect();
                    Plane::from_vec(data, p.width(), p.height(), p.width()).expect("plane")
                })
                .collect(),
        ),
        other => other,
    };
    VideoFrame {
        layout: PixelLayout::new(ChromaSubsampling::Cs420, 10),
        planes,
        ..f
    }
}

/// Decodes a clip's frames (decode issues are fatal here: the clips are clean).
pub fn frames(path: PathBuf) -> impl Iterator<Item = Result<VideoFrame, String>> {
    let dec = VideoDecoder::open(&path.to_string_lossy(), &DecoderOptions::default())
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    dec.map(|ev| match ev {
        Ok(DecodeEvent::Frame(f)) => Ok(f),
        Ok(DecodeEvent::Error(issue)) => Err(issue.message),
        Err(e) => Err(e.to_string()),
    })
}

/// The (reference, distorted) frame pairs of `p`, as reel_vmaf wants them.
pub fn pair_frames(p: Pair) -> impl Iterator<Item = reel_vmaf::Result<(VideoFrame, VideoFrame)>> {
    let r = media_dir().join(p.reference);
    let d = if p.distorted_in_media {
        media_dir().join(p.distorted)
    } else {
        data_dir().join("encodes").join(p.distorted)
    };
    let promote = p.promote10;
    let refs = frames(r).map(move |f| f.map(|f| if promote { promote10(f) } else { f }));
    reel_vmaf::pair_frames(refs, frames(d))
}

/// libvmaf's reference output of a pair (`.hp.json`, `.json`, `.features.json`...).
pub fn reference_json(name: &str, kind: &str) -> serde_json::Value {
    let path = data_dir().join("scores").join(format!("{name}{kind}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("reference JSON")
}
