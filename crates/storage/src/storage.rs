//! [`Storage`]: the blocking facade the synchronous rest of reel uses. It owns a small
//! multi-thread tokio runtime and dispatches each URL to the local or the S3 store.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::runtime::{Handle, Runtime};
use tokio::sync::OnceCell;

use crate::error::{Error, Result};
use crate::local::LocalStore;
use crate::options::StorageOptions;
use crate::s3::S3Store;
use crate::store::{ObjectInfo, ObjectMeta, ObjectReader, ObjectStore};
use crate::url::StorageUrl;

/// Anything that names a storage location: `&str`, `String` or a parsed [`StorageUrl`].
pub trait ToStorageUrl {
    /// Parses (or clones) the location.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] as [`StorageUrl::parse`].
    fn to_storage_url(&self) -> Result<StorageUrl>;
}

impl ToStorageUrl for str {
    fn to_storage_url(&self) -> Result<StorageUrl> {
        StorageUrl::parse(self)
    }
}

impl ToStorageUrl for String {
    fn to_storage_url(&self) -> Result<StorageUrl> {
        StorageUrl::parse(self)
    }
}

impl ToStorageUrl for StorageUrl {
    fn to_storage_url(&self) -> Result<StorageUrl> {
        Ok(self.clone())
    }
}

/// Blocking access to local and S3 objects. Cheap to clone (an `Arc`); share one per
/// process.
///
/// Every method blocks the calling thread on the storage runtime, so it **must not be
/// called from inside a tokio runtime** (including `spawn_blocking` threads): such calls
/// return [`Error::InsideRuntime`] instead of panicking. Async code uses [`LocalStore`] and
/// [`S3Store`] through [`ObjectStore`] directly.
#[derive(Debug, Clone)]
pub struct Storage {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    // An Option only so Drop can take it.
    runtime: Option<Runtime>,
    opts: StorageOptions,
    local: LocalStore,
    s3: OnceCell<S3Store>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics when the last clone dies on an async
        // thread; shutting down in the background never does.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Runs `$body` with `$store` bound to the store that handles `$url`.
macro_rules! with_store {
    ($self:ident, $url:expr, |$store:ident| $body:expr) => {
        async {
            match $url {
                StorageUrl::Local(_) => {
                    let $store = &$self.inner.local;
                    $body.await
                }
                StorageUrl::S3 { .. } => {
                    let $store = $self.s3().await?;
                    $body.await
                }
            }
        }
    };
}

impl Storage {
    /// Starts the storage runtime. The S3 client is set up on the first `s3://` URL.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for invalid options, [`Error::Runtime`] when the runtime's
    /// threads cannot be started.
    pub fn open(opts: &StorageOptions) -> Result<Storage> {
        opts.validate()?;
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("reel-storage")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        Ok(Storage {
            inner: Arc::new(Inner {
                runtime: Some(runtime),
                opts: opts.clone(),
                local: LocalStore::new(),
                s3: OnceCell::new(),
            }),
        })
    }

    /// Opens storage for a job location and checks the URL; for `s3://` URLs the client is
    /// set up now (no request is sent).
    ///
    /// # Errors
    /// As [`Storage::open`], plus [`Error::InvalidUrl`] and [`Error::InsideRuntime`].
    pub fn for_url(url: &(impl ToStorageUrl + ?Sized), opts: &StorageOptions) -> Result<Storage> {
        let url = url.to_storage_url()?;
        let storage = Storage::open(opts)?;
        if url.is_s3() {
            storage.run("for_url", async { storage.s3().await.map(|_| ()) })?;
        }
        Ok(storage)
    }

    /// The options this storage was opened with.
    pub fn options(&self) -> &StorageOptions {
        &self.inner.opts
    }

    fn runtime(&self, op: &'static str) -> Result<&Runtime> {
        if Handle::try_current().is_ok() {
            return Err(Error::InsideRuntime { op });
        }
        self.inner
            .runtime
            .as_ref()
            .ok_or(Error::InsideRuntime { op })
    }

    fn run<T>(&self, op: &'static str, fut: impl Future<Output = Result<T>>) -> Result<T> {
        self.runtime(op)?.block_on(fut)
    }

    async fn s3(&self) -> Result<&S3Store> {
        self.inner
            .s3
            .get_or_try_init(|| S3Store::connect(&self.inner.opts))
            .await
    }

