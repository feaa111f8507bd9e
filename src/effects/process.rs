//! Child processes that explain themselves: no shell, captured output, and an error that
//! shows the command line with what the program printed.

use std::ffi::OsString;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

static OWN_PROCESS_GROUP: AtomicBool = AtomicBool::new(false);

/// Children running right now (their pids, which are also their process groups when
/// shielded), so a forced shutdown can stop them instead of leaving them orphaned.
static RUNNING: Mutex<Running> = Mutex::new(Running {
    pids: Vec::new(),
    stopping: false,
});

struct Running {
    pids: Vec<u32>,
    /// Set by [`stop_running_children`]: no new child starts, and a child that ends
    /// unsuccessfully from now on was stopped, not failed.
    stopping: bool,
}

fn running() -> MutexGuard<'static, Running> {
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How hard [`stop_running_children`] asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM: the installer may clean up.
    Terminate,
    /// SIGKILL: gone at once.
    Kill,
}

/// Signals every child started by [`Invocation::run`] that has not finished, with its own
/// children when it runs in its own process group, and refuses to start new ones that
/// change anything (read-only ones, like the interpreter probe, still run). Returns what
/// was signalled, for [`wait_for_stopped_children`].
pub fn stop_running_children(how: Stop) -> Stopped {
    let signal = match how {
        Stop::Terminate => libc::SIGTERM,
        Stop::Kill => libc::SIGKILL,
    };
    let mut running = running();
    running.stopping = true;
    let targets = targets(&running.pids);
    for target in &targets {
        // SAFETY: kill(2) touches no memory. A pid leaves RUNNING right after `wait` reaps
        // it; a reuse inside that window would need the kernel to wrap its whole pid space.
        unsafe {
            libc::kill(*target, signal);
        }
    }
    Stopped(targets)
}

/// The processes (or process groups) a stop request signalled.
#[derive(Debug)]
pub struct Stopped(Vec<libc::pid_t>);

impl Stopped {
    pub fn count(&self) -> usize {
        self.0.len()
    }
}

/// Waits, at most `timeout`, until everything `stopped` names (each child and, when
/// shielded, its whole process group) is gone. True when it is.
pub fn wait_for_stopped_children(stopped: &Stopped, timeout: Duration) -> bool {
    let started = Instant::now();
    let targets = &stopped.0;
    loop {
        // SAFETY: signal 0 only asks whether the target exists.
        let alive = targets
            .iter()
            .any(|target| unsafe { libc::kill(*target, 0) } == 0);
        if !alive {
            return true;
        }
        if started.elapsed() >= timeout {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// What to signal for each pid: its process group when children are shielded.
fn targets(pids: &[u32]) -> Vec<libc::pid_t> {
    let group = OWN_PROCESS_GROUP.load(Ordering::SeqCst);
    pids.iter()
        .filter_map(|pid| libc::pid_t::try_from(*pid).ok())
        .map(|pid| if group { -pid } else { pid })
        .collect()
}

/// Keeps a child's pid in [`RUNNING`] until it has been reaped.
struct Registered(u32);

impl Drop for Registered {
    fn drop(&mut self) {
        running().pids.retain(|pid| *pid != self.0);
    }
}

/// From now on, children start in their own process group, so a Ctrl-C at the terminal
/// reaches only pkgm (which finishes the current step) and never an installer mid-call.
/// For long-running commands that handle SIGINT themselves (`watch`).
pub fn shield_children_from_terminal_signals() {
    OWN_PROCESS_GROUP.store(true, Ordering::SeqCst);
}

/// A program with its arguments and environment, run without a shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// Variables to set.
    pub set_env: Vec<(String, OsString)>,
    /// Prefixes of variables to remove from the inherited environment, with exceptions kept.
    pub remove_env_prefixes: Vec<String>,
    pub keep_env: Vec<String>,
    pub cwd: Option<PathBuf>,
    /// Changes nothing (the interpreter probe): still allowed once a stop was requested,
    /// so a stopped run can inspect what it left behind.
    pub read_only: bool,
}

impl Invocation {
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            set_env: Vec::new(),
            remove_env_prefixes: Vec::new(),
            keep_env: Vec::new(),
            cwd: None,
            read_only: false,
        }
    }

    /// Marks the program as one that changes nothing (see [`Invocation::read_only`]).
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// The command line as a person would type it, for messages, with the passwords and
    /// tokens of index URLs masked.
    pub fn display(&self) -> String {
        let mut words = vec![quote(&self.program.to_string_lossy())];
        words.extend(self.args.iter().map(|arg| {
            let arg = arg.to_string_lossy();
            quote(&crate::core::text::mask_credentials(&arg))
        }));
        words.join(" ")
    }

    fn command(&self, cwd: &Path) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(self.cwd.as_deref().unwrap_or(cwd));
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            let removable = self
                .remove_env_prefixes
                .iter()
                .any(|prefix| key.starts_with(prefix.as_str()));
            if removable && !self.keep_env.iter().any(|kept| kept == key.as_ref()) {
                command.env_remove(key.as_ref());
            }
        }
        for (key, value) in &self.set_env {
            command.env(key, value);
        }
        if OWN_PROCESS_GROUP.load(Ordering::SeqCst) {
            command.process_group(0);
        }
        // The child dies with pkgm: were pkgm killed (SIGKILL), an installer left running
        // would keep writing with the state lock free, and the next apply would start a
        // second one into the same venv.
        // SAFETY: prctl is async-signal-safe and touches only the calling (child) process.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut command, || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        command
    }

    /// Runs to completion, capturing stdout and stderr; `echo` receives each line as it
    /// arrives (for `-v` streaming).
    pub fn run(&self, echo: Option<&(dyn Fn(&str) + Sync)>) -> Result<Captured, ProcessError> {
        let scratch = tempfile::tempdir().map_err(|err| self.spawn_error(err))?;
        let mut command = self.command(scratch.path());
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Spawned under the registry's lock, so a stop request either sees this child or
        // keeps it from starting.
        let (mut child, registered) = {
            let mut running = running();
            if running.stopping && !self.read_only {
                return Err(ProcessError::Stopped {
                    command: self.display(),
                    output: String::new(),
                });
            }
            let child = command.spawn().map_err(|err| self.spawn_error(err))?;
            let pid = child.id();
            running.pids.push(pid);
            (child, Registered(pid))
        };
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let (out_text, err_text) = thread::scope(|scope| {
            let out = scope.spawn(|| pump(stdout, echo));
            let err = scope.spawn(|| pump(stderr, echo));
            (
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default(),
            )
        });
        let status = child.wait().map_err(|err| self.spawn_error(err))?;
        drop(registered);
        let captured = Captured {
            status,
            stdout: out_text,
            stderr: err_text,
        };
        if status.success() {
            Ok(captured)
        } else if running().stopping {
            Err(ProcessError::Stopped {
                command: self.display(),
                output: tail(&captured.stdout, &captured.stderr),
            })
        } else {
            Err(ProcessError::Failed {
                command: self.display(),
                status,
                stdout: captured.stdout,
                stderr: captured.stderr,
            })
        }
    }

    fn spawn_error(&self, source: std::io::Error) -> ProcessError {
        ProcessError::Spawn {
            command: self.display(),
            source,
        }
    }
}

