//! One reconcile cycle under the state lock: take over stale runs, plan from the real
//! environment, let the caller confirm, apply through the engine, and record the outcome.
//! Shared by `apply` (once, with a prompt) and `watch` (every cycle, unattended).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::core::installed::{differences, Difference};
use crate::core::manifest::Manifest;
use crate::core::plan::{Plan, UserChange};
use crate::effects::lock::StateLock;
use crate::effects::process::ProcessError;
use crate::effects::progress::Progress;
use crate::effects::store::{Applied, NewRun, RunStatus, Store};
use crate::engine::{self, Accounts, Journal, Step};
use crate::render::{self, ManifestHeader};

use super::authenticity::Authenticity;
use super::live_environment::{plan_now, LiveEnvironment, PlanNow};
use super::manifest_file::ManifestFile;
use super::now_ms;
use super::stewardship;

/// What a cycle needs besides the manifest.
pub struct Cycle<'a> {
    pub state: &'a std::path::Path,
    pub store: &'a Store,
    pub lock_timeout: Duration,
    pub progress: &'a Progress,
    /// Who runs it, for the lock file and messages (`pkgm apply m.yaml`).
    pub command: String,
    /// Set when shutdown was requested: the cycle starts no further step (watch).
    pub stop: Option<&'a AtomicBool>,
    /// Let this manifest manage an environment bound to another name or state
    /// (`apply --take-over`).
    pub take_over: bool,
}

/// A cycle stopped between two steps because shutdown was requested; recorded as
/// interrupted, so the next run plans again from the real environment.
#[derive(Debug, thiserror::Error)]
#[error("shutdown requested; stopped before `{step}`")]
pub struct ShutdownRequested {
    pub step: &'static str,
}

/// Whether a step ended because shutdown was asked for: before it began, or by stopping
/// the installer it was running.
pub fn interrupted(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.is::<ShutdownRequested>()
            || matches!(
                cause.downcast_ref::<ProcessError>(),
                Some(ProcessError::Stopped { .. })
            )
    })
}

/// How a cycle ended. A failed apply is an outcome, not an error: it was recorded.
#[derive(Debug)]
pub struct Outcome {
    pub run_id: i64,
    pub header: ManifestHeader,
    pub plan: Plan,
    pub changed: Vec<Difference>,
    /// The accounts created, updated or deleted (none when a step failed).
    pub users: Vec<UserChange>,
    pub duration_ms: i64,
    pub failure: Option<FailureSummary>,
}

#[derive(Debug)]
pub struct FailureSummary {
    pub step: Step,
    pub error: anyhow::Error,
    pub remaining: Option<Plan>,
}

