//! Declared users against stored accounts: the user half of the plan, and the rule that a
//! plan may not leave a store that had an admin without one.

use std::collections::BTreeMap;

use super::account::Account;
use super::plan::{UserAction, UserChange};
use super::user_spec::{Role, UserDecl, UserName};

/// The fields a new account gets; the hash shows as `password`, never as itself.
const CREATE_FIELDS: [&str; 3] = ["email", "role", "password"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refusing a plan that leaves no admin: it deletes or demotes {}\n\
     hint: keep at least one user with `role: admin` (declare the new admin before removing the old one)",
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
)]
pub struct LastAdminError {
    pub names: Vec<UserName>,
}

/// What must change so the store holds exactly the declared accounts. Accounts the manifest
/// does not mention are left alone: only `absent` deletes.
pub fn plan_users(
    declared: &BTreeMap<UserName, UserDecl>,
    stored: &[Account],
) -> Result<Vec<UserChange>, LastAdminError> {
    let by_name: BTreeMap<&UserName, &Account> = stored
        .iter()
        .map(|account| (&account.name, account))
        .collect();
    let mut changes = Vec::new();
    for (name, decl) in declared {
        let current = by_name.get(name);
        let change = match (decl, current) {
            (UserDecl::Present(_), None) => Some((UserAction::Create, CREATE_FIELDS.to_vec())),
            (UserDecl::Present(wanted), Some(account)) => {
                let mut fields = Vec::new();
                if wanted.email != account.email {
                    fields.push("email");
                }
                if wanted.role != account.role {
                    fields.push("role");
                }
                if wanted.password_hash.digest() != account.declared_digest {
                    fields.push("password");
                }
                (!fields.is_empty()).then_some((UserAction::Update, fields))
            }
            (UserDecl::Absent, Some(_)) => Some((UserAction::Delete, Vec::new())),
            (UserDecl::Absent, None) => None,
        };
        if let Some((action, fields)) = change {
            changes.push(UserChange {
                action,
                name: name.clone(),
                fields,
            });
        }
    }
    check_an_admin_remains(declared, stored)?;
    Ok(changes)
}

fn check_an_admin_remains(
    declared: &BTreeMap<UserName, UserDecl>,
    stored: &[Account],
) -> Result<(), LastAdminError> {
    let role_after = |account: &Account| match declared.get(&account.name) {
        None => Some(account.role),
        Some(UserDecl::Present(wanted)) => Some(wanted.role),
        Some(UserDecl::Absent) => None,
    };
    let admins_before: Vec<&Account> = stored
        .iter()
        .filter(|account| account.role == Role::Admin)
        .collect();
    let new_admins = declared.iter().any(|(name, decl)| {
        matches!(decl, UserDecl::Present(wanted) if wanted.role == Role::Admin)
            && !stored.iter().any(|account| &account.name == name)
    });
    let admins_kept = stored
        .iter()
        .any(|account| role_after(account) == Some(Role::Admin));
    if admins_before.is_empty() || admins_kept || new_admins {
        return Ok(());
    }
    Err(LastAdminError {
        names: admins_before
            .iter()
            .map(|account| account.name.clone())
            .collect(),
    })
}

#[cfg(test)]
#[path = "user_planner_tests.rs"]
mod tests;
