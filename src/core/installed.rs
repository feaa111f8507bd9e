//! What is installed in an environment, as values: distributions read from `*.dist-info`
//! and the facts about the interpreter that planning needs. Reading the disk is `effects`' job.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

use pep440_rs::Version;
use serde::{Deserialize, Serialize};

use super::names::{parse_package_name, PackageName};
use super::python::marker::MarkerEnvironment;
use super::python::requirement::Dependency;

/// One installed distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledDist {
    pub name: PackageName,
    pub version: Version,
    /// `Requires-Dist` entries; markers are evaluated at planning time.
    pub requires: Vec<Dependency>,
    /// Found outside the folders pkgm installs into (a system-site venv's base, Debian's
    /// `dist-packages`, a `.pth` path): visible to Python, never removed by pkgm.
    pub outside_target: bool,
}

/// Everything installed in one environment, by normalised name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstalledSet {
    pub dists: BTreeMap<PackageName, InstalledDist>,
}

impl InstalledSet {
    pub fn get(&self, name: &PackageName) -> Option<&InstalledDist> {
        self.dists.get(name)
    }

    pub fn insert(&mut self, dist: InstalledDist) {
        self.dists.insert(dist.name.clone(), dist);
    }
}

/// One package whose installed version differs between two inspections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub name: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What changed between two inspections, by name.
pub fn differences(before: &InstalledSet, after: &InstalledSet) -> Vec<Difference> {
    let names: std::collections::BTreeSet<&PackageName> =
        before.dists.keys().chain(after.dists.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let from = before.get(name).map(|d| d.version.to_string());
            let to = after.get(name).map(|d| d.version.to_string());
            (from != to).then(|| Difference {
                name: name.to_string(),
                from,
                to,
            })
        })
        .collect()
}

/// How many packages each kind of difference touched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub installed: usize,
    pub upgraded: usize,
    pub downgraded: usize,
    pub removed: usize,
}

impl Tally {
    pub fn of(differences: &[Difference]) -> Self {
        let version = |text: &str| Version::from_str(text).ok();
        let mut tally = Self::default();
        for difference in differences {
            match (difference.from.as_deref(), difference.to.as_deref()) {
                (None, Some(_)) => tally.installed += 1,
                (Some(_), None) => tally.removed += 1,
                (Some(from), Some(to)) if version(to) < version(from) => tally.downgraded += 1,
                _ => tally.upgraded += 1,
            }
        }
        tally
    }

    /// `2 installed, 1 upgraded`, or `no package changed`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            (self.installed, "installed"),
            (self.upgraded, "upgraded"),
            (self.downgraded, "downgraded"),
            (self.removed, "removed"),
        ]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, what)| format!("{count} {what}"))
        .collect();
        if parts.is_empty() {
            "no package changed".into()
        } else {
            parts.join(", ")
        }
    }
}

/// What the interpreter told us about itself; cached so that a no-op plan starts no Python.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterpreterInfo {
    pub executable: PathBuf,
    pub prefix: PathBuf,
    pub purelib: PathBuf,
    pub platlib: PathBuf,
    /// The interpreter's site folders in `sys.path` order: the venv's own, then (for a
    /// system-site venv, or Debian's `dist-packages`) the base's. Only `purelib` and
    /// `platlib` are installed into.
    #[serde(default)]
    pub site_dirs: Vec<PathBuf>,
    pub markers: MarkerEnvironment,
}

impl InterpreterInfo {
    /// The site folders in import order, without duplicates.
    pub fn site_packages(&self) -> Vec<PathBuf> {
        let mut folders: Vec<PathBuf> = Vec::new();
        for folder in self.site_dirs.iter().chain([&self.purelib, &self.platlib]) {
            if !folders.contains(folder) {
                folders.push(folder.clone());
            }
        }
        folders
    }

    /// The folders pkgm installs into and may remove from.
    pub fn target_dirs(&self) -> Vec<PathBuf> {
        let mut folders = vec![self.purelib.clone()];
        if self.platlib != self.purelib {
            folders.push(self.platlib.clone());
        }
        folders
    }
}

