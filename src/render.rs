//! Plans and records rendered as text (Terraform-like, styled) and JSON. Never prints.

use anstyle::{AnsiColor, Style};
use serde_json::{json, Value};

use crate::core::plan::{
    EnvironmentChange, PackageAction, PackageChange, Plan, Summary, UserAction, UserChange,
};

/// Which manifest a plan is for, as shown above it and in the JSON document.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ManifestHeader {
    pub name: String,
    pub revision: u64,
    pub sha256: String,
    pub signed_by: Option<String>,
    /// Shown in the title and as the document's `signature`; `None` for commands that take
    /// no manifest signature (imperative changes).
    #[serde(skip)]
    pub signature: Option<SignatureState>,
}

/// Whether the manifest's signature was accepted, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum SignatureState {
    Valid {
        kid: String,
    },
    /// No signature file.
    Missing {
        problem: String,
    },
    /// A signature that was not accepted (tampered, expired, rollback, unknown key, ...).
    Refused {
        problem: String,
    },
}

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();
const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

fn symbol(action: PackageAction) -> (Style, &'static str) {
    match action {
        PackageAction::Install => (GREEN, "+"),
        PackageAction::Upgrade => (CYAN, "↑"),
        PackageAction::Downgrade => (YELLOW, "↓"),
        PackageAction::Change => (YELLOW, "~"),
        PackageAction::Remove => (RED, "-"),
    }
}

/// The plan as a person reads it. Styles are stripped later when output is not a terminal.
pub fn plan_text(header: &ManifestHeader, plan: &Plan) -> String {
    let signer = match (&header.signed_by, &header.signature) {
        (Some(kid), _) => format!("signed by `{kid}`"),
        (None, Some(SignatureState::Refused { .. })) => "signature not accepted".to_string(),
        (None, _) => "unsigned".to_string(),
    };
    let title = format!("`{}` revision {} ({signer})", header.name, header.revision);
    if plan.is_empty() {
        return format!(
            "{} {title} matches the environment.\n",
            paint(GREEN.bold(), "No changes.")
        );
    }
    let mut out = format!("pkgm will make these changes for {title}:\n\n");
    if let Some(EnvironmentChange::CreateVenv { path }) = &plan.environment {
        out.push_str(&format!(
            "  {} create virtual environment {}\n",
            paint(GREEN, "+"),
            path.display()
        ));
    }
    let width = plan
        .packages
        .iter()
        .map(|change| change.name.as_ref().len())
        .max()
        .unwrap_or(0);
    let versions: Vec<String> = plan.packages.iter().map(versions).collect();
    let versions_width = versions
        .iter()
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(0);
    for (change, versions) in plan.packages.iter().zip(&versions) {
        let (style, mark) = symbol(change.action);
        let name = format!("{:width$}", change.name.to_string());
        out.push_str(&format!(
            "  {} {} {versions:versions_width$}  {}\n",
            paint(style, mark),
            paint(BOLD, &name),
            paint(DIM, &change.reason),
        ));
    }
    for change in &plan.users {
        let (style, mark, verb) = match change.action {
            UserAction::Create => (GREEN, "+", "create"),
            UserAction::Update => (YELLOW, "~", "update"),
            UserAction::Delete => (RED, "-", "delete"),
        };
        let fields = if change.fields.is_empty() {
            String::new()
        } else {
            format!(" ({})", change.fields.join(", "))
        };
        out.push_str(&format!(
            "  {} user {} {verb}{fields}\n",
            paint(style, mark),
            paint(BOLD, change.name.as_str()),
        ));
    }
    out.push('\n');
    out.push_str(&summary_line(plan));
    out.push('\n');
    if let Some(note) = installer_note(plan) {
        out.push_str(&format!("{}\n", paint(DIM, note)));
    }
    out
}

/// What the plan cannot list: what the installer resolves. A reviewer approving "3 to
/// install" should know that their dependencies (and a new venv's pip) come too.
pub const INSTALLER_NOTE: &str =
    "The installer also adds what these need; `pkgm history ID` lists every package it changed.";

