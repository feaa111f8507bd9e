//! Copied venvs are independent, working venvs, and the pip helpers ignore the caller's config.

use std::time::SystemTime;

use crate::support::{Sandbox, Venv};

#[test]
fn copied_venv_is_its_own_prefix_with_rewritten_scripts() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    let prefix = venv.run_python(&["-c", "import sys; print(sys.prefix)"]);
    assert_eq!(prefix, venv.root().to_str().expect("UTF-8 path"));
    let pip_script = std::fs::read_to_string(venv.root().join("bin/pip")).expect("bin/pip");
    let shebang = pip_script.lines().next().expect("a shebang line");
    let expected = format!("#!{}/bin/python", venv.root().display());
    assert!(
        shebang.starts_with(&expected),
        "{shebang} is not the copy's python"
    );
}

#[test]
fn copied_venv_keeps_the_templates_compiled_pip() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    let cache = venv.site_packages().join("pip").join("__pycache__");
    let stamp = |entry: std::fs::DirEntry| -> (String, SystemTime) {
        let modified = entry.metadata().and_then(|meta| meta.modified());
        (
            entry.file_name().to_string_lossy().into_owned(),
            modified.expect("mtime"),
        )
    };
    let list = || -> Vec<(String, SystemTime)> {
        let mut stamps: Vec<_> = std::fs::read_dir(&cache)
            .expect("pip/__pycache__ exists in the template")
            .map(|entry| stamp(entry.expect("list __pycache__")))
            .collect();
        stamps.sort();
        stamps
    };
    let before = list();
    venv.pip(&["--version"]);
    // Stale .pyc files (source mtimes lost in the copy) would be rewritten here.
    assert_eq!(list(), before);
}

#[test]
fn installs_in_one_sandbox_do_not_reach_another() {
    let first = Sandbox::new();
    let second = Sandbox::new();
    first
        .venv()
        .pip_install_offline(first.wheelhouse(), &["stray"]);
    assert_eq!(second.venv().pip_list(), *Venv::seed_packages());
    assert!(Venv::seed_packages().contains_key("pip"));
}

#[test]
fn pip_helpers_ignore_the_callers_pip_configuration() {
    let sandbox = Sandbox::new();
    // This machine sets PIP_FIND_LINKS and has /etc/pip.conf; neither may reach our pip.
    let output = sandbox.venv().pip(&["config", "list"]);
    let config = String::from_utf8_lossy(&output.stdout);
    for line in config.lines() {
        let allowed = [
            ":env:.config-file=",
            ":env:.disable-pip-version-check=",
            ":env:.no-input=",
            ":env:.no-cache-dir=",
        ];
        assert!(
            allowed.iter().any(|prefix| line.starts_with(prefix)),
            "unexpected pip configuration `{line}` in:\n{config}"
        );
    }
}
