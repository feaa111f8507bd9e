//! Signed manifests under watch, with keys made by the real `pkgm keygen` and signatures by
//! `pkgm sign`: a rename-saved new revision is refused until it is re-signed, then converges
//! once the signature lands. The `.sig` is part of what is watched. How fast is measured by
//! the ignored `reaction_time_from_signature_to_converged`, never asserted.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pkgm::effects::store::{RunStatus, Store};

use super::{has_dist, poll_until, save_by_rename, sibling, Watching, CONF_MANIFEST};
use crate::support::python::uv;
use crate::support::{OfflineManifest, Sandbox};

/// How long to wait before calling a cycle lost: a hang detector, not a speed check.
const PATIENCE: Duration = Duration::from_secs(60);

/// A key pair from `pkgm keygen`, trusted through the sandbox's default trust file.
struct Signer {
    key: PathBuf,
}

impl Signer {
    fn new(sandbox: &Sandbox) -> Self {
        let key = sandbox.path().join("keys/ops.pem");
        sandbox
            .pkgm()
            .args(["keygen", "--algorithm", "ed25519", "--out"])
            .arg(&key)
            .run()
            .expect_success();
        let trust = format!(
            "[[key]]\nkid = \"ops\"\nalgorithm = \"EdDSA\"\npublic_key = \"{}.pub\"\nscopes = [\"packages\"]\n",
            key.display()
        );
        sandbox.write_file("config/pkgm/trust.toml", &trust);
        Self { key }
    }

    /// `pkgm sign MANIFEST`; returns the moment it started (the signature lands before it ends).
    fn sign(&self, sandbox: &Sandbox) -> Instant {
        let started = Instant::now();
        sandbox
            .pkgm()
            .args(["sign", CONF_MANIFEST, "--kid", "ops", "--key"])
            .arg(&self.key)
            .run()
            .expect_success();
        started
    }
}

/// Revision `number` declaring alpha at `version`. With uv when it is installed, so that
/// the time measured is watch's and not pip's start-up on a machine busy with other tests.
fn signed_yaml(sandbox: &Sandbox, number: u64, version: &str) -> String {
    let installer = if uv().is_some() { "uv" } else { "pip" };
    let manifest = OfflineManifest::new()
        .installer(installer)
        .revision(number)
        .package("alpha", &format!("=={version}"));
    sandbox.substitute(&super::conf_yaml(&manifest))
}

/// Whether watch has logged `revision` as applied (logged after it is verified and recorded).
fn applied(watch: &Watching, number: u64) -> bool {
    watch
        .cycles()
        .iter()
        .any(|cycle| cycle["revision"] == number && cycle["outcome"] == "applied")
}

#[test]
fn a_new_revision_is_refused_until_re_signed_then_converges() {
    let sandbox = Sandbox::new();
    let site_packages = sandbox.venv().site_packages();
    let signer = Signer::new(&sandbox);
    let manifest = sandbox.write_file(CONF_MANIFEST, &signed_yaml(&sandbox, 1, "1.0"));
    signer.sign(&sandbox);
    let watch = Watching::start_signed(&sandbox, CONF_MANIFEST, &["--interval", "1h"]);
    let first = watch.wait_for_revision(0, 1);
    assert_eq!(first["signer"], "ops", "{}", watch.log());

    // Saved by rename, not yet re-signed: the old signature does not match the new bytes.
    save_by_rename(&manifest, &signed_yaml(&sandbox, 2, "1.1"));
    let refused = watch.wait_for(1, "change", "rejected");
    assert!(
        refused["error"]
            .as_str()
            .is_some_and(|error| error.starts_with("refusing the manifest")),
        "{}",
        watch.log()
    );
    assert_eq!(refused["kept_revision"], 1);
    assert!(has_dist(&site_packages, "alpha", "1.0"), "nothing applied");

    signer.sign(&sandbox);
    poll_until(PATIENCE, "revision 2 applied", || applied(&watch, 2));
    assert!(has_dist(&site_packages, "alpha", "1.1"));
}

