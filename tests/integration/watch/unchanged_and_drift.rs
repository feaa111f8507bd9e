//! The interval: when nothing moved it skips planning; a package installed by hand is
//! removed, and a change that sent no event is applied, on the next interval. pkgm's own
//! writes (state, venv) never trigger a cycle.

use std::time::Duration;

use super::{has_dist, revision, Watching, CONF_MANIFEST};
use crate::reconcile::packages;
use crate::support::{OfflineManifest, Sandbox, Venv};

#[test]
fn drift_is_reverted_on_the_interval_and_quiet_intervals_skip_planning() {
    let sandbox = Sandbox::new();
    let site_packages = sandbox.venv().site_packages();
    sandbox.write_file(CONF_MANIFEST, &revision(1, "==1.0"));
    let watch = Watching::start(&sandbox, CONF_MANIFEST, &["--interval", "1s"]);
    watch.wait_for_revision(0, 1);
    // The interval after an apply plans once, finds nothing, and remembers the fingerprint.
    let skipped = watch.wait_for(1, "interval", "unchanged");
    assert_eq!(skipped["revision"], 1);
    assert_eq!(
        skipped["summary"],
        serde_json::Value::Null,
        "no plan was made"
    );

    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["stray"]);
    let seen = watch.cycles().len();
    let reverted = watch.wait_for(seen, "interval", "applied");
    assert_eq!(reverted["summary"]["remove"], 1, "{}", watch.log());
    assert!(!has_dist(&site_packages, "stray", "1.0"));
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "1.0")])
    );
}

#[test]
fn pkgm_s_own_writes_in_the_manifest_folder_trigger_nothing() {
    let sandbox = Sandbox::new();
    // State and venv both inside the watched folder, next to the manifest.
    sandbox.write_file(
        CONF_MANIFEST,
        &OfflineManifest::new().package("alpha", "==1.0").to_yaml(),
    );
    Venv::copy_of_template(&sandbox.path().join("conf/.venv"));
    let state = sandbox.path().join("conf/state.db");
    let watch = Watching::start_with(&sandbox, CONF_MANIFEST, &["--interval", "1h"], |pkgm| {
        pkgm.env("PKGM_STATE", &state)
    });
    watch.wait_for_revision(0, 1);
    assert!(sandbox.path().join("conf/.venv").is_dir());
    // Longer than watch's settle time: a cycle caused by its own writes would show by now.
    std::thread::sleep(Duration::from_millis(900));
    let triggers: Vec<String> = watch
        .cycles()
        .iter()
        .map(|cycle| cycle["trigger"].as_str().unwrap_or("?").to_owned())
        .collect();
    assert_eq!(triggers, ["start"], "{}", watch.log());
}

#[test]
fn a_change_that_sends_no_event_is_picked_up_by_the_interval() {
    let sandbox = Sandbox::new();
    let site_packages = sandbox.venv().site_packages();
    // The manifest is a hard link to a file in another folder: inotify reports a write to
    // the folder it was made through, so editing it there in place sends watch no event, as
    // on a file system without notifications.
    let target = sandbox.write_file("elsewhere/manifest.yaml", &revision(1, "==1.0"));
    std::fs::create_dir(sandbox.path().join("conf")).expect("create conf");
    std::fs::hard_link(&target, sandbox.path().join(CONF_MANIFEST)).expect("link the manifest");
    let watch = Watching::start(&sandbox, CONF_MANIFEST, &["--interval", "1s"]);
    watch.wait_for_revision(0, 1);
    watch.wait_for(1, "interval", "unchanged");

    std::fs::write(&target, sandbox.substitute(&revision(2, "==1.1"))).expect("edit");
    let applied = watch.wait_for(1, "interval", "applied");
    assert_eq!(applied["revision"], 2, "{}", watch.log());
    assert!(has_dist(&site_packages, "alpha", "1.1"));
    let changes = watch
        .cycles()
        .iter()
        .filter(|cycle| cycle["trigger"] == "change")
        .count();
    assert_eq!(changes, 0, "{}", watch.log());
}
