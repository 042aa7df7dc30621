//! The error type of the writing side of reel-media (encoders, muxers and the
//! packet reader used to join files): every variant names the file or encoder
//! and the step that failed.

/// Result of an encode, mux or packet-read operation.
pub type WriteResult<T> = std::result::Result<T, WriteError>;

/// What went wrong while encoding or writing media, and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The encoder configuration is unusable (zero size, odd size for 4:2:0...).
    #[error("{encoder}: invalid configuration: {reason}")]
    InvalidConfig { encoder: String, reason: String },

    /// This FFmpeg build has no encoder of that name.
    #[error("encoder {encoder} is not available in this FFmpeg build")]
    EncoderMissing { encoder: String },

    /// The encoder refused to open with the given settings.
    #[error("{encoder}: cannot open encoder: {reason}")]
    OpenEncoder { encoder: String, reason: String },

    /// Sending a frame or receiving a packet failed.
    #[error("{encoder}: encoding failed at {step}: {reason}")]
    Encode {
        encoder: String,
        step: String,
        reason: String,
    },

    /// Creating, writing or finishing an output file failed.
    #[error("{output}: cannot {step}: {reason}")]
    Mux {
        output: String,
        step: String,
        reason: String,
    },

    /// Opening or reading an input for stream copy failed.
    #[error("{input}: cannot {step}: {reason}")]
    Read {
        input: String,
        step: String,
        reason: String,
    },

    /// An error from the reading side of reel-media (decoder, scaler).
    #[error(transparent)]
    Media(#[from] crate::Error),
}
