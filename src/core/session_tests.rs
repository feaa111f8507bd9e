use super::*;
use crate::core::fixtures::{account, HASH_A};
use crate::core::user_spec::Role;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const NOW: i64 = 1_800_000_000_000;

fn token_for(account: &Account) -> String {
    issue(SECRET, &SessionClaims::new(account, NOW, DEFAULT_TTL_SECS)).unwrap()
}

#[test]
fn a_fresh_token_verifies_until_it_expires() {
    let alice = account(1, "alice", Role::Admin, HASH_A);
    let token = token_for(&alice);
    let claims = verify(SECRET, &token, NOW).unwrap();
    assert_eq!((claims.sub.as_str(), claims.uid), ("alice", 1));
    assert_eq!(claims.exp - claims.iat, 3600);
    assert!(verify(SECRET, &token, NOW + 3_599_000).is_ok());
    assert_eq!(
        verify(SECRET, &token, NOW + 3_600_000),
        Err(SessionError::Expired { exp: claims.exp })
    );
    assert_eq!(check_account(&claims, Some(&alice)), Ok(()));
}

#[test]
fn tampered_or_foreign_tokens_are_invalid() {
    let token = token_for(&account(1, "alice", Role::Viewer, HASH_A));
    let other_secret = b"another secret of thirty-two b!!";
    let foreign_typ = encode(
        &Header {
            typ: Some("pkgm-manifest+jwt".into()),
            ..Header::new(Algorithm::HS256)
        },
        &SessionClaims::new(&account(1, "alice", Role::Viewer, HASH_A), NOW, 60),
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    parts[1] = parts[1].replace('a', "b");
    let none_alg = format!(
        "eyJhbGciOiJub25lIiwidHlwIjoicGttLXNlc3Npb24rand0In0.{}.",
        parts[1]
    );
    for (what, token, secret) in [
        ("other secret", token.clone(), other_secret.as_slice()),
        ("foreign typ", foreign_typ, SECRET),
        ("tampered claims", parts.join("."), SECRET),
        ("alg none", none_alg, SECRET),
        ("garbage", "not a token".into(), SECRET),
    ] {
        assert_eq!(
            verify(secret, &token, NOW),
            Err(SessionError::Invalid),
            "{what}"
        );
    }
}

#[test]
fn deleted_recreated_or_repassworded_accounts_revoke_sessions() {
    let alice = account(1, "alice", Role::Admin, HASH_A);
    let claims = verify(SECRET, &token_for(&alice), NOW).unwrap();
    let recreated = Account {
        id: 9,
        ..alice.clone()
    };
    let repassworded = Account {
        credential_epoch: 2,
        ..alice.clone()
    };
    assert_eq!(
        check_account(&claims, None),
        Err(SessionError::AccountGone("alice".into()))
    );
    assert_eq!(
        check_account(&claims, Some(&recreated)),
        Err(SessionError::AccountGone("alice".into()))
    );
    assert_eq!(
        check_account(&claims, Some(&repassworded)),
        Err(SessionError::PasswordChanged("alice".into()))
    );
}
