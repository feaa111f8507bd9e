//! What a signature may change: `packages` (the environment and its packages) and `users`.

use std::collections::BTreeSet;
use std::fmt;

use crate::core::manifest::Manifest;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Packages,
    Users,
}

impl Scope {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "packages" => Some(Self::Packages),
            "users" => Some(Self::Users),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Packages => "packages",
            Self::Users => "users",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub type ScopeSet = BTreeSet<Scope>;

/// `packages, users` for messages.
pub fn scope_list(scopes: &ScopeSet) -> String {
    let names: Vec<&str> = scopes.iter().map(|scope| scope.as_str()).collect();
    names.join(", ")
}

/// The scopes a signer claims by default: the sections the manifest has.
pub fn sections_of(manifest: &Manifest) -> ScopeSet {
    let mut scopes = ScopeSet::from([Scope::Packages]);
    if manifest.declares_users {
        scopes.insert(Scope::Users);
    }
    scopes
}

/// The scopes a signature needs to move the machine from `previous` (the last manifest
/// applied with a valid signature, when known) to `manifest`.
///
/// Without a previous manifest every section counts as a change. A manifest without a
/// `users:` section leaves accounts alone, so it needs no `users` scope.
pub fn required_scopes(manifest: &Manifest, previous: Option<&Manifest>) -> ScopeSet {
    let mut needed = ScopeSet::new();
    let packages_same = previous.is_some_and(|previous| {
        previous.environment == manifest.environment && previous.packages == manifest.packages
    });
    if !packages_same {
        needed.insert(Scope::Packages);
    }
    let users_same = previous.is_some_and(|previous| {
        previous.declares_users == manifest.declares_users && previous.users == manifest.users
    });
    if manifest.declares_users && !users_same {
        needed.insert(Scope::Users);
    }
    needed
}
