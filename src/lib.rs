//! pkgm: reconcile Python environments and application accounts from signed manifests.
//!
//! `run` is the whole program: parse the command line, run one command, print the error
//! chain once, and return the exit code.

pub mod app;
pub mod cli;
pub mod commands;
pub mod core;
pub mod effects;
pub mod engine;
pub mod logging;
pub mod render;
pub mod render_diff;
pub mod schema;
pub mod watch_report;

use std::process::ExitCode;

use clap::Parser;

pub fn run() -> ExitCode {
    // Usage errors exit 1 like every other error: 2 means "plan found changes".
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 1 } else { 0 });
        }
    };
    commands::configure_output(&cli.global);
    match commands::execute(cli) {
        Ok(code) => code,
        Err(error) => {
            report(&error);
            ExitCode::from(1)
        }
    }
}

/// Prints `error: ...` with its causes, and any `hint:` lines last, the deepest cause's first.
fn report(error: &anyhow::Error) {
    let mut hints = Vec::new();
    let mut lines = Vec::new();
    for (index, cause) in error.chain().enumerate() {
        // Messages carry paths, names and installer output: nothing in them may drive the
        // terminal. Their own line breaks (the `hint:`) stay.
        let text = core::text::shown(&cause.to_string());
        let (message, hint) = match text.split_once("\nhint: ") {
            Some((message, hint)) => (message.to_string(), Some(hint.to_string())),
            None => (text, None),
        };
        if let Some(hint) = hint {
            hints.push(hint);
        }
        if index == 0 {
            lines.push(format!("error: {message}"));
        } else {
            lines.push(format!("  caused by: {message}"));
        }
    }
    let style = anstyle::AnsiColor::Red.on_default().bold();
    let mut out = anstream::stderr();
    use std::io::Write;
    for (index, line) in lines.iter().enumerate() {
        if index == 0 {
            let rest = line.strip_prefix("error: ").unwrap_or(line);
            let _ = writeln!(out, "{style}error:{style:#} {rest}");
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    // The deepest cause knows most about what went wrong: its hint comes first.
    for hint in hints.iter().rev() {
        let _ = writeln!(out, "hint: {hint}");
    }
}
