//! Reads installed distributions straight from site-packages `*.dist-info` folders,
//! without starting Python or pip.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::core::installed::{parse_metadata, parse_requires_txt, InstalledSet};

/// Something odd found while reading; reported as a warning, never fatal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oddity {
    pub path: PathBuf,
    pub message: String,
}

/// Reads every `*.dist-info/METADATA` below the given folders. Missing folders are empty.
pub fn read_installed(folders: &[PathBuf]) -> std::io::Result<(InstalledSet, Vec<Oddity>)> {
    let mut installed = InstalledSet::default();
    let mut oddities = Vec::new();
    for folder in folders {
        let entries = match std::fs::read_dir(folder) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        for entry in entries {
            let entry = entry?;
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            let path = entry.path();
            let (metadata_path, requires_path) = if file_name.ends_with(".dist-info") {
                (path.join("METADATA"), None)
            } else if file_name.ends_with(".egg-info") && path.is_dir() {
                // Legacy (setup.py / distro) installs: PKG-INFO plus requires.txt.
                (path.join("PKG-INFO"), Some(path.join("requires.txt")))
            } else if file_name.ends_with(".egg-info") {
                (path.clone(), None)
            } else {
                continue;
            };
            let odd = |message: String| Oddity {
                path: metadata_path.clone(),
                message,
            };
            let header = match read_header(&metadata_path) {
                Ok(header) => header,
                Err(err) => {
                    oddities.push(odd(err.to_string()));
                    continue;
                }
            };
            match parse_metadata(&header) {
                Ok((mut dist, skipped)) => {
                    oddities.extend(
                        skipped.into_iter().map(|line| {
                            odd(format!("ignored unparseable `Requires-Dist: {line}`"))
                        }),
                    );
                    if let Some(requires) =
                        requires_path.and_then(|p| std::fs::read_to_string(p).ok())
                    {
                        let (requirements, skipped) = parse_requires_txt(&requires);
                        dist.requires.extend(requirements);
                        oddities.extend(
                            skipped.into_iter().map(|line| {
                                odd(format!("ignored unparseable requirement `{line}`"))
                            }),
                        );
                    }
                    installed.insert(dist);
                }
                Err(err) => oddities.push(odd(err.to_string())),
            }
        }
    }
    Ok((installed, oddities))
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
mod tests {
    use super::*;

    fn write_dist(folder: &Path, dist_info: &str, metadata: &str) {
        let path = folder.join(dist_info);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("METADATA"), metadata).unwrap();
    }

    #[test]
    fn distributions_are_read_from_dist_info_folders() {
        let dir = tempfile::tempdir().unwrap();
        write_dist(
            dir.path(),
            "Foo_Bar-1.2.dist-info",
            "Metadata-Version: 2.1\r\nName: Foo_Bar\r\nVersion: 1.2\r\nRequires-Dist: baz>=1\r\n\r\nbody",
        );
        write_dist(dir.path(), "broken-1.0.dist-info", "Name: broken\n");
        std::fs::create_dir_all(dir.path().join("foo_bar")).unwrap();
        let (installed, oddities) = read_installed(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<String> = installed.dists.keys().map(ToString::to_string).collect();
        assert_eq!(names, ["foo-bar"]);
        assert_eq!(installed.dists.values().next().unwrap().requires.len(), 1);
        assert_eq!(oddities.len(), 1);
        assert!(oddities[0].message.contains("Version"));
    }

    #[test]
    fn legacy_egg_info_folders_and_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("PyYAML-6.0.egg-info");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(
            folder.join("PKG-INFO"),
            "Metadata-Version: 1.1\nName: PyYAML\nVersion: 6.0\n",
        )
        .unwrap();
        std::fs::write(folder.join("requires.txt"), "six\n[extra]\nother\n").unwrap();
        std::fs::write(
            dir.path().join("chardet-5.1.0.egg-info"),
            "Metadata-Version: 1.1\nName: chardet\nVersion: 5.1.0\n",
        )
        .unwrap();
        let (installed, oddities) = read_installed(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<String> = installed.dists.keys().map(ToString::to_string).collect();
        assert_eq!(names, ["chardet", "pyyaml"]);
        assert_eq!(installed.dists.values().nth(1).unwrap().requires.len(), 2);
        assert!(oddities.is_empty(), "{oddities:?}");
    }

    #[test]
    fn a_missing_folder_is_an_empty_environment() {
        let (installed, _) = read_installed(&["/nonexistent/site-packages".into()]).unwrap();
        assert!(installed.dists.is_empty());
    }
}
