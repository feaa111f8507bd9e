//! `pkgm plan`: what apply would do, from the real environment; changes nothing but the
//! history record.

use std::process::ExitCode;

use crate::cli::{OutputFormat, PlanArgs};
use crate::effects::store::NewRun;
use crate::effects::target::PythonTarget;
use crate::engine;
use crate::render;

use super::authenticity::{authenticate, signature_line, Policy};
use super::live_environment::observe;
use super::reconcile::stored_accounts;
use super::state_store::StateStore;
use super::{now_ms, print, print_json, Settings};

pub fn run(settings: &Settings, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let state = StateStore::new(&settings.state, true);
    let policy = match (args.require_signature, args.manifest.allow_unsigned) {
        (true, _) => Policy::Require,
        (false, true) => Policy::AllowUnsigned,
        (false, false) => Policy::Report,
    };
    let (file, authenticity) = authenticate(
        settings,
        &args.manifest.manifest,
        policy,
        &state,
        "plan",
        now_ms(),
    )?;
    let store = state.open()?;
    let target = PythonTarget::locate(&file.manifest.environment)?;
    let observation = observe(&target, store)?;
    let accounts = stored_accounts(store, &file.manifest)?;
    let plan = engine::plan_with_users(&file.manifest, observation.as_ref(), &accounts)?;
    let header = file.header(authenticity.signed_by());
    let document = render::plan_json(&header, &plan);
    store.record_plan(
        &NewRun {
            command: "plan".into(),
            manifest_name: Some(header.name.clone()),
            revision: Some(header.revision),
            sha256: Some(header.sha256.clone()),
            signed_by: header.signed_by.clone(),
            unsigned: header.signed_by.is_none(),
            actor: None,
            plan: Some(document.to_string()),
        },
        now_ms(),
    )?;
    match args.output.output {
        // With `--allow-unsigned` the operator already knows; stderr carries the warning.
        OutputFormat::Text => print(&match policy {
            Policy::AllowUnsigned if header.signed_by.is_none() => {
                render::plan_text(&header, &plan)
            }
            _ => format!(
                "{}\n{}",
                signature_line(&file, &authenticity),
                render::plan_text(&header, &plan)
            ),
        })?,
        OutputFormat::Json => print_json(&document)?,
    }
    let changes = !plan.is_empty();
    Ok(ExitCode::from(if changes && args.detailed_exitcode {
        2
    } else {
        0
    }))
}
