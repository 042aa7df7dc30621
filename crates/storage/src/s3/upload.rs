//! Uploads: one PUT up to the threshold, multipart above it with a few parts in flight.
//! A multipart upload that fails at any step is aborted so no parts are left behind.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use sha2::{Digest, Sha256};
use tokio::io::AsyncRead;
use tokio::task::JoinSet;

use super::{bucket_and_key, S3Store};
use crate::atomic::blocking;
use crate::error::{Error, Result};
use crate::hash;
use crate::options::MAX_PARTS;
use crate::store::{ObjectMeta, SHA256_METADATA_KEY};
use crate::url::StorageUrl;

/// Everything a part upload task needs, shared by all tasks of one upload.
struct Target {
    client: aws_sdk_s3::Client,
    endpoint: String,
    url: StorageUrl,
    bucket: String,
    key: String,
    upload_id: String,
}

impl Target {
    async fn upload_part(
        self: Arc<Self>,
        number: i32,
        body: ByteStream,
        len: u64,
    ) -> Result<CompletedPart> {
        let out = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .part_number(number)
            .content_length(i64::try_from(len).unwrap_or(i64::MAX))
            .body(body)
            .send()
            .await
            .map_err(|e| super::map_sdk_error(e, &self.url, "UploadPart", &self.endpoint))?;
        Ok(CompletedPart::builder()
            .part_number(number)
            .set_e_tag(out.e_tag().map(str::to_string))
            .build())
    }

    async fn file_part(
        self: Arc<Self>,
        path: PathBuf,
        number: i32,
        offset: u64,
        len: u64,
    ) -> Result<CompletedPart> {
        // A file-backed body streams from disk and can be re-read when a retry needs it.
        let body = ByteStream::read_from()
            .path(&path)
            .offset(offset)
            .length(Length::Exact(len))
            .build()
            .await
            .map_err(|e| Error::io(&self.url, "open part of", &path, std::io::Error::other(e)))?;
        self.upload_part(number, body, len).await
    }

    async fn complete(&self, parts: Vec<CompletedPart>) -> Result<()> {
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| {
                super::map_sdk_error(e, &self.url, "CompleteMultipartUpload", &self.endpoint)
            })?;
        Ok(())
    }

    /// Best effort: the original error is what the caller needs to see.
    async fn abort(&self) {
        let _ = self
            .client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .send()
            .await;
    }
}

/// Part uploads in flight, at most `limit` at once.
struct Parts {
    set: JoinSet<Result<CompletedPart>>,
    done: Vec<CompletedPart>,
    limit: usize,
    url: StorageUrl,
}

impl Parts {
    fn new(limit: usize, url: &StorageUrl) -> Self {
        Parts {
            set: JoinSet::new(),
            done: Vec::new(),
            limit: limit.max(1),
            url: url.clone(),
        }
    }

    /// Waits for a free slot (failing fast if a finished part failed), then starts `part`.
    async fn spawn(
        &mut self,
        part: impl std::future::Future<Output = Result<CompletedPart>> + Send + 'static,
    ) -> Result<()> {
        while self.set.len() >= self.limit {
            self.join_one().await?;
        }
        self.set.spawn(part);
        Ok(())
    }

    async fn join_one(&mut self) -> Result<()> {
        match self.set.join_next().await {
            None => Ok(()),
            Some(Ok(Ok(part))) => {
                self.done.push(part);
                Ok(())
            }
            Some(Ok(Err(e))) => Err(e),
            Some(Err(join)) => Err(Error::Task {
                url: self.url.to_string(),
                op: "UploadPart",
                detail: join.to_string(),
            }),
        }
    }

    /// All parts, in part-number order, once every upload finished.
    async fn finish(&mut self) -> Result<Vec<CompletedPart>> {
        while !self.set.is_empty() {
            self.join_one().await?;
        }
        let mut done = std::mem::take(&mut self.done);
        done.sort_by_key(|p| p.part_number());
        Ok(done)
    }

    /// Lets parts still in flight end before the upload is aborted, so none lands after.
    async fn drain(&mut self) {
        while self.set.join_next().await.is_some() {}
    }
}

impl S3Store {
    /// One PutObject carrying the sha256 as metadata.
    pub(super) async fn put_single(
        &self,
        url: &StorageUrl,
        body: ByteStream,
        len: u64,
        sha256: &str,
    ) -> Result<()> {
        let (bucket, key) = bucket_and_key(url)?;
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_length(i64::try_from(len).unwrap_or(i64::MAX))
            .metadata(SHA256_METADATA_KEY, sha256)
            .body(body)
            .send()
            .await
            .map_err(|e| self.err(e, url, "PutObject"))?;
        Ok(())
    }

    async fn begin(&self, url: &StorageUrl, sha256: Option<&str>) -> Result<Arc<Target>> {
        let (bucket, key) = bucket_and_key(url)?;
        let mut request = self
            .client
            .create_multipart_upload()
            .bucket(bucket)
            .key(key);
        if let Some(sha256) = sha256 {
            request = request.metadata(SHA256_METADATA_KEY, sha256);
        }
        let out = request
            .send()
            .await
            .map_err(|e| self.err(e, url, "CreateMultipartUpload"))?;
        let upload_id = out.upload_id().ok_or_else(|| Error::S3 {
            url: url.to_string(),
            op: "CreateMultipartUpload",
            detail: "the server returned no upload id".to_string(),
        })?;
        Ok(Arc::new(Target {
            client: self.client.clone(),
            endpoint: self.endpoint.clone(),
            url: url.clone(),
            bucket: bucket.to_string(),
            key: key.to_string(),
            upload_id: upload_id.to_string(),
        }))
    }

