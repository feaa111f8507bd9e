//! YAML text of an offline manifest (installs only from the wheelhouse), built fluently.
//! It produces text, not a model: tests must exercise pkgm's parser, not bypass it.

/// A manifest that installs from `$WHEELHOUSE` with `no_index: true`, for [`Sandbox::write_manifest`](super::Sandbox::write_manifest).
///
/// Defaults: name `sandbox`, revision 1, venv `.venv`, installer `pip`, prune on, no packages.
#[derive(Debug, Clone)]
pub struct OfflineManifest {
    name: String,
    revision: u64,
    installer: String,
    prune: bool,
    find_links: Vec<String>,
    packages: Vec<String>,
}

impl Default for OfflineManifest {
    fn default() -> Self {
        Self::new()
    }
}

impl OfflineManifest {
    pub fn new() -> Self {
        Self {
            name: "sandbox".to_owned(),
            revision: 1,
            installer: "pip".to_owned(),
            prune: true,
            find_links: vec!["$WHEELHOUSE".to_owned()],
            packages: Vec::new(),
        }
    }

    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    pub fn revision(mut self, revision: u64) -> Self {
        self.revision = revision;
        self
    }

    /// `pip` or `uv`.
    pub fn installer(mut self, installer: &str) -> Self {
        self.installer = installer.to_owned();
        self
    }

    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Adds a `find_links` entry after `$WHEELHOUSE` (e.g. `$LOCAL_WHEELS`).
    pub fn find_links(mut self, folder: &str) -> Self {
        self.find_links.push(folder.to_owned());
        self
    }

    /// `name: "SPEC"`; `absent` stays a bare word.
    pub fn package(mut self, name: &str, spec: &str) -> Self {
        let value = if spec == "absent" {
            spec.to_owned()
        } else {
            quoted(spec)
        };
        self.packages.push(format!("{name}: {value}"));
        self
    }

    /// `name: { version: "SPEC", extras: [A, B] }`.
    pub fn package_with_extras(mut self, name: &str, spec: &str, extras: &[&str]) -> Self {
        let extras = extras.join(", ");
        let spec = quoted(spec);
        self.packages
            .push(format!("{name}: {{ version: {spec}, extras: [{extras}] }}"));
        self
    }

    pub fn to_yaml(&self) -> String {
        let find_links = self.find_links.join(", ");
        let packages = if self.packages.is_empty() {
            " {}\n".to_owned()
        } else {
            let lines: String = self
                .packages
                .iter()
                .map(|line| format!("  {line}\n"))
                .collect();
            format!("\n{lines}")
        };
        format!(
            "apiVersion: pkgm/v1\n\
             kind: Manifest\n\
             metadata:\n  name: {name}\n  revision: {revision}\n\
             environment:\n  venv: .venv\n  installer: {installer}\n  no_index: true\n  \
             find_links: [{find_links}]\n  prune: {prune}\n\
             packages:{packages}",
            name = self.name,
            revision = self.revision,
            installer = self.installer,
            prune = self.prune,
        )
    }
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
