//! The async [`ObjectStore`] role and the values its operations return.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

use tokio::io::AsyncRead;

use crate::error::Result;
use crate::url::StorageUrl;

/// The user-metadata key (`x-amz-meta-sha256` on the wire) holding the hex sha256 that
/// reel computes and stores on every S3 put.
pub const SHA256_METADATA_KEY: &str = "sha256";

/// A streaming object body.
pub type ObjectReader = Pin<Box<dyn AsyncRead + Send>>;

/// Size and stored checksum of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// Size in bytes.
    pub size: u64,
    /// Hex sha256 of the content when known without reading it: stored as object metadata
    /// by reel's S3 puts, or just computed by a put. Local `head` leaves it `None`; ask
    /// `checksum` to compute it.
    pub sha256: Option<String>,
}

/// One entry of a listing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectInfo {
    /// The object's full URL.
    pub url: StorageUrl,
    /// Size in bytes.
    pub size: u64,
}

/// The asynchronous storage role, implemented by [`LocalStore`](crate::LocalStore) and
/// [`S3Store`](crate::S3Store). Each implementation accepts only its own kind of URL;
/// [`Storage`](crate::Storage) picks the right one.
///
/// Writes are atomic: an object is either absent (or its old version) or complete, never
/// partial. Reads of a missing object fail with [`Error::NotFound`](crate::Error::NotFound).
pub trait ObjectStore: Send + Sync {
    /// Streams the object into a local file (created with its parent directories, replaced
    /// atomically) and returns its size and sha256. When the object carries a stored sha256,
    /// the download is verified against it.
    fn get_to_file(
        &self,
        url: &StorageUrl,
        path: &Path,
    ) -> impl Future<Output = Result<ObjectMeta>> + Send;

    /// Opens the object for streaming reads.
    fn get_reader(&self, url: &StorageUrl) -> impl Future<Output = Result<ObjectReader>> + Send;

    /// Reads a small object into memory; fails with [`Error::TooLarge`](crate::Error::TooLarge)
    /// above `limit` bytes.
    fn get_bytes(
        &self,
        url: &StorageUrl,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<u8>>> + Send;

    /// Uploads a local file, streaming it; S3 uses multipart above the configured threshold.
    fn put_file(
        &self,
        path: &Path,
        url: &StorageUrl,
    ) -> impl Future<Output = Result<ObjectMeta>> + Send;

    /// Uploads everything `reader` yields, without knowing the length in advance. At most
    /// a few parts are held in memory. If the reader fails, nothing is left behind.
    fn put_reader<R>(
        &self,
        reader: R,
        url: &StorageUrl,
    ) -> impl Future<Output = Result<ObjectMeta>> + Send
    where
        R: AsyncRead + Send + Unpin;

    /// Writes a small object, such as a manifest, in one request.
    fn put_bytes(
        &self,
        url: &StorageUrl,
        bytes: &[u8],
    ) -> impl Future<Output = Result<ObjectMeta>> + Send;

    /// Every object whose key (path) starts with the prefix, sorted by URL. The prefix is a
    /// plain string prefix, as in S3: `out/chunk` matches `out/chunks/0.mp4`.
    fn list(&self, prefix: &StorageUrl) -> impl Future<Output = Result<Vec<ObjectInfo>>> + Send;

    /// Size and stored sha256 of an object.
    fn head(&self, url: &StorageUrl) -> impl Future<Output = Result<ObjectMeta>> + Send;

    /// Whether the object exists (a missing S3 bucket is still an error).
    fn exists(&self, url: &StorageUrl) -> impl Future<Output = Result<bool>> + Send;

    /// The object's hex sha256: the stored one when present, otherwise computed by reading
    /// the whole object.
    fn checksum(&self, url: &StorageUrl) -> impl Future<Output = Result<String>> + Send;

    /// Deletes the object; deleting a missing object succeeds.
    fn delete(&self, url: &StorageUrl) -> impl Future<Output = Result<()>> + Send;

    /// A location that libavformat (or any HTTP client) can read, with byte ranges, for
    /// `ttl`: a presigned HTTPS/HTTP GET URL on S3, the absolute path for local files.
    fn presign_get(
        &self,
        url: &StorageUrl,
        ttl: Duration,
    ) -> impl Future<Output = Result<String>> + Send;
}
