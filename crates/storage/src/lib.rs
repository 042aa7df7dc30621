//! Object storage for reel: local paths, `file://` URLs and `s3://bucket/key` behind one
//! interface.
//!
//! Stages hand their outputs over through storage, so this crate is reel's only I/O edge
//! with tokio. Two layers:
//!
//! - [`ObjectStore`], async, implemented by [`LocalStore`] and [`S3Store`] (aws-sdk-s3:
//!   standard credential chain and region, custom endpoints with path-style addressing
//!   for MinIO/Ceph/R2, retries with exponential backoff, multipart uploads that are
//!   aborted on failure).
//! - [`Storage`], the blocking facade for the synchronous (rayon) rest of reel. It owns a
//!   dedicated runtime; never call it from inside a tokio runtime (it returns
//!   [`Error::InsideRuntime`] there).
//!
//! Writes are atomic: local files are written to a temp file beside the target, fsynced and
//! renamed; S3 objects appear with their single PUT or completed multipart upload. Every S3
//! put stores the content's sha256 as `x-amz-meta-sha256`, which [`Storage::head`] returns
//! and downloads are verified against.
//!
//! ```
//! use reel_storage::{Storage, StorageOptions, StorageUrl};
//!
//! # fn main() -> reel_storage::Result<()> {
//! # let dir = tempfile::tempdir().map_err(reel_storage::Error::Runtime)?;
//! # let out = dir.path().to_str().unwrap_or_default().to_string();
//! // `out` may be a directory, file:///data/job or s3://bucket/job.
//! let storage = Storage::for_url(&out, &StorageOptions::default())?;
//! let manifest = StorageUrl::parse(&out)?.join("inspect.json")?;
//! storage.put_bytes(&manifest, br#"{"schema_version":1}"#)?;
//! assert_eq!(storage.head(&manifest)?.size, 20);
//! assert_eq!(storage.list(&out)?.len(), 1);
//! let bytes = storage.get_bytes(&manifest)?;
//! assert!(bytes.starts_with(b"{"));
//! # Ok(())
//! # }
//! ```

mod atomic;
mod error;
mod hash;
mod local;
mod options;
mod s3;
mod storage;
mod store;
mod url;

pub use error::{Error, Result};
pub use local::LocalStore;
pub use options::{S3Credentials, StorageOptions, MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE};
pub use s3::S3Store;
pub use storage::{BlockingReader, Storage, ToStorageUrl};
pub use store::{ObjectInfo, ObjectMeta, ObjectReader, ObjectStore, SHA256_METADATA_KEY};
pub use url::{join, StorageUrl};
