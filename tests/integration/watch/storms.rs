//! Event storms coalesce: 100 saves in a second make at most two cycles, and saves made
//! while an apply runs make exactly one follow-up cycle with the last version.

use std::time::{Duration, Instant};

use super::{revision, save_by_rename, slow_down_installs, wait_for_step, Watching, CONF_MANIFEST};
use crate::support::Sandbox;

const QUIET: Duration = Duration::from_millis(900);

fn change_cycles(watch: &Watching) -> Vec<u64> {
    watch
        .cycles()
        .iter()
        .filter(|cycle| cycle["trigger"] == "change")
        .map(|cycle| cycle["revision"].as_u64().unwrap_or(0))
        .collect()
}

#[test]
fn a_hundred_saves_in_a_second_make_at_most_two_cycles() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    let (manifest, watch) = Watching::converged_on_revision_1(&sandbox);

    let started = Instant::now();
    for number in 2..=101 {
        save_by_rename(&manifest, &sandbox.substitute(&revision(number, "==1.0")));
        let next = started + Duration::from_millis(10 * (number - 1));
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    watch.wait_for_revision(1, 101);
    std::thread::sleep(QUIET);
    let changes = change_cycles(&watch);
    assert!(
        (1..=2).contains(&changes.len()),
        "{changes:?}\n{}",
        watch.log()
    );
    assert_eq!(changes.last(), Some(&101));
}

#[test]
fn saves_during_an_apply_make_one_follow_up_cycle() {
    let sandbox = Sandbox::new();
    slow_down_installs(sandbox.venv().root(), 2);
    let manifest = sandbox.write_file(CONF_MANIFEST, &revision(1, "==1.0"));
    let watch = Watching::start(&sandbox, CONF_MANIFEST, &["--interval", "1h"]);
    // The start cycle is installing (two seconds longer than usual); save three times.
    wait_for_step(&sandbox, &watch, "install");
    for number in 2..=4 {
        save_by_rename(&manifest, &sandbox.substitute(&revision(number, "==1.0")));
        std::thread::sleep(Duration::from_millis(200));
    }
    let start = watch.wait_for(0, "start", "applied");
    assert_eq!(start["revision"], 1, "{}", watch.log());
    watch.wait_for_revision(1, 4);
    std::thread::sleep(QUIET);
    assert_eq!(change_cycles(&watch), [4], "{}", watch.log());
}
