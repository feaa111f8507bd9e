use std::path::Path;

use super::*;

const FULL_YAML: &str = r#"apiVersion: pkgm/v1
kind: Manifest
metadata:
  name: analytics
  revision: 7
environment:
  venv: .venv
  installer: pip
  index_url: https://pypi.internal.example/simple
  extra_index_urls: []
  find_links: [wheels]
  no_index: false
  prune: true
  protected: [pip, setuptools, wheel]
packages:
  requests: "==2.32.3"
  numpy: ">=1.26,<2"
  rich: "*"
  flask: { version: "~=3.0", extras: [async] }
  pyyaml: absent
users:
  alice: { email: alice@example.com, role: admin, password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g" }
  carol: absent
"#;

const FULL_TOML: &str = r#"apiVersion = "pkgm/v1"
kind = "Manifest"

[metadata]
name = "analytics"
revision = 7

[environment]
venv = ".venv"
installer = "pip"
index_url = "https://pypi.internal.example/simple"
extra_index_urls = []
find_links = ["wheels"]
no_index = false
prune = true
protected = ["pip", "setuptools", "wheel"]

[packages]
requests = "==2.32.3"
numpy = ">=1.26,<2"
rich = "*"
flask = { version = "~=3.0", extras = ["async"] }
pyyaml = "absent"

[users]
carol = "absent"

[users.alice]
email = "alice@example.com"
role = "admin"
password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
"#;

fn yaml(text: &str) -> Result<Manifest, ManifestError> {
    parse_manifest(Path::new("m.yaml"), text.as_bytes())
}

fn yaml_with_packages(packages: &str) -> Result<Manifest, ManifestError> {
    yaml(&format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: a, revision: 1}}\npackages:\n{packages}"
    ))
}

#[test]
fn yaml_and_toml_give_the_same_model() {
    let from_yaml = yaml(FULL_YAML).unwrap();
    let from_toml = parse_manifest(Path::new("m.toml"), FULL_TOML.as_bytes()).unwrap();
    assert_eq!(from_yaml, from_toml);
    assert_eq!(from_yaml.packages.len(), 5);
    assert_eq!(from_yaml.users.len(), 2);
    assert!(from_yaml.environment.prune);
    assert!(from_yaml.declares_users);
}

#[test]
fn defaults_make_a_minimal_manifest_usable() {
    let manifest =
        yaml("apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: a, revision: 0}\n").unwrap();
    assert_eq!(manifest.environment.target, Target::Venv(".venv".into()));
    assert_eq!(manifest.environment.installer, InstallerKind::Pip);
    assert!(!manifest.environment.prune);
    assert_eq!(manifest.environment.protected.len(), 3);
    assert!(!manifest.declares_users);
}

#[test]
fn errors_point_at_line_and_column() {
    let cases = [
        (
            "  requests: \"==2.32.3\"\n  numpy: 1.10\n",
            (6, 10),
            "found the number `1.1`",
        ),
        (
            "  Foo_Bar: \"*\"\n  foo-bar: \"*\"\n",
            (6, 3),
            "name the same package (`foo-bar`)",
        ),
        (
            "  \"--index-url=https://evil\": \"*\"\n",
            (5, 3),
            "not a valid package name",
        ),
        ("  ./pkg: \"*\"\n", (5, 3), "not a valid package name"),
        ("  foo.zip: \"*\"\n", (5, 3), "looks like a file"),
        ("  foo: \"pkg @ https://x/y.whl\"\n", (5, 8), "is a URL"),
        (
            "  foo: { version: \"*\", color: red }\n",
            (5, 24),
            "unknown field `color`",
        ),
        ("  foo:\n", (5, 7), "missing version specifier"),
    ];
    for (packages, location, expected) in cases {
        let err = yaml_with_packages(packages).unwrap_err();
        assert!(err.message.contains(expected), "{packages}: {err}");
        assert_eq!(err.location, Some(location), "{packages}: {err}");
    }
}

#[test]
fn number_versions_get_a_hint_to_quote() {
    let err = yaml_with_packages("  numpy: 1.10\n").unwrap_err();
    assert!(
        err.hint.as_deref().unwrap_or("").contains("quote it"),
        "{err}"
    );
}

#[test]
fn unknown_fields_are_errors_everywhere() {
    for (text, field) in [
        ("apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: a, revision: 1}\nextra: 1\n", "extra"),
        ("apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: a, revision: 1, owner: x}\n", "owner"),
        ("apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: a, revision: 1}\nenvironment: {venvv: x}\n", "venvv"),
    ] {
        let err = yaml(text).unwrap_err();
        assert!(err.message.contains(&format!("unknown field `{field}`")), "{err}");
        assert!(err.location.is_some(), "{err}");
    }
}

