//! Build-once folders shared by every test process of this checkout, under cargo's `target/tmp`.
//! Entries are keyed by a digest of everything that shapes them and never change once published.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The folder for an artifact called `label` built from `inputs`, building it if needed.
///
/// `build` fills a private folder; it is then renamed into place, so concurrent test
/// processes never see a half-built entry: the first rename wins and the others drop
/// their copy. Nothing reads an entry back into a build, so a stale key can only waste space.
pub fn cached_dir(label: &str, inputs: &[&[u8]], build: impl FnOnce(&Path)) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pkgm-harness");
    let entry = root.join(format!("{label}-{}", short_digest(inputs)));
    if entry.is_dir() {
        return entry;
    }
    std::fs::create_dir_all(&root).expect("create target/tmp/pkgm-harness");
    let staging = tempfile::Builder::new()
        .prefix(&format!(".building-{label}-"))
        .tempdir_in(&root)
        .expect("create a staging folder in target/tmp");
    build(staging.path());
    // keep(): the staging folder becomes the entry, so TempDir must not delete it.
    let staged = staging.keep();
    if std::fs::rename(&staged, &entry).is_err() {
        // Another process published the same entry first; theirs is identical.
        let _ = std::fs::remove_dir_all(&staged);
        assert!(entry.is_dir(), "cannot publish {}", entry.display());
    }
    entry
}

fn short_digest(inputs: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for input in inputs {
        hasher.update((input.len() as u64).to_le_bytes());
        hasher.update(input);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
