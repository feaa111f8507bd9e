//! A private world per test (state, config folder, manifests) and a runner for the real
//! `pkgm` binary with the test clock. Replaced by the shared harness once it lands.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub const ALICE_PASSWORD: &str = "alice's long passphrase";
pub const BOB_PASSWORD: &str = "bob's long passphrase";
pub const CAROL_PASSWORD: &str = "carol's long passphrase";

/// PHC strings for the three passwords, made once per test run by `pkgm hash-password`.
pub struct Hashes {
    pub alice: String,
    pub bob: String,
    pub carol: String,
}

pub fn hashes() -> &'static Hashes {
    static HASHES: OnceLock<Hashes> = OnceLock::new();
    HASHES.get_or_init(|| {
        let world = World::new();
        let hash = |password: &str| {
            let out = world
                .pkgm_stdin(
                    &["hash-password", "--password-stdin"],
                    &format!("{password}\n"),
                    None,
                )
                .success();
            out.stdout.trim().to_string()
        };
        Hashes {
            alice: hash(ALICE_PASSWORD),
            bob: hash(BOB_PASSWORD),
            carol: hash(CAROL_PASSWORD),
        }
    })
}

/// An argon2id hash at OWASP's cheapest accepted setting (m=7 MiB, t=5), below pkgm's current one.
pub fn weak_hash(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(7168, 5, 1, Some(32)).unwrap();
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let salt = SaltString::encode_b64(b"a fixed test salt").unwrap();
    argon2
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

/// One `users:` entry in YAML flow style.
pub fn user_entry(name: &str, role: &str, hash: &str) -> String {
    format!("{name}: {{email: {name}@example.com, role: {role}, password_hash: '{hash}'}}")
}

/// What one run of `pkgm` did.
#[derive(Debug, Clone)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub command: String,
}

impl Output {
    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(
            self.code,
            Some(0),
            "`{}` failed:\n{}",
            self.command,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failure(self) -> Self {
        assert_eq!(
            self.code,
            Some(1),
            "`{}` did not fail with 1:\n{}{}",
            self.command,
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A temporary folder with the state, the config folder (for the session) and manifests.
pub struct World {
    dir: TempDir,
}

impl World {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(dir.path().join("home")).expect("a home folder");
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn state(&self) -> PathBuf {
        self.path().join("state/state.db")
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).expect("write a file");
        path
    }

    /// `manifest.yaml` managing the system `python3` (no pip runs) with these users.
    pub fn write_users_manifest(&self, revision: u64, entries: &[String]) -> PathBuf {
        let users: String = entries.iter().map(|entry| format!("  {entry}\n")).collect();
        self.write(
            "manifest.yaml",
            &format!(
                "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: team, revision: {revision}}}\n\
                 environment: {{python: python3}}\nusers:\n{users}"
            ),
        )
    }

    #[track_caller]
    pub fn apply_users(&self, revision: u64, entries: &[String]) {
        let manifest = self.write_users_manifest(revision, entries);
        self.pkgm_args(&["apply"], &manifest, &["--allow-unsigned", "--yes", "-q"])
            .success();
    }

    pub fn pkgm(&self, args: &[&str]) -> Output {
        self.pkgm_stdin(args, "", None)
    }

    /// Runs with the test clock at `now` (unix seconds).
    pub fn pkgm_at(&self, args: &[&str], now: i64) -> Output {
        self.pkgm_stdin(args, "", Some(now))
    }

    pub fn pkgm_args(&self, before: &[&str], manifest: &Path, after: &[&str]) -> Output {
        let manifest = manifest.to_str().expect("a UTF-8 path");
        let args: Vec<&str> = before
            .iter()
            .copied()
            .chain([manifest])
            .chain(after.iter().copied())
            .collect();
        self.pkgm(&args)
    }

    pub fn login(&self, user: &str, password: &str) -> Output {
        self.pkgm_stdin(
            &["login", "--user", user, "--password-stdin"],
            &format!("{password}\n"),
            None,
        )
    }

    pub fn login_at(&self, user: &str, password: &str, now: i64) -> Output {
        self.pkgm_stdin(
            &["login", "--user", user, "--password-stdin"],
            &format!("{password}\n"),
            Some(now),
        )
    }

    pub fn pkgm_stdin(&self, args: &[&str], stdin: &str, now: Option<i64>) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pkgm"));
        command
            .args(args)
            .current_dir(self.path())
            .env("PKGM_STATE", self.state())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("HOME", self.path().join("home"))
            .env("NO_COLOR", "1")
            .env_remove("PKGM_NOW")
            .env_remove("PKGM_TRUST")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            if key.starts_with("PIP_") || key.starts_with("UV_") {
                command.env_remove(key);
            }
        }
        if let Some(now) = now {
            command.env("PKGM_NOW", now.to_string());
        }
        let started = Instant::now();
        let mut child = command.spawn().expect("start pkgm");
        {
            use std::io::Write;
            let mut input = child.stdin.take().expect("stdin");
            let _ = input.write_all(stdin.as_bytes());
        }
        let output = child.wait_with_output().expect("wait for pkgm");
        Output {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed: started.elapsed(),
            command: format!("pkgm {}", args.join(" ")),
        }
    }

    /// A venv without pip (fast to make) holding one fake distribution, `demo` 1.0.
    /// Returns its interpreter.
    pub fn venv_without_pip(&self) -> PathBuf {
        let venv = self.path().join("bare-venv");
        let status = Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(&venv)
            .status()
            .expect("run python3 -m venv");
        assert!(status.success());
        let lib = venv.join("lib");
        let python_dir = std::fs::read_dir(&lib)
            .expect("lib/")
            .filter_map(Result::ok)
            .find(|entry| entry.file_name().to_string_lossy().starts_with("python"))
            .expect("lib/python3.X");
        let dist_info = python_dir.path().join("site-packages/demo-1.0.dist-info");
        std::fs::create_dir_all(&dist_info).expect("a dist-info folder");
        std::fs::write(
            dist_info.join("METADATA"),
            "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
        )
        .expect("METADATA");
        venv.join("bin/python")
    }

    /// The PHC string the store checks `name`'s password against.
    pub fn stored_verifier(&self, name: &str) -> String {
        let connection = rusqlite::Connection::open(self.state()).expect("open the state");
        connection
            .query_row(
                "SELECT password_hash FROM accounts WHERE name = ?1",
                [name],
                |row| row.get(0),
            )
            .expect("the account")
    }

    /// Pure-Python wheels with no dependencies, written by Python's zipfile; returns their folder.
    pub fn build_wheels(&self, dists: &[(&str, &str)]) -> PathBuf {
        let folder = self.path().join("wheels");
        std::fs::create_dir_all(&folder).expect("a wheel folder");
        let script = r#"
import sys, zipfile, base64, hashlib
folder, name, version = sys.argv[1:4]
info = f"{name}-{version}.dist-info"
files = {
    f"{name}/__init__.py": f"__version__ = '{version}'\n",
    f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
def digest(text):
    raw = hashlib.sha256(text.encode()).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
record = "".join(f"{path},{digest(text)},{len(text.encode())}\n" for path, text in files.items())
files[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
with zipfile.ZipFile(f"{folder}/{name}-{version}-py3-none-any.whl", "w") as wheel:
    for path, text in files.items():
        wheel.writestr(path, text)
"#;
        for (name, version) in dists {
            let status = Command::new("python3")
                .args(["-c", script])
                .arg(&folder)
                .args([name, version])
                .status()
                .expect("run python3");
            assert!(status.success(), "building {name} {version}");
        }
        folder
    }
}
