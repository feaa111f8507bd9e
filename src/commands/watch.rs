//! `pkgm watch`: reconcile at start, again whenever the manifest or its signature changes,
//! and every interval; one log line per cycle. The loop only waits and dispatches: when to
//! run is `core::watch_schedule`, what a cycle does is `watch_cycle`.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::cli::{LogFormat, WatchArgs};
use crate::core::manifest::ManifestFormat;
use crate::core::watch_schedule::{Next, Schedule, Timing, Trigger};
use crate::effects::process::shield_children_from_terminal_signals;
use crate::effects::progress::Verbosity;
use crate::effects::signals::ShutdownSignals;
use crate::effects::watcher::{ManifestWatcher, Relevance, WatchBatch};
use crate::watch_report::CycleOutcome;

use super::watch_cycle::{CycleResult, Cycles};
use super::{print, Settings};
use crate::app::authenticity::require_trust;
use crate::app::state_store::StateStore;

/// Quiet time after the last relevant event before a change cycle runs: an editor's save,
/// `git pull` or a config map update is one burst, and one cycle.
const SETTLE_MS: u64 = 300;
/// A stream of changes that never pauses still runs a cycle this often.
const MAX_DELAY_MS: u64 = 2_000;
/// While the folder (or one the manifest links into) is missing, how often to look for it
/// (its parent's watch may be gone too).
const FOLDER_POLL: Duration = Duration::from_secs(1);

/// What wakes the loop.
enum Wake {
    Batch(Instant, WatchBatch),
    Shutdown,
}

pub fn run(settings: &Settings, args: &WatchArgs) -> anyhow::Result<ExitCode> {
    preflight(settings, args)?;
    let state = StateStore::new(&settings.state, true);
    shield_children_from_terminal_signals();
    let (sender, wakes) = mpsc::channel();
    let forced = Arc::new(AtomicBool::new(false));
    let signals = listen_for_signals(sender.clone(), Arc::clone(&forced))?;
    let mut cycles = Cycles::new(settings, args, &state, signals.flag())?;
    if args.once {
        let result = cycles.run(Trigger::Start);
        emit(settings, &result);
        if forced.load(Ordering::SeqCst) {
            return Ok(ExitCode::from(130));
        }
        return Ok(once_exit_code(args, result.report.outcome));
    }
    announce(settings, args);
    let mut events = Events::new(args, sender, wakes);
    loop {
        events.read_delivered();
        if signals.requested() {
            events.schedule.shut_down();
        }
        events.rearm_if_folder_replaced();
        match events.schedule.next(events.now()) {
            Next::Stop => break,
            Next::Run(trigger) => {
                events.schedule.cycle_started();
                let result = cycles.run(trigger);
                emit(settings, &result);
                events.schedule.cycle_finished(events.now());
            }
            Next::WaitUntil(due_ms) => events.wait_until(due_ms),
        }
    }
    tracing::info!("watch stopped");
    if forced.load(Ordering::SeqCst) {
        return Ok(ExitCode::from(130));
    }
    Ok(ExitCode::SUCCESS)
}

/// What the loop waits on: the schedule, fed by the watcher's batches and signals.
struct Events {
    schedule: Schedule,
    watcher: Option<ManifestWatcher>,
    wakes: Receiver<Wake>,
    clock: Instant,
}

impl Events {
    fn new(args: &WatchArgs, sender: Sender<Wake>, wakes: Receiver<Wake>) -> Self {
        let timing = Timing {
            interval_ms: args.interval.as_millis() as u64,
            settle_ms: SETTLE_MS,
            max_delay_ms: MAX_DELAY_MS,
        };
        Self {
            schedule: Schedule::new(timing, 0),
            watcher: start_watcher(args, sender),
            wakes,
            clock: Instant::now(),
        }
    }

    /// Milliseconds on the schedule's clock.
    fn at(&self, instant: Instant) -> u64 {
        instant.saturating_duration_since(self.clock).as_millis() as u64
    }

    fn now(&self) -> u64 {
        self.at(Instant::now())
    }

    /// Notes everything that arrived meanwhile (e.g. during a cycle), without waiting.
    fn read_delivered(&mut self) {
        while let Ok(wake) = self.wakes.try_recv() {
            self.handle(wake);
        }
    }

    /// Sleeps until `due_ms` or the next wake-up, whichever comes first.
    fn wait_until(&mut self, due_ms: u64) {
        let mut wait = Duration::from_millis(due_ms.saturating_sub(self.now()));
        if self.watcher.as_ref().is_some_and(|w| w.needs_polling()) {
            wait = wait.min(FOLDER_POLL);
        }
        match self.wakes.recv_timeout(wait) {
            Ok(wake) => self.handle(wake),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {}
        }
    }

    /// One `stat`: a folder deleted and recreated, or swapped, is watched anew.
    fn rearm_if_folder_replaced(&mut self) {
        if let Some(watcher) = self.watcher.as_mut().filter(|w| w.folder_replaced()) {
            rearm(watcher);
            let now = self.now();
            self.schedule.note_change(now);
        }
    }

    fn handle(&mut self, wake: Wake) {
        let (at, batch) = match wake {
            Wake::Shutdown => return self.schedule.shut_down(),
            Wake::Batch(at, batch) => (self.at(at), batch),
        };
        let Some(watcher) = self.watcher.as_mut() else {
            return;
        };
        match batch {
            WatchBatch::Paths(paths) => match watcher.classify(&paths) {
                Relevance::Ignore => {}
                Relevance::Changed => self.schedule.note_change(at),
                Relevance::Rearm => {
                    rearm(watcher);
                    self.schedule.note_change(at);
                }
            },
            WatchBatch::Rescan => {
                tracing::warn!("the watcher lost events; checking everything");
                self.schedule.note_rescan(at);
            }
            WatchBatch::Failed(error) => {
                tracing::warn!("the watcher failed: {error}; checking everything");
                rearm(watcher);
                self.schedule.note_rescan(at);
            }
        }
    }
}

