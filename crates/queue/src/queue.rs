//! [`Queue`]: blocking access to one SQS queue.

use crate::client;
use crate::error::{Error, Result};
use crate::queue_url::QueueUrl;
use aws_sdk_sqs::error::{DisplayErrorContext, SdkError};
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::{Handle, Runtime};

/// SQS caps a long poll at 20 s and a visibility timeout at 12 hours.
const MAX_WAIT: Duration = Duration::from_secs(20);
const MAX_VISIBILITY: Duration = Duration::from_secs(12 * 60 * 60);

/// One SQS queue. Cheap to clone; every method blocks the calling thread, so it
/// must not be called from inside a tokio runtime.
#[derive(Debug, Clone)]
pub struct Queue {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    runtime: Option<Runtime>,
    client: aws_sdk_sqs::Client,
    url: QueueUrl,
    endpoint: String,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A received message: its body, and the receipt that changes or deletes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub message_id: String,
    pub body: String,
    pub receipt: String,
    /// How many times the message has been received, this time included.
    pub receive_count: u32,
}

/// Where a queue's repeatedly failing messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redrive {
    /// ARN of the dead-letter queue.
    pub dead_letter_arn: String,
    /// Receives after which SQS moves a message there.
    pub max_receives: u32,
}

impl Queue {
    /// Connects to the queue at `url` (nothing is sent until the first call).
    ///
    /// # Errors
    /// [`Error::InvalidUrl`], or [`Error::Runtime`].
    pub fn connect(url: &str) -> Result<Queue> {
        let url = QueueUrl::parse(url)?;
        // Two threads: a lease's heartbeat may run while another thread polls.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("reel-queue")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let built = runtime.block_on(client::build(&url));
        Ok(Queue {
            inner: Arc::new(Inner {
                runtime: Some(runtime),
                client: built.client,
                url,
                endpoint: built.endpoint,
            }),
        })
    }

    /// The queue's URL.
    pub fn url(&self) -> &QueueUrl {
        &self.inner.url
    }

    /// Sends `body`, visible after `delay` (at most 15 minutes).
    ///
    /// # Errors
    /// [`Error::Unreachable`] or [`Error::Service`].
    pub fn send(&self, body: &str, delay: Duration) -> Result<String> {
        let inner = &self.inner;
        let delay = i32::try_from(delay.as_secs().min(900)).unwrap_or(900);
        let out = self.block("SendMessage", async {
            inner
                .client
                .send_message()
                .queue_url(inner.url.as_str())
                .message_body(body)
                .delay_seconds(delay)
                .send()
                .await
        })?;
        Ok(out.message_id().unwrap_or_default().to_string())
    }

    /// Waits up to `wait` (at most 20 s, SQS's long poll) for one message and
    /// hides it from other consumers for `visibility`.
    ///
    /// # Errors
    /// [`Error::Unreachable`] or [`Error::Service`].
    pub fn receive(&self, wait: Duration, visibility: Duration) -> Result<Option<Delivery>> {
        let inner = &self.inner;
        let wait = i32::try_from(wait.min(MAX_WAIT).as_secs()).unwrap_or(20);
        let out = self.block("ReceiveMessage", async {
            inner
                .client
                .receive_message()
                .queue_url(inner.url.as_str())
                .max_number_of_messages(1)
                .wait_time_seconds(wait)
                .visibility_timeout(seconds(visibility))
                .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
                .send()
                .await
        })?;
        let Some(message) = out.messages().first() else {
            return Ok(None);
        };
        let receive_count = message
            .attributes()
            .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        Ok(Some(Delivery {
            message_id: message.message_id().unwrap_or_default().to_string(),
            body: message.body().unwrap_or_default().to_string(),
            receipt: message.receipt_handle().unwrap_or_default().to_string(),
            receive_count,
        }))
    }

    /// Keeps a received message hidden for `visibility` from now; zero makes it
    /// visible at once (released to other consumers).
    ///
    /// # Errors
    /// [`Error::Unreachable`] or [`Error::Service`] (also when the receipt has
    /// expired because the message was received again elsewhere).
    pub fn set_visibility(&self, receipt: &str, visibility: Duration) -> Result<()> {
        let inner = &self.inner;
        self.block("ChangeMessageVisibility", async {
            inner
                .client
                .change_message_visibility()
                .queue_url(inner.url.as_str())
                .receipt_handle(receipt)
                .visibility_timeout(seconds(visibility))
                .send()
                .await
        })?;
        Ok(())
    }

    /// Deletes a received message: its work is done (or dropped for good).
    ///
    /// # Errors
    /// [`Error::Unreachable`] or [`Error::Service`].
    pub fn delete(&self, receipt: &str) -> Result<()> {
        let inner = &self.inner;
        self.block("DeleteMessage", async {
            inner
                .client
                .delete_message()
                .queue_url(inner.url.as_str())
                .receipt_handle(receipt)
                .send()
                .await
        })?;
        Ok(())
    }

