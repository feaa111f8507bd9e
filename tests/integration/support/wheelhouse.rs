//! The standard wheelhouse most tests install from, built once and shared read-only.
//! Tests that need other distributions write them into their own sandbox instead.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::shared_cache::cached_dir;
use super::wheels::{request_json, write_dists, Dist, MAKE_DISTS_SCRIPT};

/// The standard set. Keep this table and the docs of [`standard_wheelhouse`] in step.
pub fn standard_dists() -> Vec<Dist> {
    vec![
        Dist::wheel("alpha", "1.0"),
        Dist::wheel("alpha", "1.1"),
        Dist::wheel("alpha", "2.0"),
        Dist::wheel("beta", "1.0").requires("gamma>=1"),
        Dist::wheel("gamma", "1.0"),
        Dist::wheel("gamma", "1.5"),
        Dist::wheel("delta", "1.0")
            .provides_extra("fast")
            .requires(r#"epsilon; extra == "fast""#),
        Dist::wheel("epsilon", "1.0"),
        Dist::wheel("onlyold", "1.0").requires(r#"stray; python_version < "3.0""#),
        Dist::wheel("stray", "1.0"),
        Dist::wheel("zeta", "1.0").requires("beta"),
        Dist::wheel("Mixed_Case", "1.0"),
        Dist::failing_sdist("broken", "1.0"),
    ]
}

/// A folder of distributions for `find_links`, the same for every test:
///
/// | distribution        | what it is for                                                    |
/// |---------------------|-------------------------------------------------------------------|
/// | `alpha` 1.0 1.1 2.0 | install, upgrade, downgrade, specifiers                           |
/// | `beta` 1.0          | requires `gamma>=1`: dependencies survive prune                   |
/// | `gamma` 1.0 1.5     | the dependency, in two versions                                   |
/// | `delta` 1.0         | extra `fast` pulls `epsilon` (`Requires-Dist: epsilon; extra == "fast"`) |
/// | `epsilon` 1.0       | only needed through `delta[fast]`                                 |
/// | `onlyold` 1.0       | requires `stray` only when `python_version < "3.0"` (never here)  |
/// | `stray` 1.0         | a package nobody needs: prune removes it                          |
/// | `zeta` 1.0          | requires `beta`: a two-step chain `zeta → beta → gamma`          |
/// | `Mixed_Case` 1.0    | unnormalised name; pip lists it as `Mixed_Case`, PEP 503 `mixed-case` |
/// | `broken` 1.0        | sdist whose build raises: the installer fails                     |
pub fn standard_wheelhouse() -> &'static Path {
    static WHEELHOUSE: OnceLock<PathBuf> = OnceLock::new();
    WHEELHOUSE.get_or_init(|| {
        let dists = standard_dists();
        // The output folder is not part of the key: hash the request for a fixed folder name.
        let request = request_json(Path::new("wheels"), &dists);
        let entry = cached_dir(
            "wheelhouse",
            &[MAKE_DISTS_SCRIPT.as_bytes(), &request],
            |staging| {
                write_dists(&staging.join("wheels"), &dists);
            },
        );
        entry.join("wheels")
    })
}
