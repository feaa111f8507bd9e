//! `--once` is one reconcile with apply's exit code; `--once --check` exits 2 on drift
//! like `plan --detailed-exitcode`, and changes nothing.

use super::{revision, CONF_MANIFEST};
use crate::reconcile::packages;
use crate::support::Sandbox;

fn once(sandbox: &Sandbox, extra: &[&str]) -> crate::support::pkgm::Run {
    sandbox
        .pkgm()
        .args(["watch", CONF_MANIFEST, "--once", "--allow-unsigned"])
        .args(extra)
        .run()
}

#[test]
fn once_and_check_exit_like_apply_and_plan() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    sandbox.write_file(CONF_MANIFEST, &revision(1, "==1.0"));

    // Drift before anything was applied: --check reports it, exits 2, changes nothing.
    let check = once(&sandbox, &["--check"]);
    check.expect_code(2);
    assert!(check.stdout().contains("+ alpha ==1.0"), "{check}");
    assert!(
        check.stderr().contains(
            "start: drift `sandbox` revision 1 (unsigned): 1 to install; not applied under --check ("
        ),
        "{check}"
    );
    assert!(sandbox.venv().installed_beyond_seed().is_empty());

    // --once applies and exits 0.
    let apply = once(&sandbox, &[]);
    apply.expect_success();
    assert!(
        apply.stderr().contains(
            "start: applied `sandbox` revision 1 (unsigned): 1 to install; 1 package changed"
        ),
        "{apply}"
    );
    assert_eq!(
        sandbox.venv().installed_beyond_seed(),
        packages(&[("alpha", "1.0")])
    );

    // In sync: --check exits 0.
    let in_sync = once(&sandbox, &["--check", "--log-format", "json"]);
    in_sync.expect_success();
    let cycles: Vec<serde_json::Value> = in_sync
        .stderr()
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON lines"))
        .filter(|value: &serde_json::Value| value.get("trigger").is_some())
        .collect();
    assert_eq!(cycles.len(), 1, "{in_sync}");
    let cycle = &cycles[0];
    assert_eq!(cycle["outcome"], "converged", "{in_sync}");

    // A broken manifest: exit 1, and the reason on the cycle's line.
    sandbox.write_file(CONF_MANIFEST, "apiVersion: pkgm/v1\nkind: [\n");
    let broken = once(&sandbox, &[]);
    broken.expect_code(1);
    // Watch names the manifest by its absolute path: a service's working directory may go.
    let shown = sandbox.path().join(CONF_MANIFEST);
    assert!(
        broken
            .stderr()
            .contains(&format!("start: rejected `{}`: ", shown.display())),
        "{broken}"
    );

    // A failing apply: exit 1.
    sandbox.write_file(CONF_MANIFEST, &revision(2, "==9.9"));
    let failed = once(&sandbox, &[]);
    failed.expect_code(1);
    assert!(
        failed.stderr().contains("failed during `install`"),
        "{failed}"
    );
    assert!(failed.stderr().contains("run it again"), "{failed}");
    assert!(!failed.stderr().contains("watch tries again"), "{failed}");
}

#[test]
fn mistakes_no_save_can_fix_fail_at_start() {
    let sandbox = Sandbox::new();
    sandbox.write_file(CONF_MANIFEST, &revision(1, "==1.0"));
    sandbox.write_file("conf/manifest.txt", &revision(1, "==1.0"));
    let watch = |args: &[&str]| {
        sandbox
            .pkgm()
            .arg("watch")
            .args(args)
            .timeout(std::time::Duration::from_secs(20))
            .run()
    };
    let cases: [(&[&str], &str); 3] = [
        (&["conf", "--allow-unsigned"], "/conf` is a folder"),
        (
            &["conf/manifest.txt", "--allow-unsigned"],
            "unknown manifest format",
        ),
        (
            &[CONF_MANIFEST, "--trust", "missing.toml"],
            "hint: check the path given with `--trust` or `PKGM_TRUST`",
        ),
    ];
    for (args, message) in cases {
        let run = watch(args);
        run.expect_code(1);
        assert!(run.stderr().contains(message), "{run}");
        assert!(!run.stderr().contains("start:"), "no cycle ran: {run}");
    }
    assert!(!sandbox.venv_path().exists());
}
