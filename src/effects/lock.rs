//! Serialises applies on one state: an OS file lock beside the database, holding the
//! holder's pid and start time so a waiting run can say who has it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Who holds the lock, as written into the lock file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub since_ms: i64,
    pub command: String,
    /// What the holder is waiting for while it holds the lock, such as a person answering
    /// its confirmation prompt (absent while it works).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "the lock file `{path}` is a symbolic link; pkgm never writes through one\n\
         hint: remove it (`rm {path}`); pkgm makes a new one"
    )]
    Link { path: PathBuf },
    #[error("cannot open the lock file `{path}`: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "another pkgm run holds the state lock `{path}` ({})\n{}",
        describe(holder),
        held_hint(holder)
    )]
    Held {
        path: PathBuf,
        holder: Option<Holder>,
    },
    #[error("stopped waiting for the state lock `{path}`: shutdown requested")]
    Abandoned { path: PathBuf },
}

fn describe(holder: &Option<Holder>) -> String {
    match holder {
        Some(holder) => format!(
            "`{}`, pid {}, since {}{}",
            crate::core::text::shown(&holder.command),
            holder.pid,
            crate::render::timestamp(holder.since_ms),
            holder
                .waiting_for
                .as_deref()
                .map_or(String::new(), |what| format!(
                    ", waiting for {}",
                    crate::core::text::shown(what)
                )),
        ),
        None => "holder unknown".into(),
    }
}

fn held_hint(holder: &Option<Holder>) -> &'static str {
    match holder.as_ref().and_then(|h| h.waiting_for.as_deref()) {
        Some(_) => {
            "hint: it waits for someone, not for work: answer it (or stop it with Ctrl-C), \
             or pass `--lock-timeout DURATION` to wait longer"
        }
        None => "hint: wait for it to finish, or pass `--lock-timeout DURATION` to wait longer",
    }
}

/// The held lock; released when dropped (and by the OS if the process dies).
#[derive(Debug)]
pub struct StateLock {
    file: File,
    holder: Holder,
    /// Set when the previous holder's record was left by a process that is gone.
    pub taken_over_from: Option<Holder>,
}

/// The lock file for a state database.
pub fn lock_path(state: &Path) -> PathBuf {
    let mut name = state.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    state.with_file_name(name)
}

impl StateLock {
    /// Takes the lock, waiting up to `timeout` for another holder to finish.
    pub fn acquire(
        state: &Path,
        timeout: Duration,
        command: &str,
        now_ms: i64,
    ) -> Result<Self, LockError> {
        Self::acquire_unless(state, timeout, command, now_ms, &|| false)
    }

    /// Like [`StateLock::acquire`], but stops waiting as soon as `give_up` says so
    /// (checked between attempts), so a shutdown is not held up by another run's apply.
    pub fn acquire_unless(
        state: &Path,
        timeout: Duration,
        command: &str,
        now_ms: i64,
        give_up: &dyn Fn() -> bool,
    ) -> Result<Self, LockError> {
        let path = lock_path(state);
        let open_error = |source| LockError::Open {
            path: path.clone(),
            source,
        };
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            // A lock file that is a link would have pkgm write its holder record (and
            // truncate) wherever the link points.
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&path)
            .map_err(|source| match source.raw_os_error() {
                Some(libc::ELOOP) => LockError::Link { path: path.clone() },
                _ => open_error(source),
            })?;
        let deadline = Instant::now() + timeout;
        let mut said_so = false;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if give_up() => {
                    return Err(LockError::Abandoned { path })
                }
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    if !said_so {
                        // A silent wait looks like a hang: say once who is being waited for.
                        tracing::warn!(
                            "waiting up to {} for the state lock ({})",
                            humantime::format_duration(timeout),
                            describe(&read_holder(&mut file))
                        );
                        said_so = true;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(LockError::Held {
                        holder: read_holder(&mut file),
                        path,
                    })
                }
                Err(std::fs::TryLockError::Error(err)) => return Err(open_error(err)),
            }
        }
        // The OS released the lock of any dead holder; its record may still be there.
        let taken_over_from = read_holder(&mut file).filter(|old| !process_alive(old.pid));
        let holder = Holder {
            pid: std::process::id(),
            since_ms: now_ms,
            command: command.to_string(),
            waiting_for: None,
        };
        write_holder(&file, &holder).map_err(open_error)?;
        Ok(Self {
            file,
            holder,
            taken_over_from,
        })
    }

    /// Tells runs that wait for this lock what this holder waits for (`None`: it works again).
    /// Best effort: the record only explains a wait, it never decides who holds the lock.
    pub fn waiting_for(&mut self, what: Option<&str>) {
        if self.holder.waiting_for.as_deref() == what {
            return;
        }
        self.holder.waiting_for = what.map(str::to_string);
        if let Err(err) = write_holder(&self.file, &self.holder) {
            tracing::debug!("could not update the lock's holder record: {err}");
        }
    }
}

fn write_holder(mut file: &File, holder: &Holder) -> std::io::Result<()> {
    let record = serde_json::to_vec(holder).unwrap_or_default();
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&record)?;
    file.sync_data()
}

impl Drop for StateLock {
    /// Clears the holder record before the lock goes: only a process that dies while
    /// holding it leaves its record behind (and is then reported as taken over).
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_told_who_has_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.db");
        let _held = StateLock::acquire(&state, Duration::ZERO, "pkgm apply m.yaml", 0).unwrap();
        let err = StateLock::acquire(&state, Duration::from_millis(200), "other", 0).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("`pkgm apply m.yaml`"), "{message}");
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        assert!(message.contains("hint: wait for it to finish"), "{message}");
    }

    #[test]
    fn a_holder_at_a_prompt_says_so_until_it_works_again() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.db");
        let mut held = StateLock::acquire(&state, Duration::ZERO, "pkgm apply m.yaml", 0).unwrap();
        held.waiting_for(Some("an answer at its confirmation prompt"));
        let message = StateLock::acquire(&state, Duration::ZERO, "other", 0)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("waiting for an answer at its confirmation prompt")
                && message.contains("hint: it waits for someone, not for work"),
            "{message}"
        );
        held.waiting_for(None);
        let message = StateLock::acquire(&state, Duration::ZERO, "other", 0)
            .unwrap_err()
            .to_string();
        assert!(!message.contains("waiting for"), "{message}");
    }

    #[test]
    fn waiting_stops_when_asked_to() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.db");
        let _held = StateLock::acquire(&state, Duration::ZERO, "first", 0).unwrap();
        let started = Instant::now();
        let err = StateLock::acquire_unless(&state, Duration::from_secs(60), "watch", 0, &|| {
            started.elapsed() > Duration::from_millis(150)
        })
        .unwrap_err();
        assert!(matches!(err, LockError::Abandoned { .. }), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_released_lock_can_be_taken_again() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.db");
        drop(StateLock::acquire(&state, Duration::ZERO, "first", 0).unwrap());
        assert_eq!(
            std::fs::read(lock_path(&state)).unwrap(),
            b"",
            "the record is cleared"
        );
        let second = StateLock::acquire(&state, Duration::ZERO, "second", 0).unwrap();
        assert!(second.taken_over_from.is_none());
    }
}