#[test]
fn plaintext_passwords_are_refused() {
    let text = "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: a, revision: 1}\nusers:\n  bob: { email: bob@example.com, role: viewer, password: hunter2 }\n";
    let err = yaml(text).unwrap_err();
    assert!(err.message.contains("plaintext `password`"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let text = text.replace("password: hunter2", "password_hash: hunter2");
    let err = yaml(&text).unwrap_err();
    assert!(err.message.contains("argon2id"), "{err}");
}

#[test]
fn toml_errors_have_locations_too() {
    let text = "apiVersion = \"pkgm/v1\"\nkind = \"Manifest\"\n[metadata]\nname = \"a\"\nrevision = 1\n[packages]\nnumpy = 1.10\n";
    let err = parse_manifest(Path::new("m.toml"), text.as_bytes()).unwrap_err();
    assert_eq!(err.location, Some((7, 9)), "{err}");
    assert!(err.message.contains("found the number"), "{err}");
}

#[test]
fn whole_file_problems_are_refused_before_parsing() {
    let big = vec![b'#'; MAX_MANIFEST_BYTES + 1];
    assert!(yaml(std::str::from_utf8(&big).unwrap())
        .unwrap_err()
        .message
        .contains("limit"));
    let err = parse_manifest(Path::new("m.json"), b"{}").unwrap_err();
    assert!(err.message.contains("unknown manifest format"), "{err}");
    let err = parse_manifest(Path::new("m.yaml"), b"a: \xff\n").unwrap_err();
    assert!(err.message.contains("UTF-8"), "{err}");
}

#[test]
fn environment_rules_are_enforced() {
    let base = "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: a, revision: 1}\n";
    for (environment, expected) in [
        (
            "environment: {venv: .venv, python: /usr/bin/python3}\n",
            "both `venv` and `python`",
        ),
        (
            "environment: {index_url: \"--extra-index-url=x\"}\n",
            "not an index URL",
        ),
        (
            "environment: {installer: conda}\n",
            "unknown variant `conda`",
        ),
        (
            "environment: {pass_env: [HOME]}\n",
            "not a PIP_* or UV_* variable",
        ),
        ("packages: {pip: absent}\n", "pip is never removed"),
        ("apiVersion: pkgm/v2\n", "duplicate"),
    ] {
        let err = yaml(&format!("{base}{environment}")).unwrap_err();
        assert!(err.message.contains(expected), "{environment}: {err}");
    }
    let err = yaml(&base.replace("pkgm/v1", "pkgm/v2")).unwrap_err();
    assert!(err.message.contains("unknown variant `pkgm/v2`"), "{err}");
}

#[test]
fn single_specifiers_parse_like_manifest_values() {
    assert_eq!(parse_package_entry("absent").unwrap(), PackageDecl::Absent);
    assert!(parse_package_entry(">=1").is_ok());
    assert!(parse_package_entry("--pre").is_err());
}

#[test]
fn a_duplicate_key_is_placed_at_its_second_occurrence() {
    let base = "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: demo, revision: 1}\n\
                environment:\n  venv: .venv\n  venv: .other\npackages: {}\n";
    let err = yaml(base).unwrap_err();
    assert_eq!(err.location, Some((6, 3)), "{err}");
    assert!(err.message.contains("duplicate"), "{err}");
    let base = base.replace("  venv: .other\n", "");
    let err = yaml(&format!("{base}# a comment\n\"packages\": {{}}\n")).unwrap_err();
    assert_eq!(err.location, Some((8, 1)), "{err}");
    // In flow style there is no line of its own: the mapping's start stands.
    let err = yaml("metadata: {name: a, name: b}\n").unwrap_err();
    assert_eq!(err.location, Some((1, 11)), "{err}");
}

#[test]
fn a_syntax_error_is_reported_as_one_wherever_it_is() {
    for (text, expected, location) in [
        ("x: \"unterminated\n", "end of stream", (2, 1)),
        (
            "apiVersion: pkgm/v1\nkind: Manifest\npackages: [\n",
            "did not find expected node content",
            (4, 1),
        ),
    ] {
        let err = yaml(text).unwrap_err();
        assert!(err.message.contains(expected), "{text:?}: {err}");
        assert_eq!(err.location, Some(location), "{text:?}: {err}");
    }
}

#[test]
fn mapping_keys_are_read_plain_or_quoted() {
    assert_eq!(mapping_key("venv: .venv"), Some("venv"));
    assert_eq!(mapping_key("venv : x"), Some("venv"));
    assert_eq!(mapping_key("'venv': x"), Some("venv"));
    assert_eq!(mapping_key("\"a: b\": x"), Some("a: b"));
    assert_eq!(mapping_key("- item"), None);
    assert_eq!(
        duplicated_key("duplicate field `packages`"),
        Some("packages")
    );
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_document() {
    let text = "\u{feff}apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: demo, revision: 1}\n\
                environment: {venv: .venv}\npackages: {}\n";
    assert!(yaml(text).is_ok());
}

#[test]
fn duplicates_inside_flow_mappings_or_after_multi_line_quotes_keep_the_mapping_start() {
    let text = "environment:\n  index_url: \"http://x\n  venv: y\"\n  venv: z\n  venv: w\n";
    assert_eq!(second_occurrence(text, (2, 3), "venv"), None);
    let text = "metadata: {name: a,\n  name: b}\n";
    assert_eq!(second_occurrence(text, (1, 11), "name"), None);
}

#[test]
fn brackets_nested_deeper_than_the_limit_are_refused_before_parsing() {
    let deep = format!("packages: {}{}\n", "[".repeat(1 << 19), "]".repeat(10));
    for name in ["m.yaml", "m.toml"] {
        let err = parse_manifest(Path::new(name), deep.as_bytes()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("brackets nest deeper than 64 levels"),
            "{text}"
        );
        assert!(text.contains(":1:75:"), "{text}");
    }
    // Brackets in strings and comments, and quotes inside words, do not count.
    let fine = format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: don't, revision: 1}}\n\
         # {}\nenvironment: {{venv: \"{}\"}}\npackages: {{}}\n",
        "[".repeat(100),
        "{".repeat(100)
    );
    let err = parse_manifest(Path::new("m.yaml"), fine.as_bytes())
        .err()
        .map(|e| e.to_string());
    assert!(!err.unwrap_or_default().contains("nest deeper"));
}
