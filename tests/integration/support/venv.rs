//! Real virtual environments, fast: one template venv (with pip) per Python, copied per test.
//! Helpers call the venv's own `python -m pip`, never its entry-point scripts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde::Deserialize;

use super::copy_tree::copy_tree;
use super::process::{run, run_checked, scrub_environment};
use super::python::host_python;
use super::shared_cache::cached_dir;

/// Bump when the template's recipe changes, so old cache entries are not reused.
const TEMPLATE_RECIPE: &str = "venv-template v2: python -m venv, without setuptools";

/// A virtual environment on disk (usually a sandbox's copy of the template).
#[derive(Debug, Clone)]
pub struct Venv {
    root: PathBuf,
}

struct Template {
    venv: PathBuf,
    /// Where the template was created; copies rewrite this text in `bin/` and `pyvenv.cfg`.
    created_at: String,
    /// `pip list` of the fresh template: pip alone.
    seed: BTreeMap<String, String>,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let python = host_python();
        let entry = cached_dir(
            "venv",
            &[
                TEMPLATE_RECIPE.as_bytes(),
                python.executable.as_os_str().as_encoded_bytes(),
                python.version.as_bytes(),
            ],
            build_template,
        );
        let read = |name: &str| {
            std::fs::read_to_string(entry.join(name))
                .unwrap_or_else(|err| panic!("read {name} of the venv template: {err}"))
        };
        Template {
            venv: entry.join("venv"),
            created_at: read("created_at"),
            seed: serde_json::from_str(&read("seed.json")).expect("seed.json is a JSON map"),
        }
    })
}

fn build_template(staging: &Path) {
    let venv = staging.join("venv");
    let mut command = Command::new(&host_python().executable);
    scrub_environment(&mut command);
    command.arg("-m").arg("venv").arg(&venv);
    run_checked(&mut command, b"");
    let template = Venv { root: venv.clone() };
    // Python 3.12+ venvs have pip only; removing 3.11's setuptools makes every Python
    // look alike to tests and halves what each copy writes.
    template.pip(&["uninstall", "--yes", "setuptools"]);
    let created_at = venv.to_str().expect("temporary paths are UTF-8");
    std::fs::write(staging.join("created_at"), created_at).expect("write created_at");
    // Listing once also leaves every .pyc pip needs in the template, for all copies.
    let seed = template.pip_list();
    let seed = serde_json::to_vec(&seed).expect("a map serialises");
    std::fs::write(staging.join("seed.json"), seed).expect("write seed.json");
}

impl Venv {
    /// A fresh copy of the template at `root` (which must not exist): a working venv with pip.
    pub fn copy_of_template(root: &Path) -> Self {
        let template = template();
        copy_tree(&template.venv, root)
            .unwrap_or_else(|err| panic!("copy the venv template to {}: {err}", root.display()));
        let venv = Self::at(root);
        venv.rewrite_template_paths(&template.created_at);
        venv
    }

    /// An existing venv, e.g. one that `pkgm` created.
    pub fn at(root: &Path) -> Self {
        Self {
            root: root.to_owned(),
        }
    }

    /// What `pip list` shows in a fresh venv (normalised name → version).
    pub fn seed_packages() -> &'static BTreeMap<String, String> {
        &template().seed
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `bin/python`.
    pub fn python(&self) -> PathBuf {
        self.root.join("bin").join("python")
    }

    /// The venv's `lib/pythonX.Y/site-packages`.
    pub fn site_packages(&self) -> PathBuf {
        let lib = self.root.join("lib");
        let mut candidates = std::fs::read_dir(&lib)
            .unwrap_or_else(|err| panic!("list {}: {err}", lib.display()))
            .map(|entry| entry.expect("list lib/").path().join("site-packages"))
            .filter(|candidate| candidate.is_dir());
        candidates
            .next()
            .expect("the venv has lib/python*/site-packages")
    }

    /// Runs the venv's `python ARGS` (hermetic environment) and returns its stdout, trimmed;
    /// panics unless it exits 0.
    pub fn run_python(&self, args: &[&str]) -> String {
        let mut command = Command::new(self.python());
        scrub_environment(&mut command);
        command.args(args);
        let output = run_checked(&mut command, b"");
        String::from_utf8(output.stdout)
            .expect("python printed UTF-8")
            .trim_end()
            .to_owned()
    }

