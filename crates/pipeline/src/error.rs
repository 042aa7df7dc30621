//! Errors of the pipeline.

/// What stopped a job.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting has a value reel does not know.
    #[error("{origin}: {key} = {value}: {reason}")]
    Setting {
        /// Where it came from: a flag, the config file's path, an environment variable.
        origin: String,
        key: String,
        value: String,
        reason: String,
    },
    /// The config file cannot be read as TOML settings.
    #[error("{path}: {reason}")]
    Config { path: String, reason: String },
    /// The output already holds another job (another source or other settings).
    #[error(
        "{root} holds job {existing} ({why}); this run is job {wanted}: \
         choose another --output, or delete {root} to start over"
    )]
    OtherJob {
        root: String,
        existing: String,
        wanted: String,
        why: String,
    },
    /// A manifest at the output root cannot be read as one.
    #[error("{url}: {reason}")]
    Manifest { url: String, reason: String },
    /// Object storage failed.
    #[error(transparent)]
    Storage(#[from] reel_storage::Error),
    /// A job plan cannot be used as asked.
    #[error("plan: {reason}")]
    Plan { reason: String },
    /// A stage failed; the message is the stage's own.
    #[error("{stage} stage: {message}")]
    Stage {
        stage: &'static str,
        message: String,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
