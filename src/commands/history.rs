//! `pkgm history [ID]`: recorded runs, newest first, or one run in full.

use std::process::ExitCode;

use anyhow::{bail, Context};
use serde_json::{json, Value};

use crate::cli::{HistoryArgs, OutputFormat};
use crate::effects::store::{RunRecord, RunStatus, Store};
use crate::render;
use crate::render_diff::{manifest_diff, Earlier};

use super::{print, print_json, Settings};
use crate::app::state_store::StateStore;
use crate::core::text::escape;

pub fn run(settings: &Settings, args: &HistoryArgs) -> anyhow::Result<ExitCode> {
    // Reading must not create a state database where there is none.
    let state = StateStore::new(&settings.state, false);
    let Some(store) = state.get()? else {
        if let Some(id) = args.id {
            bail!(
                "there is no run {id}: the state `{}` does not exist",
                settings.state.display()
            );
        }
        match args.output.output {
            OutputFormat::Json => print_json(&json!([]))?,
            OutputFormat::Text => print(&list_text(&[]))?,
        }
        return Ok(ExitCode::SUCCESS);
    };
    match args.id {
        Some(id) => {
            let run = store.run(id)?.with_context(|| {
                format!(
                    "there is no run {id} in `{}`\nhint: `pkgm history` lists the runs it holds",
                    settings.state.display()
                )
            })?;
            match args.output.output {
                OutputFormat::Json => print_json(&detail_json(&run))?,
                OutputFormat::Text => print(&format!(
                    "{}{}",
                    detail_text(&run),
                    manifest_changes(store, &run)?
                ))?,
            }
        }
        None => {
            let runs = store.runs(args.limit)?;
            match args.output.output {
                OutputFormat::Json => print_json(&json!(runs))?,
                OutputFormat::Text => print(&list_text(&runs))?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn duration(run: &RunRecord) -> String {
    run.finished_at_ms
        .map_or("-".into(), |end| render::duration(end - run.started_at_ms))
}

/// The manifest's name, or for a run refused before it was read, its file in brackets.
fn name_or_file(run: &RunRecord) -> String {
    match (&run.manifest_name, &run.file) {
        (Some(name), _) => name.clone(),
        (None, Some(file)) => {
            let file = std::path::Path::new(file);
            let short = file.file_name().map_or(file.as_os_str(), |name| name);
            format!("[{}]", short.to_string_lossy())
        }
        (None, None) => "-".into(),
    }
}

fn list_text(runs: &[RunRecord]) -> String {
    if runs.is_empty() {
        return "No runs recorded yet.\n".into();
    }
    let mut text = String::new();
    for run in runs {
        text.push_str(&format!(
            "{:>4}  {}  {:<7} {:<20} rev {:<5} {:<11} {:>7}{}{}{}\n",
            run.id,
            render::timestamp(run.started_at_ms),
            escape(&run.command),
            escape(&name_or_file(run)),
            run.revision.map_or("-".into(), |r| r.to_string()),
            run.status.as_str(),
            duration(run),
            if run.unsigned { "  unsigned" } else { "" },
            run.actor
                .as_deref()
                .map_or(String::new(), |actor| format!("  by `{}`", escape(actor))),
            run.step
                .as_deref()
                .filter(|_| run.status.as_str() != "succeeded")
                .map_or(String::new(), |step| format!("  at `{}`", escape(step))),
        ));
    }
    text
}

/// What the run's manifest changed since the last successful apply before it.
fn manifest_changes(store: &Store, run: &RunRecord) -> anyhow::Result<String> {
    let (Some(name), Some(bytes)) = (&run.manifest_name, store.run_manifest(run.id)?) else {
        return Ok(String::new());
    };
    let earlier = store.applied_manifest_before(name, run.id)?;
    let earlier = earlier.as_ref().map(|earlier| Earlier {
        bytes: &earlier.bytes,
        label: format!(
            "{name} revision {} (run {}, applied {})",
            earlier.revision,
            earlier.run_id,
            render::timestamp(earlier.finished_at_ms)
        ),
    });
    let current = format!(
        "{name} revision {} (run {})",
        run.revision.map_or("?".into(), |r| r.to_string()),
        run.id
    );
    Ok(format!(
        "  manifest\n{}",
        manifest_diff(earlier, &bytes, &current)
    ))
}

fn detail_json(run: &RunRecord) -> Value {
    let parse = |text: &Option<String>| {
        text.as_deref()
            .and_then(|text| serde_json::from_str::<Value>(text).ok())
            .unwrap_or(Value::Null)
    };
    let mut value = json!(run);
    value["plan"] = parse(&run.plan);
    value["changed"] = parse(&run.changed);
    value
}

fn detail_text(run: &RunRecord) -> String {
    let subject = match &run.manifest_name {
        Some(name) => format!(
            "`{}` revision {}",
            escape(name),
            run.revision.map_or("-".into(), |r| r.to_string())
        ),
        None => "an unread manifest".to_string(),
    };
    let mut text = format!(
        "run {}: {} of {subject} — {}\n",
        run.id,
        escape(&run.command),
        run.status.as_str(),
    );
    if let Some(file) = &run.file {
        text.push_str(&format!("  file     {}\n", escape(file)));
    }
    text.push_str(&format!(
        "  started  {}  (pid {}, {})\n",
        render::timestamp(run.started_at_ms),
        run.pid,
        duration(run)
    ));
    match (&run.signed_by, run.unsigned) {
        (Some(kid), _) => text.push_str(&format!("  signed by `{}`\n", escape(kid))),
        (None, true) => text.push_str(match (run.command.as_str(), run.status) {
            (_, RunStatus::Refused) => "  no signature\n",
            ("plan", _) => "  unsigned (no valid signature; a plan only reports it)\n",
            _ => "  unsigned (--allow-unsigned)\n",
        }),
        (None, false) => {}
    }
    if let Some(actor) = &run.actor {
        text.push_str(&format!("  by       `{}`\n", escape(actor)));
    }
    if let Some(sha) = &run.sha256 {
        text.push_str(&format!("  sha256   {}\n", escape(sha)));
    }
    if let Some(step) = &run.step {
        text.push_str(&format!("  step     {}\n", escape(step)));
    }
    let plan = detail_json(run);
    if let Some(changes) = plan["plan"]["changes"].as_array() {
        text.push_str(&format!("  planned  {} change(s)\n", changes.len()));
        for change in changes {
            text.push_str(&format!(
                "    {} {} {}{}\n",
                escape(change["action"].as_str().unwrap_or("?")),
                escape(change["kind"].as_str().unwrap_or("?")),
                escape(change["name"].as_str().unwrap_or("?")),
                change["reason"]
                    .as_str()
                    .map_or(String::new(), |reason| format!(" ({})", escape(reason))),
            ));
        }
    }
    if let Some(changed) = plan["changed"].as_array() {
        text.push_str(&format!("  changed  {} package(s)\n", changed.len()));
        for change in changed {
            text.push_str(&format!(
                "    {} {} → {}\n",
                escape(change["name"].as_str().unwrap_or("?")),
                escape(change["from"].as_str().unwrap_or("(none)")),
                escape(change["to"].as_str().unwrap_or("(removed)")),
            ));
        }
    }
    if let Some(error) = &run.error {
        text.push_str("  error\n");
        for line in error.lines() {
            text.push_str(&format!("    {}\n", escape(line)));
        }
    }
    text
}
