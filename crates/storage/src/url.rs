//! Parsing storage locations: plain paths, `file://` URLs and `s3://bucket/key`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{Error, Result};

/// Where an object lives: a local path or a key in an S3 bucket.
///
/// `file://` URLs are turned into paths when parsed, so two spellings of the same local
/// file compare equal. An S3 key may be empty (the bucket root, useful as a list prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StorageUrl {
    /// A local file or directory.
    Local(PathBuf),
    /// An object (or key prefix) in an S3 bucket.
    S3 {
        /// Bucket name.
        bucket: String,
        /// Object key, without a leading `/`.
        key: String,
    },
}

impl StorageUrl {
    /// Parses a plain path, a `file:///abs/path` URL or an `s3://bucket/key` URL.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for an empty string, an unknown scheme (`http://`, `gs://`),
    /// `s3://` without a bucket or with a malformed one, and `file://` URLs that do not
    /// name an absolute local path.
    pub fn parse(s: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidUrl {
            url: s.to_string(),
            reason: reason.to_string(),
        };
        if s.is_empty() {
            return Err(invalid("empty location"));
        }
        let Some((scheme, rest)) = split_scheme(s) else {
            // "s3:bucket/key" is a typo far more often than a file really named so.
            let lower = s.to_ascii_lowercase();
            if lower.starts_with("s3:") || lower.starts_with("file:") {
                return Err(invalid("expected s3://bucket/key or file:///absolute/path"));
            }
            return Ok(StorageUrl::Local(PathBuf::from(s)));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "s3" => parse_s3(rest).map_err(|reason| invalid(&reason)),
            "file" => parse_file(s).map_err(|reason| invalid(&reason)),
            other => Err(invalid(&format!(
                "unsupported scheme {other:?}; use a local path, file:// or s3://"
            ))),
        }
    }

    /// The URL of `key` below this one: `s3://b/out` + `a/b.json` = `s3://b/out/a/b.json`.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when `key` is empty, absolute, or has an empty, `.` or `..`
    /// segment (which would escape the base on local disks and differ on S3).
    pub fn join(&self, key: &str) -> Result<Self> {
        let invalid = |reason: &str| Error::InvalidKey {
            url: self.to_string(),
            key: key.to_string(),
            reason: reason.to_string(),
        };
        if key.is_empty() {
            return Err(invalid("empty key"));
        }
        if key.starts_with('/') {
            return Err(invalid("key must be relative"));
        }
        // A trailing '/' is allowed: it makes a prefix.
        let trimmed = key.strip_suffix('/').unwrap_or(key);
        for segment in trimmed.split('/') {
            match segment {
                "" => return Err(invalid("empty path segment")),
                "." | ".." => return Err(invalid("'.' and '..' segments are not allowed")),
                _ => {}
            }
        }
        Ok(match self {
            StorageUrl::Local(path) => StorageUrl::Local(path.join(trimmed)),
            StorageUrl::S3 { bucket, key: base } => {
                let key = if base.is_empty() || base.ends_with('/') {
                    format!("{base}{key}")
                } else {
                    format!("{base}/{key}")
                };
                StorageUrl::S3 {
                    bucket: bucket.clone(),
                    key,
                }
            }
        })
    }

    /// The local path, for `Local` URLs.
    pub fn local_path(&self) -> Option<&Path> {
        match self {
            StorageUrl::Local(path) => Some(path),
            StorageUrl::S3 { .. } => None,
        }
    }

    /// True for `s3://` URLs.
    pub fn is_s3(&self) -> bool {
        matches!(self, StorageUrl::S3 { .. })
    }
}

/// Joins a relative key onto a storage URL string; see [`StorageUrl::join`].
///
/// # Errors
/// As [`StorageUrl::parse`] and [`StorageUrl::join`].
pub fn join(url: &str, key: &str) -> Result<StorageUrl> {
    StorageUrl::parse(url)?.join(key)
}

impl FromStr for StorageUrl {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        StorageUrl::parse(s)
    }
}

impl fmt::Display for StorageUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageUrl::Local(path) => write!(f, "{}", path.display()),
            StorageUrl::S3 { bucket, key } => write!(f, "s3://{bucket}/{key}"),
        }
    }
}

/// Splits `scheme://rest`, where the scheme has the RFC 3986 form.
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once("://")?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (first_ok && rest_ok).then_some((scheme, rest))
}

