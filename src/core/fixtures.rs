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
