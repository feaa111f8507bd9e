//! Folders for secrets (keys, sessions, the trust file beside them): created 0700.

use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

/// Creates `path` and any missing parents with mode 0700 (before the umask); folders that
/// already exist keep their mode.
pub fn create_private_dir_all(path: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn every_folder_it_creates_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let leaf = dir.path().join("config/pkgm/keys");
        create_private_dir_all(&leaf).unwrap();
        for folder in [
            dir.path().join("config"),
            dir.path().join("config/pkgm"),
            leaf,
        ] {
            let mode = std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o077, 0, "{}: {mode:o}", folder.display());
        }
    }
}
