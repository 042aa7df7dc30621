//! `reel`: the command-line front end of the reel encoding pipeline.
//!
//! A thin binary over the stage libraries: it parses flags, resolves source and output
//! URLs through `reel-storage`, runs a stage, and prints a human summary or JSON.
//! Exit codes: 0 success, 1 a check failed (validation), 2 the command could not run.

mod args;
mod commands;
mod conversion;
mod job_inputs;
mod ladder_plot;
mod ladder_queue;
mod ladder_trials;
mod plot;
mod progress;
mod queue_wait;
mod report_shots;
mod shutdown;
mod sources;
mod summary;
mod validate_queue;
mod vmaf_queue;
mod work_item;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("reel: error: {}", one_line(&err));
            ExitCode::from(2)
        }
    }
}

/// The whole context chain on one line ("inspecting a.mp4: cannot open ...: ..."),
/// leaving out a cause that the message before it already ends with (errors
/// that print their source and also return it as `source()`).
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !line.ends_with(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line
}
