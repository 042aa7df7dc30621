//! Building the aws-sdk-sqs client for one queue: endpoint, region and
//! credentials from the standard AWS environment, the same HTTP client as
//! reel-storage (rustls on ring).

use crate::queue_url::QueueUrl;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use std::time::Duration;

/// Region used when neither the URL nor the environment names one.
const FALLBACK_REGION: &str = "us-east-1";

/// A client and the endpoint it talks to (for error messages).
pub(crate) struct Built {
    pub client: aws_sdk_sqs::Client,
    pub endpoint: String,
}

/// The endpoint for `queue`: `AWS_ENDPOINT_URL_SQS`, then `AWS_ENDPOINT_URL`,
/// then what the queue URL implies (its own host for non-AWS services).
pub(crate) fn endpoint(queue: &QueueUrl, env: impl Fn(&str) -> Option<String>) -> Option<String> {
    ["AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|name| env(name).filter(|v| !v.trim().is_empty()))
        .or_else(|| queue.implied_endpoint().map(str::to_string))
}

pub(crate) async fn build(queue: &QueueUrl) -> Built {
    let endpoint = endpoint(queue, |name| std::env::var(name).ok());
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let retry = RetryConfig::standard()
        .with_max_attempts(5)
        .with_initial_backoff(Duration::from_millis(200))
        .with_max_backoff(Duration::from_secs(20));
    // Long polls hold a request open for up to 20 s; the read timeout must outlast them.
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(40))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(region) = queue.region() {
        loader = loader.region(Region::new(region.to_string()));
    }
    let sdk_config = loader.load().await;
    let region = sdk_config
        .region()
        .cloned()
        .unwrap_or_else(|| Region::new(FALLBACK_REGION));
    let region_name = region.to_string();
    let mut config = aws_sdk_sqs::config::Builder::from(&sdk_config).region(region);
    if let Some(endpoint) = &endpoint {
        config = config.endpoint_url(endpoint);
    }
    Built {
        client: aws_sdk_sqs::Client::from_conf(config.build()),
        endpoint: endpoint.unwrap_or_else(|| format!("https://sqs.{region_name}.amazonaws.com")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_wins_over_the_url() {
        let q = QueueUrl::parse("http://127.0.0.1:5000/1/work").unwrap();
        let none = |_: &str| None;
        assert_eq!(endpoint(&q, none).as_deref(), Some("http://127.0.0.1:5000"));
        let generic = |k: &str| (k == "AWS_ENDPOINT_URL").then(|| "http://proxy:1".to_string());
        assert_eq!(endpoint(&q, generic).as_deref(), Some("http://proxy:1"));
        let specific = |k: &str| match k {
            "AWS_ENDPOINT_URL_SQS" => Some("http://sqs:2".to_string()),
            "AWS_ENDPOINT_URL" => Some("http://proxy:1".to_string()),
            _ => None,
        };
        assert_eq!(endpoint(&q, specific).as_deref(), Some("http://sqs:2"));
        let aws = QueueUrl::parse("https://sqs.eu-west-1.amazonaws.com/1/work").unwrap();
        assert_eq!(endpoint(&aws, none), None);
    }
}
