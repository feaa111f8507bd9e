//! The steps the commands share, below the commands and above the engine: reading and
//! verifying a manifest (`manifest_file`, `authenticity`), opening the state
//! (`state_store`), the session check (`session_gate`), the live environment and its
//! stewardship (`live_environment`, `stewardship`), one reconcile cycle (`reconcile`),
//! signing (`signing`) and signal handling (`interrupts`). Nothing here takes a clap type
//! or prints: commands turn arguments into calls and results into output; a server will
//! make the same calls.

pub mod authenticity;
pub mod interrupts;
pub mod live_environment;
pub mod manifest_file;
pub mod reconcile;
pub mod session_gate;
pub mod signing;
pub mod state_store;
pub mod stewardship;

/// Milliseconds since the epoch: the one clock reading a use case passes down (see
/// `effects::clock` for the test hook).
pub fn now_ms() -> i64 {
    crate::effects::clock::now_ms()
}
