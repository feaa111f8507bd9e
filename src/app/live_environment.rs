//! The real environment behind `engine::Environment`: site-packages for reading,
//! the venv module for creating, pip or uv for changing.

use crate::core::account::Account;
use crate::core::manifest::Manifest;
use crate::core::names::PackageName;
use crate::core::plan::Plan;
use crate::effects::installer::Installer;
use crate::effects::progress::Progress;
use crate::effects::store::Store;
use crate::effects::target::PythonTarget;
use crate::engine::{self, Environment, Observation};

pub struct LiveEnvironment<'a> {
    pub target: PythonTarget,
    pub manifest: &'a Manifest,
    pub store: &'a Store,
    pub progress: &'a Progress,
    installer: Installer,
}

impl<'a> LiveEnvironment<'a> {
    /// Locates the target and its installer up front, so a missing `uv` is reported
    /// before anything (even the venv) is created.
    pub fn new(
        manifest: &'a Manifest,
        store: &'a Store,
        progress: &'a Progress,
    ) -> anyhow::Result<Self> {
        let target = PythonTarget::locate(&manifest.environment)?;
        let installer = Installer::new(&manifest.environment, target.python())?;
        Ok(Self {
            target,
            manifest,
            store,
            progress,
            installer,
        })
    }

    fn installer(&self) -> anyhow::Result<&Installer> {
        Ok(&self.installer)
    }
}

/// Inspects a target without changing anything: `None` when the venv does not exist yet.
pub fn observe(target: &PythonTarget, store: &Store) -> anyhow::Result<Option<Observation>> {
    if !target.exists()? {
        return Ok(None);
    }
    let inspection = target.inspect(store)?;
    for oddity in &inspection.oddities {
        tracing::warn!("{}: {}", oddity.path.display(), oddity.message);
    }
    Ok(Some(Observation {
        installed: inspection.installed,
        markers: inspection.info.markers,
    }))
}

/// What the environment and the accounts are now, and the plan that takes them to the
/// manifest: the one "observe, read accounts, plan" that plan, apply and watch share.
pub struct PlanNow {
    /// `None`: the venv does not exist yet.
    pub observation: Option<Observation>,
    pub plan: Plan,
}

pub fn plan_now(
    target: &PythonTarget,
    store: &Store,
    manifest: &Manifest,
) -> anyhow::Result<PlanNow> {
    let observation = observe(target, store)?;
    let accounts = stored_accounts(store, manifest)?;
    let plan = engine::plan_with_users(manifest, observation.as_ref(), &accounts)?;
    Ok(PlanNow { observation, plan })
}

/// The accounts to plan users against; a manifest without `users:` needs no read.
pub fn stored_accounts(store: &Store, manifest: &Manifest) -> anyhow::Result<Vec<Account>> {
    if !manifest.declares_users {
        return Ok(Vec::new());
    }
    Ok(store.accounts()?)
}

impl Environment for LiveEnvironment<'_> {
    fn observe(&mut self) -> anyhow::Result<Option<Observation>> {
        observe(&self.target, self.store)
    }

    fn create(&mut self) -> anyhow::Result<()> {
        if let Some(venv) = &self.target.venv {
            self.progress
                .step(&format!("creating virtual environment {}", venv.display()));
        }
        self.target.create(self.manifest.environment.installer)
    }

    fn install(&mut self, requirements: &[String]) -> anyhow::Result<()> {
        let installer = self.installer()?;
        self.progress.step(&format!(
            "installing {} with {}{}",
            plural(requirements.len(), "package"),
            installer.kind().as_str(),
            listing(requirements)
        ));
        installer.install(requirements, self.progress.echo())?;
        Ok(())
    }

    fn remove(&mut self, names: &[PackageName]) -> anyhow::Result<()> {
        let installer = self.installer()?;
        let listed: Vec<String> = names.iter().map(ToString::to_string).collect();
        self.progress.step(&format!(
            "removing {} with {}{}",
            plural(names.len(), "package"),
            installer.kind().as_str(),
            listing(&listed)
        ));
        installer.uninstall(names, self.progress.echo())?;
        Ok(())
    }
}

/// `: a b c` for a few items; nothing for many (the plan above already lists them).
fn listing(items: &[String]) -> String {
    if items.len() > 5 {
        String::new()
    } else {
        format!(": {}", items.join(" "))
    }
}

pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