    /// Downloads an object into a local file (atomically replaced); see
    /// [`ObjectStore::get_to_file`].
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::NoSuchBucket`], [`Error::AccessDenied`],
    /// [`Error::Unreachable`], [`Error::ChecksumMismatch`], [`Error::Io`] and the rest.
    pub fn get_to_file(
        &self,
        url: &(impl ToStorageUrl + ?Sized),
        path: impl AsRef<Path>,
    ) -> Result<ObjectMeta> {
        let url = url.to_storage_url()?;
        let path = path.as_ref();
        self.run(
            "get_to_file",
            with_store!(self, &url, |s| s.get_to_file(&url, path)),
        )
    }

    /// Opens an object for streaming, blocking reads.
    ///
    /// # Errors
    /// As [`Storage::get_to_file`]; read errors come from the reader.
    pub fn get_reader(&self, url: &(impl ToStorageUrl + ?Sized)) -> Result<BlockingReader> {
        let url = url.to_storage_url()?;
        let reader = self.run(
            "get_reader",
            with_store!(self, &url, |s| s.get_reader(&url)),
        )?;
        Ok(BlockingReader {
            reader,
            storage: self.clone(),
        })
    }

    /// Reads a small object (manifest) into memory, up to
    /// [`StorageOptions::small_object_limit`] bytes.
    ///
    /// # Errors
    /// [`Error::TooLarge`] above the limit, otherwise as [`Storage::get_to_file`].
    pub fn get_bytes(&self, url: &(impl ToStorageUrl + ?Sized)) -> Result<Vec<u8>> {
        self.get_bytes_limited(url, self.inner.opts.small_object_limit)
    }

    /// Reads an object of at most `limit` bytes into memory.
    ///
    /// # Errors
    /// As [`Storage::get_bytes`].
    pub fn get_bytes_limited(
        &self,
        url: &(impl ToStorageUrl + ?Sized),
        limit: u64,
    ) -> Result<Vec<u8>> {
        let url = url.to_storage_url()?;
        self.run(
            "get_bytes",
            with_store!(self, &url, |s| s.get_bytes(&url, limit)),
        )
    }

    /// Uploads a local file, streaming it (multipart on S3 above the threshold).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read (nothing is stored then), otherwise as
    /// [`Storage::get_to_file`].
    pub fn put_file(
        &self,
        path: impl AsRef<Path>,
        url: &(impl ToStorageUrl + ?Sized),
    ) -> Result<ObjectMeta> {
        let url = url.to_storage_url()?;
        let path = path.as_ref();
        self.run(
            "put_file",
            with_store!(self, &url, |s| s.put_file(path, &url)),
        )
    }

    /// Writes a small object such as a manifest.
    ///
    /// # Errors
    /// As [`Storage::put_file`].
    pub fn put_bytes(
        &self,
        url: &(impl ToStorageUrl + ?Sized),
        bytes: &[u8],
    ) -> Result<ObjectMeta> {
        let url = url.to_storage_url()?;
        self.run(
            "put_bytes",
            with_store!(self, &url, |s| s.put_bytes(&url, bytes)),
        )
    }

    /// Every object under a key prefix, sorted; see [`ObjectStore::list`].
    ///
    /// # Errors
    /// [`Error::NoSuchBucket`], [`Error::AccessDenied`], [`Error::Unreachable`], [`Error::Io`].
    pub fn list(&self, prefix: &(impl ToStorageUrl + ?Sized)) -> Result<Vec<ObjectInfo>> {
        let prefix = prefix.to_storage_url()?;
        self.run("list", with_store!(self, &prefix, |s| s.list(&prefix)))
    }

    /// Size and stored sha256 of an object.
    ///
    /// # Errors
    /// As [`Storage::get_to_file`].
    pub fn head(&self, url: &(impl ToStorageUrl + ?Sized)) -> Result<ObjectMeta> {
        let url = url.to_storage_url()?;
        self.run("head", with_store!(self, &url, |s| s.head(&url)))
    }

    /// The object's hex sha256, stored or computed.
    ///
    /// # Errors
    /// As [`Storage::get_to_file`].
    pub fn checksum(&self, url: &(impl ToStorageUrl + ?Sized)) -> Result<String> {
        let url = url.to_storage_url()?;
        self.run("checksum", with_store!(self, &url, |s| s.checksum(&url)))
    }

    /// Whether the object exists; a missing bucket is an error, not `false`.
    ///
    /// # Errors
    /// As [`Storage::head`], except [`Error::NotFound`].
    pub fn exists(&self, url: &(impl ToStorageUrl + ?Sized)) -> Result<bool> {
        let url = url.to_storage_url()?;
        self.run("exists", with_store!(self, &url, |s| s.exists(&url)))
    }

    /// Deletes an object; deleting a missing one succeeds.
    ///
    /// # Errors
    /// [`Error::NoSuchBucket`], [`Error::AccessDenied`], [`Error::Unreachable`], [`Error::Io`].
    pub fn delete(&self, url: &(impl ToStorageUrl + ?Sized)) -> Result<()> {
        let url = url.to_storage_url()?;
        self.run("delete", with_store!(self, &url, |s| s.delete(&url)))
    }

    /// A location libavformat can open with byte-range reads, valid for `ttl`: a presigned
    /// GET URL on S3 (at most 7 days), the absolute path for local files.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a `ttl` S3 does not accept, [`Error::InvalidUrl`].
    pub fn presign_get(&self, url: &(impl ToStorageUrl + ?Sized), ttl: Duration) -> Result<String> {
        let url = url.to_storage_url()?;
        self.run(
            "presign_get",
            with_store!(self, &url, |s| s.presign_get(&url, ttl)),
        )
    }

    /// The local path of a local object, `None` for S3 URLs and unparsable strings.
    pub fn local_path(&self, url: &(impl ToStorageUrl + ?Sized)) -> Option<PathBuf> {
        url.to_storage_url()
            .ok()
            .and_then(|u| u.local_path().map(Path::to_path_buf))
    }
}

/// A blocking reader over an object body, from [`Storage::get_reader`].
///
/// Like every [`Storage`] method, `read` must not be called inside a tokio runtime; it
/// returns an error there.
pub struct BlockingReader {
    reader: ObjectReader,
    // Keeps the runtime alive while the body streams.
    storage: Storage,
}

impl std::fmt::Debug for BlockingReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingReader").finish_non_exhaustive()
    }
}

impl std::io::Read for BlockingReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let runtime = self
            .storage
            .runtime("read")
            .map_err(std::io::Error::other)?;
        runtime.block_on(self.reader.read(buf))
    }
}
