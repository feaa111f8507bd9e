//! Text that comes from files, metadata or the state is shown, never obeyed: a secret
//! linked in as the manifest is not quoted in the error, and control characters in a
//! manifest, a file name or a package folder reach no terminal raw.

use super::signed_sandbox::Sandbox;

const ESC: char = '\u{1b}';

/// No raw control character except the newlines between lines.
fn assert_inert(label: &str, text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{label} printed a raw control character: {text:?}"
    );
}

#[test]
fn a_key_linked_in_as_the_manifest_is_not_quoted() {
    let sandbox = Sandbox::new();
    let key = sandbox.keygen("ops", "ed25519");
    let pem = std::fs::read_to_string(&key).unwrap();
    let secret_lines: Vec<&str> = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    assert!(!secret_lines.is_empty());
    std::os::unix::fs::symlink(&key, sandbox.path("manifest.yaml")).unwrap();
    let key_arg = key.to_str().unwrap();
    for args in [
        vec!["plan", "manifest.yaml"],
        vec!["verify", "manifest.yaml"],
        vec!["list", "--manifest", "manifest.yaml"],
        vec!["sign", "manifest.yaml", "--key", key_arg, "--kid", "ops"],
    ] {
        let run = sandbox.run(&args);
        assert_eq!(run.code(), 1, "{args:?}: {run}");
        assert!(
            run.stderr()
                .contains("manifest.yaml:1:1: this is not a manifest: the file is a YAML string, not a mapping"),
            "{args:?}: {run}"
        );
        for secret in &secret_lines {
            let start = &secret[..secret.len().min(16)];
            assert!(
                !run.stderr().contains(start) && !run.stdout().contains(start),
                "{args:?} quoted the key: {run}"
            );
        }
    }
}

#[test]
fn a_mapping_that_is_not_a_manifest_is_quoted_only_in_short_excerpts() {
    let sandbox = Sandbox::new();
    let secret = "s3cr3t-".repeat(20);
    std::fs::write(
        sandbox.path("manifest.yaml"),
        format!("apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: demo, revision: 1}}\n{secret}: 1\n"),
    )
    .unwrap();
    let run = sandbox.run(&["plan", "manifest.yaml"]);
    assert_eq!(run.code(), 1, "{run}");
    assert!(
        run.stderr()
            .contains("manifest.yaml:4:1: unknown field `s3cr3t-"),
        "{run}"
    );
    assert!(run.stderr().contains("…`"), "{run}");
    assert!(!run.stderr().contains(&secret[..60]), "{run}");
}

#[test]
fn control_characters_in_a_manifest_path_are_refused_and_shown_escaped() {
    let sandbox = Sandbox::new();
    std::fs::write(
        sandbox.path("manifest.yaml"),
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: demo, revision: 1}\n\
         environment:\n  venv: \"\\e]0;owned\\a\\e[2J\\nSignature: valid (key `ops`)\"\npackages: {}\n",
    )
    .unwrap();
    for args in [
        vec!["plan", "manifest.yaml", "--allow-unsigned"],
        vec!["apply", "manifest.yaml", "--allow-unsigned", "--yes"],
        vec!["verify", "manifest.yaml"],
    ] {
        let run = sandbox.run(&args);
        assert_eq!(run.code(), 1, "{args:?}: {run}");
        assert_inert(&format!("{args:?}"), run.stderr());
        assert_inert(&format!("{args:?}"), run.stdout());
        assert!(
            run.stderr().contains(
                "environment.venv: `\\u{1b}]0;owned\\u{7}\\u{1b}[2J\\nSignature: valid (key `ops`)` \
                 is not a usable path: it holds a control character"
            ),
            "{args:?}: {run}"
        );
        assert!(
            !run.stdout()
                .lines()
                .chain(run.stderr().lines())
                .any(|line| line.starts_with("Signature")),
            "{args:?}: {run}"
        );
    }
}

#[test]
fn a_file_name_with_control_characters_is_escaped_in_errors_history_and_status() {
    let sandbox = Sandbox::new();
    let name = format!("m{ESC}]0;owned{ESC}\\.yaml");
    sandbox.interpreter_manifest(1, "");
    std::fs::rename(sandbox.manifest_path(), sandbox.path(&name)).unwrap();
    let apply = sandbox.run(&["apply", &name, "--yes"]);
    assert_eq!(apply.code(), 1, "{apply}");
    assert_inert("apply", apply.stderr());
    assert!(
        apply.stderr().contains("m\\u{1b}]0;owned\\u{1b}\\.yaml"),
        "{apply}"
    );
    for args in [vec!["history"], vec!["history", "1"], vec!["status"]] {
        let run = sandbox.run(&args);
        assert_eq!(run.code(), 0, "{args:?}: {run}");
        assert_inert(&format!("{args:?}"), run.stdout());
        // The list has no file name; the run's detail and the status quote the reason.
        if args != ["history"] {
            assert!(run.stdout().contains("m\\u{1b}]0;owned"), "{args:?}: {run}");
        }
    }
}

#[test]
fn a_package_folder_named_with_control_characters_is_warned_about_escaped() {
    let sandbox = Sandbox::new();
    let venv = sandbox.harness().venv();
    let folder = venv
        .site_packages()
        .join(format!("evil{ESC}[2J-1.0.dist-info"));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("METADATA"),
        format!("Name: evil\nVersion: 1.0{ESC}[2J\n"),
    )
    .unwrap();
    let run = sandbox.run(&["list", "--python", venv.python().to_str().unwrap()]);
    assert_eq!(run.code(), 0, "{run}");
    assert_inert("list", run.stdout());
    assert_inert("list", run.stderr());
    // (The log formatter escapes ESC as `\x1b` before pkgm's own escaping sees it.)
    assert!(run.stderr().contains("evil\\x1b[2J-1.0.dist-info"), "{run}");
}

#[test]
fn index_credentials_are_masked_in_errors_and_history() {
    let sandbox = Sandbox::new();
    sandbox.harness().venv();
    sandbox.manifest(1, "");
    let manifest = std::fs::read_to_string(sandbox.manifest_path())
        .unwrap()
        .replace(
            "  prune: false\n",
            "  prune: false\n  index_url: https://user:TOKEN-ONE@127.0.0.1:9/simple\n  \
             extra_index_urls: [\"https://TOKEN-TWO@127.0.0.1:9/extra\"]\n  \
             pass_env: [PIP_RETRIES, PIP_TIMEOUT]\n",
        )
        .replace("packages: {}", "packages: {alpha: \"*\"}");
    std::fs::write(sandbox.manifest_path(), manifest).unwrap();
    let apply = sandbox
        .harness()
        .pkgm()
        .env("PIP_RETRIES", "0")
        .env("PIP_TIMEOUT", "2")
        .args(["apply", "manifest.yaml", "--allow-unsigned", "--yes"])
        .run();
    assert_eq!(apply.code(), 1, "{apply}");
    assert!(
        apply
            .stderr()
            .contains("--index-url 'https://user:****@127.0.0.1:9/simple' --extra-index-url 'https://****@127.0.0.1:9/extra'"),
        "{apply}"
    );
    let mut shown = vec![apply];
    for args in [
        vec!["history", "--output", "json"],
        vec!["history", "1"],
        vec!["history", "1", "--output", "json"],
        vec!["status"],
    ] {
        shown.push(sandbox.run(&args));
    }
    for run in shown {
        assert!(
            !format!("{run}").contains("TOKEN-"),
            "a token was shown: {run}"
        );
    }
}
