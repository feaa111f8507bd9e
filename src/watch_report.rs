//! What one `pkgm watch` cycle did, as one log line for people or one JSON object for
//! machines. Never prints; the watch command writes what this renders.

use serde_json::{json, Value};

use crate::core::plan::{Plan, Summary};
use crate::core::watch_schedule::Trigger;
use crate::render::{self, ManifestHeader};

/// How a cycle ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleOutcome {
    /// Nothing changed since the last converged cycle: planning was skipped.
    Unchanged,
    /// Planned; the environment already matched.
    Converged,
    /// Changes were applied and verified.
    Applied,
    /// `--check`: changes are needed and were not made.
    Drift,
    /// The apply failed; the history says where.
    Failed,
    /// Shutdown began during the apply; it stopped between two steps.
    Interrupted,
    /// The manifest could not be used (unreadable, invalid, not signed): nothing was done.
    Rejected,
    /// Something else went wrong (state database, lock): nothing was done.
    Error,
}

impl CycleOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unchanged => "unchanged",
            Self::Converged => "converged",
            Self::Applied => "applied",
            Self::Drift => "drift",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
            Self::Rejected => "rejected",
            Self::Error => "error",
        }
    }

    /// Whether the cycle went wrong (shown as an error, and `--once` exits 1).
    pub fn is_failure(self) -> bool {
        matches!(self, Self::Failed | Self::Rejected | Self::Error)
    }
}

/// Everything one cycle reports.
#[derive(Debug, Clone)]
pub struct CycleReport {
    pub at_ms: i64,
    pub trigger: Trigger,
    pub outcome: CycleOutcome,
    /// The manifest the cycle used (`None` when it could not be read or verified).
    pub manifest: Option<ManifestHeader>,
    /// For a rejected manifest: the one last applied, which stays in force.
    pub kept: Option<ManifestHeader>,
    /// What the plan contained, when the cycle planned.
    pub plan: Option<PlanCounts>,
    /// The plan document, when it had changes (for JSON logs).
    pub plan_document: Option<Value>,
    /// Packages whose installed version changed.
    pub changed: Option<usize>,
    pub run_id: Option<i64>,
    pub duration_ms: i64,
    /// Why the cycle failed or the manifest was rejected (may hold a `hint:` line).
    pub error: Option<String>,
    /// The file name of the manifest, for rejections before it could be parsed.
    pub file: String,
}

/// The plan's counts, and whether it creates the venv.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanCounts {
    pub summary: Summary,
    pub creates_venv: bool,
}

impl PlanCounts {
    pub fn of(plan: &Plan) -> Self {
        Self {
            summary: plan.summary(),
            creates_venv: plan.environment.is_some(),
        }
    }

    /// `1 to install, 2 to remove`, or `no changes`.
    pub fn phrase(&self) -> String {
        let parts = crate::render::change_phrases(&self.summary, self.creates_venv);
        if parts.is_empty() {
            "no changes".into()
        } else {
            parts.join(", ")
        }
    }
}

impl CycleReport {
    /// One line: `TIME TRIGGER: OUTCOME ...`, without a trailing newline.
    pub fn to_text(&self) -> String {
        let time = render::timestamp(self.at_ms);
        let trigger = self.trigger.as_str();
        let duration = render::duration(self.duration_ms);
        let subject = self.subject();
        let plan = self.plan.map(|plan| plan.phrase()).unwrap_or_default();
        let run = self
            .run_id
            .map_or(String::new(), |id| format!(", run {id}"));
        let error = self.error.as_deref().map(one_line).unwrap_or_default();
        let body = match self.outcome {
            CycleOutcome::Unchanged => {
                format!("unchanged {subject}: nothing changed since it converged ({duration})")
            }
            CycleOutcome::Converged => format!("converged {subject}: no changes ({duration}{run})"),
            CycleOutcome::Applied if self.changed == Some(0) && plan == "no changes" => {
                format!(
                    "applied {subject}: nothing to change; recorded as applied ({duration}{run})"
                )
            }
            CycleOutcome::Applied => format!(
                "applied {subject}: {plan}; {} changed ({duration}{run})",
                packages(self.changed.unwrap_or(0))
            ),
            CycleOutcome::Drift => {
                format!("drift {subject}: {plan}; not applied under --check ({duration})")
            }
            CycleOutcome::Failed => format!("failed {subject}: {error} ({duration}{run})"),
            CycleOutcome::Interrupted => {
                format!("interrupted {subject}: {error} ({duration}{run})")
            }
            CycleOutcome::Rejected => {
                let kept = match &self.kept {
                    Some(header) => format!(
                        "; keeping `{}` revision {} as applied",
                        header.name, header.revision
                    ),
                    None => String::new(),
                };
                format!("rejected `{}`: {error}{kept} ({duration}{run})", self.file)
            }
            CycleOutcome::Error => format!("error {subject}: {error} ({duration})"),
        };
        format!("{time} {trigger}: {body}")
    }

    /// One JSON object for `--log-format json`.
    pub fn to_json(&self) -> Value {
        let header = self.manifest.as_ref();
        json!({
            "timestamp": render::timestamp(self.at_ms),
            "trigger": self.trigger.as_str(),
            "outcome": self.outcome.as_str(),
            "manifest": header.map(|h| h.name.clone()),
            "revision": header.map(|h| h.revision),
            "sha256": header.map(|h| h.sha256.clone()),
            "signer": header.and_then(|h| h.signed_by.clone()),
            "summary": self.plan.map(|plan| plan.summary),
            "plan": self.plan_document,
            "changed": self.changed,
            "run_id": self.run_id,
            "duration_ms": self.duration_ms,
            "error": self.error,
            "kept_revision": self.kept.as_ref().map(|h| h.revision),
            "file": self.file,
        })
    }

    fn subject(&self) -> String {
        match &self.manifest {
            Some(header) => {
                let signer = match &header.signed_by {
                    Some(kid) => format!("signed by `{kid}`"),
                    None => "unsigned".into(),
                };
                format!("`{}` revision {} ({signer})", header.name, header.revision)
            }
            None => format!("`{}`", self.file),
        }
    }
}

/// An error with its `hint:` on the same line, so one cycle stays one line; nothing in it
/// (paths, installer output) may drive the terminal.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(crate::core::text::shown_line)
        .collect::<Vec<_>>()
        .join("; ")
}

fn packages(count: usize) -> String {
    if count == 1 {
        "1 package".into()
    } else {
        format!("{count} packages")
    }
}

#[cfg(test)]
#[path = "watch_report_tests.rs"]
mod tests;
