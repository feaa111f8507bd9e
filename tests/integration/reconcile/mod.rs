//! Issue-level behaviour of plan and apply against real venvs and real pip/uv, offline.

pub(crate) mod cli_surface;
mod failures;
mod interpreter_cache;
mod interrupts;
mod lock_and_crash;
mod plan_apply;
mod public_index;
mod safety;
mod state_location;

use std::collections::BTreeMap;

/// `{"a": "1.0", ...}` from pairs, for comparing with `pip list`.
pub fn packages(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, version)| (name.to_string(), version.to_string()))
        .collect()
}
