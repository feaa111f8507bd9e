//! The pure core: manifest model, names and specifiers, installed-state model, planning and
//! signature verification.
//! Nothing here touches the file system, processes, the clock, SQLite or the terminal.

pub mod account;
pub mod dependencies;
pub mod direction;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod installed;
pub mod installer_output;
pub mod lockout;
pub mod manifest;
pub mod manifest_edit;
pub mod manifest_entries;
pub mod manifest_error;
pub mod manifest_parse;
pub mod manifest_values;
pub mod names;
pub mod package_spec;
pub mod password_policy;
pub mod plan;
pub mod planner;
pub mod python;
pub mod request_planner;
pub mod requirement_arg;
pub mod roles;
pub mod session;
pub mod stewardship;
pub mod text;
pub mod trust;
pub mod user_planner;
pub mod user_spec;
pub mod watch_schedule;
