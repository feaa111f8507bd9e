//! Test harness: local wheels, fast venv copies, the `pkgm` runner and output filters.
//! Nothing here talks to a package index; everything installs from folders we write.
//!
//! ```ignore
//! let sandbox = Sandbox::new();                      // temp folder, own state/HOME/TMPDIR
//! sandbox.venv().pip_install_offline(sandbox.wheelhouse(), &["stray"]);  // arrange drift
//! sandbox.write_manifest(&OfflineManifest::new().package("beta", "*").to_yaml());
//! let plan = sandbox.plan().args(["--output", "json", "--detailed-exitcode"]).run();
//! plan.expect_code(2);
//! sandbox.apply().run().expect_success();
//! let installed = sandbox.venv().installed_beyond_seed();   // from the venv's own pip list
//! assert_eq!(installed, BTreeMap::from([("beta".into(), "1.0".into()), ("gamma".into(), "1.5".into())]));
//! ```
//!
//! Environment knobs: `PKGM_TEST_PYTHON` (base interpreter, default `python3`),
//! `PKGM_TEST_TMPDIR` (where sandboxes go; default a roomy `/dev/shm`, else `target/tmp`),
//! `PKGM_TEST_KEEP=1` (keep sandboxes), `PKGM_TEST_REQUIRE_UV=1` (fail, not skip, without uv).

pub mod copy_tree;
pub mod filter;
pub mod manifest_text;
pub mod pkgm;
pub mod process;
pub mod python;
pub mod sandbox;
pub mod scratch;
pub mod shared_cache;
pub mod venv;
pub mod wheelhouse;
pub mod wheels;

pub use filter::Filter;
pub use manifest_text::OfflineManifest;
pub use sandbox::Sandbox;
pub use venv::Venv;
pub use wheels::Dist;
