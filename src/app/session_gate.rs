//! The check every session-gated command makes: a saved token with a valid signature, `typ`
//! and expiry, for an account that still exists with the same password, whose role *now*
//! (read from the store, never from the token) allows the command.

use anyhow::Context;

use crate::core::account::Account;
use crate::core::roles::{authorize, Action};
use crate::core::session::{check_account, verify, SessionClaims};
use crate::effects::session_file::{read_session, session_path};
use crate::effects::store::Store;

/// Who is acting, as of now.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account: Account,
    pub claims: SessionClaims,
}

/// The logged-in account, allowed to perform `action`, or why not.
pub fn require_session(store: &Store, action: Action, now_ms: i64) -> anyhow::Result<Actor> {
    let needs = || {
        format!(
            "`{}` needs a login session with the `{}` role or higher",
            action.command(),
            action.minimum_role()
        )
    };
    let actor = current_session(store, now_ms).with_context(needs)?;
    authorize(&actor.account.name, actor.account.role, action)?;
    Ok(actor)
}

fn current_session(store: &Store, now_ms: i64) -> anyhow::Result<Actor> {
    let path = session_path()?;
    let token = read_session(&path)?
        .with_context(|| "nobody is logged in\nhint: run `pkgm login --user NAME`".to_string())?;
    // A session belongs to the state it was made with: name the one in use.
    let other_state = || {
        format!(
            "the saved session was not made with the state `{}`\n\
             hint: log in with this state (`pkgm login`), or use the state you logged in with \
             (`--state` / PKGM_STATE)",
            store.path().display()
        )
    };
    let key = store.existing_session_key()?.with_context(other_state)?;
    let claims = match verify(&key, &token, now_ms) {
        Err(crate::core::session::SessionError::Invalid) => anyhow::bail!(other_state()),
        other => other?,
    };
    let name = claims.user_name()?;
    let account = store.account(&name)?;
    check_account(&claims, account.as_ref())?;
    let account = account.context("the account disappeared while its session was checked")?;
    Ok(Actor { account, claims })
}
