//! What reaches the installer: validated names only, behind `--`, with the caller's
//! `PIP_*` variables and pip's config files ignored unless the manifest passes them, and
//! `PYTHON*` variables never reaching the installer.

use super::packages;
use crate::support::{OfflineManifest, Sandbox};

#[test]
fn pip_variables_from_the_environment_are_ignored() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    // Each of these would break or divert the install if pip saw it.
    let apply = sandbox
        .apply()
        .env("PIP_DRY_RUN", "1")
        .env("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
        .env("PIP_REQUIRE_HASHES", "1")
        .env("PIP_CONFIG_FILE", sandbox.path().join("missing.conf"))
        .run();
    apply.expect_success();
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "1.0")])
    );
}

#[test]
fn a_variable_the_manifest_passes_reaches_pip() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    let manifest = OfflineManifest::new()
        .package("alpha", "==1.0")
        .to_yaml()
        .replace(
            "  prune: true\n",
            "  prune: true\n  pass_env: [PIP_DRY_RUN]\n",
        );
    sandbox.write_manifest(&manifest);
    // With --dry-run honoured, pip installs nothing and apply cannot converge.
    let apply = sandbox.apply().env("PIP_DRY_RUN", "1").run();
    apply.expect_code(1);
    assert!(apply.stderr().contains("did not converge"), "{apply}");
    assert!(sandbox.venv().installed_beyond_seed().is_empty());
}

#[test]
fn names_and_specifiers_that_look_like_options_or_files_are_refused() {
    let sandbox = Sandbox::new();
    for (entry, expected) in [
        ("\"-r\": \"*\"", "`-r` is not a valid package name"),
        ("\"./pkg\": \"*\"", "`./pkg` is not a valid package name"),
        ("foo.zip: \"*\"", "`foo.zip` looks like a file"),
        (
            "foo: \"@ https://example.com/foo.whl\"",
            "is a URL, not a version specifier",
        ),
        ("foo: \"--pre\"", "is not a valid PEP 440 specifier"),
        (
            "foo: { version: \"*\", extras: [\"--pre\"] }",
            "`--pre` is not a valid extra name",
        ),
    ] {
        sandbox.write_manifest(&format!(
            "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: sandbox, revision: 1}}\npackages:\n  {entry}\n"
        ));
        let apply = sandbox.apply().run();
        apply.expect_code(1);
        assert!(apply.stderr().contains(expected), "{entry}: {apply}");
    }
    assert!(!sandbox.venv_path().exists());
}

#[test]
fn apply_without_yes_in_a_pipe_refuses_and_changes_nothing() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "*").to_yaml());
    let apply = sandbox
        .pkgm()
        .args(["apply", "manifest.yaml", "--allow-unsigned"])
        .run();
    apply.expect_code(1);
    assert!(
        apply.stdout().contains("+ alpha"),
        "the plan is shown first: {apply}"
    );
    assert!(
        apply
            .stderr()
            .contains("hint: review the plan with `pkgm plan`, then run `pkgm apply --yes`"),
        "{apply}"
    );
    assert!(sandbox.venv().installed_beyond_seed().is_empty());
}

#[test]
fn unsigned_manifests_are_refused_without_the_flag() {
    let sandbox = Sandbox::new();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "*").to_yaml());
    let apply = sandbox
        .pkgm()
        .args(["apply", "manifest.yaml", "--yes"])
        .run();
    apply.expect_code(1);
    assert!(apply.stderr().contains("--allow-unsigned"), "{apply}");
    assert!(!sandbox.venv_path().exists());
}

#[test]
fn verbose_apply_streams_the_installers_output() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    let apply = sandbox.apply().arg("-v").run();
    apply.expect_success();
    assert!(
        apply
            .stderr()
            .contains("  | Successfully installed alpha-1.0"),
        "{apply}"
    );
    let quiet = sandbox.apply().run();
    assert!(!quiet.stderr().contains("  | "), "{quiet}");
}

#[test]
fn uv_installs_when_asked_and_is_explained_when_missing() {
    let Some(uv) =
        crate::support::python::uv_or_skip("uv_installs_when_asked_and_is_explained_when_missing")
    else {
        return;
    };
    let sandbox = Sandbox::new();
    sandbox
        .venv()
        .pip_install_offline(sandbox.wheelhouse(), &["stray"]);
    sandbox.write_manifest(
        &OfflineManifest::new()
            .installer("uv")
            .package("beta", "*")
            .package("alpha", "==1.1")
            .to_yaml(),
    );
    let bin = uv.parent().expect("uv's folder");
    let path = format!("{}:/usr/bin:/bin", bin.display());
    sandbox.apply().env("PATH", &path).run().expect_success();
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "1.1"), ("beta", "1.0"), ("gamma", "1.5")])
    );
    sandbox.write_manifest(
        &OfflineManifest::new()
            .installer("uv")
            .package("alpha", "==2.0")
            .to_yaml(),
    );
    let missing = sandbox.apply().env("PATH", "/nonexistent").run();
    missing.expect_code(1);
    assert!(
        missing
            .stderr()
            .contains("`installer: uv`, but `uv` is not on PATH"),
        "{missing}"
    );
}

