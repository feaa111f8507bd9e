//! Which installed packages are needed, transitively, by the declared ones: `Requires-Dist`
//! followed with environment markers and extras evaluated for the target interpreter.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::installed::InstalledSet;
use super::names::{ExtraName, PackageName};
use super::python::marker::MarkerEnvironment;

/// The packages reachable from a set of roots.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Closure {
    /// Each needed package, with the packages that require it (roots need not be required).
    pub required_by: BTreeMap<PackageName, BTreeSet<PackageName>>,
    /// Each package visited, with the extras it was needed with.
    pub extras_of: BTreeMap<PackageName, BTreeSet<ExtraName>>,
    /// Requirements of visited packages that are not installed at all.
    pub missing: BTreeMap<PackageName, Missing>,
}

/// A dependency that no installed distribution provides.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The specifiers the requirers ask for, without duplicates (empty: any version).
    pub specifiers: BTreeSet<String>,
    pub required_by: BTreeSet<PackageName>,
}

impl Closure {
    pub fn contains(&self, name: &PackageName) -> bool {
        self.extras_of.contains_key(name)
    }
}

/// Walks `Requires-Dist` from the roots through what is installed.
pub fn closure<'a>(
    roots: impl IntoIterator<Item = (&'a PackageName, &'a [ExtraName])>,
    installed: &InstalledSet,
    markers: &MarkerEnvironment,
) -> Closure {
    let mut result = Closure::default();
    let mut queue: VecDeque<(PackageName, Vec<ExtraName>)> = roots
        .into_iter()
        .map(|(name, extras)| (name.clone(), extras.to_vec()))
        .collect();
    while let Some((name, extras)) = queue.pop_front() {
        let first_visit = !result.extras_of.contains_key(&name);
        let seen = result.extras_of.entry(name.clone()).or_default();
        let before = seen.len();
        seen.extend(extras);
        let grew = seen.len() > before;
        if !first_visit && !grew {
            continue;
        }
        let Some(dist) = installed.get(&name) else {
            continue;
        };
        let extras: Vec<ExtraName> = seen.iter().cloned().collect();
        for requirement in &dist.requires {
            if !requirement.is_needed(markers, &extras) {
                continue;
            }
            result
                .required_by
                .entry(requirement.name.clone())
                .or_default()
                .insert(name.clone());
            if installed.get(&requirement.name).is_none() {
                let missing = result.missing.entry(requirement.name.clone()).or_default();
                missing.required_by.insert(name.clone());
                if let Some(specifiers) = &requirement.specifiers {
                    missing.specifiers.insert(specifiers.to_string());
                }
            }
            queue.push_back((requirement.name.clone(), requirement.extras.clone()));
        }
    }
    result
}

/// The installed packages (outside `excluded`) that require `name`, given the extras each
/// was needed with.
pub fn dependents(
    name: &PackageName,
    installed: &InstalledSet,
    closure: &Closure,
    markers: &MarkerEnvironment,
    excluded: &BTreeSet<PackageName>,
) -> Vec<PackageName> {
    installed
        .dists
        .values()
        .filter(|dist| &dist.name != name && !excluded.contains(&dist.name))
        .filter(|dist| {
            let extras: Vec<ExtraName> = closure
                .extras_of
                .get(&dist.name)
                .map(|extras| extras.iter().cloned().collect())
                .unwrap_or_default();
            dist.requires.iter().any(|requirement| {
                &requirement.name == name && requirement.is_needed(markers, &extras)
            })
        })
        .map(|dist| dist.name.clone())
        .collect()
}

#[cfg(test)]
#[path = "dependencies_tests.rs"]
mod tests;
