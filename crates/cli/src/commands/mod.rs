//! One module per subcommand.

pub(crate) mod bdrate;
mod dispatch;
pub(crate) mod encode;
mod inspect;
pub(crate) mod ladder;
pub(crate) mod plan;
pub(crate) mod report;
pub(crate) mod task;
pub(crate) mod transcode;
pub(crate) mod validate;
mod vmaf;
pub(crate) mod watch;
pub(crate) mod worker;

use crate::args::{Cli, Command};
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // reel reports decode problems itself; FFmpeg's own lines would break the one-line
    // error contract. REEL_FFMPEG_LOG=1 keeps them for debugging.
    if std::env::var_os("REEL_FFMPEG_LOG").is_none() {
        reel_media::silence_ffmpeg_log();
        // SVT-AV1 prints its banner and errors on stderr itself; 0 keeps only
        // fatal messages. Set here, before any thread exists.
        if std::env::var_os("SVT_LOG").is_none() {
            std::env::set_var("SVT_LOG", "0");
        }
    } else {
        reel_media::init();
    }
    match cli.command {
        Command::Inspect(args) => inspect::run(&args, &cli.global),
        Command::Vmaf(args) => vmaf::run(&args, &cli.global),
        Command::Transcode(args) => transcode::run(&args, &cli.global),
        Command::Bdrate(args) => bdrate::run(&args, &cli.global),
        Command::Ladder(args) => ladder::run(&args, &cli.global),
        Command::Validate(args) => validate::run(&args, &cli.global),
        Command::Encode(args) => encode::run(&args, &cli.global),
        Command::Report(args) => report::run(&args, &cli.global),
        Command::Plan(args) => plan::run_plan(&args, &cli.global),
        Command::Task(args) => task::run_task(&args, &cli.global),
        Command::Assemble(args) => plan::run_assemble(&args, &cli.global),
        Command::Worker(args) => worker::run(&args, &cli.global),
        Command::Watch(args) => watch::run(&args, &cli.global),
    }
}
