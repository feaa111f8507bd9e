//! A fluent runner for the real `pkgm` binary: arguments, folder, environment and stdin in;
//! exit code and both streams out, raw or filtered for whole-output comparison.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::filter::Filter;
use super::process::{describe, scrub_environment};

/// Long enough for pip to install a few local wheels on a loaded 2-core CI machine,
/// short enough that a hung lock or prompt fails the test instead of the whole run.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// One invocation of `pkgm`, built up fluently and run with [`Pkgm::run`].
///
/// The child gets a scrubbed environment (no `PIP_*`, `UV_*`, `PYTHON*`, `PKGM_*`, `RUST_*`,
/// pip/uv config files ignored) plus `NO_COLOR=1`; [`Sandbox::pkgm`](super::Sandbox::pkgm)
/// adds the sandbox's state, home and config folders.
#[derive(Debug, Clone)]
pub struct Pkgm {
    args: Vec<OsString>,
    current_dir: Option<PathBuf>,
    env: Vec<(OsString, Option<OsString>)>,
    stdin: Vec<u8>,
    timeout: Duration,
    filter: Filter,
}

impl Default for Pkgm {
    fn default() -> Self {
        Self::new()
    }
}

impl Pkgm {
    pub fn new() -> Self {
        Self {
            args: Vec::new(),
            current_dir: None,
            env: vec![("NO_COLOR".into(), Some("1".into()))],
            stdin: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            filter: Filter::new(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    pub fn current_dir(mut self, dir: &Path) -> Self {
        self.current_dir = Some(dir.to_owned());
        self
    }

    /// Sets a variable for the child (after the scrub, so `PKGM_*` may be set here).
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        let key = key.as_ref().to_owned();
        self.env.retain(|(existing, _)| *existing != key);
        self.env.push((key, Some(value.as_ref().to_owned())));
        self
    }

    /// Removes a variable the runner would otherwise set (`NO_COLOR`, `PKGM_STATE`, …).
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        let key = key.as_ref().to_owned();
        self.env.retain(|(existing, _)| *existing != key);
        self.env.push((key, None));
        self
    }

    /// Bytes for the child's stdin (default: empty, so stdin is at end of file).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = input.into();
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The filter [`Run::stdout_filtered`] and [`Run::stderr_filtered`] use.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = filter;
        self
    }

    /// The configured command, for tests that must spawn it and act while it runs.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pkgm"));
        scrub_environment(&mut command);
        command.args(&self.args);
        if let Some(dir) = &self.current_dir {
            command.current_dir(dir);
        }
        for (key, value) in &self.env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        command
    }

    /// Runs the binary to completion (or the timeout, which fails the test).
    pub fn run(self) -> Run {
        let command = self.command();
        let command_line = describe(&command);
        let output = assert_cmd::Command::from_std(command)
            .write_stdin(self.stdin)
            .timeout(self.timeout)
            .output()
            .unwrap_or_else(|err| panic!("cannot run `{command_line}`: {err}"));
        let run = Run {
            command_line,
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            filter: self.filter,
        };
        if run.code.is_none() {
            panic!("pkgm was killed (timeout of {:?}?)\n{run}", self.timeout);
        }
        run
    }
}

/// The outcome of one `pkgm` run. `Display` shows everything, for assertion messages.
#[derive(Debug, Clone)]
pub struct Run {
    command_line: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    filter: Filter,
}

impl Run {
    /// The exit code (a run killed by a signal has already failed the test).
    pub fn code(&self) -> i32 {
        self.code
            .expect("Pkgm::run rejects runs without an exit code")
    }

    pub fn stdout(&self) -> &str {
        &self.stdout
    }

    pub fn stderr(&self) -> &str {
        &self.stderr
    }

    /// `(code, stdout, stderr)`, raw.
    pub fn parts(&self) -> (i32, &str, &str) {
        (self.code(), &self.stdout, &self.stderr)
    }

    pub fn stdout_filtered(&self) -> String {
        self.filter.apply(&self.stdout)
    }

    pub fn stderr_filtered(&self) -> String {
        self.filter.apply(&self.stderr)
    }

    /// Panics, showing the whole run, unless the exit code is `expected`.
    #[track_caller]
    pub fn expect_code(&self, expected: i32) -> &Self {
        assert_eq!(self.code, Some(expected), "unexpected exit code\n{self}");
        self
    }

    #[track_caller]
    pub fn expect_success(&self) -> &Self {
        self.expect_code(0)
    }

    /// Stdout parsed as JSON (for `--output json`); panics with the whole run if it is not.
    #[track_caller]
    pub fn stdout_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON: {err}\n{self}"))
    }
}

impl fmt::Display for Run {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self
            .code
            .map_or_else(|| "none (killed)".to_owned(), |code| code.to_string());
        write!(
            formatter,
            "command: {}\nexit code: {code}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command_line, self.stdout, self.stderr
        )
    }
}
