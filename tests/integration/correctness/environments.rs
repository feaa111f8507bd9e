//! pkgm's view of real venvs against `importlib.metadata`'s (the import system's first copy
//! of each name, as pip picks it), for each layout that once made them disagree; and plan,
//! list and apply agreeing with each other.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{OfflineManifest, Sandbox};

/// What the venv's own Python sees: the first distribution of each normalised name on
/// `sys.path`, skipping those without a name (pip skips them too).
const IMPORTLIB: &str = r#"
import importlib.metadata as m, json, re
seen = {}
for dist in m.distributions():
    name = dist.metadata["Name"]
    if name:
        seen.setdefault(re.sub(r"[-_.]+", "-", name).lower(), dist.version)
print(json.dumps(seen))
"#;

fn importlib_view(python: &Path) -> BTreeMap<String, String> {
    let output = std::process::Command::new(python)
        .args(["-I", "-c", IMPORTLIB])
        .output()
        .expect("run the venv's python");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("importlib view as JSON")
}

fn pkgm_view(sandbox: &Sandbox, python: &Path) -> BTreeMap<String, String> {
    let list = sandbox
        .pkgm()
        .arg("list")
        .arg("--python")
        .arg(python)
        .args(["--output", "json"])
        .run();
    list.expect_success();
    list.stdout_json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|row| {
            let text = |key: &str| row[key].as_str().expect("a string").to_string();
            (text("name"), text("version"))
        })
        .collect()
}

fn write_dist_info(folder: &Path, dir_name: &str, metadata: &str) {
    let path = folder.join(dir_name);
    std::fs::create_dir_all(&path).expect("create a dist-info");
    std::fs::write(path.join("METADATA"), metadata).expect("write METADATA");
}

#[test]
fn every_layout_is_seen_as_importlib_sees_it() {
    let sandbox = Sandbox::new();
    let venv = sandbox.venv();
    venv.pip_install_offline(sandbox.wheelhouse(), &["gamma==1.5", "alpha==1.0"]);
    let site = venv.site_packages();
    // A folder a .pth file adds after site-packages holds older copies (shadowed) and
    // packages of its own.
    let extra = sandbox.path().join("extra-path");
    write_dist_info(&extra, "gamma-1.0.dist-info", "Name: gamma\nVersion: 1.0\n");
    write_dist_info(
        &extra,
        "onlyhere-3.0.dist-info",
        "Name: onlyhere\nVersion: 3.0\n",
    );
    // A legacy editable (`setup.py develop`): egg-link plus easy-install.pth.
    let project = sandbox.path().join("devproject");
    std::fs::create_dir_all(project.join("devpkg.egg-info")).expect("create egg-info");
    std::fs::write(
        project.join("devpkg.egg-info/PKG-INFO"),
        "Name: devpkg\nVersion: 0.1\n",
    )
    .expect("write PKG-INFO");
    std::fs::write(
        site.join("devpkg.egg-link"),
        format!("{}\n.", project.display()),
    )
    .expect("write egg-link");
    // An unzipped egg, as easy_install leaves them.
    let egg = site.join("oldegg-2.0-py3.egg");
    std::fs::create_dir_all(egg.join("EGG-INFO")).expect("create egg");
    std::fs::write(
        egg.join("EGG-INFO/PKG-INFO"),
        "Name: oldegg\nVersion: 2.0\n",
    )
    .expect("write egg PKG-INFO");
    std::fs::write(
        site.join("easy-install.pth"),
        format!("{}\n./oldegg-2.0-py3.egg\n", project.display()),
    )
    .expect("write easy-install.pth");
    std::fs::write(site.join("zz-extra.pth"), format!("{}\n", extra.display()))
        .expect("write a .pth");
    // Lower-case header names, and a stale second copy of alpha in the same folder.
    write_dist_info(
        &site,
        "lowercase-1.2.dist-info",
        "name: LowerCase\nversion: 1.2\n",
    );
    write_dist_info(&site, "alpha-0.9.dist-info", "Name: alpha\nVersion: 0.9\n");

    let python = venv.python();
    let theirs = importlib_view(&python);
    let ours = pkgm_view(&sandbox, &python);
    assert_eq!(ours, theirs);
    assert_eq!(ours["gamma"], "1.5", "the first copy on sys.path wins");
    for name in ["devpkg", "oldegg", "onlyhere", "lowercase"] {
        assert!(ours.contains_key(name), "{name} in {ours:?}");
    }
}

