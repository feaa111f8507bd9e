//! A failing installer is reported with its own words, recorded with what did and did not
//! change, and the next apply converges.

use super::packages;
use crate::support::wheels::FAILING_BUILD_MESSAGE;
use crate::support::{OfflineManifest, Sandbox};

fn last_run(sandbox: &Sandbox) -> serde_json::Value {
    let history = sandbox
        .pkgm()
        .args(["history", "--output", "json", "--limit", "1"])
        .run();
    history.expect_success();
    history.stdout_json()[0].clone()
}

#[test]
fn an_unsatisfiable_version_fails_with_pips_message_and_the_next_apply_converges() {
    let sandbox = Sandbox::new();
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["stray"]);
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==9.9").to_yaml());
    let apply = sandbox.apply().run();
    apply.expect_code(1);
    let stderr = apply.stderr_filtered();
    assert!(
        stderr.contains("error: apply of `sandbox` revision 1 failed during `install`"),
        "{apply}"
    );
    assert!(
        stderr.contains("No matching distribution found for alpha==9.9"),
        "{apply}"
    );
    // pkgm's own reading comes first, with the hint that fits it first.
    assert!(
        stderr.contains(
            "caused by: installing failed: no version of `alpha==9.9` is available from the \
             `find_links` folders"
        ),
        "{apply}"
    );
    assert!(
        stderr.contains(
            "hint: check the package name and the specifier against the index (or `find_links`)\n\
             hint: fix the cause"
        ),
        "{apply}"
    );
    assert!(
        stderr.contains("hint: fix the cause and run `pkgm apply` again"),
        "{apply}"
    );
    assert!(!stderr.contains("panicked"), "{apply}");
    // Nothing was half-done: removals come after installs, so stray is still there.
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("stray", "1.0")])
    );
    let run = last_run(&sandbox);
    assert_eq!(run["status"], "failed");
    assert_eq!(run["step"], "install");
    assert!(
        run["error"].as_str().unwrap_or("").contains("alpha==9.9"),
        "{run}"
    );

    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    sandbox.apply().run().expect_success();
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "1.0")])
    );
}

#[test]
fn a_package_that_fails_to_build_is_reported_and_recorded() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_manifest(
        &OfflineManifest::new()
            .package("alpha", "==1.0")
            .package("broken", "*")
            .to_yaml(),
    );
    let apply = sandbox.apply().run();
    apply.expect_code(1);
    assert!(apply.stderr().contains(FAILING_BUILD_MESSAGE), "{apply}");
    assert!(
        apply.stderr().contains("1 change still to do")
            || apply.stderr().contains("2 changes still to do"),
        "{apply}"
    );
    assert_eq!(last_run(&sandbox)["status"], "failed");
    let plan = sandbox.plan().arg("--detailed-exitcode").run();
    plan.expect_code(2);
}

#[test]
fn an_unreachable_index_is_reported_without_hanging() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    // Port 9 (discard) refuses connections; PIP_RETRIES passed explicitly keeps the test fast.
    sandbox.write_manifest(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: sandbox, revision: 1}\n\
         environment:\n  venv: .venv\n  index_url: http://127.0.0.1:9/simple\n  \
         pass_env: [PIP_RETRIES, PIP_TIMEOUT]\npackages:\n  alpha: \"*\"\n",
    );
    let apply = sandbox
        .apply()
        .env("PIP_RETRIES", "0")
        .env("PIP_TIMEOUT", "2")
        .run();
    apply.expect_code(1);
    assert!(apply.stderr().contains("127.0.0.1"), "{apply}");
    assert!(
        apply.stderr().contains(
            "caused by: installing failed: cannot reach the index `http://127.0.0.1:9/simple` \
             (connection refused)"
        ),
        "{apply}"
    );
    assert!(
        apply
            .stderr()
            .contains("No matching distribution found for alpha"),
        "{apply}"
    );
    assert_eq!(last_run(&sandbox)["status"], "failed");
}

