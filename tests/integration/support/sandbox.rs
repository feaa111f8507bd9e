//! One test's private world: a temporary folder holding its manifest, venv, state, home and
//! extra wheels, and a `pkgm` runner pointed at them. Dropped with the test unless kept.

use std::cell::OnceCell;
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::filter::Filter;
use super::pkgm::Pkgm;
use super::scratch::{sandbox_prefix, sandboxes_root};
use super::venv::Venv;
use super::wheelhouse::standard_wheelhouse;
use super::wheels::{write_dists, Dist};

/// The manifest file [`Sandbox::write_manifest`] writes and [`Sandbox::plan`]/[`Sandbox::apply`] use.
pub const MANIFEST_FILE: &str = "manifest.yaml";

/// A test's temporary folder. Set `PKGM_TEST_KEEP=1` to keep it (its path is printed).
///
/// Text written through it has these words replaced by absolute paths:
/// `$WHEELHOUSE` (the shared standard wheelhouse), `$LOCAL_WHEELS` (this sandbox's own
/// wheels, see [`Sandbox::write_local_dists`]), `$SANDBOX` (the folder itself).
pub struct Sandbox {
    dir: TempDir,
    venv: OnceCell<Venv>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&sandbox_prefix())
            .tempdir_in(sandboxes_root())
            .expect("create the sandbox folder");
        for folder in ["home", "config", "cache", "tmp"] {
            std::fs::create_dir(dir.path().join(folder)).expect("create sandbox folders");
        }
        Self {
            dir,
            venv: OnceCell::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The shared standard wheelhouse (see [`standard_wheelhouse`]).
    pub fn wheelhouse(&self) -> &'static Path {
        standard_wheelhouse()
    }

    /// This sandbox's own wheel folder (`$LOCAL_WHEELS`), created by [`Sandbox::write_local_dists`].
    pub fn local_wheels(&self) -> PathBuf {
        self.path().join("wheels")
    }

    /// The state database `pkgm` is given through `PKGM_STATE`.
    pub fn state_path(&self) -> PathBuf {
        self.path().join("state").join("pkgm.db")
    }

    /// Holds the state lock from another process, the way a running `pkgm apply` would
    /// (its holder record names `pkgm apply other.yaml`). Kill the child to release it.
    pub fn hold_state_lock(&self) -> std::process::Child {
        use std::io::{BufRead, BufReader};
        let lock = format!("{}.lock", self.state_path().display());
        std::fs::create_dir_all(self.state_path().parent().expect("state folder")).expect("mkdir");
        let script = r#"
import fcntl, json, os, sys, time
lock = open(sys.argv[1], "a+")
fcntl.flock(lock, fcntl.LOCK_EX)
lock.truncate(0)
lock.write(json.dumps({"pid": os.getpid(), "since_ms": 0, "command": "pkgm apply other.yaml"}))
lock.flush()
print("locked", flush=True)
time.sleep(120)
"#;
        let mut child = std::process::Command::new("python3")
            .args(["-c", script, &lock])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start the lock holder");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().expect("stdout"))
            .read_line(&mut line)
            .expect("read from the lock holder");
        assert_eq!(line.trim(), "locked");
        child
    }

    /// Path of `.venv`, where the default manifest's environment lives, whether or not it exists.
    pub fn venv_path(&self) -> PathBuf {
        self.path().join(".venv")
    }

    /// The sandbox's venv at `.venv`: a copy of the template with pip, made on first use.
    /// Tests about pkgm creating a missing venv should not call this before running pkgm.
    pub fn venv(&self) -> &Venv {
        self.venv
            .get_or_init(|| Venv::copy_of_template(&self.venv_path()))
    }

    /// Writes extra distributions into `$LOCAL_WHEELS` and returns that folder.
    pub fn write_local_dists(&self, dists: &[Dist]) -> PathBuf {
        let folder = self.local_wheels();
        write_dists(&folder, dists);
        folder
    }

    /// Replaces `$WHEELHOUSE`, `$LOCAL_WHEELS` and `$SANDBOX` with their paths.
    pub fn substitute(&self, text: &str) -> String {
        let path = |path: &Path| path.to_str().expect("temporary paths are UTF-8").to_owned();
        text.replace("$WHEELHOUSE", &path(self.wheelhouse()))
            .replace("$LOCAL_WHEELS", &path(&self.local_wheels()))
            .replace("$SANDBOX", &path(self.path()))
    }

    /// Writes `relative` (parents created) with placeholders substituted; returns its path.
    pub fn write_file(&self, relative: &str, contents: &str) -> PathBuf {
        let file = self.path().join(relative);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).expect("create parent folders");
        }
        std::fs::write(&file, self.substitute(contents))
            .unwrap_or_else(|err| panic!("write {}: {err}", file.display()));
        file
    }

    /// Writes [`MANIFEST_FILE`] (see [`OfflineManifest`](super::OfflineManifest) for the usual text).
    pub fn write_manifest(&self, yaml: &str) -> PathBuf {
        self.write_file(MANIFEST_FILE, yaml)
    }

    /// Maps this sandbox's and the wheelhouse's paths to `[TMP]` and `[WHEELHOUSE]`.
    pub fn filter(&self) -> Filter {
        Filter::new()
            .path(self.path(), "[TMP]")
            .path(self.wheelhouse(), "[WHEELHOUSE]")
    }

    /// `pkgm` run in this folder with its own state, `HOME`, XDG config and cache folders
    /// and `TMPDIR` (so sessions, pip's cache and temporary files stay in the sandbox),
    /// and [`Sandbox::filter`].
    pub fn pkgm(&self) -> Pkgm {
        let folder = |name: &str| self.path().join(name);
        Pkgm::new()
            .current_dir(self.path())
            .env("PKGM_STATE", self.state_path())
            .env("HOME", folder("home"))
            .env("XDG_CONFIG_HOME", folder("config"))
            .env("XDG_CACHE_HOME", folder("cache"))
            .env("TMPDIR", folder("tmp"))
            .filter(self.filter())
    }

    /// `pkgm plan manifest.yaml --allow-unsigned`; add e.g. `.args(["--output", "json"])`.
    pub fn plan(&self) -> Pkgm {
        self.pkgm()
            .args(["plan", MANIFEST_FILE, "--allow-unsigned"])
    }

    /// `pkgm apply manifest.yaml --yes --allow-unsigned`.
    pub fn apply(&self) -> Pkgm {
        self.pkgm()
            .args(["apply", MANIFEST_FILE, "--yes", "--allow-unsigned"])
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if std::env::var_os("PKGM_TEST_KEEP").is_some_and(|value| value == "1") {
            self.dir.disable_cleanup(true);
            let _ = writeln!(
                std::io::stderr().lock(),
                "note: kept sandbox {} (the next test run removes it)",
                self.path().display()
            );
        }
    }
}
