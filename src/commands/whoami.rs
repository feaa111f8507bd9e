//! `pkgm whoami`: the logged-in account, its current role, and when the session ends.

use std::process::ExitCode;

use serde_json::json;

use crate::cli::{OutputArgs, OutputFormat};
use crate::core::roles::Action;
use crate::render;

use super::{now_ms, print, print_json, Settings};
use crate::app::session_gate::require_session;
use crate::app::state_store::existing_store;

pub fn run(settings: &Settings, args: &OutputArgs) -> anyhow::Result<ExitCode> {
    let store = existing_store(&settings.state)?;
    let actor = require_session(&store, Action::Whoami, now_ms())?;
    let expires_at = render::timestamp(actor.claims.exp * 1000);
    let account = &actor.account;
    match args.output {
        OutputFormat::Json => print_json(&json!({
            "name": account.name.as_str(),
            "email": account.email.as_str(),
            "role": account.role,
            "expires_at": expires_at,
        }))?,
        OutputFormat::Text => print(&format!(
            "{} ({}), session valid until {expires_at}\n",
            account.name, account.role
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}
