//! What a manifest asks of one package: a version range (or any version) with extras, or absence.

use std::fmt;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};

use super::names::ExtraName;
use super::python::specifier::set_contains;

/// The versions a declaration accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionWanted {
    /// `*`: any version.
    Any,
    /// PEP 440 specifiers such as `>=1.26,<2`.
    Specifiers(VersionSpecifiers),
}

impl VersionWanted {
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if trimmed == "*" {
            return Ok(Self::Any);
        }
        if trimmed.is_empty() {
            return Err(
                "empty version specifier\nhint: write `\"*\"` to accept any version".into(),
            );
        }
        if trimmed.contains('@') || trimmed.contains("://") {
            return Err(format!(
                "`{trimmed}` is a URL, not a version specifier; pkgm installs from indexes only"
            ));
        }
        if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(format!(
                "`{trimmed}` has no operator\nhint: to pin this version write `\"=={trimmed}\"`"
            ));
        }
        if trimmed.contains("===") {
            return Err(format!(
                "`{trimmed}` uses `===`, which compares text rather than versions (pip \
                 would not count `v1.0` as `===1.0`)\nhint: write `==` instead"
            ));
        }
        VersionSpecifiers::from_str(trimmed)
            .map(Self::Specifiers)
            .map_err(|err| {
                // The parser's message continues with the text and a caret line: one line here.
                let err = err.to_string();
                let first = err.lines().next().unwrap_or_default().trim_end_matches(':');
                format!("`{trimmed}` is not a valid PEP 440 specifier: {first}")
            })
    }

    pub fn is_satisfied_by(&self, version: &Version) -> bool {
        match self {
            Self::Any => true,
            Self::Specifiers(specifiers) => set_contains(specifiers, version),
        }
    }
}

impl fmt::Display for VersionWanted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("*"),
            Self::Specifiers(specifiers) => write!(f, "{specifiers}"),
        }
    }
}

/// A package that must be installed, with the versions and extras it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageWanted {
    pub version: VersionWanted,
    pub extras: Vec<ExtraName>,
}

/// One entry of `packages:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageDecl {
    Present(PackageWanted),
    Absent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_parse_and_match() {
        let cases = [
            ("*", "0.0.1", true),
            ("==2.32.3", "2.32.3", true),
            ("==2.32.3", "2.32.4", false),
            (">=1.26,<2", "1.26.4", true),
            (">=1.26,<2", "2.0.0", false),
            ("~=3.0", "3.1", true),
            ("~=3.0", "4.0", false),
            ("  >=1.0 ", "1.0", true),
        ];
        for (specifier, version, expected) in cases {
            let wanted = VersionWanted::parse(specifier).unwrap();
            let version = Version::from_str(version).unwrap();
            assert_eq!(
                wanted.is_satisfied_by(&version),
                expected,
                "{specifier} vs {version}"
            );
        }
    }

    #[test]
    fn bad_specifiers_explain_themselves() {
        for (given, expected) in [
            ("1.10", "hint: to pin this version write `\"==1.10\"`"),
            ("", "empty version specifier"),
            ("@ https://example.com/x.whl", "is a URL"),
            (">=banana", "not a valid PEP 440 specifier"),
            ("--index-url=https://evil", "is a URL"),
            ("-r requirements.txt", "not a valid PEP 440 specifier"),
            ("===1.0", "hint: write `==` instead"),
        ] {
            let err = VersionWanted::parse(given).unwrap_err();
            assert!(err.contains(expected), "{given}: {err}");
        }
    }
}
