//! Progress on stderr while apply works: a spinner with the step and elapsed time on a
//! terminal, plain step lines otherwise, and the installer's own output under `-v`.

use std::cell::OnceCell;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// How much to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

pub struct Progress {
    /// Started at the first step, so nothing spins while the plan is shown or confirmed.
    spinner: OnceCell<ProgressBar>,
    on_terminal: bool,
    verbosity: Verbosity,
}

impl Progress {
    pub fn new(verbosity: Verbosity) -> Self {
        Self {
            spinner: OnceCell::new(),
            on_terminal: std::io::stderr().is_terminal(),
            verbosity,
        }
    }

    /// Announces the step now running.
    pub fn step(&self, message: &str) {
        match self.verbosity {
            Verbosity::Quiet => {}
            Verbosity::Normal if self.on_terminal => {
                let spinner = self.spinner.get_or_init(start_spinner);
                spinner.reset_elapsed();
                spinner.set_message(message.to_string());
            }
            _ => eprintln!("{message}"),
        }
    }

    /// Where the installer's output goes: streamed under `-v`, otherwise only captured.
    pub fn echo(&self) -> Option<&(dyn Fn(&str) + Sync)> {
        (self.verbosity == Verbosity::Verbose).then_some(&echo_line as &(dyn Fn(&str) + Sync))
    }

    pub fn finish(&self) {
        if let Some(spinner) = self.spinner.get() {
            spinner.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn start_spinner() -> ProgressBar {
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.enable_steady_tick(Duration::from_millis(100));
    spinner
}

fn echo_line(line: &str) {
    eprintln!("  | {}", crate::core::text::shown_line(line));
}
