//! Reading a small file with a size cap, so an oversized file is refused before it is parsed
//! (or even read in full).

use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BoundedReadError {
    #[error("cannot read `{path}`: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "`{path}` is over its size limit (the limit is {limit} bytes); refused before parsing"
    )]
    TooLarge { path: PathBuf, limit: usize },
    #[error(
        "`{path}` is {kind}, not a regular file; refused unread\n\
         hint: point pkgm at the file itself"
    )]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("`{path}` {problem}; refused, since whoever can change it decides what pkgm trusts\nhint: {hint}")]
    Insecure {
        path: PathBuf,
        problem: String,
        hint: String,
    },
}

impl BoundedReadError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Opens a file for reading without ever blocking on it: non-blocking (a FIFO's open would
/// wait for a writer), then refused unless the opened file is a regular one.
pub fn open_regular(path: &Path) -> Result<std::fs::File, BoundedReadError> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let io = |error| BoundedReadError::Io {
        path: path.to_path_buf(),
        error,
    };
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .map_err(io)?;
    let kind = file.metadata().map_err(io)?.file_type();
    let kind = match () {
        _ if kind.is_file() => return Ok(file),
        _ if kind.is_fifo() => "a FIFO",
        _ if kind.is_dir() => "a folder",
        _ if kind.is_socket() => "a socket",
        _ if kind.is_char_device() || kind.is_block_device() => "a device",
        _ => "not a file",
    };
    Err(BoundedReadError::NotRegular {
        path: path.to_path_buf(),
        kind,
    })
}

/// Reads at most `limit` bytes; a longer file is an error, not a truncation.
pub fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, BoundedReadError> {
    read_open(path, open_regular(path)?, limit)
}

/// Like [`read_bounded`], for a file that decides what pkgm trusts (the trust file, a
/// public key): refused, as ssh refuses such files, when it or its folder may be changed
/// by anyone but its reader and root: another owner, or writable by others, or by a group
/// other than the reader's own (user private groups, umask 002, are the reader alone). A
/// folder with the sticky bit, like `/tmp`, protects the files in it.
pub fn read_protected(path: &Path, limit: usize) -> Result<Vec<u8>, BoundedReadError> {
    use std::os::unix::fs::MetadataExt;
    let file = open_regular(path)?;
    let io = |error| BoundedReadError::Io {
        path: path.to_path_buf(),
        error,
    };
    // The opened file's own status: a swap after the check cannot pass it.
    let metadata = file.metadata().map_err(io)?;
    let me = real_uid();
    let insecure = |problem: String, hint: String| BoundedReadError::Insecure {
        path: path.to_path_buf(),
        problem,
        hint,
    };
    if metadata.uid() != me && metadata.uid() != 0 {
        return Err(insecure(
            format!("belongs to another user (uid {})", metadata.uid()),
            "keep trust material in files you (or root) own: `cp` it and point pkgm at the copy"
                .into(),
        ));
    }
    if let Some(who) = writers(&metadata) {
        return Err(insecure(
            format!(
                "can be written by {who} (mode {:04o})",
                metadata.mode() & 0o7777
            ),
            format!("run `chmod go-w {}`", path.display()),
        ));
    }
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    if let Ok(folder_metadata) = std::fs::metadata(folder) {
        let writable = writers(&folder_metadata).is_some();
        let sticky = folder_metadata.mode() & 0o1000 != 0;
        let owner = folder_metadata.uid();
        if (writable && !sticky) || (owner != me && owner != 0) {
            return Err(insecure(
                format!(
                    "is in a folder others can change (`{}`, mode {:04o}, uid {owner})",
                    folder.display(),
                    folder_metadata.mode() & 0o7777
                ),
                format!(
                    "run `chmod go-w {}`, or move the file into a folder only you can write",
                    folder.display()
                ),
            ));
        }
    }
    read_open(path, file, limit)
}

/// Who besides the owner may write: anyone (`o+w`), or a group that is not the reader's
/// own primary group (`g+w`).
fn writers(metadata: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: getgid has no preconditions and cannot fail.
    let own_group = unsafe { libc::getgid() };
    match metadata.mode() {
        mode if mode & 0o002 != 0 => Some("anyone"),
        mode if mode & 0o020 != 0 && metadata.gid() != own_group => Some("its group"),
        _ => None,
    }
}

/// The real user id of this process.
fn real_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

fn read_open(path: &Path, file: std::fs::File, limit: usize) -> Result<Vec<u8>, BoundedReadError> {
    let io = |error| BoundedReadError::Io {
        path: path.to_path_buf(),
        error,
    };
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() > limit {
        return Err(BoundedReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}
