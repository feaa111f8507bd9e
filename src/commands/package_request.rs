//! The shared steps of `pkgm install`, `upgrade` and `uninstall`: check the session and
//! role, validate the packages, lock the state, change the environment with one installer
//! call, and record the run with the acting user. A later `pkgm plan` sees the result as drift.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use serde_json::json;

use crate::cli::PackagesArgs;
use crate::core::installed::{differences, Difference, InstalledSet};
use crate::core::manifest::EnvironmentSpec;
use crate::core::plan::{PackageChange, Plan};
use crate::core::request_planner::{plan_request, RequestVerb};
use crate::core::requirement_arg::RequirementArg;
use crate::core::roles::Action;
use crate::effects::installer::Installer;
use crate::effects::lock::StateLock;
use crate::effects::process::shield_children_from_terminal_signals;
use crate::effects::progress::Progress;
use crate::effects::signals::ShutdownSignals;
use crate::effects::store::{NewRun, RunStatus, Store};
use crate::effects::target::PythonTarget;
use crate::render;

use super::{now_ms, print, Settings};
use crate::app::authenticity::{authenticate, Policy};
use crate::app::interrupts::escalate;
use crate::app::live_environment::{observe, plural};
use crate::app::reconcile::interrupted;
use crate::app::session_gate::require_session;
use crate::app::state_store::StateStore;
use crate::app::stewardship;

