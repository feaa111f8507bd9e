//! Output filters turn volatile text into stable placeholders and leave the rest alone.

use std::path::Path;

use crate::support::{Filter, Sandbox};

#[test]
fn filter_replaces_timestamps_durations_and_digests() {
    let digest = "a".repeat(64);
    let text = format!(
        "applied at 2026-04-22T10:11:12.345Z in 1.52s (pip 830ms, total 1m 3s); \
         run 2026-04-22 10:11:12 UTC took 2 seconds\nsha256 {digest}\n"
    );
    let expected = "applied at [TIMESTAMP] in [DURATION] (pip [DURATION], total [DURATION]); \
         run [TIMESTAMP] took [DURATION]\nsha256 [SHA256]\n";
    assert_eq!(Filter::new().apply(&text), expected);
}

#[test]
fn filter_leaves_versions_specifiers_and_names_alone() {
    let text = "upgrade alpha 1.0 -> 2.0 (>=1.5,<3); py3-none-any; gamma~=1.5; revision 7\n";
    assert_eq!(Filter::new().apply(text), text);
}

#[test]
fn filter_replaces_the_longest_path_first_and_then_custom_patterns() {
    let filter = Filter::new()
        .path(Path::new("/tmp/box"), "[TMP]")
        .literal("/tmp/box/.venv/bin/python", "[PYTHON]")
        .pattern(r"run #\d+", "run #[ID]");
    let text = "using /tmp/box/.venv/bin/python for /tmp/box/manifest.yaml, run #12";
    assert_eq!(
        filter.apply(text),
        "using [PYTHON] for [TMP]/manifest.yaml, run #[ID]"
    );
}

#[test]
fn keep_volatile_leaves_times_for_tests_about_them() {
    let text = "expires 2026-04-22T10:11:12Z, in 1h";
    assert_eq!(Filter::new().keep_volatile().apply(text), text);
}

#[test]
fn sandbox_filter_maps_sandbox_and_wheelhouse_paths() {
    let sandbox = Sandbox::new();
    let text = sandbox.substitute("venv $SANDBOX/.venv, links $WHEELHOUSE");
    assert_eq!(
        sandbox.filter().apply(&text),
        "venv [TMP]/.venv, links [WHEELHOUSE]"
    );
}
