//! Every way a manifest gets saved leads to exactly one reconcile: rename, truncate and
//! write, `cp` over it, `sed -i`, a symlink swap the way mounted config maps update, and a
//! folder symlink swap the way git-sync updates.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{revision, save_by_rename, sibling, Watching, CONF_MANIFEST};
use crate::support::Sandbox;

/// Longer than watch's settle time (~300 ms): a second cycle for one save would show by then.
const QUIET: Duration = Duration::from_millis(900);

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .status()
        .unwrap_or_else(|err| panic!("run {program}: {err}"));
    assert!(status.success(), "{program} {args:?} failed");
}

/// The config map layout: `manifest.yaml -> ..data/manifest.yaml`, `..data -> ..<version>`.
fn publish_config_map(folder: &Path, version: &str, text: &str) {
    let data = folder.join(format!("..{version}"));
    std::fs::create_dir(&data).expect("create the data folder");
    std::fs::write(data.join("manifest.yaml"), text).expect("write the data file");
    let staged = folder.join("..data_tmp");
    symlink(format!("..{version}"), &staged).expect("stage the ..data link");
    std::fs::rename(&staged, folder.join("..data")).expect("swap ..data");
}

#[test]
fn each_save_style_leads_to_one_reconcile() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    let (manifest, watch) = Watching::converged_on_revision_1(&sandbox);
    let folder = manifest.parent().expect("conf folder").to_path_buf();
    let text = |number| sandbox.substitute(&revision(number, "==1.0"));

    // 2: an editor's save: write a temporary file, rename it over the manifest.
    save_by_rename(&manifest, &text(2));
    watch.wait_for_revision(1, 2);
    // 3: truncate and write in place.
    std::fs::write(&manifest, text(3)).expect("truncate and write");
    watch.wait_for_revision(2, 3);
    // 4: `cp` over it.
    let copy = sandbox.write_file("elsewhere/manifest.yaml", &revision(4, "==1.0"));
    run(
        "cp",
        &[
            copy.to_str().expect("UTF-8"),
            manifest.to_str().expect("UTF-8"),
        ],
    );
    watch.wait_for_revision(3, 4);
    // 5: `sed -i` (writes a temporary file in the folder and renames it).
    run(
        "sed",
        &[
            "-i",
            "s/revision: 4/revision: 5/",
            manifest.to_str().expect("UTF-8"),
        ],
    );
    watch.wait_for_revision(4, 5);
    // 6: the manifest becomes a symlink into a config map's data folder (rename-saved link).
    publish_config_map(&folder, "2026_06", &text(6));
    let link = sibling(&manifest, ".link");
    symlink("..data/manifest.yaml", &link).expect("create the link");
    std::fs::rename(&link, &manifest).expect("rename the link over the manifest");
    watch.wait_for_revision(5, 6);
    // 7: the config map updates: only `..data` is swapped; the manifest link stays.
    publish_config_map(&folder, "2026_07", &text(7));
    std::fs::remove_dir_all(folder.join("..2026_06")).expect("remove the old data");
    watch.wait_for_revision(6, 7);

    std::thread::sleep(QUIET);
    let cycles = watch.cycles();
    let summary: Vec<(String, String, u64)> = cycles
        .iter()
        .map(|cycle| {
            (
                cycle["trigger"].as_str().unwrap_or("?").to_owned(),
                cycle["outcome"].as_str().unwrap_or("?").to_owned(),
                cycle["revision"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let mut expected = vec![("start".to_owned(), "applied".to_owned(), 1)];
    expected.extend((2..=7).map(|number| ("change".to_owned(), "applied".to_owned(), number)));
    assert_eq!(summary, expected, "{}", watch.log());
}

#[test]
fn a_git_sync_style_folder_swap_is_one_reconcile_and_the_new_folder_is_watched() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_file("rev-1/manifest.yaml", &revision(1, "==1.0"));
    symlink("rev-1", sandbox.path().join("current")).expect("link current");
    let watch = Watching::start(&sandbox, "current/manifest.yaml", &["--interval", "1h"]);
    watch.wait_for_revision(0, 1);

    let swap = |number: u64| {
        sandbox.write_file(
            &format!("rev-{number}/manifest.yaml"),
            &revision(number, "==1.0"),
        );
        let staged = sandbox.path().join("current-tmp");
        symlink(format!("rev-{number}"), &staged).expect("stage the link");
        std::fs::rename(&staged, sandbox.path().join("current")).expect("swap current");
    };
    swap(2);
    watch.wait_for_revision(1, 2);
    swap(3);
    watch.wait_for_revision(2, 3);
    // An edit inside the folder `current` now points at is seen too.
    save_by_rename(
        &sandbox.path().join("rev-3/manifest.yaml"),
        &sandbox.substitute(&revision(4, "==1.0")),
    );
    watch.wait_for_revision(3, 4);

    std::thread::sleep(QUIET);
    let revisions: Vec<u64> = watch
        .cycles()
        .iter()
        .map(|cycle| cycle["revision"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(revisions, [1, 2, 3, 4], "{}", watch.log());
}

#[test]
fn a_manifest_linked_from_another_folder_is_watched_where_it_lives() {
    // `/etc/pkgm/manifest.yaml -> /srv/repo/manifest.yaml`: saves in the repository count.
    let sandbox = Sandbox::new();
    let (target, watch) = watch_through_a_link(&sandbox, "repo/manifest.yaml");

    save_by_rename(&target, &sandbox.substitute(&revision(2, "==1.0")));
    watch.wait_for_revision(1, 2);
    std::fs::write(&target, sandbox.substitute(&revision(3, "==1.0"))).expect("write in place");
    watch.wait_for_revision(2, 3);
    // Re-pointing the link at a file in a third folder: that folder is watched from then on.
    let moved = sandbox.write_file("other/manifest.yaml", &revision(4, "==1.0"));
    save_link_by_rename(&sandbox.path().join(CONF_MANIFEST), &moved);
    watch.wait_for_revision(3, 4);
    save_by_rename(&moved, &sandbox.substitute(&revision(5, "==1.0")));
    watch.wait_for_revision(4, 5);

    std::thread::sleep(QUIET);
    let revisions: Vec<u64> = watch
        .cycles()
        .iter()
        .map(|cycle| cycle["revision"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(revisions, [1, 2, 3, 4, 5], "{}", watch.log());
}

#[test]
fn a_linked_folder_swapped_for_a_new_one_is_watched_anew() {
    // `conf/manifest.yaml -> far/away/repo/manifest.yaml`, and `repo` is replaced by a fresh
    // checkout: at once, in two steps, and by deleting it and cloning again.
    let sandbox = Sandbox::new();
    let (target, watch) = watch_through_a_link(&sandbox, "far/away/repo/manifest.yaml");
    let away = sandbox.path().join("far/away");
    let repo = away.join("repo");
    let checkout = |number: u64| {
        sandbox.write_file(
            "far/away/checkout/manifest.yaml",
            &revision(number, "==1.0"),
        );
        away.join("checkout")
    };

    let new = checkout(2);
    std::fs::rename(&repo, away.join("repo.1")).expect("move the old checkout");
    std::fs::rename(new, &repo).expect("put the new one in place");
    watch.wait_for_revision(1, 2);
    std::fs::write(&target, sandbox.substitute(&revision(3, "==1.0"))).expect("write in place");
    watch.wait_for_revision(2, 3);

    // Two steps, with watch seeing the gap: the link leads nowhere for a while.
    let seen = watch.cycles().len();
    std::fs::rename(&repo, away.join("repo.3")).expect("move the old checkout");
    watch.wait_for(seen, "change", "rejected");
    std::fs::rename(checkout(4), &repo).expect("put the new one in place");
    watch.wait_for_revision(seen, 4);

    let seen = watch.cycles().len();
    std::fs::remove_dir_all(&repo).expect("delete the checkout");
    watch.wait_for(seen, "change", "rejected");
    sandbox.write_file("far/away/repo/manifest.yaml", &revision(5, "==1.0"));
    watch.wait_for_revision(seen, 5);
    std::fs::write(&target, sandbox.substitute(&revision(6, "==1.0"))).expect("write in place");
    watch.wait_for_revision(seen, 6);
}

/// Revision 1 at `relative`, [`CONF_MANIFEST`] a symlink to it, and watch converged on it.
fn watch_through_a_link(sandbox: &Sandbox, relative: &str) -> (PathBuf, Watching) {
    sandbox.venv();
    let target = sandbox.write_file(relative, &revision(1, "==1.0"));
    std::fs::create_dir(sandbox.path().join("conf")).expect("create conf");
    symlink(&target, sandbox.path().join(CONF_MANIFEST)).expect("link the manifest");
    let watch = Watching::start(sandbox, CONF_MANIFEST, &["--interval", "1h"]);
    watch.wait_for_revision(0, 1);
    (target, watch)
}

/// Points the symlink `link` at `target` atomically, the way `ln -sfn` plus `mv` would.
fn save_link_by_rename(link: &Path, target: &Path) {
    let staged = sibling(link, ".tmp-link");
    symlink(target, &staged).expect("stage the link");
    std::fs::rename(&staged, link).expect("swap the link");
}
