//! The wall clock, with one test hook.
//!
//! In debug builds (what `cargo test` runs), `PKGM_NOW=<unix seconds>` replaces the clock so
//! integration tests can expire sessions and lockouts without sleeping. Release builds ignore
//! the variable: a user must not be able to wind back the clock that expires their session.

use std::time::{SystemTime, UNIX_EPOCH};

pub const TEST_CLOCK_VARIABLE: &str = "PKGM_NOW";

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    #[cfg(debug_assertions)]
    if let Some(seconds) = std::env::var(TEST_CLOCK_VARIABLE)
        .ok()
        .and_then(|text| text.trim().parse::<i64>().ok())
    {
        return seconds.saturating_mul(1000);
    }
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
}
