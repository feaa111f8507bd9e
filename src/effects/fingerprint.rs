//! A cheap fingerprint of everything a plan depends on, so that watch's periodic drift
//! check can skip planning when nothing moved: the manifest and signature bytes, the
//! interpreter, the site-packages listing (names and modification times) and the state
//! database's data version. Reads a few small files and directory listings; starts nothing.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use super::interpreter;
use super::store::Store;
use super::target::PythonTarget;

/// Equal fingerprints mean an unchanged plan input. Compare, never inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    manifest: Option<[u8; 32]>,
    signature: Option<[u8; 32]>,
    interpreter: Option<String>,
    site_packages: Option<[u8; 32]>,
    store_version: i64,
}

impl Fingerprint {
    /// Takes the fingerprint of `manifest` (and `MANIFEST.sig`) against `target`'s
    /// environment. `manifest_bytes` are the bytes a cycle already read, if it did.
    pub fn take(
        manifest: &Path,
        manifest_bytes: Option<&[u8]>,
        target: &PythonTarget,
        store: &Store,
    ) -> anyhow::Result<Self> {
        let manifest_digest = match manifest_bytes {
            Some(bytes) => Some(Sha256::digest(bytes).into()),
            None => digest_file(manifest),
        };
        let site_packages = target
            .cached_site_packages(store)?
            .map(|folders| listing_digest(&folders));
        Ok(Self {
            manifest: manifest_digest,
            signature: digest_file(&signature_path(manifest)),
            interpreter: interpreter::fingerprint(target.python()).ok(),
            site_packages,
            store_version: store.data_version()?,
        })
    }
}

/// `MANIFEST.sig` beside the manifest.
pub fn signature_path(manifest: &Path) -> PathBuf {
    let mut name = manifest.as_os_str().to_os_string();
    name.push(".sig");
    PathBuf::from(name)
}

fn digest_file(path: &Path) -> Option<[u8; 32]> {
    // Non-blocking and bounded: a FIFO swapped in for the manifest must not stall watch.
    super::bounded_read::read_bounded(path, 4 * 1024 * 1024)
        .ok()
        .map(|bytes| Sha256::digest(bytes).into())
}

/// Names and modification times of every entry (and of the folders themselves): pip adds,
/// removes or rewrites a `*.dist-info` folder for every change it makes.
fn listing_digest(folders: &[PathBuf]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for folder in folders {
        hasher.update(folder.as_os_str().as_encoded_bytes());
        hasher.update(mtime_nanos(folder).to_le_bytes());
        let mut entries: Vec<(Vec<u8>, u128)> = match std::fs::read_dir(folder) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|entry| {
                    let name = entry.file_name().as_encoded_bytes().to_vec();
                    (name, mtime_nanos(&entry.path()))
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        entries.sort();
        for (name, mtime) in entries {
            hasher.update((name.len() as u64).to_le_bytes());
            hasher.update(&name);
            hasher.update(mtime.to_le_bytes());
        }
    }
    hasher.finalize().into()
}

fn mtime_nanos(path: &Path) -> u128 {
    std::fs::symlink_metadata(path)
        .and_then(|metadata| metadata.modified())
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_entry_or_a_touched_one_changes_the_listing() {
        let dir = tempfile::tempdir().unwrap();
        let folders = vec![dir.path().to_path_buf()];
        std::fs::create_dir(dir.path().join("a-1.0.dist-info")).unwrap();
        let first = listing_digest(&folders);
        assert_eq!(listing_digest(&folders), first);
        std::fs::create_dir(dir.path().join("b-1.0.dist-info")).unwrap();
        let second = listing_digest(&folders);
        assert_ne!(second, first);
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1);
        std::fs::File::open(dir.path().join("a-1.0.dist-info"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_ne!(listing_digest(&folders), second);
    }

    #[test]
    fn the_signature_sits_beside_the_manifest() {
        assert_eq!(
            signature_path(Path::new("conf/manifest.yaml")),
            PathBuf::from("conf/manifest.yaml.sig")
        );
    }
}
