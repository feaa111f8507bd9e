//! Whether a manifest may be used: signed by a trusted key, or explicitly allowed unsigned.

use super::manifest_file::ManifestFile;

/// How a manifest was accepted.
#[allow(dead_code)] // `Signed` is constructed once signature verification lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authenticity {
    Signed { kid: String },
    Unsigned,
}

impl Authenticity {
    pub fn signed_by(&self) -> Option<String> {
        match self {
            Self::Signed { kid } => Some(kid.clone()),
            Self::Unsigned => None,
        }
    }
}

/// Accepts a manifest, or refuses it with what to do.
pub fn authenticate(file: &ManifestFile, allow_unsigned: bool) -> anyhow::Result<Authenticity> {
    if allow_unsigned {
        tracing::warn!(
            "using the unsigned manifest `{}` (--allow-unsigned); the run is recorded as unsigned",
            file.path.display()
        );
        return Ok(Authenticity::Unsigned);
    }
    anyhow::bail!(
        "refusing the manifest `{}`: pkgm only applies manifests signed by a trusted key\n\
         hint: for a local experiment, pass `--allow-unsigned` (the run is recorded as unsigned)",
        file.path.display()
    )
}
