//! `pkgm apply`: verify, lock, plan, confirm, apply through the engine, verify convergence,
//! and record the outcome (including where a failed run stopped).

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use serde_json::json;

use crate::cli::{ApplyArgs, OutputFormat};
use crate::core::installed::differences;
use crate::core::manifest::Manifest;
use crate::core::plan::Plan;
use crate::core::plan::UserChange;
use crate::effects::lock::StateLock;
use crate::effects::progress::{Progress, Verbosity};
use crate::effects::store::{Applied, NewRun, RunStatus, Store};
use crate::engine::{self, Accounts, Journal, Step};
use crate::render::{self, ManifestHeader};

use super::authenticity::authenticate;
use super::live_environment::{observe, plural, LiveEnvironment};
use super::manifest_file::ManifestFile;
use super::{now_ms, print, print_json, Settings};

pub fn run(settings: &Settings, args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let file = ManifestFile::load(&args.manifest.manifest)?;
    let authenticity = authenticate(&file, args.manifest.allow_unsigned)?;
    let store = Store::open(&settings.state)?;
    let command = format!("pkgm apply {}", file.path.display());
    let lock = StateLock::acquire(&settings.state, args.lock_timeout, &command, now_ms())?;
    if let Some(old) = &lock.taken_over_from {
        tracing::warn!(
            "took over the state lock left by `{}` (pid {}, no longer running)",
            old.command,
            old.pid
        );
    }
    for stale in store.mark_interrupted(now_ms())? {
        tracing::warn!(
            "run {} ({} of `{}`) was interrupted during `{}`; planning again from the real environment",
            stale.id,
            stale.command,
            stale.manifest_name.as_deref().unwrap_or("?"),
            stale.step.as_deref().unwrap_or("start")
        );
    }

    let progress = Progress::new(settings.verbosity);
    let mut environment = LiveEnvironment::new(&file.manifest, &store, &progress)?;
    let observation = observe(&environment.target, &store)?;
    let plan = engine::plan_with_users(&file.manifest, observation.as_ref(), &store.accounts()?)?;
    let header = file.header(authenticity.signed_by());
    let text_output = args.output.output == OutputFormat::Text;
    if text_output && (settings.verbosity != Verbosity::Quiet || !args.yes) {
        print(&render::plan_text(&header, &plan))?;
    }
    if !plan.is_empty() && !args.yes {
        confirm()?;
    }

    let run_id = store.start_run(&new_run(&header, &plan), now_ms())?;
    let mut journal = StoreJournal {
        store: &store,
        run_id,
    };
    let mut accounts = StoreAccounts { store: &store };
    let outcome = engine::apply(
        &file.manifest,
        &mut environment,
        &mut journal,
        &mut accounts,
    );
    progress.finish();
    let duration_ms = started.elapsed().as_millis() as i64;
    match outcome {
        Ok(report) => {
            let changed = differences(&report.before, &report.after);
            let changed_json = serde_json::to_string(&changed)?;
            store.record_applied(
                &Applied {
                    name: header.name.clone(),
                    revision: header.revision,
                    sha256: header.sha256.clone(),
                    manifest: file.bytes.clone(),
                    file_name: file.file_name(),
                    run_id,
                    applied_at_ms: now_ms(),
                },
                &changed_json,
            )?;
            drop(lock);
            match args.output.output {
                OutputFormat::Json => print_json(&json!({
                    "run_id": run_id,
                    "outcome": "succeeded",
                    "plan": render::plan_json(&header, &plan),
                    "changed": changed,
                    "users": render::user_changes_json(&report.users),
                    "duration_ms": duration_ms,
                }))?,
                OutputFormat::Text if settings.verbosity != Verbosity::Quiet => {
                    let users = if report.users.is_empty() {
                        String::new()
                    } else {
                        format!(" and {}", plural(report.users.len(), "user"))
                    };
                    print(&format!(
                        "Apply complete: {}{users} changed in {} (run {run_id}).\n",
                        plural(changed.len(), "package"),
                        render::duration(duration_ms)
                    ))?;
                }
                OutputFormat::Text => {}
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            let changed = failure
                .after
                .as_ref()
                .map(|after| differences(&failure.before, after))
                .unwrap_or_default();
            let error_text = format!("{:#}", failure.error);
            store.finish_run(
                run_id,
                RunStatus::Failed,
                Some(&serde_json::to_string(&changed)?),
                Some(&error_text),
                now_ms(),
            )?;
            drop(lock);
            let remaining = failure
                .remaining
                .as_ref()
                .map_or(0, |plan| plan.packages.len());
            let changed_names: Vec<String> = changed.iter().map(|c| c.name.clone()).collect();
            if args.output.output == OutputFormat::Json {
                print_json(&json!({
                    "run_id": run_id,
                    "outcome": "failed",
                    "step": failure.step.name(),
                    "error": error_text,
                    "changed": changed,
                    "remaining": failure.remaining.as_ref().map(|plan| render::plan_json(&header, plan)),
                }))?;
            }
            Err(failure.error).context(format!(
                "apply of `{}` revision {} failed during `{}` (run {run_id}); {} changed{}, {} still to do\n\
                 hint: fix the cause and run `pkgm apply` again: it plans from the real environment",
                header.name,
                header.revision,
                failure.step.name(),
                plural(changed.len(), "package"),
                if changed_names.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", changed_names.join(", "))
                },
                plural(remaining, "change"),
            ))
        }
    }
}

fn new_run(header: &ManifestHeader, plan: &Plan) -> NewRun {
    NewRun {
        command: "apply".into(),
        manifest_name: Some(header.name.clone()),
        revision: Some(header.revision),
        sha256: Some(header.sha256.clone()),
        signed_by: header.signed_by.clone(),
        unsigned: header.signed_by.is_none(),
        actor: None,
        plan: Some(render::plan_json(header, plan).to_string()),
    }
}

/// Asks like Terraform does; only `yes` proceeds. Without a terminal, `--yes` is required.
fn confirm() -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "refusing to apply without confirmation: stdin is not a terminal\n\
             hint: review the plan with `pkgm plan`, then run `pkgm apply --yes`"
        );
    }
    print("\nApply these changes? Only 'yes' will be accepted: ")?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() != "yes" {
        bail!("apply cancelled; nothing was changed");
    }
    Ok(())
}

struct StoreJournal<'a> {
    store: &'a Store,
    run_id: i64,
}

impl Journal for StoreJournal<'_> {
    fn step(&mut self, step: Step) -> anyhow::Result<()> {
        self.store.set_step(self.run_id, step.name())?;
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
