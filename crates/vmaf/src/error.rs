//! Errors of the VMAF scorer.

use std::path::PathBuf;

/// Everything that can go wrong while scoring.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model JSON could not be read or is not a libvmaf SVM model.
    #[error("invalid VMAF model{}: {reason}", .source_name.as_deref().map(|s| format!(" {s}")).unwrap_or_default())]
    Model {
        source_name: Option<String>,
        reason: String,
    },
    /// A model file could not be opened.
    #[error("cannot read VMAF model {path}: {source}")]
    ModelIo {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Reference and distorted videos do not have the same number of frames.
    #[error("frame count mismatch: reference has {reference} frames, distorted has {distorted}")]
    FrameCountMismatch { reference: u64, distorted: u64 },
    /// A frame pair cannot be compared (size, bit depth or layout differ).
    #[error("frame {frame}: {reason}")]
    FrameMismatch { frame: u64, reason: String },
    /// The input or the requested configuration is valid but not supported.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The frame source failed; the message of the source's error is kept.
    #[error("frame source failed at frame {frame}: {message}")]
    Source { frame: u64, message: String },
    /// Writing an output report failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
    /// A worker thread went away without delivering its result.
    #[error("a scoring worker stopped before delivering frame {0}")]
    WorkerLost(u64),
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;
