//! The plan: a plain value saying what apply would do and why. Rendered by `render`,
//! executed by `engine`; computing it touches nothing.

use std::path::PathBuf;

use pep440_rs::Version;
use serde::Serialize;

use super::names::{ExtraName, PackageName};
use super::user_spec::UserName;

/// What happens to one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageAction {
    Install,
    Upgrade,
    Downgrade,
    /// The installed version is wrong but the direction cannot be known (e.g. `!=`).
    Change,
    Remove,
}

impl PackageAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Install => "install",
            Self::Upgrade => "upgrade",
            Self::Downgrade => "downgrade",
            Self::Change => "change",
            Self::Remove => "remove",
        }
    }
}

/// One package change with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageChange {
    pub action: PackageAction,
    pub name: PackageName,
    /// The installed version, if any.
    pub from: Option<Version>,
    /// The wanted specifier (`*` for any version); `None` for removals.
    pub to: Option<String>,
    pub extras: Vec<ExtraName>,
    pub reason: String,
    /// Installed packages that require this one (only for removals).
    pub breaks: Vec<PackageName>,
    /// A prune removal planned while installs are pending: apply removes it after the
    /// install only if what it installed does not need it (the new versions' requirements
    /// are unknown until then).
    pub conditional: bool,
}

impl PackageChange {
    /// The requirement handed to the installer, e.g. `flask[async]~=3.0`.
    ///
    /// Built only from validated names, extras and specifiers, so it can never be an option.
    pub fn requirement(&self) -> String {
        let mut requirement = self.name.to_string();
        if !self.extras.is_empty() {
            let extras: Vec<&str> = self.extras.iter().map(|extra| extra.as_ref()).collect();
            requirement.push('[');
            requirement.push_str(&extras.join(","));
            requirement.push(']');
        }
        match self.to.as_deref() {
            None | Some("*") => {}
            Some(specifier) => requirement.push_str(specifier),
        }
        requirement
    }
}

/// What happens to one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UserAction {
    Create,
    Update,
    Delete,
}

/// One account change, naming the fields that change (never their values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserChange {
    pub action: UserAction,
    pub name: UserName,
    pub fields: Vec<&'static str>,
}

/// A change to the environment itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvironmentChange {
    CreateVenv { path: PathBuf },
}

/// Counts per action, as shown in the summary line and the JSON document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// 1 when apply will create the virtual environment.
    pub venv: usize,
    pub install: usize,
    pub upgrade: usize,
    pub downgrade: usize,
    pub change: usize,
    pub remove: usize,
    /// Prune removals that wait for the install and happen only if still unneeded.
    pub remove_if_unneeded: usize,
    pub create: usize,
    pub update: usize,
    pub delete: usize,
}

/// Everything apply would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub environment: Option<EnvironmentChange>,
    pub packages: Vec<PackageChange>,
    pub users: Vec<UserChange>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.environment.is_none() && self.packages.is_empty() && self.users.is_empty()
    }

    /// Installs, upgrades, downgrades and changes: everything done by one installer call.
    pub fn installs(&self) -> impl Iterator<Item = &PackageChange> {
        self.packages
            .iter()
            .filter(|change| change.action != PackageAction::Remove)
    }

    pub fn removals(&self) -> impl Iterator<Item = &PackageChange> {
        self.packages
            .iter()
            .filter(|change| change.action == PackageAction::Remove)
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            venv: usize::from(self.environment.is_some()),
            ..Summary::default()
        };
        for change in &self.packages {
            *match change.action {
                PackageAction::Install => &mut summary.install,
                PackageAction::Upgrade => &mut summary.upgrade,
                PackageAction::Downgrade => &mut summary.downgrade,
                PackageAction::Change => &mut summary.change,
                PackageAction::Remove if change.conditional => &mut summary.remove_if_unneeded,
                PackageAction::Remove => &mut summary.remove,
            } += 1;
        }
        for change in &self.users {
            *match change.action {
                UserAction::Create => &mut summary.create,
                UserAction::Update => &mut summary.update,
                UserAction::Delete => &mut summary.delete,
            } += 1;
        }
        summary
    }
}
