use std::path::Path;

use crate::core::python::requirement::Dependency;
use crate::core::python::specifier::set_contains;

use super::*;
use crate::core::fixtures::{dist, markers};
use crate::core::installed::InstalledDist;
use crate::core::manifest_parse::parse_manifest;

/// An index of distributions and an environment that installs from it like a tiny resolver.
struct FakeEnvironment {
    index: Vec<InstalledDist>,
    installed: Option<InstalledSet>,
    calls: Vec<String>,
    fail_install: bool,
}

impl FakeEnvironment {
    fn new(index: Vec<InstalledDist>, installed: Option<Vec<InstalledDist>>) -> Self {
        let installed = installed.map(|dists| {
            let mut set = InstalledSet::default();
            dists.into_iter().for_each(|d| set.insert(d));
            set
        });
        Self {
            index,
            installed,
            calls: Vec::new(),
            fail_install: false,
        }
    }

    fn best(&self, requirement: &Dependency) -> Option<InstalledDist> {
        self.index
            .iter()
            .filter(|d| d.name == requirement.name)
            .filter(|d| match &requirement.specifiers {
                Some(specifiers) => set_contains(specifiers, &d.version),
                None => true,
            })
            .max_by(|a, b| a.version.cmp(&b.version))
            .cloned()
    }
}

impl Environment for FakeEnvironment {
    fn observe(&mut self) -> anyhow::Result<Option<Observation>> {
        Ok(self.installed.clone().map(|installed| Observation {
            installed,
            markers: markers("3.11.7"),
        }))
    }

    fn create(&mut self) -> anyhow::Result<()> {
        self.calls.push("create".into());
        let mut set = InstalledSet::default();
        set.insert(dist("pip", "24.0", &[]));
        self.installed = Some(set);
        Ok(())
    }

    fn install(&mut self, requirements: &[String]) -> anyhow::Result<()> {
        self.calls
            .push(format!("install {}", requirements.join(" ")));
        if self.fail_install {
            anyhow::bail!("ERROR: No matching distribution");
        }
        let mut queue: Vec<Dependency> = requirements
            .iter()
            .map(|r| Dependency::parse(r).unwrap().0)
            .collect();
        while let Some(requirement) = queue.pop() {
            let found = self.best(&requirement).expect("in the fake index");
            queue.extend(found.requires.iter().cloned());
            self.installed.as_mut().unwrap().insert(found);
        }
        Ok(())
    }

    fn remove(&mut self, names: &[PackageName]) -> anyhow::Result<()> {
        let listed: Vec<String> = names.iter().map(ToString::to_string).collect();
        self.calls.push(format!("remove {}", listed.join(" ")));
        for name in names {
            self.installed.as_mut().unwrap().dists.remove(name);
        }
        Ok(())
    }
}

