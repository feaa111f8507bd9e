//! Refusals decided by the token and the key: signature, algorithm, header, key id, type.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;

use super::refusal::*;
use super::signed_sandbox::*;

#[test]
fn a_signed_manifest_applies_and_the_history_says_who_signed() {
    let f = fixture();
    let output = f
        .sandbox
        .run(&["plan", f.sandbox.manifest_path().to_str().unwrap()]);
    assert!((output.code() == 0), "{}", output.stderr());
    assert!(output
        .stdout()
        .contains("Signature: valid, key `ops` (EdDSA)"));
    assert!(!f.sandbox.venv().exists(), "plan created the venv");
}

#[test]
fn refuses_a_manifest_without_signature() {
    let f = fixture();
    std::fs::remove_file(f.sandbox.signature_path()).unwrap();
    assert_apply_refused(&f.sandbox, "it has no signature");
    assert_eq!(f.sandbox.history()[0]["unsigned"], true);
}

#[test]
fn refuses_a_signature_for_other_bytes() {
    let f = fixture();
    let path = f.sandbox.manifest_path();
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() - 3; // inside the trailing comment: still a valid manifest
    bytes[at] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    assert_apply_refused(&f.sandbox, "the signature is for other bytes");
}

#[test]
fn tampered_bytes_are_refused_before_they_are_parsed() {
    // An attacker's edit that is not even a valid manifest: the user sees the signature
    // refusal, not a parse error about bytes no trusted key vouches for.
    let f = fixture();
    let path = f.sandbox.manifest_path();
    let signed = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{signed}packages:\n  evil: \"*\"\n")).unwrap();
    let output = assert_apply_refused(&f.sandbox, "the signature is for other bytes");
    assert!(!output.stderr().contains("duplicate"), "{output}");
    assert!(f.sandbox.history()[0]["sha256"].is_string());
    // Unparsed, it has no name: history names its file instead.
    let history = f.sandbox.run(&["history"]);
    assert!(
        history.stdout().contains("apply   [manifest.yaml]"),
        "{history}"
    );
    let detail = f.sandbox.run(&["history", "1"]);
    assert!(
        detail
            .stdout()
            .starts_with("run 1: apply of an unread manifest — refused\n  file     "),
        "{detail}"
    );
    // Status shows the reason, which names the file.
    let status = f.sandbox.run(&["status"]);
    status.expect_success();
    assert!(
        status
            .stdout()
            .contains("unread manifest: latest apply (run 1) refused: refusing the manifest `"),
        "{status}"
    );
    // Once the signed bytes are back and applied, the refusal is history, not status.
    std::fs::write(&path, signed).unwrap();
    f.sandbox.apply().expect_success();
    let status = f.sandbox.run(&["status"]);
    assert!(!status.stdout().contains("unread manifest"), "{status}");
    // JSON agrees with the text: the settled refusal is no longer a latest run.
    let json = f.sandbox.run(&["status", "--output", "json"]);
    let latest: serde_json::Value = serde_json::from_str(json.stdout()).unwrap();
    let runs = latest["latest_runs"].as_array().unwrap();
    assert!(runs.iter().all(|run| run["status"] != "refused"), "{json}");
}

#[test]
fn refuses_an_unknown_kid() {
    let f = fixture();
    let claims = f.sandbox.claims(1);
    forge_ops(&f, &header("EdDSA", "someone"), &claims);
    assert_apply_refused(&f.sandbox, "which the trust file does not list");
}

#[test]
fn refuses_a_trusted_kid_signed_by_another_key() {
    let f = fixture();
    let claims = f.sandbox.claims(1);
    let token = forge(
        &header("EdDSA", "ops"),
        &claims,
        Algorithm::EdDSA,
        &f.attacker,
    );
    f.sandbox.write_signature(&token);
    assert_apply_refused(&f.sandbox, "does not verify with the trusted key `ops`");
}

#[test]
fn refuses_alg_none() {
    let f = fixture();
    let claims = URL_SAFE_NO_PAD.encode(f.sandbox.claims(1).to_string());
    let header = URL_SAFE_NO_PAD.encode(header("none", "ops").to_string());
    f.sandbox.write_signature(&format!("{header}.{claims}."));
    assert_apply_refused(&f.sandbox, "`alg: none`");
}

