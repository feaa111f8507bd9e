//! `pkgm plan`: what apply would do, from the real environment; changes nothing but the
//! history record.

use std::process::ExitCode;

use crate::cli::{OutputFormat, PlanArgs};
use crate::effects::installer::Installer;
use crate::effects::store::{NewRun, Store};
use crate::effects::target::PythonTarget;
use crate::render;
use crate::render_diff::{manifest_diff, Earlier};

use super::{now_ms, print, print_json, Settings};
use crate::app::authenticity::{authenticate, first_line, signature_line, Authenticity, Policy};
use crate::app::live_environment::{plan_now, PlanNow};
use crate::app::manifest_file::ManifestFile;
use crate::app::state_store::StateStore;
use crate::app::stewardship;

/// The manifest against the last one applied under its name.
fn manifest_diff_text(store: &Store, file: &ManifestFile) -> anyhow::Result<String> {
    let applied = store.last_applied(file.manifest.name.as_str())?;
    let earlier = applied.as_ref().map(|applied| Earlier {
        bytes: &applied.manifest,
        label: format!(
            "{} revision {} (applied {})",
            applied.name,
            applied.revision,
            render::timestamp(applied.applied_at_ms)
        ),
    });
    let current = format!(
        "{} revision {} ({})",
        file.manifest.name,
        file.manifest.revision,
        file.path.display()
    );
    Ok(manifest_diff(earlier, &file.bytes, &current))
}

pub fn run(settings: &Settings, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let state = StateStore::new(&settings.state, true);
    let policy = match (args.require_signature, args.manifest.allow_unsigned) {
        (true, _) => Policy::Require,
        (false, true) => Policy::AllowUnsigned,
        (false, false) => Policy::Report,
    };
    let (file, authenticity) = authenticate(
        settings.trust.as_deref(),
        &args.manifest.manifest,
        policy,
        &state,
        "plan",
        true,
        now_ms(),
    )?;
    let store = state.open()?;
    let target = PythonTarget::locate(&file.manifest.environment)?;
    // Nothing a manifest names runs before its signature is accepted (or waived).
    let target = match (&authenticity, policy) {
        (Authenticity::Unsigned { reason, .. }, Policy::Report) => {
            target.unverified(first_line(reason))
        }
        _ => target,
    };
    // What apply would stop at, said on one line each (the plan is still shown).
    let warn = |outcome: &str, problem: &dyn std::fmt::Display| {
        let text = problem.to_string().replace("\nhint:", ";");
        tracing::warn!("apply would {outcome}: {text}");
    };
    if let Err(error) = Installer::new(&file.manifest.environment, target.python()) {
        warn("fail", &error);
    }
    if let Some(refusal) =
        stewardship::refusal(store, &target, file.manifest.name.as_str(), &settings.state)?
    {
        warn("refuse", &refusal);
    }
    let PlanNow { observation, plan } = plan_now(&target, store, &file.manifest)?;
    if let Some(problem) = observation
        .is_none()
        .then(|| target.creation_problem())
        .flatten()
    {
        warn("fail", &problem);
    }
    let header = file.header(&authenticity);
    let mut document = render::plan_json(&header, &plan);
    let diff = args
        .diff
        .then(|| manifest_diff_text(store, &file))
        .transpose()?;
    if let Some(diff) = &diff {
        document["manifest_diff"] = anstream::adapter::strip_str(diff).to_string().into();
    }
    store.record_plan(
        &NewRun::for_manifest(
            "plan",
            &header,
            document.to_string(),
            &file.bytes,
            &file.path,
        ),
        now_ms(),
    )?;
    match args.output.output {
        // With `--allow-unsigned` the operator already knows; stderr carries the warning.
        OutputFormat::Text => print(&format!(
            "{}{}{}",
            match policy {
                Policy::AllowUnsigned if header.signed_by.is_none() => String::new(),
                _ => format!(
                    "{}\n",
                    signature_line(&file, &authenticity, now_ms() / 1000)
                ),
            },
            diff.map_or(String::new(), |diff| format!("{diff}\n")),
            render::plan_text(&header, &plan)
        ))?,
        OutputFormat::Json => print_json(&document)?,
    }
    let changes = !plan.is_empty();
    Ok(ExitCode::from(if changes && args.detailed_exitcode {
        2
    } else {
        0
    }))
}
