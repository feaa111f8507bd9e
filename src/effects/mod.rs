//! The edges of pkgm: everything that touches the file system, processes or SQLite.

pub mod accounts;
pub mod bounded_read;
pub mod clock;
pub mod fingerprint;
pub mod installer;
pub mod interpreter;
pub mod keys;
pub mod lock;
pub mod logins;
pub mod password;
pub mod password_input;
pub mod private_dir;
pub mod process;
pub mod progress;
pub mod replace_file;
pub mod session_file;
pub mod signals;
pub mod signature_file;
pub mod site_packages;
pub mod state_location;
pub mod steward_marker;
pub mod store;
pub mod store_manifests;
pub mod target;
pub mod trust_file;
pub mod watcher;
