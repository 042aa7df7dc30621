//! Command-line flags, as clap parses them.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "reel", version, about = "Per-title video encoding pipeline: inspect, ladder, encode, validate, score")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// S3-compatible endpoint (MinIO, Ceph, R2...); path-style addressing is used with it.
    /// Credentials and region come from the standard AWS environment and profile files.
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub s3_endpoint: Option<String>,
    /// No progress display.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect a source: container, streams, frame count, shots, complexity, black/frozen
    /// spans, crop, decode errors. Writes OUTPUT/inspect.json when --output is given.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The source: a path, file:// URL, http(s):// URL or s3://bucket/key.
    pub source: String,
    /// Job directory (local path or s3://bucket/prefix) that receives inspect.json.
    #[arg(long, short, value_name = "URL")]
    pub output: Option<String>,
    /// Print the report as JSON on stdout instead of a summary.
    #[arg(long)]
    pub json: bool,
}
