//! Queue URLs, and what they say about where requests go: an AWS queue URL
//! names its region; any other host is an SQS-compatible service whose URL is
//! also its endpoint.

use crate::error::{Error, Result};
use std::fmt;

/// A parsed SQS queue URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueUrl {
    url: String,
    origin: String,
    region: Option<String>,
    aws: bool,
    name: String,
}

impl QueueUrl {
    /// Parses `http(s)://HOST[:PORT]/ACCOUNT/NAME`.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for anything else.
    pub fn parse(text: &str) -> Result<QueueUrl> {
        let invalid = || Error::InvalidUrl {
            url: text.to_string(),
        };
        let parsed = url::Url::parse(text).map_err(|_| invalid())?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid());
        }
        let host = parsed.host_str().ok_or_else(invalid)?.to_string();
        let segments: Vec<&str> = parsed
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        let [_account, name] = segments.as_slice() else {
            return Err(invalid());
        };
        let origin = match parsed.port() {
            Some(port) => format!("{}://{host}:{port}", parsed.scheme()),
            None => format!("{}://{host}", parsed.scheme()),
        };
        let aws = host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn");
        // sqs.REGION.amazonaws.com, or the legacy REGION.queue.amazonaws.com.
        let region = aws
            .then(|| {
                let labels: Vec<&str> = host.split('.').collect();
                match labels.as_slice() {
                    ["sqs", region, ..] => Some(region.to_string()),
                    [region, "queue", ..] => Some(region.to_string()),
                    _ => None,
                }
            })
            .flatten();
        Ok(QueueUrl {
            url: text.trim_end_matches('/').to_string(),
            origin,
            region,
            aws,
            name: name.to_string(),
        })
    }

    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The queue's name (the URL's last segment).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The region an AWS queue URL names.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The endpoint requests go to when none is configured: `None` for AWS (the
    /// SDK resolves it from the region), else the URL's scheme, host and port.
    pub fn implied_endpoint(&self) -> Option<&str> {
        (!self.aws).then_some(self.origin.as_str())
    }
}

impl fmt::Display for QueueUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_urls_name_their_region_and_imply_no_endpoint() {
        let q =
            QueueUrl::parse("https://sqs.eu-west-1.amazonaws.com/123456789012/reel-units").unwrap();
        assert_eq!(q.region(), Some("eu-west-1"));
        assert_eq!(q.name(), "reel-units");
        assert_eq!(q.implied_endpoint(), None);
        let legacy = QueueUrl::parse("https://us-east-2.queue.amazonaws.com/1/q").unwrap();
        assert_eq!(legacy.region(), Some("us-east-2"));
    }

    #[test]
    fn other_hosts_are_their_own_endpoint() {
        let q = QueueUrl::parse("http://127.0.0.1:5000/123456789012/work").unwrap();
        assert_eq!(q.implied_endpoint(), Some("http://127.0.0.1:5000"));
        assert_eq!(q.region(), None);
        assert_eq!(q.name(), "work");
    }

    #[test]
    fn anything_else_is_refused_with_the_text() {
        for bad in [
            "s3://bucket/key",
            "http://host/only-one",
            "work",
            "http://h/a/b/c",
        ] {
            let err = QueueUrl::parse(bad).unwrap_err();
            assert!(err.to_string().starts_with(bad), "{err}");
        }
    }
}
