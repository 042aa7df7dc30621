//! Errors of reel-inspect. Every message names the input.

/// Result of an inspection.
pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Opening, probing or decoding the input failed (missing file, not
    /// media, no decoder, read failure). The media error names the input.
    #[error(transparent)]
    Media(#[from] reel_media::Error),

    /// An option is out of range.
    #[error("invalid inspect option {name}: {reason}")]
    InvalidOption { name: &'static str, reason: String },

    /// The analysis workers failed (a worker thread stopped).
    #[error("{input}: analysis failed: {reason}")]
    Analysis { input: String, reason: String },

    /// The main video stream decoded to no frame at all.
    #[error("{input}: video stream {stream} decoded to no frame ({errors} decode errors)")]
    NoFrames {
        input: String,
        stream: usize,
        errors: u64,
    },
}
