//! Reading a manifest file: size cap before reading, digest of the exact bytes, parsing,
//! and resolving its relative paths against its folder.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::core::trust::verify::hex;

use crate::core::manifest::{Manifest, MAX_MANIFEST_BYTES};
use crate::core::manifest_parse::parse_manifest;
use crate::effects::bounded_read::read_bounded;
use crate::render::ManifestHeader;

use super::authenticity::Authenticity;

/// A manifest as read from disk.
#[derive(Debug, Clone)]
pub struct ManifestFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// Hex SHA-256 of `bytes`.
    pub sha256: String,
    /// The parsed manifest, with paths resolved against the manifest's folder.
    pub manifest: Manifest,
}

impl ManifestFile {
    /// The exact bytes, refused unread past the size cap.
    pub fn read_bytes(path: &Path) -> anyhow::Result<Vec<u8>> {
        read_bounded(path, MAX_MANIFEST_BYTES)
            .with_context(|| format!("cannot read the manifest `{}`", path.display()))
    }

    /// Parses bytes already read (and, when signed, already verified).
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> anyhow::Result<Self> {
        let mut manifest = parse_manifest(path, &bytes)?;
        let folder = absolute_parent(path)?;
        manifest.environment = manifest.environment.resolved(&folder);
        let sha256 = sha256_hex(&bytes);
        Ok(Self {
            path: path.to_path_buf(),
            bytes,
            sha256,
            manifest,
        })
    }

    pub fn header(&self, authenticity: &Authenticity) -> ManifestHeader {
        ManifestHeader {
            signature: Some(authenticity.state()),
            name: self.manifest.name.to_string(),
            revision: self.manifest.revision,
            sha256: self.sha256.clone(),
            signed_by: authenticity.signed_by(),
        }
    }

    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
    }
}

pub fn absolute_parent(path: &Path) -> anyhow::Result<PathBuf> {
    let parent = path.parent().unwrap_or(Path::new(""));
    if parent.is_absolute() {
        return Ok(parent.to_path_buf());
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    Ok(cwd
        .join(parent)
        .components()
        .filter(|part| !matches!(part, std::path::Component::CurDir))
        .collect())
}

/// The SHA-256 of the exact bytes, as the signature's `sha256` claim spells it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}
