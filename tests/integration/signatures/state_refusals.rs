//! Refusals decided by what was applied before, by scopes, sizes and the trust file; and
//! what is not a refusal (a re-apply, a retry after a failure).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::refusal::*;

#[test]
fn refuses_a_rollback() {
    let f = fixture();
    apply_signed_interpreter_manifest(&f, 2, "");
    f.sandbox.interpreter_manifest(1, "");
    let signed = f.sandbox.sign(&f.ops, "ops", &[]);
    assert!(
        signed
            .stderr()
            .contains("would refuse this signature: revision 1"),
        "sign warns where the state is at hand: {signed}"
    );
    assert_apply_refused(
        &f.sandbox,
        "older than revision 2, already applied (rollback)",
    );
    assert_eq!(f.sandbox.applied()[0]["revision"], 2);
}

#[test]
fn refuses_the_same_revision_with_other_bytes() {
    let f = fixture();
    apply_signed_interpreter_manifest(&f, 2, "");
    f.sandbox
        .interpreter_manifest(2, "# changed after review\n");
    let signed = f.sandbox.sign(&f.ops, "ops", &[]);
    assert!(signed.stderr().contains("(equivocation)"), "{signed}");
    assert_apply_refused(
        &f.sandbox,
        "already applied with other bytes (equivocation)",
    );
}

#[test]
fn the_same_revision_with_the_same_bytes_applies_again() {
    let f = fixture();
    apply_signed_interpreter_manifest(&f, 2, "");
    let again = f.sandbox.apply();
    assert!((again.code() == 0), "{}", again.stderr());
    assert_eq!(f.sandbox.history()[0]["status"], "succeeded");
}

#[test]
fn an_unsigned_experiment_does_not_move_the_rollback_mark() {
    let f = fixture();
    apply_signed_interpreter_manifest(&f, 2, "");
    f.sandbox.interpreter_manifest(99, "");
    std::fs::remove_file(f.sandbox.signature_path()).unwrap();
    let manifest = f.sandbox.manifest_path();
    let unsigned = f.sandbox.run(&[
        "apply",
        "--yes",
        "--allow-unsigned",
        manifest.to_str().unwrap(),
    ]);
    assert!((unsigned.code() == 0), "{}", unsigned.stderr());
    assert!(
        unsigned.stderr().contains("warning: using"),
        "{}",
        unsigned.stderr()
    );
    assert_eq!(f.sandbox.history()[0]["unsigned"], true);
    // The next signed revision is judged against revision 2, the last signed one.
    apply_signed_interpreter_manifest(&f, 3, "");
}

const USERS: &str = "users:\n  alice: { email: alice@example.com, role: admin, password_hash: \"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g\" }\n";

#[test]
fn refuses_a_users_change_signed_without_the_users_scope() {
    let f = fixture();
    f.sandbox.manifest(1, USERS);
    // `ops` may not sign users: sign warns, and claiming the scope is refused...
    let signed = f.sandbox.sign(&f.ops, "ops", &[]);
    assert!(
        signed
            .stderr()
            .contains("does not grant `ops` the scope users: apply on this machine would refuse"),
        "{signed}"
    );
    let refused = assert_apply_refused(&f.sandbox, "does not grant to `ops`");
    assert!(
        refused
            .stderr()
            .contains("hint: to let `ops` sign users, add \"users\" to `scopes`"),
        "{refused}"
    );
    // ...and not claiming it is refused too, since the manifest changes users.
    let signed = f.sandbox.sign(&f.ops, "ops", &["--scope", "packages"]);
    assert!(
        signed
            .stderr()
            .contains("the manifest has users but `--scope` leaves it out"),
        "{signed}"
    );
    assert_apply_refused(&f.sandbox, "the manifest changes users");
}

#[test]
fn refuses_oversized_files_before_parsing() {
    let f = fixture();
    let huge = format!("# {}\n", "x".repeat(1024 * 1024));
    f.sandbox.manifest(1, &huge);
    assert_apply_refused(&f.sandbox, "the limit is 1048576 bytes");
    let g = fixture();
    g.sandbox.write_signature(&"A".repeat(64 * 1024));
    assert_apply_refused(&g.sandbox, "the limit is 16384 bytes");
}

