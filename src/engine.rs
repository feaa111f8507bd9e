//! Applies a manifest through small traits: create the venv, one install call, one removal
//! call (planned from the re-inspected environment), check that every declaration holds,
//! then write the user changes (one transaction, behind `Accounts`).

use crate::core::python::marker::MarkerEnvironment;

use crate::core::account::Account;
use crate::core::installed::InstalledSet;
use crate::core::manifest::{Manifest, Target};
use crate::core::names::PackageName;
use crate::core::plan::{Plan, UserChange};
use crate::core::planner::{plan_packages, Observed};
use crate::core::user_planner::{plan_users, LastAdminError};

/// An inspected environment.
#[derive(Debug, Clone)]
pub struct Observation {
    pub installed: InstalledSet,
    pub markers: MarkerEnvironment,
}

/// The environment being reconciled. Implemented over pip/uv and site-packages in
/// `commands`, and by fakes in tests.
pub trait Environment {
    /// `None` when the venv does not exist yet.
    fn observe(&mut self) -> anyhow::Result<Option<Observation>>;
    fn create(&mut self) -> anyhow::Result<()>;
    fn install(&mut self, requirements: &[String]) -> anyhow::Result<()>;
    fn remove(&mut self, names: &[PackageName]) -> anyhow::Result<()>;
}

/// The account store. Implemented over SQLite in `commands`, and by fakes in tests.
pub trait Accounts {
    /// Re-plans the manifest's users against the store and writes every change in one
    /// transaction, or none; returns what changed.
    fn apply_users(&mut self, manifest: &Manifest) -> anyhow::Result<Vec<UserChange>>;
}

/// Where a run is; journaled before each step so an interruption says where it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    CreateVenv,
    Install(usize),
    Remove(usize),
    Verify,
    Users,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateVenv => "create-venv",
            Self::Install(_) => "install",
            Self::Remove(_) => "remove",
            Self::Verify => "verify",
            Self::Users => "users",
        }
    }
}

pub trait Journal {
    fn step(&mut self, step: Step) -> anyhow::Result<()>;
}

/// Plans a manifest (whose paths are resolved) against an observation.
pub fn plan(manifest: &Manifest, observation: Option<&Observation>) -> Plan {
    let observed = match (observation, &manifest.environment.target) {
        (Some(observation), _) => Observed::Environment {
            installed: &observation.installed,
            markers: &observation.markers,
        },
        (None, Target::Venv(path)) | (None, Target::Interpreter(path)) => {
            Observed::MissingVenv { path: path.clone() }
        }
    };
    plan_packages(&manifest.environment, &manifest.packages, observed)
}

/// The whole plan: packages from the observation, and users (when the manifest has a
/// `users:` section) from the stored accounts.
pub fn plan_with_users(
    manifest: &Manifest,
    observation: Option<&Observation>,
    accounts: &[Account],
) -> Result<Plan, LastAdminError> {
    let mut plan = plan(manifest, observation);
    if manifest.declares_users {
        plan.users = plan_users(&manifest.users, accounts)?;
    }
    Ok(plan)
}

/// A finished apply: the environment before and after, and the accounts changed.
#[derive(Debug)]
pub struct Report {
    pub before: InstalledSet,
    pub after: InstalledSet,
    pub users: Vec<UserChange>,
}

/// A failed apply: where, why, and what the environment looked like afterwards.
#[derive(Debug)]
pub struct Failure {
    pub step: Step,
    pub error: anyhow::Error,
    pub before: InstalledSet,
    /// The re-inspected environment, when it could be read.
    pub after: Option<InstalledSet>,
    /// What would still have to change.
    pub remaining: Option<Plan>,
}