#[test]
fn manifest_errors_point_at_the_line_and_touch_nothing() {
    let sandbox = Sandbox::new();
    let cases = [
        ("packages:\n  numpy: 1.10\n", "manifest.yaml:5:10: packages.numpy: expected a version specifier string, found the number `1.1`\nhint: an unquoted version such as 1.10 is read as a number (1.1); quote it, e.g. \"==1.10\""),
        ("packages:\n  Foo_Bar: \"*\"\n  foo-bar: \"*\"\n", "manifest.yaml:6:3: packages: `foo-bar` and `Foo_Bar` name the same package (`foo-bar`)"),
        ("packages:\n  alpha: \"*\"\ncolour: red\n", "manifest.yaml:6:1: unknown field `colour`, expected one of `apiVersion`, `kind`, `metadata`, `environment`, `packages`, `users`"),
        ("users:\n  bob: { email: bob@example.com, role: viewer, password: hunter2 }\n", "manifest.yaml:5:58: users.bob.password: a plaintext `password` is not allowed in a manifest\nhint: run `pkgm hash-password` and put its output in `password_hash`"),
        ("packages:\n  \"--index-url=http://evil\": \"*\"\n", "manifest.yaml:5:3: packages: `--index-url=http://evil` is not a valid package name"),
        ("packages:\n  alpha: \"*\"\n\npackages:\n  beta: \"*\"\n", "manifest.yaml:7:1: duplicate field `packages`"),
        ("colour: \"red\npackages: {}\n", "manifest.yaml:6:1: found unexpected end of stream, while scanning a quoted scalar at line 4 column 9"),
        ("packages:\n\talpha: \"*\"\n", "manifest.yaml:5:1: found character that cannot start any token, while scanning for the next token\nhint: YAML does not allow tabs for indentation; indent with spaces"),
        ("packages:\n  six: \">== 1.0\"\n", "manifest.yaml:5:8: packages.six: `>== 1.0` is not a valid PEP 440 specifier: Failed to parse version: no such comparison operator \">==\", must be one of ~= == != <= >= < > ==="),
        ("packages:\n  - six\n", "manifest.yaml:5:3: packages: invalid type: sequence, expected a mapping of package names to their settings, one per line (`name: ...`), not a list"),
        ("packages:\n  six==1.16.0: \"*\"\n", "manifest.yaml:5:3: packages: `six==1.16.0` is not a valid package name (PEP 508: letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit)\nhint: the version goes in the value: `six: \"==1.16.0\"`"),
        ("environment:\n  venv: .venv\n  python: python3\n", "manifest.yaml:6:3: `environment` names both `venv` and `python`\nhint: use `venv` for a virtual environment pkgm creates, or `python` to manage an existing interpreter"),
    ];
    for (body, expected) in cases {
        sandbox.write_manifest(&format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: sandbox, revision: 1}}\n{body}"
        ));
        let plan = sandbox.plan().run();
        plan.expect_code(1);
        let stderr = plan.stderr_filtered();
        assert!(
            stderr.contains(&format!("error: {expected}")),
            "expected `{expected}`\n{plan}"
        );
        assert_eq!(stderr.lines().count(), expected.lines().count(), "{plan}");
        let apply = sandbox.apply().run();
        apply.expect_code(1);
    }
    for (text, expected) in [
        ("", "manifest.yaml:1:1: the manifest is empty\nhint: `pkgm init` writes one to start from"),
        ("# nothing yet\n\n", "manifest.yaml:1:1: the manifest is empty"),
        (
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: sandbox, revision: \"one\"}\n",
            "manifest.yaml:3:37: metadata.revision: invalid type: string \"one\", expected a whole number",
        ),
    ] {
        sandbox.write_manifest(text);
        let plan = sandbox.plan().run();
        plan.expect_code(1);
        assert!(plan.stderr().contains(&format!("error: {expected}")), "{plan}");
    }
    assert!(
        !sandbox.venv_path().exists(),
        "a bad manifest created the venv"
    );
    assert!(
        !sandbox.state_path().exists(),
        "a bad manifest touched the state"
    );
}

