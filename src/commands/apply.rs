//! `pkgm apply`: verify, then one reconcile cycle with the plan shown and confirmed, and
//! the outcome printed (the cycle itself records it).

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context};
use serde_json::json;

use crate::cli::{ApplyArgs, OutputFormat};
use crate::core::installed::Tally;
use crate::effects::process::shield_children_from_terminal_signals;
use crate::effects::progress::{Progress, Verbosity};
use crate::effects::signals::ShutdownSignals;
use crate::render;

use super::{now_ms, print, print_json, Settings};
use crate::app::authenticity::{
    authenticate, recheck_rollback, refuse_user_changes_without_scope, Policy,
};
use crate::app::interrupts::escalate;
use crate::app::live_environment::plural;
use crate::app::reconcile::{interrupted, reconcile, Cycle};
use crate::app::state_store::StateStore;

pub fn run(settings: &Settings, args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    let state = StateStore::new(&settings.state, true);
    let policy = if args.manifest.allow_unsigned {
        Policy::AllowUnsigned
    } else {
        Policy::Require
    };
    let (file, authenticity) = authenticate(
        settings.trust.as_deref(),
        &args.manifest.manifest,
        policy,
        &state,
        "apply",
        true,
        now_ms(),
    )?;
    let store = state.open()?;
    let progress = Progress::new(settings.verbosity);
    // Ctrl-C reaches pkgm only: the installer runs in its own process group and its call
    // is never cut short by the first signal.
    shield_children_from_terminal_signals();
    let forced = Arc::new(AtomicBool::new(false));
    let at_prompt = Arc::new(AtomicBool::new(false));
    let signals = listen_for_signals(Arc::clone(&forced), Arc::clone(&at_prompt))?;
    let cycle = Cycle {
        state: &settings.state,
        store,
        lock_timeout: args.lock_timeout,
        progress: &progress,
        command: format!("pkgm apply {}", file.path.display()),
        stop: Some(signals.flag()),
        take_over: args.take_over,
    };
    let text_output = args.output.output == OutputFormat::Text;
    let outcome = reconcile(&cycle, &file, &authenticity, |header, plan, lock| {
        // Under the lock: another apply may have moved the rollback mark while this one waited.
        recheck_rollback(store, &file, &authenticity, "apply", now_ms())?;
        refuse_user_changes_without_scope(&authenticity, plan, args.manifest.allow_unsigned_users)?;
        if text_output && (settings.verbosity != Verbosity::Quiet || !args.yes) {
            print(&render::plan_text(header, plan))?;
        }
        if !plan.is_empty() && !args.yes {
            at_prompt.store(true, Ordering::SeqCst);
            lock.waiting_for(Some("an answer at its confirmation prompt"));
            let answer = confirm(signals.flag());
            at_prompt.store(false, Ordering::SeqCst);
            answer?;
        }
        Ok(())
    });
    let outcome = match outcome {
        Err(error) if error.is::<Cancelled>() => {
            eprintln!("\nApply cancelled; nothing was changed.");
            return Ok(ExitCode::from(130));
        }
        other => other?,
    };
    let header = &outcome.header;
    let run_id = outcome.run_id;
    let Some(failure) = outcome.failure else {
        match args.output.output {
            OutputFormat::Json => print_json(&json!({
                "run_id": run_id,
                "outcome": "succeeded",
                "plan": render::plan_json(header, &outcome.plan),
                "changed": outcome.changed,
                "users": render::user_changes_json(&outcome.users),
                "duration_ms": outcome.duration_ms,
            }))?,
            OutputFormat::Text if settings.verbosity != Verbosity::Quiet => {
                let venv = if outcome.plan.environment.is_some() {
                    "virtual environment created; "
                } else {
                    ""
                };
                let users = match outcome.users.len() {
                    0 => String::new(),
                    count => format!("; {} changed", plural(count, "user")),
                };
                print(&format!(
                    "Apply complete: {venv}{}{users} (run {run_id}, {}).\n",
                    Tally::of(&outcome.changed).describe(),
                    render::duration(outcome.duration_ms)
                ))?
            }
            OutputFormat::Text => {}
        }
        return Ok(ExitCode::SUCCESS);
    };
    // Everything still to do: the venv (when creating it failed), packages and accounts.
    let remaining = failure.remaining.as_ref().map_or(0, |plan| {
        plan.packages.len() + usize::from(plan.environment.is_some()) + plan.users.len()
    });
    if interrupted(&failure.error) {
        let changed = Tally::of(&outcome.changed).describe();
        eprintln!(
            "Apply interrupted during `{}` (run {run_id}, {}): {changed}; nothing further was \
             started.\nhint: run `pkgm apply` again: it plans from the real environment",
            failure.step.name(),
            render::duration(outcome.duration_ms),
        );
        return Ok(ExitCode::from(130));
    }
    if args.output.output == OutputFormat::Json {
        print_json(&json!({
            "run_id": run_id,
            "outcome": "failed",
            "step": failure.step.name(),
            "error": format!("{:#}", failure.error),
            "changed": outcome.changed,
            "remaining": failure.remaining.as_ref().map(|plan| render::plan_json(header, plan)),
        }))?;
    }
    let changed_names: Vec<&str> = outcome.changed.iter().map(|c| c.name.as_str()).collect();
    let changed = if changed_names.is_empty() {
        String::new()
    } else {
        format!(" ({})", changed_names.join(", "))
    };
    Err(failure.error).context(format!(
        "apply of `{}` revision {} failed during `{}` (run {run_id}); {} changed{changed}, {} still to do\n\
         hint: fix the cause and run `pkgm apply` again: it plans from the real environment",
        header.name,
        header.revision,
        failure.step.name(),
        plural(outcome.changed.len(), "package"),
        plural(remaining, "change"),
    ))
}

/// Ctrl-C (or SIGTERM) at the confirmation prompt: nothing was started.
#[derive(Debug, thiserror::Error)]
#[error("apply cancelled")]
struct Cancelled;

/// The first signal finishes the current step (or cancels at the prompt); later ones stop,
/// then kill, the installer.
fn listen_for_signals(
    forced: Arc<AtomicBool>,
    at_prompt: Arc<AtomicBool>,
) -> anyhow::Result<ShutdownSignals> {
    ShutdownSignals::listen(move |name, count| match count {
        1 if at_prompt.load(Ordering::SeqCst) => {}
        1 => tracing::warn!("received {name}: finishing the current step, then exiting"),
        count => escalate(name, count, &forced),
    })
    .context("cannot listen for SIGINT and SIGTERM")
}

/// Asks like Terraform does; only `yes` proceeds. Without a terminal, `--yes` is required.
/// Waits for the answer in short polls, so that a Ctrl-C cancels instead of killing.
fn confirm(stop: &AtomicBool) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "refusing to apply without confirmation: stdin is not a terminal\n\
             hint: review the plan with `pkgm plan`, then run `pkgm apply --yes`"
        );
    }
    print("\nApply these changes? Only 'yes' will be accepted: ")?;
    loop {
        if stop.load(Ordering::SeqCst) {
            return Err(Cancelled.into());
        }
        let mut poll = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, for the duration of the call.
        let ready = unsafe { libc::poll(&mut poll, 1, 100) };
        if ready > 0 {
            break;
        }
    }
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() != "yes" {
        bail!("apply cancelled; nothing was changed");
    }
    Ok(())
}
