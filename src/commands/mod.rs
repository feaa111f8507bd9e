//! One file per command: arguments in, calls into [`crate::app`], output out. Commands
//! never call each other. Two files here are shared by commands rather than being one:
//! `package_request` (install, upgrade and uninstall) and `watch_cycle` (watch's cycle).

mod apply;
mod completions;
mod hash_password;
mod history;
mod init;
mod install;
mod keygen;
mod list;
mod login;
mod logout;
mod package_request;
mod plan;
mod schema;
mod sign;
mod status;
mod uninstall;
mod upgrade;
mod users;
mod verify;
mod watch;
mod watch_cycle;
mod whoami;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use std::process::ExitCode;

use crate::cli::{Cli, ColorChoice, Command, GlobalArgs, LogFormat};
use crate::effects::progress::Verbosity;

/// The global settings every command receives.
#[derive(Debug, Clone)]
pub struct Settings {
    pub state: PathBuf,
    pub trust: Option<PathBuf>,
    pub verbosity: Verbosity,
    pub log_format: LogFormat,
}

impl Settings {
    fn from_args(global: &GlobalArgs) -> anyhow::Result<Self> {
        let verbosity = match (global.quiet, global.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, _) => Verbosity::Verbose,
        };
        let state = match &global.state {
            Some(state) => state.clone(),
            None => crate::effects::state_location::default_state_path()?,
        };
        Ok(Self {
            state,
            trust: global.trust.clone(),
            verbosity,
            log_format: global.log_format,
        })
    }
}

/// `path` made absolute against the working directory, without resolving links.
fn absolute(path: &std::path::Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| {
        format!(
            "cannot resolve `{}` against the working directory",
            path.display()
        )
    })
}

/// Colours (honouring `NO_COLOR` and pipes) and the log format, once, before any output.
pub fn configure_output(global: &GlobalArgs) {
    let choice = match global.color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let level = match (global.quiet, global.verbose) {
        (true, _) => tracing::Level::ERROR,
        (false, 0) => tracing::Level::WARN,
        (false, 1) => tracing::Level::INFO,
        (false, _) => tracing::Level::DEBUG,
    };
    let color = anstream::stderr().current_choice() != anstream::ColorChoice::Never;
    crate::logging::init(global.log_format, level, color);
}

pub fn execute(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = Settings::from_args(&cli.global)?;
    match cli.command {
        Command::Plan(args) => plan::run(&settings, &args),
        Command::Apply(args) => apply::run(&settings, &args),
        Command::Watch(mut args) => {
            // A long-running process: its working directory may be deleted or swapped under
            // it (a git-sync checkout, a recreated folder). Resolve every path once, now.
            args.manifest.manifest = absolute(&args.manifest.manifest)?;
            let settings = Settings {
                state: absolute(&settings.state)?,
                trust: settings.trust.as_deref().map(absolute).transpose()?,
                ..settings
            };
            watch::run(&settings, &args)
        }
        Command::List(args) => list::run(&settings, &args),
        Command::Status(args) => status::run(&settings, &args),
        Command::History(args) => history::run(&settings, &args),
        Command::Init(args) => init::run(&settings, &args),
        Command::Keygen(args) => keygen::run(&args),
        Command::Sign(args) => sign::run(&settings, &args),
        Command::Verify(args) => verify::run(&settings, &args),
        Command::Schema(args) => schema::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Install(args) => install::run(&settings, &args),
        Command::Upgrade(args) => upgrade::run(&settings, &args),
        Command::Uninstall(args) => uninstall::run(&settings, &args),
        Command::Login(args) => login::run(&settings, &args),
        Command::Logout => logout::run(),
        Command::Whoami(args) => whoami::run(&settings, &args),
        Command::Users(args) => users::run(&settings, &args),
        Command::HashPassword(args) => hash_password::run(&args),
    }
}

pub use crate::app::now_ms;

/// Writes to stdout, styled when stdout is a terminal that wants colour.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = anstream::stdout();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes a JSON value to stdout on one line per document.
pub fn print_json(value: &serde_json::Value) -> anyhow::Result<()> {
    print(&format!("{}\n", serde_json::to_string_pretty(value)?))
}
