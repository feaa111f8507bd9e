//! An account as the store holds it, seen by the pure core. Carries no password hash: only
//! the digest of the declared one, so planning can notice a changed password.

use super::user_spec::{Email, Role, UserName};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Never reused: a deleted and re-created account gets a new id, so old sessions die.
    pub id: i64,
    pub name: UserName,
    pub email: Email,
    pub role: Role,
    /// `PasswordHash::digest` of the PHC string the manifest declared. The stored verifier may
    /// differ after a login re-hashed it with stronger parameters.
    pub declared_digest: String,
    /// Bumped whenever the password changes; a session carries it, so a change revokes it.
    pub credential_epoch: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    /// Set while failed logins keep the account locked.
    pub locked_until_ms: Option<i64>,
}
