//! Where sandboxes are made: a RAM-backed folder when the machine has a roomy one.
//! Creating the ~1,100 files of a venv copy costs ~0.8 ms each on the CI disk and
//! ~0.03 ms on tmpfs, which is most of a small test's time.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A small `/dev/shm` (64 MiB in a default Docker container) would fill up under
/// parallel tests; below this size the disk is used instead.
const MIN_TMPFS_BYTES: u64 = 1 << 30;

const SANDBOXES: &str = "pkgm-sandboxes";

/// The parent of every sandbox: `$PKGM_TEST_TMPDIR`, else a roomy `/dev/shm`, else
/// cargo's `target/tmp`. Sandboxes left by dead test processes are removed on first use.
pub fn sandboxes_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let base = std::env::var_os("PKGM_TEST_TMPDIR")
            .map(PathBuf::from)
            .or_else(roomy_dev_shm)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
        let root = base.join(SANDBOXES);
        std::fs::create_dir_all(&root)
            .unwrap_or_else(|err| panic!("create {}: {err}", root.display()));
        remove_orphans(&root);
        root
    })
}

/// The name prefix of this process's sandboxes; the pid lets a later run spot orphans.
pub fn sandbox_prefix() -> String {
    format!("sandbox-{}-", std::process::id())
}

fn roomy_dev_shm() -> Option<PathBuf> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    let options = mounts.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [_, "/dev/shm", "tmpfs", options, ..] => Some(options.to_string()),
            _ => None,
        }
    })?;
    // Without a size= option tmpfs defaults to half the RAM: roomy.
    let size = options
        .split(',')
        .find_map(|option| option.strip_prefix("size="))
        .map_or(Some(u64::MAX), parse_size)?;
    (size >= MIN_TMPFS_BYTES).then(|| PathBuf::from("/dev/shm"))
}

/// `/proc/mounts` sizes: bytes, or with a `k`, `m` or `g` suffix.
fn parse_size(text: &str) -> Option<u64> {
    let (digits, factor) = match text.chars().last()? {
        'k' | 'K' => (&text[..text.len() - 1], 1 << 10),
        'm' | 'M' => (&text[..text.len() - 1], 1 << 20),
        'g' | 'G' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(factor)
}

/// Removes `sandbox-PID-*` folders whose process is gone (killed runs, `PKGM_TEST_KEEP=1`).
fn remove_orphans(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|name| name.strip_prefix("sandbox-"))
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn mount_sizes_parse_with_suffixes() {
        assert_eq!(parse_size("24684084k"), Some(24_684_084 * 1024));
        assert_eq!(parse_size("64m"), Some(64 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("lots"), None);
    }
}
