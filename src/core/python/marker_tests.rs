use super::*;
use crate::core::fixtures::markers;

fn holds(marker: &str, python: &str, extra: &str) -> bool {
    Marker::parse(marker)
        .unwrap_or_else(|err| panic!("{marker}: {err}"))
        .evaluate(&markers(python), extra)
        .unwrap_or_else(|err| panic!("{marker}: {err}"))
}

#[test]
fn python_version_is_the_two_part_version_even_on_a_pre_release() {
    assert!(holds(r#"python_version >= "3.13""#, "3.13.0rc1", ""));
    assert!(!holds(
        r#"python_version in "3.10 3.11 3.12""#,
        "3.13.0rc1",
        ""
    ));
    // `<3.13` never admits 3.13's own pre-releases.
    assert!(!holds(r#"python_full_version < "3.13""#, "3.13.0rc1", ""));
}

#[test]
fn version_keys_compare_as_versions_and_other_keys_as_text() {
    assert!(!holds(r#"python_full_version ~= "3.11.0""#, "3.12.1", ""));
    assert!(holds(r#"python_full_version ~= "3.11.0""#, "3.11.7", ""));
    assert!(!holds(r#""2.7" in python_version"#, "3.11.7", ""));
    assert!(holds(r#""3.8" < python_version"#, "3.11.7", ""));
    assert!(holds(r#"platform_release >= "5.10""#, "3.11.7", ""));
    assert!(!holds(r#"sys_platform < "zzz""#, "3.11.7", ""));
    assert!(holds(
        r#"os.name == "posix" and sys.platform == 'linux'"#,
        "3.11.7",
        ""
    ));
}

#[test]
fn and_binds_tighter_than_or() {
    assert!(holds(
        r#"os_name == "nt" and sys_platform == "win32" or python_version >= "3""#,
        "3.11.7",
        ""
    ));
    assert!(!holds(
        r#"os_name == "nt" and (sys_platform == "win32" or python_version >= "3")"#,
        "3.11.7",
        ""
    ));
}

#[test]
fn extras_are_compared_normalised() {
    assert!(holds(
        r#"extra == "Fancy.Feature""#,
        "3.11.7",
        "fancy_feature"
    ));
    assert!(holds(r#"extra != "a""#, "3.11.7", "b"));
    assert!(!holds(r#"extra == "a""#, "3.11.7", ""));
}

#[test]
fn undefined_comparisons_are_errors() {
    let environment = markers("3.11.7");
    for marker in [r#"os_name ~= "posix""#, r#"extras == "a""#, r#""a" == "b""#] {
        let parsed = Marker::parse(marker).unwrap();
        assert!(parsed.evaluate(&environment, "").is_err(), "{marker}");
    }
    let arbitrary = Marker::parse(r#"python_full_version === "3.11.7""#).unwrap();
    assert_eq!(arbitrary.evaluate(&environment, ""), Ok(true));
}

#[test]
fn malformed_markers_are_refused() {
    for marker in [
        "",
        "python_version",
        r#"python_version >= "3"  and"#,
        r#"python_version >= "3" or (os_name == "nt""#,
        r#"unknown_name == "x""#,
        r#"python_version not"3""#,
        "python_version >= \"3\"\n",
        r#"python_versionx == "3""#,
    ] {
        assert!(Marker::parse(marker).is_err(), "{marker:?}");
    }
    let deep = format!("{}os_name == \"posix\"{}", "(".repeat(201), ")".repeat(201));
    assert!(Marker::parse(&deep).is_err());
    let fine = format!("{}os_name == \"posix\"{}", "(".repeat(200), ")".repeat(200));
    assert!(Marker::parse(&fine).is_ok());
}

#[test]
fn quoted_strings_take_python_escapes() {
    assert!(holds(r#"os_name == "po\x73ix""#, "3.11.7", ""));
    assert!(holds(r#"os_name == 'posix'"#, "3.11.7", ""));
}
