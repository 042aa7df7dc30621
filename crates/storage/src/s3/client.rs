//! Building the aws-sdk-s3 client from [`StorageOptions`]: HTTP client, region,
//! credentials, retries, timeouts, custom endpoint with path-style addressing.

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_s3::config::{
    Credentials, RequestChecksumCalculation, ResponseChecksumValidation, SharedCredentialsProvider,
};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use std::time::Duration;

use crate::error::Result;
use crate::options::StorageOptions;

/// The region used when neither the options nor the standard chain name one; S3-compatible
/// servers usually ignore it, AWS redirects.
const FALLBACK_REGION: &str = "us-east-1";

/// A ready client and the endpoint it talks to (for error messages).
pub(crate) struct Built {
    pub client: aws_sdk_s3::Client,
    pub endpoint: String,
}

pub(crate) async fn build(opts: &StorageOptions) -> Result<Built> {
    opts.validate()?;
    let endpoint = opts.resolve_endpoint(|name| std::env::var(name).ok())?;

    // rustls on ring; plain http:// endpoints go through the same client.
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();

    let retry = RetryConfig::standard()
        .with_max_attempts(opts.max_attempts)
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(20));
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(opts.connect_timeout)
        .build();

    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .retry_config(retry)
        .timeout_config(timeouts);
    // Without an explicit region the loader runs the standard chain itself; a chain built
    // here would not get the loader's HTTP client.
    if let Some(region) = &opts.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(creds) = &opts.credentials {
        loader = loader.credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            creds.access_key_id.clone(),
            creds.secret_access_key.clone(),
            creds.session_token.clone(),
            None,
            "reel-storage-options",
        )));
    }
    let sdk_config = loader.load().await;
    let region = sdk_config
        .region()
        .cloned()
        .unwrap_or_else(|| Region::new(FALLBACK_REGION));
    let region_name = region.to_string();

    // Checksums only when an operation requires them: the newer default (CRC32 trailers
    // on every upload) is not understood by many S3-compatible servers.
    let mut s3 = aws_sdk_s3::config::Builder::from(&sdk_config)
        .region(region)
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
    if let Some(endpoint) = &endpoint {
        // MinIO, Ceph and friends do not resolve bucket.host names.
        s3 = s3.endpoint_url(endpoint).force_path_style(true);
    }
    let endpoint = endpoint.unwrap_or_else(|| format!("https://s3.{region_name}.amazonaws.com"));
    Ok(Built {
        client: aws_sdk_s3::Client::from_conf(s3.build()),
        endpoint,
    })
}
