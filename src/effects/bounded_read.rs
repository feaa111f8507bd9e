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
}

impl BoundedReadError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Reads at most `limit` bytes; a longer file is an error, not a truncation.
pub fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, BoundedReadError> {
    let io = |error| BoundedReadError::Io {
        path: path.to_path_buf(),
        error,
    };
    let file = std::fs::File::open(path).map_err(io)?;
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
