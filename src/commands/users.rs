//! `pkgm users list` (admin) and `pkgm users show NAME` (yourself, or anyone as admin).
//! Shows names, emails, roles and lock state; never a password hash.

use std::process::ExitCode;

use anyhow::Context;
use serde_json::{json, Value};

use crate::cli::{OutputFormat, UsersArgs, UsersCommand};
use crate::core::account::Account;
use crate::core::lockout::LOCKOUT;
use crate::core::roles::{authorize, Action};
use crate::core::user_spec::UserName;
use crate::render;

use super::{now_ms, print, print_json, Settings};
use crate::app::session_gate::require_session;
use crate::app::state_store::existing_store;

pub fn run(settings: &Settings, args: &UsersArgs) -> anyhow::Result<ExitCode> {
    let store = existing_store(&settings.state)?;
    let now = now_ms();
    match &args.command {
        UsersCommand::List(output) => {
            require_session(&store, Action::UsersList, now)?;
            let accounts = store.accounts()?;
            match output.output {
                OutputFormat::Json => print_json(&json!(accounts
                    .iter()
                    .map(|account| account_json(account, now))
                    .collect::<Vec<_>>()))?,
                OutputFormat::Text => print(&list_text(&accounts, now))?,
            }
        }
        UsersCommand::Show(show) => {
            let name = UserName::parse(&show.name).map_err(|message| anyhow::anyhow!(message))?;
            let actor = require_session(&store, Action::ShowSelf, now)?.account;
            if actor.name != name {
                authorize(&actor.name, actor.role, Action::ShowOther)?;
            }
            let account = store
                .account(&name)?
                .with_context(|| format!("there is no user `{name}`"))?;
            match show.output.output {
                OutputFormat::Json => print_json(&account_json(&account, now))?,
                OutputFormat::Text => print(&show_text(&account, now))?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn status(account: &Account, now: i64) -> String {
    match account.locked_until_ms {
        Some(until) if LOCKOUT.is_locked(Some(until), now) => {
            format!("locked until {}", render::timestamp(until))
        }
        _ => "active".into(),
    }
}

fn account_json(account: &Account, now: i64) -> Value {
    let locked_until = account
        .locked_until_ms
        .filter(|until| LOCKOUT.is_locked(Some(*until), now))
        .map(render::timestamp);
    json!({
        "name": account.name.as_str(),
        "email": account.email.as_str(),
        "role": account.role,
        "locked_until": locked_until,
        "created_at": render::timestamp(account.created_at_ms),
        "updated_at": render::timestamp(account.updated_at_ms),
    })
}

fn list_text(accounts: &[Account], now: i64) -> String {
    if accounts.is_empty() {
        return "No accounts.\n".into();
    }
    let rows: Vec<[String; 4]> = accounts
        .iter()
        .map(|account| {
            [
                account.name.to_string(),
                account.role.to_string(),
                account.email.as_str().to_string(),
                status(account, now),
            ]
        })
        .collect();
    let width = |column: usize| {
        rows.iter()
            .map(|row| row[column].chars().count())
            .chain([["NAME", "ROLE", "EMAIL"][column].len()])
            .max()
            .unwrap_or(0)
    };
    let (name, role, email) = (width(0), width(1), width(2));
    let mut text = format!(
        "{:name$}  {:role$}  {:email$}  STATUS\n",
        "NAME", "ROLE", "EMAIL"
    );
    for [n, r, e, s] in &rows {
        text.push_str(&format!("{n:name$}  {r:role$}  {e:email$}  {s}\n"));
    }
    text
}

fn show_text(account: &Account, now: i64) -> String {
    format!(
        "name     {}\nemail    {}\nrole     {}\nstatus   {}\ncreated  {}\nupdated  {}\n",
        account.name,
        account.email.as_str(),
        account.role,
        status(account, now),
        render::timestamp(account.created_at_ms),
        render::timestamp(account.updated_at_ms),
    )
}
