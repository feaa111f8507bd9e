//! `keygen`, `sign`, `verify`, `init` and `plan` as a person uses them.

use std::os::unix::fs::PermissionsExt;

use serde_json::{json, Value};

use super::signed_sandbox::*;

#[test]
fn keygen_writes_a_0600_private_key_and_never_overwrites_one() {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let private = std::fs::read_to_string(&key).unwrap();
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----"),
        "PKCS#8 PEM"
    );
    assert!(public_key(&key).exists());

    let again = sandbox.run(&["keygen", "--out", key.to_str().unwrap()]);
    assert_eq!(Some(again.code()), Some(1));
    assert!(again
        .stderr()
        .contains("already exists; pkgm never overwrites a key"));
    assert_eq!(
        std::fs::read_to_string(&key).unwrap(),
        private,
        "the key changed"
    );
}

#[test]
fn keygen_prints_a_trust_entry_that_loads() {
    let sandbox = Sandbox::new();
    let out = sandbox.path("keys/ops-2026.pem");
    let output = sandbox.run(&["keygen", "--out", out.to_str().unwrap()]);
    let stdout = output.stdout();
    let entry = &stdout[stdout.find("[[key]]").expect("an entry")..];
    assert!(
        entry.contains("kid = \"ops-2026\"\nalgorithm = \"EdDSA\""),
        "{entry}"
    );
    std::fs::create_dir_all(sandbox.trust_path().parent().unwrap()).unwrap();
    std::fs::write(sandbox.trust_path(), entry).unwrap();
    sandbox.manifest(1, "");
    sandbox.sign(&out, "ops-2026", &[]);
    let verify = sandbox.run(&["verify", sandbox.manifest_path().to_str().unwrap()]);
    assert!((verify.code() == 0), "{}", verify.stderr());
}

#[test]
fn keygen_sign_verify_apply_works_for_every_algorithm() {
    for (algorithm, pinned) in [("ed25519", "EdDSA"), ("es256", "ES256"), ("rs256", "RS256")] {
        let sandbox = Sandbox::new();
        let key = sandbox.keygen("signer", algorithm);
        sandbox.trust(&[("signer", pinned, &key, "\"packages\"")], "");
        let manifest = sandbox.interpreter_manifest(1, "");
        sandbox.sign(&key, "signer", &[]);

        let verify = sandbox.run(&["verify", manifest.to_str().unwrap(), "--output", "json"]);
        assert!((verify.code() == 0), "{algorithm}: {}", verify.stderr());
        let report: Value = serde_json::from_str(verify.stdout()).unwrap();
        assert_eq!(report["accepted"], true);
        assert_eq!(report["algorithm"], pinned);
        assert_eq!(report["kid"], "signer");
        assert_eq!(report["revision"], 1);
        assert_eq!(report["scopes"], json!(["packages"]));

        let apply = sandbox.apply();
        assert!((apply.code() == 0), "{algorithm}: {}", apply.stderr());
        let last = &sandbox.history()[0];
        assert_eq!(last["status"], "succeeded");
        assert_eq!(last["signed_by"], "signer");
        assert_eq!(last["unsigned"], false);
    }
}

