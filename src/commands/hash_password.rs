//! `pkgm hash-password`: reads a password (twice, without echo, or one line from stdin) and
//! prints its argon2id PHC string for a manifest's `password_hash`. Never prints the password.

use std::process::ExitCode;

use anyhow::bail;

use crate::cli::HashPasswordArgs;
use crate::effects::password::hash_password;
use crate::effects::password_input::{prompt_password, read_password_line};

use super::print;

/// NIST SP 800-63B's minimum for passwords people choose.
const MIN_PASSWORD_CHARS: usize = 8;

pub fn run(args: &HashPasswordArgs) -> anyhow::Result<ExitCode> {
    let password = if args.password_stdin {
        read_password_line(std::io::stdin().lock())?
    } else {
        let first = prompt_password("new password: ")?;
        let second = prompt_password("repeat it: ")?;
        if first != second {
            bail!("the two passwords differ; nothing was printed");
        }
        first
    };
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!(
            "the password is shorter than {MIN_PASSWORD_CHARS} characters\n\
             hint: a long passphrase of several words is easier to remember and harder to guess"
        );
    }
    let hash = hash_password(&password)?;
    print(&format!("{}\n", hash.expose()))?;
    Ok(ExitCode::SUCCESS)
}
