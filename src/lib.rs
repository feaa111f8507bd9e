//! pkgm: reconcile Python environments and application accounts from signed manifests.
pub mod core;
