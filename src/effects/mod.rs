//! The edges of pkgm: everything that touches the file system, processes or SQLite.

pub mod fingerprint;
pub mod installer;
pub mod interpreter;
pub mod lock;
pub mod process;
pub mod progress;
pub mod signals;
pub mod site_packages;
pub mod store;
pub mod target;
pub mod watcher;
