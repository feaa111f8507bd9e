//! `MANIFEST.sig` beside a manifest: reading it (size-capped) and writing it atomically.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::core::trust::MAX_SIGNATURE_BYTES;

use super::bounded_read::{read_bounded, BoundedReadError};

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
pub fn write_signature(path: &Path, token: &str) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(folder)?;
    file.write_all(token.as_bytes())?;
    file.write_all(b"\n")?;
    // A signature is public; the temporary file's 0600 would only get in the way.
    file.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|err| err.error)?;
    Ok(())
}
