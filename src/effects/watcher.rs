//! Watches a manifest's folder (not the file: editors save by rename) with notify, and says
//! which events matter: the manifest, its `.sig`, the first folder of their symlink targets
//! (`..data` in a mounted config map), the files they link to in other folders (whose
//! folders are watched too), and the folder itself being replaced. Everything
//! else in the folder (pkgm's own state, a venv) is ignored. Bursts are debounced by the
//! caller (`core::watch_schedule`): nothing here runs on a timer, so an idle watch sleeps.

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher};

/// What the watcher delivers, on notify's thread.
#[derive(Debug)]
pub enum WatchBatch {
    /// Paths touched by one event that can change content.
    Paths(Vec<PathBuf>),
    /// The kernel dropped events (queue overflow): anything may have changed.
    Rescan,
    /// The watcher reported errors.
    Failed(String),
}

/// Receives batches; called from notify's thread.
pub type Sink = Arc<dyn Fn(WatchBatch) + Send + Sync>;

/// What a batch means for the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relevance {
    Ignore,
    /// The manifest or its signature (or what their symlinks point into) changed.
    Changed,
    /// The folder itself was deleted, replaced or re-pointed: watch it anew.
    Rearm,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch `{path}` for changes: {source}")]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
    #[error("`{path}` does not name a manifest file")]
    NotAFile { path: PathBuf },
    #[error("cannot resolve `{path}`: {source}")]
    Resolve {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The watch on one manifest's folder.
pub struct ManifestWatcher {
    folder: PathBuf,
    files: [OsString; 2],
    names: BTreeSet<OsString>,
    /// Where the manifest and signature lead when they are symlinks to files outside the
    /// folder (resolved): those files' folders are watched as well.
    targets: BTreeSet<PathBuf>,
    /// The folders holding `targets`, with the identity each had when armed.
    target_folders: Vec<(PathBuf, Option<(u64, u64)>)>,
    /// Device and inode of the folder when it was armed (`None`: it did not exist).
    identity: Option<(u64, u64)>,
    watcher: Option<RecommendedWatcher>,
    sink: Sink,
}

impl ManifestWatcher {
    /// Prepares a watcher for `manifest`; call [`ManifestWatcher::arm`] to start it.
    pub fn new(manifest: &Path, sink: Sink) -> Result<Self, WatchError> {
        let absolute = std::path::absolute(manifest).map_err(|source| WatchError::Resolve {
            path: manifest.to_path_buf(),
            source,
        })?;
        let (Some(folder), Some(name)) = (absolute.parent(), absolute.file_name()) else {
            return Err(WatchError::NotAFile {
                path: manifest.to_path_buf(),
            });
        };
        let mut signature = name.to_os_string();
        signature.push(".sig");
        Ok(Self {
            folder: folder.to_path_buf(),
            files: [name.to_os_string(), signature],
            names: BTreeSet::new(),
            targets: BTreeSet::new(),
            target_folders: Vec::new(),
            identity: None,
            watcher: None,
            sink,
        })
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// (Re)starts watching the folder, and its parent for the folder's own name, so that a
    /// deleted and recreated (or swapped) folder is noticed. A missing folder is not an
    /// error: the parent's watch, or [`ManifestWatcher::folder_replaced`], sees it return.
    pub fn arm(&mut self) -> Result<(), WatchError> {
        self.watcher = None;
        self.names = relevant_names(&self.folder, &self.files);
        self.targets = outside_targets(&self.folder, &self.files);
        let target_folders: BTreeSet<&Path> = self
            .targets
            .iter()
            .filter_map(|target| target.parent())
            .collect();
        self.target_folders = target_folders
            .into_iter()
            .map(|folder| (folder.to_path_buf(), identity(folder)))
            .collect();
        self.identity = identity(&self.folder);
        let sink = Arc::clone(&self.sink);
        let handler = move |result: notify::Result<Event>| match result {
            Ok(event) if event.need_rescan() => sink(WatchBatch::Rescan),
            Ok(event) if changes_content(&event.kind) && !event.paths.is_empty() => {
                sink(WatchBatch::Paths(event.paths))
            }
            Ok(_) => {}
            Err(error) => sink(WatchBatch::Failed(error.to_string())),
        };
        let mut watcher = notify::recommended_watcher(handler)
            .map_err(|source| self.watch_error(&self.folder, source))?;
        if self.identity.is_some() {
            match watcher.watch(&self.folder, RecursiveMode::NonRecursive) {
                Ok(()) => {}
                // Gone between the check and the watch: the parent's watch sees it return.
                Err(_) if !self.folder.exists() => self.identity = None,
                Err(source) => return Err(self.watch_error(&self.folder, source)),
            }
        }
        if let Some(parent) = self.folder.parent().filter(|parent| parent.is_dir()) {
            if let Err(error) = watcher.watch(parent, RecursiveMode::NonRecursive) {
                tracing::debug!("not watching `{}`: {error}", parent.display());
            }
        }
        // A linked folder is watched itself, or while it is missing (a checkout being
        // replaced), its parent for its return; failing that, it is polled.
        for (target_folder, identity) in &self.target_folders {
            let watched = match identity {
                Some(_) => target_folder.as_path(),
                None => match target_folder.parent().filter(|parent| parent.is_dir()) {
                    Some(parent) => parent,
                    None => continue,
                },
            };
            if let Err(error) = watcher.watch(watched, RecursiveMode::NonRecursive) {
                tracing::warn!(
                    "not watching `{}`, where the manifest links to: {error}; the interval still checks it",
                    watched.display()
                );
            }
        }
        self.watcher = Some(watcher);
        Ok(())
    }

    /// Whether something watched is missing, so that only polling can see it return: the
    /// folder, or a folder the manifest links into.
    pub fn needs_polling(&self) -> bool {
        self.folder_missing() || self.target_folders.iter().any(|(_, id)| id.is_none())
    }

    /// Whether the folder was missing when last armed.
    pub fn folder_missing(&self) -> bool {
        self.identity.is_none()
    }

    /// Whether the folder, or a folder the manifest links into, is now another one than
    /// the one watched (deleted, recreated, swapped): a `stat` each.
    pub fn folder_replaced(&self) -> bool {
        identity(&self.folder) != self.identity
            || self
                .target_folders
                .iter()
                .any(|(folder, watched)| identity(folder) != *watched)
    }

    /// Sorts a batch's paths. Symlinks are read again each time, since a swap re-points them.
    pub fn classify(&mut self, paths: &[PathBuf]) -> Relevance {
        let before = std::mem::replace(&mut self.names, relevant_names(&self.folder, &self.files));
        if outside_targets(&self.folder, &self.files) != self.targets {
            // A link now leads to another folder (or none): watch what it leads to now.
            return Relevance::Rearm;
        }
        let mut relevance = Relevance::Ignore;
        for path in paths {
            let linked_folder = self.target_folders.iter().any(|(folder, _)| folder == path);
            if *path == self.folder || linked_folder {
                return Relevance::Rearm;
            }
            if self.targets.contains(path) {
                relevance = Relevance::Changed;
            }
            let in_folder = path.parent() == Some(self.folder.as_path());
            let named = path
                .file_name()
                .is_some_and(|name| before.contains(name) || self.names.contains(name));
            if in_folder && named {
                relevance = Relevance::Changed;
            }
        }
        relevance
    }

    fn watch_error(&self, path: &Path, source: notify::Error) -> WatchError {
        WatchError::Watch {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Whether an event can mean new content. Opening and reading are not changes: without
/// this, pkgm reading its own manifest would trigger the next cycle.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Other => false,
        EventKind::Any | EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
    }
}

fn identity(folder: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(folder)
        .ok()
        .filter(|metadata| metadata.is_dir())
        .map(|metadata| (metadata.dev(), metadata.ino()))
}

/// The watched names: the files themselves, and for each that is a symlink into the
/// folder, the first component of its target (`manifest.yaml -> ..data/manifest.yaml`).
fn relevant_names(folder: &Path, files: &[OsString]) -> BTreeSet<OsString> {
    let mut names: BTreeSet<OsString> = files.iter().cloned().collect();
    for file in files {
        if let Ok(target) = std::fs::read_link(folder.join(file)) {
            names.extend(first_component_inside(&target));
        }
    }
    names
}

/// The files that the manifest and signature resolve to, for those that are symlinks to
/// somewhere outside the folder (fully resolved, as inotify reports paths in the folders it
/// watches).
fn outside_targets(folder: &Path, files: &[OsString]) -> BTreeSet<PathBuf> {
    let Ok(resolved_folder) = std::fs::canonicalize(folder) else {
        return BTreeSet::new();
    };
    files
        .iter()
        .map(|file| folder.join(file))
        .filter(|path| path.is_symlink())
        .filter_map(|path| link_destination(&path))
        .filter(|target| !target.starts_with(&resolved_folder))
        .collect()
}

/// Where a chain of symlinks ends, with the final folder resolved; the file itself need not
/// exist (an editor saving by delete-and-create leaves it missing for a moment).
fn link_destination(link: &Path) -> Option<PathBuf> {
    let mut path = link.to_path_buf();
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&path) else {
            break;
        };
        path = path.parent()?.join(target);
    }
    let folder = resolve_existing_prefix(path.parent()?)?;
    Some(folder.join(path.file_name()?))
}

/// `path` with symlinks resolved as far as it exists; the missing rest is appended as it is
/// (a folder being replaced is still where the link leads).
fn resolve_existing_prefix(path: &Path) -> Option<PathBuf> {
    let mut missing = Vec::new();
    let mut existing = path;
    loop {
        if let Ok(resolved) = std::fs::canonicalize(existing) {
            return Some(
                missing
                    .iter()
                    .rev()
                    .fold(resolved, |path, name| path.join(name)),
            );
        }
        missing.push(existing.file_name()?);
        existing = existing.parent()?;
    }
}

/// `..data` for `..data/manifest.yaml`; nothing for targets outside the folder.
fn first_component_inside(target: &Path) -> Option<OsString> {
    let mut components = target
        .components()
        .skip_while(|component| *component == Component::CurDir);
    match components.next()? {
        Component::Normal(first) => Some(OsStr::to_os_string(first)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlink_targets_add_their_first_folder_inside_the_folder() {
        let cases = [
            ("..data/manifest.yaml", Some("..data")),
            ("manifest.v2.yaml", Some("manifest.v2.yaml")),
            ("./..data/manifest.yaml", Some("..data")),
            ("../elsewhere/manifest.yaml", None),
            ("/etc/pkgm/manifest.yaml", None),
        ];
        for (target, expected) in cases {
            assert_eq!(
                first_component_inside(Path::new(target)),
                expected.map(OsString::from),
                "{target}"
            );
        }
    }

    #[test]
    fn a_link_leads_to_its_last_target_even_when_that_file_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        for folder in ["conf", "repo", "repo-v2"] {
            std::fs::create_dir(root.join(folder)).unwrap();
        }
        std::os::unix::fs::symlink("repo-v2", root.join("repo-current")).unwrap();
        std::os::unix::fs::symlink("../repo-current/m.yaml", root.join("conf/m.yaml")).unwrap();
        // m.yaml does not exist in repo-v2 (mid-save): the folder still resolves.
        assert_eq!(
            link_destination(&root.join("conf/m.yaml")),
            Some(root.join("repo-v2/m.yaml"))
        );
        let files = [OsString::from("m.yaml"), OsString::from("m.yaml.sig")];
        assert_eq!(
            outside_targets(&root.join("conf"), &files),
            BTreeSet::from([root.join("repo-v2/m.yaml")])
        );
        // A link into the folder itself (a config map's `..data`) is not "outside".
        std::fs::remove_file(root.join("conf/m.yaml")).unwrap();
        std::fs::create_dir(root.join("conf/..2026_01")).unwrap();
        std::os::unix::fs::symlink("..2026_01", root.join("conf/..data")).unwrap();
        std::os::unix::fs::symlink("..data/m.yaml", root.join("conf/m.yaml")).unwrap();
        assert!(outside_targets(&root.join("conf"), &files).is_empty());
    }

    #[test]
    fn reading_is_not_a_change() {
        use notify::event::{CreateKind, DataChange, ModifyKind, RemoveKind};
        let cases = [
            (EventKind::Access(AccessKind::Open(AccessMode::Any)), false),
            (
                EventKind::Access(AccessKind::Close(AccessMode::Read)),
                false,
            ),
            (
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                true,
            ),
            (EventKind::Create(CreateKind::File), true),
            (EventKind::Modify(ModifyKind::Data(DataChange::Any)), true),
            (EventKind::Remove(RemoveKind::File), true),
            (EventKind::Other, false),
        ];
        for (kind, expected) in cases {
            assert_eq!(changes_content(&kind), expected, "{kind:?}");
        }
    }

    fn watcher(folder: &Path) -> ManifestWatcher {
        let sink: Sink = Arc::new(|_| {});
        ManifestWatcher::new(&folder.join("m.yaml"), sink).unwrap()
    }

    #[test]
    fn only_the_manifest_its_signature_and_the_folder_itself_matter() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("conf");
        std::fs::create_dir(&folder).unwrap();
        let mut watcher = watcher(&folder);
        watcher.arm().unwrap();
        let cases = [
            (vec![folder.join("m.yaml")], Relevance::Changed),
            (vec![folder.join("m.yaml.sig")], Relevance::Changed),
            (vec![folder.join(".m.yaml.swp")], Relevance::Ignore),
            (vec![folder.join("state.db-wal")], Relevance::Ignore),
            (vec![dir.path().join("m.yaml")], Relevance::Ignore),
            (
                vec![folder.join("sedAbC12"), folder.join("m.yaml")],
                Relevance::Changed,
            ),
            (vec![folder.clone()], Relevance::Rearm),
        ];
        for (paths, expected) in cases {
            assert_eq!(watcher.classify(&paths), expected, "{paths:?}");
        }
    }

    #[test]
    fn a_config_map_style_symlink_makes_its_data_folder_relevant() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path();
        std::fs::create_dir(folder.join("..2026_01")).unwrap();
        std::os::unix::fs::symlink("..2026_01", folder.join("..data")).unwrap();
        std::os::unix::fs::symlink("..data/m.yaml", folder.join("m.yaml")).unwrap();
        let mut watcher = watcher(folder);
        watcher.arm().unwrap();
        assert_eq!(
            watcher.classify(&[folder.join("..data")]),
            Relevance::Changed
        );
        assert_eq!(
            watcher.classify(&[folder.join("..2026_02")]),
            Relevance::Ignore
        );
    }

    #[test]
    fn a_recreated_folder_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("conf");
        std::fs::create_dir(&folder).unwrap();
        let mut watcher = watcher(&folder);
        watcher.arm().unwrap();
        assert!(!watcher.folder_replaced());
        std::fs::remove_dir(&folder).unwrap();
        assert!(watcher.folder_replaced());
        watcher.arm().unwrap();
        assert!(watcher.folder_missing());
        std::fs::create_dir(&folder).unwrap();
        assert!(watcher.folder_replaced());
    }

    #[test]
    fn a_replaced_folder_the_manifest_links_into_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let (folder, repo) = (root.join("conf"), root.join("repo"));
        std::fs::create_dir(&folder).unwrap();
        std::fs::create_dir(&repo).unwrap();
        std::os::unix::fs::symlink(repo.join("m.yaml"), folder.join("m.yaml")).unwrap();
        let mut watcher = watcher(&folder);
        watcher.arm().unwrap();
        assert_eq!(
            watcher.classify(std::slice::from_ref(&repo)),
            Relevance::Rearm
        );
        assert!(!watcher.folder_replaced());
        std::fs::rename(&repo, root.join("repo.old")).unwrap();
        std::fs::create_dir(&repo).unwrap();
        assert!(watcher.folder_replaced());
        // Replaced in two steps: while it is missing, it is still the folder to look for.
        std::fs::rename(&repo, root.join("repo.new")).unwrap();
        watcher.arm().unwrap();
        assert!(watcher.needs_polling());
        assert_eq!(
            watcher.classify(std::slice::from_ref(&repo)),
            Relevance::Rearm
        );
        std::fs::rename(root.join("repo.new"), &repo).unwrap();
        assert!(watcher.folder_replaced());
        watcher.arm().unwrap();
        assert!(!watcher.needs_polling());
    }
}
