//! Verifying a manifest signature, in two steps: `verify_token` checks the token against the
//! trust store and the exact manifest bytes (before the manifest is parsed), and `accept`
//! checks it against the parsed manifest and the last revision applied under its name.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::Validation;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::core::manifest::Manifest;
use crate::core::text::timestamp_seconds;

use super::claims::ManifestClaims;
use super::header::{check_header, decode_object, split};
use super::scope::{required_scopes, ScopeSet};
use super::signature_error::{quoted, SignatureError};
use super::{SigningAlgorithm, TrustStore, LEEWAY_SECONDS, MANIFEST_AUDIENCE, MAX_SIGNATURE_BYTES};

/// A token that verified with a trusted key and matches the manifest bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedClaims {
    pub kid: String,
    pub algorithm: SigningAlgorithm,
    pub claims: ManifestClaims,
}

/// The last manifest applied with a valid signature under a name.
#[derive(Debug, Clone)]
pub struct Previous<'a> {
    pub revision: u64,
    pub sha256: String,
    /// Its parsed content, when still known: lets a key without the `users` scope sign a
    /// manifest whose users did not change.
    pub manifest: Option<&'a Manifest>,
}

/// A signature apply accepts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifiedSignature {
    pub kid: String,
    pub algorithm: String,
    pub issuer: String,
    pub name: String,
    pub revision: u64,
    pub sha256: String,
    pub issued_at: i64,
    pub expires_at: i64,
    pub scopes: ScopeSet,
    /// The scopes this manifest needs, given what was applied before.
    pub needs: ScopeSet,
    /// The same revision with the same bytes as the last apply: converges again, changes nothing new.
    pub reapply: bool,
}

/// Both steps at once, for callers that already parsed the manifest.
pub fn verify(
    token: &str,
    manifest_bytes: &[u8],
    manifest: &Manifest,
    trust: &TrustStore,
    now: i64,
    previous: Option<&Previous<'_>>,
) -> Result<VerifiedSignature, SignatureError> {
    let signed = verify_token(token, manifest_bytes, trust, now)?;
    accept(&signed, manifest, previous)
}

