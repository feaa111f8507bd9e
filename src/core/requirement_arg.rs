//! A package named on the command line (`pkgm install requests==2.32.3 'flask[async]~=3.0'`),
//! validated exactly like a manifest entry before anything reaches an installer.

use super::names::{parse_extra, parse_package_name, ExtraName, PackageName};
use super::package_spec::VersionWanted;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementArg {
    pub name: PackageName,
    pub extras: Vec<ExtraName>,
    pub version: VersionWanted,
}

impl RequirementArg {
    /// Splits `NAME[EXTRAS]SPECIFIER`; the specifier is optional and means any version.
    pub fn parse(text: &str) -> Result<Self, String> {
        let invalid = || {
            format!(
                "`{text}` is not a package requirement\n\
                 hint: write NAME, NAME[EXTRAS] or NAME with a specifier, e.g. `requests==2.32.3`"
            )
        };
        let name_end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(text.len());
        if name_end == 0 {
            return Err(invalid());
        }
        let mut rest = &text[name_end..];
        let continues_well = rest.is_empty()
            || rest.starts_with(|c: char| c.is_whitespace() || "[<>=!~*".contains(c));
        if !continues_well {
            return Err(invalid());
        }
        let name = parse_package_name(&text[..name_end])?;
        let mut extras = Vec::new();
        if let Some(inside) = rest.strip_prefix('[') {
            let (list, after) = inside.split_once(']').ok_or_else(invalid)?;
            extras = list
                .split(',')
                .map(|extra| parse_extra(extra.trim()))
                .collect::<Result<_, _>>()?;
            rest = after;
        }
        let version = if rest.trim().is_empty() {
            VersionWanted::Any
        } else {
            VersionWanted::parse(rest)?
        };
        Ok(Self {
            name,
            extras,
            version,
        })
    }

    /// The requirement handed to the installer, rebuilt from the validated parts.
    pub fn requirement(&self) -> String {
        let mut requirement = self.name.to_string();
        if !self.extras.is_empty() {
            let extras: Vec<&str> = self.extras.iter().map(|extra| extra.as_ref()).collect();
            requirement.push_str(&format!("[{}]", extras.join(",")));
        }
        if let VersionWanted::Specifiers(specifiers) = &self.version {
            requirement.push_str(&specifiers.to_string());
        }
        requirement
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_normalised_requirements() {
        for (given, expected) in [
            ("requests", "requests"),
            ("Foo_Bar==1.0", "foo-bar==1.0"),
            ("flask[async]~=3.0", "flask[async]~=3.0"),
            ("numpy>=1.26,<2", "numpy>=1.26, <2"),
            ("rich *", "rich"),
        ] {
            let arg = RequirementArg::parse(given).unwrap_or_else(|err| panic!("{given}: {err}"));
            assert_eq!(arg.requirement(), expected, "{given}");
        }
    }

    #[test]
    fn options_files_and_urls_are_refused() {
        for (given, expected) in [
            ("-r", "not a valid package name"),
            ("--index-url=https://evil", "not a valid package name"),
            ("./pkg", "not a package requirement"),
            ("pkg.whl", "looks like a file"),
            ("pkg @ https://example.com/pkg.tar.gz", "is a URL"),
            ("pkg >=1 ; os_name == 'nt'", "not a valid PEP 440 specifier"),
            ("pkg; os_name == 'nt'", "not a package requirement"),
            ("pkg[bad extra]", "not a valid extra name"),
            ("pkg[async", "not a package requirement"),
            ("pkg 1.0", "no operator"),
        ] {
            let err = RequirementArg::parse(given).unwrap_err();
            assert!(err.contains(expected), "{given}: {err}");
        }
    }
}
