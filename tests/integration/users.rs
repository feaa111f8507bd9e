//! Users and sessions through the real binary: accounts reconciled by apply, login and its
//! failures, lockouts and expiry on the `PKGM_NOW` test clock (never sleeps), revocation,
//! the role matrix, and that no hash or password ever leaves the store.
//!
//! Manifests here keep `.venv` (a template copy) with `prune: false` and no packages, so
//! apply never starts pip; only `imperative` installs anything.

mod accounts;
mod imperative;
mod logins;
mod roles;
mod secrecy;
mod sessions;

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::support::pkgm::{Pkgm, Run};
use crate::support::Sandbox;

pub const ALICE_PASSWORD: &str = "alice's long passphrase";
pub const BOB_PASSWORD: &str = "bob's long passphrase";
pub const CAROL_PASSWORD: &str = "carol's long passphrase";

/// 2030-03-17T17:46:40Z: the test clock's usual start (unix seconds).
pub const T0: i64 = 1_900_000_000;
pub const MINUTE: i64 = 60;

/// PHC strings for the three passwords, made once per test run by `pkgm hash-password`.
pub struct Hashes {
    pub alice: String,
    pub bob: String,
    pub carol: String,
}

pub fn hashes() -> &'static Hashes {
    static HASHES: OnceLock<Hashes> = OnceLock::new();
    HASHES.get_or_init(|| {
        let sandbox = Sandbox::new();
        let hash = |password: &str| {
            let run = sandbox
                .pkgm()
                .args(["hash-password", "--password-stdin"])
                .stdin(format!("{password}\n"))
                .run();
            run.expect_success();
            run.stdout().trim().to_owned()
        };
        Hashes {
            alice: hash(ALICE_PASSWORD),
            bob: hash(BOB_PASSWORD),
            carol: hash(CAROL_PASSWORD),
        }
    })
}

/// An argon2id hash at OWASP's cheapest accepted cost (m=7 MiB, t=5), below pkgm's current one.
pub fn weak_hash(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(7168, 5, 1, Some(32)).expect("valid parameters");
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"a fixed test salt").expect("a salt");
    argon2
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing works")
        .to_string()
}

/// One `users:` entry in YAML flow style, with the email `NAME@example.com`.
pub fn user(name: &str, role: &str, hash: &str) -> String {
    format!("{name}: {{email: {name}@example.com, role: {role}, password_hash: '{hash}'}}")
}

#[track_caller]
pub fn succeeds(run: Run) -> Run {
    run.expect_success();
    run
}

#[track_caller]
pub fn fails(run: Run) -> Run {
    run.expect_code(1);
    run
}

/// A sandbox whose manifests declare users, with login and clock helpers.
pub struct Users {
    pub sandbox: Sandbox,
}

impl Users {
    pub fn new() -> Self {
        Self {
            sandbox: Sandbox::new(),
        }
    }

    /// `manifest.yaml` keeping the sandbox venv as it is, with these `users:` entries.
    pub fn write_manifest(&self, revision: u64, entries: &[String]) -> PathBuf {
        self.sandbox.venv();
        let users: String = entries.iter().map(|entry| format!("  {entry}\n")).collect();
        self.sandbox.write_manifest(&format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: team, revision: {revision}}}\n\
             environment: {{venv: .venv, prune: false}}\nusers:\n{users}"
        ))
    }

    /// `pkgm apply` of the unsigned test manifest, allowed to change accounts.
    pub fn apply_command(&self) -> Pkgm {
        self.sandbox.apply().arg("--allow-unsigned-users")
    }

    #[track_caller]
    pub fn apply(&self, revision: u64, entries: &[String]) {
        self.write_manifest(revision, entries);
        succeeds(self.apply_command().arg("-q").run());
    }

    pub fn pkgm(&self, args: &[&str]) -> Run {
        self.sandbox.pkgm().args(args).run()
    }

    /// Runs with the test clock at `now` (unix seconds).
    pub fn pkgm_at(&self, args: &[&str], now: i64) -> Run {
        self.sandbox
            .pkgm()
            .args(args)
            .env("PKGM_NOW", now.to_string())
            .run()
    }

    pub fn login_command(&self, name: &str, password: &str) -> Pkgm {
        self.sandbox
            .pkgm()
            .args(["login", "--user", name, "--password-stdin"])
            .stdin(format!("{password}\n"))
    }

    pub fn login(&self, name: &str, password: &str) -> Run {
        self.login_command(name, password).run()
    }

    pub fn login_at(&self, name: &str, password: &str, now: i64) -> Run {
        self.login_command(name, password)
            .env("PKGM_NOW", now.to_string())
            .run()
    }

    /// The sandbox venv's interpreter, for `--python`.
    pub fn python(&self) -> String {
        let python = self.sandbox.venv().python();
        python
            .to_str()
            .expect("temporary paths are UTF-8")
            .to_owned()
    }
}
