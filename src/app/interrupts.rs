//! What a second and third SIGINT/SIGTERM mean while pkgm changes an environment, for
//! `apply`, `watch` and the imperative commands alike: the first asks to finish the current
//! step (each command says so its own way), the second stops the running installer's
//! process group, the third kills it and exits 130.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::effects::process::{stop_running_children, wait_for_stopped_children, Stop};

/// Handles signal number `count` (2 or more); `forced` records that the run ends with 130.
pub fn escalate(name: &str, count: usize, forced: &AtomicBool) {
    if count == 2 {
        forced.store(true, Ordering::SeqCst);
        if stop_running_children(Stop::Terminate).count() > 0 {
            tracing::warn!(
                "received {name} again: stopping the running installer, then exiting; once more kills it"
            );
        } else {
            tracing::warn!(
                "received {name} again: no installer is running; none will start, exiting"
            );
        }
        return;
    }
    let killed = stop_running_children(Stop::Kill);
    // SIGKILL is delivered asynchronously: the lock goes with this process, so wait
    // (briefly) until nothing it started can still write.
    if !wait_for_stopped_children(&killed, Duration::from_secs(5)) {
        tracing::warn!("the killed installer has not exited yet");
    }
    tracing::warn!("received {name} a third time: installer killed; exiting now");
    std::process::exit(130);
}
