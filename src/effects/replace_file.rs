//! Replacing a file in one rename, so a reader never sees it half-written: a temporary file
//! in the same folder, written, given its mode, synced, then renamed over the target (which
//! replaces a link at the target rather than writing through it).

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` in one rename, with `permissions`.
pub fn replace_file(
    path: &Path,
    bytes: &[u8],
    permissions: std::fs::Permissions,
) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(folder)?;
    file.write_all(bytes)?;
    file.as_file().set_permissions(permissions)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|err| err.error)?;
    Ok(())
}
