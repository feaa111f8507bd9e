//! The target interpreter: asking it about itself (once, then cached), and creating venvs.

use std::path::{Path, PathBuf};

use crate::core::installed::InterpreterInfo;

use super::process::{Invocation, ProcessError};

/// Printed as JSON by the interpreter: where its distributions live and its marker values.
const PROBE: &str = r#"
import json, os, platform, site, sys, sysconfig
def version(info):
    text = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        text += info.releaselevel[0] + str(info.serial)
    return text
paths = sysconfig.get_paths()
try:
    known = set(site.getsitepackages())
except AttributeError:
    known = set()
known.update([paths["purelib"], paths["platlib"]])
# sys.path order is import order; entries a .pth file added are read live by pkgm instead.
site_dirs = [d for d in sys.path if d in known and os.path.isdir(d)]
print(json.dumps({
    "executable": sys.executable,
    "prefix": sys.prefix,
    "purelib": paths["purelib"],
    "platlib": paths["platlib"],
    "site_dirs": site_dirs,
    "markers": {
        "implementation_name": sys.implementation.name,
        "implementation_version": version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    },
}))
"#;

const PROBE_VERSION: &str = "probe3";

#[derive(Debug, thiserror::Error)]
pub enum InterpreterError {
    #[error("cannot run the Python interpreter `{path}`")]
    Run {
        path: PathBuf,
        #[source]
        source: ProcessError,
    },
    #[error("`{path}` did not answer like a Python interpreter ({message})\nhint: point `environment.python` at a Python 3 interpreter")]
    Answer { path: PathBuf, message: String },
    #[error("cannot read `{path}`: {source}")]
    Stat {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create the virtual environment `{path}`")]
    CreateVenv {
        path: PathBuf,
        #[source]
        source: ProcessError,
    },
}

/// Runs the interpreter once to learn its site-packages folders and marker environment.
pub fn probe(python: &Path) -> Result<InterpreterInfo, InterpreterError> {
    // -I: ignore PYTHON* variables and the user site, so the answer depends only on the target.
    // The probe runs from a file, so a wrong "interpreter" cannot echo the script back.
    let script = write_probe().map_err(|err| InterpreterError::Answer {
        path: python.to_path_buf(),
        message: format!("cannot write the probe script: {err}"),
    })?;
    let output = Invocation::new(python)
        .arg("-I")
        .arg(script.path())
        .read_only()
        .run(None)
        .map_err(|source| InterpreterError::Run {
            path: python.to_path_buf(),
            source,
        })?;
    serde_json::from_str(&output.stdout).map_err(|err| InterpreterError::Answer {
        path: python.to_path_buf(),
        message: err.to_string(),
    })
}

fn write_probe() -> std::io::Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let mut file = tempfile::Builder::new()
        .prefix("pkgm-probe-")
        .suffix(".py")
        .tempfile()?;
    file.write_all(PROBE.as_bytes())?;
    file.flush()?;
    Ok(file)
}

/// Changes whenever the interpreter (or the venv around it) is replaced or upgraded.
///
/// Made of the resolved executable's size and modification time plus the venv's
/// `pyvenv.cfg`, so a recreated venv or an upgraded base Python invalidates the cache.
pub fn fingerprint(python: &Path) -> Result<String, InterpreterError> {
    let stat = |path: &Path| {
        std::fs::metadata(path).map_err(|source| InterpreterError::Stat {
            path: path.to_path_buf(),
            source,
        })
    };
    let executable = stat(python)?;
    // The leading tag changes whenever the probe asks for more, so old answers are not reused.
    let mut parts = vec![
        PROBE_VERSION.to_string(),
        format!("{}:{}", executable.len(), mtime_nanos(&executable)),
    ];
    if let Some(config) = venv_config(python) {
        if let Ok(metadata) = std::fs::metadata(&config) {
            parts.push(format!("cfg:{}", mtime_nanos(&metadata)));
        }
    }
    Ok(parts.join(","))
}

fn mtime_nanos(metadata: &std::fs::Metadata) -> u128 {
    metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos())
}

/// `pyvenv.cfg` of the venv holding `python` (`<venv>/bin/python`), if it is a venv.
fn venv_config(python: &Path) -> Option<PathBuf> {
    let venv = python.parent()?.parent()?;
    Some(venv.join("pyvenv.cfg"))
}

/// The interpreter inside a venv folder.
pub fn venv_python(venv: &Path) -> PathBuf {
    venv.join("bin").join("python")
}

/// Finds a program on `PATH` without a shell.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let path = PathBuf::from(program);
        return path.is_file().then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join(program))
        .find(|candidate| candidate.is_file())
}

/// The interpreter used to create venvs: `PKGM_PYTHON`, else `python3` on `PATH`.
pub fn base_python() -> Option<PathBuf> {
    match std::env::var_os("PKGM_PYTHON") {
        Some(python) => Some(PathBuf::from(python)),
        None => find_on_path("python3"),
    }
}

/// Creates a venv with the interpreter's own `venv` module.
pub fn create_venv(base: &Path, path: &Path, with_pip: bool) -> Result<(), InterpreterError> {
    let mut invocation = Invocation::new(base).args(["-I", "-m", "venv"]);
    if !with_pip {
        invocation = invocation.arg("--without-pip");
    }
    invocation
        .arg("--")
        .arg(path)
        .run(None)
        .map(|_| ())
        .map_err(|source| InterpreterError::CreateVenv {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_reads_a_real_interpreter() {
        let Some(python) = find_on_path("python3") else {
            return;
        };
        let info = probe(&python).unwrap();
        assert!(info.purelib.is_absolute());
        assert!(fingerprint(&python).unwrap().contains(':'));
    }
}
