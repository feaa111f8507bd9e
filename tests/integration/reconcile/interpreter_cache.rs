//! A no-op plan starts no Python process and no installer: the interpreter's facts come
//! from the state's cache, the installed set from site-packages.

use std::os::unix::fs::PermissionsExt;

use crate::support::Sandbox;

#[test]
fn a_no_op_plan_and_apply_start_no_python_after_the_first_look() {
    let sandbox = Sandbox::new();
    let real_python = sandbox.venv().python();
    let log = sandbox.path().join("python-calls.log");
    // An interpreter that records every start, then behaves as the venv's Python.
    let wrapper = sandbox.write_file(
        "bin/python",
        &format!(
            "#!/bin/sh\necho started >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real_python.display()
        ),
    );
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    sandbox.write_manifest(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: sandbox, revision: 1}\n\
         environment: {python: bin/python, no_index: true}\npackages: {pip: \"*\"}\n",
    );
    let calls = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .count()
    };

    sandbox.plan().run().expect_success();
    assert_eq!(calls(), 1, "the first plan asks the interpreter once");
    for _ in 0..3 {
        let plan = sandbox.plan().arg("--detailed-exitcode").run();
        plan.expect_code(0);
    }
    let apply = sandbox.apply().run();
    apply.expect_success();
    assert!(apply.stdout().contains("No changes."), "{apply}");
    assert_eq!(calls(), 1, "no-op plans and applies started Python or pip");

    // Touching the interpreter invalidates the cache.
    let mut script = std::fs::read(&wrapper).expect("read");
    script.push(b'\n');
    std::fs::write(&wrapper, script).expect("rewrite");
    sandbox.plan().run().expect_success();
    assert_eq!(calls(), 2);
}
