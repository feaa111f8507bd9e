//! SIGTERM and SIGINT finish the current step, release the lock and exit 0; no step
//! starts after shutdown began, and the installer is never interrupted mid-call. A second
//! signal stops the installer and exits 130, never leaving it running without the lock.

use std::path::{Path, PathBuf};
use std::time::Duration;

use pkgm::effects::lock::StateLock;
use pkgm::effects::store::{RunStatus, Store};

use super::{
    has_dist, poll_until, revision, slow_down_installs, stubborn_installs, wait_for_step, Watching,
    CONF_MANIFEST,
};
use crate::support::Sandbox;

const EXIT_DEADLINE: Duration = Duration::from_secs(30);

fn lock_is_free(sandbox: &Sandbox) -> bool {
    StateLock::acquire(&sandbox.state_path(), Duration::ZERO, "test", 0).is_ok()
}

#[test]
fn sigterm_and_sigint_exit_0_and_release_the_lock() {
    for signal in ["TERM", "INT"] {
        let sandbox = Sandbox::new();
        sandbox.venv();
        let (_manifest, mut watch) = Watching::converged_on_revision_1(&sandbox);
        // A start-up line says what is watched before the first cycle's own.
        let log = watch.log();
        let announced = log
            .lines()
            .position(|line| line.contains("\"event\":\"watching\""));
        let first_cycle = log.lines().position(|line| line.contains("\"trigger\":"));
        assert!(announced.is_some() && announced < first_cycle, "{log}");
        watch.signal(signal);
        let status = watch.wait_exit(EXIT_DEADLINE);
        assert_eq!(status.code(), Some(0), "SIG{signal}\n{}", watch.log());
        assert!(lock_is_free(&sandbox), "SIG{signal} left the lock held");
    }
}

#[test]
fn sigterm_during_an_install_lets_it_finish_and_starts_no_removal() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    venv.pip_install_offline(sandbox.wheelhouse(), &["stray"]);
    slow_down_installs(venv.root(), 2);
    sandbox.write_file(CONF_MANIFEST, &revision(1, "==1.0"));
    let mut watch = Watching::start(&sandbox, CONF_MANIFEST, &["--interval", "1h"]);
    wait_for_step(&sandbox, &watch, "install");

    watch.signal("TERM");
    let status = watch.wait_exit(EXIT_DEADLINE);
    assert_eq!(status.code(), Some(0), "{}", watch.log());
    let site_packages = venv.site_packages();
    assert!(
        has_dist(&site_packages, "alpha", "1.0"),
        "the install finished"
    );
    assert!(
        has_dist(&site_packages, "stray", "1.0"),
        "no removal started"
    );
    let cycle = watch.wait_for(0, "start", "interrupted");
    assert_eq!(
        cycle["error"],
        "shutdown requested; stopped before `remove`",
        "{}",
        watch.log()
    );
    let store = Store::open(&sandbox.state_path()).expect("open the state");
    let run = store.runs(1).expect("runs").remove(0);
    assert_eq!(run.status, RunStatus::Interrupted);
    assert_eq!(run.step.as_deref(), Some("remove"));
    assert!(lock_is_free(&sandbox));
}

#[test]
fn a_second_signal_stops_the_installer_before_the_lock_is_released() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    slow_down_installs(venv.root(), 60);
    let (mut watch, installer) = watch_a_hanging_install(&sandbox);

    watch.signal("INT");
    // Two signals sent back to back may arrive as one; the second is sent once the
    // first has been seen.
    poll_until(
        Duration::from_secs(10),
        "watch notes the first signal",
        || watch.log().contains("finishing the current step"),
    );
    watch.signal("INT");
    exits_130_with_the_installer_gone(&sandbox, &mut watch, &installer);
    assert!(!has_dist(&venv.site_packages(), "alpha", "1.0"));
    assert!(
        watch.log().contains("stopping the running installer"),
        "{}",
        watch.log()
    );
    let store = Store::open(&sandbox.state_path()).expect("open the state");
    let run = store.runs(1).expect("runs").remove(0);
    assert_eq!(run.status, RunStatus::Interrupted, "{run:?}");
    assert_eq!(run.step.as_deref(), Some("install"));
    // Said as what it was, not as an installer failure.
    let error = run.error.unwrap_or_default();
    assert!(
        error.contains("installing was stopped (shutdown requested)"),
        "{error}"
    );
    assert!(!error.contains("installing failed"), "{error}");
}

/// Starts watch on a manifest whose install hangs, and returns it with the installer's
/// `/proc` entry once the installer runs.
fn watch_a_hanging_install(sandbox: &Sandbox) -> (Watching, PathBuf) {
    let venv = sandbox.venv();
    sandbox.write_file(CONF_MANIFEST, &revision(1, "==1.0"));
    let watch = Watching::start(sandbox, CONF_MANIFEST, &["--interval", "1h"]);
    wait_for_step(sandbox, &watch, "install");
    let pid_file = venv.root().join("installer.pid");
    poll_until(Duration::from_secs(30), "the installer starts", || {
        std::fs::read_to_string(&pid_file).is_ok_and(|text| text.ends_with('\n'))
    });
    let installer = std::fs::read_to_string(&pid_file).expect("installer pid");
    (watch, PathBuf::from(format!("/proc/{}", installer.trim())))
}

#[test]
fn a_third_signal_kills_an_installer_that_ignores_sigterm() {
    let sandbox = Sandbox::new();
    stubborn_installs(sandbox.venv().root());
    let (mut watch, installer) = watch_a_hanging_install(&sandbox);
    for (signal, seen) in [
        ("TERM", "finishing the current step"),
        ("TERM", "stopping the running installer"),
    ] {
        watch.signal(signal);
        poll_until(Duration::from_secs(10), seen, || watch.log().contains(seen));
    }
    assert!(installer.exists(), "the installer ignores SIGTERM");
    watch.signal("TERM");
    exits_130_with_the_installer_gone(&sandbox, &mut watch, &installer);
}

fn exits_130_with_the_installer_gone(sandbox: &Sandbox, watch: &mut Watching, installer: &Path) {
    let status = watch.wait_exit(Duration::from_secs(20));
    assert_eq!(status.code(), Some(130), "{}", watch.log());
    assert!(
        !installer.exists(),
        "the installer outlived watch: {}",
        installer.display()
    );
    assert!(lock_is_free(sandbox));
}

#[test]
fn sigterm_while_waiting_for_the_lock_exits_at_once() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_file(CONF_MANIFEST, &revision(1, "==1.0"));
    let mut holder = sandbox.hold_state_lock();
    let mut watch = Watching::start(&sandbox, CONF_MANIFEST, &["--interval", "1h"]);
    // Watch plans without the lock; it waits for it once it has the lock file open.
    let lock = PathBuf::from(format!("{}.lock", sandbox.state_path().display()));
    let fds = PathBuf::from(format!("/proc/{}/fd", watch.pid()));
    poll_until(Duration::from_secs(30), "watch opens the lock file", || {
        std::fs::read_dir(&fds).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == lock))
        })
    });
    watch.signal("TERM");
    let status = watch.wait_exit(Duration::from_secs(5));
    assert_eq!(status.code(), Some(0), "{}", watch.log());
    let cycle = watch.wait_for(0, "start", "interrupted");
    assert!(
        cycle["error"]
            .as_str()
            .is_some_and(|error| error.contains("stopped waiting for the state lock")),
        "{}",
        watch.log()
    );
    assert!(sandbox.venv().installed_beyond_seed().is_empty());
    holder.kill().expect("kill the holder");
    holder.wait().expect("reap the holder");
}
