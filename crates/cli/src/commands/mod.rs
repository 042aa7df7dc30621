//! One module per subcommand.

mod inspect;

use crate::args::{Cli, Command};
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    reel_media::init();
    match cli.command {
        Command::Inspect(args) => inspect::run(&args, &cli.global),
    }
}
