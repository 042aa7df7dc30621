//! Turning aws-sdk-s3 errors into [`Error`]s a person can act on, keeping the SDK's full
//! context (`DisplayErrorContext`) in the detail.

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::error::Error;
use crate::url::StorageUrl;

/// Error codes that mean the credentials (or their permissions) are wrong.
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
    "InvalidToken",
    "ExpiredToken",
    "TokenRefreshRequired",
    "AllAccessDisabled",
    "NotSignedUp",
];

/// Maps one failed S3 call on `url` (`op` names the S3 operation) to an [`Error`].
pub(crate) fn map_sdk_error<E>(
    err: SdkError<E>,
    url: &StorageUrl,
    op: &'static str,
    endpoint: &str,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let url_s = url.to_string();
    let detail = DisplayErrorContext(&err).to_string();
    match &err {
        SdkError::DispatchFailure(d) if d.is_io() || d.is_timeout() => Error::Unreachable {
            url: url_s,
            endpoint: endpoint.to_string(),
            op,
            detail: root_cause(&err),
        },
        SdkError::TimeoutError(_) => Error::Unreachable {
            url: url_s,
            endpoint: endpoint.to_string(),
            op,
            detail: root_cause(&err),
        },
        SdkError::ServiceError(service) => {
            let code = service.err().code();
            let status = service.raw().status().as_u16();
            classify(code, status, url_s, op, detail)
        }
        _ => Error::S3 {
            url: url_s,
            op,
            detail,
        },
    }
}

/// The innermost cause ("Connection refused (os error 111)"): for a network
/// failure the SDK's layers above it add only noise.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Sorts a service error by code, falling back on the HTTP status for bodiless answers
/// (HEAD requests carry no error code).
fn classify(
    code: Option<&str>,
    status: u16,
    url: String,
    op: &'static str,
    detail: String,
) -> Error {
    match code {
        Some("NoSuchBucket") => Error::NoSuchBucket { url },
        Some("NoSuchKey") | Some("NotFound") => Error::NotFound { url },
        Some(c) if DENIED_CODES.contains(&c) => Error::AccessDenied { url, op, detail },
        None if status == 404 => Error::NotFound { url },
        // Any other 403 (NotSignedUp, RequestTimeTooSkewed, ...) is about who is asking.
        _ if status == 403 => Error::AccessDenied { url, op, detail },
        _ => Error::S3 { url, op, detail },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(code: Option<&str>, status: u16) -> Error {
        classify(code, status, "s3://b/k".into(), "GetObject", "d".into())
    }

    #[test]
    fn codes_become_clear_errors() {
        assert_eq!(
            go(Some("NoSuchBucket"), 404).to_string(),
            "s3://b/k: bucket does not exist"
        );
        assert_eq!(
            go(Some("NoSuchKey"), 404).to_string(),
            "s3://b/k: not found"
        );
        assert_eq!(go(None, 404).to_string(), "s3://b/k: not found");
        for code in [
            "AccessDenied",
            "SignatureDoesNotMatch",
            "InvalidAccessKeyId",
        ] {
            let msg = go(Some(code), 403).to_string();
            assert!(msg.contains("access denied (check credentials)"), "{msg}");
        }
        assert!(matches!(go(None, 403), Error::AccessDenied { .. }));
        assert!(matches!(
            go(Some("NotSignedUp"), 403),
            Error::AccessDenied { .. }
        ));
        assert!(matches!(go(Some("SlowDown"), 503), Error::S3 { .. }));
    }
}