/// Checks a compact JWS against the trust store, the exact manifest bytes and `now`
/// (seconds since the epoch; one reading for the whole run).
pub fn verify_token(
    token: &str,
    manifest_bytes: &[u8],
    trust: &TrustStore,
    now: i64,
) -> Result<SignedClaims, SignatureError> {
    if token.len() > MAX_SIGNATURE_BYTES {
        return Err(SignatureError::TooLarge {
            size: token.len(),
            limit: MAX_SIGNATURE_BYTES,
        });
    }
    let parts = split(token)?;
    let header = check_header(&parts)?;
    // Exact map lookup only: the key id never reaches a path, a query or a URL.
    let key = trust
        .get(&header.kid)
        .ok_or_else(|| SignatureError::UnknownKey {
            kid: quoted(&header.kid),
        })?;
    if header.alg != key.algorithm.as_str() {
        return Err(SignatureError::AlgorithmMismatch {
            kid: key.kid.clone(),
            pinned: key.algorithm,
            found: header.alg.escape_debug().to_string(),
        });
    }
    decode_verified(parts.text, key.algorithm, &key.decoding_key, &key.kid)?;
    // The verified payload read again, strictly: a claim named twice is refused.
    let claims = decode_object(parts.payload, "payload")?;
    let claims = ManifestClaims::from_json(&claims)?;
    if !key.may_sign(&claims.sub) {
        return Err(SignatureError::NameNotAllowed {
            kid: key.kid.clone(),
            name: claims.sub.escape_debug().to_string(),
            allowed: key
                .names
                .iter()
                .flatten()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if claims.iss != key.kid {
        return Err(SignatureError::IssuerMismatch {
            kid: key.kid.clone(),
            issuer: quoted(&claims.iss),
        });
    }
    check_bytes(&claims, manifest_bytes)?;
    check_times(&claims, now, key.max_lifetime_seconds, &key.kid)?;
    if let Some(scope) = key.ungranted(&claims.scope).first() {
        return Err(SignatureError::ScopeNotGranted {
            kid: key.kid.clone(),
            scope: *scope,
        });
    }
    Ok(SignedClaims {
        kid: key.kid.clone(),
        algorithm: key.algorithm,
        claims,
    })
}

/// Checks verified claims against the parsed manifest and the last signed apply.
pub fn accept(
    signed: &SignedClaims,
    manifest: &Manifest,
    previous: Option<&Previous<'_>>,
) -> Result<VerifiedSignature, SignatureError> {
    let claims = &signed.claims;
    if claims.sub != manifest.name.as_str() {
        return Err(SignatureError::SubjectMismatch {
            signed: claims.sub.escape_debug().to_string(),
            name: manifest.name.to_string(),
        });
    }
    if claims.rev != manifest.revision {
        return Err(SignatureError::RevisionMismatch {
            signed: claims.rev,
            revision: manifest.revision,
        });
    }
    let reapply = match previous {
        Some(previous) => check_rollback(claims.rev, &claims.sha256, &claims.sub, previous)?,
        None => false,
    };
    let needs = required_scopes(manifest, previous.and_then(|previous| previous.manifest));
    if let Some(scope) = needs.iter().find(|scope| !claims.scope.contains(scope)) {
        return Err(SignatureError::ScopeMissing { scope: *scope });
    }
    Ok(VerifiedSignature {
        kid: signed.kid.clone(),
        algorithm: signed.algorithm.to_string(),
        issuer: claims.iss.clone(),
        name: claims.sub.clone(),
        revision: claims.rev,
        sha256: claims.sha256.clone(),
        issued_at: claims.iat,
        expires_at: claims.exp,
        scopes: claims.scope.clone(),
        needs,
        reapply,
    })
}

/// Refuses a revision below the last signed apply, or the same revision with other bytes.
/// Returns whether it is the same revision with the same bytes (a re-apply).
pub fn check_rollback(
    revision: u64,
    sha256: &str,
    name: &str,
    previous: &Previous<'_>,
) -> Result<bool, SignatureError> {
    if revision < previous.revision {
        return Err(SignatureError::Rollback {
            name: name.to_string(),
            revision,
            last: previous.revision,
        });
    }
    if revision == previous.revision && sha256 != previous.sha256 {
        return Err(SignatureError::Equivocation {
            name: name.to_string(),
            revision,
        });
    }
    Ok(revision == previous.revision)
}

/// The cryptographic check, by `jsonwebtoken`, pinned to the key's one algorithm. Time claims
/// are checked by us against the run's single "now", so its own clock checks are off.
fn decode_verified(
    token: &str,
    algorithm: SigningAlgorithm,
    key: &jsonwebtoken::DecodingKey,
    kid: &str,
) -> Result<Map<String, Value>, SignatureError> {
    let mut validation = Validation::new(algorithm.jwt());
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.leeway = LEEWAY_SECONDS as u64;
    validation.set_audience(&[MANIFEST_AUDIENCE]);
    validation.set_required_spec_claims(&["aud", "sub", "iss"]);
    match jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) {
        Ok(data) => Ok(data.claims),
        Err(err) => Err(match err.kind() {
            ErrorKind::InvalidSignature
            | ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidEddsaKey
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidKeyFormat => SignatureError::BadSignature {
                kid: kid.to_string(),
            },
            ErrorKind::InvalidAlgorithm => SignatureError::AlgorithmMismatch {
                kid: kid.to_string(),
                pinned: algorithm,
                found: "another algorithm".into(),
            },
            ErrorKind::InvalidAudience => SignatureError::WrongAudience {
                found: "not `pkgm-manifest`".into(),
            },
            ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => {
                SignatureError::WrongAudience {
                    found: "missing".into(),
                }
            }
            ErrorKind::MissingRequiredClaim(claim) => SignatureError::Claim {
                claim: claim.clone(),
                problem: "is missing or not a string".into(),
            },
            _ => SignatureError::Malformed {
                reason: err.to_string(),
            },
        }),
    }
}

fn check_bytes(claims: &ManifestClaims, bytes: &[u8]) -> Result<(), SignatureError> {
    let actual = hex(&Sha256::digest(bytes));
    if claims.sha256 != actual || claims.len != bytes.len() as u64 {
        return Err(SignatureError::DigestMismatch {
            signed: claims.sha256[..12].to_string(),
            actual: actual[..12].to_string(),
        });
    }
    Ok(())
}

fn check_times(
    claims: &ManifestClaims,
    now: i64,
    max_lifetime: i64,
    kid: &str,
) -> Result<(), SignatureError> {
    for (claim, at) in [("iat", Some(claims.iat)), ("nbf", claims.nbf)] {
        if let Some(at) = at.filter(|at| *at > now + LEEWAY_SECONDS) {
            return Err(SignatureError::NotYetValid {
                claim,
                valid_from: timestamp_seconds(at),
                now: timestamp_seconds(now),
            });
        }
    }
    if claims.exp <= claims.iat {
        return Err(SignatureError::Claim {
            claim: "exp".into(),
            problem: "is not after `iat`".into(),
        });
    }
    let lifetime = claims.exp - claims.iat;
    if lifetime > max_lifetime {
        return Err(SignatureError::LifetimeTooLong {
            kid: kid.to_string(),
            lifetime: span(lifetime),
            max: span(max_lifetime),
        });
    }
    if now > claims.exp + LEEWAY_SECONDS {
        return Err(SignatureError::Expired {
            expired_at: timestamp_seconds(claims.exp),
            now: timestamp_seconds(now),
        });
    }
    Ok(())
}

/// A duration such as `30d`, `90d 1h` or `45m`: the two largest units, no months.
pub fn span(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let units = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let parts: Vec<String> = units
        .iter()
        .scan(seconds, |left, (size, unit)| {
            let count = *left / size;
            *left %= size;
            Some((count, unit))
        })
        .skip_while(|(count, _)| *count == 0)
        .take(2)
        .filter(|(count, _)| *count > 0)
        .map(|(count, unit)| format!("{count}{unit}"))
        .collect();
    if parts.is_empty() {
        "0s".into()
    } else {
        parts.join(" ")
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::span;

    #[test]
    fn spans_read_in_days_and_hours() {
        for (seconds, text) in [
            (0, "0s"),
            (45, "45s"),
            (3_600, "1h"),
            (90 * 86_400, "90d"),
            (91 * 86_400 + 3_600 + 5, "91d 1h"),
            (86_400 + 30, "1d"),
        ] {
            assert_eq!(span(seconds), text, "{seconds}");
        }
    }
}
