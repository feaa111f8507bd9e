use super::*;

/// 2026-11-22T05:47:24Z
const AT_MS: i64 = 1_795_326_444_000;

fn header(signed_by: Option<&str>) -> ManifestHeader {
    ManifestHeader {
        name: "demo".into(),
        revision: 4,
        sha256: "ab12".into(),
        signed_by: signed_by.map(String::from),
        signature: None,
    }
}

fn report(outcome: CycleOutcome) -> CycleReport {
    CycleReport {
        at_ms: AT_MS,
        trigger: Trigger::Change,
        outcome,
        manifest: Some(header(None)),
        kept: None,
        plan: None,
        plan_document: None,
        changed: None,
        run_id: None,
        duration_ms: 1_234,
        error: None,
        file: "manifest.yaml".into(),
    }
}

fn counts(install: usize, remove: usize, creates_venv: bool) -> PlanCounts {
    PlanCounts {
        summary: Summary {
            install,
            remove,
            ..Summary::default()
        },
        creates_venv,
    }
}

#[test]
fn each_outcome_is_one_line() {
    let applied = CycleReport {
        plan: Some(counts(1, 1, false)),
        changed: Some(2),
        run_id: Some(5),
        ..report(CycleOutcome::Applied)
    };
    let recorded = CycleReport {
        plan: Some(counts(0, 0, false)),
        changed: Some(0),
        run_id: Some(6),
        duration_ms: 7,
        ..report(CycleOutcome::Applied)
    };
    let rejected = CycleReport {
        manifest: None,
        kept: Some(header(None)),
        error: Some("manifest.yaml:3:1: unknown field `pakages`\nhint: fix it".into()),
        ..report(CycleOutcome::Rejected)
    };
    let unparsed = CycleReport {
        manifest: None,
        error: Some("cannot read the manifest `manifest.yaml`".into()),
        ..report(CycleOutcome::Rejected)
    };
    let drift = CycleReport {
        trigger: Trigger::Interval,
        plan: Some(counts(0, 1, false)),
        manifest: Some(header(Some("ops-2026"))),
        ..report(CycleOutcome::Drift)
    };
    let unchanged = CycleReport {
        trigger: Trigger::Interval,
        duration_ms: 0,
        ..report(CycleOutcome::Unchanged)
    };
    let cases = [
        (applied, "2026-11-22T05:47:24Z change: applied `demo` revision 4 (unsigned): 1 to install, 1 to remove; 2 packages changed (1.2s, run 5)"),
        (recorded, "2026-11-22T05:47:24Z change: applied `demo` revision 4 (unsigned): nothing to change; recorded as applied (7ms, run 6)"),
        (rejected, "2026-11-22T05:47:24Z change: rejected `manifest.yaml`: manifest.yaml:3:1: unknown field `pakages`; hint: fix it; keeping `demo` revision 4 as applied (1.2s)"),
        (unparsed, "2026-11-22T05:47:24Z change: rejected `manifest.yaml`: cannot read the manifest `manifest.yaml` (1.2s)"),
        (drift, "2026-11-22T05:47:24Z interval: drift `demo` revision 4 (signed by `ops-2026`): 1 to remove; not applied under --check (1.2s)"),
        (unchanged, "2026-11-22T05:47:24Z interval: unchanged `demo` revision 4 (unsigned): nothing changed since it converged (0ms)"),
    ];
    for (report, expected) in cases {
        assert_eq!(report.to_text(), expected);
    }
}

#[test]
fn plan_counts_name_only_what_happens() {
    assert_eq!(counts(0, 0, false).phrase(), "no changes");
    assert_eq!(
        counts(2, 0, true).phrase(),
        "a virtual environment to create, 2 to install"
    );
    // Users are counted as plan counts them, with their noun in the plural.
    let users = PlanCounts {
        summary: Summary {
            create: 2,
            delete: 1,
            ..Summary::default()
        },
        creates_venv: false,
    };
    assert_eq!(users.phrase(), "2 users to create, 1 user to delete");
}

#[test]
fn the_json_object_carries_every_field() {
    let applied = CycleReport {
        plan: Some(counts(1, 0, false)),
        changed: Some(1),
        run_id: Some(5),
        ..report(CycleOutcome::Applied)
    };
    let value = applied.to_json();
    assert_eq!(value["timestamp"], "2026-11-22T05:47:24Z");
    assert_eq!(value["trigger"], "change");
    assert_eq!(value["outcome"], "applied");
    assert_eq!(value["manifest"], "demo");
    assert_eq!(value["revision"], 4);
    assert_eq!(value["signer"], Value::Null);
    assert_eq!(value["summary"]["install"], 1);
    assert_eq!(value["changed"], 1);
    assert_eq!(value["run_id"], 5);
    assert_eq!(value["file"], "manifest.yaml");
    assert_eq!(value["duration_ms"], 1_234);
}

#[test]
fn failures_are_the_outcomes_that_exit_1() {
    let failing: Vec<&str> = [
        CycleOutcome::Unchanged,
        CycleOutcome::Converged,
        CycleOutcome::Applied,
        CycleOutcome::Drift,
        CycleOutcome::Failed,
        CycleOutcome::Interrupted,
        CycleOutcome::Rejected,
        CycleOutcome::Error,
    ]
    .into_iter()
    .filter(|outcome| outcome.is_failure())
    .map(CycleOutcome::as_str)
    .collect();
    assert_eq!(failing, ["failed", "rejected", "error"]);
}
