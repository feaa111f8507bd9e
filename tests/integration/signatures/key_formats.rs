//! Keys move between pkgm and OpenSSL both ways: `pkgm keygen` writes PKCS#8 v1, which
//! `openssl pkey` reads, and `pkgm sign` takes what OpenSSL writes (PKCS#8, SEC1 EC,
//! PKCS#1 RSA).

use std::path::Path;
use std::process::Command;

use super::signed_sandbox::Sandbox;

/// `openssl`, or `None` (with a note) where it is missing and not required.
fn openssl() -> Option<&'static str> {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("PKGM_TEST_REQUIRE_OPENSSL").is_none(),
            "PKGM_TEST_REQUIRE_OPENSSL is set but `openssl` is not on PATH"
        );
        eprintln!("note: skipping: `openssl` is not on PATH");
        return None;
    }
    Some("openssl")
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn public_of(openssl: &str, key: &Path) {
    run(
        openssl,
        &[
            "pkey",
            "-in",
            key.to_str().unwrap(),
            "-pubout",
            "-out",
            &format!("{}.pub", key.display()),
        ],
    );
}

#[test]
fn keygen_keys_are_read_by_openssl() {
    let Some(openssl) = openssl() else { return };
    let sandbox = Sandbox::new();
    for algorithm in ["ed25519", "es256", "rs256"] {
        let key = sandbox.keygen(&format!("k-{algorithm}"), algorithm);
        let text = run(
            openssl,
            &["pkey", "-in", key.to_str().unwrap(), "-noout", "-text"],
        );
        assert!(
            text.contains("Private-Key") || text.contains("private-key"),
            "{algorithm}: {text}"
        );
    }
}

#[test]
fn keys_openssl_writes_sign_manifests() {
    let Some(openssl) = openssl() else { return };
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path("keys")).unwrap();
    let key = |name: &str| sandbox.path(&format!("keys/{name}.pem"));
    let cases = [
        (
            "ed",
            "EdDSA",
            vec!["genpkey", "-algorithm", "ed25519", "-out"],
            "BEGIN PRIVATE KEY",
        ),
        (
            "ec",
            "ES256",
            vec![
                "ecparam",
                "-genkey",
                "-name",
                "prime256v1",
                "-noout",
                "-out",
            ],
            "BEGIN EC PRIVATE KEY",
        ),
        (
            "rsa",
            "RS256",
            vec!["genrsa", "-traditional", "-out"],
            "BEGIN RSA PRIVATE KEY",
        ),
    ];
    for (name, algorithm, command, header) in cases {
        let path = key(name);
        let mut args = command.clone();
        let path_text = path.to_str().unwrap().to_string();
        args.push(&path_text);
        if name == "rsa" {
            args.push("2048");
        }
        run(openssl, &args);
        assert!(
            std::fs::read_to_string(&path).unwrap().contains(header),
            "{name}"
        );
        public_of(openssl, &path);
        sandbox.trust(&[(name, algorithm, &path, "\"packages\"")], "");
        sandbox.interpreter_manifest(1, "");
        sandbox.sign(&path, name, &[]);
        let verify = sandbox.run(&["verify", "manifest.yaml"]);
        assert_eq!(verify.code(), 0, "{name}: {verify}");
    }

    // A SEC1 key on another curve is refused with the reason.
    let p384 = key("p384");
    run(
        openssl,
        &[
            "ecparam",
            "-genkey",
            "-name",
            "secp384r1",
            "-noout",
            "-out",
            p384.to_str().unwrap(),
        ],
    );
    let refused = sandbox.run(&[
        "sign",
        "manifest.yaml",
        "--key",
        p384.to_str().unwrap(),
        "--kid",
        "ec",
    ]);
    assert_eq!(refused.code(), 1, "{refused}");
    assert!(refused.stderr().contains("not on P-256"), "{refused}");
}
