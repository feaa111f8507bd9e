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

    sandbox
        .plan()
        .env_remove("PKGM_STATE")
        .env("XDG_STATE_HOME", &state_home)
        .run()
        .expect_success();
    let state = state_home.join("pkgm").join("state.db");
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
