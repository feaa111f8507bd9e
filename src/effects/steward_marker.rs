//! The marker inside a venv naming the manifest and the state that manage it
//! (`pkgm-managed.json`), so that another state, or a hand-run `pip` from another
//! account's pkgm, is told whose environment it is.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::core::stewardship::Steward;

use super::bounded_read::read_bounded;
use super::replace_file::replace_file;

pub const MARKER_FILE: &str = "pkgm-managed.json";
const MAX_MARKER_BYTES: usize = 16 * 1024;

pub fn marker_path(venv: &Path) -> PathBuf {
    venv.join(MARKER_FILE)
}

/// The venv's marker; `None` when there is none (a venv pkgm has not applied to yet).
pub fn read_marker(venv: &Path) -> anyhow::Result<Option<Steward>> {
    let path = marker_path(venv);
    let bytes = match read_bounded(&path, MAX_MARKER_BYTES) {
        Ok(bytes) => bytes,
        Err(error) if error.is_not_found() => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    serde_json::from_slice(&bytes).map(Some).with_context(|| {
        format!(
            "`{}` is not pkgm's marker\nhint: remove it, then run `pkgm apply` with the state \
             that should manage this environment",
            path.display()
        )
    })
}

/// Writes the marker in one rename (readable by all: it names, it does not grant).
pub fn write_marker(venv: &Path, steward: &Steward) -> anyhow::Result<()> {
    let mut text = serde_json::to_vec_pretty(steward)?;
    text.push(b'\n');
    replace_file(
        &marker_path(venv),
        &text,
        std::fs::Permissions::from_mode(0o644),
    )
    .with_context(|| format!("cannot write `{}`", marker_path(venv).display()))
}
