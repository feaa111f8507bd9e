//! Where the state lives when `--state` / `PKGM_STATE` do not say: one per user and machine,
//! never the working directory, because anti-rollback and history live there and must not
//! switch off with a `cd`.

use std::path::PathBuf;

/// Why no default state could be found.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot find a place for the state: neither XDG_STATE_HOME nor HOME is an absolute path\n\
     hint: pass `--state PATH` or set `PKGM_STATE`"
)]
pub struct NoStateLocation;

/// `$XDG_STATE_HOME/pkgm/state.db`; else `/var/lib/pkgm/state.db` for root; else
/// `~/.local/state/pkgm/state.db`.
pub fn default_state_path() -> Result<PathBuf, NoStateLocation> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    if let Some(state_home) = absolute("XDG_STATE_HOME") {
        return Ok(state_home.join("pkgm").join("state.db"));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        return Ok(PathBuf::from("/var/lib/pkgm/state.db"));
    }
    absolute("HOME")
        .map(|home| {
            home.join(".local")
                .join("state")
                .join("pkgm")
                .join("state.db")
        })
        .ok_or(NoStateLocation)
}