    /// The queue's redrive policy, `None` when it has no dead-letter queue.
    ///
    /// # Errors
    /// [`Error::Unreachable`], [`Error::Service`] or [`Error::RedrivePolicy`].
    pub fn redrive(&self) -> Result<Option<Redrive>> {
        let inner = &self.inner;
        let out = self.block("GetQueueAttributes", async {
            inner
                .client
                .get_queue_attributes()
                .queue_url(inner.url.as_str())
                .attribute_names(QueueAttributeName::RedrivePolicy)
                .send()
                .await
        })?;
        let Some(policy) = out
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::RedrivePolicy))
        else {
            return Ok(None);
        };
        parse_redrive(policy)
            .map(Some)
            .map_err(|reason| Error::RedrivePolicy {
                queue: inner.url.to_string(),
                policy: policy.clone(),
                reason,
            })
    }

    /// The URL of another queue of the same service, by name (a dead-letter
    /// queue's ARN names it).
    ///
    /// # Errors
    /// [`Error::Unreachable`] or [`Error::Service`].
    pub fn sibling_url(&self, name: &str) -> Result<String> {
        let inner = &self.inner;
        let out = self.block("GetQueueUrl", async {
            inner.client.get_queue_url().queue_name(name).send().await
        })?;
        Ok(out.queue_url().unwrap_or_default().to_string())
    }

    /// Runs one SDK call on the queue runtime, mapping its error.
    fn block<T, E>(
        &self,
        operation: &'static str,
        call: impl Future<Output = std::result::Result<T, SdkError<E>>>,
    ) -> Result<T>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let queue = self.inner.url.to_string();
        if Handle::try_current().is_ok() {
            return Err(Error::InsideRuntime { queue });
        }
        let Some(runtime) = &self.inner.runtime else {
            return Err(Error::InsideRuntime { queue });
        };
        runtime.block_on(call).map_err(|err| match err {
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => Error::Unreachable {
                queue,
                endpoint: self.inner.endpoint.clone(),
                message: DisplayErrorContext(&err).to_string(),
            },
            other => Error::Service {
                queue,
                operation,
                message: service_message(&other),
            },
        })
    }
}

/// The service's code and message, without the SDK's wrapping.
fn service_message<E: std::error::Error + 'static>(err: &SdkError<E>) -> String {
    match err {
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let text = inner.to_string();
            if text.is_empty() {
                DisplayErrorContext(err).to_string()
            } else {
                text
            }
        }
        other => DisplayErrorContext(other).to_string(),
    }
}

fn seconds(d: Duration) -> i32 {
    i32::try_from(d.min(MAX_VISIBILITY).as_secs()).unwrap_or(43_200)
}

/// Reads `{"deadLetterTargetArn": "...", "maxReceiveCount": N}`; SQS has sent
/// the count both as a number and as a string.
fn parse_redrive(policy: &str) -> std::result::Result<Redrive, String> {
    let value: serde_json::Value = serde_json::from_str(policy).map_err(|e| e.to_string())?;
    let arn = value
        .get("deadLetterTargetArn")
        .and_then(|v| v.as_str())
        .ok_or("no deadLetterTargetArn")?;
    let count = value.get("maxReceiveCount").ok_or("no maxReceiveCount")?;
    let max_receives = count
        .as_u64()
        .or_else(|| count.as_str().and_then(|s| s.parse().ok()))
        .and_then(|n| u32::try_from(n).ok())
        .ok_or("maxReceiveCount is not a count")?;
    Ok(Redrive {
        dead_letter_arn: arn.to_string(),
        max_receives,
    })
}

impl Redrive {
    /// The dead-letter queue's name (the ARN's last field).
    pub fn dead_letter_name(&self) -> &str {
        self.dead_letter_arn
            .rsplit(':')
            .next()
            .unwrap_or(&self.dead_letter_arn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redrive_policies_read_counts_as_numbers_or_strings() {
        let arn = "arn:aws:sqs:us-east-1:123456789012:reel-dead";
        for policy in [
            format!(r#"{{"deadLetterTargetArn":"{arn}","maxReceiveCount":3}}"#),
            format!(r#"{{"deadLetterTargetArn":"{arn}","maxReceiveCount":"3"}}"#),
        ] {
            let redrive = parse_redrive(&policy).unwrap();
            assert_eq!(redrive.max_receives, 3);
            assert_eq!(redrive.dead_letter_name(), "reel-dead");
        }
        assert!(parse_redrive(r#"{"maxReceiveCount":3}"#).is_err());
        assert!(parse_redrive("not json").is_err());
    }
}
