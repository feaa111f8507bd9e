//! The core loop: plan shows the real difference, apply removes it, the venv's own
//! `pip list` agrees, and a second plan is empty.

use super::packages;
use crate::support::{OfflineManifest, Sandbox};

#[test]
fn plan_shows_every_kind_of_change_and_apply_converges() {
    let sandbox = Sandbox::new();
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["alpha==1.0", "gamma==1.5", "stray"]);
    sandbox.write_manifest(
        &OfflineManifest::new()
            .package("alpha", ">=1.1,<2")
            .package("beta", "*")
            .package("gamma", "==1.0")
            .package("epsilon", "absent")
            .to_yaml(),
    );
    let plan = sandbox.plan().arg("--detailed-exitcode").run();
    plan.expect_code(2);
    assert_eq!(
        plan.stdout_filtered(),
        "pkgm will make these changes for `sandbox` revision 1 (unsigned):\n\n\
         \x20 ↑ alpha 1.0 → >=1.1, <2  1.0 does not satisfy >=1.1, <2\n\
         \x20 + beta  *                not installed\n\
         \x20 ↓ gamma 1.5 → ==1.0      1.5 does not satisfy ==1.0\n\
         \x20 - stray 1.0              not required now (prune); removed after the install unless it needs it\n\n\
         Plan: 1 to install, 1 to upgrade, 1 to downgrade, 1 to remove after the install if unneeded.\n\
         The installer also adds what these need; `pkgm history ID` lists every package it changed.\n"
    );
    assert!(
        sandbox.venv().installed_beyond_seed().contains_key("stray"),
        "plan changed nothing"
    );

    let apply = sandbox.apply().run();
    apply.expect_success();
    assert!(apply.stdout().contains("Apply complete"), "{apply}");
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "1.1"), ("beta", "1.0"), ("gamma", "1.0")])
    );
    let again = sandbox.plan().arg("--detailed-exitcode").run();
    again.expect_code(0);
    assert!(again.stdout().starts_with("No changes."), "{again}");
}

#[test]
fn apply_creates_a_missing_venv_and_is_idempotent() {
    let sandbox = Sandbox::new();
    sandbox.write_manifest(&OfflineManifest::new().package("beta", "==1.0").to_yaml());
    let plan = sandbox.plan().run();
    plan.expect_success();
    assert!(
        plan.stdout_filtered()
            .contains("+ create virtual environment [TMP]/.venv"),
        "{plan}"
    );
    assert!(
        !sandbox.venv_path().exists(),
        "plan must not create the venv"
    );

    sandbox.apply().run().expect_success();
    let venv = crate::support::Venv::at(&sandbox.venv_path());
    let installed = venv.pip_list();
    assert_eq!(installed.get("beta").map(String::as_str), Some("1.0"));
    assert_eq!(installed.get("gamma").map(String::as_str), Some("1.5"));

    let second = sandbox.apply().run();
    second.expect_success();
    assert!(second.stdout().contains("No changes."), "{second}");
    assert_eq!(venv.pip_list(), installed);
}

#[test]
fn removals_are_planned_after_installs_so_new_dependencies_are_kept() {
    let sandbox = Sandbox::new();
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["alpha==1.0"]);
    sandbox.write_manifest(&OfflineManifest::new().package("zeta", "*").to_yaml());
    sandbox.apply().run().expect_success();
    // zeta brings beta, which brings gamma: none of them may be pruned; alpha goes.
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("beta", "1.0"), ("gamma", "1.5"), ("zeta", "1.0")])
    );
}

#[test]
fn extras_and_markers_decide_what_prune_keeps() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_manifest(
        &OfflineManifest::new()
            .package_with_extras("delta", "*", &["fast"])
            .package("onlyold", "*")
            .to_yaml(),
    );
    sandbox.apply().run().expect_success();
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("delta", "1.0"), ("epsilon", "1.0"), ("onlyold", "1.0")])
    );
    // stray is required by onlyold only on Python < 3: for this interpreter it is prunable.
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["stray"]);
    // Without the extra, epsilon is no longer needed.
    sandbox.write_manifest(
        &OfflineManifest::new()
            .package("delta", "*")
            .package("onlyold", "*")
            .to_yaml(),
    );
    let plan = sandbox.plan().args(["--output", "json"]).run();
    plan.expect_success();
    let removed: Vec<String> = plan.stdout_json()["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|change| format!("{} {}", change["action"], change["name"]))
        .collect();
    assert_eq!(removed, ["\"remove\" \"epsilon\"", "\"remove\" \"stray\""]);
    sandbox.apply().run().expect_success();
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("delta", "1.0"), ("onlyold", "1.0")])
    );
}

