//! The sandbox writes manifests pkgm's own parser accepts, and the runner drives the real binary.

use crate::support::sandbox::MANIFEST_FILE;
use crate::support::{OfflineManifest, Sandbox};

#[test]
fn offline_manifest_is_accepted_by_the_manifest_parser() {
    let sandbox = Sandbox::new();
    let yaml = OfflineManifest::new()
        .revision(3)
        .installer("uv")
        .prune(false)
        .find_links("$LOCAL_WHEELS")
        .package("alpha", ">=1.0,<2")
        .package_with_extras("delta", "*", &["fast"])
        .package("stray", "absent")
        .to_yaml();
    let path = sandbox.write_manifest(&yaml);
    assert_eq!(path, sandbox.path().join(MANIFEST_FILE));
    let written = std::fs::read(&path).expect("read the manifest back");
    let text = String::from_utf8_lossy(&written);
    assert!(!text.contains('$'), "placeholders left in:\n{text}");
    if let Err(err) = pkgm::core::manifest_parse::parse_manifest(&path, &written) {
        panic!("pkgm rejects the harness manifest: {err}\n{text}");
    }
}

#[test]
fn empty_offline_manifest_is_accepted_by_the_manifest_parser() {
    let sandbox = Sandbox::new();
    let path = sandbox.write_manifest(&OfflineManifest::new().to_yaml());
    let written = std::fs::read(&path).expect("read the manifest back");
    if let Err(err) = pkgm::core::manifest_parse::parse_manifest(&path, &written) {
        panic!("pkgm rejects the empty harness manifest: {err}");
    }
}

#[test]
fn runner_runs_the_binary_in_the_sandbox() {
    let sandbox = Sandbox::new();
    let run = sandbox.pkgm().arg("--version").run();
    run.expect_success();
    let (code, _stdout, stderr) = run.parts();
    assert_eq!(code, 0);
    assert_eq!(stderr, "", "{run}");
}