#[test]
fn a_missing_uv_is_reported_before_anything_is_created() {
    let sandbox = Sandbox::new();
    sandbox.write_manifest(
        &OfflineManifest::new()
            .installer("uv")
            .package("alpha", "*")
            .to_yaml(),
    );
    let plan = sandbox.plan().env("PATH", "/nonexistent").run();
    plan.expect_success();
    assert!(
        plan.stderr()
            .contains("warning: apply would fail: the manifest asks for `installer: uv`"),
        "{plan}"
    );
    let apply = sandbox.apply().env("PATH", "/nonexistent").run();
    apply.expect_code(1);
    assert!(apply.stderr().contains("\nerror: the manifest asks for `installer: uv`, but `uv` is not on PATH\nhint: install it"), "{apply}");
    assert!(
        !sandbox.venv_path().exists(),
        "the venv was created before the installer was found"
    );
}

#[test]
fn python_variables_from_the_environment_run_nothing_inside_the_installer() {
    for installer in ["pip", "uv"] {
        let uv = crate::support::python::uv();
        if installer == "uv" && uv.is_none() {
            crate::support::python::uv_or_skip(
                "python_variables_from_the_environment_run_nothing_inside_the_installer",
            );
            continue;
        }
        let sandbox = Sandbox::new();
        sandbox.venv();
        let hook = sandbox.path().join("hook");
        let marker = sandbox.path().join("sitecustomize-ran");
        sandbox.write_file(
            "hook/sitecustomize.py",
            &format!(
                "open({:?}, 'w').write('ran')\n",
                marker.display().to_string()
            ),
        );
        sandbox.write_file(
            "hook/startup.py",
            &format!(
                "open({:?}, 'w').write('ran')\n",
                marker.display().to_string()
            ),
        );
        sandbox.write_manifest(
            &OfflineManifest::new()
                .installer(installer)
                .package("alpha", "==1.0")
                .to_yaml(),
        );
        let mut apply = sandbox
            .apply()
            .env("PYTHONPATH", &hook)
            .env("PYTHONSTARTUP", hook.join("startup.py"));
        if let Some(uv) = uv.filter(|_| installer == "uv") {
            let bin = uv.parent().expect("uv's folder");
            apply = apply.env("PATH", format!("{}:/usr/bin:/bin", bin.display()));
        }
        apply.run().expect_success();
        assert!(
            !marker.exists(),
            "{installer}: code on PYTHONPATH ran inside the install"
        );
        assert_eq!(
            sandbox.venv().installed_beyond_seed(),
            packages(&[("alpha", "1.0")])
        );
    }
}

fn make_fifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn a_fifo_as_the_manifest_or_its_signature_is_refused_instead_of_blocking() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    // The manifest is a FIFO nobody writes to: opening it for reading would wait forever.
    make_fifo(&sandbox.path().join("manifest.yaml"));
    for args in [
        &["plan", "manifest.yaml", "--allow-unsigned"][..],
        &["verify", "manifest.yaml"],
    ] {
        let run = sandbox.pkgm().args(args).run();
        run.expect_code(1);
        assert!(
            run.stderr()
                .contains("`manifest.yaml` is a FIFO, not a regular file; refused unread"),
            "{run}"
        );
    }
    // A real manifest whose signature is a FIFO, reached through a link as a swap would.
    std::fs::remove_file(sandbox.path().join("manifest.yaml")).expect("remove the FIFO");
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    make_fifo(&sandbox.path().join("sig.fifo"));
    std::os::unix::fs::symlink("sig.fifo", sandbox.path().join("manifest.yaml.sig"))
        .expect("link the signature to the FIFO");
    let apply = sandbox
        .pkgm()
        .args(["apply", "manifest.yaml", "--yes"])
        .run();
    apply.expect_code(1);
    assert!(
        apply.stderr().contains("is a FIFO, not a regular file"),
        "{apply}"
    );
    assert!(
        sandbox.venv().installed_beyond_seed().is_empty(),
        "nothing installed"
    );
}

#[test]
fn a_venv_that_is_a_link_or_not_a_venv_is_refused() {
    use crate::support::venv::Venv;
    let sandbox = Sandbox::new();
    // A checkout with `.venv -> elsewhere`: a prune would act on whatever the link names.
    sandbox.venv();
    let real = sandbox.path().join("elsewhere");
    std::fs::rename(sandbox.venv_path(), &real).unwrap();
    std::os::unix::fs::symlink(&real, sandbox.venv_path()).unwrap();
    sandbox.write_manifest(&OfflineManifest::new().package("alpha", "==1.0").to_yaml());
    for run in [sandbox.plan().run(), sandbox.apply().run()] {
        run.expect_code(1);
        assert!(
            run.stderr().contains("is a symbolic link (to `")
                && run
                    .stderr()
                    .contains("refusing to manage the environment behind it"),
            "{run}"
        );
    }
    assert!(Venv::at(&real).installed_beyond_seed().is_empty());

    // A folder with files but no `pyvenv.cfg` is not pkgm's to manage.
    std::fs::remove_file(sandbox.venv_path()).unwrap();
    std::fs::create_dir(sandbox.venv_path()).unwrap();
    std::fs::write(sandbox.venv_path().join("notes.txt"), "mine\n").unwrap();
    let apply = sandbox.apply().run();
    apply.expect_code(1);
    assert!(apply.stderr().contains("has no `pyvenv.cfg`"), "{apply}");
    assert_eq!(
        std::fs::read_dir(sandbox.venv_path()).unwrap().count(),
        1,
        "{apply}"
    );

    // An empty folder is a place to create one.
    std::fs::remove_file(sandbox.venv_path().join("notes.txt")).unwrap();
    sandbox.apply().run().expect_success();
    assert!(sandbox.venv_path().join("pyvenv.cfg").is_file());
}
