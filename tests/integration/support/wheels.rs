//! Writing tiny, installable distributions at test time: pure-Python wheels and sdists that
//! fail to build. The archives are made by `make_dists.py` (Python standard library only).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use super::process::{run_checked, scrub_environment};
use super::python::host_python;

/// The script that writes the archives; its text is part of the wheelhouse cache key.
pub const MAKE_DISTS_SCRIPT: &str = include_str!("make_dists.py");

/// Words that a failing sdist's build error always contains, for asserting on installer output.
pub const FAILING_BUILD_MESSAGE: &str = "is built to fail";

/// One distribution to write: a wheel (the default) or an sdist whose build raises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dist {
    name: String,
    version: String,
    kind: DistKind,
    requires_dist: Vec<String>,
    provides_extra: Vec<String>,
    requires_python: Option<String>,
    init_source: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DistKind {
    Wheel,
    FailingSdist,
    SlowSdist,
}

impl Dist {
    /// A wheel `name-version-py3-none-any.whl` with a package whose `__init__.py`
    /// sets `__version__`. `name` may be unnormalised (`Mixed_Case`); it is kept in METADATA.
    pub fn wheel(name: &str, version: &str) -> Self {
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
            kind: DistKind::Wheel,
            requires_dist: Vec::new(),
            provides_extra: Vec::new(),
            requires_python: None,
            init_source: None,
        }
    }

    /// An sdist `name-version.tar.gz` with an in-tree build backend that raises, so pip and
    /// uv fail offline while building it (the error contains [`FAILING_BUILD_MESSAGE`]).
    pub fn failing_sdist(name: &str, version: &str) -> Self {
        Self {
            kind: DistKind::FailingSdist,
            ..Self::wheel(name, version)
        }
    }

    /// An sdist whose build sleeps for two minutes before failing: an installer step long
    /// enough for a test to interrupt it.
    pub fn slow_sdist(name: &str, version: &str) -> Self {
        Self {
            kind: DistKind::SlowSdist,
            ..Self::wheel(name, version)
        }
    }

    /// Adds a `Requires-Dist:` line, verbatim: `gamma>=1`, `epsilon; extra == "fast"`.
    pub fn requires(mut self, requirement: &str) -> Self {
        self.requires_dist.push(requirement.to_owned());
        self
    }

    /// Adds a `Provides-Extra:` line.
    pub fn provides_extra(mut self, extra: &str) -> Self {
        self.provides_extra.push(extra.to_owned());
        self
    }

    /// Sets `Requires-Python:`.
    pub fn requires_python(mut self, specifier: &str) -> Self {
        self.requires_python = Some(specifier.to_owned());
        self
    }

    /// Replaces the package's `__init__.py`.
    pub fn module_source(mut self, source: &str) -> Self {
        self.init_source = Some(source.to_owned());
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn to_json(&self) -> Value {
        let kind = match self.kind {
            DistKind::Wheel => "wheel",
            DistKind::FailingSdist => "failing_sdist",
            DistKind::SlowSdist => "slow_sdist",
        };
        json!({
            "kind": kind,
            "name": self.name,
            "version": self.version,
            "requires_dist": self.requires_dist,
            "provides_extra": self.provides_extra,
            "requires_python": self.requires_python,
            "init_source": self.init_source,
        })
    }
}

/// The JSON request `make_dists.py` reads; also what the wheelhouse cache key hashes.
pub fn request_json(out_dir: &Path, dists: &[Dist]) -> Vec<u8> {
    let request = json!({
        "out_dir": out_dir.to_str().expect("temporary paths are UTF-8"),
        "dists": dists.iter().map(Dist::to_json).collect::<Vec<_>>(),
    });
    serde_json::to_vec(&request).expect("a JSON value serialises")
}

/// Writes all `dists` into `dir` (created if missing) with one Python process; returns the files.
pub fn write_dists(dir: &Path, dists: &[Dist]) -> Vec<PathBuf> {
    let mut command = Command::new(&host_python().executable);
    scrub_environment(&mut command);
    command.args(["-I", "-c", MAKE_DISTS_SCRIPT]);
    let output = run_checked(&mut command, &request_json(dir, dists));
    let written: Vec<PathBuf> =
        serde_json::from_slice(&output.stdout).expect("make_dists.py prints a JSON list of paths");
    written
}

/// Writes one distribution into `dir`; returns its file.
pub fn write_dist(dir: &Path, dist: &Dist) -> PathBuf {
    write_dists(dir, std::slice::from_ref(dist))
        .pop()
        .expect("make_dists.py wrote the file")
}
