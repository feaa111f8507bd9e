//! Specifiers and markers: `packaging`'s own test vectors (vendored with its answers) and
//! our cross products, decided by pkgm and compared with the reference.

use std::str::FromStr;

use pep440_rs::VersionSpecifiers;
use pkgm::core::python::marker::{Marker, MarkerEnvironment};
use pkgm::core::python::specifier::{set_contains, Specifier};
use serde_json::{json, Value};

use crate::support::python::host_python;

const VECTORS: &str = include_str!("../../data/packaging/vectors.json");
const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/packaging/reference.py"
);

/// pkgm's answer to every case, in the reference's vocabulary.
fn decide(cases: &Value) -> Value {
    let pairs = |key: &str| -> Vec<(String, String)> {
        cases[key]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|row| (text(&row[0]), text(&row[1])))
                    .collect()
            })
            .unwrap_or_default()
    };
    let specifiers: Vec<Value> = pairs("specifiers")
        .iter()
        .map(|(spec, version)| match Specifier::parse(spec) {
            Some(specifier) => json!(specifier.contains(version)),
            None => json!("invalid"),
        })
        .collect();
    let specifier_sets: Vec<Value> = pairs("specifier_sets")
        .iter()
        .map(|(spec, version)| set_answer(spec, version))
        .collect();
    let validity: Vec<Value> = list(&cases["validity"])
        .iter()
        .map(|spec| json!(Specifier::parse(spec).is_some()))
        .collect();
    let markers: Vec<Value> = cases["markers"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    let extra = row.get(2).map(text).unwrap_or_default();
                    marker_answer(&text(&row[0]), &row[1], &extra)
                })
                .collect()
        })
        .unwrap_or_default();
    let parsing: Vec<Value> = list(&cases["parsing"])
        .iter()
        .map(|marker| marker_answer(marker, &json!({}), ""))
        .collect();
    json!({
        "specifiers": specifiers,
        "specifier_sets": specifier_sets,
        "validity": validity,
        "markers": markers,
        "parsing": parsing,
    })
}

fn set_answer(spec: &str, version: &str) -> Value {
    // packaging's SpecifierSet: comma-separated specifiers, each as `Specifier` reads it.
    let parts: Option<Vec<Specifier>> = if spec.trim().is_empty() {
        Some(Vec::new())
    } else {
        spec.split(',').map(Specifier::parse).collect()
    };
    match parts {
        Some(parts) => json!(parts.iter().all(|part| part.contains(version))),
        None => json!("invalid"),
    }
}

fn marker_answer(marker: &str, overrides: &Value, extra: &str) -> Value {
    let Ok(parsed) = Marker::parse(marker) else {
        return json!("invalid");
    };
    let mut environment = base_environment();
    if let Some(overrides) = overrides.as_object() {
        for (key, value) in overrides {
            environment[key] = value.clone();
        }
    }
    let environment: MarkerEnvironment =
        serde_json::from_value(environment).expect("a complete marker environment");
    match parsed.evaluate(&environment, extra) {
        Ok(answer) => json!(answer),
        Err(_) => json!("error"),
    }
}

/// The reference's `BASE` environment (CPython 3.11.7 on Linux), as the vectors record it.
fn base_environment() -> Value {
    let vectors: Value = serde_json::from_str(VECTORS).expect("vectors.json is JSON");
    vectors["base_environment"].clone()
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

fn list(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|rows| rows.iter().map(text).collect())
        .unwrap_or_default()
}

/// Every disagreement, as `kind: case: pkgm X, reference Y`; also counts the decisions.
fn disagreements(cases: &Value, expected: &Value) -> (usize, Vec<String>) {
    let ours = decide(cases);
    let mut count = 0;
    let mut found = Vec::new();
    for kind in [
        "specifiers",
        "specifier_sets",
        "validity",
        "markers",
        "parsing",
    ] {
        let theirs = expected[kind].as_array().cloned().unwrap_or_default();
        let mine = ours[kind].as_array().cloned().unwrap_or_default();
        assert_eq!(theirs.len(), mine.len(), "{kind}: answer counts differ");
        for (index, (a, b)) in mine.iter().zip(&theirs).enumerate() {
            count += 1;
            if a != b {
                found.push(format!(
                    "{kind}: {}: pkgm {a}, packaging {b}",
                    cases[kind][index]
                ));
            }
        }
    }
    (count, found)
}