/// Why a `METADATA` file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("no `{0}` header")]
    MissingHeader(&'static str),
    #[error("invalid `{header}`: {message}")]
    Invalid {
        header: &'static str,
        message: String,
    },
}

/// A metadata file read: the distribution, and a note for every line that could not be
/// used as it stands (its dependency is kept as needed all the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMetadata {
    pub dist: InstalledDist,
    pub problems: Vec<String>,
}

/// Parses the header block of a core-metadata file (`METADATA` / `PKG-INFO`).
///
/// Header names are case-insensitive (RFC 822), as `email.parser` reads them for pip and
/// importlib. A `Requires-Dist` line that cannot be read keeps its dependency, by the name
/// it starts with, so that one odd line never makes a needed package prunable.
pub fn parse_metadata(text: &str) -> Result<ParsedMetadata, MetadataError> {
    let mut name = None;
    let mut version = None;
    let mut requires = Vec::new();
    let mut problems = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break; // the body (long description) follows the first blank line
        }
        let Some((header, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if header.eq_ignore_ascii_case("Name") {
            name.get_or_insert(value);
        } else if header.eq_ignore_ascii_case("Version") {
            version.get_or_insert(value);
        } else if header.eq_ignore_ascii_case("Requires-Dist") {
            read_dependency(value, value, &mut requires, &mut problems);
        }
    }
    let name = name.ok_or(MetadataError::MissingHeader("Name"))?;
    let version = version.ok_or(MetadataError::MissingHeader("Version"))?;
    let name = parse_package_name(name).map_err(|message| MetadataError::Invalid {
        header: "Name",
        message,
    })?;
    let version = Version::from_str(version).map_err(|err| MetadataError::Invalid {
        header: "Version",
        message: err.to_string(),
    })?;
    Ok(ParsedMetadata {
        dist: InstalledDist {
            name,
            version,
            requires,
            outside_target: false,
        },
        problems,
    })
}

fn read_dependency(
    text: &str,
    shown: &str,
    requires: &mut Vec<Dependency>,
    problems: &mut Vec<String>,
) {
    match Dependency::parse(text) {
        Ok((dependency, problem)) => {
            if let Some(problem) = problem {
                problems.push(format!(
                    "cannot read the requirement `{text}` ({problem}); `{}` is kept as needed",
                    dependency.name
                ));
            }
            requires.push(dependency);
        }
        Err(_) => problems.push(format!("ignored `{shown}`: not a PEP 508 requirement")),
    }
}