#[test]
fn an_absent_package_is_removed_and_the_plan_says_what_it_breaks() {
    let sandbox = Sandbox::new();
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["beta"]);
    sandbox.write_manifest(
        &OfflineManifest::new()
            .package("beta", "*")
            .package("gamma", "absent")
            .to_yaml(),
    );
    let plan = sandbox.plan().run();
    assert!(
        plan.stdout()
            .contains("- gamma 1.5  declared absent; breaks `beta`"),
        "{plan}"
    );
    sandbox.apply().run().expect_success();
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("beta", "1.0")])
    );
}

#[test]
fn without_prune_undeclared_packages_stay_and_names_compare_normalised() {
    let sandbox = Sandbox::new();
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["stray", "Mixed_Case"]);
    sandbox.write_manifest(
        &OfflineManifest::new()
            .prune(false)
            .package("mixed-case", "*")
            .to_yaml(),
    );
    let plan = sandbox.plan().arg("--detailed-exitcode").run();
    plan.expect_code(0);
}

#[test]
fn the_json_plan_matches_the_published_schema() {
    let sandbox = Sandbox::new();
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["alpha==1.0", "stray"]);
    sandbox.write_manifest(
        &OfflineManifest::new()
            .package("alpha", "==2.0")
            .package_with_extras("delta", "*", &["fast"])
            .to_yaml(),
    );
    let plan = sandbox.plan().args(["--output", "json"]).run();
    plan.expect_success();
    let document = plan.stdout_json();
    assert_eq!(document["format_version"], 1);
    assert_eq!(document["manifest"]["name"], "sandbox");
    assert_eq!(document["manifest"]["signed_by"], serde_json::Value::Null);
    assert_eq!(document["summary"]["upgrade"], 1);
    assert_eq!(document["summary"]["install"], 1);
    // `stray` waits for the install, which may need it.
    assert_eq!(document["summary"]["remove"], 0);
    assert_eq!(document["summary"]["remove_if_unneeded"], 1);
    assert_eq!(
        document["changes"][1]["extras"],
        serde_json::json!(["fast"])
    );
    super::cli_surface::validate_with_schema(plan.stdout(), "schemas/plan.schema.json", "json");
}

#[test]
fn list_marks_declared_dependency_protected_and_undeclared_packages() {
    let sandbox = Sandbox::new();
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["beta", "stray"]);
    sandbox.write_manifest(&OfflineManifest::new().package("beta", "*").to_yaml());
    let list = sandbox
        .pkgm()
        .args(["list", "--manifest", "manifest.yaml", "--allow-unsigned"])
        .run();
    list.expect_success();
    let lines: Vec<&str> = list.stdout().lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("beta ") && l.ends_with("declared")),
        "{list}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("gamma ") && l.ends_with("dependency")),
        "{list}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("pip ") && l.ends_with("protected")),
        "{list}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("stray ") && l.ends_with("undeclared")),
        "{list}"
    );
}

#[test]
fn status_and_history_record_plans_and_applies() {
    let sandbox = Sandbox::new();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    sandbox.venv();
    sandbox.plan().run().expect_success();
    sandbox.apply().run().expect_success();
    let status = sandbox.pkgm().arg("status").run();
    status.expect_success();
    assert!(
        status.stdout().starts_with("sandbox: revision 1 applied "),
        "{status}"
    );
    let history = sandbox.pkgm().args(["history", "--output", "json"]).run();
    let runs = history.stdout_json();
    let runs = runs.as_array().expect("a list of runs");
    assert_eq!(runs.len(), 2);
    assert_eq!(
        (runs[0]["command"].as_str(), runs[0]["status"].as_str()),
        (Some("apply"), Some("succeeded"))
    );
    assert_eq!(
        (runs[1]["command"].as_str(), runs[1]["status"].as_str()),
        (Some("plan"), Some("planned"))
    );
    assert_eq!(runs[0]["unsigned"], true);
    let detail = sandbox.pkgm().args(["history", "2"]).run();
    detail.expect_success();
    assert!(detail.stdout().contains("alpha (none) → 1.0"), "{detail}");
}

