use super::*;
use crate::core::account::Account;
use crate::core::fixtures::{account, declared, user, HASH_A, HASH_B};
use crate::core::user_spec::Role::{Admin, Maintainer, Viewer};

fn lines(changes: &[UserChange]) -> Vec<String> {
    changes
        .iter()
        .map(|change| {
            let action = match change.action {
                UserAction::Create => "create",
                UserAction::Update => "update",
                UserAction::Delete => "delete",
            };
            format!("{action} {} [{}]", change.name, change.fields.join(","))
        })
        .collect()
}

#[test]
fn declared_users_become_creates_updates_and_deletes() {
    let stored: Vec<Account> = vec![
        account(1, "alice", Admin, HASH_A),
        account(2, "bob", Viewer, HASH_A),
        account(3, "carol", Viewer, HASH_A),
        account(4, "dave", Viewer, HASH_A),
        account(5, "erin", Viewer, HASH_A),
    ];
    let cases: Vec<(String, Vec<&str>)> = vec![
        (user("alice", "admin", HASH_A), vec![]),
        (
            user("zoe", "viewer", HASH_A),
            vec!["create zoe [email,role,password]"],
        ),
        (user("bob", "maintainer", HASH_A), vec!["update bob [role]"]),
        (user("bob", "viewer", HASH_B), vec!["update bob [password]"]),
        (
            "bob: {email: robert@example.com, role: admin, password_hash: '".to_string()
                + HASH_B
                + "'}",
            vec!["update bob [email,role,password]"],
        ),
        (
            "carol: absent, nobody: absent".into(),
            vec!["delete carol []"],
        ),
        (String::new(), vec![]),
    ];
    for (users, expected) in cases {
        let changes = plan_users(&declared(&users), &stored).unwrap();
        assert_eq!(lines(&changes), expected, "{users}");
    }
}

#[test]
fn a_plan_may_not_leave_the_store_without_an_admin() {
    let stored = vec![
        account(1, "alice", Admin, HASH_A),
        account(2, "bob", Maintainer, HASH_A),
    ];
    let refused = [
        "alice: absent".to_string(),
        user("alice", "maintainer", HASH_A),
        user("alice", "viewer", HASH_A) + &user("bob", "maintainer", HASH_A),
    ];
    for users in refused {
        let err = plan_users(&declared(&users), &stored).unwrap_err();
        assert_eq!(err.names, [UserName::parse("alice").unwrap()], "{users}");
        assert!(err.to_string().contains("leaves no admin"), "{err}");
    }
    let allowed = [
        format!("alice: absent, {}", user("bob", "admin", HASH_A)),
        format!("alice: absent, {}", user("zoe", "admin", HASH_A)),
        user("bob", "viewer", HASH_A),
    ];
    for users in allowed {
        assert!(plan_users(&declared(&users), &stored).is_ok(), "{users}");
    }
}

#[test]
fn a_store_without_admins_may_stay_without_one() {
    let stored = vec![account(1, "bob", Viewer, HASH_A)];
    assert!(plan_users(&declared("bob: absent"), &stored).is_ok());
    assert!(plan_users(&declared(&user("amy", "viewer", HASH_A)), &[]).is_ok());
}