#[test]
fn sign_writes_the_header_and_claims_of_the_design() {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    let manifest = sandbox.manifest(4, "");
    let output = sandbox.sign(&key, "ops", &[]);
    assert!(output.stdout().starts_with("Signed `demo` revision 4"));
    let token = std::fs::read_to_string(sandbox.signature_path()).unwrap();
    assert_eq!(
        header_of(&token),
        json!({ "alg": "EdDSA", "typ": "pkgm-manifest+jwt", "kid": "ops" })
    );
    let claims = claims_of(&token);
    let bytes = std::fs::read(&manifest).unwrap();
    assert_eq!(claims["iss"], "ops");
    assert_eq!(claims["aud"], "pkgm-manifest");
    assert_eq!(claims["sub"], "demo");
    assert_eq!(claims["rev"], 4);
    assert_eq!(claims["len"], bytes.len());
    assert_eq!(
        claims["sha256"],
        hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes))
    );
    assert_eq!(claims["scope"], json!(["packages"]));
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 30 * DAY, "the default is 30 days");
    assert!((claims["iat"].as_i64().unwrap() - now()).abs() < 60);

    // A users section adds the users scope by default; `--scope` chooses.
    sandbox.manifest(5, "users: {}\n");
    sandbox.sign(&key, "ops", &["--expires", "1h"]);
    let claims = claims_of(&std::fs::read_to_string(sandbox.signature_path()).unwrap());
    assert_eq!(claims["scope"], json!(["packages", "users"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    sandbox.sign(&key, "ops", &["--scope", "users"]);
    let claims = claims_of(&std::fs::read_to_string(sandbox.signature_path()).unwrap());
    assert_eq!(claims["scope"], json!(["users"]));
}

#[test]
fn verify_says_who_signed_and_exits_1_with_the_reason_when_apply_would_refuse() {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &key, "\"packages\"")], "");
    let manifest = sandbox.interpreter_manifest(2, "");
    sandbox.sign(&key, "ops", &[]);
    let ok = sandbox.run(&["verify", manifest.to_str().unwrap()]);
    let stdout = ok.stdout();
    assert!(
        stdout.contains("valid signature; apply would accept it now"),
        "{stdout}"
    );
    assert!(stdout.contains("key:      `ops` (EdDSA)"), "{stdout}");
    assert!(stdout.contains("manifest: `demo` revision 2"), "{stdout}");
    assert!(
        !sandbox.path("state").exists(),
        "verify created a state database"
    );
    // Just past `exp` but inside the clock leeway: accepted, and it says so.
    let expires = sandbox.sign(&key, "ops", &["--expires", "1h"]);
    expires.expect_success();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let late = sandbox
        .harness()
        .pkgm()
        .args(["verify", manifest.to_str().unwrap()])
        .env("PKGM_NOW", (now + 3600 + 20).to_string())
        .run();
    late.expect_success();
    assert!(
        late.stdout()
            .contains("ago; still accepted within the clock leeway"),
        "{late}"
    );

    sandbox.apply().expect_success();
    sandbox.interpreter_manifest(1, "");
    sandbox.sign(&key, "ops", &[]);
    let rollback = sandbox.run(&["verify", manifest.to_str().unwrap()]);
    assert_eq!(Some(rollback.code()), Some(1));
    let stderr = rollback.stderr();
    assert!(stderr.contains("apply would refuse"), "{stderr}");
    assert!(stderr.contains("(rollback)"), "{stderr}");
    let json = sandbox.run(&["verify", manifest.to_str().unwrap(), "--output", "json"]);
    assert_eq!(Some(json.code()), Some(1));
    let report: Value = serde_json::from_str(json.stdout()).unwrap();
    assert_eq!(report["accepted"], false);
    assert!(report["reason"].as_str().unwrap().contains("rollback"));
}

#[test]
fn plan_shows_an_invalid_signature_and_refuses_only_when_required() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(1, "");
    let plan = sandbox.run(&["plan", manifest.to_str().unwrap()]);
    assert!((plan.code() == 0), "{}", plan.stderr());
    let stdout = plan.stdout();
    assert!(
        stdout.contains("Signature: not valid, apply would refuse"),
        "{stdout}"
    );
    assert!(stdout.contains("(unsigned)"), "{stdout}");
    // No flag was given: the history does not claim one was.
    let run = sandbox.run(&["history", "1"]);
    assert!(
        run.stdout()
            .contains("unsigned (no valid signature; a plan only reports it)"),
        "{run}"
    );

    let required = sandbox.run(&["plan", "--require-signature", manifest.to_str().unwrap()]);
    assert_eq!(Some(required.code()), Some(1));
    assert!(required.stderr().contains("it has no signature"));
    assert_eq!(sandbox.history()[0]["status"], "refused");
    assert!(sandbox
        .run(&["history", "2"])
        .stdout()
        .contains("  no signature\n"));
    assert!(!sandbox.venv().exists());
}

#[test]
fn init_scaffolds_a_signed_manifest_that_plans_at_once() {
    let sandbox = Sandbox::new();
    let init = sandbox.run(&["init", "shop"]);
    assert!((init.code() == 0), "{}", init.stderr());
    let key = sandbox.path("config/pkgm/keys/shop-local.pem");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(sandbox.trust_path().exists());
    for folder in ["config/pkgm", "config/pkgm/keys"] {
        let mode = std::fs::metadata(sandbox.path(folder))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{folder} is {mode:o}");
    }
    assert!(sandbox.path("shop/pkgm.yaml.sig").exists());
    let plan = sandbox.run(&["plan", "shop/pkgm.yaml"]);
    assert!((plan.code() == 0), "{}", plan.stderr());
    assert!(plan.stdout().contains("Signature: valid, key `shop-local`"));

    let again = sandbox.run(&["init", "shop"]);
    assert_eq!(Some(again.code()), Some(1));
    assert!(again.stderr().contains("already exists"));
}

