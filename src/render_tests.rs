use std::str::FromStr;

use pep440_rs::Version;

use super::*;
use crate::core::names::parse_package_name;

fn change(
    action: PackageAction,
    name: &str,
    from: Option<&str>,
    to: Option<&str>,
    reason: &str,
) -> PackageChange {
    PackageChange {
        action,
        name: parse_package_name(name).unwrap(),
        from: from.map(|v| Version::from_str(v).unwrap()),
        to: to.map(String::from),
        extras: Vec::new(),
        reason: reason.into(),
        breaks: Vec::new(),
        conditional: false,
    }
}

fn header() -> ManifestHeader {
    ManifestHeader {
        signature: None,
        name: "analytics".into(),
        revision: 7,
        sha256: "ab12".into(),
        signed_by: Some("ops-2026".into()),
    }
}

fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

fn sample() -> Plan {
    Plan {
        environment: None,
        packages: vec![
            change(
                PackageAction::Install,
                "rich",
                None,
                Some("*"),
                "not installed",
            ),
            change(
                PackageAction::Upgrade,
                "numpy",
                Some("1.25.2"),
                Some(">=1.26, <2"),
                "1.25.2 does not satisfy >=1.26, <2",
            ),
            change(
                PackageAction::Remove,
                "stray",
                Some("1.0"),
                None,
                "not declared and not required (prune)",
            ),
        ],
        users: Vec::new(),
    }
}

#[test]
fn text_plans_read_like_terraform() {
    assert_eq!(
        plain(&plan_text(&header(), &sample())),
        "pkgm will make these changes for `analytics` revision 7 (signed by `ops-2026`):\n\n\
         \x20 + rich  *                    not installed\n\
         \x20 ↑ numpy 1.25.2 → >=1.26, <2  1.25.2 does not satisfy >=1.26, <2\n\
         \x20 - stray 1.0                  not declared and not required (prune)\n\n\
         Plan: 1 to install, 1 to upgrade, 1 to remove.\n\
         The installer also adds what these need; `pkgm history ID` lists every package it changed.\n"
    );
}

#[test]
fn an_empty_plan_says_no_changes() {
    assert_eq!(
        plain(&plan_text(&header(), &Plan::default())),
        "No changes. `analytics` revision 7 (signed by `ops-2026`) matches the environment.\n"
    );
}

#[test]
fn json_plans_follow_the_documented_shape() {
    let document = plan_json(&header(), &sample());
    assert_eq!(document["format_version"], 1);
    assert_eq!(document["manifest"]["signed_by"], "ops-2026");
    assert_eq!(document["changes"][1]["action"], "upgrade");
    assert_eq!(document["changes"][1]["from"], "1.25.2");
    assert_eq!(document["changes"][2]["to"], Value::Null);
    assert_eq!(document["summary"]["remove"], 1);
}

#[test]
fn times_and_durations_are_readable() {
    assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
    assert_eq!(duration(340), "340ms");
    assert_eq!(duration(1250), "1.2s");
}

#[test]
fn user_changes_name_fields_never_values() {
    use crate::core::plan::UserChange;
    use crate::core::user_spec::UserName;
    let user = |action, name: &str, fields: Vec<&'static str>| UserChange {
        action,
        name: UserName::parse(name).unwrap(),
        fields,
    };
    let plan = Plan {
        users: vec![
            user(
                UserAction::Create,
                "alice",
                vec!["email", "role", "password"],
            ),
            user(UserAction::Create, "bob", vec!["email", "role", "password"]),
            user(UserAction::Update, "carol", vec!["password"]),
            user(UserAction::Delete, "dave", vec![]),
        ],
        ..Plan::default()
    };
    assert_eq!(
        plain(&plan_text(&header(), &plan)),
        "pkgm will make these changes for `analytics` revision 7 (signed by `ops-2026`):\n\n\
         \x20 + user alice create (email, role, password)\n\
         \x20 + user bob create (email, role, password)\n\
         \x20 ~ user carol update (password)\n\
         \x20 - user dave delete\n\n\
         Plan: 2 users to create, 1 user to update, 1 user to delete.\n"
    );
    let document = plan_json(&header(), &plan);
    assert_eq!(document["changes"][2]["kind"], "user");
    assert_eq!(document["changes"][2]["fields"], json!(["password"]));
    assert_eq!(document["summary"]["create"], 2);
}