/// Runs one cycle. `confirm` sees the plan before anything changes and may refuse.
pub fn reconcile(
    cycle: &Cycle<'_>,
    file: &ManifestFile,
    authenticity: &Authenticity,
    confirm: impl FnOnce(&ManifestHeader, &Plan, &mut StateLock) -> anyhow::Result<()>,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let stopping = || cycle.stop.is_some_and(|stop| stop.load(Ordering::SeqCst));
    let mut lock = StateLock::acquire_unless(
        cycle.state,
        cycle.lock_timeout,
        &cycle.command,
        now_ms(),
        &stopping,
    )?;
    if let Some(old) = &lock.taken_over_from {
        tracing::warn!(
            "took over the state lock left by `{}` (pid {}, no longer running)",
            old.command,
            old.pid
        );
    }
    for stale in cycle.store.mark_interrupted(now_ms())? {
        tracing::warn!(
            "run {} ({} of `{}`) was interrupted during `{}`; planning again from the real environment",
            stale.id,
            stale.command,
            stale.manifest_name.as_deref().unwrap_or("?"),
            stale.step.as_deref().unwrap_or("start")
        );
    }

    let mut environment = LiveEnvironment::new(&file.manifest, cycle.store, cycle.progress)?;
    let name = file.manifest.name.as_str();
    if let Err(error) = stewardship::check(
        cycle.store,
        &environment.target,
        name,
        cycle.state,
        cycle.take_over,
    ) {
        // Recorded like the apply it stopped (watch's applies are recorded as `apply` too).
        let run = NewRun {
            plan: None,
            ..NewRun::for_manifest(
                "apply",
                &file.header(authenticity),
                String::new(),
                &file.bytes,
                &file.path,
            )
        };
        cycle
            .store
            .record_refused(&run, &format!("{error:#}"), now_ms())?;
        return Err(error);
    }
    let PlanNow { plan, .. } = plan_now(&environment.target, cycle.store, &file.manifest)?;
    let header = file.header(authenticity);
    let confirmed = confirm(&header, &plan, &mut lock);
    lock.waiting_for(None);
    confirmed?;

    let run_id = cycle.store.start_run(
        &NewRun::for_manifest(
            "apply",
            &header,
            render::plan_json(&header, &plan).to_string(),
            &file.bytes,
            &file.path,
        ),
        now_ms(),
    )?;
    stewardship::bind(cycle.store, &environment.target, name, run_id, now_ms())?;
    let mut journal = StoreJournal {
        store: cycle.store,
        run_id,
        stop: cycle.stop,
    };
    let mut accounts = StoreAccounts { store: cycle.store };
    let result = engine::apply(
        &file.manifest,
        &mut environment,
        &mut journal,
        &mut accounts,
    );
    cycle.progress.finish();
    // Whatever the outcome, the venv (if it now exists) is this manifest's.
    if let Err(error) = stewardship::mark(&environment.target, name, cycle.state) {
        tracing::warn!("{error:#}");
    }
    let duration_ms = started.elapsed().as_millis() as i64;
    let outcome = match result {
        Ok(report) => {
            let changed = differences(&report.before, &report.after);
            cycle.store.record_applied(
                &Applied {
                    name: header.name.clone(),
                    revision: header.revision,
                    sha256: header.sha256.clone(),
                    manifest: file.bytes.clone(),
                    file_name: file.file_name(),
                    run_id,
                    applied_at_ms: now_ms(),
                },
                &serde_json::to_string(&changed)?,
            )?;
            Outcome {
                run_id,
                header,
                plan,
                changed,
                users: report.users,
                duration_ms,
                failure: None,
            }
        }
        Err(failure) => {
            let changed = failure
                .after
                .as_ref()
                .map(|after| differences(&failure.before, after))
                .unwrap_or_default();
            let status = if interrupted(&failure.error) {
                RunStatus::Interrupted
            } else {
                RunStatus::Failed
            };
            cycle.store.finish_run(
                run_id,
                status,
                Some(&serde_json::to_string(&changed)?),
                Some(&format!("{:#}", failure.error)),
                now_ms(),
            )?;
            Outcome {
                run_id,
                header,
                plan,
                changed,
                users: Vec::new(),
                duration_ms,
                failure: Some(FailureSummary {
                    step: failure.step,
                    error: failure.error,
                    remaining: failure.remaining,
                }),
            }
        }
    };
    drop(lock);
    Ok(outcome)
}

struct StoreJournal<'a> {
    store: &'a Store,
    run_id: i64,
    stop: Option<&'a AtomicBool>,
}

impl Journal for StoreJournal<'_> {
    fn step(&mut self, step: Step) -> anyhow::Result<()> {
        self.store.set_step(self.run_id, step.name())?;
        // Verifying changes nothing: a stopped cycle still finishes it.
        let changes = step != Step::Verify;
        if changes && self.stop.is_some_and(|stop| stop.load(Ordering::SeqCst)) {
            return Err(ShutdownRequested { step: step.name() }.into());
        }
        Ok(())
    }
}

/// The user store behind `engine::Accounts`: one transaction per apply.
struct StoreAccounts<'a> {
    store: &'a Store,
}

impl Accounts for StoreAccounts<'_> {
    fn apply_users(&mut self, manifest: &Manifest) -> anyhow::Result<Vec<UserChange>> {
        Ok(self.store.apply_users(&manifest.users, now_ms())?)
    }
}
