//! Signing a manifest file with a key file: the step `sign` and `init` share.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};

use crate::core::trust::scope::{scope_list, sections_of, ScopeSet};
use crate::core::trust::sign::{sign, SignRequest};
use crate::core::trust::trust_store::check_kid;
use crate::effects::keys::SigningKey;
use crate::effects::signature_file::{signature_path, write_signature};

use super::manifest_file::ManifestFile;

/// What was signed, for the report.
pub struct Signed {
    pub request: SignRequest,
    pub signature_path: PathBuf,
}

/// A signature made in memory, not yet written: `sign` checks it first.
pub struct Prepared {
    pub request: SignRequest,
    pub token: String,
    pub manifest_bytes: Vec<u8>,
    /// Warnings found while signing (a section `--scope` leaves out).
    pub warnings: Vec<String>,
    pub signature_path: PathBuf,
}

impl Prepared {
    /// Writes `MANIFEST.sig`.
    pub fn write(self) -> anyhow::Result<Signed> {
        write_signature(&self.signature_path, &self.token)
            .with_context(|| format!("cannot write `{}`", self.signature_path.display()))?;
        Ok(Signed {
            request: self.request,
            signature_path: self.signature_path,
        })
    }
}

/// Signs the manifest at `path` and writes `path.sig`. `scopes` empty means the sections
/// the manifest has.
pub fn sign_manifest_file(
    path: &Path,
    key: &SigningKey,
    kid: &str,
    expires: Duration,
    scopes: ScopeSet,
    now: i64,
) -> anyhow::Result<Signed> {
    let prepared = prepare_signature(path, key, kid, expires, scopes, now)?;
    for warning in &prepared.warnings {
        tracing::warn!("{warning}");
    }
    prepared.write()
}

/// Signs the manifest at `path` in memory.
pub fn prepare_signature(
    path: &Path,
    key: &SigningKey,
    kid: &str,
    expires: Duration,
    scopes: ScopeSet,
    now: i64,
) -> anyhow::Result<Prepared> {
    if let Err(problem) = check_kid(kid) {
        bail!("`--kid {}`: {problem}", kid.escape_debug());
    }
    let lifetime = i64::try_from(expires.as_secs()).unwrap_or(i64::MAX);
    if lifetime <= 0 {
        bail!("`--expires` must be at least one second\nhint: the default is 30d");
    }
    let file = ManifestFile::from_bytes(path, ManifestFile::read_bytes(path)?)?;
    let sections = sections_of(&file.manifest);
    let uncovered: ScopeSet = sections.difference(&scopes).copied().collect();
    let mut warnings = Vec::new();
    if !scopes.is_empty() && !uncovered.is_empty() {
        warnings.push(format!(
            "the manifest has {} but `--scope` leaves it out: apply refuses this signature \
             whenever the manifest changes {}",
            scope_list(&uncovered),
            scope_list(&uncovered),
        ));
    }
    let scopes = if scopes.is_empty() { sections } else { scopes };
    let request = SignRequest {
        kid: kid.to_string(),
        issuer: kid.to_string(),
        name: file.manifest.name.to_string(),
        revision: file.manifest.revision,
        sha256: file.sha256.clone(),
        len: file.bytes.len() as u64,
        issued_at: now,
        expires_at: now.saturating_add(lifetime),
        scopes,
    };
    let token = sign(&request, key.algorithm, &key.key)?;
    Ok(Prepared {
        request,
        token,
        manifest_bytes: file.bytes.clone(),
        warnings,
        signature_path: signature_path(path),
    })
}
