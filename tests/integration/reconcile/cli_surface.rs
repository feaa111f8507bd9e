//! The surface around plan and apply: schemas and examples, completions, exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Sandbox;

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Validates a document (JSON text, or a YAML/TOML file) against a committed schema with
/// Python's `jsonschema` (installed by `.ci/run`).
pub fn validate_with_schema(document: &str, schema: &str, format: &str) {
    let script = r#"
import json, sys, tomllib
try:
    import jsonschema, yaml
except ImportError as err:
    sys.exit(f"missing {err.name}: pip install jsonschema pyyaml (.ci/run does)")
schema, format, document = sys.argv[1], sys.argv[2], sys.stdin.read()
value = {"json": json.loads, "yaml": yaml.safe_load, "toml": tomllib.loads}[format](document)
jsonschema.validate(value, json.load(open(schema)))
"#;
    let mut child = Command::new("python3")
        .args([
            "-c",
            script,
            &repository().join(schema).to_string_lossy(),
            format,
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run python3");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(document.as_bytes())
        .expect("write the document");
    let output = child.wait_with_output().expect("wait for python3");
    assert!(
        output.status.success(),
        "{schema} rejects the document:\n{}\n{document}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn examples() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![repository().join("examples")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read examples") {
            let path = entry.expect("entry").path();
            let hidden = path
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('.'));
            if hidden {
                // `.venv` (the Quick start's own environment) and `.pkgm` are not examples.
                continue;
            }
            if path.is_dir() {
                folders.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "toml")
            ) && !is_trust_file(&path)
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn is_trust_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name.to_string_lossy().starts_with("trust"))
}

#[test]
fn every_example_manifest_validates_against_the_schema_and_parses() {
    let examples = examples();
    assert!(examples.len() >= 3, "{examples:?}");
    for example in examples {
        let text = std::fs::read_to_string(&example).expect("read example");
        let format = example
            .extension()
            .and_then(|e| e.to_str())
            .expect("extension");
        validate_with_schema(&text, "schemas/manifest.schema.json", format);
        pkgm::core::manifest_parse::parse_manifest(&example, text.as_bytes())
            .unwrap_or_else(|err| panic!("{}: {err}", example.display()));
    }
}

#[test]
fn the_schema_command_prints_the_committed_files() {
    let sandbox = Sandbox::new();
    for kind in ["manifest", "plan"] {
        let output = sandbox.pkgm().args(["schema", kind]).run();
        output.expect_success();
        let committed =
            std::fs::read_to_string(repository().join(format!("schemas/{kind}.schema.json")))
                .expect("read schema");
        assert_eq!(output.stdout(), committed, "{kind}");
    }
}

#[test]
fn completions_are_generated_for_each_shell() {
    let sandbox = Sandbox::new();
    for (shell, marker) in [
        ("bash", "_pkgm()"),
        ("zsh", "#compdef pkgm"),
        ("fish", "complete -c pkgm"),
    ] {
        let output = sandbox.pkgm().args(["completions", shell]).run();
        output.expect_success();
        assert!(output.stdout().contains(marker), "{shell}");
        assert!(output.stdout().contains("apply"), "{shell}");
    }
}

#[test]
fn unknown_commands_and_flags_exit_with_an_error() {
    let sandbox = Sandbox::new();
    let unknown = sandbox.pkgm().arg("frobnicate").run();
    unknown.expect_code(1);
    assert!(
        unknown.stderr().contains("unrecognized subcommand"),
        "{unknown}"
    );
    sandbox.pkgm().arg("--help").run().expect_code(0);
    let missing = sandbox
        .pkgm()
        .args(["plan", "nowhere.yaml", "--allow-unsigned"])
        .run();
    missing.expect_code(1);
    assert_eq!(
        missing.stderr(),
        "error: cannot read the manifest `nowhere.yaml`\n  caused by: No such file or directory (os error 2)\n"
    );
}

#[test]
fn history_refuses_a_limit_of_zero_instead_of_claiming_no_runs() {
    let sandbox = Sandbox::new();
    let run = sandbox.pkgm().args(["history", "--limit", "0"]).run();
    run.expect_code(1);
    assert!(
        run.stderr().contains("invalid value '0' for '--limit"),
        "{run}"
    );
}

#[test]
fn a_megabyte_of_nested_brackets_is_refused_before_it_is_parsed() {
    let sandbox = Sandbox::new();
    let text = format!("packages: {}\n", "[".repeat(1_000_000));
    sandbox.write_file("manifest.yaml", &text);
    let plan = sandbox.plan().run();
    plan.expect_code(1);
    assert!(
        plan.stderr().starts_with(
            "error: manifest.yaml:1:75: brackets nest deeper than 64 levels\n\
             hint: a manifest needs a few levels; this file is not one\n"
        ),
        "{plan}"
    );
    assert!(
        !sandbox.state_path().exists(),
        "nothing recorded for an unreadable file"
    );
}

#[test]
fn every_commands_help_lists_its_own_options_apart_and_an_example() {
    let sandbox = Sandbox::new();
    for command in [
        "plan",
        "apply",
        "watch",
        "list",
        "status",
        "history",
        "init",
        "keygen",
        "sign",
        "verify",
        "schema",
        "completions",
        "install",
        "upgrade",
        "uninstall",
        "login",
        "whoami",
        "users",
        "hash-password",
    ] {
        let help = sandbox.pkgm().args([command, "--help"]).run();
        help.expect_code(0);
        let text = help.stdout();
        let (own, global) = text
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{command}: no global options heading\n{text}"));
        assert!(
            !own.contains("--log-format"),
            "{command}: global options mixed in\n{text}"
        );
        assert!(global.contains("--state <PATH>"), "{command}\n{text}");
        assert!(
            text.contains(&format!("Examples:\n  pkgm {command}")),
            "{command}: no example\n{text}"
        );
        assert!(
            !text.contains("PKGM_STATE="),
            "{command}: shows the variable's value\n{text}"
        );
    }
}
