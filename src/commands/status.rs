//! `pkgm status`: the last applied revision of each manifest and its latest apply's outcome.

use std::process::ExitCode;

use serde_json::json;

use crate::app::state_store::StateStore;
use crate::cli::{OutputArgs, OutputFormat};
use crate::effects::store::RunRecord;
use crate::render;

use super::{print, print_json, Settings};

pub fn run(settings: &Settings, args: &OutputArgs) -> anyhow::Result<ExitCode> {
    // Reading must not create a state database where there is none.
    let state = StateStore::new(&settings.state, false);
    let (applied, all_latest) = match state.get()? {
        Some(store) => (store.all_applied()?, store.latest_runs()?),
        None => (Vec::new(), Vec::new()),
    };
    // Text and JSON show the same runs: a refusal that a later apply of its file settled is history.
    let latest: Vec<RunRecord> = all_latest
        .iter()
        .filter(|run| !settled_refusal(run, &all_latest))
        .cloned()
        .collect();
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
    for run in &latest {
        let settled = applied.iter().any(|entry| entry.run_id == run.id);
        if settled {
            continue;
        }
        let Some(name) = run.manifest_name.as_deref() else {
            // Refused before it was parsed (its signature did not verify): no name to show,
            // so the reason, which names the file, stands in for it.
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

/// Whether `run` is a refusal of a manifest that was never read and that a later apply of
/// the same file has since read: a name applied later answers for that file, not for others.
/// Runs recorded before files were (schema 3) count any later named apply.
fn settled_refusal(run: &RunRecord, latest: &[RunRecord]) -> bool {
    if run.manifest_name.is_some() {
        return false;
    }
    latest.iter().any(|later| {
        later.id > run.id
            && later.manifest_name.is_some()
            && (run.file.is_none() || later.file == run.file)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effects::store::RunStatus;

    fn run(id: i64, name: Option<&str>, file: Option<&str>) -> RunRecord {
        RunRecord {
            id,
            command: "apply".into(),
            manifest_name: name.map(str::to_string),
            revision: name.map(|_| 1),
            sha256: None,
            signed_by: None,
            unsigned: false,
            actor: Some("test".into()),
            pid: 1,
            started_at_ms: 0,
            finished_at_ms: Some(0),
            status: RunStatus::Refused,
            step: None,
            plan: None,
            changed: None,
            error: Some("refusing the manifest".into()),
            file: file.map(str::to_string),
        }
    }

    #[test]
    fn a_refusal_stays_until_its_own_file_is_applied() {
        let refusal = run(2, None, Some("/srv/a.yaml"));
        let other = run(3, Some("b"), Some("/srv/b.yaml"));
        assert!(!settled_refusal(
            &refusal,
            &[refusal.clone(), other.clone()]
        ));
        let same = run(4, Some("a"), Some("/srv/a.yaml"));
        assert!(settled_refusal(&refusal, &[refusal.clone(), other, same]));
        let earlier = run(1, Some("a"), Some("/srv/a.yaml"));
        assert!(!settled_refusal(&refusal, &[earlier, refusal.clone()]));
    }

    #[test]
    fn a_refusal_without_a_file_is_settled_by_any_later_apply() {
        let refusal = run(2, None, None);
        let later = run(3, Some("b"), Some("/srv/b.yaml"));
        assert!(settled_refusal(&refusal, &[refusal.clone(), later]));
    }
}
