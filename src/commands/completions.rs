//! `pkgm completions SHELL`: shell completion scripts generated from the command line.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "pkgm",
        &mut std::io::stdout(),
    );
    Ok(ExitCode::SUCCESS)
}
