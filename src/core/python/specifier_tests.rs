use std::str::FromStr;

use super::*;

fn holds(specifiers: &str, version: &str) -> bool {
    let specifiers = VersionSpecifiers::from_str(specifiers).unwrap();
    set_contains(&specifiers, &Version::from_str(version).unwrap())
}

#[test]
fn less_than_a_pre_release_admits_earlier_pre_releases() {
    assert!(holds("<2.0rc2", "2.0rc1"));
    assert!(holds("<2.0rc2", "2.0b3"));
    assert!(!holds("<2.0", "2.0rc1"));
    assert!(!holds("<2", "2.0.dev1"));
    assert!(holds("<2", "1.9+local"));
    assert!(holds("<2.0.post2", "2.0.post1.dev1"));
}

#[test]
fn greater_than_excludes_post_releases_and_locals_of_the_version() {
    assert!(!holds(">1.0", "1.0.post1"));
    assert!(!holds(">1.0", "1.0+local"));
    assert!(holds(">1.0.post1", "1.0.post2"));
    assert!(holds(">1.0", "1.1+local"));
    assert!(holds(">1.0rc1", "1.0.post1"));
    assert!(!holds(">1.0a1", "1.0a1.post1"));
}

#[test]
fn prefix_matching_pads_the_candidate_release() {
    assert!(!holds("==1.0.1.*", "1.0"));
    assert!(holds("==2.0.0.*", "2"));
    assert!(holds("==2.*", "2rc1"));
    assert!(!holds("!=2.*", "2.5"));
    assert!(holds("~=2!1.0", "2!1.5"));
    assert!(!holds("~=1.4.5a4", "1.5"));
}

#[test]
fn local_labels_count_only_when_the_specifier_names_one() {
    assert!(holds("==2.0", "2.0+deadbeef"));
    assert!(!holds("==2.0+other", "2.0+deadbeef"));
    assert!(holds("==2.0+deadbeef.0", "2.0.0+deadbeef.00"));
    assert!(holds(">=1.0", "1.0+x"));
}

#[test]
fn specifiers_parse_where_packaging_accepts_them() {
    for valid in [
        "==1.0",
        "== 1.0.*",
        "~=1.0",
        "<=2!1.0",
        "===anything-goes",
        ">1.0.post1",
    ] {
        assert!(Specifier::parse(valid).is_some(), "{valid}");
    }
    for invalid in [
        "~=1",
        "<1.*",
        "<=1.0+local",
        "==1.0a1.*",
        "in3.11",
        "==",
        ">=1.0,<2",
    ] {
        assert!(Specifier::parse(invalid).is_none(), "{invalid}");
    }
}

#[test]
fn arbitrary_equality_compares_the_text() {
    let specifier = Specifier::parse("===Foobar").unwrap();
    assert!(specifier.contains("foobar"));
    assert!(!Specifier::parse("===1.0").unwrap().contains("1.0.0"));
    assert!(!Specifier::parse(">=1.0").unwrap().contains("not a version"));
}
