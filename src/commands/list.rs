//! `pkgm list`: installed packages with versions, marked declared, dependency or undeclared.
//! Like `plan`, it needs no session: it reads what `pip list` would.

use std::process::ExitCode;

use anyhow::bail;
use serde_json::json;

use crate::cli::{ListArgs, OutputFormat};
use crate::core::installed::InstalledSet;
use crate::core::manifest::{EnvironmentSpec, Manifest};
use crate::core::planner::needed_packages;
use crate::effects::store::Store;
use crate::effects::target::PythonTarget;
use crate::engine::Observation;

use super::{now_ms, print, print_json, Settings};
use crate::app::authenticity::{authenticate, first_line, Authenticity, Policy};
use crate::app::live_environment::observe;
use crate::app::state_store::StateStore;

pub fn run(settings: &Settings, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&settings.state)?;
    let mut unverified = None;
    let manifest = match (&args.manifest, &args.python) {
        (Some(path), _) => {
            let policy = match args.allow_unsigned {
                true => Policy::AllowUnsigned,
                false => Policy::Report,
            };
            let state = StateStore::new(&settings.state, false);
            let (file, authenticity) = authenticate(
                settings.trust.as_deref(),
                path,
                policy,
                &state,
                "list",
                false,
                now_ms(),
            )?;
            if let (Authenticity::Unsigned { reason, .. }, false) =
                (&authenticity, args.allow_unsigned)
            {
                unverified = Some(first_line(reason).to_string());
            }
            Some(file.manifest)
        }
        (None, Some(_)) => None,
        (None, None) => bail!(
            "`pkgm list` needs an environment\n\
             hint: pass `--manifest MANIFEST` or `--python PATH`"
        ),
    };
    let target = match (&manifest, &args.python) {
        (Some(manifest), _) => {
            let target = PythonTarget::locate(&manifest.environment)?;
            match &unverified {
                Some(reason) => target.unverified(reason),
                None => target,
            }
        }
        (None, Some(python)) => PythonTarget::locate_from(
            &EnvironmentSpec::for_interpreter(python.clone()),
            "`--python`",
        )?,
        (None, None) => bail!("`pkgm list` needs an environment"),
    };
    let Some(observation) = observe(&target, &store)? else {
        bail!(
            "the environment `{}` does not exist yet\nhint: run `pkgm apply` to create it",
            target.python.display()
        );
    };
    let rows = classify(manifest.as_ref(), &observation);
    match args.output.output {
        OutputFormat::Json => print_json(&json!(rows
            .iter()
            .map(|(name, version, kind)| json!({"name": name, "version": version, "status": kind}))
            .collect::<Vec<_>>()))?,
        OutputFormat::Text => {
            let width = rows
                .iter()
                .map(|(name, _, _)| name.len())
                .max()
                .unwrap_or(0);
            let version_width = rows.iter().map(|(_, v, _)| v.len()).max().unwrap_or(0);
            let mut text = String::new();
            for (name, version, kind) in &rows {
                text.push_str(&format!(
                    "{name:width$}  {version:version_width$}  {kind}\n"
                ));
            }
            // Names and versions come from package metadata: shown, never interpreted.
            print(&crate::core::text::escape_keeping_newlines(&text))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Each installed package with its version and how it got there.
fn classify(
    manifest: Option<&Manifest>,
    observation: &Observation,
) -> Vec<(String, String, &'static str)> {
    let installed: &InstalledSet = &observation.installed;
    // The same closure prune keeps, so `list` and `plan` never disagree.
    let needed = manifest.map(|manifest| {
        needed_packages(
            &manifest.environment,
            &manifest.packages,
            installed,
            &observation.markers,
        )
    });
    installed
        .dists
        .values()
        .map(|dist| {
            let kind = match (manifest, &needed) {
                (Some(manifest), _) if manifest.packages.contains_key(&dist.name) => "declared",
                (Some(manifest), _) if manifest.environment.is_protected(&dist.name) => "protected",
                (Some(_), Some(needed)) if needed.contains(&dist.name) => "dependency",
                // Visible to Python but installed elsewhere (a system-site base, a `.pth`
                // path): never pruned.
                (Some(_), _) if dist.outside_target => "outside",
                (Some(_), _) => "undeclared",
                (None, _) => "installed",
            };
            (dist.name.to_string(), dist.version.to_string(), kind)
        })
        .collect()
}
