//! Diffs what the manifest declares against what is installed and returns the `Plan`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::core::python::marker::MarkerEnvironment;

use super::dependencies::{closure, dependents, Closure};
use super::direction::direction;
use super::installed::InstalledSet;
use super::manifest::EnvironmentSpec;
use super::names::{ExtraName, PackageName};
use super::package_spec::{PackageDecl, VersionWanted};
use super::plan::{EnvironmentChange, PackageAction, PackageChange, Plan};

/// What inspecting the target found.
pub enum Observed<'a> {
    /// The venv does not exist yet: apply will create it.
    MissingVenv { path: PathBuf },
    Environment {
        installed: &'a InstalledSet,
        markers: &'a MarkerEnvironment,
    },
}

/// Plans the package side of a manifest. User changes are planned separately.
pub fn plan_packages(
    environment: &EnvironmentSpec,
    packages: &BTreeMap<PackageName, PackageDecl>,
    observed: Observed<'_>,
) -> Plan {
    let (installed, markers) = match observed {
        Observed::MissingVenv { path } => {
            let empty = InstalledSet::default();
            let mut plan = Plan {
                environment: Some(EnvironmentChange::CreateVenv { path }),
                packages: declared_changes(packages, &empty),
                users: Vec::new(),
            };
            sort_changes(&mut plan.packages);
            return plan;
        }
        Observed::Environment { installed, markers } => (installed, markers),
    };
    let mut changes = declared_changes(packages, installed);
    let changed: BTreeSet<PackageName> = changes.iter().map(|c| c.name.clone()).collect();

    let needed = needed_packages(environment, packages, installed, markers);

    changes.extend(missing_dependencies(&needed, packages, &changed));
    if environment.prune {
        changes.extend(prunable(environment, packages, installed, &needed));
    }
    defer_prune_behind_installs(&mut changes);
    explain_breakage(&mut changes, installed, &needed, markers);
    sort_changes(&mut changes);
    Plan {
        environment: None,
        packages: changes,
        users: Vec::new(),
    }
}

/// What the declared packages and the installed protected ones need, transitively: what
/// prune keeps, and what `pkgm list` marks `dependency`.
pub fn needed_packages(
    environment: &EnvironmentSpec,
    packages: &BTreeMap<PackageName, PackageDecl>,
    installed: &InstalledSet,
    markers: &MarkerEnvironment,
) -> Closure {
    let roots = packages
        .iter()
        .filter_map(|(name, decl)| match decl {
            PackageDecl::Present(wanted) => Some((name, wanted.extras.as_slice())),
            PackageDecl::Absent => None,
        })
        .chain(
            environment
                .protected
                .iter()
                .filter(|name| installed.get(name).is_some())
                .map(|name| (name, &[] as &[ExtraName])),
        );
    closure(roots, installed, markers)
}

/// Installs, upgrades, downgrades and removals that the declarations themselves call for.
fn declared_changes(
    packages: &BTreeMap<PackageName, PackageDecl>,
    installed: &InstalledSet,
) -> Vec<PackageChange> {
    let mut changes = Vec::new();
    for (name, decl) in packages {
        let current = installed.get(name);
        let change = |action, reason: String| PackageChange {
            action,
            name: name.clone(),
            from: current.map(|dist| dist.version.clone()),
            to: None,
            extras: Vec::new(),
            reason,
            breaks: Vec::new(),
            conditional: false,
        };
        match (decl, current) {
            (PackageDecl::Absent, Some(_)) => {
                changes.push(change(PackageAction::Remove, "declared absent".into()));
            }
            (PackageDecl::Absent, None) => {}
            (PackageDecl::Present(wanted), None) => changes.push(PackageChange {
                to: Some(wanted.version.to_string()),
                extras: wanted.extras.clone(),
                ..change(PackageAction::Install, "not installed".into())
            }),
            (PackageDecl::Present(wanted), Some(dist)) => {
                if wanted.version.is_satisfied_by(&dist.version) {
                    continue;
                }
                let action = match &wanted.version {
                    VersionWanted::Specifiers(specifiers) => direction(&dist.version, specifiers),
                    VersionWanted::Any => PackageAction::Change,
                };
                let reason = format!("{} does not satisfy {}", dist.version, wanted.version);
                changes.push(PackageChange {
                    to: Some(wanted.version.to_string()),
                    extras: wanted.extras.clone(),
                    ..change(action, reason)
                });
            }
        }
    }
    changes
}

