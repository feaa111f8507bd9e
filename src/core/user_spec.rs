//! What a manifest asks of one user account: its email, role and password hash, or absence.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::password_policy::{check_phc, Argon2Cost};

/// What an account may do. Ordered from least to most powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Maintainer,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Maintainer => "maintainer",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account name: lowercase, like a Unix login.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserName(String);

impl UserName {
    pub fn parse(text: &str) -> Result<Self, String> {
        let starts_well = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
        let valid_chars = text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'));
        if !starts_well || !valid_chars || text.len() > 32 {
            return Err(format!(
                "`{text}` is not a valid user name (1 to 32 of a-z, 0-9, `_`, `-`, `.`, \
                 starting with a letter or `_`)"
            ));
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address, checked for shape only (one `@`, a dotted domain, no spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Self, String> {
        let invalid = || format!("`{text}` is not a valid email address");
        let (local, domain) = text.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@');
        let no_space = !text.chars().any(|c| c.is_whitespace() || c.is_control());
        if local.is_empty() || !domain_ok || !no_space || text.len() > 254 {
            return Err(invalid());
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An argon2id PHC string whose parameters are within `password_policy`'s bounds.
/// The hash itself is never displayed.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash {
    text: String,
    cost: Argon2Cost,
}

impl PasswordHash {
    pub fn parse(text: &str) -> Result<Self, String> {
        if !text.starts_with("$argon2id$") {
            return Err(
                "`password_hash` must be an argon2id PHC string (`$argon2id$v=19$...`)\n\
                        hint: run `pkgm hash-password` and paste its output"
                    .into(),
            );
        }
        let cost = check_phc(text)?;
        Ok(Self {
            text: text.to_string(),
            cost,
        })
    }

    pub fn expose(&self) -> &str {
        &self.text
    }

    pub fn cost(&self) -> Argon2Cost {
        self.cost
    }

    /// Hex SHA-256 of the PHC string: what the store compares to notice a changed password
    /// without keeping the declared string (a login may re-hash the verifier).
    pub fn digest(&self) -> String {
        Sha256::digest(self.text.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// An account that must exist with these fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserWanted {
    pub email: Email,
    pub role: Role,
    pub password_hash: PasswordHash,
}

/// One entry of `users:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserDecl {
    Present(UserWanted),
    Absent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_and_emails_are_validated() {
        assert!(UserName::parse("alice").is_ok());
        assert!(UserName::parse("svc_deploy-1").is_ok());
        for bad in ["", "Alice", "1abc", "a b", "alice;drop", &"a".repeat(33)] {
            assert!(UserName::parse(bad).is_err(), "{bad}");
        }
        assert!(Email::parse("alice@example.com").is_ok());
        for bad in [
            "alice",
            "@example.com",
            "alice@example",
            "a b@example.com",
            "a@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_hash_must_be_argon2id_and_is_never_debug_printed() {
        assert!(PasswordHash::parse("hunter2").is_err());
        assert!(PasswordHash::parse("$argon2i$v=19$m=1,t=1,p=1$x$y").is_err());
        let text = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA";
        let hash = PasswordHash::parse(text).unwrap();
        assert!(!format!("{hash:?}").contains("argon2id"));
        assert_eq!(hash.digest().len(), 64);
        assert!(PasswordHash::parse(
            "$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA"
        )
        .is_err());
    }
}
