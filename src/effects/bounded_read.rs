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
    let io = |error| BoundedReadError::Io {
        path: path.to_path_buf(),
        error,
    };
    let file = open_regular(path)?;
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