    /// Runs `python -m pip ARGS` offline and quietly configured; panics unless it exits 0.
    pub fn pip(&self, args: &[&str]) -> Output {
        run_checked(&mut self.pip_command(args), b"")
    }

    /// Like [`Venv::pip`] but returns a failed run too, for tests that expect pip to fail.
    pub fn try_pip(&self, args: &[&str]) -> Output {
        run(&mut self.pip_command(args), b"")
    }

    /// Every installed distribution, from the venv's own `pip list --format=json`,
    /// as PEP 503 normalised name → version.
    pub fn pip_list(&self) -> BTreeMap<String, String> {
        #[derive(Deserialize)]
        struct Listed {
            name: String,
            version: String,
        }
        let output = self.pip(&["list", "--format=json"]);
        let listed: Vec<Listed> =
            serde_json::from_slice(&output.stdout).expect("pip list prints a JSON list");
        listed
            .into_iter()
            .map(|item| (normalize_name(&item.name), item.version))
            .collect()
    }

    /// [`Venv::pip_list`] without what a fresh venv already has (pip, same version).
    pub fn installed_beyond_seed(&self) -> BTreeMap<String, String> {
        let seed = Self::seed_packages();
        let mut installed = self.pip_list();
        installed.retain(|name, version| seed.get(name) != Some(version));
        installed
    }

    /// `pip install --no-index --find-links DIR REQUIREMENTS…`, e.g. to arrange drift.
    pub fn pip_install_offline(&self, find_links: &Path, requirements: &[&str]) -> Output {
        self.pip(&Self::offline_install_args(find_links, requirements))
    }

    /// Like [`Venv::pip_install_offline`] but returns a failed run too.
    pub fn try_pip_install_offline(&self, find_links: &Path, requirements: &[&str]) -> Output {
        self.try_pip(&Self::offline_install_args(find_links, requirements))
    }

    /// `pip uninstall --yes NAMES…`.
    pub fn pip_uninstall(&self, names: &[&str]) -> Output {
        let mut args = vec!["uninstall", "--yes"];
        args.extend_from_slice(names);
        self.pip(&args)
    }

    /// `uv pip install --python VENV --no-index --find-links DIR REQUIREMENTS…`.
    pub fn uv_install_offline(
        &self,
        uv: &Path,
        find_links: &Path,
        requirements: &[&str],
    ) -> Output {
        let mut command = Command::new(uv);
        scrub_environment(&mut command);
        command
            .args(["pip", "install", "--python"])
            .arg(self.python())
            .args(["--no-index", "--no-cache", "--find-links"])
            .arg(find_links)
            .args(requirements);
        run_checked(&mut command, b"")
    }

    fn offline_install_args<'a>(find_links: &'a Path, requirements: &[&'a str]) -> Vec<&'a str> {
        let find_links = find_links.to_str().expect("temporary paths are UTF-8");
        let mut args = vec!["install", "--no-index", "--find-links", find_links];
        args.extend_from_slice(requirements);
        args
    }

    fn pip_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(self.python());
        scrub_environment(&mut command);
        command
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("PIP_NO_INPUT", "1")
            .env("PIP_NO_CACHE_DIR", "1")
            .args(["-m", "pip"])
            .args(args);
        command
    }

    /// Entry-point shebangs, `activate` and `pyvenv.cfg` name the template's folder; point
    /// them at this copy so that nothing run from here can write into the shared template.
    fn rewrite_template_paths(&self, template_root: &str) {
        let new_root = self.root.to_str().expect("temporary paths are UTF-8");
        let bin = std::fs::read_dir(self.root.join("bin")).expect("the venv has bin/");
        let files = bin
            .map(|entry| entry.expect("list bin/").path())
            .chain([self.root.join("pyvenv.cfg")]);
        for file in files {
            if file.is_symlink() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue; // not text (there are no binaries in a venv's bin/ but symlinks)
            };
            if text.contains(template_root) {
                std::fs::write(&file, text.replace(template_root, new_root))
                    .unwrap_or_else(|err| panic!("rewrite {}: {err}", file.display()));
            }
        }
    }
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut in_separator_run = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            if !in_separator_run {
                normalized.push('-');
            }
            in_separator_run = true;
        } else {
            normalized.extend(character.to_lowercase());
            in_separator_run = false;
        }
    }
    normalized
}
