//! Making a manifest signature: the header and claims that `verify_token` expects, signed by
//! `jsonwebtoken` with a key loaded elsewhere.

use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

use super::scope::ScopeSet;
use super::{SigningAlgorithm, MANIFEST_AUDIENCE, MANIFEST_TOKEN_TYPE};

/// Everything a signature asserts about one manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignRequest {
    pub kid: String,
    pub issuer: String,
    pub name: String,
    pub revision: u64,
    pub sha256: String,
    pub len: u64,
    pub issued_at: i64,
    pub expires_at: i64,
    pub scopes: ScopeSet,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot sign with this {algorithm} key: {source}")]
pub struct SignError {
    pub algorithm: SigningAlgorithm,
    pub source: jsonwebtoken::errors::Error,
}

/// The compact JWS for `request`, ending without a newline.
pub fn sign(
    request: &SignRequest,
    algorithm: SigningAlgorithm,
    key: &EncodingKey,
) -> Result<String, SignError> {
    let mut header = Header::new(algorithm.jwt());
    header.typ = Some(MANIFEST_TOKEN_TYPE.into());
    header.kid = Some(request.kid.clone());
    let claims = json!({
        "iss": request.issuer,
        "aud": MANIFEST_AUDIENCE,
        "sub": request.name,
        "rev": request.revision,
        "sha256": request.sha256,
        "len": request.len,
        "iat": request.issued_at,
        "exp": request.expires_at,
        "scope": request.scopes,
    });
    jsonwebtoken::encode(&header, &claims, key).map_err(|source| SignError { algorithm, source })
}
