//! The validated manifest model. Parsing lives in `manifest_parse`; this file holds only values.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::names::{ManifestName, PackageName};
use super::package_spec::PackageDecl;
use super::user_spec::{UserDecl, UserName};

/// Which installer drives the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InstallerKind {
    Pip,
    Uv,
}

impl InstallerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pip => "pip",
            Self::Uv => "uv",
        }
    }
}

/// The Python the manifest manages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A virtual environment at this path (relative to the manifest's folder), created when missing.
    Venv(PathBuf),
    /// An existing interpreter, managed in place.
    Interpreter(PathBuf),
}

/// `environment:` — where packages go and how they get there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentSpec {
    pub target: Target,
    pub installer: InstallerKind,
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub find_links: Vec<String>,
    pub no_index: bool,
    pub prune: bool,
    pub protected: Vec<PackageName>,
    /// `PIP_*` / `UV_*` variables the installer may see; all others are removed.
    pub pass_env: Vec<String>,
}

impl EnvironmentSpec {
    /// Resolves the relative paths of the manifest against the folder holding it.
    pub fn resolved(&self, manifest_dir: &Path) -> Self {
        // `.` components go (`./.venv` reads as `.venv`); `..` stays, since it may cross a link.
        let join = |path: &Path| {
            let joined = if path.is_absolute() {
                path.to_path_buf()
            } else {
                manifest_dir.join(path)
            };
            joined
                .components()
                .filter(|part| !matches!(part, std::path::Component::CurDir))
                .collect::<PathBuf>()
        };
        let target = match &self.target {
            Target::Venv(path) => Target::Venv(join(path)),
            Target::Interpreter(path) if path.components().count() > 1 => {
                Target::Interpreter(join(path))
            }
            Target::Interpreter(path) => Target::Interpreter(path.clone()),
        };
        let find_links = self
            .find_links
            .iter()
            .map(|link| {
                if link.contains("://") {
                    link.clone()
                } else {
                    join(Path::new(link)).to_string_lossy().into_owned()
                }
            })
            .collect();
        Self {
            target,
            find_links,
            ..self.clone()
        }
    }

    /// An environment that only names an interpreter (for commands given `--python`).
    pub fn for_interpreter(python: PathBuf) -> Self {
        Self {
            target: Target::Interpreter(python),
            installer: InstallerKind::Pip,
            index_url: None,
            extra_index_urls: Vec::new(),
            find_links: Vec::new(),
            no_index: false,
            prune: false,
            protected: Vec::new(),
            pass_env: Vec::new(),
        }
    }

    pub fn is_protected(&self, name: &PackageName) -> bool {
        name.as_ref() == "pip" || self.protected.contains(name)
    }
}

/// A parsed and validated manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub name: ManifestName,
    pub revision: u64,
    pub environment: EnvironmentSpec,
    pub packages: BTreeMap<PackageName, PackageDecl>,
    pub users: BTreeMap<UserName, UserDecl>,
    /// Whether the manifest has a `users:` section at all (an empty one counts).
    pub declares_users: bool,
}

/// The file formats a manifest can be written in, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestFormat {
    Yaml,
    Toml,
}

impl ManifestFormat {
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            "yaml" | "yml" => Some(Self::Yaml),
            "toml" => Some(Self::Toml),
            _ => None,
        }
    }
}

/// The largest manifest accepted; larger files are refused before parsing.
pub const MAX_MANIFEST_BYTES: usize = 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolved_paths_lose_their_dot_components() {
        let spec = EnvironmentSpec {
            target: Target::Venv(PathBuf::from("./.venv")),
            find_links: vec!["./wheels".into(), "https://example.com/./x".into()],
            ..EnvironmentSpec::for_interpreter(PathBuf::from("python3"))
        };
        let resolved = spec.resolved(Path::new("/srv/./demo"));
        assert_eq!(
            resolved.target,
            Target::Venv(PathBuf::from("/srv/demo/.venv"))
        );
        assert_eq!(
            resolved.find_links,
            ["/srv/demo/wheels", "https://example.com/./x"]
        );
    }
}
