//! The trust file and the key files it names decide what pkgm trusts: refused, as ssh
//! refuses such files, when someone besides their reader (or root) could change them.

use std::os::unix::fs::PermissionsExt;

use super::signed_sandbox::{public_key, Sandbox};

fn chmod(path: &std::path::Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn signed() -> (Sandbox, std::path::PathBuf) {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    sandbox.trust(&[("ops", "EdDSA", &key, "\"packages\"")], "");
    sandbox.interpreter_manifest(1, "");
    sandbox.sign(&key, "ops", &[]);
    (sandbox, key)
}

#[test]
fn a_trust_file_or_key_others_can_write_is_refused() {
    let (sandbox, key) = signed();
    let accepted = sandbox.run(&["verify", "manifest.yaml"]);
    assert_eq!(accepted.code(), 0, "{accepted}");

    let trust = sandbox.trust_path();
    let public = public_key(&key);
    let folder = trust.parent().unwrap().to_path_buf();
    for (path, mode, problem) in [
        (&trust, 0o666, "can be written by anyone (mode 0666)"),
        (&public, 0o646, "can be written by anyone (mode 0646)"),
        (&folder, 0o777, "is in a folder others can change"),
    ] {
        let before = std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
        chmod(path, mode);
        for args in [
            vec!["verify", "manifest.yaml"],
            vec!["apply", "manifest.yaml", "--yes"],
        ] {
            let run = sandbox.run(&args);
            assert_eq!(run.code(), 1, "{path:?} {mode:o} {args:?}: {run}");
            assert!(run.stderr().contains(problem), "{path:?} {mode:o}: {run}");
            assert!(
                run.stderr().contains("hint: run `chmod go-w "),
                "{path:?} {mode:o}: {run}"
            );
        }
        chmod(path, before);
    }
    // Group write is the reader's alone when the group is its own (umask 002 systems).
    chmod(&trust, 0o664);
    let accepted = sandbox.run(&["verify", "manifest.yaml"]);
    assert_eq!(accepted.code(), 0, "{accepted}");
    chmod(&trust, 0o644);
    // A folder with the sticky bit (like /tmp) protects the files in it.
    chmod(&folder, 0o1777);
    let accepted = sandbox.run(&["verify", "manifest.yaml"]);
    assert_eq!(accepted.code(), 0, "{accepted}");
    // Nothing was applied through any of the refusals.
    assert!(sandbox
        .history()
        .iter()
        .all(|run| run["status"] != "succeeded"));
}

#[test]
fn a_trust_file_owned_by_another_user_is_refused() {
    // Only root can give a file away; elsewhere the rule is covered by the mode test.
    if unsafe { libc::getuid() } != 0 {
        eprintln!("note: not root; cannot make a file owned by another user");
        return;
    }
    let (sandbox, _) = signed();
    // Another group that may write it: refused.
    std::os::unix::fs::chown(sandbox.trust_path(), None, Some(65534)).unwrap();
    chmod(&sandbox.trust_path(), 0o664);
    let run = sandbox.run(&["verify", "manifest.yaml"]);
    assert_eq!(run.code(), 1, "{run}");
    assert!(
        run.stderr()
            .contains("can be written by its group (mode 0664)"),
        "{run}"
    );
    chmod(&sandbox.trust_path(), 0o644);
    std::os::unix::fs::chown(sandbox.trust_path(), Some(65534), None).unwrap();
    let run = sandbox.run(&["verify", "manifest.yaml"]);
    assert_eq!(run.code(), 1, "{run}");
    assert!(
        run.stderr().contains("belongs to another user (uid 65534)"),
        "{run}"
    );
}

#[test]
fn weak_or_private_keys_in_any_form_are_refused_at_load() {
    let (sandbox, _) = signed();
    let b64 = |bytes: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let zero = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode([0u8; 32])
    };
    for (algorithm, key_line, expected) in [
        (
            "EdDSA",
            format!(r#"public_key = '{{"kty":"OKP","crv":"Ed25519","x":"{x}","d":"{x}"}}'"#),
            "the JWK holds a private key (member `d`)",
        ),
        (
            "RS256",
            format!(
                r#"public_key = '{{"kty":"RSA","n":"{}","e":"AQAB"}}'"#,
                b64(&[0xc3; 64])
            ),
            "the RSA key has 512 bits; at least 2048 are needed",
        ),
        (
            "ES256",
            format!(
                r#"public_key = '{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}'"#,
                b64(&[1; 32]),
                b64(&[2; 32])
            ),
            "the JWK's point is not on P-256",
        ),
        (
            "HS256",
            format!("secret = \"{zero}\""),
            "the HS256 secret has only 1 distinct byte values",
        ),
    ] {
        std::fs::write(
            sandbox.trust_path(),
            format!("[[key]]\nkid = \"ops\"\nalgorithm = \"{algorithm}\"\n{key_line}\nscopes = [\"packages\"]\n"),
        )
        .unwrap();
        let run = sandbox.run(&["verify", "manifest.yaml"]);
        assert_eq!(run.code(), 1, "{algorithm}: {run}");
        assert!(run.stderr().contains(expected), "{algorithm}: {run}");
    }
}
