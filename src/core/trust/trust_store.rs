//! The trust file (TOML) parsed into a `TrustStore`: key id → key pinned to one algorithm,
//! the scopes it may sign and the longest signature lifetime accepted. Key files are read
//! through a function the caller passes in, so this stays free of the file system.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::DecodingKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;

use super::scope::{Scope, ScopeSet};
use super::{SigningAlgorithm, DEFAULT_MAX_LIFETIME_SECONDS};

/// The shortest HS256 secret accepted, in bytes (RFC 7518 §3.2: at least the hash size).
pub const MIN_HMAC_SECRET_BYTES: usize = 32;
/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// A trust file that cannot be used, naming the key and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("key `{kid}`: {problem}")]
    Key { kid: String, problem: String },
    #[error("key id `{kid}` appears more than once\nhint: each `[[key]]` needs its own `kid`")]
    DuplicateKid { kid: String },
    #[error("`max_lifetime`: {0}")]
    MaxLifetime(String),
}

/// One key the operator accepts.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    pub kid: String,
    pub algorithm: SigningAlgorithm,
    pub decoding_key: DecodingKey,
    pub scopes: ScopeSet,
    pub max_lifetime_seconds: i64,
    /// The manifest names this key may sign (`names = [...]`); `None`: any name.
    pub names: Option<Vec<String>>,
}

impl TrustedKey {
    /// Whether this key may sign a manifest called `name`.
    pub fn may_sign(&self, name: &str) -> bool {
        self.names
            .as_ref()
            .is_none_or(|names| names.iter().any(|allowed| allowed == name))
    }

    /// The scopes in `claimed` that this key may not sign.
    pub fn ungranted(&self, claimed: &ScopeSet) -> ScopeSet {
        claimed.difference(&self.scopes).copied().collect()
    }
}

/// The keys the operator accepts, looked up only by exact key id.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    keys: BTreeMap<String, TrustedKey>,
}

impl TrustStore {
    pub fn get(&self, kid: &str) -> Option<&TrustedKey> {
        self.keys.get(kid)
    }

