//! Login bookkeeping in the state database: failure counts and lockouts (decided by
//! `core::lockout`, written under an immediate transaction so concurrent logins lose no
//! count), replacing a weak verifier, and the session signing key.

use rand_core::{OsRng, RngCore};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use crate::core::lockout::{LockoutPolicy, LoginOutcome};
use crate::core::password_policy::{check_phc, Argon2Cost, CURRENT};
use crate::core::user_spec::{PasswordHash, UserName};

use super::store::{Store, StoreError};

const SESSION_KEY: &str = "session-hs256";
const SESSION_KEY_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum LoginStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read random bytes for the session key: {0}")]
    Random(rand_core::Error),
}

impl Store {
    /// Decides a checked login and records it: a success clears the failures, a counted
    /// failure is added and may lock the name. Works on names, not accounts, so unknown users
    /// cost the same writes as known ones.
    pub fn settle_login(
        &self,
        name: &UserName,
        password_matches: bool,
        policy: &LockoutPolicy,
        now_ms: i64,
    ) -> Result<LoginOutcome, StoreError> {
        let name = name.as_str();
        let transaction =
            Transaction::new_unchecked(self.connection(), TransactionBehavior::Immediate)
                .map_err(|e| self.fail(e))?;
        let write = || -> rusqlite::Result<LoginOutcome> {
            let locked_until: Option<i64> = transaction
                .query_row(
                    "SELECT locked_until_ms FROM lockouts WHERE name = ?1",
                    [name],
                    |row| row.get(0),
                )
                .optional()?;
            let outcome = policy.decide(password_matches, locked_until, now_ms);
            match outcome {
                LoginOutcome::Accepted => {
                    transaction.execute("DELETE FROM login_failures WHERE name = ?1", [name])?;
                    transaction.execute("DELETE FROM lockouts WHERE name = ?1", [name])?;
                }
                LoginOutcome::Refused { counts: true } => {
                    let window_start = policy.window_start(now_ms);
                    transaction.execute(
                        "DELETE FROM login_failures WHERE at_ms <= ?1",
                        [window_start],
                    )?;
                    transaction.execute(
                        "INSERT INTO login_failures (name, at_ms) VALUES (?1, ?2)",
                        params![name, now_ms],
                    )?;
                    let failures: u32 = transaction.query_row(
                        "SELECT COUNT(*) FROM login_failures WHERE name = ?1 AND at_ms > ?2",
                        params![name, window_start],
                        |row| row.get(0),
                    )?;
                    if let Some(until) = policy.lock_after(failures, now_ms) {
                        transaction.execute(
                            "INSERT OR REPLACE INTO lockouts (name, locked_until_ms) VALUES (?1, ?2)",
                            params![name, until],
                        )?;
                        transaction
                            .execute("DELETE FROM login_failures WHERE name = ?1", [name])?;
                    }
                }
                LoginOutcome::Refused { counts: false } => {}
            }
            Ok(outcome)
        };
        let outcome = write().map_err(|e| self.fail(e))?;
        transaction.commit().map_err(|e| self.fail(e))?;
        Ok(outcome)
    }

    /// Stores a stronger hash of the same password, unless the verifier changed meanwhile
    /// (an apply set a new password). The declared digest and the sessions stay as they are.
    pub fn replace_verifier(
        &self,
        name: &UserName,
        old: &str,
        new: &PasswordHash,
    ) -> Result<bool, StoreError> {
        self.connection()
            .execute(
                "UPDATE accounts SET password_hash = ?3 WHERE name = ?1 AND password_hash = ?2",
                params![name.as_str(), old, new.expose()],
            )
            .map(|rows| rows == 1)
            .map_err(|e| self.fail(e))
    }

    /// Until when `name` is locked out, if it ever was (the caller compares with now).
    pub fn locked_until(&self, name: &UserName) -> Result<Option<i64>, StoreError> {
        self.connection()
            .query_row(
                "SELECT locked_until_ms FROM lockouts WHERE name = ?1",
                [name.as_str()],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    /// The dearest argon2 cost (memory × passes) of any stored verifier, and at least the
    /// current one: the cost every failed login is made to take.
    pub fn heaviest_password_cost(&self) -> Result<Argon2Cost, StoreError> {
        let mut statement = self
            .connection()
            .prepare("SELECT password_hash FROM accounts")
            .map_err(|e| self.fail(e))?;
        let hashes = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(|e| self.fail(e))?;
        let mut heaviest = CURRENT;
        for hash in hashes {
            let hash = hash.map_err(|e| self.fail(e))?;
            if let Ok(cost) = check_phc(&hash) {
                if cost.work() > heaviest.work() {
                    heaviest = cost;
                }
            }
        }
        Ok(heaviest)
    }

    /// Failed logins for `name` still inside the policy's window.
    pub fn recent_failures(
        &self,
        name: &UserName,
        policy: &LockoutPolicy,
        now_ms: i64,
    ) -> Result<u32, StoreError> {
        self.connection()
            .query_row(
                "SELECT COUNT(*) FROM login_failures WHERE name = ?1 AND at_ms > ?2",
                params![name.as_str(), policy.window_start(now_ms)],
                |row| row.get(0),
            )
            .map_err(|e| self.fail(e))
    }

    /// The key that signs session tokens, made on first use. It lives only in the state:
    /// no manifest key ever signs a session.
    pub fn session_key(&self, now_ms: i64) -> Result<Vec<u8>, LoginStoreError> {
        if let Some(key) = self.existing_session_key()? {
            return Ok(key);
        }
        let mut key = vec![0u8; SESSION_KEY_BYTES];
        OsRng
            .try_fill_bytes(&mut key)
            .map_err(LoginStoreError::Random)?;
        // Two first logins may race: the first key stored wins and both read it back.
        self.connection()
            .execute(
                "INSERT OR IGNORE INTO secrets (purpose, value, created_at_ms) VALUES (?1, ?2, ?3)",
                params![SESSION_KEY, key, now_ms],
            )
            .map_err(|e| self.fail(e))?;
        Ok(self.existing_session_key()?.unwrap_or(key))
    }

    /// The session key if one was ever made (no login yet means no valid session).
    pub fn existing_session_key(&self) -> Result<Option<Vec<u8>>, StoreError> {
        self.connection()
            .query_row(
                "SELECT value FROM secrets WHERE purpose = ?1",
                [SESSION_KEY],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.fail(e))
    }
}

#[cfg(test)]
#[path = "logins_tests.rs"]
mod tests;