#[test]
fn an_oversized_manifest_is_refused_before_parsing() {
    let sandbox = Sandbox::new();
    let mut text = String::from(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: sandbox, revision: 1}\n",
    );
    text.push_str(&"# padding\n".repeat(110_000));
    sandbox.write_manifest(&text);
    let plan = sandbox.plan().run();
    plan.expect_code(1);
    assert!(
        plan.stderr().contains("the limit is 1048576 bytes"),
        "{plan}"
    );
}

#[test]
fn a_missing_interpreter_or_pkgm_python_is_named_with_where_it_came_from() {
    let sandbox = Sandbox::new();
    sandbox.write_manifest(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: sandbox, revision: 1}\n\
         environment: {python: /nonexistent/python3}\npackages: {}\n",
    );
    let plan = sandbox.plan().run();
    plan.expect_code(1);
    assert!(
        plan.stderr().contains(
            "the interpreter `/nonexistent/python3` (`environment.python`) does not exist\n\
             hint: name an installed interpreter (a path such as `.venv/bin/python`, or a \
             name on PATH), or use `venv:`"
        ),
        "{plan}"
    );

    // A flag is named as the flag, with no advice about manifests.
    let list = sandbox
        .pkgm()
        .args(["list", "--python", "/nonexistent/python3"])
        .run();
    list.expect_code(1);
    assert!(
        list.stderr().contains(
            "the interpreter `/nonexistent/python3` (`--python`) does not exist\n\
             hint: name an installed interpreter (a path such as `.venv/bin/python`, or a \
             name on PATH)\n"
        ),
        "{list}"
    );

    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    let plan = sandbox
        .plan()
        .env("PKGM_PYTHON", "/nonexistent/python")
        .run();
    plan.expect_success();
    assert!(
        plan.stderr()
            .contains("warning: apply would fail: PKGM_PYTHON names `/nonexistent/python`, which does not exist"),
        "{plan}"
    );
    let apply = sandbox
        .apply()
        .env("PKGM_PYTHON", "/nonexistent/python")
        .run();
    apply.expect_code(1);
    assert!(
        apply
            .stderr()
            .contains("PKGM_PYTHON names `/nonexistent/python`, which does not exist"),
        "{apply}"
    );
    assert!(!sandbox.venv_path().exists());
    let history = sandbox.pkgm().args(["history", "999"]).run();
    history.expect_code(1);
    assert!(
        history.stderr().contains("there is no run 999 in `")
            && history
                .stderr()
                .contains("hint: `pkgm history` lists the runs it holds"),
        "{history}"
    );
}

#[test]
fn a_venv_that_cannot_be_created_counts_as_still_to_do() {
    let sandbox = Sandbox::new();
    let blocker = sandbox.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    sandbox.write_manifest(&format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: sandbox, revision: 1}}\n\
         environment: {{venv: {}/.venv}}\npackages: {{}}\n",
        blocker.display()
    ));
    let apply = sandbox.apply().run();
    apply.expect_code(1);
    assert!(
        apply.stderr().contains(
            "failed during `create-venv` (run 1); 0 packages changed, 1 change still to do"
        ),
        "{apply}"
    );
}

#[test]
fn toml_manifest_errors_name_the_field_and_the_first_error() {
    let sandbox = Sandbox::new();
    let head = "apiVersion = \"pkgm/v1\"\nkind = \"Manifest\"\n";
    for (body, expected) in [
        (
            "[metadata]\nname = \"x\"\nrevision = 1\n[packages]\nsix = 1.16\nfoo = 2\n",
            "manifest.toml:7:7: packages.six: expected a version specifier string, found the number `1.16`",
        ),
        (
            "colour = 1\n[metadata]\nname = \"x\"\nrevision = 1\n",
            "manifest.toml:3:1: unknown field `colour`, expected one of",
        ),
        (
            "[metadata]\nname = \"x\"\nrevision = \"one\"\n",
            "manifest.toml:5:12: metadata.revision: invalid type: string \"one\", expected a whole number",
        ),
    ] {
        sandbox.write_file("manifest.toml", &format!("{head}{body}"));
        let plan = sandbox
            .pkgm()
            .args(["plan", "manifest.toml", "--allow-unsigned"])
            .run();
        plan.expect_code(1);
        assert!(plan.stderr().contains(&format!("error: {expected}")), "{plan}");
    }
}
