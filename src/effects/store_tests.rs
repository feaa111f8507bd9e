use std::os::unix::fs::PermissionsExt;

use super::*;

fn run(name: &str) -> NewRun {
    NewRun {
        command: "apply".into(),
        manifest_name: Some(name.into()),
        revision: Some(3),
        sha256: Some("ab".into()),
        ..NewRun::default()
    }
}

#[test]
fn the_database_is_created_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/state.db");
    Store::open(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    Store::open(&path).unwrap();
}

#[test]
fn runs_are_journaled_and_interruptions_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    let id = store.start_run(&run("a"), 1_000).unwrap();
    store.set_step(id, "install").unwrap();
    let stale = store.mark_interrupted(2_000).unwrap();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].step.as_deref(), Some("install"));
    assert_eq!(
        store.run(id).unwrap().unwrap().status,
        RunStatus::Interrupted
    );
    assert!(store.mark_interrupted(3_000).unwrap().is_empty());
}

#[test]
fn applied_manifests_are_kept_per_name() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    let id = store.start_run(&run("a"), 1_000).unwrap();
    let applied = Applied {
        name: "a".into(),
        revision: 3,
        sha256: "ab".into(),
        manifest: b"bytes".to_vec(),
        file_name: "m.yaml".into(),
        run_id: id,
        applied_at_ms: 2_000,
    };
    store.record_applied(&applied, "[]").unwrap();
    assert_eq!(store.last_applied("a").unwrap().unwrap().manifest, b"bytes");
    assert!(store.last_applied("b").unwrap().is_none());
    assert_eq!(store.run(id).unwrap().unwrap().status, RunStatus::Succeeded);
    assert_eq!(store.latest_runs().unwrap().len(), 1);
}

#[test]
fn plans_are_recorded_as_finished() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("state.db")).unwrap();
    let id = store
        .record_plan(
            &NewRun {
                command: "plan".into(),
                ..run("a")
            },
            5,
        )
        .unwrap();
    let record = store.run(id).unwrap().unwrap();
    assert_eq!(
        (record.status, record.finished_at_ms),
        (RunStatus::Planned, Some(5))
    );
}

#[test]
fn the_data_version_moves_only_for_other_connections_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let watcher = Store::open(&path).unwrap();
    let before = watcher.data_version().unwrap();
    watcher.start_run(&run("a"), 1_000).unwrap();
    assert_eq!(watcher.data_version().unwrap(), before, "own write");
    Store::open(&path)
        .unwrap()
        .start_run(&run("b"), 2_000)
        .unwrap();
    assert_ne!(watcher.data_version().unwrap(), before, "another's write");
}

#[test]
fn an_older_database_gains_the_manifest_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = Store::open(&path).unwrap();
    store
        .connection()
        .execute_batch(
            "ALTER TABLE runs DROP COLUMN manifest; ALTER TABLE runs DROP COLUMN file;
             DROP TABLE stewards; PRAGMA user_version = 2;",
        )
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let id = store
        .start_run(
            &NewRun {
                manifest: Some(b"m".to_vec()),
                ..run("a")
            },
            1,
        )
        .unwrap();
    assert_eq!(store.run_manifest(id).unwrap(), Some(b"m".to_vec()));
}

#[test]
fn a_version_3_database_gains_the_bindings_and_the_file_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = Store::open(&path).unwrap();
    store
        .connection()
        .execute_batch(
            "ALTER TABLE runs DROP COLUMN file; DROP TABLE stewards; PRAGMA user_version = 3;",
        )
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let id = store
        .start_run(
            &NewRun {
                file: Some("conf/m.yaml".into()),
                ..run("a")
            },
            1,
        )
        .unwrap();
    assert_eq!(
        store.run(id).unwrap().unwrap().file.as_deref(),
        Some("conf/m.yaml")
    );
    store.bind_steward("/srv/.venv", "a", id, 1).unwrap();
    assert_eq!(
        store.steward_of("/srv/.venv").unwrap().unwrap().manifest,
        "a"
    );
}

#[test]
fn processes_creating_the_database_at_once_all_succeed() {
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let start = std::sync::Barrier::new(4);
        std::thread::scope(|scope| {
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        Store::open(&path).map(|_| ())
                    })
                })
                .collect();
            for opener in openers {
                opener.join().unwrap().unwrap();
            }
        });
    }
}