#[derive(Default)]
struct Steps(Vec<&'static str>);

impl Journal for Steps {
    fn step(&mut self, step: Step) -> anyhow::Result<()> {
        self.0.push(step.name());
        Ok(())
    }
}

/// Accounts that record being asked, and may fail.
#[derive(Default)]
struct NoUsers;

impl Accounts for NoUsers {
    fn apply_users(&mut self, _: &Manifest) -> anyhow::Result<Vec<UserChange>> {
        anyhow::bail!("a manifest without `users:` must not reach the account store")
    }
}

struct FakeAccounts {
    calls: usize,
    fail: bool,
}

impl Accounts for FakeAccounts {
    fn apply_users(&mut self, _: &Manifest) -> anyhow::Result<Vec<UserChange>> {
        self.calls += 1;
        if self.fail {
            anyhow::bail!("refusing a plan that leaves no admin");
        }
        Ok(Vec::new())
    }
}

fn manifest(packages: &str) -> Manifest {
    let text = format!(
        "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {{name: t, revision: 1}}\n\
         environment: {{prune: true}}\npackages: {{{packages}}}\n"
    );
    parse_manifest(Path::new("m.yaml"), text.as_bytes()).unwrap()
}

fn index() -> Vec<InstalledDist> {
    vec![
        dist("app", "1.0", &["lib<2"]),
        dist("app", "2.0", &["lib>=2", "newdep"]),
        dist("lib", "1.0", &[]),
        dist("lib", "2.0", &[]),
        dist("newdep", "1.0", &[]),
    ]
}

#[test]
fn a_new_venv_is_created_filled_and_verified() {
    let mut environment = FakeEnvironment::new(index(), None);
    let mut steps = Steps::default();
    let report = apply(
        &manifest("app: \"==1.0\""),
        &mut environment,
        &mut steps,
        &mut NoUsers,
    )
    .unwrap();
    assert_eq!(environment.calls, ["create", "install app==1.0"]);
    assert_eq!(steps.0, ["create-venv", "install", "verify"]);
    assert_eq!(report.after.dists.len(), 3);
}

#[test]
fn removals_are_planned_after_installs_so_new_dependencies_stay() {
    let installed = vec![
        dist("pip", "24.0", &[]),
        dist("app", "1.0", &["lib<2"]),
        dist("lib", "1.0", &[]),
        dist("stray", "1.0", &[]),
    ];
    let mut environment = FakeEnvironment::new(index(), Some(installed));
    let mut steps = Steps::default();
    apply(
        &manifest("app: \">=2\""),
        &mut environment,
        &mut steps,
        &mut NoUsers,
    )
    .unwrap();
    assert_eq!(environment.calls, ["install app>=2", "remove stray"]);
    let after = environment.installed.unwrap();
    assert!(after.get(&"newdep".parse().unwrap()).is_some());
}

#[test]
fn a_failed_install_reports_the_step_and_what_remains() {
    let installed = vec![dist("pip", "24.0", &[])];
    let mut environment = FakeEnvironment::new(index(), Some(installed));
    environment.fail_install = true;
    let failure = apply(
        &manifest("app: \"*\""),
        &mut environment,
        &mut Steps::default(),
        &mut NoUsers,
    )
    .unwrap_err();
    assert_eq!(failure.step, Step::Install(1));
    assert!(failure
        .error
        .to_string()
        .contains("No matching distribution"));
    assert_eq!(failure.remaining.unwrap().packages.len(), 1);
    assert!(failure.after.is_some());
}

#[test]
fn an_environment_that_does_not_converge_fails_verification() {
    struct Stubborn;
    impl Environment for Stubborn {
        fn observe(&mut self) -> anyhow::Result<Option<Observation>> {
            Ok(Some(Observation {
                installed: InstalledSet::default(),
                markers: markers("3.11.7"),
            }))
        }
        fn create(&mut self) -> anyhow::Result<()> {
            Ok(())
        }
        fn install(&mut self, _: &[String]) -> anyhow::Result<()> {
            Ok(())
        }
        fn remove(&mut self, _: &[PackageName]) -> anyhow::Result<()> {
            Ok(())
        }
    }
    let failure = apply(
        &manifest("app: \"*\""),
        &mut Stubborn,
        &mut Steps::default(),
        &mut NoUsers,
    )
    .unwrap_err();
    assert_eq!(failure.step, Step::Verify);
    assert!(failure
        .error
        .to_string()
        .contains("did not converge: `app` (not installed)"));
}

#[test]
fn a_satisfied_environment_runs_no_installer() {
    let installed = vec![dist("pip", "24.0", &[]), dist("lib", "1.0", &[])];
    let mut environment = FakeEnvironment::new(index(), Some(installed));
    apply(
        &manifest("lib: \"*\""),
        &mut environment,
        &mut Steps::default(),
        &mut NoUsers,
    )
    .unwrap();
    assert!(environment.calls.is_empty());
}

#[test]
fn users_are_written_after_the_packages_converge() {
    let text = "apiVersion: pkgm/v1\nkind: Manifest\nmetadata: {name: t, revision: 1}\n\
                packages: {lib: \"*\"}\nusers: {}\n";
    let manifest = parse_manifest(Path::new("m.yaml"), text.as_bytes()).unwrap();
    let installed = vec![dist("pip", "24.0", &[])];
    let mut accounts = FakeAccounts {
        calls: 0,
        fail: false,
    };
    let mut steps = Steps::default();
    let mut environment = FakeEnvironment::new(index(), Some(installed.clone()));
    apply(&manifest, &mut environment, &mut steps, &mut accounts).unwrap();
    assert_eq!(steps.0, ["install", "verify", "users"]);
    assert_eq!(accounts.calls, 1);

    let mut failing = FakeEnvironment::new(index(), Some(installed.clone()));
    failing.fail_install = true;
    apply(
        &manifest,
        &mut failing,
        &mut Steps::default(),
        &mut accounts,
    )
    .unwrap_err();
    assert_eq!(
        accounts.calls, 1,
        "a failed package step leaves the accounts alone"
    );

    accounts.fail = true;
    let mut environment = FakeEnvironment::new(index(), Some(installed));
    let failure = apply(
        &manifest,
        &mut environment,
        &mut Steps::default(),
        &mut accounts,
    )
    .unwrap_err();
    assert_eq!(failure.step, Step::Users);
}
