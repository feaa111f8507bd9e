//! Ctrl-C during `pkgm apply`: the running installer call finishes (it runs in its own
//! process group), no further step starts, the run is recorded interrupted, exit 130.

use std::time::{Duration, Instant};

use pkgm::effects::store::{RunStatus, Store};

use crate::support::{OfflineManifest, Sandbox};
use crate::watch::gate_installs;

#[test]
fn sigint_during_an_apply_finishes_the_install_starts_no_removal_and_exits_130() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    venv.pip_install_offline(sandbox.wheelhouse(), &["stray"]);
    let gate = gate_installs(venv.root());
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    let apply = sandbox
        .apply()
        .command()
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start pkgm apply");

    // Wait (as a hang detector, not a speed check) until the install step is running.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let running = Store::open(&sandbox.state_path())
            .ok()
            .and_then(|store| store.runs(1).ok())
            .and_then(|mut runs| runs.pop())
            .is_some_and(|run| {
                run.status == RunStatus::Started && run.step.as_deref() == Some("install")
            });
        if running {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the apply never reached `install`"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &apply.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    std::fs::write(&gate, "").expect("let the install go on");
    let output = apply.wait_with_output().expect("wait for pkgm apply");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("received SIGINT: finishing the current step, then exiting"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Apply interrupted during `remove`"),
        "{stderr}"
    );
    let installed = venv.installed_beyond_seed();
    assert_eq!(
        installed.get("alpha").map(String::as_str),
        Some("1.0"),
        "the install finished"
    );
    assert!(
        installed.contains_key("stray"),
        "no removal started: {installed:?}"
    );
    let store = Store::open(&sandbox.state_path()).expect("open the state");
    let run = store.runs(1).expect("runs").remove(0);
    assert_eq!(run.status, RunStatus::Interrupted);
    assert_eq!(run.step.as_deref(), Some("remove"));

    // The next apply converges from the real environment.
    sandbox.apply().run().expect_success();
    assert!(!venv.installed_beyond_seed().contains_key("stray"));
}

/// Whether a process is gone (or only a zombie waiting to be reaped).
fn is_gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/status")) {
        Err(_) => true,
        Ok(status) => status
            .lines()
            .any(|line| line.starts_with("State:") && line.contains('Z')),
    }
}

#[test]
fn an_installer_dies_with_a_killed_pkgm_so_it_never_writes_without_the_lock() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    let gate = gate_installs(venv.root());
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    let mut apply = sandbox
        .apply()
        .command()
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start pkgm apply");
    let pid_file = venv.root().join("installer.pid");
    let deadline = Instant::now() + Duration::from_secs(60);
    let installer = loop {
        if let Some(pid) = std::fs::read_to_string(&pid_file)
            .ok()
            .filter(|p| !p.trim().is_empty())
        {
            break pid.trim().to_string();
        }
        assert!(Instant::now() < deadline, "the installer never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    apply.kill().expect("SIGKILL pkgm");
    apply.wait().expect("reap pkgm");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !is_gone(&installer) {
        assert!(
            Instant::now() < deadline,
            "installer {installer} outlived pkgm"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::write(&gate, "").expect("open the gate");
    assert!(
        venv.installed_beyond_seed().is_empty(),
        "nothing was installed after pkgm died"
    );
}

/// A terminal for pkgm's stdin: the controller end stays with the test.
fn terminal() -> (std::fs::File, std::process::Stdio) {
    use std::os::fd::FromRawFd;
    let (mut controller, mut device) = (0, 0);
    // SAFETY: two valid out-pointers; no name, settings or size requested.
    let opened = unsafe {
        libc::openpty(
            &mut controller,
            &mut device,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: openpty returned two open descriptors that nothing else owns.
    unsafe {
        (
            std::fs::File::from_raw_fd(controller),
            std::process::Stdio::from(std::os::fd::OwnedFd::from_raw_fd(device)),
        )
    }
}

#[test]
fn an_apply_at_its_prompt_tells_waiting_runs_and_ctrl_c_there_changes_nothing() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    let (_controller, stdin) = terminal();
    let mut apply = sandbox
        .pkgm()
        .args(["apply", "manifest.yaml", "--allow-unsigned"])
        .command()
        .stdin(stdin)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start pkgm apply");

    // Wait (as a hang detector, not a speed check) until the lock says who waits for whom.
    let lock = sandbox.state_path().with_file_name("pkgm.db.lock");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !std::fs::read_to_string(&lock).is_ok_and(|record| record.contains("waiting_for")) {
        if apply.try_wait().expect("poll pkgm apply").is_some() {
            let output = apply.wait_with_output().expect("collect pkgm apply");
            panic!(
                "the apply ended before its prompt: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert!(
            Instant::now() < deadline,
            "the apply never reached its prompt"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = sandbox
        .pkgm()
        .args([
            "apply",
            "manifest.yaml",
            "--yes",
            "--allow-unsigned",
            "--lock-timeout",
            "0s",
        ])
        .run();
    second.expect_code(1);
    assert!(
        second
            .stderr()
            .contains("waiting for an answer at its confirmation prompt)")
            && second
                .stderr()
                .contains("hint: it waits for someone, not for work"),
        "{second}"
    );

    let sent = std::process::Command::new("kill")
        .args(["-INT", &apply.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
    let output = apply.wait_with_output().expect("wait for pkgm apply");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stdout.contains("Apply these changes? Only 'yes' will be accepted:"),
        "{stdout}"
    );
    assert!(
        stderr.contains("Apply cancelled; nothing was changed."),
        "{stderr}"
    );
    assert!(venv.installed_beyond_seed().is_empty());
    assert!(
        Store::open(&sandbox.state_path())
            .expect("open the state")
            .runs(5)
            .expect("runs")
            .is_empty(),
        "a cancelled apply records no run"
    );
    assert_eq!(
        std::fs::read(&lock).expect("read the lock"),
        b"",
        "the record is cleared"
    );
}
