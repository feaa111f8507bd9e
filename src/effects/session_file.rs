//! The session token on disk: `$XDG_CONFIG_HOME/pkgm/session` (default
//! `~/.config/pkgm/session`), written atomically with mode 0600 in a 0700 folder.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::private_dir::create_private_dir_all;

/// Tokens are a few hundred bytes; anything much larger is not ours.
const MAX_TOKEN_BYTES: u64 = 8 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SessionFileError {
    #[error("cannot find the config folder: neither XDG_CONFIG_HOME nor HOME is set to an absolute path")]
    NoConfigFolder,
    #[error("cannot {action} the session file `{path}`: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the session file `{path}` can be read by other users (mode {mode:o})\n\
         hint: run `pkgm logout`, then `pkgm login` again"
    )]
    Exposed { path: PathBuf, mode: u32 },
}

/// Where the session token lives for this user.
pub fn session_path() -> Result<PathBuf, SessionFileError> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    absolute("XDG_CONFIG_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".config")))
        .map(|config| config.join("pkgm").join("session"))
        .ok_or(SessionFileError::NoConfigFolder)
}

/// The stored token, or `None` when nobody is logged in. Refuses a file others can read.
pub fn read_session(path: &Path) -> Result<Option<String>, SessionFileError> {
    let io = |source| SessionFileError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(io(err)),
    };
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SessionFileError::Exposed {
            path: path.to_path_buf(),
            mode,
        });
    }
    if metadata.len() > MAX_TOKEN_BYTES {
        return Ok(Some(String::new()));
    }
    let bytes =
        super::bounded_read::read_bounded(path, MAX_TOKEN_BYTES as usize).map_err(|err| {
            io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                err.to_string(),
            ))
        })?;
    Ok(Some(String::from_utf8_lossy(&bytes).trim().to_string()))
}

/// Replaces the token atomically: a temporary file with mode 0600, then a rename.
pub fn write_session(path: &Path, token: &str) -> Result<(), SessionFileError> {
    let io = |action, source| SessionFileError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    let folder = path.parent().unwrap_or(Path::new("."));
    create_private_dir_all(folder).map_err(|err| io("create the folder of", err))?;
    // tempfile creates with mode 0600 on Unix.
    let mut file = tempfile::NamedTempFile::new_in(folder).map_err(|err| io("write", err))?;
    file.write_all(token.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.as_file().sync_all())
        .map_err(|err| io("write", err))?;
    file.persist(path).map_err(|err| io("write", err.error))?;
    Ok(())
}

/// Deletes the token; `false` when there was none.
pub fn remove_session(path: &Path) -> Result<bool, SessionFileError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(SessionFileError::Io {
            action: "delete",
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_written_private_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config/pkgm/session");
        assert_eq!(read_session(&path).unwrap(), None);
        write_session(&path, "a.b.c").unwrap();
        write_session(&path, "d.e.f").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let folder_mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(folder_mode, 0o700);
        assert_eq!(read_session(&path).unwrap().as_deref(), Some("d.e.f"));
        assert!(remove_session(&path).unwrap());
        assert!(!remove_session(&path).unwrap());
    }

    #[test]
    fn a_session_file_others_can_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session");
        write_session(&path, "a.b.c").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_session(&path).unwrap_err();
        assert!(err.to_string().contains("mode 644"), "{err}");
    }
}
