//! The Python environment a manifest manages: finding its interpreter, inspecting it
//! (interpreter facts from the cache, distributions from site-packages) and creating it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::core::installed::{InstalledSet, InterpreterInfo};
use crate::core::manifest::{EnvironmentSpec, InstallerKind, Target};

use super::interpreter::{self, base_python, find_on_path, venv_python};
use super::site_packages::{read_installed, Oddity, SiteFolders};
use super::store::Store;

/// The interpreter pkgm manages, and the venv around it when it is one.
#[derive(Debug, Clone)]
pub struct PythonTarget {
    pub python: PathBuf,
    pub venv: Option<PathBuf>,
    /// Set when the manifest naming this interpreter has no accepted signature: the
    /// interpreter is then never run (only its cached facts are used), and this says why.
    unverified: Option<String>,
}

/// What inspecting an existing environment found.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub info: InterpreterInfo,
    pub installed: InstalledSet,
    pub oddities: Vec<Oddity>,
}

/// The interpreter venvs are created with: PKGM_PYTHON, else `python3` on PATH.
fn venv_base_python() -> anyhow::Result<PathBuf> {
    let base = base_python().context(
        "no `python3` on PATH to create the virtual environment with\n\
         hint: install Python 3, or set PKGM_PYTHON to an interpreter",
    )?;
    if std::env::var_os("PKGM_PYTHON").is_some() && !base.is_file() {
        bail!(
            "PKGM_PYTHON names `{}`, which does not exist; it is the interpreter venvs are \
             created with\nhint: point PKGM_PYTHON at an installed Python 3, or unset it to use \
             `python3` from PATH",
            base.display()
        );
    }
    Ok(base)
}

/// Refuses a venv path that is a symbolic link, or an existing folder with files in it
/// but no `pyvenv.cfg` (not a venv pkgm may manage).
fn check_venv_folder(venv: &Path) -> anyhow::Result<()> {
    let Ok(metadata) = std::fs::symlink_metadata(venv) else {
        return Ok(());
    };
    if metadata.file_type().is_symlink() {
        let target = std::fs::read_link(venv)
            .map(|target| format!(" (to `{}`)", target.display()))
            .unwrap_or_default();
        bail!(
            "`{}` is a symbolic link{target}; refusing to manage the environment behind it\n\
             hint: point `environment.venv` at the real folder, or remove the link",
            venv.display()
        );
    }
    if !metadata.is_dir() {
        bail!(
            "`{}` is not a folder, so it cannot be a virtual environment\n\
             hint: remove it, or point `environment.venv` elsewhere",
            venv.display()
        );
    }
    if !venv.join("pyvenv.cfg").is_file() && !is_empty_folder(venv) {
        bail!(
            "`{}` is not a virtual environment (it has no `pyvenv.cfg`); refusing to manage it\n\
             hint: point `environment.venv` at a venv, or at a folder that does not exist yet",
            venv.display()
        );
    }
    Ok(())
}

fn is_empty_folder(folder: &Path) -> bool {
    std::fs::read_dir(folder).is_ok_and(|mut entries| entries.next().is_none())
}

impl PythonTarget {
    /// Locates the target of a resolved environment; a venv need not exist yet.
    pub fn locate(environment: &EnvironmentSpec) -> anyhow::Result<Self> {
        Self::locate_from(environment, "`environment.python`")
    }

    /// [`PythonTarget::locate`], naming where an interpreter path came from (`--python`).
    pub fn locate_from(environment: &EnvironmentSpec, origin: &str) -> anyhow::Result<Self> {
        match &environment.target {
            Target::Venv(venv) => Ok(Self {
                python: venv_python(venv),
                venv: Some(venv.clone()),
                unverified: None,
            }),
            Target::Interpreter(python) => {
                // A relative path is relative to the working directory, as for pip and uv;
                // the interpreter itself runs from an empty folder.
                let python = if python.components().count() > 1 {
                    std::path::absolute(python).unwrap_or_else(|_| python.clone())
                } else {
                    python.clone()
                };
                let found = find_on_path(&python.to_string_lossy()).with_context(|| {
                    format!(
                        "the interpreter `{}` ({origin}) does not exist\n\
                         hint: name an installed interpreter (a path such as \
                         `.venv/bin/python`, or a name on PATH){}",
                        python.display(),
                        match origin {
                            "`environment.python`" => {
                                ", or use `venv:` to have pkgm create an environment"
                            }
                            _ => "",
                        }
                    )
                })?;
                Ok(Self {
                    python: found,
                    venv: None,
                    unverified: None,
                })
            }
        }
    }