/// Dependencies of unchanged packages that are not installed (a broken environment).
/// Requirers that apply will change are left to the installer's resolver.
fn missing_dependencies(
    needed: &Closure,
    packages: &BTreeMap<PackageName, PackageDecl>,
    changed: &BTreeSet<PackageName>,
) -> Vec<PackageChange> {
    needed
        .missing
        .iter()
        .filter(|(name, _)| !packages.contains_key(*name))
        .filter_map(|(name, missing)| {
            let requirers: Vec<String> = missing
                .required_by
                .iter()
                .filter(|requirer| !changed.contains(*requirer))
                .map(|requirer| format!("`{requirer}`"))
                .collect();
            if requirers.is_empty() {
                return None;
            }
            let specifiers: Vec<&str> = missing.specifiers.iter().map(String::as_str).collect();
            let to = if specifiers.is_empty() {
                "*".to_string()
            } else {
                specifiers.join(",")
            };
            Some(PackageChange {
                action: PackageAction::Install,
                name: name.clone(),
                from: None,
                to: Some(to),
                extras: Vec::new(),
                reason: format!("required by {} but not installed", requirers.join(", ")),
                breaks: Vec::new(),
                conditional: false,
            })
        })
        .collect()
}

/// Undeclared packages that nothing declared (or protected) needs.
fn prunable(
    environment: &EnvironmentSpec,
    packages: &BTreeMap<PackageName, PackageDecl>,
    installed: &InstalledSet,
    needed: &Closure,
) -> Vec<PackageChange> {
    installed
        .dists
        .values()
        .filter(|dist| !packages.contains_key(&dist.name))
        .filter(|dist| !dist.outside_target)
        .filter(|dist| !environment.is_protected(&dist.name))
        .filter(|dist| !needed.contains(&dist.name))
        .map(|dist| PackageChange {
            action: PackageAction::Remove,
            name: dist.name.clone(),
            from: Some(dist.version.clone()),
            to: None,
            extras: Vec::new(),
            reason: PRUNE_REASON.into(),
            breaks: Vec::new(),
            conditional: false,
        })
        .collect()
}

/// While anything is to be installed, a prune removal cannot be promised: a package about to
/// be installed or moved may need it, and its requirements are known only after the
/// install. Apply plans removals again then, so the plan marks these as conditional.
fn defer_prune_behind_installs(changes: &mut [PackageChange]) {
    let installs_pending = changes
        .iter()
        .any(|change| change.action != PackageAction::Remove);
    if !installs_pending {
        return;
    }
    for change in changes
        .iter_mut()
        .filter(|change| change.action == PackageAction::Remove && change.reason == PRUNE_REASON)
    {
        change.conditional = true;
        change.reason =
            "not required now (prune); removed after the install unless it needs it".into();
    }
}

const PRUNE_REASON: &str = "not declared and not required (prune)";

/// Names, for every removal, the packages that stay and require it.
fn explain_breakage(
    changes: &mut [PackageChange],
    installed: &InstalledSet,
    needed: &Closure,
    markers: &MarkerEnvironment,
) {
    let removed: BTreeSet<PackageName> = changes
        .iter()
        .filter(|change| change.action == PackageAction::Remove)
        .map(|change| change.name.clone())
        .collect();
    for change in changes
        .iter_mut()
        .filter(|change| change.action == PackageAction::Remove)
    {
        change.breaks = dependents(&change.name, installed, needed, markers, &removed);
        if !change.breaks.is_empty() {
            let names: Vec<String> = change.breaks.iter().map(|n| format!("`{n}`")).collect();
            change.reason = format!("{}; breaks {}", change.reason, names.join(", "));
        }
    }
}

/// Execution order: everything the installer adds or moves, then removals; by name within.
fn sort_changes(changes: &mut [PackageChange]) {
    changes.sort_by(|a, b| {
        let a_key = (a.action == PackageAction::Remove, &a.name);
        let b_key = (b.action == PackageAction::Remove, &b.name);
        a_key.cmp(&b_key)
    });
}

#[cfg(test)]
#[path = "planner_tests.rs"]
mod tests;
