//! The generated wheels are real: pip (and uv) install them offline and honour their metadata.

use std::collections::BTreeMap;

use crate::support::python::uv_or_skip;
use crate::support::wheels::{write_dist, FAILING_BUILD_MESSAGE};
use crate::support::{Dist, Sandbox};

fn packages(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, version)| (name.to_string(), version.to_string()))
        .collect()
}

#[test]
fn standard_wheelhouse_installs_offline_with_dependencies_extras_and_markers() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    venv.pip_install_offline(
        sandbox.wheelhouse(),
        &["alpha==1.1", "delta[fast]", "onlyold", "zeta", "Mixed_Case"],
    );
    // gamma 1.5: the newest that satisfies beta's `gamma>=1`; epsilon: through the extra;
    // no stray: onlyold's marker is false; mixed-case: pip's `Mixed_Case`, normalised.
    let expected = packages(&[
        ("alpha", "1.1"),
        ("beta", "1.0"),
        ("delta", "1.0"),
        ("epsilon", "1.0"),
        ("gamma", "1.5"),
        ("mixed-case", "1.0"),
        ("onlyold", "1.0"),
        ("zeta", "1.0"),
    ]);
    assert_eq!(venv.installed_beyond_seed(), expected);
}

#[test]
fn extras_are_installed_only_when_requested() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    venv.pip_install_offline(sandbox.wheelhouse(), &["delta"]);
    assert_eq!(venv.installed_beyond_seed(), packages(&[("delta", "1.0")]));
}

#[test]
fn pip_list_follows_upgrades_downgrades_and_removals() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    venv.pip_install_offline(sandbox.wheelhouse(), &["alpha==2.0", "stray"]);
    venv.pip_install_offline(sandbox.wheelhouse(), &["alpha==1.0"]);
    venv.pip_uninstall(&["stray"]);
    assert_eq!(venv.installed_beyond_seed(), packages(&[("alpha", "1.0")]));
}

#[test]
fn failing_sdist_makes_the_whole_pip_install_fail() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    let output = venv.try_pip_install_offline(sandbox.wheelhouse(), &["alpha", "broken"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "pip should fail:\n{stderr}");
    assert!(stderr.contains(FAILING_BUILD_MESSAGE), "{stderr}");
    assert_eq!(venv.installed_beyond_seed(), BTreeMap::new());
}

#[test]
fn local_dists_carry_their_own_module_and_requires_python() {
    let sandbox = Sandbox::new();
    let wheels = sandbox.write_local_dists(&[
        Dist::wheel("custom", "3.0").module_source("VALUE = 42\n"),
        Dist::wheel("future-only", "1.0").requires_python(">=4"),
    ]);
    let venv = sandbox.venv();
    venv.pip_install_offline(&wheels, &["custom"]);
    assert_eq!(
        venv.run_python(&["-c", "import custom; print(custom.VALUE)"]),
        "42"
    );
    let refused = venv.try_pip_install_offline(&wheels, &["future-only"]);
    assert!(
        !refused.status.success(),
        "Requires-Python >=4 must be refused"
    );
}

#[test]
fn dists_are_byte_identical_when_written_twice() {
    let sandbox = Sandbox::new();
    for dist in [
        Dist::wheel("twice", "1.0").requires("gamma"),
        Dist::failing_sdist("twice-broken", "1.0"),
    ] {
        let first = write_dist(&sandbox.path().join("first"), &dist);
        let second = write_dist(&sandbox.path().join("second"), &dist);
        assert_eq!(first.file_name(), second.file_name());
        assert_eq!(
            std::fs::read(&first).expect("read first"),
            std::fs::read(&second).expect("read second"),
            "{} differs between builds",
            dist.name()
        );
    }
}

#[test]
fn uv_installs_the_wheelhouse_offline() {
    let Some(uv) = uv_or_skip("uv_installs_the_wheelhouse_offline") else {
        return;
    };
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    venv.uv_install_offline(uv, sandbox.wheelhouse(), &["beta", "delta[fast]"]);
    let expected = packages(&[
        ("beta", "1.0"),
        ("delta", "1.0"),
        ("epsilon", "1.0"),
        ("gamma", "1.5"),
    ]);
    assert_eq!(venv.installed_beyond_seed(), expected);
}
