//! One `pkgm watch` cycle: skip it when nothing moved since the last converged one, else
//! read and verify the manifest, plan without the lock, and apply through the shared
//! reconcile cycle only when something must change. Never fails: every ending is a report.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::cli::WatchArgs;
use crate::core::manifest::MAX_MANIFEST_BYTES;
use crate::core::plan::Plan;
use crate::core::trust::MAX_SIGNATURE_BYTES;
use crate::core::watch_schedule::Trigger;
use crate::effects::bounded_read::read_bounded;
use crate::effects::fingerprint::{signature_path, Fingerprint};
use crate::effects::lock::LockError;
use crate::effects::progress::{Progress, Verbosity};
use crate::effects::store::Store;
use crate::effects::target::PythonTarget;
use crate::render::{self, ManifestHeader};
use crate::watch_report::{CycleOutcome, CycleReport, PlanCounts};

use super::{now_ms, Settings};
use crate::app::authenticity::{
    authenticate, recheck_rollback, refuse_user_changes_without_scope, Authenticity, Policy,
};
use crate::app::live_environment::{plan_now, PlanNow};
use crate::app::manifest_file::ManifestFile;
use crate::app::reconcile::{interrupted, reconcile, Cycle, Outcome, ShutdownRequested};
use crate::app::state_store::StateStore;

/// A finished cycle: its report, and the plan as text when it had changes.
pub struct CycleResult {
    pub report: CycleReport,
    pub plan_text: Option<String>,
}

/// What the last converged cycle saw, so the next drift check can skip planning.
struct Converged {
    fingerprint: Fingerprint,
    target: PythonTarget,
    header: ManifestHeader,
}

/// The state watch keeps between cycles.
pub struct Cycles<'a> {
    settings: &'a Settings,
    args: &'a WatchArgs,
    /// One connection for the whole watch: its own writes never move its `data_version`.
    state: &'a StateStore<'a>,
    store: &'a Store,
    stop: &'a AtomicBool,
    converged: Option<Converged>,
    /// The manifest last applied or found converged: still in force after a rejection.
    in_force: Option<ManifestHeader>,
    /// Digests of the manifest and signature last verified, to warn once per version.
    verified: Option<[u8; 32]>,
    /// Digests of the manifest and signature last refused: a refusal goes into the history
    /// once per version, not once per cycle (the log still says it every cycle).
    refused: Option<[u8; 32]>,
}

