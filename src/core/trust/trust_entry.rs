//! The `[[key]]` entry that `keygen` and `init` print for the operator's trust file.

use super::scope::ScopeSet;
use super::SigningAlgorithm;

/// A trust-file entry with the public key inline, so it does not depend on where the key
/// file ends up.
pub fn trust_entry(
    kid: &str,
    algorithm: SigningAlgorithm,
    public_pem: &str,
    scopes: &ScopeSet,
) -> String {
    let scopes: Vec<String> = scopes.iter().map(|s| format!("\"{s}\"")).collect();
    let advice = if scopes.len() < 2 {
        "   # add \"users\" to let this key change accounts"
    } else {
        ""
    };
    format!(
        "[[key]]\nkid = \"{kid}\"\nalgorithm = \"{algorithm}\"\npublic_key = '''\n{}\n'''\nscopes = [{}]{advice}\n",
        public_pem.trim_end(),
        scopes.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::trust::scope::Scope;
    use crate::core::trust::test_keys::ED25519_PUBLIC;
    use crate::core::trust::TrustStore;

    #[test]
    fn a_printed_entry_loads_as_a_trust_file() {
        let entry = trust_entry(
            "ops-2026",
            SigningAlgorithm::EdDSA,
            ED25519_PUBLIC,
            &ScopeSet::from([Scope::Packages]),
        );
        let store = TrustStore::parse(&entry, &mut |_| Err("no files".into())).unwrap();
        let key = store.get("ops-2026").unwrap();
        assert_eq!(key.algorithm, SigningAlgorithm::EdDSA);
        assert_eq!(key.scopes, ScopeSet::from([Scope::Packages]));
    }
}
