//! Which manifest manages an environment, and from which state. Anti-rollback is per
//! manifest name, so without this any signed manifest of another name, dropped into the
//! folder, could downgrade and prune an environment that name does not manage. An
//! environment is bound to the first name applied to it (recorded in the state, and in a
//! marker inside a venv that also names the state); another name, or another state, takes
//! it over only when the operator says so.

use std::path::{Path, PathBuf};

/// What a venv's marker says about who manages it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Steward {
    /// The manifest name that manages the environment.
    pub manifest: String,
    /// The state database that records it (absolute).
    pub state: PathBuf,
}

/// What the state says: the name bound to the environment, and the run that bound it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub manifest: String,
    pub run_id: i64,
}

/// Why a run may not manage an environment without `--take-over`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TakeoverRefusal {
    #[error(
        "`{environment}` is managed by the manifest `{owner}` (bound by run {run_id}), not `{name}`\n\
         hint: a manifest manages only its own environments; if `{name}` is to take this one over, \
         run `pkgm apply` once with `--take-over`"
    )]
    OtherName {
        environment: String,
        owner: String,
        name: String,
        run_id: i64,
    },
    #[error(
        "`{environment}` is managed by the manifest `{owner}` with the state `{state}`, not by this \
         state (`{this_state}`)\n\
         hint: run pkgm with `--state {state}`; if this state is to take it over, run `pkgm apply` \
         once with `--take-over`"
    )]
    OtherState {
        environment: String,
        owner: String,
        state: String,
        this_state: String,
    },
}

/// Whether the manifest `name`, applied with the state `this_state`, may manage
/// `environment`, given the state's binding and the venv's marker.
pub fn check_stewardship(
    environment: &Path,
    name: &str,
    this_state: &Path,
    binding: Option<&Binding>,
    marker: Option<&Steward>,
) -> Result<(), TakeoverRefusal> {
    let environment_text = || environment.display().to_string();
    if let Some(marker) = marker {
        if marker.state != this_state {
            return Err(TakeoverRefusal::OtherState {
                environment: environment_text(),
                owner: marker.manifest.clone(),
                state: marker.state.display().to_string(),
                this_state: this_state.display().to_string(),
            });
        }
    }
    match binding {
        Some(binding) if binding.manifest != name => Err(TakeoverRefusal::OtherName {
            environment: environment_text(),
            owner: binding.manifest.clone(),
            name: name.to_string(),
            run_id: binding.run_id,
        }),
        _ => Ok(()),
    }
}

/// Whether a command using `this_state` may change an environment by hand (install,
/// upgrade, uninstall): only with the state that manages it, so roles and the record
/// are the ones of that state.
pub fn check_state(
    environment: &Path,
    this_state: &Path,
    marker: Option<&Steward>,
) -> Result<(), String> {
    match marker {
        Some(marker) if marker.state != this_state => Err(format!(
            "`{}` is managed by the manifest `{}` with the state `{}`; this command uses `{}`\n\
             hint: run it with `--state {}`, whose accounts and history govern this environment",
            environment.display(),
            marker.manifest,
            marker.state.display(),
            this_state.display(),
            marker.state.display()
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steward(manifest: &str, state: &str) -> Steward {
        Steward {
            manifest: manifest.into(),
            state: state.into(),
        }
    }

    #[test]
    fn the_bound_name_and_state_may_manage_and_others_may_not() {
        let env = Path::new("/srv/app/.venv");
        let state = Path::new("/var/lib/pkgm/state.db");
        let bound = Binding {
            manifest: "team-a".into(),
            run_id: 3,
        };
        let marker = steward("team-a", "/var/lib/pkgm/state.db");
        assert_eq!(check_stewardship(env, "team-a", state, None, None), Ok(()));
        assert_eq!(
            check_stewardship(env, "team-a", state, Some(&bound), Some(&marker)),
            Ok(())
        );
        let other = check_stewardship(env, "team-b", state, Some(&bound), Some(&marker));
        assert!(
            matches!(&other, Err(TakeoverRefusal::OtherName { owner, run_id: 3, .. }) if owner == "team-a"),
            "{other:?}"
        );
        let elsewhere = steward("team-a", "/home/me/.local/state/pkgm/state.db");
        let other_state = check_stewardship(env, "team-a", state, None, Some(&elsewhere));
        assert!(
            matches!(&other_state, Err(TakeoverRefusal::OtherState { .. })),
            "{other_state:?}"
        );
        assert!(check_state(env, state, Some(&marker)).is_ok());
        assert!(check_state(env, state, None).is_ok());
        assert!(check_state(env, state, Some(&elsewhere))
            .unwrap_err()
            .contains("hint: run it with `--state /home/me/.local/state/pkgm/state.db`"));
    }
}
