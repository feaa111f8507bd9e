use std::str::FromStr;

use super::*;
use crate::core::fixtures::{dist, installed, markers};
use crate::core::names::parse_package_name;

fn name(text: &str) -> PackageName {
    parse_package_name(text).unwrap()
}

fn names(closure: &Closure) -> Vec<String> {
    closure.extras_of.keys().map(ToString::to_string).collect()
}

#[test]
fn closure_follows_dependencies_transitively() {
    let set = installed(vec![
        dist("app", "1", &["lib-a>=1"]),
        dist("lib-a", "1", &["lib_b"]),
        dist("lib-b", "1", &[]),
        dist("stray", "1", &[]),
    ]);
    let app = name("app");
    let closure = closure([(&app, &[][..])], &set, &markers("3.11.7"));
    assert_eq!(names(&closure), ["app", "lib-a", "lib-b"]);
    assert!(closure.missing.is_empty());
}

#[test]
fn markers_are_evaluated_for_the_target_interpreter() {
    let set = installed(vec![
        dist(
            "app",
            "1",
            &[
                "old-only; python_version < \"3.8\"",
                "new-only; python_version >= \"3.8\"",
                "win; sys_platform == \"win32\"",
            ],
        ),
        dist("old-only", "1", &[]),
        dist("new-only", "1", &[]),
        dist("win", "1", &[]),
    ]);
    let app = name("app");
    let closure = closure([(&app, &[][..])], &set, &markers("3.11.7"));
    assert_eq!(names(&closure), ["app", "new-only"]);
}

#[test]
fn extras_pull_in_their_dependencies_only_when_asked() {
    let set = installed(vec![
        dist(
            "flask",
            "3.0.3",
            &["werkzeug>=3", "asgiref>=3.2; extra == \"async\""],
        ),
        dist("werkzeug", "3.0.0", &[]),
        dist("asgiref", "3.8", &[]),
    ]);
    let flask = name("flask");
    let plain = closure([(&flask, &[][..])], &set, &markers("3.11.7"));
    assert_eq!(names(&plain), ["flask", "werkzeug"]);
    let extras = [ExtraName::from_str("async").unwrap()];
    let with_async = closure([(&flask, &extras[..])], &set, &markers("3.11.7"));
    assert_eq!(names(&with_async), ["asgiref", "flask", "werkzeug"]);
}

#[test]
fn missing_dependencies_are_reported_with_their_specifiers() {
    let set = installed(vec![
        dist("app", "1", &["gone>=2", "other"]),
        dist("other", "1", &["gone<3"]),
    ]);
    let app = name("app");
    let closure = closure([(&app, &[][..])], &set, &markers("3.11.7"));
    let missing = &closure.missing[&name("gone")];
    assert_eq!(
        missing.specifiers.iter().cloned().collect::<Vec<_>>(),
        ["<3", ">=2"]
    );
    assert_eq!(missing.required_by.len(), 2);
}

#[test]
fn cycles_terminate() {
    let set = installed(vec![dist("a", "1", &["b"]), dist("b", "1", &["a"])]);
    let a = name("a");
    let closure = closure([(&a, &[][..])], &set, &markers("3.11.7"));
    assert_eq!(names(&closure), ["a", "b"]);
}

#[test]
fn dependents_name_who_breaks() {
    let set = installed(vec![
        dist("app", "1", &["lib"]),
        dist("lib", "1", &[]),
        dist("tool", "1", &["lib"]),
    ]);
    let app = name("app");
    let closure = closure([(&app, &[][..])], &set, &markers("3.11.7"));
    let excluded = BTreeSet::from([name("tool")]);
    let found = dependents(&name("lib"), &set, &closure, &markers("3.11.7"), &excluded);
    assert_eq!(found, vec![name("app")]);
}
