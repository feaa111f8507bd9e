//! What is installed in an environment, as values: distributions read from `*.dist-info`
//! and the facts about the interpreter that planning needs. Reading the disk is `effects`' job.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::{MarkerEnvironment, Requirement};
use serde::{Deserialize, Serialize};

use super::names::{parse_package_name, PackageName};

/// One installed distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledDist {
    pub name: PackageName,
    pub version: Version,
    /// `Requires-Dist` entries; markers are evaluated at planning time.
    pub requires: Vec<Requirement>,
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
    /// The interpreter's other site folders (`site.getsitepackages()`), such as Debian's
    /// `/usr/lib/python3/dist-packages`: read for planning, never installed into.
    #[serde(default)]
    pub site_dirs: Vec<PathBuf>,
    pub markers: MarkerEnvironment,
}

impl InterpreterInfo {
    /// The folders that hold distributions, without duplicates.
    pub fn site_packages(&self) -> Vec<PathBuf> {
        let mut folders: Vec<PathBuf> = Vec::new();
        for folder in [&self.purelib, &self.platlib]
            .into_iter()
            .chain(&self.site_dirs)
        {
            if !folders.contains(folder) {
                folders.push(folder.clone());
            }
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

/// Parses the header block of a core-metadata file (`METADATA` / `PKG-INFO`).
///
/// Unparseable `Requires-Dist` lines are skipped and returned separately so the caller can
/// warn: one odd dependency line must not make a whole environment unreadable.
pub fn parse_metadata(text: &str) -> Result<(InstalledDist, Vec<String>), MetadataError> {
    let mut name = None;
    let mut version = None;
    let mut requires = Vec::new();
    let mut skipped = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break; // the body (long description) follows the first blank line
        }
        let Some((header, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match header {
            "Name" => name = Some(value),
            "Version" => version = Some(value),
            "Requires-Dist" => match Requirement::from_str(value) {
                Ok(requirement) => requires.push(requirement),
                Err(_) => skipped.push(value.to_string()),
            },
            _ => {}
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
    Ok((
        InstalledDist {
            name,
            version,
            requires,
        },
        skipped,
    ))
}

/// Turns a legacy `*.egg-info/requires.txt` into `Requires-Dist`-style requirements:
/// `[extra]`, `[:marker]` and `[extra:marker]` sections become markers. Unparseable lines
/// are returned separately.
pub fn parse_requires_txt(text: &str) -> (Vec<Requirement>, Vec<String>) {
    let mut requirements = Vec::new();
    let mut skipped = Vec::new();
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
        match Requirement::from_str(&text) {
            Ok(requirement) => requirements.push(requirement),
            Err(_) => skipped.push(line.to_string()),
        }
    }
    (requirements, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let (requirements, skipped) = parse_requires_txt(text);
        let rendered: Vec<String> = requirements.iter().map(ToString::to_string).collect();
        assert_eq!(rendered.len(), 4, "{rendered:?}");
        assert_eq!(rendered[0], "six>=1.0");
        assert!(rendered[1].contains("extra == 'socks'"), "{rendered:?}");
        assert!(
            rendered[2].contains("python_full_version < '3'"),
            "{rendered:?}"
        );
        assert!(rendered[3].contains("extra == 'security'"), "{rendered:?}");
        assert!(
            rendered[3].contains("sys_platform == 'win32'"),
            "{rendered:?}"
        );
        assert_eq!(skipped, ["???"]);
    }

    #[test]
    fn metadata_headers_are_read_until_the_body() {
        let text = "Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.3\n\
                    Requires-Dist: Werkzeug>=3.0.0\n\
                    Requires-Dist: asgiref>=3.2; extra == \"async\"\n\n\
                    Requires-Dist: not-a-header-in-the-body\n";
        let (dist, skipped) = parse_metadata(text).unwrap();
        assert_eq!(dist.name.as_ref(), "flask");
        assert_eq!(dist.version.to_string(), "3.0.3");
        assert_eq!(dist.requires.len(), 2);
        assert!(skipped.is_empty());
    }

    #[test]
    fn broken_metadata_is_reported() {
        assert_eq!(
            parse_metadata("Version: 1\n").unwrap_err(),
            MetadataError::MissingHeader("Name")
        );
        assert!(parse_metadata("Name: x\nVersion: banana\n").is_err());
        let (_, skipped) = parse_metadata("Name: x\nVersion: 1\nRequires-Dist: ???\n").unwrap();
        assert_eq!(skipped, vec!["???".to_string()]);
    }
}
