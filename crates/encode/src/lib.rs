//! The encode stage of reel: shot cuts become a chunk plan shared by every
//! rung; each chunk is decoded once and fed to every rung's scaler and
//! encoder on a rayon pool (longest first), with IDRs forced at each chunk
//! start and every GOP inside it so key frames align across rungs. Chunks are
//! joined into `renditions/<rung>.mp4`, the audio is encoded once to AAC-LC,
//! HLS (CMAF fMP4) and DASH are packaged over the same key frames, and
//! `encode.json` is written last.
//!
//! What every rendition keeps from the source: the colour tags (primaries,
//! transfer, matrix, range, chroma location); HDR10 static metadata
//! (mastering display, content light) as SEI in libx264/libx265 rungs, as
//! metadata OBUs in AV1 rungs (libsvtav1 writes them, reel splices them into
//! libaom's key frames) and as container boxes for VP9; the display
//! rotation, tagged unchanged (rung sizes are coded sizes, before rotation);
//! and the display aspect: each rung's SAR is chosen so that its coded size
//! shows at the source's display aspect. The main audio is copied rather than
//! encoded when it already is suitable AAC-LC (the rule is in
//! docs/manifests.md and [`passthrough_fits`]).
//!
//! | file | job |
//! |---|---|
//! | `spec.rs` | `1280x720:h264:crf=23:...` -> [`RungRecipe`](reel_core::RungRecipe), checks |
//! | `codec.rs` | recipe -> libavcodec encoder name and options |
//! | `av1_hdr.rs` | HDR10 metadata OBUs for AV1 encoders without their own |
//! | `plan.rs` | cuts -> chunk plan within min/max lengths |
//! | `unit.rs` | one chunk, decode once, encode every rung; chunk records, resume |
//! | `assemble.rs` | chunks -> `renditions/<rung>.mp4` with continuous timestamps |
//! | `audio.rs` | main audio -> AAC-LC, trimmed/padded to the video duration |
//! | `audio_copy.rs` | audio passthrough: the rule, and the packet copy |
//! | `package.rs` | HLS master/media playlists (measured bandwidth) and DASH MPD |
//! | `checksum.rs` | sha256, temp + rename writes |
//! | `run.rs` | the stage: [`run`], [`encode_chunks`], `encode.json` |
//!
//! ```no_run
//! use reel_encode::{parse_spec, run, EncodeConfig, SourceFacts};
//! # fn main() -> reel_encode::Result<()> {
//! let facts = SourceFacts::probe("clip.mp4")?;
//! let config = EncodeConfig {
//!     rungs: vec![parse_spec("640x360:h264:crf=23:preset=veryfast")?],
//!     ..Default::default()
//! };
//! let manifest = run(&facts, &config, std::path::Path::new("out"))?;
//! println!("{} renditions", manifest.renditions.len());
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod assemble;
mod audio;
mod audio_copy;
mod av1_hdr;
mod checksum;
mod codec;
mod error;
mod package;
mod plan;
mod run;
mod spec;
mod unit;

pub use assemble::{assemble, rendition_path, Assembled};
pub use audio::{encode_audio, AudioOptions, EncodedAudio};
pub use audio_copy::passthrough_fits;
pub use av1_hdr::Av1HdrObus;
pub use checksum::file_checksum;
pub use codec::{encoder_config, encoder_name, needs_av1_hdr_obus, StreamLook};
pub use error::{Error, Result};
pub use plan::{plan_chunks, ChunkLimits};
pub use run::{
    encode_chunks, encode_chunks_with, no_progress, plan_for, run, run_with, units, EncodeConfig,
    EncodeProgress, MissingChunks, RunStats, SourceFacts,
};
pub use spec::{check_recipe, parse_spec};
pub use unit::{chunk_path, chunk_verified, encode_unit, ChunkRecord, UnitContext, UnitOutcome};