#[test]
fn sign_takes_the_key_id_from_the_key_file_name_by_default() {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops-2026", "es256");
    sandbox.manifest(1, "");
    let manifest = sandbox.manifest_path();
    sandbox
        .run(&[
            "sign",
            manifest.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ])
        .expect_success();
    let token = std::fs::read_to_string(sandbox.signature_path()).unwrap();
    assert_eq!(header_of(&token)["kid"], "ops-2026");
    assert_eq!(header_of(&token)["alg"], "ES256");
}

#[test]
fn sign_refuses_a_key_that_is_not_the_one_trusted_under_its_kid_and_writes_nothing() {
    let sandbox = Sandbox::new();
    let trusted = sandbox.keygen("ops", "ed25519");
    let other = sandbox.keygen("other", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &trusted, "\"packages\"")], "");
    let manifest = sandbox.manifest(1, "");
    let refused = sandbox.run(&[
        "sign",
        manifest.to_str().unwrap(),
        "--key",
        other.to_str().unwrap(),
        "--kid",
        "ops",
    ]);
    assert_eq!(refused.code(), 1, "{}", refused.stderr());
    assert!(
        refused.stderr().contains("is not the one the trust file")
            && refused.stderr().contains("nothing was written")
            && refused
                .stderr()
                .contains("hint: sign with the private key of `ops`"),
        "{}",
        refused.stderr()
    );
    assert!(!sandbox.signature_path().exists());
}

#[test]
fn sign_strict_turns_warnings_into_a_refusal() {
    let sandbox = Sandbox::new();
    let trusted = sandbox.keygen("ops", "ed25519");
    let unlisted = sandbox.keygen("unlisted", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &trusted, "\"packages\"")], "");
    let manifest = sandbox.manifest(1, "");
    let strict = sandbox.run(&[
        "sign",
        manifest.to_str().unwrap(),
        "--key",
        unlisted.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(strict.code(), 1, "{}", strict.stderr());
    assert!(
        strict.stderr().contains("not signing")
            && strict.stderr().contains("does not list `unlisted`"),
        "{}",
        strict.stderr()
    );
    assert!(!sandbox.signature_path().exists());
    // Without --strict it is a warning, and the signature is written.
    let lenient = sandbox.sign(&unlisted, "unlisted", &[]);
    assert!(
        lenient.stderr().contains("does not list `unlisted`"),
        "{}",
        lenient.stderr()
    );
    assert!(sandbox.signature_path().exists());
    // A clean signature passes --strict.
    sandbox.sign(&trusted, "ops", &["--strict"]);
}

#[test]
fn sign_bump_raises_the_revision_past_the_applied_one_and_signs() {
    let sandbox = super::signed_sandbox::Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &key, "\"packages\"")], "");
    sandbox.interpreter_manifest(3, "");
    sandbox.sign(&key, "ops", &[]);
    let applied = sandbox.apply();
    assert_eq!(applied.code(), 0, "{applied}");
    // Edited without raising the revision: apply says how to fix it in one step.
    let edited = std::fs::read_to_string(sandbox.manifest_path()).unwrap() + "# reviewed\n";
    std::fs::write(sandbox.manifest_path(), &edited).unwrap();
    let refused = sandbox.apply();
    assert_eq!(refused.code(), 1, "{refused}");
    assert!(refused.stderr().contains("`pkgm sign --bump`"), "{refused}");

    let bumped = sandbox.sign(&key, "ops", &["--bump"]);
    assert!(
        bumped.stderr().contains("Raised `demo` to revision 4 in `"),
        "{bumped}"
    );
    assert!(
        bumped.stdout().contains("Signed `demo` revision 4"),
        "{bumped}"
    );
    let text = std::fs::read_to_string(sandbox.manifest_path()).unwrap();
    assert_eq!(text, edited.replace("revision: 3", "revision: 4"));
    let applied = sandbox.apply();
    assert_eq!(applied.code(), 0, "{applied}");
}

