//! The edges of pkgm: everything that touches the file system, processes or SQLite.

pub mod bounded_read;
pub mod installer;
pub mod interpreter;
pub mod keys;
pub mod lock;
pub mod process;
pub mod progress;
pub mod signature_file;
pub mod site_packages;
pub mod store;
pub mod target;
pub mod trust_file;
