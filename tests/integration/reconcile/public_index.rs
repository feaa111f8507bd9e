//! Opt-in (`cargo test -- --ignored`): the README's Quick start, against the public index.

use std::path::PathBuf;

use crate::support::Sandbox;

#[test]
#[ignore = "needs the public package index; run with `cargo test -- --ignored`"]
fn the_quick_start_example_applies_from_the_public_index() {
    let repository = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let sandbox = Sandbox::new();
    for file in ["manifest.yaml", "manifest.yaml.sig"] {
        let bytes = std::fs::read(repository.join("examples/quickstart").join(file)).expect("read");
        std::fs::write(sandbox.path().join(file), bytes).expect("copy");
    }
    let trust = repository.join("examples/trust.toml");
    let apply = sandbox
        .pkgm()
        .args(["apply", "manifest.yaml", "--yes", "--trust"])
        .arg(&trust)
        .timeout(std::time::Duration::from_secs(600))
        .run();
    apply.expect_success();
    let venv = crate::support::Venv::at(&sandbox.path().join(".venv"));
    let installed = venv.pip_list();
    assert_eq!(
        installed.get("requests").map(String::as_str),
        Some("2.32.3")
    );
    assert!(installed.contains_key("rich") && installed.contains_key("packaging"));
    let again = sandbox
        .pkgm()
        .args(["plan", "manifest.yaml", "--detailed-exitcode", "--trust"])
        .arg(&trust)
        .run();
    again.expect_code(0);
}
