//! A manifest that is broken, half-written or deleted is never applied: watch says why,
//! keeps what was applied, keeps running, and applies the next good version. Deleting and
//! recreating the folder re-arms the watch.

use super::{has_dist, revision, save_by_rename, Watching};
use crate::reconcile::packages;
use crate::support::Sandbox;

#[test]
fn a_broken_edit_is_not_applied_and_watch_keeps_running() {
    let sandbox = Sandbox::new();
    let site_packages = sandbox.venv().site_packages();
    let (manifest, watch) = Watching::converged_on_revision_1(&sandbox);

    // A syntax error in an otherwise newer revision.
    let broken = revision(2, "==2.0").replace("packages:", "packages: [");
    save_by_rename(&manifest, &sandbox.substitute(&broken));
    let rejected = watch.wait_for(1, "change", "rejected");
    let error = rejected["error"].as_str().expect("an error");
    assert!(error.contains("conf/manifest.yaml:"), "{error}");
    assert_eq!(rejected["kept_revision"], 1, "{}", watch.log());

    // Half-written: the file stops in the middle of a line.
    let full = sandbox.substitute(&revision(3, "==2.0"));
    std::fs::write(&manifest, &full[..full.len() - 4]).expect("write half the file");
    watch.wait_for(2, "change", "rejected");
    assert!(has_dist(&site_packages, "alpha", "1.0"), "nothing applied");

    // The fixed version is applied by the same watch.
    save_by_rename(&manifest, &full);
    watch.wait_for_revision(3, 3);
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "2.0")])
    );
}

#[test]
fn a_deleted_and_recreated_folder_is_watched_again() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    let (manifest, watch) = Watching::converged_on_revision_1(&sandbox);
    let folder = manifest.parent().expect("conf folder").to_path_buf();

    std::fs::remove_dir_all(&folder).expect("delete the folder");
    let rejected = watch.wait_for(1, "change", "rejected");
    assert!(
        rejected["error"]
            .as_str()
            .is_some_and(|error| error.contains("cannot read the manifest")),
        "{}",
        watch.log()
    );

    std::fs::create_dir(&folder).expect("recreate the folder");
    save_by_rename(&manifest, &sandbox.substitute(&revision(2, "==1.1")));
    watch.wait_for_revision(2, 2);
    // And the new folder's watch sees later saves.
    save_by_rename(&manifest, &sandbox.substitute(&revision(3, "==1.0")));
    watch.wait_for_revision(3, 3);
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "1.0")])
    );
}

#[test]
fn a_deleted_and_recreated_working_directory_is_watched_again() {
    // `cd conf && pkgm watch manifest.yaml`: the relative path must not depend on a working
    // directory that no longer exists.
    let sandbox = Sandbox::new();
    sandbox.venv();
    let manifest = sandbox.write_file("conf/manifest.yaml", &revision(1, "==1.0"));
    let folder = manifest.parent().expect("conf folder").to_path_buf();
    let watch = Watching::start_with(&sandbox, "manifest.yaml", &["--interval", "1h"], |pkgm| {
        pkgm.current_dir(&folder)
    });
    watch.wait_for_revision(0, 1);

    std::fs::remove_dir_all(&folder).expect("delete the folder");
    watch.wait_for(1, "change", "rejected");
    std::fs::create_dir(&folder).expect("recreate the folder");
    save_by_rename(&manifest, &sandbox.substitute(&revision(2, "==1.1")));
    watch.wait_for_revision(2, 2);
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "1.1")])
    );
}

#[test]
fn a_manifest_that_does_not_exist_yet_is_waited_for_and_said_so() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    std::fs::create_dir_all(sandbox.path().join("conf")).expect("create conf/");
    let watch = Watching::start(&sandbox, super::CONF_MANIFEST, &["--interval", "1h"]);
    watch.wait_for(0, "start", "rejected");
    assert!(
        watch
            .log()
            .contains("does not exist (yet): waiting for it to appear"),
        "{}",
        watch.log()
    );
    // When it appears, it is applied.
    sandbox.write_file(super::CONF_MANIFEST, &revision(1, "==1.0"));
    watch.wait_for_revision(1, 1);
}