    pub fn keys(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys.values()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Parses trust file text. `read_key` returns the bytes of a key file named by a relative
    /// or absolute path, exactly as written in the file.
    pub fn parse(
        text: &str,
        read_key: &mut dyn FnMut(&Path) -> Result<Vec<u8>, String>,
    ) -> Result<Self, TrustError> {
        let document: TrustDocument = toml::from_str(text).map_err(|err| {
            let (line, column) = err.span().map_or((1, 1), |span| {
                crate::core::manifest_error::line_column(text, span.start)
            });
            TrustError::Syntax {
                line,
                column,
                message: err.message().trim_end().to_string(),
            }
        })?;
        let default_lifetime = match &document.max_lifetime {
            Some(text) => parse_lifetime(text).map_err(TrustError::MaxLifetime)?,
            None => DEFAULT_MAX_LIFETIME_SECONDS,
        };
        let mut keys = BTreeMap::new();
        for entry in document.key {
            let kid = entry.kid.clone();
            let key = entry
                .into_key(default_lifetime, read_key)
                .map_err(|problem| TrustError::Key {
                    kid: kid.clone(),
                    problem,
                })?;
            if keys.insert(kid.clone(), key).is_some() {
                return Err(TrustError::DuplicateKid { kid });
            }
        }
        Ok(Self { keys })
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustDocument {
    max_lifetime: Option<String>,
    #[serde(default)]
    key: Vec<KeyEntry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    kid: String,
    algorithm: toml::Value,
    public_key: Option<String>,
    secret: Option<String>,
    scopes: Vec<String>,
    max_lifetime: Option<String>,
    names: Option<Vec<String>>,
}

impl KeyEntry {
    fn into_key(
        self,
        default_lifetime: i64,
        read_key: &mut dyn FnMut(&Path) -> Result<Vec<u8>, String>,
    ) -> Result<TrustedKey, String> {
        check_kid(&self.kid)?;
        let algorithm = match &self.algorithm {
            toml::Value::String(name) => SigningAlgorithm::parse(name).ok_or_else(|| {
                format!("unknown algorithm `{name}`; use one of EdDSA, ES256, RS256, HS256")
            })?,
            _ => {
                return Err("`algorithm` must be one algorithm name: a key has exactly one".into())
            }
        };
        let scopes = parse_scopes(&self.scopes)?;
        let max_lifetime_seconds = match &self.max_lifetime {
            Some(text) => parse_lifetime(text)?,
            None => default_lifetime,
        };
        let decoding_key = match (algorithm, self.public_key, self.secret) {
            (SigningAlgorithm::HS256, None, Some(secret)) => hmac_key(&secret)?,
            (SigningAlgorithm::HS256, _, _) => {
                return Err("an HS256 key is a shared secret: give `secret` (base64) and no `public_key`".into())
            }
            (_, Some(public_key), None) => public_key_from(algorithm, &public_key, read_key)?,
            (_, _, _) => {
                return Err(format!(
                    "a {algorithm} key needs `public_key` (a PEM path or the PEM itself) and no `secret`"
                ))
            }
        };
        if let Some(names) = &self.names {
            if names.is_empty() {
                return Err("`names` is empty: the key could sign no manifest".into());
            }
            for name in names {
                crate::core::names::ManifestName::parse(name)
                    .map_err(|problem| format!("`names`: {problem}"))?;
            }
        }
        Ok(TrustedKey {
            kid: self.kid,
            algorithm,
            decoding_key,
            scopes,
            max_lifetime_seconds,
            names: self.names,
        })
    }
}

/// Key ids are plain names, so that no key id can look like a path or a query.
pub fn check_kid(kid: &str) -> Result<(), String> {
    let valid = !kid.is_empty()
        && kid.len() <= 64
        && kid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '@'))
        && !kid.starts_with('.');
    if valid {
        Ok(())
    } else {
        Err(
            "a key id is 1 to 64 of A-Z, a-z, 0-9, `-`, `_`, `.`, `:`, `@`, not starting with `.`"
                .into(),
        )
    }
}

fn parse_scopes(names: &[String]) -> Result<ScopeSet, String> {
    let mut scopes = ScopeSet::new();
    for name in names {
        let scope = Scope::parse(name)
            .ok_or_else(|| format!("unknown scope `{name}`; use `packages` and/or `users`"))?;
        scopes.insert(scope);
    }
    if scopes.is_empty() {
        return Err("`scopes` is empty: the key could sign nothing".into());
    }
    Ok(scopes)
}

fn parse_lifetime(text: &str) -> Result<i64, String> {
    let duration = humantime::parse_duration(text)
        .map_err(|err| format!("`{text}` is not a duration such as `90d`: {err}"))?;
    i64::try_from(duration.as_secs())
        .ok()
        .filter(|seconds| *seconds > 0)
        .ok_or_else(|| format!("`{text}` is not a positive duration"))
}

fn hmac_key(secret: &str) -> Result<DecodingKey, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(secret.trim())
        .map_err(|_| "`secret` is not base64".to_string())?;
    if bytes.len() < MIN_HMAC_SECRET_BYTES {
        return Err(format!(
            "the HS256 secret is {} bytes; at least {MIN_HMAC_SECRET_BYTES} random bytes are needed",
            bytes.len()
        ));
    }
    // Thirty-two random bytes hold some 28 distinct values; a secret of zeros, one repeated
    // byte or a short repeated pattern is a placeholder, not a key.
    let distinct = bytes
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if distinct < MIN_HMAC_DISTINCT_BYTES {
        return Err(format!(
            "the HS256 secret has only {distinct} distinct byte values, so it is not random\n\
             hint: make one with `head -c 32 /dev/urandom | base64`"
        ));
    }
    Ok(DecodingKey::from_secret(&bytes))
}

/// The fewest distinct byte values an HS256 secret may hold.
const MIN_HMAC_DISTINCT_BYTES: usize = 8;

/// `public_key` is the PEM itself, an inline JWK, or a path to a PEM or JWK file.
fn public_key_from(
    algorithm: SigningAlgorithm,
    public_key: &str,
    read_key: &mut dyn FnMut(&Path) -> Result<Vec<u8>, String>,
) -> Result<DecodingKey, String> {
    let trimmed = public_key.trim_start();
    let bytes = if trimmed.starts_with("-----BEGIN") || trimmed.starts_with('{') {
        trimmed.as_bytes().to_vec()
    } else {
        let path = PathBuf::from(public_key);
        read_key(&path)?
    };
    if bytes.trim_ascii_start().starts_with(b"{") {
        jwk_key(algorithm, &bytes)
    } else {
        pem_key(algorithm, &bytes)
    }
}

