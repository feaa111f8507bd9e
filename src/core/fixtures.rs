//! Values shared by the core's unit tests.

use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder, Requirement};

use super::installed::{InstalledDist, InstalledSet};
use super::names::parse_package_name;

pub fn markers(python_version: &str) -> MarkerEnvironment {
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: python_version,
        os_name: "posix",
        platform_machine: "x86_64",
        platform_python_implementation: "CPython",
        platform_release: "6.1.0",
        platform_system: "Linux",
        platform_version: "#1 SMP",
        python_full_version: python_version,
        python_version: &python_version[..4],
        sys_platform: "linux",
    })
    .unwrap()
}

pub fn dist(name: &str, version: &str, requires: &[&str]) -> InstalledDist {
    InstalledDist {
        name: parse_package_name(name).unwrap(),
        version: Version::from_str(version).unwrap(),
        requires: requires
            .iter()
            .map(|text| Requirement::from_str(text).unwrap())
            .collect(),
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