/// Answers from the installed `packaging`, or `None` (with a note) when it is missing.
fn reference_answers(cases: &Value) -> Option<Value> {
    let mut command = std::process::Command::new(&host_python().executable);
    command.args(["-I", REFERENCE]);
    let probe = std::process::Command::new(&host_python().executable)
        .args(["-I", "-c", "import packaging.markers"])
        .output()
        .expect("run python");
    if !probe.status.success() {
        assert!(
            std::env::var_os("PKGM_TEST_REQUIRE_PACKAGING").is_none(),
            "PKGM_TEST_REQUIRE_PACKAGING is set but `packaging` is not importable"
        );
        eprintln!("note: skipping the live comparison: `packaging` is not importable");
        return None;
    }
    let input = serde_json::to_vec(cases).expect("serialise the cases");
    let output = crate::support::process::run_checked(&mut command, &input);
    Some(serde_json::from_slice(&output.stdout).expect("the reference prints JSON"))
}

#[test]
fn packaging_s_own_vectors_are_decided_as_packaging_decides_them() {
    let vectors: Value = serde_json::from_str(VECTORS).expect("vectors.json is JSON");
    let (count, found) = disagreements(&vectors["cases"], &vectors["expected"]);
    println!(
        "packaging's vectors: {count} decisions, {} disagreements",
        found.len()
    );
    assert!(
        found.is_empty(),
        "{} of {count} differ:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn our_cases_are_decided_as_the_installed_packaging_decides_them() {
    let cases = own_cases();
    let Some(expected) = reference_answers(&cases) else {
        return;
    };
    let (count, found) = disagreements(&cases, &expected);
    println!(
        "own cases: {count} decisions, {} disagreements",
        found.len()
    );
    assert!(
        found.is_empty(),
        "{} of {count} differ:\n{}",
        found.len(),
        found.join("\n")
    );
}

const VERSIONS: [&str; 46] = [
    "0",
    "0.9",
    "1",
    "1.0",
    "1.0.0",
    "1.0.1",
    "1.1",
    "1.9",
    "2",
    "2.0",
    "2.0.0",
    "2.0.1",
    "2.1",
    "3",
    "1.0.dev0",
    "1.0.dev1",
    "1.0a1",
    "1.0a2.dev1",
    "1.0b1",
    "1.0rc1",
    "1.0rc2",
    "1.0c3",
    "1.0.post1",
    "1.0.post1.dev1",
    "1.0.post2",
    "1.0+local",
    "1.0+local.7",
    "1.0.post1+l",
    "1.0a1+l",
    "2.0rc1",
    "2.0rc2",
    "2.0.dev1",
    "2.0b1.post1",
    "2.0.post1",
    "2!1.0",
    "1!2.0",
    "1.0.0.0.1",
    "v1.0",
    "1.0-1",
    "1.0_a1",
    "1.0.RC1",
    "1.0.0rc1",
    "10.0",
    "not a version",
    "1.0.*",
    "3.13.0rc1",
];

const SPECIFIERS: [&str; 47] = [
    "==1.0",
    "==1",
    "==1.0.0",
    "==1.0+local",
    "==1.*",
    "==1.0.*",
    "==1.0.0.*",
    "==1.0.1.*",
    "==2.*",
    "!=1.0",
    "!=1.*",
    "!=1.0+local",
    "~=1.0",
    "~=1.0.0",
    "~=1.0a1",
    "~=1.0.post1",
    "~=2!1.0",
    "~=1.4.5a4",
    "<1.0",
    "<=1.0",
    "<2.0",
    "<2.0rc2",
    "<2.0.dev1",
    "<2.0.post1",
    "<1.0.post2",
    ">1.0",
    ">=1.0",
    ">1.0a1",
    ">1.0rc1",
    ">1.0.post1",
    ">1.0.dev0",
    ">=1.0.dev0",
    ">=2!0",
    "<1!0",
    "===1.0",
    "===1.0+local",
    "===not a version",
    "===v1.0",
    "~=1",
    "<1.*",
    "<=1.0+local",
    "==1.0a1.*",
    ">=1.0,<2",
    "== 1.0",
    "  >=1.0 ",
    "==01.0",
    ">=1.0 , !=1.0.post1",
];

const MARKERS: [&str; 44] = [
    r#"python_version >= "3.13""#,
    r#"python_version < "3.13""#,
    r#"python_version in "3.10 3.11 3.12""#,
    r#"python_version not in "3.10 3.11 3.12""#,
    r#"python_full_version ~= "3.11.0""#,
    r#"python_full_version < "3.13""#,
    r#"python_full_version >= "3.13.0rc1""#,
    r#"python_full_version === "3.11.7""#,
    r#""2.7" in python_version"#,
    r#""3.8" < python_version"#,
    r#""3" == python_version"#,
    r#"python_version == "3.*""#,
    r#"python_version == "3.11.*""#,
    r#"python_version > "3""#,
    r#"python_version ~= "3.10""#,
    r#"platform_release >= "5.10""#,
    r#"platform_release < "20""#,
    r#"platform_release == "10""#,
    r#"implementation_version >= "7""#,
    r#"implementation_name == "pypy""#,
    r#"platform_python_implementation != "CPython""#,
    r#"python_implementation == "PyPy""#,
    r#"os_name == "nt" and platform_machine == "AMD64""#,
    r#"sys_platform == "darwin" or sys_platform == "win32""#,
    r#"sys_platform < "m""#,
    r#"sys_platform >= "linux""#,
    r#"sys_platform ~= "linux""#,
    r#"os_name === "posix""#,
    r#"platform_system in "Linux Darwin""#,
    r#""Linux" in platform_system"#,
    r##"platform_version in "#1 SMP PREEMPT""##,
    r#"extra == "a""#,
    r#"extra != "a""#,
    r#"extra == "A_b.c""#,
    r#"extra == "a" or python_version < "3""#,
    r#"(extra == "a" or extra == "b") and os_name == "posix""#,
    r#"extra in "abc""#,
    r#"extras == "a""#,
    r#"python_version >= "3" and (os_name == "nt" or (sys_platform == "linux" and platform_machine == "x86_64"))"#,
    r#"os.name == "posix" and sys.platform != 'win32'"#,
    r#"platform.machine == "arm64""#,
    r#"python_version>='3'and os_name=='posix'"#,
    r#"python_version >= "3" andos_name == "posix""#,
    r#"python_version >= '3' or"#,
];

/// Interpreters the markers are decided for: final and pre-release CPython, an untagged
/// build, Windows, macOS and PyPy.
fn environments() -> Vec<Value> {
    vec![
        json!({}),
        json!({"python_full_version": "3.13.0rc1", "python_version": "3.13",
               "implementation_version": "3.13.0rc1"}),
        json!({"python_full_version": "3.12.1+", "python_version": "3.12",
               "implementation_version": "3.12.1"}),
        json!({"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
               "platform_release": "10", "platform_version": "10.0.19045",
               "platform_machine": "AMD64", "python_full_version": "3.12.4",
               "python_version": "3.12", "implementation_version": "3.12.4"}),
        json!({"sys_platform": "darwin", "platform_system": "Darwin",
               "platform_release": "23.5.0", "platform_machine": "arm64",
               "platform_version": "Darwin Kernel Version 23.5.0",
               "python_full_version": "3.10.14", "python_version": "3.10",
               "implementation_version": "3.10.14"}),
        json!({"implementation_name": "pypy", "implementation_version": "7.3.16",
               "platform_python_implementation": "PyPy", "python_full_version": "3.10.14",
               "python_version": "3.10"}),
        json!({"platform_release": "6.1.0-13-amd64"}),
    ]
}

fn own_cases() -> Value {
    let mut specifiers = Vec::new();
    let mut specifier_sets = Vec::new();
    for spec in SPECIFIERS {
        for version in VERSIONS {
            specifiers.push(json!([spec, version]));
            specifier_sets.push(json!([spec, version]));
        }
    }
    let mut markers = Vec::new();
    for marker in MARKERS {
        for environment in environments() {
            for extra in ["", "a", "b"] {
                markers.push(json!([marker, environment, extra]));
            }
        }
    }
    json!({
        "specifiers": specifiers,
        "specifier_sets": specifier_sets,
        "validity": SPECIFIERS.to_vec(),
        "markers": markers,
        "parsing": MARKERS.to_vec(),
    })
}

#[test]
fn manifest_specifiers_are_decided_like_packaging_s_specifier_sets() {
    // The manifest path: pep440_rs parses, pkgm decides. Every valid set must agree with
    // `Specifier`-by-`Specifier` membership, which the reference comparison above checks.
    // Manifests refuse `===`, which compares text that pep440_rs normalises away.
    for spec in SPECIFIERS.iter().filter(|spec| !spec.contains("===")) {
        let Ok(specifiers) = VersionSpecifiers::from_str(spec) else {
            continue;
        };
        for version in VERSIONS {
            let Ok(parsed) = pep440_rs::Version::from_str(version) else {
                continue;
            };
            // pip asks about an installed version by its normalised text.
            let Value::Bool(expected) = set_answer(spec, &parsed.to_string()) else {
                continue;
            };
            assert_eq!(
                set_contains(&specifiers, &parsed),
                expected,
                "{spec} vs {version}"
            );
        }
    }
}
