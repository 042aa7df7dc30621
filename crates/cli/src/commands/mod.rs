//! One module per subcommand.

mod inspect;
pub(crate) mod transcode;
mod vmaf;

use crate::args::{Cli, Command};
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // reel reports decode problems itself; FFmpeg's own lines would break the one-line
    // error contract. REEL_FFMPEG_LOG=1 keeps them for debugging.
    if std::env::var_os("REEL_FFMPEG_LOG").is_none() {
        reel_media::silence_ffmpeg_log();
    } else {
        reel_media::init();
    }
    match cli.command {
        Command::Inspect(args) => inspect::run(&args, &cli.global),
        Command::Vmaf(args) => vmaf::run(&args, &cli.global),
        Command::Transcode(args) => transcode::run(&args, &cli.global),
    }
}