#[test]
fn a_system_site_venv_is_seen_as_importlib_sees_it_and_its_base_is_never_pruned() {
    let sandbox = Sandbox::new();
    let base = sandbox.venv().python();
    let venv = sandbox.path().join("system-site");
    let created = std::process::Command::new(&base)
        .args([
            "-I",
            "-m",
            "venv",
            "--without-pip",
            "--system-site-packages",
        ])
        .arg(&venv)
        .output()
        .expect("create a system-site venv");
    assert!(created.status.success(), "{created:?}");
    let python = venv.join("bin").join("python");
    let theirs = importlib_view(&python);
    let ours = pkgm_view(&sandbox, &python);
    assert_eq!(ours, theirs);

    // Nothing of the base interpreter is pkgm's to remove: a prune plan is empty.
    sandbox.write_manifest(&format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: sandbox, revision: 1}}\n\
         environment: {{venv: {}, prune: true, no_index: true}}\npackages: {{}}\n",
        venv.display()
    ));
    let plan = sandbox.plan().arg("--detailed-exitcode").run();
    plan.expect_code(0);
}

#[test]
fn a_relative_python_path_is_resolved_against_the_working_directory() {
    let sandbox = Sandbox::new();
    let relative = sandbox
        .venv()
        .python()
        .strip_prefix(sandbox.path())
        .expect("the venv is inside the sandbox")
        .to_path_buf();
    for python in [relative.clone(), Path::new(".").join(&relative)] {
        let list = sandbox
            .pkgm()
            .arg("list")
            .arg("--python")
            .arg(&python)
            .run();
        list.expect_success();
        assert!(list.stdout().contains("pip "), "{list}");
    }
}

#[test]
fn prune_behind_a_pending_install_is_conditional_and_apply_keeps_what_the_install_needs() {
    let sandbox = Sandbox::new();
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["gamma==1.5", "stray"]);
    // beta is not installed yet; it needs gamma, which a plan cannot know before the install.
    sandbox.write_manifest(&OfflineManifest::new().package("beta", "*").to_yaml());
    let plan = sandbox.plan().args(["--output", "json"]).run();
    plan.expect_success();
    let document = plan.stdout_json();
    let removals: Vec<(String, bool)> = document["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|change| change["action"] == "remove")
        .map(|change| {
            let name = change["name"].as_str().expect("a name").to_string();
            (name, change["conditional"] == true)
        })
        .collect();
    assert_eq!(removals, [("gamma".into(), true), ("stray".into(), true)]);
    assert_eq!(document["summary"]["remove"], 0);
    assert_eq!(document["summary"]["remove_if_unneeded"], 2);

    sandbox.apply().run().expect_success();
    let installed = sandbox.venv().installed_beyond_seed();
    assert!(
        installed.contains_key("gamma"),
        "the install needed gamma: {installed:?}"
    );
    assert!(
        !installed.contains_key("stray"),
        "nothing needed stray: {installed:?}"
    );
    sandbox
        .plan()
        .arg("--detailed-exitcode")
        .run()
        .expect_code(0);
}

#[test]
fn list_marks_what_protected_packages_need_as_plan_keeps_it() {
    let sandbox = Sandbox::new();
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["beta"]);
    // beta is protected here, so its dependency gamma is kept by prune: list must agree.
    sandbox.write_manifest(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: sandbox, revision: 1}\n\
         environment: {venv: .venv, prune: true, no_index: true, protected: [pip, setuptools, beta]}\n\
         packages: {}\n",
    );
    let list = sandbox
        .pkgm()
        .args(["list", "--manifest", "manifest.yaml", "--allow-unsigned"])
        .run();
    list.expect_success();
    let gamma = list
        .stdout()
        .lines()
        .find(|l| l.starts_with("gamma "))
        .unwrap_or("");
    assert!(gamma.ends_with("dependency"), "{list}");
    sandbox
        .plan()
        .arg("--detailed-exitcode")
        .run()
        .expect_code(0);
}