    /// Uploads a local file. The file is read twice: once to compute the sha256 that is
    /// stored as metadata (S3 wants metadata before the body), once to send it.
    pub(super) async fn upload_file(&self, path: &Path, url: &StorageUrl) -> Result<ObjectMeta> {
        bucket_and_key(url)?;
        let src = path.to_path_buf();
        let u = url.to_string();
        let (size, sha256) = blocking(url, "put", move || {
            hash::sha256_file(&src).map_err(|e| Error::io(&u, "read source file", &src, e))
        })
        .await?;

        if size <= self.opts.multipart_threshold {
            let body = ByteStream::read_from()
                .path(path)
                .length(Length::Exact(size))
                .build()
                .await
                .map_err(|e| Error::io(url, "open source file", path, std::io::Error::other(e)))?;
            self.put_single(url, body, size, &sha256).await?;
        } else {
            let part_size = self.opts.part_size_for(size);
            let target = self.begin(url, Some(&sha256)).await?;
            let mut parts = Parts::new(self.opts.upload_concurrency, url);
            let result = async {
                let mut offset = 0u64;
                let mut number = 1i32;
                while offset < size {
                    let len = part_size.min(size - offset);
                    let task = target
                        .clone()
                        .file_part(path.to_path_buf(), number, offset, len);
                    parts.spawn(task).await?;
                    offset += len;
                    number += 1;
                }
                Ok::<_, Error>(())
            }
            .await;
            finish_or_abort(&target, parts, result).await?;
        }
        Ok(ObjectMeta {
            size,
            sha256: Some(sha256),
        })
    }

    /// Uploads a stream of unknown length: buffered up to the threshold and sent in one
    /// PUT, or multipart beyond it. A streamed multipart object has no stored sha256 (it
    /// is only known at the end); the returned meta carries it.
    pub(super) async fn upload_reader<R>(
        &self,
        mut reader: R,
        url: &StorageUrl,
    ) -> Result<ObjectMeta>
    where
        R: AsyncRead + Send + Unpin,
    {
        bucket_and_key(url)?;
        let part_size = usize::try_from(self.opts.part_size).unwrap_or(usize::MAX);
        let mut hasher = Sha256::new();
        let mut head: Vec<Vec<u8>> = Vec::new();
        let mut total = 0u64;
        let mut eof = false;
        while !eof && total <= self.opts.multipart_threshold {
            let chunk = read_chunk(&mut reader, part_size, url).await?;
            eof = chunk.len() < part_size;
            hasher.update(&chunk);
            total += chunk.len() as u64;
            if !chunk.is_empty() {
                head.push(chunk);
            }
        }
        if eof && total <= self.opts.multipart_threshold {
            let bytes = head.concat();
            let sha256 = hex::encode(hasher.finalize());
            self.put_single(url, ByteStream::from(bytes), total, &sha256)
                .await?;
            return Ok(ObjectMeta {
                size: total,
                sha256: Some(sha256),
            });
        }

        let target = self.begin(url, None).await?;
        let mut parts = Parts::new(self.opts.upload_concurrency, url);
        let result = async {
            let mut number = 1i32;
            for chunk in head {
                let len = chunk.len() as u64;
                parts
                    .spawn(
                        target
                            .clone()
                            .upload_part(number, ByteStream::from(chunk), len),
                    )
                    .await?;
                number += 1;
            }
            while !eof {
                let chunk = read_chunk(&mut reader, part_size, url).await?;
                eof = chunk.len() < part_size;
                if chunk.is_empty() {
                    break;
                }
                if u64::try_from(number).unwrap_or(u64::MAX) > MAX_PARTS {
                    return Err(Error::InvalidOption {
                        option: "part_size",
                        reason: format!(
                            "{url}: stream needs more than {MAX_PARTS} parts; raise part_size"
                        ),
                    });
                }
                hasher.update(&chunk);
                total += chunk.len() as u64;
                let len = chunk.len() as u64;
                parts
                    .spawn(
                        target
                            .clone()
                            .upload_part(number, ByteStream::from(chunk), len),
                    )
                    .await?;
                number += 1;
            }
            Ok::<(), Error>(())
        }
        .await;
        finish_or_abort(&target, parts, result).await?;
        Ok(ObjectMeta {
            size: total,
            sha256: Some(hex::encode(hasher.finalize())),
        })
    }
}

/// Completes the upload when every step succeeded; otherwise waits for parts in flight
/// and aborts it, returning the first error.
async fn finish_or_abort(target: &Target, mut parts: Parts, started: Result<()>) -> Result<()> {
    let outcome = match started {
        Ok(()) => match parts.finish().await {
            Ok(done) => target.complete(done).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    if let Err(e) = outcome {
        parts.drain().await;
        target.abort().await;
        return Err(e);
    }
    Ok(())
}

/// Reads up to `size` bytes; fewer only at the end of the stream.
async fn read_chunk<R>(reader: &mut R, size: usize, url: &StorageUrl) -> Result<Vec<u8>>
where
    R: AsyncRead + Unpin,
{
    let mut buf = vec![0u8; size];
    let n = hash::read_full(reader, &mut buf)
        .await
        .map_err(|source| Error::Source {
            url: url.to_string(),
            source,
        })?;
    buf.truncate(n);
    Ok(buf)
}
