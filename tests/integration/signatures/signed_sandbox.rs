//! Signature tests on the harness's sandbox: keys made by the real `pkgm keygen`, a trust
//! file in the sandbox's config folder, manifests whose venv must never appear, and a forger
//! that signs any header and claims with a key file.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::pkgm::Run;
use crate::support::sandbox::MANIFEST_FILE;
use crate::support::Sandbox as Harness;

pub const DAY: i64 = 24 * 3600;

/// A harness sandbox seen from the signature tests: keys under `keys/`, the trust file in
/// the sandbox's config folder, the manifest and its venv at the sandbox's root.
pub struct Sandbox {
    harness: Harness,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            harness: Harness::new(),
        }
    }

    pub fn harness(&self) -> &Harness {
        &self.harness
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.harness.path().join(relative)
    }

    pub fn trust_path(&self) -> PathBuf {
        self.path("config/pkgm/trust.toml")
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.path(MANIFEST_FILE)
    }

    pub fn venv(&self) -> PathBuf {
        self.harness.venv_path()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.harness.pkgm().args(args).run()
    }

    /// `pkgm keygen`, returning the private key's path.
    pub fn keygen(&self, name: &str, algorithm: &str) -> PathBuf {
        let out = self.path(&format!("keys/{name}.pem"));
        let output = self.run(&[
            "keygen",
            "--out",
            out.to_str().unwrap(),
            "--algorithm",
            algorithm,
        ]);
        assert!((output.code() == 0), "keygen: {}", output.stderr());
        out
    }

    /// Writes the trust file from `(kid, algorithm, key, scopes)` entries.
    pub fn trust(&self, entries: &[(&str, &str, &Path, &str)], extra: &str) {
        let mut text = extra.to_string();
        for (kid, algorithm, key, scopes) in entries {
            text.push_str(&format!(
                "\n[[key]]\nkid = \"{kid}\"\nalgorithm = \"{algorithm}\"\npublic_key = \"{}\"\nscopes = [{scopes}]\n",
                public_key(key).display()
            ));
        }
        let path = self.trust_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A manifest whose venv lives beside it: its absence after a run proves nothing was installed.
    pub fn manifest(&self, revision: u64, extra: &str) -> PathBuf {
        let text = format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata:\n  name: demo\n  revision: {revision}\n\
             environment:\n  venv: .venv\n  prune: false\npackages: {{}}\n{extra}"
        );
        std::fs::write(self.manifest_path(), text).unwrap();
        self.manifest_path()
    }

    /// A manifest on the test's own `python3` with nothing to change: applies in a blink
    /// and never starts pip.
    pub fn interpreter_manifest(&self, revision: u64, extra: &str) -> PathBuf {
        let text = format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata:\n  name: demo\n  revision: {revision}\n\
             environment:\n  python: python3\n  prune: false\npackages: {{}}\n{extra}"
        );
        std::fs::write(self.manifest_path(), text).unwrap();
        self.manifest_path()
    }

    pub fn sign(&self, key: &Path, kid: &str, more: &[&str]) -> Run {
        let manifest = self.manifest_path();
        let mut args = vec![
            "sign",
            manifest.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--kid",
            kid,
        ];
        args.extend_from_slice(more);
        let output = self.run(&args);
        assert!((output.code() == 0), "sign: {}", output.stderr());
        output
    }

    pub fn signature_path(&self) -> PathBuf {
        self.path("manifest.yaml.sig")
    }

    pub fn write_signature(&self, token: &str) {
        std::fs::write(self.signature_path(), token).unwrap();
    }

    pub fn apply(&self) -> Run {
        self.run(&["apply", "--yes", self.manifest_path().to_str().unwrap()])
    }

    /// The JSON history, newest first.
    pub fn history(&self) -> Vec<Value> {
        let output = self.run(&["history", "--output", "json"]);
        assert!((output.code() == 0), "history: {}", output.stderr());
        serde_json::from_str(output.stdout()).expect("history JSON")
    }

    pub fn applied(&self) -> Value {
        let output = self.run(&["status", "--output", "json"]);
        assert!((output.code() == 0), "status: {}", output.stderr());
        let status: Value = serde_json::from_str(output.stdout()).expect("status JSON");
        status["applied"].clone()
    }

    /// The claims the manifest's current bytes need, valid for a day from now.
    pub fn claims(&self, revision: u64) -> Value {
        let bytes = std::fs::read(self.manifest_path()).unwrap();
        let now = now();
        json!({
            "iss": "ops", "aud": "pkgm-manifest", "sub": "demo", "rev": revision,
            "sha256": hex(&Sha256::digest(&bytes)), "len": bytes.len(),
            "iat": now, "exp": now + DAY, "scope": ["packages"],
        })
    }
}

pub fn public_key(private: &Path) -> PathBuf {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn header(alg: &str, kid: &str) -> Value {
    json!({ "alg": alg, "typ": "pkgm-manifest+jwt", "kid": kid })
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A compact JWS over any header and claims, signed with a PEM private key file.
pub fn forge(header: &Value, claims: &Value, algorithm: Algorithm, key_file: &Path) -> String {
    let pem = std::fs::read(key_file).unwrap();
    let key = match algorithm {
        Algorithm::EdDSA => EncodingKey::from_ed_pem(&pem).unwrap(),
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem).unwrap(),
        _ => EncodingKey::from_rsa_pem(&pem).unwrap(),
    };
    forge_with(header, claims, algorithm, &key)
}

pub fn forge_with(
    header: &Value,
    claims: &Value,
    algorithm: Algorithm,
    key: &EncodingKey,
) -> String {
    let message = format!("{}.{}", encode(header), encode(claims));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, algorithm).unwrap();
    format!("{message}.{signature}")
}

/// The claims of a token, read without checking anything.
pub fn claims_of(token: &str) -> Value {
    let payload = token.trim().split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

pub fn header_of(token: &str) -> Value {
    let header = token.trim().split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}