#[test]
fn verification_comes_before_the_environment_is_read() {
    let f = fixture();
    let text_ = "apiVersion: pkgm/v1\nkind: Manifest\nmetadata:\n  name: demo\n  revision: 1\n\
                 environment:\n  python: /nonexistent/bin/python3\npackages: {}\n";
    std::fs::write(f.sandbox.manifest_path(), text_).unwrap();
    let output = assert_apply_refused(&f.sandbox, "the signature is for other bytes");
    assert!(!output.stderr().contains("nonexistent"));
}

#[test]
fn the_trust_file_is_never_taken_from_the_manifests_folder() {
    let f = fixture();
    let trust = std::fs::read_to_string(f.sandbox.trust_path()).unwrap();
    std::fs::write(f.sandbox.path("trust.toml"), trust).unwrap();
    std::fs::remove_file(f.sandbox.trust_path()).unwrap();
    assert_apply_refused(&f.sandbox, "no trust file lists the keys");
}

#[test]
fn unusable_trust_files_are_refused_at_load() {
    let short = STANDARD.encode([1u8; 16]);
    let cases = [
        format!("[[key]]\nkid = \"ops\"\nalgorithm = \"HS256\"\nsecret = \"{short}\"\nscopes = [\"packages\"]\n"),
        "[[key]]\nkid = \"ops\"\nalgorithm = \"EdDSA\"\npublic_key = '{\"kty\":\"oct\",\"k\":\"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI\"}'\nscopes = [\"packages\"]\n".to_string(),
        "[[key]]\nkid = \"ops\"\nalgorithm = [\"EdDSA\", \"HS256\"]\npublic_key = \"x.pub\"\nscopes = [\"packages\"]\n".to_string(),
    ];
    for trust in cases {
        let f = fixture();
        let ops_entry = std::fs::read_to_string(f.sandbox.trust_path()).unwrap();
        std::fs::write(f.sandbox.trust_path(), format!("{ops_entry}\n{trust}")).unwrap();
        assert_apply_refused(&f.sandbox, "cannot use the trust file");
    }
    // A syntax error or an unknown field names the file, line and column, once.
    for (trust, expected) in [
        ("garbage [[\n", "line 1, column 9: key with no value, expected `=`"),
        (
            "[[key]]\nkid = \"a\"\nalgorithm = \"EdDSA\"\npublic_key = \"x.pub\"\nscope = [\"packages\"]\n",
            "line 5, column 1: unknown field `scope`",
        ),
    ] {
        let f = fixture();
        std::fs::write(f.sandbox.trust_path(), trust).unwrap();
        let output = assert_apply_refused(&f.sandbox, expected);
        let stderr = output.stderr();
        assert!(stderr.contains("error: cannot use the trust file `"), "{stderr}");
        assert_eq!(stderr.matches("trust file").count(), 2, "said once, plus the hint: {stderr}");
    }
}

#[test]
fn a_failed_apply_can_be_retried_with_the_same_signed_manifest() {
    let f = fixture();
    let missing = "packages:\n  pkgm-test-missing-dist: \"==1.0\"\n";
    let text_ = format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata:\n  name: demo\n  revision: 5\n\
         environment:\n  venv: .venv\n  no_index: true\n{missing}"
    );
    std::fs::write(f.sandbox.manifest_path(), text_).unwrap();
    f.sandbox.sign(&f.ops, "ops", &[]);
    for _ in 0..2 {
        let output = f.sandbox.apply();
        let stderr = output.stderr();
        assert_eq!(Some(output.code()), Some(1));
        assert!(stderr.contains("failed during"), "{stderr}");
        assert!(
            !stderr.contains("refusing"),
            "the retry was refused: {stderr}"
        );
        assert_eq!(f.sandbox.history()[0]["status"], "failed");
    }
}
