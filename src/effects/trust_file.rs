//! Finding and reading the trust file: `--trust`, `PKGM_TRUST`, or
//! `$XDG_CONFIG_HOME/pkgm/trust.toml` — never the manifest's folder, which whoever controls
//! the manifest repository also controls.

use std::path::{Path, PathBuf};

use crate::core::trust::{TrustError, TrustStore};

use super::bounded_read::{read_protected, BoundedReadError};

pub const MAX_TRUST_FILE_BYTES: usize = 1024 * 1024;
pub const MAX_KEY_FILE_BYTES: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum TrustFileError {
    #[error(transparent)]
    Read(#[from] BoundedReadError),
    #[error("the trust file `{path}` is not UTF-8")]
    NotText { path: PathBuf },
    #[error("the trust file `{path}`: {problem}")]
    Invalid { path: PathBuf, problem: TrustError },
}

/// Where the trust file is, and whether the operator named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustLocation {
    /// From `--trust` or `PKGM_TRUST`: it must exist.
    Named(PathBuf),
    /// The per-user default: it may be missing.
    Default(PathBuf),
    /// Neither a name nor a home folder.
    Nowhere,
}

impl TrustLocation {
    pub fn find(named: Option<&Path>) -> Self {
        match (named, config_dir()) {
            (Some(path), _) => Self::Named(path.to_path_buf()),
            (None, Some(config)) => Self::Default(config.join("pkgm").join("trust.toml")),
            (None, None) => Self::Nowhere,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Named(path) | Self::Default(path) => Some(path),
            Self::Nowhere => None,
        }
    }
}

/// `$XDG_CONFIG_HOME`, or `~/.config`.
pub fn config_dir() -> Option<PathBuf> {
    let absolute =
        |value: std::ffi::OsString| Some(PathBuf::from(value)).filter(|p| p.is_absolute());
    std::env::var_os("XDG_CONFIG_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|home| home.join(".config"))
        })
}

/// Loads a trust file; relative key paths are relative to the trust file's folder.
pub fn load_trust_file(path: &Path) -> Result<TrustStore, TrustFileError> {
    let bytes = read_protected(path, MAX_TRUST_FILE_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|_| TrustFileError::NotText {
        path: path.to_path_buf(),
    })?;
    let folder = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut read_key = |key: &Path| {
        read_protected(&folder.join(key), MAX_KEY_FILE_BYTES).map_err(|err| err.to_string())
    };
    TrustStore::parse(&text, &mut read_key).map_err(|problem| TrustFileError::Invalid {
        path: path.to_path_buf(),
        problem,
    })
}
