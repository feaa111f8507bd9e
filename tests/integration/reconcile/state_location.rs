//! The default state is one per user and machine, so history and anti-rollback do not
//! depend on the working directory.

use crate::support::{OfflineManifest, Sandbox};

#[test]
fn without_state_the_default_is_per_user_not_per_working_directory() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    let state_home = sandbox.path().join("state-home");
    let elsewhere = sandbox.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).expect("create a second working directory");

    let first = sandbox
        .plan()
        .env_remove("PKGM_STATE")
        .env("XDG_STATE_HOME", &state_home)
        .run();
    first.expect_success();
    let state = state_home.join("pkgm").join("state.db");
    // The plan says where it started a new history; the next one has nothing to say.
    assert!(
        first
            .stderr()
            .contains(&format!("warning: created the state `{}`", state.display())),
        "{first}"
    );
    let second = sandbox
        .plan()
        .env_remove("PKGM_STATE")
        .env("XDG_STATE_HOME", &state_home)
        .run();
    assert!(!second.stderr().contains("created the state"), "{second}");
    assert!(
        state.is_file(),
        "the plan is recorded in {}",
        state.display()
    );
    assert!(
        !sandbox.path().join(".pkgm").exists(),
        "nothing in the working directory"
    );

    // From another folder, the same state answers.
    let history = sandbox
        .pkgm()
        .current_dir(&elsewhere)
        .env_remove("PKGM_STATE")
        .env("XDG_STATE_HOME", &state_home)
        .arg("history")
        .run();
    history.expect_success();
    assert!(history.stdout().contains("plan"), "{history}");
    assert!(!elsewhere.join(".pkgm").exists());
}

#[test]
fn a_state_others_can_read_or_reached_through_a_link_is_refused_and_a_linked_lock_is_never_written()
{
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    sandbox.plan().run().expect_success();
    let state = sandbox.state_path();

    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let exposed = sandbox.plan().run();
    exposed.expect_code(1);
    assert!(
        exposed
            .stderr()
            .contains("can be read by other users (mode 644)")
            && exposed
                .stderr()
                .contains(&format!("hint: run `chmod 600 {}`", state.display())),
        "{exposed}"
    );
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o600)).expect("chmod");

    // A dangling link where the state should be: nothing is created at its target.
    let elsewhere = sandbox.path().join("elsewhere.db");
    let linked_state = sandbox.path().join("linked.db");
    std::os::unix::fs::symlink(&elsewhere, &linked_state).expect("link");
    let linked = sandbox.plan().env("PKGM_STATE", &linked_state).run();
    linked.expect_code(1);
    assert!(linked.stderr().contains("is a symbolic link"), "{linked}");
    assert!(!elsewhere.exists(), "nothing created through the link");

    // A lock file that links to a file the operator can write: apply must not truncate it.
    let victim = sandbox.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").expect("write the victim");
    let lock = std::path::PathBuf::from(format!("{}.lock", state.display()));
    let _ = std::fs::remove_file(&lock);
    std::os::unix::fs::symlink(&victim, &lock).expect("link the lock");
    let apply = sandbox.apply().run();
    apply.expect_code(1);
    assert!(
        apply
            .stderr()
            .contains("is a symbolic link; pkgm never writes through one"),
        "{apply}"
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("read the victim"),
        "precious\n"
    );
    assert!(
        sandbox.venv().installed_beyond_seed().is_empty(),
        "nothing installed"
    );
}
