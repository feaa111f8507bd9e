//! Reads installed distributions straight from the site folders, without starting Python
//! or pip, and sees them as the import system does: folders in `sys.path` order, each
//! followed by the folders its `*.pth` files add (as `site.addsitedir` does), the first
//! copy of a name winning — in a folder, the first in directory order, as
//! `importlib.metadata` picks.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::core::installed::{parse_metadata, parse_requires_txt, InstalledDist, InstalledSet};
use crate::core::names::PackageName;

/// Something odd found while reading; reported as a warning, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oddity {
    pub path: PathBuf,
    pub message: String,
}

/// The folders to read, in import order.
#[derive(Debug, Clone, Default)]
pub struct SiteFolders {
    /// The interpreter's site folders in `sys.path` order (`*.pth` files are read below).
    pub site_dirs: Vec<PathBuf>,
    /// The folders pkgm installs into; a distribution found elsewhere is never removed.
    pub target_dirs: Vec<PathBuf>,
}

/// Reads every distribution visible through the site folders. Missing folders are empty.
pub fn read_installed(folders: &SiteFolders) -> std::io::Result<(InstalledSet, Vec<Oddity>)> {
    let mut reader = Reader::default();
    for folder in import_path(&folders.site_dirs) {
        let outside = !folders.target_dirs.contains(&folder);
        reader.read_folder(&folder, outside)?;
    }
    Ok((reader.installed, reader.oddities))
}

#[derive(Default)]
struct Reader {
    installed: InstalledSet,
    oddities: Vec<Oddity>,
    /// Where each name was first found, to name the copy a later one is shadowed by.
    found_in: std::collections::BTreeMap<PackageName, PathBuf>,
}

impl Reader {
    fn read_folder(&mut self, folder: &Path, outside: bool) -> std::io::Result<()> {
        let mut eggs = Vec::new();
        for entry in list_folder(folder)? {
            let name = entry.to_string_lossy();
            let path = folder.join(&entry);
            if name.ends_with(".dist-info") {
                self.read_dist(&path, &path.join("METADATA"), None, outside);
            } else if name.ends_with(".egg-info") && path.is_dir() {
                // Legacy (setup.py / distro) installs: PKG-INFO plus requires.txt.
                let requires = path.join("requires.txt");
                self.read_dist(&path, &path.join("PKG-INFO"), Some(requires), outside);
            } else if name.ends_with(".egg-info") {
                self.read_dist(&path, &path, None, outside);
            } else if name == "EGG-INFO" && folder.extension().is_some_and(|e| e == "egg") {
                eggs.push(path);
            }
        }
        // importlib lists a folder's `*.dist-info`/`*.egg-info` before the egg it is.
        for egg_info in eggs {
            let requires = egg_info.join("requires.txt");
            self.read_dist(
                &egg_info,
                &egg_info.join("PKG-INFO"),
                Some(requires),
                outside,
            );
        }
        Ok(())
    }

    fn read_dist(
        &mut self,
        info: &Path,
        metadata: &Path,
        requires: Option<PathBuf>,
        outside: bool,
    ) {
        let Some(mut dist) = self.parse_dist(info, metadata, requires) else {
            return;
        };
        dist.outside_target = outside;
        if let Some(first) = self.found_in.get(&dist.name) {
            if first.parent() == info.parent() {
                self.odd(
                    info,
                    format!(
                        "a second copy of `{}` in the same folder; using `{}`, as Python's \
                         import system does\nhint: remove the stale folder",
                        dist.name,
                        first.display()
                    ),
                );
            }
            return;
        }
        self.found_in.insert(dist.name.clone(), info.to_path_buf());
        self.installed.insert(dist);
    }

    fn parse_dist(
        &mut self,
        info: &Path,
        metadata: &Path,
        requires: Option<PathBuf>,
    ) -> Option<InstalledDist> {
        let parsed = match read_header(metadata).map(|header| parse_metadata(&header)) {
            Ok(Ok(parsed)) => parsed,
            Ok(Err(err)) => return self.dist_named_by_folder(info, err.to_string()),
            Err(err) => return self.dist_named_by_folder(info, err.to_string()),
        };
        for problem in parsed.problems {
            self.odd(metadata, problem);
        }
        let mut dist = parsed.dist;
        if let Some(requires) = requires.and_then(|p| std::fs::read_to_string(p).ok()) {
            let (requirements, problems) = parse_requires_txt(&requires);
            dist.requires.extend(requirements);
            for problem in problems {
                self.odd(metadata, problem);
            }
        }
        Some(dist)
    }

    /// pip still lists a distribution whose metadata cannot be read, by its folder's
    /// `NAME-VERSION.dist-info` name; so does pkgm, so that it can be kept or pruned.
    fn dist_named_by_folder(&mut self, info: &Path, problem: String) -> Option<InstalledDist> {
        let stem = info.file_stem().unwrap_or_default().to_string_lossy();
        let (name, version) = stem.split_once('-').unwrap_or((&stem, ""));
        let name = crate::core::names::parse_package_name(name).ok();
        let version = version.split('-').next().and_then(|v| v.parse().ok());
        let (Some(name), Some(version)) = (name, version) else {
            self.odd(info, format!("{problem}; skipped"));
            return None;
        };
        self.odd(
            info,
            format!("{problem}; using the name and version in the folder's name"),
        );
        Some(InstalledDist {
            name,
            version,
            requires: Vec::new(),
            outside_target: false,
        })
    }

    fn odd(&mut self, path: &Path, message: String) {
        self.oddities.push(Oddity {
            path: path.to_path_buf(),
            message,
        });
    }
}

/// A folder's entries in directory order (as `os.listdir`); a missing folder is empty.
fn list_folder(folder: &Path) -> std::io::Result<Vec<std::ffi::OsString>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    entries
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect()
}

/// The site folders, each followed by the existing folders its `*.pth` files name (in
/// file-name order), without repeats: what `site.addsitedir` adds to `sys.path`. Lines
/// that `import` are code, which pkgm never runs; what they add is not seen.
pub fn import_path(site_dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut path: Vec<PathBuf> = Vec::new();
    let mut seen = BTreeSet::new();
    for site in site_dirs {
        if !seen.insert(site.clone()) {
            continue;
        }
        path.push(site.clone());
        let Ok(mut names) = list_folder(site) else {
            continue;
        };
        names.sort();
        for name in names
            .iter()
            .filter(|n| n.to_string_lossy().ends_with(".pth"))
        {
            let Ok(text) = std::fs::read_to_string(site.join(name)) else {
                continue;
            };
            for line in text.lines() {
                let line = line.trim_end();
                if line.is_empty()
                    || line.starts_with('#')
                    || line.starts_with("import ")
                    || line.starts_with("import\t")
                {
                    continue;
                }
                let folder = site.join(line);
                if folder.exists() && seen.insert(folder.clone()) {
                    path.push(folder);
                }
            }
        }
    }
    path
}

/// The header block of a metadata file: everything before the first blank line.
/// The body (often a long README) is not read.
fn read_header(path: &Path) -> std::io::Result<String> {
    let mut reader = BufReader::new(std::fs::File::open(path)?);
    let mut header = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim_end_matches(['\r', '\n']).is_empty() {
            return Ok(header);
        }
        header.push_str(line.trim_end_matches(['\r', '\n']));
        header.push('\n');
    }
}

#[cfg(test)]
#[path = "site_packages_tests.rs"]
mod tests;
