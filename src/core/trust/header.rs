//! Reads a token's protected header ourselves, before any cryptography, so that `crit`,
//! `typ` and `alg: none` are refused on our terms and the key is chosen only by `kid`.
//! Keys offered inside the header (`jwk`, `jku`, `x5u`, `x5c`) are never used.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};

use super::signature_error::{quoted, SignatureError};
use super::MANIFEST_TOKEN_TYPE;

/// The three parts of a compact JWS, still encoded.
#[derive(Debug, Clone, Copy)]
pub struct CompactToken<'a> {
    pub text: &'a str,
    pub header: &'a str,
    pub payload: &'a str,
    pub signature: &'a str,
}

/// What the header says, once it passed our checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHeader {
    pub alg: String,
    pub kid: String,
}

fn malformed(reason: impl Into<String>) -> SignatureError {
    SignatureError::Malformed {
        reason: reason.into(),
    }
}

/// Splits `header.payload.signature`; surrounding whitespace (a trailing newline) is ignored.
pub fn split(token: &str) -> Result<CompactToken<'_>, SignatureError> {
    let text = token.trim();
    if text.is_empty() {
        return Err(malformed("the signature file is empty"));
    }
    let alphabet_ok = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !alphabet_ok {
        return Err(malformed("it holds characters outside base64url and `.`"));
    }
    let parts: Vec<&str> = text.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return Err(malformed(format!(
            "it has {} parts; a compact JWS has 3",
            parts.len()
        )));
    };
    Ok(CompactToken {
        text,
        header,
        payload,
        signature,
    })
}

/// Decodes one base64url part into a JSON object.
pub fn decode_object(part: &str, what: &str) -> Result<Map<String, Value>, SignatureError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| malformed(format!("the {what} is not base64url")))?;
    if !bytes.trim_ascii_start().starts_with(b"{") {
        return match serde_json::from_slice::<Value>(&bytes) {
            Ok(_) => Err(malformed(format!("the {what} is not a JSON object"))),
            Err(err) => Err(malformed(format!("the {what} is not JSON ({err})"))),
        };
    }
    match serde_json::from_slice::<UniqueObject>(&bytes) {
        Ok(UniqueObject(map)) => Ok(map),
        Err(err) => match err.to_string().strip_prefix(DUPLICATE) {
            Some(rest) => Err(malformed(format!(
                "the {what} names {} twice, and readers may disagree on which one counts",
                rest.split(" at line").next().unwrap_or(rest)
            ))),
            None => Err(malformed(format!("the {what} is not JSON ({err})"))),
        },
    }
}

const DUPLICATE: &str = "duplicate member ";

/// A JSON object whose members are each named once: JSON parsers disagree on which of
/// two same-named members wins, so a signed token with one is refused, not interpreted.
struct UniqueObject(Map<String, Value>);

impl<'de> serde::Deserialize<'de> for UniqueObject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = UniqueObject;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut access: A,
            ) -> Result<UniqueObject, A::Error> {
                let mut map = Map::new();
                while let Some((key, value)) = access.next_entry::<String, Value>()? {
                    if map.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!(
                            "{DUPLICATE}{}",
                            quoted(&key)
                        )));
                    }
                    map.insert(key, value);
                }
                Ok(UniqueObject(map))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// Checks the header in the order that gives the clearest reason.
pub fn check_header(token: &CompactToken<'_>) -> Result<TokenHeader, SignatureError> {
    let header = decode_object(token.header, "header")?;
    if let Some(crit) = header.get("crit") {
        let names = match crit {
            Value::Array(items) => items
                .iter()
                .map(|item| quoted(item.as_str().unwrap_or("?")))
                .collect::<Vec<_>>()
                .join(", "),
            other => quoted(&other.to_string()),
        };
        return Err(SignatureError::CriticalHeader { names });
    }
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        Some(_) => return Err(malformed("`alg` is not a string")),
        None => return Err(malformed("the header has no `alg`")),
    };
    if alg.eq_ignore_ascii_case("none") {
        return Err(SignatureError::AlgorithmNone);
    }
    if token.signature.is_empty() {
        return Err(SignatureError::EmptySignature);
    }
    match header.get("typ") {
        Some(Value::String(typ)) if is_manifest_type(typ) => {}
        Some(other) => {
            return Err(SignatureError::WrongType {
                found: quoted(other.as_str().unwrap_or(&other.to_string())),
            })
        }
        None => {
            return Err(SignatureError::WrongType {
                found: "missing".into(),
            })
        }
    }
    let kid = match header.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => kid.clone(),
        Some(Value::String(_)) | None => return Err(SignatureError::MissingKeyId),
        Some(_) => return Err(malformed("`kid` is not a string")),
    };
    Ok(TokenHeader { alg, kid })
}

/// Media types compare without case, and `application/` may be omitted (RFC 7515 §4.1.9).
fn is_manifest_type(typ: &str) -> bool {
    let typ = typ.to_ascii_lowercase();
    typ == MANIFEST_TOKEN_TYPE || typ.strip_prefix("application/") == Some(MANIFEST_TOKEN_TYPE)
}
