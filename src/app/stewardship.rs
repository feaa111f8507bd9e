//! The shared step binding an environment to the manifest name and state that manage it
//! (see `core::stewardship`): checked before a plan is confirmed, recorded once a run
//! starts, and marked inside the venv after it.

use std::path::{Path, PathBuf};

use crate::core::stewardship::{check_state, check_stewardship, Steward, TakeoverRefusal};
use crate::effects::steward_marker::{read_marker, write_marker};
use crate::effects::store::Store;
use crate::effects::target::PythonTarget;

/// The environment as the state names it: the venv folder, or the interpreter.
fn environment(target: &PythonTarget) -> &Path {
    target.venv.as_deref().unwrap_or(&target.python)
}

/// The venv's marker: of the manifest's venv, or of the venv an interpreter lives in
/// (`--python .venv/bin/python` names the same environment).
fn marker(target: &PythonTarget) -> anyhow::Result<Option<Steward>> {
    let venv = target.venv.clone().or_else(|| {
        let folder = target.python.parent()?.parent()?;
        folder
            .join("pyvenv.cfg")
            .is_file()
            .then(|| folder.to_path_buf())
    });
    match venv {
        Some(venv) if venv.is_dir() => read_marker(&venv),
        _ => Ok(None),
    }
}

fn absolute_state(state: &Path) -> PathBuf {
    std::path::absolute(state).unwrap_or_else(|_| state.to_path_buf())
}

/// Whether `name` may manage the target from `state`: the refusal, if not.
pub fn refusal(
    store: &Store,
    target: &PythonTarget,
    name: &str,
    state: &Path,
) -> anyhow::Result<Option<TakeoverRefusal>> {
    let environment = environment(target);
    let binding = store.steward_of(&environment.to_string_lossy())?;
    let marker = marker(target)?;
    Ok(check_stewardship(
        environment,
        name,
        &absolute_state(state),
        binding.as_ref(),
        marker.as_ref(),
    )
    .err())
}

/// Refuses unless `name` may manage the target; with `take_over`, says whose it was.
pub fn check(
    store: &Store,
    target: &PythonTarget,
    name: &str,
    state: &Path,
    take_over: bool,
) -> anyhow::Result<()> {
    match (refusal(store, target, name, state)?, take_over) {
        (None, _) => Ok(()),
        (Some(refusal), true) => {
            let text = refusal.to_string();
            let message = text
                .split_once("\nhint: ")
                .map_or(text.as_str(), |(m, _)| m);
            tracing::warn!("taking over (--take-over): {message}");
            Ok(())
        }
        (Some(refusal), false) => Err(refusal.into()),
    }
}

/// Binds the target to `name` from `run_id` on, in the state.
pub fn bind(
    store: &Store,
    target: &PythonTarget,
    name: &str,
    run_id: i64,
    now_ms: i64,
) -> anyhow::Result<()> {
    let environment = environment(target).to_string_lossy();
    store.bind_steward(&environment, name, run_id, now_ms)?;
    Ok(())
}

/// Marks a venv (once it exists) as managed by `name` with `state`.
pub fn mark(target: &PythonTarget, name: &str, state: &Path) -> anyhow::Result<()> {
    let Some(venv) = target.venv.as_deref().filter(|venv| venv.is_dir()) else {
        return Ok(());
    };
    let steward = Steward {
        manifest: name.to_string(),
        state: absolute_state(state),
    };
    if read_marker(venv).ok().flatten().as_ref() == Some(&steward) {
        return Ok(());
    }
    write_marker(venv, &steward)
}

/// Refuses a change by hand (install, upgrade, uninstall) from a state other than the
/// one that manages the target.
pub fn check_hand_change(target: &PythonTarget, state: &Path) -> anyhow::Result<()> {
    let marker = marker(target)?;
    check_state(environment(target), &absolute_state(state), marker.as_ref())
        .map_err(anyhow::Error::msg)
}