#[test]
fn plan_diff_shows_what_the_signer_changed_since_the_last_apply() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    let first = sandbox.plan().arg("--diff").run();
    assert!(
        first
            .stdout()
            .contains("No manifest of this name has been applied yet"),
        "{first}"
    );
    sandbox.apply().run().expect_success();
    sandbox.write_manifest(
        &OfflineManifest::new()
            .revision(2)
            .package("alpha", "==1.1")
            .to_yaml(),
    );
    let plan = sandbox.plan().arg("--diff").run();
    plan.expect_success();
    let text = plan.stdout_filtered();
    assert!(text.contains("--- sandbox revision 1 (applied [TIMESTAMP])\n+++ sandbox revision 2 (manifest.yaml)\n"), "{text}");
    assert!(
        text.contains("\n-  revision: 1\n+  revision: 2\n"),
        "{text}"
    );
    assert!(
        text.contains("\n-  alpha: \"==1.0\"\n+  alpha: \"==1.1\"\n"),
        "{text}"
    );
    assert!(text.contains("↑ alpha 1.0 → ==1.1"), "{text}");
    let json = sandbox.plan().args(["--diff", "--output", "json"]).run();
    let document = json.stdout_json();
    assert!(document["manifest_diff"]
        .as_str()
        .unwrap_or("")
        .contains("+  alpha: \"==1.1\""));
    super::cli_surface::validate_with_schema(json.stdout(), "schemas/plan.schema.json", "json");
}

#[test]
fn history_shows_what_each_apply_changed_in_the_manifest() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    sandbox.apply().run().expect_success();
    sandbox.write_manifest(
        &OfflineManifest::new()
            .revision(2)
            .package("alpha", "==2.0")
            .to_yaml(),
    );
    sandbox.apply().run().expect_success();
    let history = sandbox
        .pkgm()
        .args(["history", "--output", "json", "--limit", "1"])
        .run();
    let id = history.stdout_json()[0]["id"].as_i64().expect("a run id");
    let detail = sandbox.pkgm().args(["history", &id.to_string()]).run();
    detail.expect_success();
    let text = detail.stdout_filtered();
    assert!(
        text.contains("  manifest\n--- sandbox revision 1 (run 1, applied [TIMESTAMP])\n+++ sandbox revision 2 (run 2)\n"),
        "{text}"
    );
    assert!(
        text.contains("\n-  alpha: \"==1.0\"\n+  alpha: \"==2.0\"\n"),
        "{text}"
    );
    let first = sandbox.pkgm().args(["history", "1"]).run();
    assert!(first.stdout().contains("all of it is new"), "{first}");
}

#[test]
fn the_json_plan_says_whether_the_signature_was_accepted() {
    let sandbox = Sandbox::new();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "*").to_yaml());
    let plan = sandbox
        .pkgm()
        .args(["plan", "manifest.yaml", "--output", "json"])
        .run();
    plan.expect_success();
    let document = plan.stdout_json();
    assert_eq!(document["signature"]["state"], "missing", "{plan}");
    assert!(
        document["signature"]["problem"]
            .as_str()
            .unwrap_or("")
            .contains("manifest.yaml.sig"),
        "{plan}"
    );
    assert_eq!(document["summary"]["venv"], 1);
    super::cli_surface::validate_with_schema(plan.stdout(), "schemas/plan.schema.json", "json");
}

#[test]
fn reading_status_and_history_creates_no_state() {
    let sandbox = Sandbox::new();
    let status = sandbox.pkgm().arg("status").run();
    status.expect_success();
    assert!(
        status.stdout().starts_with("Nothing has been applied"),
        "{status}"
    );
    let history = sandbox.pkgm().arg("history").run();
    history.expect_success();
    assert_eq!(history.stdout(), "No runs recorded yet.\n");
    sandbox.pkgm().args(["history", "3"]).run().expect_code(1);
    assert!(!sandbox.state_path().exists(), "a read created the state");
}
