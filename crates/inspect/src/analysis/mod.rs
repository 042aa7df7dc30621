//! Pure per-frame analysis: no I/O, no decoding. Each detector is fed frames
//! (or features of frames) in order and keeps a bounded state, so the encode
//! and validate stages can reuse them on their own decodes.

pub mod crop;
pub mod features;
pub mod interlace;
pub mod luma;
pub mod shots;
pub mod siti;
pub mod spans;
pub mod vfr;