#[test]
fn refuses_an_empty_signature() {
    let f = fixture();
    let token = forge(
        &header("EdDSA", "ops"),
        &f.sandbox.claims(1),
        Algorithm::EdDSA,
        &f.ops,
    );
    let unsigned = format!("{}.", token.rsplit_once('.').unwrap().0);
    f.sandbox.write_signature(&unsigned);
    assert_apply_refused(&f.sandbox, "the signature part of the token is empty");
}

#[test]
fn refuses_hs256_keyed_with_the_public_key() {
    let f = fixture();
    let public = std::fs::read(public_key(&f.ops)).unwrap();
    let key = EncodingKey::from_secret(&public);
    let token = forge_with(
        &header("HS256", "ops"),
        &f.sandbox.claims(1),
        Algorithm::HS256,
        &key,
    );
    f.sandbox.write_signature(&token);
    assert_apply_refused(&f.sandbox, "pins key `ops` to `EdDSA`");
}

#[test]
fn refuses_an_algorithm_other_than_the_pinned_one() {
    let f = fixture();
    let p256 = f.sandbox.keygen("p256", "es256");
    let token = forge(
        &header("ES256", "ops"),
        &f.sandbox.claims(1),
        Algorithm::ES256,
        &p256,
    );
    f.sandbox.write_signature(&token);
    assert_apply_refused(&f.sandbox, "the signature uses `ES256`");
}

#[test]
fn refuses_any_crit_header() {
    let f = fixture();
    let header = edited(header("EdDSA", "ops"), |h| {
        h.insert("crit".into(), json!(["exp"]));
    });
    forge_ops(&f, &header, &f.sandbox.claims(1));
    assert_apply_refused(&f.sandbox, "critical header extensions");
}

#[test]
fn keys_offered_in_the_header_are_ignored() {
    let f = fixture();
    let pem = std::fs::read_to_string(public_key(&f.attacker)).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = STANDARD.decode(body).unwrap();
    let x = URL_SAFE_NO_PAD.encode(&der[der.len() - 32..]);
    let header = edited(header("EdDSA", "ops"), |h| {
        h.insert(
            "jwk".into(),
            json!({ "kty": "OKP", "crv": "Ed25519", "x": x }),
        );
        h.insert("jku".into(), json!("https://attacker.invalid/jwks.json"));
        h.insert("x5u".into(), json!("https://attacker.invalid/cert.pem"));
        h.insert("x5c".into(), json!([STANDARD.encode(&der)]));
    });
    let token = forge(&header, &f.sandbox.claims(1), Algorithm::EdDSA, &f.attacker);
    f.sandbox.write_signature(&token);
    assert_apply_refused(&f.sandbox, "does not verify with the trusted key `ops`");
}

#[test]
fn a_kid_that_looks_like_a_path_or_sql_is_only_a_map_key() {
    for kid in [
        "../keys/ops.pem",
        "/etc/passwd",
        "ops' OR '1'='1",
        "ops\"; DROP TABLE runs; --",
    ] {
        let f = fixture();
        forge_ops(&f, &header("EdDSA", kid), &f.sandbox.claims(1));
        assert_apply_refused(&f.sandbox, "which the trust file does not list");
    }
}

#[test]
fn refuses_a_session_token_presented_as_a_signature() {
    let f = fixture();
    let session_header = json!({ "alg": "EdDSA", "typ": "JWT", "kid": "ops" });
    let now = now();
    let session = json!({ "sub": "alice", "aud": "pkgm-session", "iat": now, "exp": now + 3600, "role": "admin" });
    forge_ops(&f, &session_header, &session);
    assert_apply_refused(&f.sandbox, "is not a manifest signature (`typ`");
    // With the manifest `typ` forged in, the audience still gives it away.
    let claims = edited(f.sandbox.claims(1), |c| {
        c.insert("aud".into(), json!("pkgm-session"));
    });
    forge_ops(&f, &header("EdDSA", "ops"), &claims);
    assert_apply_refused(&f.sandbox, "is not a manifest signature (`aud`");
}
