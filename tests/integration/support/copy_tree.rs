//! Copying a folder tree the way a venv needs: symlinks stay symlinks, modification times are
//! kept (Python's `.pyc` files are validated against their source's mtime), nothing is followed.

use std::fs::{self, File, FileTimes};
use std::io;
use std::path::Path;

/// Copies `from` to `to` (which must not exist yet), recursively.
pub fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&source)?, &target)?;
        } else if kind.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            copy_file(&source, &target)?;
        }
    }
    Ok(())
}

fn copy_file(source: &Path, target: &Path) -> io::Result<()> {
    // One open of each side: creating files dominates the cost of copying a venv.
    let mut reader = File::open(source)?;
    let metadata = reader.metadata()?;
    let mut writer = File::options().write(true).create_new(true).open(target)?;
    io::copy(&mut reader, &mut writer)?;
    writer.set_permissions(metadata.permissions())?;
    writer.set_times(FileTimes::new().set_modified(metadata.modified()?))
}
