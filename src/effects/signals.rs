//! SIGINT and SIGTERM as a request to stop, not a kill: a flag the long-running command
//! checks between steps, plus a callback that wakes its loop. Installs handlers only; it
//! never decides what stopping means.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};

/// The installed handlers; restored to the defaults' behaviour only when the process ends.
pub struct ShutdownSignals {
    requested: Arc<AtomicBool>,
    handle: Handle,
}

impl ShutdownSignals {
    /// Listens for SIGINT and SIGTERM. `on_signal(name, count)` runs on a helper thread for
    /// every signal; `count` is 1 for the first (which sets the flag), 2 for the next, …
    pub fn listen(
        on_signal: impl Fn(&'static str, usize) + Send + 'static,
    ) -> std::io::Result<Self> {
        let requested = Arc::new(AtomicBool::new(false));
        let mut signals = Signals::new([SIGINT, SIGTERM])?;
        let handle = signals.handle();
        let flag = Arc::clone(&requested);
        std::thread::Builder::new()
            .name("pkgm signals".into())
            .spawn(move || {
                let mut count = 0;
                for signal in signals.forever() {
                    let name = if signal == SIGINT {
                        "SIGINT"
                    } else {
                        "SIGTERM"
                    };
                    flag.store(true, Ordering::SeqCst);
                    count += 1;
                    on_signal(name, count);
                }
            })?;
        Ok(Self { requested, handle })
    }

    /// Whether shutdown was requested.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// The flag itself, for code that checks it between steps.
    pub fn flag(&self) -> &AtomicBool {
        &self.requested
    }
}

impl Drop for ShutdownSignals {
    fn drop(&mut self) {
        self.handle.close();
    }
}
