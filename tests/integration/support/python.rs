//! Finding the host tools the harness builds on: the base `python3` and, when present, `uv`.
//! Looked up once per test process; nothing here installs anything.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::process::{run_checked, scrub_environment};

/// The interpreter that builds wheels and template venvs.
#[derive(Debug)]
pub struct HostPython {
    /// The real executable (`sys.executable`), not a pyenv shim, so venvs point at it.
    pub executable: PathBuf,
    /// `sys.version`, part of the cache keys so that a new Python gets a new template.
    pub version: String,
}

/// The host interpreter: `$PKGM_TEST_PYTHON` if set, otherwise `python3` on `PATH`.
pub fn host_python() -> &'static HostPython {
    static HOST: OnceLock<HostPython> = OnceLock::new();
    HOST.get_or_init(|| {
        let program = std::env::var_os("PKGM_TEST_PYTHON").unwrap_or_else(|| "python3".into());
        let mut command = Command::new(&program);
        scrub_environment(&mut command);
        command.args([
            "-I",
            "-c",
            "import sys; print(sys.executable); print(sys.version.replace('\\n', ' '))",
        ]);
        let output = run_checked(&mut command, b"");
        let text = String::from_utf8(output.stdout).expect("python prints UTF-8");
        let mut lines = text.lines();
        let executable = PathBuf::from(lines.next().expect("python printed sys.executable"));
        let version = lines.next().expect("python printed sys.version").to_owned();
        HostPython {
            executable,
            version,
        }
    })
}

/// `uv` on `PATH`, if any.
pub fn uv() -> Option<&'static Path> {
    static UV: OnceLock<Option<PathBuf>> = OnceLock::new();
    UV.get_or_init(|| find_on_path("uv")).as_deref()
}

/// `uv` for a test that needs it, or `None` after printing why the test is skipped.
///
/// The note goes straight to the process's stderr, past libtest's capture, so a skipped
/// test is visible in a plain `cargo test`. With `PKGM_TEST_REQUIRE_UV=1` (for CI, which
/// installs uv) a missing `uv` fails the test instead.
pub fn uv_or_skip(test_name: &str) -> Option<&'static Path> {
    if let Some(uv) = uv() {
        return Some(uv);
    }
    if std::env::var_os("PKGM_TEST_REQUIRE_UV").is_some_and(|value| value == "1") {
        panic!("{test_name}: `uv` is not on PATH but PKGM_TEST_REQUIRE_UV=1");
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "note: skipping {test_name}: `uv` is not on PATH (`pip install uv` to run it)"
    );
    None
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}
