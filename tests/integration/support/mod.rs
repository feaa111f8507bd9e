//! Test harness: local wheels, fast venv copies, the `pkgm` runner and output filters.
//! Nothing here talks to a package index; everything installs from folders we write.

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
pub use pkgm::{Pkgm, Run};
pub use sandbox::Sandbox;
pub use venv::Venv;
pub use wheels::Dist;