impl<'a> Cycles<'a> {
    pub fn new(
        settings: &'a Settings,
        args: &'a WatchArgs,
        state: &'a StateStore<'a>,
        stop: &'a AtomicBool,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            settings,
            args,
            state,
            store: state.open()?,
            stop,
            converged: None,
            in_force: None,
            verified: None,
            refused: None,
        })
    }

    pub fn run(&mut self, trigger: Trigger) -> CycleResult {
        let started = Instant::now();
        let mut result = CycleResult {
            report: CycleReport {
                at_ms: now_ms(),
                trigger,
                outcome: CycleOutcome::Error,
                manifest: None,
                kept: None,
                plan: None,
                plan_document: None,
                changed: None,
                run_id: None,
                duration_ms: 0,
                error: None,
                file: self.path().display().to_string(),
            },
            plan_text: None,
        };
        if trigger == Trigger::Interval && self.unchanged(&mut result.report) {
            result.report.duration_ms = started.elapsed().as_millis() as i64;
            return result;
        }
        if let Err(error) = self.reconcile(&mut result) {
            result.report.outcome = if stopped(&error) {
                CycleOutcome::Interrupted
            } else {
                CycleOutcome::Error
            };
            result.report.error = Some(format!("{error:#}"));
        }
        result.report.duration_ms = started.elapsed().as_millis() as i64;
        result
    }

    fn path(&self) -> &'a Path {
        &self.args.manifest.manifest
    }

    /// Whether nothing a plan reads has changed since the last converged cycle.
    fn unchanged(&self, report: &mut CycleReport) -> bool {
        let Some(converged) = &self.converged else {
            return false;
        };
        let now = Fingerprint::take(self.path(), None, &converged.target, self.store);
        if now.is_ok_and(|now| now == converged.fingerprint) {
            report.outcome = CycleOutcome::Unchanged;
            report.manifest = Some(converged.header.clone());
            return true;
        }
        false
    }

    fn reconcile(&mut self, result: &mut CycleResult) -> anyhow::Result<()> {
        let report = &mut result.report;
        let (file, authenticity) = match self.load() {
            Ok(loaded) => loaded,
            Err(error) => {
                report.outcome = CycleOutcome::Rejected;
                report.error = Some(format!("{error:#}"));
                report.kept = self.in_force.clone();
                self.converged = None;
                return Ok(());
            }
        };
        let target = PythonTarget::locate(&file.manifest.environment)?;
        let header = file.header(&authenticity);
        report.manifest = Some(header.clone());
        // Taken before reading the environment: a change made while planning shows next time.
        let fingerprint = Fingerprint::take(self.path(), Some(&file.bytes), &target, self.store)?;
        let PlanNow { plan, .. } = plan_now(&target, self.store, &file.manifest)?;
        describe_plan(result, &header, &plan);
        let report = &mut result.report;
        let recorded = self
            .store
            .last_applied(&header.name)?
            .is_some_and(|applied| applied.sha256 == header.sha256);
        self.converged = None;
        if plan.is_empty() && (recorded || self.args.check) {
            report.outcome = CycleOutcome::Converged;
            self.in_force = Some(header.clone());
            self.converged = Some(Converged {
                fingerprint,
                target,
                header,
            });
            return Ok(());
        }
        if self.args.check {
            report.outcome = CycleOutcome::Drift;
            return Ok(());
        }
        self.apply(result, &file, &authenticity)
    }

    /// Reads and verifies the manifest like apply does (a refusal is recorded as a
    /// `watch` run). Warnings such as `--allow-unsigned`'s are logged once per version of
    /// the manifest and signature, not every cycle.
    fn load(&mut self) -> anyhow::Result<(ManifestFile, Authenticity)> {
        let policy = if self.args.manifest.allow_unsigned {
            Policy::AllowUnsigned
        } else {
            Policy::Require
        };
        let digest = inputs_digest(self.path());
        let refused_before = digest.is_some() && self.refused == digest;
        let verify = || {
            authenticate(
                self.settings.trust.as_deref(),
                self.path(),
                policy,
                self.state,
                "watch",
                !refused_before,
                now_ms(),
            )
        };
        let verified = if digest.is_some() && self.verified == digest {
            let quiet = tracing::subscriber::NoSubscriber::default();
            tracing::subscriber::with_default(quiet, verify)
        } else {
            verify()
        };
        let verified = verified.inspect_err(|_| self.refused = digest)?;
        self.refused = None;
        self.verified = digest;
        Ok(verified)
    }

    fn apply(
        &mut self,
        result: &mut CycleResult,
        file: &ManifestFile,
        authenticity: &Authenticity,
    ) -> anyhow::Result<()> {
        let verbosity = match self.settings.verbosity {
            Verbosity::Verbose => Verbosity::Verbose,
            _ => Verbosity::Quiet,
        };
        let progress = Progress::new(verbosity);
        let cycle = Cycle {
            state: &self.settings.state,
            store: self.store,
            lock_timeout: self.args.lock_timeout,
            progress: &progress,
            command: format!("pkgm watch {}", self.path().display()),
            stop: Some(self.stop),
            // Handing an environment to another name is a decision, not a cycle's.
            take_over: false,
        };
        let (stop, store) = (self.stop, self.store);
        let allow_unsigned_users = self.args.manifest.allow_unsigned_users;
        let outcome = reconcile(&cycle, file, authenticity, |header, plan, _lock| {
            if stop.load(Ordering::SeqCst) {
                return Err(ShutdownRequested { step: "apply" }.into());
            }
            // Under the lock: another apply may have moved the rollback mark meanwhile.
            recheck_rollback(store, file, authenticity, "watch", now_ms())?;
            refuse_user_changes_without_scope(authenticity, plan, allow_unsigned_users)?;
            // Or applied this very manifest while this cycle waited for the lock.
            let recorded = store
                .last_applied(&header.name)?
                .is_some_and(|applied| applied.sha256 == header.sha256);
            if plan.is_empty() && recorded {
                return Err(AppliedMeanwhile.into());
            }
            Ok(())
        });
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(error) if error.is::<AppliedMeanwhile>() => {
                result.report.outcome = CycleOutcome::Converged;
                describe_plan(result, &file.header(authenticity), &Plan::default());
                return Ok(());
            }
            Err(error) if stopped(&error) => {
                result.report.outcome = CycleOutcome::Interrupted;
                result.report.error = Some(error.to_string());
                return Ok(());
            }
            Err(error) => return Err(error).context("the apply could not start"),
        };
        self.record(result, outcome);
        Ok(())
    }

    fn record(&mut self, result: &mut CycleResult, outcome: Outcome) {
        describe_plan(result, &outcome.header, &outcome.plan);
        let report = &mut result.report;
        report.run_id = Some(outcome.run_id);
        report.changed = Some(outcome.changed.len());
        match outcome.failure {
            None => {
                report.outcome = CycleOutcome::Applied;
                self.in_force = Some(outcome.header);
            }
            Some(failure) if interrupted(&failure.error) => {
                report.outcome = CycleOutcome::Interrupted;
                report.error = Some(failure.error.to_string());
            }
            Some(failure) => {
                report.outcome = CycleOutcome::Failed;
                let hint = if self.args.once {
                    "hint: fix the cause and run it again; the next run converges from the real environment"
                } else {
                    "hint: watch tries again on the next change or interval"
                };
                report.error = Some(format!(
                    "failed during `{}`: {:#}\n{hint}",
                    failure.step.name(),
                    failure.error
                ));
            }
        }
    }
}

/// Another run applied the manifest while the cycle waited for the lock: nothing is left.
#[derive(Debug, thiserror::Error)]
#[error("applied by another run meanwhile")]
struct AppliedMeanwhile;

/// A digest of the manifest's and signature's bytes (`None` if the manifest is unreadable).
fn inputs_digest(path: &Path) -> Option<[u8; 32]> {
    // Bounded and non-blocking like every read of these files: a FIFO must not stall a cycle.
    let manifest = read_bounded(path, MAX_MANIFEST_BYTES).ok()?;
    let signature = read_bounded(&signature_path(path), MAX_SIGNATURE_BYTES).unwrap_or_default();
    let mut digest = Sha256::new();
    digest.update(Sha256::digest(manifest));
    digest.update(Sha256::digest(signature));
    Some(digest.finalize().into())
}

/// Whether a cycle ended early because shutdown began (before applying, or while
/// waiting for the lock).
fn stopped(error: &anyhow::Error) -> bool {
    interrupted(error)
        || matches!(
            error.downcast_ref::<LockError>(),
            Some(LockError::Abandoned { .. })
        )
}

/// Puts the plan's counts, document and text into the result.
fn describe_plan(result: &mut CycleResult, header: &ManifestHeader, plan: &Plan) {
    result.report.plan = Some(PlanCounts::of(plan));
    if plan.is_empty() {
        result.report.plan_document = None;
        result.plan_text = None;
    } else {
        result.report.plan_document = Some(render::plan_json(header, plan));
        result.plan_text = Some(render::plan_text(header, plan));
    }
}
