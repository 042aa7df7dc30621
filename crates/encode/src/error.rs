//! The error type of reel-encode: every variant names the rendition, chunk or
//! file and the step that failed. Causes are chained through `source()`, not
//! repeated in the message, so `{:#}` prints each once.

use std::path::PathBuf;

/// Result of an encode-stage operation.
pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong in the encode stage, and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A rendition spec or recipe is unusable (unknown codec, odd size, bit rate 0...).
    #[error("rendition spec {spec:?}: {reason}")]
    Spec { spec: String, reason: String },

    /// The stage configuration or inputs are unusable.
    #[error("encode configuration: {0}")]
    Config(String),

    /// Units whose chunks were to be encoded elsewhere (`reel task`) are not done.
    #[error("{} of {total} units are not encoded yet (units {})", missing.len(), list_units(missing))]
    MissingUnits { total: usize, missing: Vec<usize> },

    /// Encoding one chunk of one or more rungs failed.
    #[error("chunk {chunk} (frames {start}..{end}) of {rung}")]
    Chunk {
        chunk: usize,
        start: u64,
        end: u64,
        rung: String,
        #[source]
        source: Box<reel_media::WriteError>,
    },

    /// Decoding the source for a chunk failed.
    #[error("chunk {chunk}: decoding {input}")]
    Decode {
        chunk: usize,
        input: String,
        #[source]
        source: Box<reel_media::Error>,
    },

    /// The source ended before the chunk's last frame.
    #[error("chunk {chunk}: the source {input} ended after {got} of the chunk's {want} frames (truncated, or shorter than its inspect report)")]
    ShortSource {
        chunk: usize,
        input: String,
        got: u64,
        want: u64,
    },

    /// Joining the chunks of a rung failed.
    #[error("assembling rendition {rung}")]
    Assemble {
        rung: String,
        #[source]
        source: Box<reel_media::WriteError>,
    },

    /// The assembled rendition does not have the source's frame count.
    #[error("rendition {rung}: {got} frames, source has {want}")]
    FrameCount { rung: String, got: u64, want: u64 },

    /// Encoding the audio failed.
    #[error("audio of {input}: {reason}")]
    Audio { input: String, reason: String },

    /// HLS or DASH packaging failed.
    #[error("packaging {what}: {reason}")]
    Package { what: String, reason: String },

    /// A file could not be read, written or renamed.
    #[error("{step} {}", path.display())]
    Io {
        step: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A unit of work panicked or a worker pool could not be built.
    #[error("worker pool: {0}")]
    Pool(String),
}

impl Error {
    pub(crate) fn io(step: &'static str, path: &std::path::Path, source: std::io::Error) -> Error {
        Error::Io {
            step,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Up to 20 unit indices, comma separated.
fn list_units(units: &[usize]) -> String {
    let mut text: Vec<String> = units.iter().take(20).map(usize::to_string).collect();
    if units.len() > 20 {
        text.push(format!("and {} more", units.len() - 20));
    }
    text.join(", ")
}
