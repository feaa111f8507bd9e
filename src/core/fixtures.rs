//! Values shared by the core's unit tests.

use std::str::FromStr;

use pep440_rs::Version;

use super::installed::{InstalledDist, InstalledSet};
use super::names::{parse_package_name, ExtraName};
use super::python::marker::MarkerEnvironment;
use super::python::requirement::Dependency;

/// CPython on Linux at `python_full_version` (`3.11.7`, `3.13.0rc1`).
pub fn markers(python_full_version: &str) -> MarkerEnvironment {
    let python_version: Vec<&str> = python_full_version.split('.').take(2).collect();
    MarkerEnvironment {
        implementation_name: "cpython".into(),
        implementation_version: python_full_version.into(),
        os_name: "posix".into(),
        platform_machine: "x86_64".into(),
        platform_python_implementation: "CPython".into(),
        platform_release: "6.1.0".into(),
        platform_system: "Linux".into(),
        platform_version: "#1 SMP".into(),
        python_full_version: python_full_version.into(),
        python_version: python_version.join("."),
        sys_platform: "linux".into(),
    }
}

pub fn extras(names: &[&str]) -> Vec<ExtraName> {
    names
        .iter()
        .map(|name| ExtraName::from_str(name).unwrap())
        .collect()
}

pub fn dist(name: &str, version: &str, requires: &[&str]) -> InstalledDist {
    InstalledDist {
        name: parse_package_name(name).unwrap(),
        version: Version::from_str(version).unwrap(),
        requires: requires
            .iter()
            .map(|text| Dependency::parse(text).unwrap().0)
            .collect(),
        outside_target: false,
    }
}

pub fn installed(dists: Vec<InstalledDist>) -> InstalledSet {
    let mut set = InstalledSet::default();
    for dist in dists {
        set.insert(dist);
    }
    set
}

/// Two well-formed argon2id PHC strings (not real hashes of anything) for account tests.
pub const HASH_A: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
pub const HASH_B: &str = "$argon2id$v=19$m=19456,t=2,p=1$b3RoZXJzYWx0b3RoZXJzYWx0$b3RoZXJvdGhlcm90aGVyb3RoZXJvdGhlcm90aGVyb3Q";

/// A stored account named `name` with the email `NAME@example.com` and the given hash.
pub fn account(
    id: i64,
    name: &str,
    role: super::user_spec::Role,
    hash: &str,
) -> super::account::Account {
    use super::user_spec::{Email, PasswordHash, UserName};
    super::account::Account {
        id,
        name: UserName::parse(name).unwrap(),
        email: Email::parse(&format!("{name}@example.com")).unwrap(),
        role,
        declared_digest: PasswordHash::parse(hash).unwrap().digest(),
        credential_epoch: 1,
        created_at_ms: 0,
        updated_at_ms: 0,
        locked_until_ms: None,
    }
}

/// The `users:` of a YAML manifest.
pub fn declared(
    users: &str,
) -> std::collections::BTreeMap<super::user_spec::UserName, super::user_spec::UserDecl> {
    let text = format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: t, revision: 1}}\nusers: {{{users}}}\n"
    );
    super::manifest_parse::parse_manifest(std::path::Path::new("m.yaml"), text.as_bytes())
        .unwrap()
        .users
}

/// One `users:` entry in flow style.
pub fn user(name: &str, role: &str, hash: &str) -> String {
    format!("{name}: {{email: {name}@example.com, role: {role}, password_hash: '{hash}'}}, ")
}