fn parse_s3(rest: &str) -> std::result::Result<StorageUrl, String> {
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err("missing bucket name; expected s3://bucket/key".to_string());
    }
    // Lenient on purpose: legacy AWS buckets and other S3 services allow upper case and
    // '_'; anything else could not be sent in a request path.
    if bucket.len() > 255
        || !bucket
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        return Err(format!(
            "bad bucket name {bucket:?}: use letters, digits, '-', '.' and '_'"
        ));
    }
    if key.starts_with('/') {
        return Err("key starts with '/'; expected s3://bucket/key".to_string());
    }
    Ok(StorageUrl::S3 {
        bucket: bucket.to_string(),
        key: key.to_string(),
    })
}

fn parse_file(s: &str) -> std::result::Result<StorageUrl, String> {
    let parsed = url::Url::parse(s).map_err(|e| format!("malformed file URL: {e}"))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err("file URL must not have a query or fragment".to_string());
    }
    let path = parsed.to_file_path().map_err(|()| {
        "file URL must name an absolute local path, like file:///data/title.mp4".to_string()
    })?;
    Ok(StorageUrl::Local(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(bucket: &str, key: &str) -> StorageUrl {
        StorageUrl::S3 {
            bucket: bucket.into(),
            key: key.into(),
        }
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(
            StorageUrl::parse("s3://b/k/x.mp4").unwrap(),
            s3("b", "k/x.mp4")
        );
        assert_eq!(StorageUrl::parse("S3://b").unwrap(), s3("b", ""));
        assert_eq!(StorageUrl::parse("s3://b/").unwrap(), s3("b", ""));
        assert_eq!(
            StorageUrl::parse("file:///data/a%20b.mp4").unwrap(),
            StorageUrl::Local("/data/a b.mp4".into())
        );
        assert_eq!(
            StorageUrl::parse("file://localhost/data/x").unwrap(),
            StorageUrl::Local("/data/x".into())
        );
        assert_eq!(
            StorageUrl::parse("out/title.mp4").unwrap(),
            StorageUrl::Local("out/title.mp4".into())
        );
        assert_eq!(
            StorageUrl::parse("/abs/x").unwrap(),
            StorageUrl::Local("/abs/x".into())
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "s3://",
            "s3:///key",
            "s3://bu cket/k",
            "s3://b?x/k",
            "s3://b//k",
            "s3:bucket/key",
            "http://host/x",
            "gs://b/k",
            "file://remotehost/x",
            "file://relative",
            "file:relative",
            "file:///x?y=1",
        ] {
            let err = StorageUrl::parse(bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidUrl { .. }),
                "{bad:?} gave {err}"
            );
        }
        let msg = StorageUrl::parse("s3://").unwrap_err().to_string();
        assert!(msg.contains("missing bucket"), "{msg}");
        let msg = StorageUrl::parse("gs://b/k").unwrap_err().to_string();
        assert!(msg.contains("unsupported scheme \"gs\""), "{msg}");
    }

    #[test]
    fn display_round_trips() {
        for s in ["s3://b/k/x.mp4", "s3://b/", "out/x.json", "/abs/y"] {
            let url = StorageUrl::parse(s).unwrap();
            assert_eq!(url.to_string(), s);
            assert_eq!(StorageUrl::parse(&url.to_string()).unwrap(), url);
        }
    }

    #[test]
    fn joins_keys() {
        assert_eq!(
            join("s3://b/out", "a/x.json").unwrap(),
            s3("b", "out/a/x.json")
        );
        assert_eq!(join("s3://b/out/", "x").unwrap(), s3("b", "out/x"));
        assert_eq!(join("s3://b", "x").unwrap(), s3("b", "x"));
        assert_eq!(join("s3://b/o", "chunks/").unwrap(), s3("b", "o/chunks/"));
        assert_eq!(
            join("/data/out", "a/x.json").unwrap(),
            StorageUrl::Local("/data/out/a/x.json".into())
        );
        for bad in ["", "/abs", "a/../b", "..", "./x", "a//b"] {
            let err = join("s3://b/out", bad).unwrap_err();
            assert!(
                matches!(err, Error::InvalidKey { .. }),
                "{bad:?} gave {err}"
            );
            assert!(join("/data", bad).is_err());
        }
    }
}
