//! Login sessions: an HS256 JWT (`typ: pkgm-session+jwt`) signed with a secret kept in the
//! state, and the checks every gated command makes. Time is passed in; the JWT library's own
//! clock is switched off so the injectable test clock governs expiry.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::account::Account;
use super::user_spec::UserName;

pub const SESSION_TYP: &str = "pkgm-session+jwt";
const ISSUER: &str = "pkgm";
pub const DEFAULT_TTL_SECS: i64 = 60 * 60;
pub const MAX_TTL_SECS: i64 = 24 * 60 * 60;

/// What a session token says. `uid` and `epoch` tie it to one account and one password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionClaims {
    pub iss: String,
    pub sub: String,
    pub uid: i64,
    pub epoch: i64,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("the session token is not valid for this state\nhint: run `pkgm login` again")]
    Invalid,
    #[error("the session expired\nhint: run `pkgm login` again")]
    Expired { exp: i64 },
    #[error("the account `{0}` no longer exists; its session is revoked")]
    AccountGone(String),
    #[error(
        "the password of `{0}` changed after this session began; the session is revoked\n\
         hint: run `pkgm login` again"
    )]
    PasswordChanged(String),
    #[error("cannot sign the session token: {0}")]
    Sign(String),
}

impl SessionClaims {
    pub fn new(account: &Account, now_ms: i64, ttl_secs: i64) -> Self {
        let iat = now_ms.div_euclid(1000);
        Self {
            iss: ISSUER.into(),
            sub: account.name.to_string(),
            uid: account.id,
            epoch: account.credential_epoch,
            iat,
            exp: iat + ttl_secs,
        }
    }

    pub fn user_name(&self) -> Result<UserName, SessionError> {
        UserName::parse(&self.sub).map_err(|_| SessionError::Invalid)
    }
}

pub fn issue(secret: &[u8], claims: &SessionClaims) -> Result<String, SessionError> {
    let header = Header {
        typ: Some(SESSION_TYP.into()),
        ..Header::new(Algorithm::HS256)
    };
    encode(&header, claims, &EncodingKey::from_secret(secret))
        .map_err(|err| SessionError::Sign(err.to_string()))
}

/// Checks signature, algorithm, `typ`, issuer and expiry; never the account (see `check_account`).
pub fn verify(secret: &[u8], token: &str, now_ms: i64) -> Result<SessionClaims, SessionError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    validation.set_issuer(&[ISSUER]);
    let data =
        decode::<SessionClaims>(token.trim(), &DecodingKey::from_secret(secret), &validation)
            .map_err(|_| SessionError::Invalid)?;
    if data.header.typ.as_deref() != Some(SESSION_TYP) {
        return Err(SessionError::Invalid);
    }
    let claims = data.claims;
    if claims.exp <= now_ms.div_euclid(1000) {
        return Err(SessionError::Expired { exp: claims.exp });
    }
    Ok(claims)
}

/// The account behind a valid token must still exist (the same one, not a namesake) with
/// the same password. Its role is read from the store by the caller, never from the token.
pub fn check_account(
    claims: &SessionClaims,
    account: Option<&Account>,
) -> Result<(), SessionError> {
    match account {
        Some(account) if account.id == claims.uid => {
            if account.credential_epoch == claims.epoch {
                Ok(())
            } else {
                Err(SessionError::PasswordChanged(claims.sub.clone()))
            }
        }
        _ => Err(SessionError::AccountGone(claims.sub.clone())),
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
