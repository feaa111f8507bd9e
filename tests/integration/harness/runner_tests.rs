//! The sandbox writes manifests pkgm's own parser accepts, and the runner drives the real binary
//! against the sandbox's venv. Assertions stay loose about wording: that is the product's to change.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support::sandbox::MANIFEST_FILE;
use crate::support::{OfflineManifest, Sandbox};

#[test]
fn offline_manifest_is_accepted_by_the_manifest_parser() {
    let sandbox = Sandbox::new();
    let yaml = OfflineManifest::new()
        .name("parser-check")
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
fn runner_reports_code_and_streams_of_the_real_binary() {
    let sandbox = Sandbox::new();
    let version = sandbox.pkgm().arg("--version").run();
    let (code, stdout, stderr) = version.parts();
    assert_eq!((code, stderr), (0, ""), "{version}");
    assert!(stdout.starts_with("pkgm "), "{version}");

    let missing = sandbox
        .pkgm()
        .args(["plan", "missing.yaml", "--allow-unsigned"])
        .run();
    missing.expect_code(1);
    assert!(missing.stderr().contains("missing.yaml"), "{missing}");
}

#[test]
fn plan_and_apply_reach_the_sandbox_venv() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    venv.pip_install_offline(sandbox.wheelhouse(), &["stray"]);
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());

    let plan = sandbox
        .plan()
        .args(["--output", "json", "--detailed-exitcode"])
        .run();
    plan.expect_code(2);
    let summary = &plan.stdout_json()["summary"];
    assert_eq!(
        (
            summary["install"].as_u64(),
            summary["remove_if_unneeded"].as_u64()
        ),
        (Some(1), Some(1)),
        "{plan}"
    );

    sandbox
        .apply()
        .timeout(Duration::from_secs(60))
        .run()
        .expect_success();
    let expected = BTreeMap::from([("alpha".to_owned(), "1.0".to_owned())]);
    assert_eq!(venv.installed_beyond_seed(), expected);
    assert!(sandbox.state_path().is_file(), "PKGM_STATE is honoured");

    sandbox
        .plan()
        .arg("--detailed-exitcode")
        .run()
        .expect_code(0);
}

#[test]
fn filtered_output_hides_the_sandbox_path() {
    let sandbox = Sandbox::new();
    // No sandbox.venv(): pkgm plans to create `.venv` and names its path.
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "*").to_yaml());
    let plan = sandbox
        .plan()
        .env_remove("NO_COLOR")
        .arg("--color=never")
        .run();
    plan.expect_success();
    let raw = format!("{}{}", plan.stdout(), plan.stderr());
    let filtered = format!("{}{}", plan.stdout_filtered(), plan.stderr_filtered());
    let sandbox_path = sandbox.path().to_str().expect("UTF-8 path");
    assert!(
        raw.contains(sandbox_path),
        "the plan names the venv path:\n{plan}"
    );
    assert!(!filtered.contains(sandbox_path), "{filtered}");
    assert!(filtered.contains("[TMP]/.venv"), "{filtered}");
}

#[test]
fn runner_feeds_stdin_and_piped_yes_does_not_confirm_an_apply() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "*").to_yaml());
    let refused = sandbox
        .pkgm()
        .args(["apply", MANIFEST_FILE, "--allow-unsigned"])
        .stdin("yes\n")
        .run();
    refused.expect_code(1);
    assert!(refused.stderr().contains("--yes"), "{refused}");
    assert_eq!(venv.installed_beyond_seed(), BTreeMap::new());
}
