//! `pkgm login`: checks a password against the store and saves a session token.
//!
//! An unknown user, a wrong password and a locked account are one failure: same message,
//! same exit code, and the same time (see `effects::password::verify_login`).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::cli::LoginArgs;
use crate::core::lockout::{LoginOutcome, LOCKOUT};
use crate::core::session::{issue, SessionClaims, MAX_TTL_SECS};
use crate::core::user_spec::UserName;
use crate::effects::password::{hash_password, verify_login};
use crate::effects::password_input::{prompt_password, read_password_line};
use crate::effects::session_file::{session_path, write_session};
use crate::effects::store::Store;
use crate::render;

use super::{now_ms, print, Settings};

const REFUSED: &str = "login failed: unknown user or wrong password, or the account is locked\n\
                       hint: after 5 failed logins within 15 minutes an account is locked for 15 minutes";

pub fn run(settings: &Settings, args: &LoginArgs) -> anyhow::Result<ExitCode> {
    let name = user_name(args.user.as_deref())?;
    let ttl_secs = ttl_seconds(args.ttl)?;
    let password = if args.password_stdin {
        read_password_line(std::io::stdin().lock())?
    } else {
        prompt_password(&format!("password for `{name}`: "))?
    };
    let store = Store::open(&settings.state)?;
    let found = store.password_verifier(&name)?;
    let now = now_ms();
    // A locked account's own hash is not even tried: the attempt costs what any failure does.
    let checked = match store.locked_until(&name)? {
        Some(until) if until > now => None,
        _ => found.as_ref().map(|(_, hash)| hash.as_str()),
    };
    let matches = verify_login(&password, checked, store.heaviest_password_cost()?);
    let outcome = store.settle_login(&name, matches, &LOCKOUT, now)?;
    let (account, verifier) = match (outcome, found) {
        (LoginOutcome::Accepted, Some(found)) => found,
        _ => bail!(REFUSED),
    };
    if let Ok(current) = crate::core::user_spec::PasswordHash::parse(&verifier) {
        if current.cost().is_below_current() {
            // The password is known to be right only now, so this is the moment to re-hash.
            let stronger = hash_password(&password)?;
            store.replace_verifier(&name, &verifier, &stronger)?;
            tracing::info!("re-hashed the password of `{name}` with the current parameters");
        }
    }
    let key = store.session_key(now)?;
    let claims = SessionClaims::new(&account, now, ttl_secs);
    let token = issue(&key, &claims)?;
    let path = session_path()?;
    write_session(&path, &token)?;
    print(&format!(
        "Logged in as `{name}` ({}) until {}.\n",
        account.role,
        render::timestamp(claims.exp * 1000)
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `--user`, or the login name of whoever runs pkgm.
fn user_name(given: Option<&str>) -> anyhow::Result<UserName> {
    let text = match given {
        Some(text) => text.to_string(),
        None => std::env::var("USER")
            .ok()
            .context("no user given and `$USER` is not set\nhint: pass `--user NAME`")?,
    };
    UserName::parse(&text).map_err(|message| anyhow::anyhow!(message))
}

fn ttl_seconds(ttl: Duration) -> anyhow::Result<i64> {
    let seconds = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    if !(1..=MAX_TTL_SECS).contains(&seconds) {
        bail!(
            "`--ttl` must be between 1s and 24h\n\
             hint: log in again when a session ends rather than keeping one alive for days"
        );
    }
    Ok(seconds)
}
