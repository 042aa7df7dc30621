//! Why validation could not run at all (exit 2). A discrepancy found in the
//! outputs is not an error: it is a failed check with its evidence.

/// Result of a validate-stage operation.
pub type Result<T> = std::result::Result<T, Error>;

/// What stopped the validation, and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The source the outputs are compared with cannot be opened or decoded.
    #[error("source {input}: {reason}")]
    Source { input: String, reason: String },

    /// The source has no video stream to compare with.
    #[error("source {0} has no video stream")]
    NoVideo(String),

    /// The VMAF scorer could not be built.
    #[error("VMAF scorer")]
    Vmaf(#[source] Box<reel_vmaf::Error>),

    /// A validation unit names a rendition the encode does not have.
    #[error("the encode has no rendition {0}")]
    NoRendition(usize),

    /// A scratch file needed by a check could not be written.
    #[error("{what} {path}")]
    Scratch {
        what: &'static str,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}