pub fn apply(
    manifest: &Manifest,
    environment: &mut dyn Environment,
    journal: &mut dyn Journal,
    accounts: &mut dyn Accounts,
) -> Result<Report, Box<Failure>> {
    let mut run = Run {
        manifest,
        environment,
        journal,
        before: InstalledSet::default(),
    };
    let first = run.observe_for(Step::CreateVenv)?;
    run.before = first
        .as_ref()
        .map(|o| o.installed.clone())
        .unwrap_or_default();
    if first.is_none() {
        run.perform(Step::CreateVenv, |env| env.create())?;
    }

    let current = run.observe_existing(Step::Install(0))?;
    let requirements: Vec<String> = plan(manifest, Some(&current))
        .installs()
        .map(|change| change.requirement())
        .collect();
    if !requirements.is_empty() {
        run.perform(Step::Install(requirements.len()), |env| {
            env.install(&requirements)
        })?;
    }

    // Removals come from the environment as it is now, so a new dependency is never pruned.
    let current = run.observe_existing(Step::Remove(0))?;
    let removals: Vec<PackageName> = plan(manifest, Some(&current))
        .removals()
        .map(|change| change.name.clone())
        .collect();
    if !removals.is_empty() {
        run.perform(Step::Remove(removals.len()), |env| env.remove(&removals))?;
    }

    run.journal
        .step(Step::Verify)
        .map_err(|error| run.failure(Step::Verify, error))?;
    let after = run.observe_existing(Step::Verify)?;
    let remaining = plan(manifest, Some(&after));
    if !remaining.packages.is_empty() {
        let names: Vec<String> = remaining
            .packages
            .iter()
            .map(|change| format!("`{}` ({})", change.name, change.reason))
            .collect();
        return Err(Box::new(Failure {
            step: Step::Verify,
            error: anyhow::anyhow!("the environment did not converge: {}", names.join("; ")),
            before: run.before,
            after: Some(after.installed),
            remaining: Some(remaining),
        }));
    }
    // Users come last, so a failed package step leaves the accounts as they were.
    let mut users = Vec::new();
    if manifest.declares_users {
        run.journal
            .step(Step::Users)
            .map_err(|error| run.failure(Step::Users, error))?;
        users = accounts
            .apply_users(manifest)
            .map_err(|error| run.failure(Step::Users, error))?;
    }
    Ok(Report {
        before: run.before,
        after: after.installed,
        users,
    })
}

struct Run<'a> {
    manifest: &'a Manifest,
    environment: &'a mut dyn Environment,
    journal: &'a mut dyn Journal,
    before: InstalledSet,
}

impl Run<'_> {
    fn perform(
        &mut self,
        step: Step,
        action: impl FnOnce(&mut dyn Environment) -> anyhow::Result<()>,
    ) -> Result<(), Box<Failure>> {
        self.journal
            .step(step)
            .map_err(|error| self.failure(step, error))?;
        let started = std::time::Instant::now();
        let done = action(self.environment);
        // What the installer (or venv) took, against pkgm's own share (`bench/overhead.py`).
        tracing::debug!(
            "step `{}` took {:.1} ms",
            step.name(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        done.map_err(|error| self.failure(step, error))
    }

    fn observe_for(&mut self, step: Step) -> Result<Option<Observation>, Box<Failure>> {
        self.environment
            .observe()
            .map_err(|error| self.failure(step, error))
    }

    fn observe_existing(&mut self, step: Step) -> Result<Observation, Box<Failure>> {
        match self.observe_for(step)? {
            Some(observation) => Ok(observation),
            None => Err(self.failure(
                step,
                anyhow::anyhow!("the environment is missing after it was created"),
            )),
        }
    }

    /// Builds a failure after re-inspecting, so the record says what did change.
    fn failure(&mut self, step: Step, error: anyhow::Error) -> Box<Failure> {
        let observation = self.environment.observe().ok().flatten();
        Box::new(Failure {
            step,
            error,
            before: self.before.clone(),
            remaining: Some(plan(self.manifest, observation.as_ref())),
            after: observation.map(|o| o.installed),
        })
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
