//! `pkgm status`: the last applied revision of each manifest and its latest apply's outcome.

use std::process::ExitCode;

use serde_json::json;

use super::state_store::StateStore;
use crate::cli::{OutputArgs, OutputFormat};
use crate::render;

use super::{print, print_json, Settings};

pub fn run(settings: &Settings, args: &OutputArgs) -> anyhow::Result<ExitCode> {
    // Reading must not create a state database where there is none.
    let state = StateStore::new(&settings.state, false);
    let (applied, latest) = match state.get()? {
        Some(store) => (store.all_applied()?, store.latest_runs()?),
        None => (Vec::new(), Vec::new()),
    };
    // Which applied revisions went in without an accepted signature (`--allow-unsigned`).
    let unsigned_runs: Vec<i64> = match state.get()? {
        Some(store) => applied
            .iter()
            .filter_map(|entry| store.run(entry.run_id).ok().flatten())
            .filter(|run| run.unsigned)
            .map(|run| run.id)
            .collect(),
        None => Vec::new(),
    };
    if args.output == OutputFormat::Json {
        print_json(&json!({ "applied": applied, "latest_runs": latest }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if applied.is_empty() && latest.is_empty() {
        print(&format!(
            "Nothing has been applied with the state `{}` yet.\n",
            settings.state.display()
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    for entry in &applied {
        text.push_str(&format!(
            "{}: revision {} applied {} (run {}, sha256 {}){}\n",
            entry.name,
            entry.revision,
            render::timestamp(entry.applied_at_ms),
            entry.run_id,
            &entry.sha256[..entry.sha256.len().min(12)],
            if unsigned_runs.contains(&entry.run_id) {
                ", unsigned (--allow-unsigned)"
            } else {
                ""
            },
        ));
    }
    // A refusal of an unreadable manifest says nothing about the names applied after it.
    let newest_named = latest
        .iter()
        .filter(|run| run.manifest_name.is_some())
        .map(|run| run.id)
        .max();
    for run in &latest {
        let settled = applied.iter().any(|entry| entry.run_id == run.id);
        if settled {
            continue;
        }
        let Some(name) = run.manifest_name.as_deref() else {
            // Refused before it was parsed (its signature did not verify): no name to show,
            // so the reason, which names the file, stands in for it, until an apply follows.
            if newest_named.is_some_and(|newest| newest > run.id) {
                continue;
            }
            let reason = run.error.as_deref().and_then(|e| e.lines().next());
            text.push_str(&format!(
                "unread manifest: latest apply (run {}) {}: {}\n",
                run.id,
                run.status.as_str(),
                reason.unwrap_or("no reason recorded"),
            ));
            continue;
        };
        text.push_str(&format!(
            "{name}: latest apply (run {}, revision {}) {}{}\n",
            run.id,
            run.revision.map_or("?".into(), |r| r.to_string()),
            match run.status.as_str() {
                // Not finished: still running, or killed (the next apply will say which).
                "started" => "still running, or was stopped",
                other => other,
            },
            run.step
                .as_deref()
                .map_or(String::new(), |step| format!(" during `{step}`")),
        ));
    }
    // Names and reasons come from the state: shown, never interpreted by the terminal.
    print(&crate::core::text::escape_keeping_newlines(&text))?;
    Ok(ExitCode::SUCCESS)
}
