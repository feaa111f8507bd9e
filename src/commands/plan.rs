//! `pkgm plan`: what apply would do, from the real environment; changes nothing but the
//! history record.

use std::process::ExitCode;

use crate::cli::{OutputFormat, PlanArgs};
use crate::effects::store::{NewRun, Store};
use crate::effects::target::PythonTarget;
use crate::engine;
use crate::render;

use super::authenticity::authenticate;
use super::live_environment::observe;
use super::manifest_file::ManifestFile;
use super::{now_ms, print, print_json, Settings};

pub fn run(settings: &Settings, args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let file = ManifestFile::load(&args.manifest.manifest)?;
    let authenticity = authenticate(&file, args.manifest.allow_unsigned)?;
    let store = Store::open(&settings.state)?;
    let target = PythonTarget::locate(&file.manifest.environment)?;
    let observation = observe(&target, &store)?;
    let plan = engine::plan_with_users(&file.manifest, observation.as_ref(), &store.accounts()?)?;
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
        OutputFormat::Text => print(&render::plan_text(&header, &plan))?,
        OutputFormat::Json => print_json(&document)?,
    }
    let changes = !plan.is_empty();
    Ok(ExitCode::from(if changes && args.detailed_exitcode {
        2
    } else {
        0
    }))
}
