//! Queues for reel's scale-out modes: work units dispatched to `reel worker`
//! processes on any number of machines, and the S3 event notifications that
//! start `reel watch` jobs.
//!
//! [`Queue`] is a blocking facade over SQS (AWS, or any SQS-compatible service
//! through a custom endpoint), like `reel_storage::Storage`: it owns a small tokio
//! runtime, so the synchronous rest of reel never sees async code. [`run_leased`]
//! keeps a received message invisible to other consumers while its work runs and
//! gives it back at once when the process is asked to stop. [`s3_event`] reads the
//! standard S3 event notification JSON.

mod client;
mod error;
mod lease;
mod queue;
mod queue_url;
pub mod s3_event;

pub use error::{Error, Result};
pub use lease::{run_leased, Leased};
pub use queue::{Delivery, Queue, Redrive};
pub use queue_url::QueueUrl;
