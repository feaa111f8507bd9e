//! `pkgm watch` driven in the background against real venvs and real files: the tests
//! save the manifest the ways editors, `cp`, `sed -i`, git-sync and config maps do, and
//! poll the cycle log (one JSON object per cycle) and the venv with deadlines.

mod contention;
mod exit_codes;
mod rejections;
mod save_styles;
mod shutdown;
mod signature_reaction;
mod storms;
mod unchanged_and_drift;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pkgm::effects::store::{RunStatus, Store};
use serde_json::Value;

use crate::support::pkgm::Pkgm;
use crate::support::{OfflineManifest, Sandbox};

/// The manifest watch tests use: in its own folder, so that the folder can be deleted and
/// swapped without touching the venv (`$SANDBOX/.venv`) or the state.
pub const CONF_MANIFEST: &str = "conf/manifest.yaml";

/// Enough for a cycle that runs pip on a loaded 2-core machine.
pub const CYCLE_DEADLINE: Duration = Duration::from_secs(60);

/// YAML for `conf/manifest.yaml`, managing the sandbox's `.venv` one folder up.
pub fn conf_yaml(manifest: &OfflineManifest) -> String {
    manifest.to_yaml().replace("venv: .venv", "venv: ../.venv")
}

/// A manifest at `revision` declaring `alpha` at `alpha_spec`.
pub fn revision(number: u64, alpha_spec: &str) -> String {
    conf_yaml(
        &OfflineManifest::new()
            .revision(number)
            .package("alpha", alpha_spec),
    )
}

/// `pkgm watch` running in the background, its stderr collected line by line.
pub struct Watching {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Watching {
    /// `pkgm watch MANIFEST --allow-unsigned --log-format json ARGS…` in the sandbox.
    pub fn start(sandbox: &Sandbox, manifest: &str, args: &[&str]) -> Self {
        Self::start_with(sandbox, manifest, args, |pkgm| pkgm)
    }

    /// Writes revision 1 (`alpha ==1.0`) to [`CONF_MANIFEST`], starts watch on it with a
    /// one-hour interval and waits until the start cycle applied it. Returns the manifest's path.
    pub fn converged_on_revision_1(sandbox: &Sandbox) -> (PathBuf, Self) {
        let manifest = sandbox.write_file(CONF_MANIFEST, &revision(1, "==1.0"));
        let watch = Self::start(sandbox, CONF_MANIFEST, &["--interval", "1h"]);
        watch.wait_for_revision(0, 1);
        (manifest, watch)
    }

    /// `pkgm watch MANIFEST --log-format json ARGS…`: signatures required.
    pub fn start_signed(sandbox: &Sandbox, manifest: &str, args: &[&str]) -> Self {
        Self::spawn(sandbox.pkgm().args(["watch", manifest]).args(args))
    }

    /// Like [`Watching::start`], with the runner adjusted first (e.g. another state).
    pub fn start_with(
        sandbox: &Sandbox,
        manifest: &str,
        args: &[&str],
        adjust: impl FnOnce(Pkgm) -> Pkgm,
    ) -> Self {
        let pkgm = sandbox
            .pkgm()
            .args(["watch", manifest, "--allow-unsigned"])
            .args(args);
        Self::spawn(adjust(pkgm))
    }

    fn spawn(pkgm: Pkgm) -> Self {
        let mut command = pkgm.args(["--log-format", "json"]).command();
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start pkgm watch");
        let stderr = child.stderr.take().expect("piped stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                sink.lock().expect("lines").push(line);
            }
        });
        Self {
            child,
            lines,
            reader: Some(reader),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything watch wrote to stderr so far.
    pub fn log(&self) -> String {
        self.lines.lock().expect("lines").join("\n")
    }

    /// The cycle reports so far (log objects with a `trigger`).
    pub fn cycles(&self) -> Vec<Value> {
        self.lines
            .lock()
            .expect("lines")
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|value| value.get("trigger").is_some())
            .collect()
    }