    /// Forbids running the interpreter: it was named by a manifest whose signature was
    /// not accepted (`reason` says why, one line). Cached facts are still used, since
    /// reading them runs nothing.
    pub fn unverified(self, reason: &str) -> Self {
        Self {
            unverified: Some(reason.to_string()),
            ..self
        }
    }

    /// Whether there is an environment to inspect (a venv may still have to be created).
    /// A venv path that is a link, or a folder with files but no `pyvenv.cfg`, is refused:
    /// a committed `.venv -> /usr` would otherwise turn a prune onto the system's Python.
    pub fn exists(&self) -> anyhow::Result<bool> {
        if let Some(venv) = &self.venv {
            check_venv_folder(venv)?;
        }
        if self.python.exists() {
            return Ok(true);
        }
        match &self.venv {
            Some(venv) if venv.exists() && !is_empty_folder(venv) => bail!(
                "`{}` exists but is not a virtual environment (no `bin/python`)\n\
                 hint: remove it, or point `environment.venv` elsewhere",
                venv.display()
            ),
            _ => Ok(false),
        }
    }

    /// Interpreter facts (cached in the state) plus the installed distributions.
    pub fn inspect(&self, store: &Store) -> anyhow::Result<Inspection> {
        let info = self.interpreter_info(store)?;
        let folders = SiteFolders {
            site_dirs: info.site_packages(),
            target_dirs: info.target_dirs(),
        };
        let (installed, oddities) = read_installed(&folders).with_context(|| {
            format!(
                "cannot read the installed packages of `{}`",
                self.python.display()
            )
        })?;
        Ok(Inspection {
            info,
            installed,
            oddities,
        })
    }

    /// Asks the interpreter about itself only when the cache has nothing for its fingerprint.
    fn interpreter_info(&self, store: &Store) -> anyhow::Result<InterpreterInfo> {
        let fingerprint = interpreter::fingerprint(&self.python)?;
        if let Some(info) = store.cached_interpreter(&self.python, &fingerprint)? {
            return Ok(info);
        }
        if let Some(reason) = &self.unverified {
            bail!(
                "not running `{}`: the manifest naming it has no accepted signature; {reason}\n\
                 hint: sign the manifest with `pkgm sign`, or pass `--allow-unsigned` if you trust \
                 the interpreter it names",
                self.python.display()
            );
        }
        tracing::debug!(python = %self.python.display(), "asking the interpreter about itself");
        let info = interpreter::probe(&self.python)?;
        store.cache_interpreter(&self.python, &fingerprint, &info)?;
        Ok(info)
    }

    /// The site-packages folders from the interpreter cache, without asking the
    /// interpreter: `None` when it is missing, was replaced, or was never asked.
    pub fn cached_site_packages(&self, store: &Store) -> anyhow::Result<Option<Vec<PathBuf>>> {
        let Ok(fingerprint) = interpreter::fingerprint(&self.python) else {
            return Ok(None);
        };
        let info = store.cached_interpreter(&self.python, &fingerprint)?;
        Ok(info.map(|info| info.site_packages()))
    }

    /// Creates the venv with the `venv` module of the base interpreter.
    pub fn create(&self, installer: InstallerKind) -> anyhow::Result<()> {
        let Some(venv) = &self.venv else {
            bail!("the interpreter `{}` does not exist", self.python.display());
        };
        let base = venv_base_python()?;
        // uv installs into a venv without pip; pip needs itself inside the venv.
        let with_pip = installer == InstallerKind::Pip;
        interpreter::create_venv(&base, venv, with_pip)?;
        Ok(())
    }

    /// Why creating this venv would fail before it starts, for `plan` to say early.
    pub fn creation_problem(&self) -> Option<String> {
        self.venv.as_ref()?;
        venv_base_python().err().map(|error| error.to_string())
    }

    pub fn python(&self) -> &Path {
        &self.python
    }
}
