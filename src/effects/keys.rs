//! Key files: generating a key pair (the only randomness in pkgm), writing the private key
//! with mode 0600 and never over an existing file, and reading a private key to sign with.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::Engine;
use jsonwebtoken::EncodingKey;
use p256::pkcs8::der::zeroize::Zeroizing;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rand_core::OsRng;
use rsa::traits::PublicKeyParts;

use crate::core::trust::trust_store::{MIN_HMAC_SECRET_BYTES, MIN_RSA_BITS};
use crate::core::trust::SigningAlgorithm;

use super::bounded_read::{read_bounded, BoundedReadError};
use super::private_dir::create_private_dir_all;
use super::trust_file::MAX_KEY_FILE_BYTES;

/// RSA keys made by `keygen`: 3072 bits, NIST's level for keys used past 2030.
pub const RSA_BITS: usize = 3072;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("`{path}` already exists; pkgm never overwrites a key\nhint: choose another `--out`, or remove the old key yourself")]
    Exists { path: PathBuf },
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot generate a {algorithm} key: {reason}")]
    Generate {
        algorithm: SigningAlgorithm,
        reason: String,
    },
    #[error(transparent)]
    Read(#[from] BoundedReadError),
    #[error("`{path}` is not a private key pkgm can sign with: {reason}\nhint: use a key made by `pkgm keygen` or `openssl genpkey` (Ed25519, P-256 or RSA, in PEM)")]
    Unusable { path: PathBuf, reason: String },
}

/// A freshly generated key pair, PEM encoded. The private half is wiped on drop.
pub struct KeyPair {
    pub algorithm: SigningAlgorithm,
    pub private_pem: Zeroizing<String>,
    pub public_pem: String,
}

pub fn generate(algorithm: SigningAlgorithm) -> Result<KeyPair, KeyError> {
    let fail = |reason: String| KeyError::Generate { algorithm, reason };
    let (private_pem, public_pem) = match algorithm {
        SigningAlgorithm::EdDSA => {
            let key = ed25519_dalek::SigningKey::generate(&mut OsRng);
            // PKCS#8 v1 (no public key inside), as `openssl genpkey` writes it: OpenSSL 3.0
            // and Python's `cryptography` cannot read the v2 form.
            let v1 = ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: key.to_bytes(),
                public_key: None,
            };
            (
                v1.to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| fail(e.to_string()))?,
                key.verifying_key()
                    .to_public_key_pem(LineEnding::LF)
                    .map_err(|e| fail(e.to_string()))?,
            )
        }
        SigningAlgorithm::ES256 => {
            let key = p256::SecretKey::random(&mut OsRng);
            (
                key.to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| fail(e.to_string()))?,
                key.public_key()
                    .to_public_key_pem(LineEnding::LF)
                    .map_err(|e| fail(e.to_string()))?,
            )
        }
        SigningAlgorithm::RS256 => {
            let key =
                rsa::RsaPrivateKey::new(&mut OsRng, RSA_BITS).map_err(|e| fail(e.to_string()))?;
            (
                key.to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| fail(e.to_string()))?,
                key.to_public_key()
                    .to_public_key_pem(LineEnding::LF)
                    .map_err(|e| fail(e.to_string()))?,
            )
        }
        SigningAlgorithm::HS256 => {
            return Err(fail("HS256 uses a shared secret, not a key pair".into()))
        }
    };
    Ok(KeyPair {
        algorithm,
        private_pem,
        public_pem,
    })
}

