//! `pkgm logout`: deletes the saved session token.

use std::process::ExitCode;

use crate::effects::session_file::{remove_session, session_path};

use super::print;

pub fn run() -> anyhow::Result<ExitCode> {
    let path = session_path()?;
    if remove_session(&path)? {
        print("Logged out.\n")?;
    } else {
        print("Nobody was logged in.\n")?;
    }
    Ok(ExitCode::SUCCESS)
}
