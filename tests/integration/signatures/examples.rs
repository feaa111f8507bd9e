//! The examples are signed by the demo key over their current bytes, so an edit without a
//! new signature fails here rather than in a reader's first `pkgm plan`.

use std::path::Path;

use pkgm::core::trust::verify_token;
use pkgm::effects::trust_file::load_trust_file;

use super::signed_sandbox::claims_of;

#[test]
fn every_example_manifest_is_signed_by_the_demo_key() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let trust = load_trust_file(&root.join("examples/trust.toml")).expect("the demo trust file");
    for manifest in [
        "examples/quickstart/manifest.yaml",
        "examples/analytics/manifest.yaml",
        "examples/analytics/manifest.toml",
    ] {
        let bytes = std::fs::read(root.join(manifest)).unwrap();
        let token = std::fs::read_to_string(root.join(format!("{manifest}.sig")))
            .unwrap_or_else(|_| panic!("`{manifest}.sig` is missing"));
        // Judged at signing time: this checks key and bytes; expiry is the calendar's business.
        let issued_at = claims_of(&token)["iat"].as_i64().unwrap();
        if let Err(error) = verify_token(&token, &bytes, &trust, issued_at) {
            panic!("{manifest}: {error}\nre-sign it as examples/demo-keys/README.md says");
        }
        // The Quick start must keep working from an old checkout: fail years before expiry.
        let expires = claims_of(&token)["exp"].as_i64().unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let years_left = (expires - now) / (365 * 24 * 3600);
        assert!(
            years_left >= 5,
            "{manifest}: the demo signature expires in {years_left} years; re-sign it as \
             examples/demo-keys/README.md says"
        );
    }
}