    /// Waits until a cycle after the first `skip` cycles satisfies `matches`; returns it.
    #[track_caller]
    pub fn wait_for_cycle(
        &self,
        skip: usize,
        what: &str,
        matches: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + CYCLE_DEADLINE;
        loop {
            if let Some(found) = self.cycles().into_iter().skip(skip).find(&matches) {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "no cycle {what} within {CYCLE_DEADLINE:?}; watch wrote:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for the first cycle after `skip` with this trigger and outcome.
    #[track_caller]
    pub fn wait_for(&self, skip: usize, trigger: &str, outcome: &str) -> Value {
        self.wait_for_cycle(skip, &format!("{trigger} → {outcome}"), |cycle| {
            cycle["trigger"] == trigger && cycle["outcome"] == outcome
        })
    }

    /// Waits for a cycle that applied or confirmed `revision`.
    #[track_caller]
    pub fn wait_for_revision(&self, skip: usize, revision: u64) -> Value {
        self.wait_for_cycle(skip, &format!("with revision {revision}"), |cycle| {
            cycle["revision"] == revision
                && (cycle["outcome"] == "applied" || cycle["outcome"] == "converged")
        })
    }

    /// Sends a signal (`TERM`, `INT`) with the `kill` program.
    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for watch to exit by itself; panics with its log after `timeout`.
    #[track_caller]
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll pkgm watch") {
                if let Some(reader) = self.reader.take() {
                    let _ = reader.join();
                }
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "watch did not exit within {timeout:?}; it wrote:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits until the latest run is `started` at `step`.
#[track_caller]
pub fn wait_for_step(sandbox: &Sandbox, watch: &Watching, step: &str) {
    let deadline = Instant::now() + CYCLE_DEADLINE;
    loop {
        let mut runs = Vec::new();
        if let Ok(store) = Store::open(&sandbox.state_path()) {
            runs = store.runs(1).unwrap_or_default();
            if runs.first().is_some_and(|run| {
                run.status == RunStatus::Started && run.step.as_deref() == Some(step)
            }) {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no run reached `{step}`; last run: {runs:?}\nwatch wrote:\n{}",
            watch.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether `name` is installed at `version` in the venv: its `*.dist-info` folder exists.
/// Cheap enough to poll (no pip); `pip list` confirms at the end of a test.
pub fn has_dist(site_packages: &Path, name: &str, version: &str) -> bool {
    site_packages
        .join(format!("{name}-{version}.dist-info"))
        .is_dir()
}

/// Polls `condition` every 10 ms until it holds; panics with `what` after `timeout`.
#[track_caller]
pub fn poll_until(timeout: Duration, what: &str, condition: impl Fn() -> bool) -> Duration {
    let started = Instant::now();
    loop {
        if condition() {
            return started.elapsed();
        }
        assert!(started.elapsed() < timeout, "{what} within {timeout:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Writes `text` to a temporary name in the same folder and renames it over `path`:
/// how editors and most deploy tools save.
pub fn save_by_rename(path: &Path, text: &str) {
    let temporary = sibling(path, ".tmp-save");
    std::fs::write(&temporary, text).expect("write the temporary file");
    std::fs::rename(&temporary, path).expect("rename over the manifest");
}

/// `path` with `suffix` appended to its file name.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().expect("a file name").to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Makes pip installs in this venv take `seconds` longer (the venv's `python` becomes a
/// script that sleeps before `-m pip install`), for tests that act while an apply runs.
pub fn slow_down_installs(venv: &Path, seconds: u32) {
    replace_python(venv, &format!("sleep {seconds}"));
}

/// Holds every `pip install` in the venv until the returned file exists (at most a minute).
pub fn gate_installs(venv: &Path) -> PathBuf {
    let gate = venv.join("installs.open");
    replace_python(
        venv,
        &format!(
            "n=0; while [ ! -e '{}' ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done",
            gate.display()
        ),
    );
    gate
}

/// Makes pip installs in this venv hang for a minute, ignoring SIGTERM.
pub fn stubborn_installs(venv: &Path) {
    replace_python(venv, "trap '' TERM; sleep 60");
}

/// Makes the venv's `bin/python` run `hold` (shell) before every `pip install`.
fn replace_python(venv: &Path, hold: &str) {
    let python = venv.join("bin").join("python");
    std::fs::remove_file(&python).expect("remove bin/python");
    let script = format!(
        "#!/bin/sh\n\
         if [ \"$1 $2 $3 $4\" = \"-I -m pip install\" ]; then\n\
           echo $$ > \"$(dirname \"$0\")/../installer.pid\"; {hold}\n\
         fi\n\
         exec \"$(dirname \"$0\")/python3\" \"$@\"\n"
    );
    std::fs::write(&python, script).expect("write bin/python");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}
