//! [`S3Store`]: objects in S3 or any S3-compatible server, through aws-sdk-s3.

mod client;
mod errors;
mod upload;

use std::path::Path;
use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

use crate::atomic::{blocking, commit, temp_writer};
use crate::error::{Error, Result};
use crate::hash::{self, CopyError};
use crate::options::StorageOptions;
use crate::store::{ObjectInfo, ObjectMeta, ObjectReader, ObjectStore, SHA256_METADATA_KEY};
use crate::url::StorageUrl;

pub(crate) use errors::map_sdk_error;

/// Objects in S3 buckets (`s3://bucket/key`).
///
/// Cheap to clone: the SDK client is reference counted.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    endpoint: String,
    opts: StorageOptions,
}

impl S3Store {
    /// Builds a client from the options and the standard AWS configuration chain. Makes no
    /// request: a wrong endpoint or credentials show up on the first operation.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for options out of range or a malformed endpoint.
    pub async fn connect(opts: &StorageOptions) -> Result<S3Store> {
        let built = client::build(opts).await?;
        Ok(S3Store {
            client: built.client,
            endpoint: built.endpoint,
            opts: opts.clone(),
        })
    }

    /// The endpoint requests go to, e.g. `http://127.0.0.1:9000`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn err<E>(
        &self,
        err: aws_sdk_s3::error::SdkError<E>,
        url: &StorageUrl,
        op: &'static str,
    ) -> Error
    where
        E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        map_sdk_error(err, url, op, &self.endpoint)
    }

    /// A plain "not found" may mean the bucket is missing (GET and HEAD answers do not
    /// say); ask the bucket to tell the two apart.
    async fn explain_not_found(&self, url: &StorageUrl, err: Error) -> Error {
        let Error::NotFound { .. } = err else {
            return err;
        };
        let Ok((bucket, _)) = bucket_and_prefix(url) else {
            return err;
        };
        match self.client.head_bucket().bucket(bucket).send().await {
            Err(e) => match self.err(e, url, "HeadBucket") {
                Error::NotFound { .. } | Error::NoSuchBucket { .. } => Error::NoSuchBucket {
                    url: url.to_string(),
                },
                _ => err,
            },
            Ok(_) => err,
        }
    }

    async fn get_object(
        &self,
        url: &StorageUrl,
    ) -> Result<aws_sdk_s3::operation::get_object::GetObjectOutput> {
        let (bucket, key) = bucket_and_key(url)?;
        match self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(out),
            Err(e) => {
                let err = self.err(e, url, "GetObject");
                Err(self.explain_not_found(url, err).await)
            }
        }
    }
}

/// Bucket and key of an object URL; the key must not be empty.
fn bucket_and_key(url: &StorageUrl) -> Result<(&str, &str)> {
    let (bucket, key) = bucket_and_prefix(url)?;
    if key.is_empty() || key.ends_with('/') {
        return Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: "an object URL needs a key that does not end in '/'".to_string(),
        });
    }
    Ok((bucket, key))
}

/// Bucket and (possibly empty) key prefix of an S3 URL.
fn bucket_and_prefix(url: &StorageUrl) -> Result<(&str, &str)> {
    match url {
        StorageUrl::S3 { bucket, key } => Ok((bucket, key)),
        StorageUrl::Local(_) => Err(Error::InvalidUrl {
            url: url.to_string(),
            reason: "the S3 store only handles s3:// URLs".to_string(),
        }),
    }
}

fn stored_sha256(metadata: Option<&std::collections::HashMap<String, String>>) -> Option<String> {
    metadata
        .and_then(|m| m.get(SHA256_METADATA_KEY))
        .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|s| s.to_ascii_lowercase())
}

fn body_error(url: &StorageUrl, e: std::io::Error) -> Error {
    Error::S3 {
        url: url.to_string(),
        op: "GetObject (reading body)",
        detail: e.to_string(),
    }
}

fn size_of(len: Option<i64>) -> u64 {
    len.and_then(|n| u64::try_from(n).ok()).unwrap_or(0)
}

impl ObjectStore for S3Store {
    async fn get_to_file(&self, url: &StorageUrl, path: &Path) -> Result<ObjectMeta> {
        let out = self.get_object(url).await?;
        let expected = stored_sha256(out.metadata());
        let dest = path.to_path_buf();
        let (tmp, mut file) = temp_writer(url, "get", &dest).await?;
        let mut body = Box::pin(out.body.into_async_read());
        // On any error `tmp` is dropped, deleting the partial download.
        let (size, sha256) =
            hash::copy_hashing(&mut body, &mut file)
                .await
                .map_err(|e| match e {
                    CopyError::Read(e) => body_error(url, e),
                    CopyError::Write(e) => Error::io(url, "write temp file for", &dest, e),
                })?;
        drop(file);
        if let Some(expected) = expected {
            if expected != sha256 {
                return Err(Error::ChecksumMismatch {
                    url: url.to_string(),
                    expected,
                    actual: sha256,
                });
            }
        }
        let u = url.to_string();
        blocking(url, "get", move || commit(&u, tmp, &dest)).await?;
        Ok(ObjectMeta {
            size,
            sha256: Some(sha256),
        })
    }