/// Reads a pipe line by line into a string, echoing each line.
fn pump<R: Read>(pipe: Option<R>, echo: Option<&(dyn Fn(&str) + Sync)>) -> String {
    let Some(pipe) = pipe else {
        return String::new();
    };
    let mut text = String::new();
    for line in BufReader::new(pipe).lines().map_while(Result::ok) {
        if let Some(echo) = echo {
            echo(&line);
        }
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// What a successful process printed.
#[derive(Debug)]
pub struct Captured {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error("could not run `{command}`: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    /// Ended unsuccessfully after a stop request (or was not started because of one).
    #[error("`{command}` was stopped by a shutdown request{}", if output.is_empty() { String::new() } else { format!("\n{output}") })]
    Stopped { command: String, output: String },
    #[error("`{command}` failed ({status})\n{}", tail(stdout, stderr))]
    Failed {
        command: String,
        status: ExitStatus,
        stdout: String,
        stderr: String,
    },
}

/// The last lines a failed program printed, stderr preferred: enough to see why.
fn tail(stdout: &str, stderr: &str) -> String {
    const LINES: usize = 25;
    let source = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    let lines: Vec<&str> = source.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(LINES);
    lines[start..]
        .iter()
        .map(|line| format!("  | {}", crate::core::text::escape(line)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Quotes a word for display only, so that it can be pasted into a shell (nothing pkgm
/// runs goes through one).
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%~".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

impl fmt::Display for Invocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_show_the_command_and_what_it_said() {
        let invocation = Invocation::new("sh").args(["-c", "echo out; echo boom >&2; exit 3"]);
        let err = invocation.run(None).unwrap_err().to_string();
        assert!(
            err.starts_with("`sh -c 'echo out; echo boom >&2; exit 3'` failed"),
            "{err}"
        );
        assert!(err.contains("  | boom"), "{err}");
    }

    #[test]
    fn variables_with_removed_prefixes_are_dropped_except_kept_ones() {
        std::env::set_var("PKGM_TEST_DROP_ME", "1");
        std::env::set_var("PKGM_TEST_KEEP_ME", "1");
        let mut invocation = Invocation::new("env");
        invocation.remove_env_prefixes = vec!["PKGM_TEST_".into()];
        invocation.keep_env = vec!["PKGM_TEST_KEEP_ME".into()];
        let out = invocation.run(None).unwrap().stdout;
        assert!(!out.contains("PKGM_TEST_DROP_ME"));
        assert!(out.contains("PKGM_TEST_KEEP_ME=1"));
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let err = Invocation::new("/nonexistent/program")
            .run(None)
            .unwrap_err();
        assert!(matches!(err, ProcessError::Spawn { .. }));
    }
}