fn installer_note(plan: &Plan) -> Option<&'static str> {
    let summary = plan.summary();
    let installs = summary.install + summary.upgrade + summary.downgrade + summary.change;
    (installs > 0 || plan.environment.is_some()).then_some(INSTALLER_NOTE)
}

fn versions(change: &PackageChange) -> String {
    let from = change.from.as_ref().map(ToString::to_string);
    let to = change.to.clone();
    let extras = if change.extras.is_empty() {
        String::new()
    } else {
        let extras: Vec<&str> = change.extras.iter().map(|e| e.as_ref()).collect();
        format!(" [{}]", extras.join(","))
    };
    match (from, to) {
        (Some(from), Some(to)) => format!("{from} → {to}{extras}"),
        (None, Some(to)) => format!("{to}{extras}"),
        (Some(from), None) => from,
        (None, None) => String::new(),
    }
}

/// `Plan: 1 to install, 2 to upgrade, ...`, naming only the non-zero counts.
pub fn summary_line(plan: &Plan) -> String {
    let parts = change_phrases(&plan.summary(), plan.environment.is_some());
    format!("{} {}.", paint(BOLD, "Plan:"), parts.join(", "))
}

/// The non-zero counts of a plan in words, as plan and watch both say them: package
/// counts read "2 to install"; user counts name their noun, "1 user to create", "2 users …".
pub fn change_phrases(summary: &Summary, creates_environment: bool) -> Vec<String> {
    let counts = [
        (summary.install, "", "to install"),
        (summary.upgrade, "", "to upgrade"),
        (summary.downgrade, "", "to downgrade"),
        (summary.change, "", "to change"),
        (summary.remove, "", "to remove"),
        (
            summary.remove_if_unneeded,
            "",
            "to remove after the install if unneeded",
        ),
        (summary.create, "user", "to create"),
        (summary.update, "user", "to update"),
        (summary.delete, "user", "to delete"),
    ];
    let environment = creates_environment.then(|| "a virtual environment to create".to_string());
    environment
        .into_iter()
        .chain(
            counts.into_iter().filter(|(count, _, _)| *count > 0).map(
                |(count, noun, what)| match (noun, count) {
                    ("", _) => format!("{count} {what}"),
                    (noun, 1) => format!("1 {noun} {what}"),
                    (noun, _) => format!("{count} {noun}s {what}"),
                },
            ),
        )
        .collect()
}

/// The plan document (`schemas/plan.schema.json`).
pub fn plan_json(header: &ManifestHeader, plan: &Plan) -> Value {
    let mut changes: Vec<Value> = Vec::new();
    if let Some(EnvironmentChange::CreateVenv { path }) = &plan.environment {
        changes.push(json!({
            "kind": "environment",
            "action": "create",
            "name": path.to_string_lossy(),
            "reason": "the virtual environment does not exist",
        }));
    }
    for change in &plan.packages {
        let mut value = json!({
            "kind": "package",
            "action": change.action,
            "name": change.name.to_string(),
            "from": change.from.as_ref().map(ToString::to_string),
            "to": change.to,
            "reason": change.reason,
        });
        if !change.extras.is_empty() {
            value["extras"] = json!(change
                .extras
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>());
        }
        if change.conditional {
            value["conditional"] = json!(true);
        }
        if !change.breaks.is_empty() {
            value["breaks"] = json!(change
                .breaks
                .iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>());
        }
        changes.push(value);
    }
    changes.extend(user_changes_json(&plan.users));
    let mut document = json!({
        "format_version": 1,
        "manifest": header,
        "changes": changes,
        "summary": plan.summary(),
    });
    if let Some(signature) = &header.signature {
        document["signature"] = json!(signature);
    }
    document
}

/// User changes as in the plan document: names and fields, never values.
pub fn user_changes_json(users: &[UserChange]) -> Vec<Value> {
    users
        .iter()
        .map(|change| {
            json!({
                "kind": "user",
                "action": change.action,
                "name": change.name.as_str(),
                "fields": change.fields,
            })
        })
        .collect()
}

pub use crate::core::text::timestamp;

/// A short human duration such as `1.2s` or `340ms`.
pub fn duration(ms: i64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else {
        format!("{:.1}s", ms as f64 / 1000.0)
    }
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
