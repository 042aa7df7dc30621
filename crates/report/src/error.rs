//! Errors of the report.

/// What can go wrong while building a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A thumbnail frame is not 8-bit 4:2:0 or its planes are short.
    #[error("thumbnail of frame {frame}: {reason}")]
    Thumbnail { frame: u64, reason: String },
    /// The JPEG encoder failed.
    #[error("thumbnail of frame {frame}: JPEG encoding failed: {source}")]
    Jpeg {
        frame: u64,
        #[source]
        source: image::ImageError,
    },
}

pub type Result<T> = std::result::Result<T, Error>;
