//! The pure core: manifest model, names and specifiers, installed-state model, planning and
//! signature verification.
//! Nothing here touches the file system, processes, the clock, SQLite or the terminal.

pub mod dependencies;
pub mod direction;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod installed;
pub mod manifest;
pub mod manifest_error;
pub mod manifest_parse;
pub mod names;
pub mod package_spec;
pub mod plan;
pub mod planner;
pub mod trust;
pub mod user_spec;
