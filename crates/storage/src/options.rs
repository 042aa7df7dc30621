//! Settings shared by every backend, validated once when a store is opened.

use std::fmt;
use std::time::Duration;

use crate::error::{Error, Result};

const MIB: u64 = 1024 * 1024;
/// The smallest part S3 accepts (except the last part of an upload).
pub const MIN_PART_SIZE: u64 = 5 * MIB;
/// The largest part, and the largest single PUT, S3 accepts.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * MIB;
/// The most parts one multipart upload may have.
pub const MAX_PARTS: u64 = 10_000;

/// Static S3 credentials, used instead of the standard credential chain.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Credentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token of temporary credentials.
    pub session_token: Option<String>,
}

impl fmt::Debug for S3Credentials {
    // Never print the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// How to reach storage and how to move bytes.
///
/// `Default` gives: endpoint from `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` if set,
/// region and credentials from the standard AWS chain, multipart above 64 MiB in 16 MiB
/// parts, 4 parts in flight, 5 attempts per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageOptions {
    /// Custom S3 endpoint such as `http://127.0.0.1:9000` (MinIO, Ceph, R2). When set,
    /// requests use path-style addressing. Falls back to the `AWS_ENDPOINT_URL_S3` and
    /// `AWS_ENDPOINT_URL` environment variables.
    pub s3_endpoint: Option<String>,
    /// Region; when `None` the standard chain (`AWS_REGION`, profile) is asked, and
    /// `us-east-1` is used when it finds none.
    pub region: Option<String>,
    /// Static credentials; when `None` the standard chain is used (environment, profile
    /// files, credential_process, web identity, container and instance metadata).
    pub credentials: Option<S3Credentials>,
    /// Uploads larger than this use multipart upload (at most 5 GiB).
    pub multipart_threshold: u64,
    /// Multipart part size, 5 MiB to 5 GiB; grown automatically when an object would need
    /// more than 10,000 parts.
    pub part_size: u64,
    /// Parts uploaded at once. Streamed uploads hold this many parts in memory.
    pub upload_concurrency: usize,
    /// Attempts per request, including the first; retries back off exponentially on
    /// throttling (503 SlowDown, 429), 5xx answers and connection failures.
    pub max_attempts: u32,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Largest object [`Storage::get_bytes`](crate::Storage::get_bytes) reads into memory.
    pub small_object_limit: u64,
    /// Keys per list request; `None` lets the server choose (1000 on AWS).
    pub list_page_size: Option<u32>,
}

impl Default for StorageOptions {
    fn default() -> Self {
        StorageOptions {
            s3_endpoint: None,
            region: None,
            credentials: None,
            multipart_threshold: 64 * MIB,
            part_size: 16 * MIB,
            upload_concurrency: 4,
            max_attempts: 5,
            connect_timeout: Duration::from_secs(5),
            small_object_limit: 64 * MIB,
            list_page_size: None,
        }
    }
}

