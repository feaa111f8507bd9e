//! `MANIFEST.sig` beside a manifest: reading it (size-capped) and writing it atomically.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::core::trust::MAX_SIGNATURE_BYTES;

use super::bounded_read::{read_bounded, BoundedReadError};
use super::replace_file::replace_file;

/// `pkgm.yaml` → `pkgm.yaml.sig`.
pub fn signature_path(manifest: &Path) -> PathBuf {
    let mut name = manifest.as_os_str().to_owned();
    name.push(".sig");
    PathBuf::from(name)
}

/// The token in a signature file, or `None` when there is no such file.
pub fn read_signature(path: &Path) -> Result<Option<String>, BoundedReadError> {
    match read_bounded(path, MAX_SIGNATURE_BYTES) {
        // Not UTF-8 cannot be a compact JWS; the lossy text fails its alphabet check.
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(err) if err.is_not_found() => Ok(None),
        Err(err) => Err(err),
    }
}

/// Replaces the signature file in one rename, so a reader never sees half a token.
/// A signature is public: 0644, not the temporary file's 0600.
pub fn write_signature(path: &Path, token: &str) -> std::io::Result<()> {
    let text = format!("{token}\n");
    replace_file(
        path,
        text.as_bytes(),
        std::fs::Permissions::from_mode(0o644),
    )
}
