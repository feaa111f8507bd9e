use std::path::Path;

use super::*;
use crate::core::fixtures::{dist, installed, markers};
use crate::core::manifest::Manifest;
use crate::core::manifest_parse::parse_manifest;

fn manifest(environment: &str, packages: &str) -> Manifest {
    let text = format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: t, revision: 1}}\n\
         environment: {{{environment}}}\npackages: {{{packages}}}\n"
    );
    parse_manifest(Path::new("m.yaml"), text.as_bytes()).unwrap()
}

/// Renders a plan as `action name from -> to (reason)` lines for whole-output comparison.
fn lines(plan: &Plan) -> Vec<String> {
    plan.packages
        .iter()
        .map(|change| {
            format!(
                "{} {} {} -> {} ({})",
                change.action.as_str(),
                change.name,
                change.from.as_ref().map_or("-".into(), ToString::to_string),
                change.to.as_deref().unwrap_or("-"),
                change.reason
            )
        })
        .collect()
}

fn plan_for(manifest: &Manifest, set: &InstalledSet) -> Plan {
    let markers = markers("3.11.7");
    plan_packages(
        &manifest.environment,
        &manifest.packages,
        Observed::Environment {
            installed: set,
            markers: &markers,
        },
    )
}

#[test]
fn declared_packages_are_installed_upgraded_and_downgraded() {
    let manifest = manifest(
        "",
        "requests: \"==2.32.3\", numpy: \">=1.26,<2\", rich: \"*\", flask: \"~=3.0\", ok: \"*\"",
    );
    let set = installed(vec![
        dist("numpy", "1.25.2", &[]),
        dist("flask", "3.1", &[]),
        dist("requests", "2.33.0", &[]),
        dist("ok", "1", &[]),
    ]);
    assert_eq!(
        lines(&plan_for(&manifest, &set)),
        [
            "upgrade numpy 1.25.2 -> >=1.26, <2 (1.25.2 does not satisfy >=1.26, <2)",
            "downgrade requests 2.33.0 -> ==2.32.3 (2.33.0 does not satisfy ==2.32.3)",
            "install rich - -> * (not installed)",
        ]
    );
}

#[test]
fn a_satisfied_manifest_plans_nothing() {
    let manifest = manifest("prune: true", "app: \">=1\"");
    let set = installed(vec![
        dist("app", "1.5", &["lib"]),
        dist("lib", "1", &[]),
        dist("pip", "24.0", &[]),
    ]);
    assert!(plan_for(&manifest, &set).is_empty());
}

#[test]
fn prune_keeps_dependencies_of_declared_packages() {
    let manifest = manifest("prune: true", "flask: { version: \"*\", extras: [async] }");
    let set = installed(vec![
        dist(
            "flask",
            "3.0.3",
            &[
                "werkzeug>=3",
                "asgiref>=3.2; extra == \"async\"",
                "dotenv; extra == \"dotenv\"",
            ],
        ),
        dist("werkzeug", "3.0.0", &["markupsafe"]),
        dist("markupsafe", "2.1", &[]),
        dist("asgiref", "3.8", &[]),
        dist("dotenv", "1.0", &[]),
        dist("stray", "1.0", &[]),
        dist("pip", "24.0", &[]),
        dist("setuptools", "69.0", &[]),
    ]);
    assert_eq!(
        lines(&plan_for(&manifest, &set)),
        [
            "remove dotenv 1.0 -> - (not declared and not required (prune))",
            "remove stray 1.0 -> - (not declared and not required (prune))",
        ]
    );
}

#[test]
fn without_prune_undeclared_packages_stay() {
    let manifest = manifest("prune: false", "app: \"*\"");
    let set = installed(vec![dist("app", "1", &[]), dist("stray", "1", &[])]);
    assert!(plan_for(&manifest, &set).is_empty());
}

#[test]
fn protected_packages_and_pip_are_never_pruned() {
    let manifest = manifest("prune: true, protected: [black]", "");
    let set = installed(vec![
        dist("pip", "24.0", &[]),
        dist("setuptools", "69.0", &[]),
        dist("black", "24.1", &["click"]),
        dist("click", "8.1", &[]),
    ]);
    assert_eq!(
        lines(&plan_for(&manifest, &set)),
        ["remove setuptools 69.0 -> - (not declared and not required (prune))"]
    );
}

#[test]
fn absent_packages_are_removed_and_the_plan_says_what_breaks() {
    let manifest = manifest("", "app: \"*\", lib: absent, gone: absent");
    let set = installed(vec![dist("app", "1", &["lib"]), dist("lib", "1", &[])]);
    assert_eq!(
        lines(&plan_for(&manifest, &set)),
        ["remove lib 1 -> - (declared absent; breaks `app`)"]
    );
    let plan = plan_for(&manifest, &set);
    assert_eq!(plan.packages[0].breaks.len(), 1);
}

#[test]
fn missing_dependencies_of_unchanged_packages_are_installed() {
    let manifest = manifest("", "app: \"*\", moving: \">=2\"");
    let set = installed(vec![
        dist("app", "1", &["lib>=1.2"]),
        dist("moving", "1", &["old-dep"]),
    ]);
    assert_eq!(
        lines(&plan_for(&manifest, &set)),
        [
            "install lib - -> >=1.2 (required by `app` but not installed)",
            "upgrade moving 1 -> >=2 (1 does not satisfy >=2)",
        ]
    );
}

#[test]
fn a_missing_venv_is_created_and_everything_installed() {
    let manifest = manifest(
        "",
        "b: \"*\", a: { version: \"==1\", extras: [x] }, c: absent",
    );
    let plan = plan_packages(
        &manifest.environment,
        &manifest.packages,
        Observed::MissingVenv {
            path: ".venv".into(),
        },
    );
    assert!(plan.environment.is_some());
    assert_eq!(
        lines(&plan),
        [
            "install a - -> ==1 (not installed)",
            "install b - -> * (not installed)"
        ]
    );
    assert_eq!(plan.packages[0].requirement(), "a[x]==1");
    assert_eq!(plan.packages[1].requirement(), "b");
}

#[test]
fn summary_counts_each_action() {
    let manifest = manifest("prune: true", "a: \"*\", b: \"==2\"");
    let set = installed(vec![dist("b", "1", &[]), dist("c", "1", &[])]);
    let summary = plan_for(&manifest, &set).summary();
    // `c` waits for the install: `a` may need it.
    assert_eq!(
        (
            summary.install,
            summary.upgrade,
            summary.remove,
            summary.remove_if_unneeded
        ),
        (1, 1, 0, 1)
    );
}

#[test]
fn prune_waits_for_a_pending_install_and_declared_absence_does_not() {
    let set = installed(vec![
        dist("pip", "24.0", &[]),
        dist("kombu", "5.3.4", &["vine"]),
        dist("vine", "5.1.0", &[]),
        dist("gone", "1.0", &[]),
    ]);
    let manifest = manifest("prune: true", "celery: \"*\", gone: absent");
    let plan = plan_for(&manifest, &set);
    let removals: Vec<(String, bool)> = plan
        .removals()
        .map(|change| (change.name.to_string(), change.conditional))
        .collect();
    assert_eq!(
        removals,
        [
            ("gone".into(), false),
            ("kombu".into(), true),
            ("vine".into(), true)
        ]
    );
    let summary = plan.summary();
    assert_eq!(
        (summary.install, summary.remove, summary.remove_if_unneeded),
        (1, 1, 2)
    );
}