    async fn get_reader(&self, url: &StorageUrl) -> Result<ObjectReader> {
        let out = self.get_object(url).await?;
        Ok(Box::pin(out.body.into_async_read()))
    }

    async fn get_bytes(&self, url: &StorageUrl, limit: u64) -> Result<Vec<u8>> {
        let out = self.get_object(url).await?;
        let size = size_of(out.content_length());
        if size > limit {
            return Err(Error::TooLarge {
                url: url.to_string(),
                size,
                limit,
            });
        }
        let bytes = out.body.collect().await.map_err(|e| Error::S3 {
            url: url.to_string(),
            op: "GetObject (reading body)",
            detail: aws_sdk_s3::error::DisplayErrorContext(&e).to_string(),
        })?;
        Ok(bytes.into_bytes().to_vec())
    }

    async fn put_file(&self, path: &Path, url: &StorageUrl) -> Result<ObjectMeta> {
        self.upload_file(path, url).await
    }

    async fn put_reader<R>(&self, reader: R, url: &StorageUrl) -> Result<ObjectMeta>
    where
        R: tokio::io::AsyncRead + Send + Unpin,
    {
        self.upload_reader(reader, url).await
    }

    async fn put_bytes(&self, url: &StorageUrl, bytes: &[u8]) -> Result<ObjectMeta> {
        let sha256 = hash::sha256_hex(bytes);
        self.put_single(
            url,
            ByteStream::from(bytes.to_vec()),
            bytes.len() as u64,
            &sha256,
        )
        .await?;
        Ok(ObjectMeta {
            size: bytes.len() as u64,
            sha256: Some(sha256),
        })
    }

    async fn list(&self, prefix: &StorageUrl) -> Result<Vec<ObjectInfo>> {
        let (bucket, key_prefix) = bucket_and_prefix(prefix)?;
        let page_size = self.opts.list_page_size.and_then(|n| i32::try_from(n).ok());
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(bucket)
                .prefix(key_prefix)
                .set_max_keys(page_size)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|e| self.err(e, prefix, "ListObjectsV2"))?;
            for object in page.contents() {
                let Some(key) = object.key() else { continue };
                out.push(ObjectInfo {
                    url: StorageUrl::S3 {
                        bucket: bucket.to_string(),
                        key: key.to_string(),
                    },
                    size: size_of(object.size()),
                });
            }
            token = page.next_continuation_token().map(str::to_string);
            // A server that says "truncated" without a token would loop forever.
            if page.is_truncated() != Some(true) || token.is_none() {
                break;
            }
        }
        out.sort();
        Ok(out)
    }

    async fn head(&self, url: &StorageUrl) -> Result<ObjectMeta> {
        let (bucket, key) = bucket_and_key(url)?;
        match self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(ObjectMeta {
                size: size_of(out.content_length()),
                sha256: stored_sha256(out.metadata()),
            }),
            Err(e) => {
                let err = self.err(e, url, "HeadObject");
                Err(self.explain_not_found(url, err).await)
            }
        }
    }

    async fn exists(&self, url: &StorageUrl) -> Result<bool> {
        match self.head(url).await {
            Ok(_) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn checksum(&self, url: &StorageUrl) -> Result<String> {
        if let Some(sha256) = self.head(url).await?.sha256 {
            return Ok(sha256);
        }
        let mut reader = self.get_reader(url).await?;
        let (_, sha256) = hash::sha256_async_reader(&mut reader)
            .await
            .map_err(|e| body_error(url, e))?;
        Ok(sha256)
    }

    async fn delete(&self, url: &StorageUrl) -> Result<()> {
        let (bucket, key) = bucket_and_key(url)?;
        self.client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.err(e, url, "DeleteObject"))?;
        Ok(())
    }

    async fn presign_get(&self, url: &StorageUrl, ttl: Duration) -> Result<String> {
        let (bucket, key) = bucket_and_key(url)?;
        let config = PresigningConfig::expires_in(ttl).map_err(|e| Error::InvalidOption {
            option: "presign ttl",
            reason: format!("{url}: {e}"),
        })?;
        let request = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| self.err(e, url, "presign GetObject"))?;
        Ok(request.uri().to_string())
    }
}
