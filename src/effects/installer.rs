//! pip and uv: the argument lists that install and remove packages, and running them.
//!
//! Requirements are built only from validated names and specifiers and always follow `--`,
//! so nothing from a manifest can be read as an option. Installer variables from the
//! environment (`PIP_*`, `UV_*`) and pip's config files are ignored unless the manifest
//! passes them explicitly.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::core::installer_output::{
    diagnose, found_no_versions, host_and_port, unreachable, Diagnosis,
};
use crate::core::manifest::{EnvironmentSpec, InstallerKind};
use crate::core::names::PackageName;
use crate::core::text::mask_credentials;

use super::interpreter::find_on_path;
use super::process::{Invocation, ProcessError};

#[derive(Debug, thiserror::Error)]
pub enum InstallerError {
    #[error("the manifest asks for `installer: uv`, but `uv` is not on PATH\nhint: install it (`pip install uv`) or use `installer: pip`")]
    UvMissing,
    #[error("{verb} was stopped (shutdown requested)")]
    Stopped {
        verb: &'static str,
        #[source]
        source: ProcessError,
    },
    #[error("{verb} failed{}", diagnosis.as_ref().map_or(String::new(), |d| format!(": {}\nhint: {}", d.problem, d.hint)))]
    Failed {
        verb: &'static str,
        /// The cause read from the installer's output, when it says one plainly.
        diagnosis: Option<Box<Diagnosis>>,
        #[source]
        source: ProcessError,
    },
}

/// An installer bound to one interpreter and one manifest's index settings.
#[derive(Debug, Clone)]
pub struct Installer {
    kind: InstallerKind,
    program: PathBuf,
    python: PathBuf,
    environment: EnvironmentSpec,
}

impl Installer {
    pub fn new(environment: &EnvironmentSpec, python: &Path) -> Result<Self, InstallerError> {
        let program = match environment.installer {
            InstallerKind::Pip => python.to_path_buf(),
            InstallerKind::Uv => find_on_path("uv").ok_or(InstallerError::UvMissing)?,
        };
        Ok(Self {
            kind: environment.installer,
            program,
            python: python.to_path_buf(),
            environment: environment.clone(),
        })
    }

    pub fn kind(&self) -> InstallerKind {
        self.kind
    }

    /// One call installing, upgrading or downgrading every requirement.
    pub fn install_invocation(&self, requirements: &[String]) -> Invocation {
        self.install_like_invocation(requirements, false)
    }

    /// Like `install_invocation`, but moving already satisfied packages to the newest
    /// version their requirement allows (`pkgm upgrade`).
    pub fn upgrade_invocation(&self, requirements: &[String]) -> Invocation {
        self.install_like_invocation(requirements, true)
    }

    fn install_like_invocation(&self, requirements: &[String], upgrade: bool) -> Invocation {
        let mut args: Vec<OsString> = match self.kind {
            // -I: pip sees the environment as pkgm's probe does (no user site, no
            // PYTHONPATH), so the two never disagree about what is installed.
            InstallerKind::Pip => words(&["-I", "-m", "pip", "install"]),
            InstallerKind::Uv => words(&["pip", "install"]),
        };
        if upgrade {
            args.push("--upgrade".into());
        }
        args.extend(self.common_args());
        args.extend(self.index_args());
        args.push("--".into());
        args.extend(requirements.iter().map(OsString::from));
        self.invocation(args)
    }

    /// One call removing every named package.
    pub fn uninstall_invocation(&self, names: &[PackageName]) -> Invocation {
        let mut args: Vec<OsString> = match self.kind {
            InstallerKind::Pip => words(&["-I", "-m", "pip", "uninstall", "--yes"]),
            InstallerKind::Uv => words(&["pip", "uninstall"]),
        };
        args.extend(self.common_args());
        args.push("--".into());
        args.extend(names.iter().map(|name| OsString::from(name.as_ref())));
        self.invocation(args)
    }

    fn common_args(&self) -> Vec<OsString> {
        match self.kind {
            InstallerKind::Pip => words(&["--disable-pip-version-check", "--no-input"]),
            InstallerKind::Uv => {
                let mut args = words(&["--python"]);
                args.push(self.python.clone().into_os_string());
                args
            }
        }
    }

    fn index_args(&self) -> Vec<OsString> {
        let environment = &self.environment;
        let mut args = Vec::new();
        let mut push = |flag: &str, value: &str| {
            args.push(OsString::from(flag));
            args.push(OsString::from(value));
        };
        if let Some(url) = &environment.index_url {
            push("--index-url", url);
        }
        for url in &environment.extra_index_urls {
            push("--extra-index-url", url);
        }
        for link in &environment.find_links {
            push("--find-links", link);
        }
        if environment.no_index {
            args.push("--no-index".into());
        }
        args
    }

    fn invocation(&self, args: Vec<OsString>) -> Invocation {
        let mut invocation = Invocation::new(&self.program).args(args);
        // PYTHON* (PYTHONPATH, PYTHONSTARTUP, PYTHONHOME, …) would let the caller's environment
        // run code inside the installer or its interpreter; pip also runs with -I.
        invocation.remove_env_prefixes = vec!["PIP_".into(), "UV_".into(), "PYTHON".into()];
        invocation.keep_env = self.environment.pass_env.clone();
        let passes = |name: &str| self.environment.pass_env.iter().any(|kept| kept == name);
        match self.kind {
            // pip reads no configuration file when PIP_CONFIG_FILE is the null device.
            InstallerKind::Pip if !passes("PIP_CONFIG_FILE") => invocation
                .set_env
                .push(("PIP_CONFIG_FILE".into(), "/dev/null".into())),
            InstallerKind::Uv if !passes("UV_CONFIG_FILE") => {
                invocation.set_env.push(("UV_NO_CONFIG".into(), "1".into()));
            }
            _ => {}
        }
        invocation
    }