/// Turns a legacy `*.egg-info/requires.txt` into `Requires-Dist`-style requirements:
/// `[extra]`, `[:marker]` and `[extra:marker]` sections become markers.
pub fn parse_requires_txt(text: &str) -> (Vec<Dependency>, Vec<String>) {
    let mut requirements = Vec::new();
    let mut problems = Vec::new();
    let mut section_marker: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let (extra, marker) = section.split_once(':').unwrap_or((section, ""));
            let mut parts = Vec::new();
            if !extra.trim().is_empty() {
                parts.push(format!("extra == \"{}\"", extra.trim()));
            }
            if !marker.trim().is_empty() {
                parts.push(format!("({})", marker.trim()));
            }
            section_marker = (!parts.is_empty()).then(|| parts.join(" and "));
            continue;
        }
        let text = match &section_marker {
            Some(marker) => format!("{line}; {marker}"),
            None => line.to_string(),
        };
        read_dependency(&text, line, &mut requirements, &mut problems);
    }
    (requirements, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::names::ExtraName;

    #[test]
    fn differences_are_tallied_by_direction() {
        let difference = |from: Option<&str>, to: Option<&str>| Difference {
            name: "x".into(),
            from: from.map(String::from),
            to: to.map(String::from),
        };
        let tally = Tally::of(&[
            difference(None, Some("1.0")),
            difference(Some("1.0"), Some("1.10")),
            difference(Some("2.0"), Some("1.9")),
            difference(Some("1.0"), None),
            difference(None, Some("2.0")),
        ]);
        assert_eq!(
            tally.describe(),
            "2 installed, 1 upgraded, 1 downgraded, 1 removed"
        );
        assert_eq!(Tally::default().describe(), "no package changed");
    }

    #[test]
    fn legacy_requires_txt_sections_become_markers() {
        let text = "six>=1.0\n\n[socks]\nPySocks!=1.5.7\n[:python_version < \"3\"]\nenum34\n\
                    [security:sys_platform == \"win32\"]\nwin-inet-pton\n???\n";
        let (requirements, problems) = parse_requires_txt(text);
        let names: Vec<&str> = requirements.iter().map(|r| r.name.as_ref()).collect();
        assert_eq!(names, ["six", "pysocks", "enum34", "win-inet-pton"]);
        let linux = crate::core::fixtures::markers("3.11.7");
        let socks = crate::core::fixtures::extras(&["socks"]);
        let needed =
            |index: usize, extras: &[ExtraName]| requirements[index].is_needed(&linux, extras);
        assert!(needed(0, &[]));
        assert!(!needed(1, &[]) && needed(1, &socks));
        assert!(!needed(2, &[]) && !needed(2, &socks));
        assert!(!needed(3, &crate::core::fixtures::extras(&["security"])));
        assert_eq!(problems, ["ignored `???`: not a PEP 508 requirement"]);
    }

    #[test]
    fn metadata_headers_are_read_until_the_body() {
        let text = "Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.3\n\
                    Requires-Dist: Werkzeug>=3.0.0\n\
                    Requires-Dist: asgiref>=3.2; extra == \"async\"\n\n\
                    Requires-Dist: not-a-header-in-the-body\n";
        let parsed = parse_metadata(text).unwrap();
        assert_eq!(parsed.dist.name.as_ref(), "flask");
        assert_eq!(parsed.dist.version.to_string(), "3.0.3");
        assert_eq!(parsed.dist.requires.len(), 2);
        assert!(parsed.problems.is_empty());
    }

    #[test]
    fn metadata_header_names_are_case_insensitive_and_the_first_wins() {
        let text = "metadata-version: 2.1\nname: Flask\nVERSION: 3.0.3\nversion: 9\n\
                    requires-dist: Werkzeug>=3.0.0\n";
        let parsed = parse_metadata(text).unwrap();
        assert_eq!(parsed.dist.name.as_ref(), "flask");
        assert_eq!(parsed.dist.version.to_string(), "3.0.3");
        assert_eq!(parsed.dist.requires.len(), 1);
    }

    #[test]
    fn broken_metadata_is_reported() {
        assert_eq!(
            parse_metadata("Version: 1\n").unwrap_err(),
            MetadataError::MissingHeader("Name")
        );
        assert!(parse_metadata("Name: x\nVersion: banana\n").is_err());
        let parsed = parse_metadata("Name: x\nVersion: 1\nRequires-Dist: ???\n").unwrap();
        assert_eq!(
            parsed.problems,
            ["ignored `???`: not a PEP 508 requirement"]
        );
    }

    #[test]
    fn a_requirement_that_cannot_be_read_keeps_its_dependency() {
        let text = "Name: x\nVersion: 1\nRequires-Dist: lib (>=1.0; python_version > \"3\"\n\
                    Requires-Dist: other; python_version >>> \"3\"\n";
        let parsed = parse_metadata(text).unwrap();
        let names: Vec<&str> = parsed
            .dist
            .requires
            .iter()
            .map(|r| r.name.as_ref())
            .collect();
        assert_eq!(names, ["lib", "other"]);
        let markers = crate::core::fixtures::markers("3.11.7");
        assert!(parsed
            .dist
            .requires
            .iter()
            .all(|r| r.is_needed(&markers, &[])));
        assert_eq!(parsed.problems.len(), 2, "{:?}", parsed.problems);
        assert!(
            parsed.problems[1].contains("`other` is kept as needed"),
            "{:?}",
            parsed.problems
        );
    }
}
