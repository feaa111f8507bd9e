//! The claims of a manifest signature, read strictly: exact JSON types, integers in range,
//! no unknown claims (a claim we do not understand might be a restriction we would ignore).

use serde_json::{Map, Value};

use super::scope::{Scope, ScopeSet};
use super::signature_error::{quoted, SignatureError};
use super::{MANIFEST_AUDIENCE, MAX_CLAIM_INTEGER};

/// What the signer asserted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ManifestClaims {
    pub iss: String,
    pub sub: String,
    pub rev: u64,
    pub sha256: String,
    pub len: u64,
    pub iat: i64,
    pub exp: i64,
    pub nbf: Option<i64>,
    pub scope: ScopeSet,
}

const KNOWN: &[&str] = &[
    "iss", "aud", "sub", "rev", "sha256", "len", "iat", "exp", "nbf", "scope",
];

fn problem(claim: &str, problem: impl Into<String>) -> SignatureError {
    SignatureError::Claim {
        claim: claim.to_string(),
        problem: problem.into(),
    }
}

impl ManifestClaims {
    pub fn from_json(claims: &Map<String, Value>) -> Result<Self, SignatureError> {
        if let Some(unknown) = claims.keys().find(|key| !KNOWN.contains(&key.as_str())) {
            return Err(SignatureError::Claim {
                claim: unknown.escape_debug().to_string(),
                problem: "is not a manifest signature claim".into(),
            });
        }
        match claims.get("aud") {
            Some(Value::String(aud)) if aud == MANIFEST_AUDIENCE => {}
            Some(other) => {
                return Err(SignatureError::WrongAudience {
                    found: quoted(other.as_str().unwrap_or(&other.to_string())),
                })
            }
            None => {
                return Err(SignatureError::WrongAudience {
                    found: "missing".into(),
                })
            }
        }
        let sha256 = string(claims, "sha256")?;
        let is_digest = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !is_digest {
            return Err(problem("sha256", "is not 64 lowercase hex digits"));
        }
        Ok(Self {
            iss: string(claims, "iss")?,
            sub: string(claims, "sub")?,
            rev: integer(claims, "rev")?.ok_or_else(|| problem("rev", "is missing"))?,
            sha256,
            len: integer(claims, "len")?.ok_or_else(|| problem("len", "is missing"))?,
            iat: time(claims, "iat")?.ok_or_else(|| problem("iat", "is missing"))?,
            exp: time(claims, "exp")?.ok_or_else(|| problem("exp", "is missing"))?,
            nbf: time(claims, "nbf")?,
            scope: scopes(claims)?,
        })
    }
}

fn string(claims: &Map<String, Value>, name: &str) -> Result<String, SignatureError> {
    match claims.get(name) {
        Some(Value::String(text)) if !text.is_empty() => Ok(text.clone()),
        Some(Value::String(_)) => Err(problem(name, "is empty")),
        Some(_) => Err(problem(name, "must be a string")),
        None => Err(problem(name, "is missing")),
    }
}

/// A non-negative integer no larger than 2^53 - 1; floats and strings are refused.
fn integer(claims: &Map<String, Value>, name: &str) -> Result<Option<u64>, SignatureError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(number)) => match number.as_u64() {
            Some(value) if value <= MAX_CLAIM_INTEGER => Ok(Some(value)),
            Some(_) => Err(problem(name, "is out of range")),
            None if number.is_i64() => Err(problem(name, "is negative")),
            None => Err(problem(
                name,
                "must be a whole number no larger than 2^53 - 1",
            )),
        },
        Some(_) => Err(problem(name, "must be an integer")),
    }
}

fn time(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, SignatureError> {
    // MAX_CLAIM_INTEGER fits an i64, so the conversion cannot fail.
    Ok(integer(claims, name)?.map(|value| value as i64))
}

fn scopes(claims: &Map<String, Value>) -> Result<ScopeSet, SignatureError> {
    let Some(value) = claims.get("scope") else {
        return Err(problem("scope", "is missing"));
    };
    let Value::Array(items) = value else {
        return Err(problem("scope", "must be a list such as [\"packages\"]"));
    };
    let mut scopes = ScopeSet::new();
    for item in items {
        let scope = item.as_str().and_then(Scope::parse).ok_or_else(|| {
            problem(
                "scope",
                format!("has the unknown scope {}", quoted(&item.to_string())),
            )
        })?;
        if !scopes.insert(scope) {
            return Err(problem("scope", format!("names `{scope}` twice")));
        }
    }
    if scopes.is_empty() {
        return Err(problem("scope", "is empty"));
    }
    Ok(scopes)
}
