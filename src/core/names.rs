//! Validated names: package names (PEP 503 normalised), manifest names, extras.
//! Validation here is the boundary that keeps user text from reaching an installer as an option.

use std::fmt;

pub use pep508_rs::{ExtraName, PackageName};

/// Endings that make a name look like an archive or a wheel file rather than a project name.
const ARCHIVE_ENDINGS: &[&str] = &[
    ".zip", ".whl", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".egg", ".exe", ".msi",
];

/// Parses a package name the way a manifest key or a command-line argument gives it.
///
/// Beyond PEP 508's grammar (which already refuses `-r`, `./pkg` and URLs), names that end
/// like archives are refused, because an installer would read them as files.
pub fn parse_package_name(text: &str) -> Result<PackageName, String> {
    if text.is_empty() {
        return Err("empty package name".into());
    }
    let lower = text.to_ascii_lowercase();
    if let Some(ending) = ARCHIVE_ENDINGS
        .iter()
        .find(|ending| lower.ends_with(*ending))
    {
        return Err(format!(
            "`{text}` looks like a file (`{ending}`), not a package name"
        ));
    }
    PackageName::new(text.to_string()).map_err(|_| {
        let hint = match text.find(['=', '<', '>', '!', '~', ' ']) {
            Some(at) if PackageName::new(text[..at].to_string()).is_ok() => format!(
                "\nhint: the version goes in the value: `{}: \"{}\"`",
                &text[..at],
                text[at..].trim()
            ),
            _ => String::new(),
        };
        format!(
            "`{text}` is not a valid package name (PEP 508: letters, digits, `-`, `_` and `.`, \
             starting and ending with a letter or digit){hint}"
        )
    })
}

/// Parses an extra such as `async` in `flask[async]`.
pub fn parse_extra(text: &str) -> Result<ExtraName, String> {
    ExtraName::new(text.to_string()).map_err(|_| format!("`{text}` is not a valid extra name"))
}

/// The identity of a manifest (`metadata.name`): history and anti-rollback are kept per name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ManifestName(String);

impl ManifestName {
    pub fn parse(text: &str) -> Result<Self, String> {
        let valid_chars = text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
        let starts_well = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if text.is_empty() || text.len() > 64 || !valid_chars || !starts_well {
            return Err(format!(
                "`{text}` is not a valid manifest name (1 to 64 of a-z, 0-9, `-`, `_`, `.`, \
                 starting with a letter or digit)"
            ));
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ManifestName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_are_normalised() {
        for (given, normalised) in [
            ("Foo_Bar", "foo-bar"),
            ("foo.bar", "foo-bar"),
            ("requests", "requests"),
            ("zope.interface", "zope-interface"),
        ] {
            assert_eq!(
                parse_package_name(given).unwrap().as_ref(),
                normalised,
                "{given}"
            );
        }
    }

    #[test]
    fn names_that_an_installer_could_misread_are_refused() {
        for bad in [
            "--index-url=https://evil",
            "-r",
            "-e",
            "./pkg",
            "../pkg",
            "/abs/pkg",
            "foo.zip",
            "foo-1.0-py3-none-any.whl",
            "foo.tar.gz",
            "pkg @ https://example.com/pkg.whl",
            "https://example.com/x",
            "",
            "a b",
            "pkg;rm",
        ] {
            assert!(parse_package_name(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn manifest_names_are_checked() {
        assert!(ManifestName::parse("analytics").is_ok());
        assert!(ManifestName::parse("team.analytics-2").is_ok());
        for bad in ["", "Analytics", "-x", "a/b", "../x", &"a".repeat(65)] {
            assert!(ManifestName::parse(bad).is_err(), "{bad} was accepted");
        }
    }
}
