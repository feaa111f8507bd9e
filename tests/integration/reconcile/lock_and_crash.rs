//! Applies are serialised by the state lock; a killed apply leaves a journal entry that the
//! next run reports, and the next apply converges from the real environment.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pkgm::effects::store::{RunStatus, Store};

use super::packages;
use crate::support::{Dist, OfflineManifest, Sandbox};

#[test]
fn a_second_apply_waits_then_names_the_holder_and_a_dead_holders_lock_is_taken_over() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    let mut holder = sandbox.hold_state_lock();

    let started = Instant::now();
    let blocked = sandbox.apply().args(["--lock-timeout", "1s"]).run();
    blocked.expect_code(1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "it did not wait"
    );
    let expected = format!(
        "(`pkgm apply other.yaml`, pid {}, since 1970-01-01T00:00:00Z)",
        holder.id()
    );
    assert!(
        blocked
            .stderr()
            .contains("another pkgm run holds the state lock"),
        "{blocked}"
    );
    assert!(blocked.stderr().contains(&expected), "{blocked}");
    assert!(
        blocked
            .stderr()
            .contains("pass `--lock-timeout DURATION` to wait longer"),
        "{blocked}"
    );
    // While it waits it says so, once, so that a pipe does not look hung.
    let waiting = format!("warning: waiting up to 1s for the state lock {expected}");
    assert_eq!(blocked.stderr().matches(&waiting).count(), 1, "{blocked}");
    assert!(
        sandbox.venv().installed_beyond_seed().is_empty(),
        "a blocked apply installed"
    );

    holder.kill().expect("kill the holder");
    holder.wait().expect("reap the holder");
    let apply = sandbox.apply().run();
    apply.expect_success();
    assert!(
        apply
            .stderr()
            .contains("took over the state lock left by `pkgm apply other.yaml`"),
        "{apply}"
    );
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "1.0")])
    );
}

fn wait_for_step(state: &std::path::Path, step: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(store) = Store::open(state) {
            let runs = store.runs(1).unwrap_or_default();
            if runs.first().is_some_and(|run| {
                run.status == RunStatus::Started && run.step.as_deref() == Some(step)
            }) {
                return;
            }
        }
        assert!(Instant::now() < deadline, "apply never reached `{step}`");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_killed_apply_is_reported_as_interrupted_and_the_next_apply_converges() {
    use std::os::unix::process::CommandExt;

    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_local_dists(&[Dist::slow_sdist("sleepy", "1.0")]);
    sandbox.write_manifest(
        &OfflineManifest::new()
            .find_links("$LOCAL_WHEELS")
            .package("alpha", "==1.0")
            .package("sleepy", "*")
            .to_yaml(),
    );
    let mut command = sandbox.apply().command();
    command
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut apply = command.spawn().expect("start apply");
    wait_for_step(&sandbox.state_path(), "install");
    // SIGKILL the whole group: pkgm and the pip it started die mid-install.
    let status = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", apply.id())])
        .status()
        .expect("run kill");
    assert!(status.success());
    apply.wait().expect("reap apply");

    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    let next = sandbox.apply().run();
    next.expect_success();
    assert!(
        next.stderr().contains("(apply of `sandbox`) was interrupted during `install`; planning again from the real environment"),
        "{next}"
    );
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "1.0")])
    );
    let history = sandbox.pkgm().args(["history", "--output", "json"]).run();
    let runs = history.stdout_json();
    assert_eq!(runs[1]["status"], "interrupted");
    assert_eq!(runs[1]["step"], "install");
    assert_eq!(runs[0]["status"], "succeeded");
}

#[test]
fn the_state_database_is_private() {
    use std::os::unix::fs::PermissionsExt;

    let sandbox = Sandbox::new();
    sandbox.write_manifest(&OfflineManifest::new().to_yaml());
    sandbox.venv();
    sandbox.apply().run().expect_success();
    for path in [
        sandbox.state_path(),
        sandbox.path().join("state/pkgm.db.lock"),
    ] {
        let mode = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
}