#[test]
fn a_manifest_that_stays_refused_is_recorded_once_and_logged_every_cycle() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    let signer = Signer::new(&sandbox);
    let manifest = sandbox.write_file(CONF_MANIFEST, &signed_yaml(&sandbox, 1, "1.0"));
    signer.sign(&sandbox);
    let watch = Watching::start_signed(&sandbox, CONF_MANIFEST, &["--interval", "1s"]);
    watch.wait_for_revision(0, 1);
    save_by_rename(&manifest, &signed_yaml(&sandbox, 2, "1.1"));
    watch.wait_for(1, "change", "rejected");
    let seen = watch.cycles().len();
    watch.wait_for(seen, "interval", "rejected");
    watch.wait_for(watch.cycles().len(), "interval", "rejected");

    let refused = || {
        let store = Store::open(&sandbox.state_path()).expect("open the state");
        let runs = store.runs(50).expect("runs");
        runs.iter()
            .filter(|run| run.status == RunStatus::Refused)
            .count()
    };
    assert_eq!(refused(), 1, "{}", watch.log());
    let status = sandbox.pkgm().arg("status").run();
    assert!(
        status
            .stdout()
            .contains("unread manifest: latest apply (run 2) refused"),
        "{status}"
    );
    // Other bytes are another refusal.
    save_by_rename(&manifest, &signed_yaml(&sandbox, 3, "1.1"));
    poll_until(Duration::from_secs(10), "the new bytes refused", || {
        refused() == 2
    });
}

#[test]
fn a_signature_change_alone_triggers_a_cycle() {
    let sandbox = Sandbox::new();
    sandbox.venv();
    let (manifest, watch) = Watching::converged_on_revision_1(&sandbox);
    std::fs::write(sibling(&manifest, ".sig"), "not a token\n").expect("write");
    let cycle = watch.wait_for(1, "change", "converged");
    assert_eq!(cycle["revision"], 1);
}

/// The README's reaction time: median of 10 from `pkgm sign` to the cycle's log line.
/// `cargo test --release --test integration reaction_time -- --ignored --nocapture`
/// (`PKGM_WATCH_BENCH_INSTALLER=pip` to measure with pip even when uv is installed).
#[test]
#[ignore = "a measurement for the README, not a check"]
fn reaction_time_from_signature_to_converged() {
    let sandbox = Sandbox::new();
    let site_packages = sandbox.venv().site_packages();
    let signer = Signer::new(&sandbox);
    let installer = std::env::var("PKGM_WATCH_BENCH_INSTALLER").unwrap_or_else(|_| "uv".into());
    assert!(
        installer != "uv" || uv().is_some(),
        "this measurement installs with uv, which is not on PATH: install it \
         (`pip install uv`) or run with PKGM_WATCH_BENCH_INSTALLER=pip"
    );
    let yaml = |number: u64, version: &str| {
        let manifest = OfflineManifest::new()
            .installer(&installer)
            .revision(number)
            .package("alpha", &format!("=={version}"));
        sandbox.substitute(&super::conf_yaml(&manifest))
    };
    let manifest = sandbox.write_file(CONF_MANIFEST, &yaml(1, "1.0"));
    signer.sign(&sandbox);
    let watch = Watching::start_signed(&sandbox, CONF_MANIFEST, &["--interval", "1h"]);
    watch.wait_for_revision(0, 1);
    let mut reactions = Vec::new();
    for number in 2..=11 {
        let version = if number % 2 == 0 { "1.1" } else { "1.0" };
        let seen = watch.cycles().len();
        save_by_rename(&manifest, &yaml(number, version));
        watch.wait_for(seen, "change", "rejected");
        let signed = signer.sign(&sandbox);
        poll_until(Duration::from_secs(30), "converged", || {
            applied(&watch, number)
        });
        reactions.push(signed.elapsed());
        assert!(has_dist(&site_packages, "alpha", version));
    }
    reactions.sort();
    let median = (reactions[4] + reactions[5]) / 2;
    println!("installer {installer}: reaction times {reactions:?}\nmedian of 10: {median:?}");
}