#[test]
fn status_flags_a_revision_applied_without_a_signature() {
    let sandbox = super::signed_sandbox::Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &key, "\"packages\"")], "");
    sandbox.interpreter_manifest(1, "");
    sandbox.sign(&key, "ops", &[]);
    assert_eq!(sandbox.apply().code(), 0);
    let signed = sandbox.run(&["status"]);
    assert!(
        signed.stdout().starts_with("demo: revision 1 applied "),
        "{signed}"
    );
    assert!(!signed.stdout().contains("unsigned"), "{signed}");
    sandbox.interpreter_manifest(2, "");
    let unsigned = sandbox.run(&["apply", "manifest.yaml", "--yes", "--allow-unsigned"]);
    assert_eq!(unsigned.code(), 0, "{unsigned}");
    let status = sandbox.run(&["status"]);
    assert!(
        status.stdout().contains("demo: revision 2 applied ")
            && status.stdout().contains(", unsigned (--allow-unsigned)\n"),
        "{status}"
    );
}

#[test]
fn history_and_status_json_give_times_in_rfc_3339() {
    let sandbox = super::signed_sandbox::Sandbox::new();
    sandbox.interpreter_manifest(1, "");
    let applied = sandbox.run(&["apply", "manifest.yaml", "--yes", "--allow-unsigned"]);
    assert_eq!(applied.code(), 0, "{applied}");
    let run = &sandbox.history()[0];
    let status = sandbox.run(&["status", "--output", "json"]).stdout_json();
    let applied = &status["applied"][0];
    for (what, value) in [
        ("started_at", &run["started_at"]),
        ("finished_at", &run["finished_at"]),
        ("applied_at", &applied["applied_at"]),
    ] {
        let text = value.as_str().unwrap_or_else(|| panic!("{what}: {value}"));
        assert!(
            text.len() == 24 && text.ends_with('Z') && text.as_bytes()[10] == b'T',
            "{what}: {text}"
        );
    }
    let text = format!("{run} {status}");
    assert!(!text.contains("_ms\""), "{text}");
}

#[test]
fn init_quotes_paths_it_suggests_and_says_how_it_named_the_manifest() {
    let sandbox = Sandbox::new();
    let init = sandbox.run(&["init", "My Project"]);
    assert_eq!(init.code(), 0, "{init}");
    assert!(
        init.stdout()
            .contains("  pkgm plan 'My Project/pkgm.yaml'\n"),
        "{init}"
    );
    assert!(
        init.stdout().contains("--kid my-project-local --bump\n"),
        "{init}"
    );
    assert!(
        init.stderr()
            .contains("named the manifest `my-project` after the folder `my project`"),
        "{init}"
    );
    // The suggested command works as printed (without the quotes a shell would strip).
    let plan = sandbox.run(&["plan", "My Project/pkgm.yaml"]);
    assert_eq!(plan.code(), 0, "{plan}");
    let unicode = sandbox.run(&["init", "Über"]);
    assert_eq!(unicode.code(), 0, "{unicode}");
    assert!(
        unicode.stderr().contains("named the manifest `ber`"),
        "{unicode}"
    );
}

#[test]
fn plan_says_when_a_signature_has_expired_within_the_clock_leeway() {
    let sandbox = super::signed_sandbox::Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &key, "\"packages\"")], "");
    sandbox.interpreter_manifest(1, "");
    let t0: i64 = 1_900_000_000;
    let at = |seconds: i64, args: &[&str]| {
        sandbox
            .harness()
            .pkgm()
            .env("PKGM_NOW", seconds.to_string())
            .args(args)
            .run()
    };
    let signed = at(
        t0,
        &[
            "sign",
            "manifest.yaml",
            "--key",
            key.to_str().unwrap(),
            "--kid",
            "ops",
            "--expires",
            "60s",
        ],
    );
    assert_eq!(signed.code(), 0, "{signed}");
    let plan = at(t0 + 90, &["plan", "manifest.yaml"]);
    assert_eq!(plan.code(), 0, "{plan}");
    assert!(
        plan.stdout()
            .contains("(30s ago; still accepted within the clock leeway)."),
        "{plan}"
    );
    let fresh = at(t0 + 10, &["plan", "manifest.yaml"]);
    assert!(!fresh.stdout().contains("ago"), "{fresh}");
}
