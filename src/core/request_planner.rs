//! What an imperative `install`, `upgrade` or `uninstall` will change, from the packages
//! asked for and what is installed. Refuses what apply would refuse (removing pip) and
//! what makes no sense (upgrading or removing what is not there).

use std::collections::BTreeSet;

use super::direction::direction;
use super::installed::InstalledSet;
use super::package_spec::VersionWanted;
use super::plan::{PackageAction, PackageChange};
use super::python::specifier::set_contains;
use super::requirement_arg::RequirementArg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestVerb {
    Install,
    Upgrade,
    Uninstall,
}

impl RequestVerb {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Install => "install",
            Self::Upgrade => "upgrade",
            Self::Uninstall => "uninstall",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("`{0}` is not installed in this environment\nhint: use `pkgm install {0}`")]
    NotInstalled(String),
    #[error("`{0}` is not installed in this environment; there is nothing to remove")]
    NothingToRemove(String),
    #[error("`pip` is never removed: the environment needs it to install anything")]
    NeverRemoved,
    #[error("`pkgm uninstall` takes package names only, not `{0}`")]
    NamesOnly(String),
    #[error("`{0}` is named twice")]
    NamedTwice(String),
}

/// The changes a request makes; empty when everything asked for is already there.
pub fn plan_request(
    verb: RequestVerb,
    requested: &[RequirementArg],
    installed: &InstalledSet,
) -> Result<Vec<PackageChange>, RequestError> {
    let mut seen = BTreeSet::new();
    let mut changes = Vec::new();
    for arg in requested {
        if !seen.insert(arg.name.clone()) {
            return Err(RequestError::NamedTwice(arg.name.to_string()));
        }
        let current = installed.get(&arg.name).map(|dist| dist.version.clone());
        let wanted = arg.version.to_string();
        let (action, to, reason) = match (verb, &current) {
            (RequestVerb::Uninstall, _)
                if arg.version != VersionWanted::Any || !arg.extras.is_empty() =>
            {
                return Err(RequestError::NamesOnly(arg.requirement()));
            }
            (RequestVerb::Uninstall, _) if arg.name.as_ref() == "pip" => {
                return Err(RequestError::NeverRemoved)
            }
            (RequestVerb::Uninstall, None) => {
                return Err(RequestError::NothingToRemove(arg.name.to_string()))
            }
            (RequestVerb::Uninstall, Some(_)) => {
                (PackageAction::Remove, None, "removal requested".into())
            }
            (RequestVerb::Upgrade, None) => {
                return Err(RequestError::NotInstalled(arg.name.to_string()))
            }
            (RequestVerb::Upgrade, Some(_)) => (
                PackageAction::Upgrade,
                Some(wanted),
                "upgrade requested".into(),
            ),
            (RequestVerb::Install, None) => {
                (PackageAction::Install, Some(wanted), "not installed".into())
            }
            (RequestVerb::Install, Some(version)) => match &arg.version {
                wanted_version
                    if wanted_version.is_satisfied_by(version) && arg.extras.is_empty() =>
                {
                    continue
                }
                VersionWanted::Specifiers(specifiers) if !set_contains(specifiers, version) => (
                    direction(version, specifiers),
                    Some(wanted),
                    format!("{version} does not satisfy {specifiers}"),
                ),
                _ => (
                    PackageAction::Install,
                    Some(wanted),
                    "extras requested".into(),
                ),
            },
        };
        changes.push(PackageChange {
            action,
            name: arg.name.clone(),
            from: current,
            to,
            extras: arg.extras.clone(),
            reason,
            breaks: Vec::new(),
            conditional: false,
        });
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fixtures::{dist, installed};

    fn plan(verb: RequestVerb, args: &[&str]) -> Result<Vec<String>, RequestError> {
        let set = installed(vec![
            dist("pip", "24.0", &[]),
            dist("lib", "1.0", &[]),
            dist("app", "2.0", &[]),
        ]);
        let args: Vec<RequirementArg> = args
            .iter()
            .map(|arg| RequirementArg::parse(arg).unwrap())
            .collect();
        plan_request(verb, &args, &set).map(|changes| {
            changes
                .iter()
                .map(|change| {
                    format!(
                        "{} {} ({})",
                        change.action.as_str(),
                        change.requirement(),
                        change.reason
                    )
                })
                .collect()
        })
    }

    #[test]
    fn requests_become_changes() {
        use RequestVerb::*;
        let cases: Vec<(RequestVerb, Vec<&str>, Vec<&str>)> = vec![
            (
                Install,
                vec!["new==1.0"],
                vec!["install new==1.0 (not installed)"],
            ),
            (Install, vec!["lib", "app>=2"], vec![]),
            (
                Install,
                vec!["lib==2.0"],
                vec!["upgrade lib==2.0 (1.0 does not satisfy ==2.0)"],
            ),
            (
                Install,
                vec!["app<2"],
                vec!["downgrade app<2 (2.0 does not satisfy <2)"],
            ),
            (
                Install,
                vec!["lib[extra]"],
                vec!["install lib[extra] (extras requested)"],
            ),
            (
                Upgrade,
                vec!["lib"],
                vec!["upgrade lib (upgrade requested)"],
            ),
            (
                Uninstall,
                vec!["Lib"],
                vec!["remove lib (removal requested)"],
            ),
        ];
        for (verb, args, expected) in cases {
            assert_eq!(plan(verb, &args).unwrap(), expected, "{verb:?} {args:?}");
        }
    }

    #[test]
    fn impossible_requests_are_refused() {
        use RequestVerb::*;
        for (verb, args, expected) in [
            (
                Upgrade,
                vec!["new"],
                RequestError::NotInstalled("new".into()),
            ),
            (
                Uninstall,
                vec!["new"],
                RequestError::NothingToRemove("new".into()),
            ),
            (Uninstall, vec!["pip"], RequestError::NeverRemoved),
            (
                Uninstall,
                vec!["lib==1.0"],
                RequestError::NamesOnly("lib==1.0".into()),
            ),
            (
                Install,
                vec!["lib", "LIB"],
                RequestError::NamedTwice("lib".into()),
            ),
        ] {
            assert_eq!(
                plan(verb, &args).unwrap_err(),
                expected,
                "{verb:?} {args:?}"
            );
        }
    }
}