impl StorageOptions {
    /// Checks every value against the limits S3 imposes.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the option and its allowed range.
    pub fn validate(&self) -> Result<()> {
        let invalid =
            |option: &'static str, reason: String| Err(Error::InvalidOption { option, reason });
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&self.part_size) {
            return invalid(
                "part_size",
                format!(
                    "{} is outside {MIN_PART_SIZE}..={MAX_PART_SIZE} bytes",
                    self.part_size
                ),
            );
        }
        if self.multipart_threshold > MAX_PART_SIZE {
            return invalid(
                "multipart_threshold",
                format!(
                    "{} is above the {MAX_PART_SIZE} byte limit of a single PUT",
                    self.multipart_threshold
                ),
            );
        }
        if !(1..=64).contains(&self.upload_concurrency) {
            return invalid(
                "upload_concurrency",
                format!("{} is outside 1..=64", self.upload_concurrency),
            );
        }
        if !(1..=20).contains(&self.max_attempts) {
            return invalid(
                "max_attempts",
                format!("{} is outside 1..=20", self.max_attempts),
            );
        }
        if self.list_page_size == Some(0) || self.list_page_size.is_some_and(|n| n > 1000) {
            return invalid("list_page_size", "must be within 1..=1000".to_string());
        }
        if let Some(endpoint) = &self.s3_endpoint {
            check_endpoint(endpoint).map_err(|reason| Error::InvalidOption {
                option: "s3_endpoint",
                reason,
            })?;
        }
        Ok(())
    }

    /// The endpoint to use: the explicit option, else `AWS_ENDPOINT_URL_S3`, else
    /// `AWS_ENDPOINT_URL`.
    pub(crate) fn resolve_endpoint(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<String>> {
        let found = self
            .s3_endpoint
            .clone()
            .or_else(|| env("AWS_ENDPOINT_URL_S3"))
            .or_else(|| env("AWS_ENDPOINT_URL"))
            .filter(|e| !e.trim().is_empty());
        if let Some(endpoint) = &found {
            check_endpoint(endpoint).map_err(|reason| Error::InvalidOption {
                option: "s3_endpoint",
                reason,
            })?;
        }
        Ok(found)
    }

    /// The part size for an object of `size` bytes: the configured size, grown so the
    /// upload needs at most [`MAX_PARTS`] parts.
    pub(crate) fn part_size_for(&self, size: u64) -> u64 {
        self.part_size.max(size.div_ceil(MAX_PARTS))
    }
}

fn check_endpoint(endpoint: &str) -> std::result::Result<(), String> {
    match url::Url::parse(endpoint) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(format!(
            "{endpoint:?} is not an http:// or https:// URL like http://127.0.0.1:9000"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        StorageOptions::default().validate().unwrap();
    }

    #[test]
    fn rejects_out_of_range_values() {
        let cases = [
            StorageOptions {
                part_size: MIB,
                ..Default::default()
            },
            StorageOptions {
                multipart_threshold: 6 * 1024 * MIB,
                ..Default::default()
            },
            StorageOptions {
                upload_concurrency: 0,
                ..Default::default()
            },
            StorageOptions {
                max_attempts: 0,
                ..Default::default()
            },
            StorageOptions {
                list_page_size: Some(0),
                ..Default::default()
            },
            StorageOptions {
                s3_endpoint: Some("127.0.0.1:9000".into()),
                ..Default::default()
            },
        ];
        for opts in cases {
            let err = opts.validate().unwrap_err();
            assert!(matches!(err, Error::InvalidOption { .. }), "{err}");
        }
        let msg = StorageOptions {
            part_size: MIB,
            ..Default::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(
            msg.contains("part_size") && msg.contains("5242880"),
            "{msg}"
        );
    }

    #[test]
    fn endpoint_comes_from_option_then_env() {
        let env = |name: &str| match name {
            "AWS_ENDPOINT_URL" => Some("http://generic:1".to_string()),
            "AWS_ENDPOINT_URL_S3" => Some("http://s3only:2".to_string()),
            _ => None,
        };
        let explicit = StorageOptions {
            s3_endpoint: Some("http://explicit:3".into()),
            ..Default::default()
        };
        assert_eq!(
            explicit.resolve_endpoint(env).unwrap().as_deref(),
            Some("http://explicit:3")
        );
        let opts = StorageOptions::default();
        assert_eq!(
            opts.resolve_endpoint(env).unwrap().as_deref(),
            Some("http://s3only:2")
        );
        let generic_only =
            |name: &str| (name == "AWS_ENDPOINT_URL").then(|| "http://g:1".to_string());
        assert_eq!(
            opts.resolve_endpoint(generic_only).unwrap().as_deref(),
            Some("http://g:1")
        );
        assert_eq!(opts.resolve_endpoint(|_| None).unwrap(), None);
        assert!(opts.resolve_endpoint(|_| Some("nonsense".into())).is_err());
    }

    #[test]
    fn part_size_grows_for_huge_objects() {
        let opts = StorageOptions::default();
        assert_eq!(opts.part_size_for(100 * MIB), 16 * MIB);
        let huge = 1024 * 1024 * MIB; // 1 TiB
        let part = opts.part_size_for(huge);
        assert!(huge.div_ceil(part) <= MAX_PARTS);
    }
}
