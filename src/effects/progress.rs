//! Progress on stderr while apply works: a spinner with the step and elapsed time on a
//! terminal, plain step lines otherwise, and the installer's own output under `-v`.

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
    spinner: Option<ProgressBar>,
    verbosity: Verbosity,
}

impl Progress {
    pub fn new(verbosity: Verbosity) -> Self {
        let spinner =
            (verbosity == Verbosity::Normal && std::io::stderr().is_terminal()).then(|| {
                let spinner = ProgressBar::new_spinner();
                spinner.set_style(
                    ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                spinner.enable_steady_tick(Duration::from_millis(100));
                spinner
            });
        Self { spinner, verbosity }
    }

    /// Announces the step now running.
    pub fn step(&self, message: &str) {
        match (&self.spinner, self.verbosity) {
            (Some(spinner), _) => {
                spinner.reset_elapsed();
                spinner.set_message(message.to_string());
            }
            (None, Verbosity::Quiet) => {}
            (None, _) => eprintln!("{message}"),
        }
    }

    /// Where the installer's output goes: streamed under `-v`, otherwise only captured.
    pub fn echo(&self) -> Option<&(dyn Fn(&str) + Sync)> {
        (self.verbosity == Verbosity::Verbose).then_some(&echo_line as &(dyn Fn(&str) + Sync))
    }

    pub fn finish(&self) {
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn echo_line(line: &str) {
    eprintln!("  | {line}");
}
