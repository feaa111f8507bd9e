//! Two writers on one state: a cycle that waited for the lock while another run applied
//! the same manifest finds nothing left to do, and records nothing.

use pkgm::effects::store::Store;

use std::time::Duration;

use super::{
    gate_installs, has_dist, poll_until, revision, wait_for_step, Watching, CONF_MANIFEST,
};
use crate::support::Sandbox;

#[test]
fn a_cycle_that_waited_while_another_run_applied_the_manifest_converges() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    let gate = gate_installs(venv.root());
    sandbox.write_file(CONF_MANIFEST, &revision(1, "==1.0"));
    let first = Watching::start(&sandbox, CONF_MANIFEST, &["--interval", "1h"]);
    wait_for_step(&sandbox, &first, "install");
    // The second plans while the first installs (so it sees work to do), then waits.
    let second = Watching::start(&sandbox, CONF_MANIFEST, &["--interval", "1h"]);
    poll_until(
        Duration::from_secs(30),
        "the second waits for the lock",
        || second.log().contains("waiting up to"),
    );
    std::fs::write(&gate, "").expect("open the gate");

    first.wait_for(0, "start", "applied");
    let cycle = second.wait_for(0, "start", "converged");
    assert_eq!(cycle["run_id"], serde_json::Value::Null, "{}", second.log());
    assert!(has_dist(&venv.site_packages(), "alpha", "1.0"));
    let store = Store::open(&sandbox.state_path()).expect("open the state");
    let runs = store.runs(10).expect("runs");
    assert_eq!(runs.len(), 1, "one run applied it: {runs:?}");
}