    pub fn install(
        &self,
        requirements: &[String],
        echo: Option<&(dyn Fn(&str) + Sync)>,
    ) -> Result<(), InstallerError> {
        self.install_invocation(requirements)
            .run(echo)
            .map(|_| ())
            .map_err(|source| self.failed("installing", source))
    }

    pub fn upgrade(
        &self,
        requirements: &[String],
        echo: Option<&(dyn Fn(&str) + Sync)>,
    ) -> Result<(), InstallerError> {
        self.upgrade_invocation(requirements)
            .run(echo)
            .map(|_| ())
            .map_err(|source| self.failed("upgrading", source))
    }

    pub fn uninstall(
        &self,
        names: &[PackageName],
        echo: Option<&(dyn Fn(&str) + Sync)>,
    ) -> Result<(), InstallerError> {
        self.uninstall_invocation(names)
            .run(echo)
            .map(|_| ())
            .map_err(|source| self.failed("removing", source))
    }
}

impl Installer {
    fn failed(&self, verb: &'static str, source: ProcessError) -> InstallerError {
        if matches!(source, ProcessError::Stopped { .. }) {
            return InstallerError::Stopped { verb, source };
        }
        let diagnosis = match &source {
            ProcessError::Failed { stdout, stderr, .. } => {
                let source = match (&self.environment.index_url, self.environment.no_index) {
                    (_, true) => "the `find_links` folders".to_string(),
                    (Some(url), false) => format!("the index `{}`", mask_credentials(url)),
                    (None, false) => "the package index".to_string(),
                };
                let output = format!("{stderr}\n{stdout}");
                let unreachable = match (&self.environment.index_url, self.environment.no_index) {
                    (Some(url), false) if found_no_versions(&output) => {
                        index_unreachable(url).map(|why| unreachable(&source, &why))
                    }
                    _ => None,
                };
                unreachable
                    .or_else(|| diagnose(&output, &source))
                    .map(Box::new)
            }
            _ => None,
        };
        InstallerError::Failed {
            verb,
            diagnosis,
            source,
        }
    }
}

/// Why the index at `url` cannot be connected to, if it cannot (a 3-second TCP check, made
/// only after the installer found no versions at all).
fn index_unreachable(url: &str) -> Option<String> {
    use std::net::{TcpStream, ToSocketAddrs};
    let (host, port) = host_and_port(url)?;
    let addresses = match (host.as_str(), port).to_socket_addrs() {
        Ok(addresses) => addresses.collect::<Vec<_>>(),
        Err(_) => return Some("its host name does not resolve".into()),
    };
    let mut last = None;
    for address in addresses {
        match TcpStream::connect_timeout(&address, std::time::Duration::from_secs(3)) {
            Ok(_) => return None,
            Err(error) => last = Some(error),
        }
    }
    last.map(|error| match error.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        std::io::ErrorKind::TimedOut => "timed out".into(),
        _ => error.to_string(),
    })
}

fn words(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::core::manifest_parse::parse_manifest;
    use crate::core::names::parse_package_name;

    fn environment(extra: &str) -> EnvironmentSpec {
        let text = format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: t, revision: 1}}\n\
             environment: {{find_links: [wheels], no_index: true, {extra}}}\n"
        );
        parse_manifest(Path::new("m.yaml"), text.as_bytes())
            .unwrap()
            .environment
            .resolved(Path::new("/srv/app"))
    }

    #[test]
    fn pip_install_puts_requirements_after_the_separator() {
        let installer = Installer::new(&environment(""), Path::new("/v/bin/python")).unwrap();
        let invocation = installer.install_invocation(&["flask[async]~=3.0".into()]);
        assert_eq!(
            invocation.display(),
            "/v/bin/python -I -m pip install --disable-pip-version-check --no-input \
             --find-links /srv/app/wheels --no-index -- 'flask[async]~=3.0'"
        );
        assert!(invocation
            .set_env
            .contains(&("PIP_CONFIG_FILE".into(), "/dev/null".into())));
        assert_eq!(invocation.remove_env_prefixes, ["PIP_", "UV_", "PYTHON"]);
    }

    #[test]
    fn pip_upgrade_asks_for_the_newest_allowed_version() {
        let installer = Installer::new(&environment(""), Path::new("/v/bin/python")).unwrap();
        assert_eq!(
            installer.upgrade_invocation(&["requests".into()]).display(),
            "/v/bin/python -I -m pip install --upgrade --disable-pip-version-check --no-input \
             --find-links /srv/app/wheels --no-index -- requests"
        );
    }

    #[test]
    fn pip_uninstall_names_only_packages() {
        let installer = Installer::new(&environment(""), Path::new("/v/bin/python")).unwrap();
        let names = [parse_package_name("Stray_Pkg").unwrap()];
        assert_eq!(
            installer.uninstall_invocation(&names).display(),
            "/v/bin/python -I -m pip uninstall --yes --disable-pip-version-check --no-input -- stray-pkg"
        );
    }

    #[test]
    fn passed_variables_survive_and_config_stays_readable_when_asked() {
        let installer = Installer::new(
            &environment("pass_env: [PIP_CONFIG_FILE, PIP_CERT]"),
            Path::new("/v/bin/python"),
        )
        .unwrap();
        let invocation = installer.install_invocation(&["a".into()]);
        assert_eq!(invocation.keep_env, ["PIP_CONFIG_FILE", "PIP_CERT"]);
        assert!(invocation.set_env.is_empty());
    }
}