/// `KEY` → `KEY.pub`.
pub fn public_key_path(private: &Path) -> PathBuf {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Writes `out` (mode 0600) and `out.pub`; neither may exist. Returns the public key's path.
pub fn write_key_pair(out: &Path, pair: &KeyPair) -> Result<PathBuf, KeyError> {
    let public = public_key_path(out);
    for path in [out, public.as_path()] {
        if path.symlink_metadata().is_ok() {
            return Err(KeyError::Exists {
                path: path.to_path_buf(),
            });
        }
    }
    if let Some(parent) = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
    {
        create_private_dir_all(parent).map_err(|source| KeyError::Write {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    write_new(out, pair.private_pem.as_bytes(), 0o600)?;
    if let Err(err) = write_new(&public, pair.public_pem.as_bytes(), 0o644) {
        // Only ever removes the file this call created a moment ago.
        let _ = std::fs::remove_file(out);
        return Err(err);
    }
    Ok(public)
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyError> {
    let fail = |source: std::io::Error| match source.kind() {
        std::io::ErrorKind::AlreadyExists => KeyError::Exists {
            path: path.to_path_buf(),
        },
        _ => KeyError::Write {
            path: path.to_path_buf(),
            source,
        },
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(fail)?;
    // The umask may only have narrowed `mode`; make it exact.
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)
}

/// A private key ready to sign with.
pub struct SigningKey {
    pub algorithm: SigningAlgorithm,
    pub key: EncodingKey,
    /// Whether group or others may read the key file (worth a warning).
    pub readable_by_others: bool,
}

/// Reads a PKCS#8 PEM private key (Ed25519, P-256 or RSA), or an HS256 secret (base64 text).
pub fn read_signing_key(path: &Path) -> Result<SigningKey, KeyError> {
    let bytes = Zeroizing::new(read_bounded(path, MAX_KEY_FILE_BYTES)?);
    let unusable = |reason: &str| KeyError::Unusable {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| unusable("it is not text"))?;
    // Keys as OpenSSL's older commands write them: SEC1 EC and PKCS#1 RSA, read as PKCS#8.
    let converted: Option<Zeroizing<String>> = if text.contains("-----BEGIN EC PRIVATE KEY-----") {
        use p256::elliptic_curve::SecretKey;
        let key: SecretKey<p256::NistP256> = SecretKey::from_sec1_pem(text).map_err(|_| {
            unusable("it is a SEC1 EC key, but not on P-256 (the only curve ES256 allows)")
        })?;
        Some(
            key.to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| unusable(&e.to_string()))?,
        )
    } else if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        let key = rsa::RsaPrivateKey::from_pkcs1_pem(text)
            .map_err(|e| unusable(&format!("it is a PKCS#1 RSA key that cannot be read ({e})")))?;
        Some(
            key.to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| unusable(&e.to_string()))?,
        )
    } else {
        None
    };
    let text: &str = converted.as_deref().map_or(text, |pem| pem.as_str());
    let bytes = text.as_bytes();
    let (algorithm, key) = if ed25519_dalek::SigningKey::from_pkcs8_pem(text).is_ok() {
        let key = EncodingKey::from_ed_pem(bytes).map_err(|e| unusable(&e.to_string()))?;
        (SigningAlgorithm::EdDSA, key)
    } else if p256::SecretKey::from_pkcs8_pem(text).is_ok() {
        let key = EncodingKey::from_ec_pem(bytes).map_err(|e| unusable(&e.to_string()))?;
        (SigningAlgorithm::ES256, key)
    } else if let Ok(rsa) = rsa::RsaPrivateKey::from_pkcs8_pem(text) {
        if rsa.n().bits() < MIN_RSA_BITS {
            return Err(unusable(&format!(
                "the RSA key has fewer than {MIN_RSA_BITS} bits"
            )));
        }
        let key = EncodingKey::from_rsa_pem(bytes).map_err(|e| unusable(&e.to_string()))?;
        (SigningAlgorithm::RS256, key)
    } else if text.contains("-----BEGIN") {
        return Err(unusable(
            "it is PEM, but not an Ed25519, P-256 or RSA private key (PKCS#8, SEC1 or PKCS#1); \
             convert one with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem`",
        ));
    } else {
        let secret = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|_| unusable("it is neither PEM nor a base64 HS256 secret"))?,
        );
        if secret.len() < MIN_HMAC_SECRET_BYTES {
            return Err(unusable("an HS256 secret needs at least 32 bytes"));
        }
        (SigningAlgorithm::HS256, EncodingKey::from_secret(&secret))
    };
    let readable_by_others = std::fs::metadata(path)
        .map(|meta| meta.permissions().mode() & 0o077 != 0)
        .unwrap_or(false);
    Ok(SigningKey {
        algorithm,
        key,
        readable_by_others,
    })
}
