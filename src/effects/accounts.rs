//! Accounts in the state database: reading them, and writing a manifest's user changes in one
//! transaction (all or none). The verifier hash is read only by `password_verifier`.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::core::account::Account;
use crate::core::plan::{UserAction, UserChange};
use crate::core::user_planner::{plan_users, LastAdminError};
use crate::core::user_spec::{Email, Role, UserDecl, UserName, UserWanted};

use super::store::{Store, StoreError};

/// Added in schema version 2; every statement is idempotent.
pub(crate) const ACCOUNTS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    declared_digest TEXT NOT NULL,
    credential_epoch INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (name TEXT NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS login_failures_by_name ON login_failures (name, at_ms);
CREATE TABLE IF NOT EXISTS lockouts (name TEXT PRIMARY KEY, locked_until_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (
    purpose TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    created_at_ms INTEGER NOT NULL
);
";

const SELECT_ACCOUNTS: &str = "
SELECT a.id, a.name, a.email, a.role, a.declared_digest, a.credential_epoch,
       a.created_at_ms, a.updated_at_ms, l.locked_until_ms
FROM accounts a LEFT JOIN lockouts l ON l.name = a.name";

#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    LastAdmin(#[from] LastAdminError),
}

impl Store {
    /// Every account, by name.
    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let sql = format!("{SELECT_ACCOUNTS} ORDER BY a.name");
        let mut statement = self.connection().prepare(&sql).map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map([], read_account)
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    pub fn account(&self, name: &UserName) -> Result<Option<Account>, StoreError> {
        let sql = format!("{SELECT_ACCOUNTS} WHERE a.name = ?1");
        self.connection()
            .query_row(&sql, params![name.as_str()], read_account)
            .optional()
            .map_err(|e| self.fail(e))
    }

    pub fn has_accounts(&self) -> Result<bool, StoreError> {
        self.connection()
            .query_row("SELECT EXISTS (SELECT 1 FROM accounts)", [], |row| {
                row.get(0)
            })
            .map_err(|e| self.fail(e))
    }

    /// The account and the PHC string its password is checked against.
    pub fn password_verifier(
        &self,
        name: &UserName,
    ) -> Result<Option<(Account, String)>, StoreError> {
        let Some(account) = self.account(name)? else {
            return Ok(None);
        };
        let verifier: String = self
            .connection()
            .query_row(
                "SELECT password_hash FROM accounts WHERE id = ?1",
                params![account.id],
                |row| row.get(0),
            )
            .map_err(|e| self.fail(e))?;
        Ok(Some((account, verifier)))
    }

    /// Plans the declared users against the accounts as they are inside the transaction and
    /// writes every change, or none (a refused plan or a failed write rolls back).
    pub fn apply_users(
        &self,
        declared: &BTreeMap<UserName, UserDecl>,
        now_ms: i64,
    ) -> Result<Vec<UserChange>, AccountsError> {
        let transaction =
            Transaction::new_unchecked(self.connection(), TransactionBehavior::Immediate)
                .map_err(|e| self.fail(e))?;
        let changes = plan_users(declared, &self.accounts()?)?;
        for change in &changes {
            let wanted = match declared.get(&change.name) {
                Some(UserDecl::Present(wanted)) => Some(wanted),
                _ => None,
            };
            self.write_change(&transaction, change, wanted, now_ms)
                .map_err(|e| self.fail(e))?;
        }
        transaction.commit().map_err(|e| self.fail(e))?;
        Ok(changes)
    }

    fn write_change(
        &self,
        transaction: &Transaction<'_>,
        change: &UserChange,
        wanted: Option<&UserWanted>,
        now_ms: i64,
    ) -> rusqlite::Result<()> {
        let name = change.name.as_str();
        match (change.action, wanted) {
            (UserAction::Create, Some(wanted)) => {
                transaction.execute(
                    "INSERT INTO accounts (name, email, role, password_hash, declared_digest,
                                           credential_epoch, created_at_ms, updated_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?6)",
                    params![
                        name,
                        wanted.email.as_str(),
                        wanted.role.as_str(),
                        wanted.password_hash.expose(),
                        wanted.password_hash.digest(),
                        now_ms
                    ],
                )?;
                // Failures counted against the name before the account existed do not carry over.
                transaction.execute("DELETE FROM login_failures WHERE name = ?1", [name])?;
                transaction.execute("DELETE FROM lockouts WHERE name = ?1", [name])?;
            }
            (UserAction::Update, Some(wanted)) => {
                transaction.execute(
                    "UPDATE accounts SET email = ?2, role = ?3, updated_at_ms = ?4 WHERE name = ?1",
                    params![name, wanted.email.as_str(), wanted.role.as_str(), now_ms],
                )?;
                if change.fields.contains(&"password") {
                    transaction.execute(
                        "UPDATE accounts SET password_hash = ?2, declared_digest = ?3,
                                             credential_epoch = credential_epoch + 1
                         WHERE name = ?1",
                        params![
                            name,
                            wanted.password_hash.expose(),
                            wanted.password_hash.digest()
                        ],
                    )?;
                }
            }
            (UserAction::Delete, _) => {
                transaction.execute("DELETE FROM accounts WHERE name = ?1", [name])?;
            }
            // The planner only creates and updates declared users.
            (UserAction::Create | UserAction::Update, None) => {}
        }
        Ok(())
    }
}

fn read_account(row: &Row<'_>) -> rusqlite::Result<Account> {
    let text = |index: usize| row.get::<_, String>(index);
    let corrupt = |index: usize, message: String| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            message.into(),
        )
    };
    Ok(Account {
        id: row.get(0)?,
        name: UserName::parse(&text(1)?).map_err(|m| corrupt(1, m))?,
        email: Email::parse(&text(2)?).map_err(|m| corrupt(2, m))?,
        role: parse_role(&text(3)?).ok_or_else(|| corrupt(3, "unknown role".into()))?,
        declared_digest: text(4)?,
        credential_epoch: row.get(5)?,
        created_at_ms: row.get(6)?,
        updated_at_ms: row.get(7)?,
        locked_until_ms: row.get(8)?,
    })
}

fn parse_role(text: &str) -> Option<Role> {
    [Role::Viewer, Role::Maintainer, Role::Admin]
        .into_iter()
        .find(|role| role.as_str() == text)
}

#[cfg(test)]
#[path = "accounts_tests.rs"]
mod tests;
