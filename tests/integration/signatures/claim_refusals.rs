//! Refusals decided by the claims: times, lifetime, JSON types and ranges, subject.

use serde_json::{json, Value};

use super::refusal::*;
use super::signed_sandbox::*;

#[test]
fn refuses_bad_times() {
    let now = now();
    type Edit = fn(&mut serde_json::Map<String, Value>, i64);
    let cases: [(&str, Edit); 4] = [
        ("the claim `exp` is missing", |c, _| {
            c.remove("exp");
        }),
        ("the signature expired at", |c, now| {
            c.insert("iat".into(), json!(now - 2 * DAY));
            c.insert("exp".into(), json!(now - DAY));
        }),
        ("is not valid before", |c, now| {
            c.insert("nbf".into(), json!(now + 600));
        }),
        ("is not valid before", |c, now| {
            c.insert("iat".into(), json!(now + 600));
        }),
    ];
    for (reason, edit) in cases {
        let f = fixture();
        let claims = edited(f.sandbox.claims(1), |c| edit(c, now));
        forge_ops(&f, &header("EdDSA", "ops"), &claims);
        assert_apply_refused(&f.sandbox, reason);
    }
}

#[test]
fn refuses_a_lifetime_above_the_trust_files_maximum() {
    let f = fixture();
    f.sandbox.sign(&f.ops, "ops", &["--expires", "91d"]);
    assert_apply_refused(&f.sandbox, "valid for 91d, longer than the 90d");
    // A trust file may lower the maximum.
    let g = fixture();
    g.sandbox.trust(
        &[("ops", "EdDSA", &g.ops, "\"packages\"")],
        "max_lifetime = \"7d\"\n",
    );
    assert_apply_refused(&g.sandbox, "longer than the 7d");
}

#[test]
fn refuses_claims_of_the_wrong_json_type_or_out_of_range() {
    type Edit = fn(&mut serde_json::Map<String, Value>);
    let cases: [(&str, Edit); 5] = [
        ("the claim `exp` must be", |c| {
            let exp = c["exp"].as_i64().unwrap().to_string();
            c.insert("exp".into(), json!(exp));
        }),
        ("the claim `exp` must be", |c| {
            let exp = c["exp"].as_i64().unwrap() as f64 + 0.5;
            c.insert("exp".into(), json!(exp));
        }),
        ("the claim `rev` must be", |c| {
            c.insert("rev".into(), json!("1"));
        }),
        ("the claim `rev` is out of range", |c| {
            c.insert("rev".into(), json!(1u64 << 60));
        }),
        ("the claim `exp` is out of range", |c| {
            c.insert("exp".into(), json!(u64::MAX));
        }),
    ];
    for (reason, edit) in cases {
        let f = fixture();
        let claims = edited(f.sandbox.claims(1), edit);
        forge_ops(&f, &header("EdDSA", "ops"), &claims);
        assert_apply_refused(&f.sandbox, reason);
    }
}

#[test]
fn refuses_a_signature_for_another_manifest_name() {
    let f = fixture();
    let claims = edited(f.sandbox.claims(1), |c| {
        c.insert("sub".into(), json!("billing"));
    });
    forge_ops(&f, &header("EdDSA", "ops"), &claims);
    assert_apply_refused(&f.sandbox, "is for manifest `billing`");
}

#[test]
fn refuses_an_issuer_other_than_the_key() {
    let f = fixture();
    let claims = edited(f.sandbox.claims(1), |c| {
        c.insert("iss".into(), json!("release-team"));
    });
    forge_ops(&f, &header("EdDSA", "ops"), &claims);
    let refused = assert_apply_refused(
        &f.sandbox,
        "the signature's issuer (`release-team`) is not its key `ops`",
    );
    assert!(refused
        .stderr()
        .contains("hint: a signature speaks only for the key that made it"));
    let verify = f.sandbox.run(&["verify", "manifest.yaml"]);
    assert_eq!(verify.code(), 1, "{verify}");
}

#[test]
fn refuses_a_claim_or_header_member_named_twice() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use jsonwebtoken::{Algorithm, EncodingKey};
    let f = fixture();
    let claims = f.sandbox.claims(1).to_string();
    let header = header("EdDSA", "ops").to_string();
    let key = EncodingKey::from_ed_pem(&std::fs::read(&f.ops).unwrap()).unwrap();
    // A reader taking the first `rev` sees revision 1; one taking the last, revision 9.
    let twice =
        |json: &str, member: &str| format!("{},{member}}}", json.strip_suffix('}').unwrap());
    for (header, claims, reason) in [
        (
            header.clone(),
            twice(&claims, "\"rev\":9"),
            "the payload names `rev` twice",
        ),
        (
            header.clone(),
            twice(&claims, "\"scope\":[\"packages\",\"users\"]"),
            "the payload names `scope` twice",
        ),
        (
            twice(&header, "\"kid\":\"other\""),
            claims.clone(),
            "the header names `kid` twice",
        ),
    ] {
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&header),
            URL_SAFE_NO_PAD.encode(&claims)
        );
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::EdDSA).unwrap();
        f.sandbox.write_signature(&format!("{message}.{signature}"));
        assert_apply_refused(&f.sandbox, reason);
    }
}