fn pem_key(algorithm: SigningAlgorithm, pem: &[u8]) -> Result<DecodingKey, String> {
    let text = std::str::from_utf8(pem).map_err(|_| "the public key is not PEM text")?;
    if text.contains("PRIVATE KEY") {
        return Err(
            "`public_key` holds a private key; the trust file needs only the public key (`KEY.pub`)"
                .into(),
        );
    }
    let mismatch = |err: jsonwebtoken::errors::Error| {
        format!("the public key is not a valid {algorithm} public key in PEM ({err})")
    };
    match algorithm {
        SigningAlgorithm::EdDSA => DecodingKey::from_ed_pem(pem).map_err(mismatch),
        SigningAlgorithm::ES256 => {
            let key = DecodingKey::from_ec_pem(pem).map_err(mismatch)?;
            // A P-256 point is 65 bytes uncompressed and on the curve; other curves are
            // refused here, not later.
            match key.try_get_as_bytes() {
                Ok(point)
                    if point.len() == 65 && p256::PublicKey::from_sec1_bytes(point).is_ok() =>
                {
                    Ok(key)
                }
                _ => Err("the public key is not a P-256 key, which ES256 requires".into()),
            }
        }
        SigningAlgorithm::RS256 => {
            let rsa = rsa::RsaPublicKey::from_public_key_pem(text)
                .or_else(|_| {
                    use rsa::pkcs1::DecodeRsaPublicKey;
                    rsa::RsaPublicKey::from_pkcs1_pem(text)
                })
                .map_err(|err| {
                    format!("the public key is not a valid RSA public key in PEM ({err})")
                })?;
            let bits = rsa.n().bits();
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "the RSA key has {bits} bits; at least {MIN_RSA_BITS} are needed"
                ));
            }
            DecodingKey::from_rsa_pem(pem).map_err(mismatch)
        }
        SigningAlgorithm::HS256 => Err("HS256 keys are secrets, not PEM".into()),
    }
}

/// JWK members that only a private key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
const PRIVATE_JWK_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

fn jwk_key(algorithm: SigningAlgorithm, json: &[u8]) -> Result<DecodingKey, String> {
    let value: serde_json::Value = serde_json::from_slice(json)
        .map_err(|err| format!("the public key is not a valid JWK ({err})"))?;
    if let Some(member) = PRIVATE_JWK_MEMBERS
        .iter()
        .find(|member| value.get(**member).is_some())
    {
        return Err(format!(
            "the JWK holds a private key (member `{member}`); the trust file needs only the \
             public part\nhint: drop the private members, and treat the key as exposed"
        ));
    }
    let jwk: Jwk = serde_json::from_value(value)
        .map_err(|err| format!("the public key is not a valid JWK ({err})"))?;
    let fits = match &jwk.algorithm {
        AlgorithmParameters::OctetKey(_) => {
            return Err(
                "the JWK is a symmetric (`oct`) key: a shared secret cannot be a public key".into(),
            )
        }
        AlgorithmParameters::OctetKeyPair(params) => {
            algorithm == SigningAlgorithm::EdDSA && params.curve == EllipticCurve::Ed25519
        }
        AlgorithmParameters::EllipticCurve(params) => {
            algorithm == SigningAlgorithm::ES256 && params.curve == EllipticCurve::P256
        }
        AlgorithmParameters::RSA(_) => algorithm == SigningAlgorithm::RS256,
        _ => false,
    };
    let alg_agrees = jwk
        .common
        .key_algorithm
        .is_none_or(|alg| alg.to_string() == algorithm.as_str());
    if !fits || !alg_agrees {
        return Err(format!("the JWK is not a {algorithm} public key"));
    }
    // The same rules as for PEM keys: a real point, an RSA modulus of 2048 bits.
    match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(params) => {
            let point = URL_SAFE_NO_PAD
                .decode(&params.x)
                .ok()
                .and_then(|x| <[u8; 32]>::try_from(x).ok());
            if point.is_none_or(|x| ed25519_dalek::VerifyingKey::from_bytes(&x).is_err()) {
                return Err("the JWK's `x` is not an Ed25519 public key".into());
            }
        }
        AlgorithmParameters::EllipticCurve(params) => {
            let coordinate = |text: &str| {
                URL_SAFE_NO_PAD
                    .decode(text)
                    .ok()
                    .filter(|bytes| bytes.len() == 32)
            };
            let on_curve = match (coordinate(&params.x), coordinate(&params.y)) {
                (Some(x), Some(y)) => {
                    let point = [&[4u8][..], &x, &y].concat();
                    p256::PublicKey::from_sec1_bytes(&point).is_ok()
                }
                _ => false,
            };
            if !on_curve {
                return Err("the JWK's point is not on P-256, which ES256 requires".into());
            }
        }
        AlgorithmParameters::RSA(params) => {
            let modulus = URL_SAFE_NO_PAD
                .decode(&params.n)
                .map_err(|_| "the JWK's RSA modulus `n` is not base64url")?;
            let bits = rsa::BigUint::from_bytes_be(&modulus).bits();
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "the RSA key has {bits} bits; at least {MIN_RSA_BITS} are needed"
                ));
            }
        }
        _ => {}
    }
    DecodingKey::from_jwk(&jwk).map_err(|err| format!("the JWK cannot be used ({err})"))
}
