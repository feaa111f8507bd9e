use super::*;
use crate::core::fixtures::{extras, markers};

fn parse(text: &str) -> Dependency {
    let (dependency, problem) = Dependency::parse(text).unwrap();
    assert_eq!(problem, None, "{text}");
    dependency
}

#[test]
fn pip_counts_a_dependency_when_its_marker_holds_for_any_requested_extra() {
    let linux = markers("3.11.7");
    let dependency = parse(r#"lib>=1; extra != "a""#);
    assert!(dependency.is_needed(&linux, &extras(&["a", "b"])));
    assert!(!dependency.is_needed(&linux, &extras(&["a"])));
    assert!(dependency.is_needed(&linux, &[]));
}

#[test]
fn the_marker_is_split_off_after_a_url_only_at_whitespace() {
    let dependency = parse("lib @ https://example.com/lib.whl;v=1 ; os_name == 'nt'");
    assert_eq!(dependency.name.as_ref(), "lib");
    assert!(!dependency.is_needed(&markers("3.11.7"), &[]));
    let plain = parse("Lib[Fast] (>=1.0,<2) ; python_version >= '3'");
    assert_eq!(plain.extras.len(), 1);
    assert_eq!(plain.specifiers.unwrap().to_string(), ">=1.0, <2");
}

#[test]
fn an_arbitrary_equality_marker_is_kept() {
    let dependency = parse(r#"lib; platform_release === "6.1.0""#);
    assert!(dependency.is_needed(&markers("3.11.7"), &[]));
}

#[test]
fn an_unreadable_marker_keeps_the_dependency_and_says_why() {
    let (dependency, problem) = Dependency::parse("lib; python_version >>> '3'").unwrap();
    assert_eq!(dependency.condition, Condition::Unreadable);
    assert!(problem.unwrap().contains("is not valid"));
    assert!(dependency.is_needed(&markers("3.11.7"), &[]));
    assert!(Dependency::parse("???").is_err());
}
