use super::*;

fn write_dist(folder: &Path, dist_info: &str, metadata: &str) {
    let path = folder.join(dist_info);
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("METADATA"), metadata).unwrap();
}

fn read(site_dirs: &[&Path], target: &Path) -> (InstalledSet, Vec<Oddity>) {
    let folders = SiteFolders {
        site_dirs: site_dirs.iter().map(|p| p.to_path_buf()).collect(),
        target_dirs: vec![target.to_path_buf()],
    };
    read_installed(&folders).unwrap()
}

fn versions(installed: &InstalledSet) -> Vec<String> {
    installed
        .dists
        .values()
        .map(|d| {
            format!(
                "{} {}{}",
                d.name,
                d.version,
                if d.outside_target { " outside" } else { "" }
            )
        })
        .collect()
}

#[test]
fn distributions_are_read_from_dist_info_folders() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(
        dir.path(),
        "Foo_Bar-1.2.dist-info",
        "Metadata-Version: 2.1\r\nName: Foo_Bar\r\nVersion: 1.2\r\nRequires-Dist: baz>=1\r\n\r\nbody",
    );
    std::fs::create_dir_all(dir.path().join("foo_bar")).unwrap();
    let (installed, oddities) = read(&[dir.path()], dir.path());
    assert_eq!(versions(&installed), ["foo-bar 1.2"]);
    assert_eq!(installed.dists.values().next().unwrap().requires.len(), 1);
    assert!(oddities.is_empty(), "{oddities:?}");
}

#[test]
fn unreadable_metadata_falls_back_to_the_folder_name_as_pip_lists_it() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(dir.path(), "broken-1.0.dist-info", "Name: broken\n");
    std::fs::create_dir_all(dir.path().join("nometa-2.0.dist-info")).unwrap();
    write_dist(
        dir.path(),
        "badver-3.0.dist-info",
        "Name: badver\nVersion: banana\n",
    );
    std::fs::create_dir_all(dir.path().join("hopeless.dist-info")).unwrap();
    let (installed, oddities) = read(&[dir.path()], dir.path());
    assert_eq!(
        versions(&installed),
        ["badver 3.0", "broken 1.0", "nometa 2.0"]
    );
    assert_eq!(oddities.len(), 4, "{oddities:?}");
    assert!(oddities.iter().any(|o| o.message.ends_with("; skipped")));
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
    let (installed, oddities) = read(&[dir.path()], dir.path());
    assert_eq!(versions(&installed), ["chardet 5.1.0", "pyyaml 6.0"]);
    assert_eq!(installed.dists.values().nth(1).unwrap().requires.len(), 2);
    assert!(oddities.is_empty(), "{oddities:?}");
}

#[test]
fn the_first_folder_on_the_import_path_wins_and_later_copies_are_outside() {
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("venv");
    let base = dir.path().join("base");
    write_dist(
        &venv,
        "six-1.17.0.dist-info",
        "Name: six\nVersion: 1.17.0\n",
    );
    write_dist(
        &base,
        "six-1.16.0.dist-info",
        "Name: six\nVersion: 1.16.0\n",
    );
    write_dist(&base, "idna-3.7.dist-info", "Name: idna\nVersion: 3.7\n");
    let (installed, oddities) = read(&[&venv, &base], &venv);
    assert_eq!(versions(&installed), ["idna 3.7 outside", "six 1.17.0"]);
    assert!(oddities.is_empty(), "{oddities:?}");
}

#[test]
fn folders_named_by_pth_files_are_read_after_their_site_folder() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let project = dir.path().join("project");
    let egg = site.join("old-1.0-py3.11.egg");
    write_dist(&project, "devpkg.egg-info", "Name: devpkg\nVersion: 0.1\n");
    std::fs::rename(
        project.join("devpkg.egg-info/METADATA"),
        project.join("devpkg.egg-info/PKG-INFO"),
    )
    .unwrap();
    std::fs::create_dir_all(egg.join("EGG-INFO")).unwrap();
    std::fs::write(egg.join("EGG-INFO/PKG-INFO"), "Name: old\nVersion: 1.0\n").unwrap();
    std::fs::write(
        site.join("easy-install.pth"),
        format!("# comment\nimport sys; sys.path.append('/nowhere')\n{}\n./old-1.0-py3.11.egg\n/missing\n", project.display()),
    )
    .unwrap();
    std::fs::write(
        site.join("devpkg.egg-link"),
        format!("{}\n.", project.display()),
    )
    .unwrap();
    assert_eq!(
        import_path(std::slice::from_ref(&site)),
        [site.clone(), project.clone(), egg.clone()]
    );
    let (installed, oddities) = read(&[&site], &site);
    assert_eq!(
        versions(&installed),
        ["devpkg 0.1 outside", "old 1.0 outside"]
    );
    assert!(oddities.is_empty(), "{oddities:?}");
}

#[test]
fn a_second_copy_in_one_folder_is_reported_and_the_first_listed_is_used() {
    let dir = tempfile::tempdir().unwrap();
    write_dist(
        dir.path(),
        "six-1.16.0.dist-info",
        "Name: six\nVersion: 1.16.0\n",
    );
    write_dist(
        dir.path(),
        "six-1.17.0.dist-info",
        "Name: six\nVersion: 1.17.0\n",
    );
    let first = list_folder(dir.path()).unwrap()[0]
        .to_string_lossy()
        .into_owned();
    let (installed, oddities) = read(&[dir.path()], dir.path());
    let expected = first
        .trim_start_matches("six-")
        .trim_end_matches(".dist-info");
    assert_eq!(versions(&installed), [format!("six {expected}")]);
    assert_eq!(oddities.len(), 1);
    assert!(
        oddities[0].message.contains("a second copy of `six`"),
        "{oddities:?}"
    );
}

#[test]
fn a_missing_folder_is_an_empty_environment() {
    let missing = Path::new("/nonexistent/site-packages");
    let (installed, _) = read(&[missing], missing);
    assert!(installed.dists.is_empty());
}
