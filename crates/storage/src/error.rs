//! The crate's error type: every variant names the URL (or path) and the failing step.

use std::path::PathBuf;

/// Result of every fallible storage operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, with the object URL it went wrong on.
///
/// The messages are meant to be shown to a person as they are, e.g.
/// `s3://b/k: bucket does not exist` or `s3://b/k: access denied (check credentials)`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The string is not a path, `file://` URL or `s3://bucket/key` URL.
    #[error("invalid storage URL {url:?}: {reason}")]
    InvalidUrl {
        /// The string as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },

    /// A key to join onto a URL is empty, absolute or climbs out with `..`.
    #[error("{url}: cannot join key {key:?}: {reason}")]
    InvalidKey {
        /// The base URL.
        url: String,
        /// The relative key as given.
        key: String,
        /// Why it was rejected.
        reason: String,
    },

    /// A [`StorageOptions`](crate::StorageOptions) value is out of range.
    #[error("invalid storage option {option}: {reason}")]
    InvalidOption {
        /// The option's name.
        option: &'static str,
        /// The allowed range or form.
        reason: String,
    },

    /// The object (or local file) does not exist.
    #[error("{url}: not found")]
    NotFound {
        /// The object's URL.
        url: String,
    },

    /// The S3 bucket of the URL does not exist.
    #[error("{url}: bucket does not exist")]
    NoSuchBucket {
        /// The object's URL.
        url: String,
    },

    /// The server refused the credentials or their signature, or the permissions.
    #[error("{url}: access denied (check credentials) during {op}: {detail}")]
    AccessDenied {
        /// The object's URL.
        url: String,
        /// The S3 operation, e.g. `GetObject`.
        op: &'static str,
        /// The server's answer.
        detail: String,
    },

    /// The endpoint could not be connected to (refused, DNS, timeout), after retries.
    #[error("{url}: cannot reach endpoint {endpoint} during {op}: {detail}")]
    Unreachable {
        /// The object's URL.
        url: String,
        /// The endpoint that was tried.
        endpoint: String,
        /// The S3 operation.
        op: &'static str,
        /// The connection error.
        detail: String,
    },

    /// Any other S3 failure, shown with the SDK's full error context.
    #[error("{url}: {op} failed: {detail}")]
    S3 {
        /// The object's URL.
        url: String,
        /// The S3 operation.
        op: &'static str,
        /// The SDK error with its source chain.
        detail: String,
    },

    /// A local file operation failed.
    #[error("{url}: {op} {path:?}: {source}")]
    Io {
        /// The object's URL (the path itself for local objects).
        url: String,
        /// What was being done, e.g. `rename temp file onto`.
        op: &'static str,
        /// The local path involved.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },

    /// The reader given to an upload failed; nothing was stored.
    #[error("{url}: reading the upload source failed: {source}")]
    Source {
        /// The destination URL.
        url: String,
        /// The reader's error.
        #[source]
        source: std::io::Error,
    },

    /// An object is bigger than the caller's limit for in-memory reads.
    #[error("{url}: object is {size} bytes, more than the {limit} byte limit for in-memory reads")]
    TooLarge {
        /// The object's URL.
        url: String,
        /// The object's size (or the bytes seen so far).
        size: u64,
        /// The limit.
        limit: u64,
    },

    /// The downloaded bytes do not hash to the sha256 stored with the object.
    #[error("{url}: sha256 mismatch: stored {expected}, downloaded {actual}")]
    ChecksumMismatch {
        /// The object's URL.
        url: String,
        /// The sha256 stored as object metadata.
        expected: String,
        /// The sha256 of the bytes received.
        actual: String,
    },

    /// A blocking [`Storage`](crate::Storage) method was called on a tokio runtime thread.
    #[error(
        "reel-storage: blocking Storage::{op} called from inside a tokio runtime; \
         use the async ObjectStore API or call it from a plain thread"
    )]
    InsideRuntime {
        /// The method that was called.
        op: &'static str,
    },

    /// The dedicated tokio runtime could not be started.
    #[error("reel-storage: cannot start the I/O runtime: {0}")]
    Runtime(#[source] std::io::Error),

    /// A background task of the runtime panicked or was cancelled.
    #[error("{url}: {op}: background task failed: {detail}")]
    Task {
        /// The object's URL.
        url: String,
        /// What the task was doing.
        op: &'static str,
        /// The join error.
        detail: String,
    },
}

impl Error {
    /// Builds an [`Error::Io`].
    pub(crate) fn io(
        url: impl ToString,
        op: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            url: url.to_string(),
            op,
            path: path.into(),
            source,
        }
    }

    /// True when the object (not the bucket) is missing.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }
}