pub fn run(
    settings: &Settings,
    args: &PackagesArgs,
    verb: RequestVerb,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let store = Store::open(&settings.state)?;
    let action = match verb {
        RequestVerb::Install => Action::Install,
        RequestVerb::Upgrade => Action::Upgrade,
        RequestVerb::Uninstall => Action::Uninstall,
    };
    let actor = require_session(&store, action, now_ms())?.account.name;
    let requested: Vec<RequirementArg> = args
        .packages
        .iter()
        .map(|text| RequirementArg::parse(text).map_err(|message| anyhow::anyhow!(message)))
        .collect::<anyhow::Result<_>>()?;
    let (environment, manifest_name) = environment(settings, args)?;
    let origin = match args.manifest {
        Some(_) => "`environment.python`",
        None => "`--python`",
    };
    let target = PythonTarget::locate_from(&environment, origin)?;
    // Roles and the record are those of the state that manages the environment.
    stewardship::check_hand_change(&target, &settings.state)?;
    let command = format!("pkgm {} {}", verb.as_str(), args.packages.join(" "));
    let lock = StateLock::acquire(&settings.state, args.lock_timeout, &command, now_ms())?;
    let Some(before) = observe(&target, &store)? else {
        bail!(
            "the environment `{}` does not exist yet\nhint: run `pkgm apply` to create it",
            target.python.display()
        );
    };
    let changes = plan_request(verb, &requested, &before.installed)?;
    if changes.is_empty() {
        print("Nothing to do: every package asked for is already installed.\n")?;
        return Ok(ExitCode::SUCCESS);
    }
    let request = Request {
        verb,
        actor: actor.as_str(),
        environment: &environment,
        target: &target,
        manifest_name,
    };
    // Ctrl-C reaches pkgm only: the installer call finishes (a second signal stops it, a
    // third kills it), the run is recorded as it ended, and pkgm exits 130.
    shield_children_from_terminal_signals();
    // Every signal ends in 130 here, so the escalation's own flag is not read again.
    let forced = Arc::new(AtomicBool::new(false));
    let signals = ShutdownSignals::listen(move |name, count| match count {
        1 => tracing::warn!(
            "received {name}: letting the installer finish, then exiting (again to stop it)"
        ),
        count => escalate(name, count, &forced),
    })
    .context("cannot listen for SIGINT and SIGTERM")?;
    let performed = request.perform(settings, &store, changes, &before.installed);
    drop(lock);
    let signalled = signals.flag().load(Ordering::SeqCst);
    let (run_id, changed) = match performed {
        Err(error) if interrupted(&error) => {
            let text = error.to_string();
            eprintln!(
                "{}: the installer was stopped part-way.\n\
                 hint: `pkgm list` shows what is installed now; `pkgm plan` shows the drift",
                text.lines().next().unwrap_or_default()
            );
            return Ok(ExitCode::from(130));
        }
        other => other?,
    };
    if signalled {
        eprintln!(
            "{} by `{actor}` finished before stopping: {} (run {run_id}).",
            capitalised(verb),
            summary(&changed)
        );
        return Ok(ExitCode::from(130));
    }
    if changed.is_empty() && verb == RequestVerb::Upgrade {
        print(&format!(
            "Nothing to upgrade: {} already the newest the index allows (run {run_id}, {}).\n",
            match args.packages.len() {
                1 => format!("`{}` is", args.packages[0]),
                _ => "these are".to_string(),
            },
            render::duration(started.elapsed().as_millis() as i64)
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    print(&format!(
        "{} by `{actor}`: {} in {} (run {run_id}).\n",
        capitalised(verb),
        summary(&changed),
        render::duration(started.elapsed().as_millis() as i64)
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// A validated, authorised request that changes something.
struct Request<'a> {
    verb: RequestVerb,
    actor: &'a str,
    environment: &'a EnvironmentSpec,
    target: &'a PythonTarget,
    manifest_name: Option<String>,
}

impl Request<'_> {
    /// Journals the run, calls the installer once, and records what changed; returns the
    /// run id and the changes, or the installer's error with where it left things.
    fn perform(
        self,
        settings: &Settings,
        store: &Store,
        changes: Vec<PackageChange>,
        before: &InstalledSet,
    ) -> anyhow::Result<(i64, Vec<Difference>)> {
        let verb = self.verb;
        let plan = Plan {
            packages: changes,
            ..Plan::default()
        };
        let new_run = NewRun {
            command: verb.as_str().into(),
            actor: Some(self.actor.to_owned()),
            plan: Some(request_json(self.actor, self.target, &plan).to_string()),
            manifest_name: self.manifest_name,
            ..NewRun::default()
        };
        let run_id = store.start_run(&new_run, now_ms())?;
        store.set_step(run_id, verb.as_str())?;
        let progress = Progress::new(settings.verbosity);
        let outcome = change(
            self.environment,
            self.target,
            verb,
            &plan.packages,
            &progress,
        );
        progress.finish();
        let after = observe(self.target, store)?
            .map(|observation| observation.installed)
            .unwrap_or_default();
        let changed = differences(before, &after);
        let error = outcome.as_ref().err().map(|err| format!("{err:#}"));
        let status = match &outcome {
            Err(error) if interrupted(error) => RunStatus::Interrupted,
            Err(_) => RunStatus::Failed,
            Ok(()) => RunStatus::Succeeded,
        };
        let changed_json = serde_json::to_string(&changed)?;
        store.finish_run(
            run_id,
            status,
            Some(&changed_json),
            error.as_deref(),
            now_ms(),
        )?;
        let ended = match status {
            RunStatus::Interrupted => "was stopped",
            _ => "failed",
        };
        outcome.with_context(|| {
            format!(
                "`pkgm {}` {ended} (run {run_id}); {} changed\n\
                 hint: `pkgm list` shows what is installed now; fix the cause and run it again",
                verb.as_str(),
                plural(changed.len(), "package")
            )
        })?;
        Ok((run_id, changed))
    }
}

/// The environment of `--manifest` (with its index settings) or of `--python`.
/// The environment to change. A manifest's interpreter and index settings are used only
/// when its signature is accepted (or `--allow-unsigned` waives it): pip runs from them.
fn environment(
    settings: &Settings,
    args: &PackagesArgs,
) -> anyhow::Result<(EnvironmentSpec, Option<String>)> {
    match (&args.manifest, &args.python) {
        (Some(path), _) => {
            let policy = match args.allow_unsigned {
                true => Policy::AllowUnsigned,
                false => Policy::Require,
            };
            let state = StateStore::new(&settings.state, false);
            let (file, _) = authenticate(
                settings.trust.as_deref(),
                path,
                policy,
                &state,
                "install",
                false,
                now_ms(),
            )?;
            Ok((
                file.manifest.environment,
                Some(file.manifest.name.to_string()),
            ))
        }
        (None, Some(python)) => Ok((EnvironmentSpec::for_interpreter(python.clone()), None)),
        // A change is never aimed by guessing: a manifest beside you may not be the one you mean.
        (None, None) => {
            let here = ["pkgm.yaml", "manifest.yaml"]
                .into_iter()
                .find(|name| Path::new(name).is_file());
            match here {
                Some(name) => bail!(
                    "which environment? pkgm changes an environment only when it is named\n\
                     hint: pass `--manifest {name}` to use the manifest here, or `--python PATH`"
                ),
                None => bail!(
                    "which environment? pkgm changes an environment only when it is named\n\
                     hint: pass `--manifest MANIFEST` or `--python PATH`"
                ),
            }
        }
    }
}

fn change(
    environment: &EnvironmentSpec,
    target: &PythonTarget,
    verb: RequestVerb,
    changes: &[PackageChange],
    progress: &Progress,
) -> anyhow::Result<()> {
    let installer = Installer::new(environment, target.python())?;
    let requirements: Vec<String> = changes.iter().map(PackageChange::requirement).collect();
    let doing = match verb {
        RequestVerb::Install => "installing",
        RequestVerb::Upgrade => "upgrading",
        RequestVerb::Uninstall => "removing",
    };
    progress.step(&format!(
        "{doing} {} with {}: {}",
        plural(changes.len(), "package"),
        installer.kind().as_str(),
        requirements.join(" ")
    ));
    match verb {
        RequestVerb::Install => installer.install(&requirements, progress.echo())?,
        RequestVerb::Upgrade => installer.upgrade(&requirements, progress.echo())?,
        RequestVerb::Uninstall => {
            let names: Vec<_> = changes.iter().map(|change| change.name.clone()).collect();
            installer.uninstall(&names, progress.echo())?;
        }
    }
    Ok(())
}

/// The request as recorded in history: the plan document's `changes`, plus who asked.
fn request_json(actor: &str, target: &PythonTarget, plan: &Plan) -> serde_json::Value {
    let header = render::ManifestHeader {
        signature: None,
        name: String::new(),
        revision: 0,
        sha256: String::new(),
        signed_by: None,
    };
    let document = render::plan_json(&header, plan);
    json!({
        "format_version": 1,
        "requested_by": actor,
        "python": target.python.to_string_lossy(),
        "changes": document["changes"],
        "summary": document["summary"],
    })
}

fn capitalised(verb: RequestVerb) -> &'static str {
    match verb {
        RequestVerb::Install => "Installed",
        RequestVerb::Upgrade => "Upgraded",
        RequestVerb::Uninstall => "Uninstalled",
    }
}

fn summary(changed: &[Difference]) -> String {
    if changed.is_empty() {
        return "no package changed".into();
    }
    changed
        .iter()
        .map(|difference| match (&difference.from, &difference.to) {
            (Some(from), Some(to)) => format!("{} {from} → {to}", difference.name),
            (None, Some(to)) => format!("{} {to}", difference.name),
            (Some(from), None) => format!("{} {from} removed", difference.name),
            (None, None) => difference.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