/// Mistakes no later save can fix fail at start, not as a rejection on every cycle: a
/// folder or a file that cannot be a manifest, and no usable trust file when signatures are
/// required. A manifest that is missing or broken is different: a save may bring it.
fn preflight(settings: &Settings, args: &WatchArgs) -> anyhow::Result<()> {
    let path = &args.manifest.manifest;
    if path.is_dir() {
        anyhow::bail!(
            "`{}` is a folder\nhint: watch takes the manifest file, e.g. `{}`",
            path.display(),
            path.join("manifest.yaml").display()
        );
    }
    if ManifestFormat::from_path(path).is_none() {
        anyhow::bail!(
            "`{}`: unknown manifest format\nhint: name the file `*.yaml`, `*.yml` or `*.toml`",
            path.display()
        );
    }
    if !args.manifest.allow_unsigned {
        require_trust(settings.trust.as_deref())?;
    }
    Ok(())
}

/// SIGINT/SIGTERM: the first finishes the current step and exits 0. A second stops the
/// running installer (SIGTERM to its process group) so the cycle ends now, and exits 130; a
/// third kills it and exits at once. pkgm never exits while an installer it started could
/// still be writing to the environment: the state lock is released only after it is gone.
fn listen_for_signals(
    sender: Sender<Wake>,
    forced: Arc<AtomicBool>,
) -> anyhow::Result<ShutdownSignals> {
    let signals = ShutdownSignals::listen(move |name, count| match count {
        1 => {
            tracing::warn!("received {name}: finishing the current step, then exiting");
            let _ = sender.send(Wake::Shutdown);
        }
        count => crate::app::interrupts::escalate(name, count, &forced),
    })
    .context("cannot listen for SIGINT and SIGTERM")?;
    Ok(signals)
}

/// Starts watching, or explains why only the interval will notice changes.
fn start_watcher(args: &WatchArgs, sender: Sender<Wake>) -> Option<ManifestWatcher> {
    let sink = Arc::new(move |batch| {
        let _ = sender.send(Wake::Batch(Instant::now(), batch));
    });
    let path = &args.manifest.manifest;
    let started = ManifestWatcher::new(path, sink).and_then(|mut watcher| {
        watcher.arm()?;
        Ok(watcher)
    });
    match started {
        Ok(watcher) => {
            if watcher.folder_missing() {
                tracing::warn!(
                    "the folder `{}` does not exist yet; watching for it",
                    watcher.folder().display()
                );
            }
            Some(watcher)
        }
        Err(error) => {
            tracing::warn!(
                "{error}; changes are picked up every {} instead\n\
                 hint: raise `fs.inotify.max_user_watches` / `max_user_instances` if they are exhausted",
                humantime::format_duration(args.interval)
            );
            None
        }
    }
}

fn rearm(watcher: &mut ManifestWatcher) {
    if let Err(error) = watcher.arm() {
        tracing::warn!("{error}; trying again at the next event or interval");
    }
}

/// Writes the cycle's line (or JSON object) to stderr, and a plan with changes to stdout.
/// The start-up line: what is watched and how often, before the first cycle's own line
/// (which may take a while when it creates a venv).
fn announce(settings: &Settings, args: &WatchArgs) {
    if settings.verbosity == Verbosity::Quiet {
        return;
    }
    if std::fs::symlink_metadata(&args.manifest.manifest).is_err() {
        // Fine for a service whose checkout arrives later; a typo otherwise.
        tracing::warn!(
            "`{}` does not exist (yet): waiting for it to appear; check the path if it should be there",
            args.manifest.manifest.display()
        );
    }
    let interval = humantime::format_duration(args.interval).to_string();
    let manifest = args.manifest.manifest.display().to_string();
    let state = settings.state.display().to_string();
    let line =
        match settings.log_format {
            LogFormat::Json => serde_json::json!({
                "timestamp": crate::render::timestamp(super::now_ms()),
                "event": "watching",
                "manifest": manifest,
                "interval": interval,
                "check": args.check,
                "state": state,
            })
            .to_string(),
            LogFormat::Text => {
                format!(
            "watching `{manifest}` and its signature: reconciling now, then on every change \
             and every {interval}{} (state `{state}`)",
            if args.check { ", reporting drift only" } else { "" }
        )
            }
        };
    let _ = writeln!(anstream::stderr(), "{}", crate::core::text::escape(&line));
}

fn emit(settings: &Settings, result: &CycleResult) {
    let report = &result.report;
    if settings.verbosity == Verbosity::Quiet && !report.outcome.is_failure() {
        return;
    }
    let line = match settings.log_format {
        LogFormat::Json => report.to_json().to_string(),
        LogFormat::Text => {
            if let Some(plan) = &result.plan_text {
                let _ = print(plan);
            }
            report.to_text()
        }
    };
    let _ = writeln!(anstream::stderr(), "{line}");
}

/// `--once`: apply's exit codes; with `--check`, 2 when there is drift.
fn once_exit_code(args: &WatchArgs, outcome: CycleOutcome) -> ExitCode {
    match outcome {
        _ if outcome.is_failure() => ExitCode::from(1),
        CycleOutcome::Drift if args.check => ExitCode::from(2),
        _ => ExitCode::SUCCESS,
    }
}
