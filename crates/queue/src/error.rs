//! Errors of queue operations, each naming the queue.

/// A queue operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not an SQS queue URL.
    #[error(
        "{url}: not an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, or \
         http://HOST:PORT/ACCOUNT/NAME of an SQS-compatible service)"
    )]
    InvalidUrl { url: String },
    /// The service could not be reached (connection refused, timeout, DNS).
    #[error("queue {queue}: cannot reach {endpoint}: {message}")]
    Unreachable {
        queue: String,
        endpoint: String,
        message: String,
    },
    /// The service answered with an error (no such queue, access denied, ...).
    #[error("queue {queue}: {operation} failed: {message}")]
    Service {
        queue: String,
        operation: &'static str,
        message: String,
    },
    /// The queue's redrive policy is not the JSON SQS documents.
    #[error("queue {queue}: its RedrivePolicy {policy:?} cannot be read: {reason}")]
    RedrivePolicy {
        queue: String,
        policy: String,
        reason: String,
    },
    /// A blocking call was made from inside a tokio runtime.
    #[error("queue {queue}: blocking queue call made from inside an async runtime")]
    InsideRuntime { queue: String },
    /// The queue's runtime could not be started.
    #[error("starting the queue runtime: {0}")]
    Runtime(#[source] std::io::Error),
}

/// Result of a queue operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
