//! Child processes that explain themselves: a failure shows the command line and what it printed.
//! Also the one place that decides which of the caller's environment variables a child must not see.

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Variables that would make a run depend on the developer's machine: pip and uv
/// configuration (this machine sets `PIP_FIND_LINKS`!), Python path tweaks, an active
/// venv, pkgm's own settings, log and backtrace switches, and forced colours.
const FOREIGN_PREFIXES: &[&str] = &[
    "PIP_", "UV_", "PYTHON", "PKGM_", "CONDA_", "RUST_", "CARGO_",
];
const FOREIGN_NAMES: &[&str] = &[
    "VIRTUAL_ENV",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "FORCE_COLOR",
    "COLORTERM",
    "COLUMNS",
    "LINES",
];

/// Removes every variable a hermetic child must not inherit (see `FOREIGN_PREFIXES`).
pub fn scrub_environment(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if is_foreign(&name) {
            command.env_remove(name);
        }
    }
    // Ignore pip's and uv's config files too, not only their variables.
    command.env("PIP_CONFIG_FILE", "/dev/null");
    command.env("UV_NO_CONFIG", "1");
}

fn is_foreign(name: &OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    FOREIGN_PREFIXES
        .iter()
        .any(|prefix| name.starts_with(prefix))
        || FOREIGN_NAMES.contains(&name)
}

/// The command as a person would type it, for failure messages.
pub fn describe(command: &Command) -> String {
    let mut words = vec![command.get_program().to_string_lossy().into_owned()];
    words.extend(command.get_args().map(|arg| {
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains(char::is_whitespace) {
            format!("'{arg}'")
        } else {
            arg.into_owned()
        }
    }));
    match command.get_current_dir() {
        Some(dir) => format!("{} (in {})", words.join(" "), dir.display()),
        None => words.join(" "),
    }
}

/// A finished command with its exit status and both streams, for panic messages.
pub fn explain(command_line: &str, output: &Output) -> String {
    format!(
        "command: {command_line}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs the command, feeding `stdin`, and returns its output whatever the exit status.
pub fn run(command: &mut Command, stdin: &[u8]) -> Output {
    let command_line = describe(command);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start `{command_line}`: {err}"));
    let mut child_stdin = child.stdin.take().expect("stdin was piped");
    let input = stdin.to_vec();
    // A separate writer keeps a child that fills its stdout pipe before reading stdin from deadlocking us.
    let writer = std::thread::spawn(move || child_stdin.write_all(&input));
    let output = child
        .wait_with_output()
        .unwrap_or_else(|err| panic!("cannot wait for `{command_line}`: {err}"));
    if let Ok(Err(err)) = writer.join() {
        if err.kind() != std::io::ErrorKind::BrokenPipe {
            panic!("cannot write stdin of `{command_line}`: {err}");
        }
    }
    output
}

/// Runs the command and panics, showing everything it printed, unless it exits 0.
pub fn run_checked(command: &mut Command, stdin: &[u8]) -> Output {
    let output = run(command, stdin);
    if !output.status.success() {
        panic!(
            "a harness command failed\n{}",
            explain(&describe(command), &output)
        );
    }
    output
}
