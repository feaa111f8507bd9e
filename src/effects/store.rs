//! The state database (SQLite, WAL, mode 0600): recorded runs, the last applied manifest of
//! each name, and the interpreter cache. Accounts and logins live in `accounts` and `logins`.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::core::installed::InterpreterInfo;
use crate::core::text::mask_credentials;

use super::accounts::ACCOUNTS_SCHEMA;
use super::private_dir::create_private_dir_all;

/// 2 added accounts, login failures, lockouts and the session key, 3 each run's manifest
/// bytes, 4 the environment bindings and each run's manifest file (all additive: older
/// databases gain them on first open).
const SCHEMA_VERSION: i64 = 4;

/// Past this size the WAL is checkpointed and truncated when the store is opened.
const WAL_CHECKPOINT_BYTES: u64 = 256 * 1024;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS interpreters (
    path TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    info TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    manifest_name TEXT,
    revision INTEGER,
    sha256 TEXT,
    signed_by TEXT,
    unsigned INTEGER NOT NULL DEFAULT 0,
    actor TEXT,
    pid INTEGER NOT NULL,
    started_at_ms INTEGER NOT NULL,
    finished_at_ms INTEGER,
    status TEXT NOT NULL,
    step TEXT,
    plan TEXT,
    changed TEXT,
    error TEXT
);
CREATE TABLE IF NOT EXISTS applied (
    name TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    manifest BLOB NOT NULL,
    file_name TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    applied_at_ms INTEGER NOT NULL
);
";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the state database `{path}`: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the state database `{path}` failed: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "the state database `{path}` is a symbolic link; pkgm opens its state only where it is\n\
         hint: pass the real path with `--state` (or `PKGM_STATE`)"
    )]
    Link { path: PathBuf },
    #[error(
        "the state database `{path}` can be read by other users (mode {mode:o}), and it holds \
         the key that signs sessions\nhint: run `chmod 600 {path}`"
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error("the state database `{path}` is not a regular file")]
    NotAFile { path: PathBuf },
    #[error("the state database `{path}` was written by a newer pkgm (schema {found})")]
    TooNew { path: PathBuf, found: i64 },
}

/// How a run ended (or that it has not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Started,
    Succeeded,
    Failed,
    Interrupted,
    Refused,
    Planned,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
            Self::Refused => "refused",
            Self::Planned => "planned",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "succeeded" => Self::Succeeded,
            "failed" => Self::Failed,
            "interrupted" => Self::Interrupted,
            "refused" => Self::Refused,
            "planned" => Self::Planned,
            _ => Self::Started,
        }
    }
}

/// What is known of a run when it starts.
#[derive(Debug, Clone, Default)]
pub struct NewRun {
    pub command: String,
    pub manifest_name: Option<String>,
    pub revision: Option<u64>,
    pub sha256: Option<String>,
    pub signed_by: Option<String>,
    pub unsigned: bool,
    pub actor: Option<String>,
    pub plan: Option<String>,
    /// The exact manifest bytes, so `history ID` can show what changed since the apply before.
    pub manifest: Option<Vec<u8>>,
    /// The manifest file as the command was given it: names a run refused before it was read.
    pub file: Option<String>,
}

impl NewRun {
    /// A run of `command` for one manifest, with its plan document.
    pub fn for_manifest(
        command: &str,
        header: &crate::render::ManifestHeader,
        plan: String,
        manifest: &[u8],
        file: &Path,
    ) -> Self {
        Self {
            command: command.into(),
            manifest_name: Some(header.name.clone()),
            revision: Some(header.revision),
            sha256: Some(header.sha256.clone()),
            signed_by: header.signed_by.clone(),
            unsigned: header.signed_by.is_none(),
            actor: None,
            plan: Some(plan),
            manifest: Some(manifest.to_vec()),
            file: Some(file.to_string_lossy().into_owned()),
        }
    }
}

/// A recorded run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub command: String,
    pub manifest_name: Option<String>,
    pub revision: Option<u64>,
    pub sha256: Option<String>,
    pub signed_by: Option<String>,
    pub unsigned: bool,
    pub actor: Option<String>,
    pub pid: u32,
    #[serde(rename = "started_at", serialize_with = "rfc3339")]
    pub started_at_ms: i64,
    #[serde(rename = "finished_at", serialize_with = "rfc3339_or_null")]
    pub finished_at_ms: Option<i64>,
    pub status: RunStatus,
    pub step: Option<String>,
    /// The manifest file given to the command (runs recorded before schema 4 have none).
    pub file: Option<String>,
    #[serde(skip)]
    pub plan: Option<String>,
    #[serde(skip)]
    pub changed: Option<String>,
    pub error: Option<String>,
}

/// The manifest last applied successfully under one name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Applied {
    pub name: String,
    pub revision: u64,
    pub sha256: String,
    #[serde(skip)]
    pub manifest: Vec<u8>,
    pub file_name: String,
    pub run_id: i64,
    #[serde(rename = "applied_at", serialize_with = "rfc3339")]
    pub applied_at_ms: i64,
}

/// Times in JSON are RFC 3339 (UTC, milliseconds), as in plan and watch output.
fn rfc3339<S: serde::Serializer>(ms: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_millis((*ms).max(0) as u64);
    serializer.collect_str(&humantime::format_rfc3339_millis(time))
}

fn rfc3339_or_null<S: serde::Serializer>(
    ms: &Option<i64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => rfc3339(ms, serializer),
        None => serializer.serialize_none(),
    }
}

pub struct Store {
    connection: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating with mode 0600 when missing) the state database.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.exists() {
                create_private_dir_all(parent).map_err(open_error)?;
            }
        }
        // Never through a link (a dangling one would create the state elsewhere, 0644), and
        // never a state others can read: it holds the session-signing key.
        let opened = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK)
            .open(path);
        let file = match opened {
            Ok(file) => file,
            Err(err) if err.raw_os_error() == Some(libc::ELOOP) => {
                return Err(StoreError::Link {
                    path: path.to_path_buf(),
                })
            }
            Err(err) => return Err(open_error(err)),
        };
        let metadata = file.metadata().map_err(open_error)?;
        if !metadata.is_file() {
            return Err(StoreError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        let mode = std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()) & 0o777;
        if mode & 0o077 != 0 {
            return Err(StoreError::Exposed {
                path: path.to_path_buf(),
                mode,
            });
        }
        drop(file);
        let connection = Connection::open(path).map_err(|source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
        let store = Self {
            connection,
            path: path.to_path_buf(),
        };
        store.prepare()?;
        Ok(store)
    }

    fn prepare(&self) -> Result<(), StoreError> {
        self.connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| self.fail(e))?;
        self.enable_wal().map_err(|e| self.fail(e))?;
        self.connection
            .execute_batch("PRAGMA synchronous = FULL;")
            .map_err(|e| self.fail(e))?;
        // Committed transactions are already durable in the WAL. SQLite would checkpoint on
        // every close (two fsyncs per command), and a fresh process re-reads the whole WAL
        // to rebuild its index, so instead the WAL is folded back and truncated here, once
        // it has grown past a small size: most commands then neither fsync nor re-read.
        self.connection
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                true,
            )
            .map_err(|e| self.fail(e))?;
        self.connection
            .execute_batch("PRAGMA wal_autocheckpoint = 0;")
            .map_err(|e| self.fail(e))?;
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        let wal_bytes = std::fs::metadata(&wal).map_or(0, |m| m.len());
        if wal_bytes > WAL_CHECKPOINT_BYTES {
            // Busy (another process reading) is fine: a later command will fold it back.
            let _ = self
                .connection
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        let version: i64 = self
            .connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| self.fail(e))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
            });
        }
        if version < SCHEMA_VERSION {
            self.migrate().map_err(|e| self.fail(e))?;
        }
        Ok(())
    }

    /// Switches to WAL (a no-op once a database is in WAL mode). Switching takes an
    /// exclusive lock and, unlike other statements, returns "database is locked" at once
    /// instead of waiting: retry while another process opening a new database does the same.
    fn enable_wal(&self) -> rusqlite::Result<()> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match self.connection.execute_batch("PRAGMA journal_mode = WAL;") {
                Err(rusqlite::Error::SqliteFailure(error, _))
                    if error.code == rusqlite::ErrorCode::DatabaseBusy
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                result => return result,
            }
        }
    }

    /// Brings the schema up to date. The version is read again inside the write
    /// transaction: two processes opening a new database at once must not both migrate
    /// (the second `ALTER TABLE` would fail on the column the first one added).
    fn migrate(&self) -> rusqlite::Result<()> {
        self.connection.execute_batch("BEGIN IMMEDIATE")?;
        let migrated = self
            .connection
            .query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))
            .and_then(|version| {
                if version >= SCHEMA_VERSION {
                    return Ok(());
                }
                // Version 2 added the account tables, version 3 the manifest bytes of each
                // run, version 4 the binding of environments to manifest names.
                let mut steps = String::new();
                if version < 2 {
                    steps.push_str(&format!("{SCHEMA} {ACCOUNTS_SCHEMA}"));
                }
                if version < 3 {
                    steps.push_str("ALTER TABLE runs ADD COLUMN manifest BLOB;");
                }
                steps.push_str(stewards::STEWARDS_SCHEMA);
                steps.push_str("ALTER TABLE runs ADD COLUMN file TEXT;");
                self.connection
                    .execute_batch(&format!("{steps} PRAGMA user_version = {SCHEMA_VERSION};"))
            });
        match migrated {
            Ok(()) => self.connection.execute_batch("COMMIT"),
            Err(error) => {
                let _ = self.connection.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    pub(crate) fn fail(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Changes whenever another connection commits to the database (SQLite's
    /// `data_version`), never for this connection's own writes: how watch notices that
    /// someone else touched the state without reading it.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.connection
            .query_row("PRAGMA data_version", [], |row| row.get(0))
            .map_err(|e| self.fail(e))
    }

    pub fn cached_interpreter(
        &self,
        path: &Path,
        fingerprint: &str,
    ) -> Result<Option<InterpreterInfo>, StoreError> {
        let info: Option<String> = self
            .connection
            .query_row(
                "SELECT info FROM interpreters WHERE path = ?1 AND fingerprint = ?2",
                params![path.to_string_lossy(), fingerprint],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.fail(e))?;
        // An unreadable cache entry is simply a miss: the interpreter is asked again.
        Ok(info.and_then(|info| serde_json::from_str(&info).ok()))
    }

    pub fn cache_interpreter(
        &self,
        path: &Path,
        fingerprint: &str,
        info: &InterpreterInfo,
    ) -> Result<(), StoreError> {
        let info = serde_json::to_string(info).unwrap_or_default();
        self.connection
            .execute(
                "INSERT OR REPLACE INTO interpreters (path, fingerprint, info) VALUES (?1, ?2, ?3)",
                params![path.to_string_lossy(), fingerprint, info],
            )
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }

    /// Journals a run as started; it stays `started` until finished, so a crash shows.
    pub fn start_run(&self, run: &NewRun, now_ms: i64) -> Result<i64, StoreError> {
        self.insert_run(run, now_ms, RunStatus::Started, None)
    }

    /// Records a plan. Plans are informational, so this write skips the fsync that
    /// `synchronous = FULL` would cost; a crash may lose the record, never the database.
    pub fn record_plan(&self, run: &NewRun, now_ms: i64) -> Result<i64, StoreError> {
        self.connection
            .execute_batch("PRAGMA synchronous = NORMAL;")
            .map_err(|e| self.fail(e))?;
        let id = self.insert_run(run, now_ms, RunStatus::Planned, Some(now_ms));
        self.connection
            .execute_batch("PRAGMA synchronous = FULL;")
            .map_err(|e| self.fail(e))?;
        id
    }

    fn insert_run(
        &self,
        run: &NewRun,
        now_ms: i64,
        status: RunStatus,
        finished_at_ms: Option<i64>,
    ) -> Result<i64, StoreError> {
        self.connection
            .execute(
                "INSERT INTO runs (command, manifest_name, revision, sha256, signed_by, unsigned,
                                   actor, pid, started_at_ms, finished_at_ms, status, plan,
                                   manifest, file)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    run.command,
                    run.manifest_name,
                    run.revision.map(|r| r as i64),
                    run.sha256,
                    run.signed_by,
                    run.unsigned,
                    run.actor,
                    std::process::id(),
                    now_ms,
                    finished_at_ms,
                    status.as_str(),
                    run.plan,
                    run.manifest,
                    run.file,
                ],
            )
            .map_err(|e| self.fail(e))?;
        Ok(self.connection.last_insert_rowid())
    }

    /// Notes which step a started run has reached, so an interruption says where it stopped.
    pub fn set_step(&self, id: i64, step: &str) -> Result<(), StoreError> {
        self.connection
            .execute("UPDATE runs SET step = ?2 WHERE id = ?1", params![id, step])
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }

    pub fn finish_run(
        &self,
        id: i64,
        status: RunStatus,
        changed: Option<&str>,
        error: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE runs SET status = ?2, changed = ?3, error = ?4, finished_at_ms = ?5
                 WHERE id = ?1",
                // An error may quote an installer command line holding an index token.
                params![
                    id,
                    status.as_str(),
                    changed,
                    error.map(mask_credentials),
                    now_ms
                ],
            )
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }

    /// Marks every run still `started` as interrupted. Call only while holding the apply
    /// lock: then no started run can still be alive.
    pub fn mark_interrupted(&self, now_ms: i64) -> Result<Vec<RunRecord>, StoreError> {
        let stale = self.query_runs("WHERE status = 'started' ORDER BY id", [])?;
        self.connection
            .execute(
                "UPDATE runs SET status = 'interrupted', finished_at_ms = ?1
                 WHERE status = 'started'",
                params![now_ms],
            )
            .map_err(|e| self.fail(e))?;
        Ok(stale)
    }

    pub fn runs(&self, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        self.query_runs("ORDER BY id DESC LIMIT ?1", params![limit])
    }

    pub fn run(&self, id: i64) -> Result<Option<RunRecord>, StoreError> {
        Ok(self.query_runs("WHERE id = ?1", params![id])?.pop())
    }

    /// The latest apply of each manifest name (watch's refusals included), for `status`.
    /// Runs refused before their manifest was parsed have no name and form one group.
    pub fn latest_runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        self.query_runs(
            "WHERE id IN (SELECT MAX(id) FROM runs WHERE command IN ('apply', 'watch')
                          GROUP BY manifest_name)
             ORDER BY manifest_name",
            [],
        )
    }

    fn query_runs(
        &self,
        clause: &str,
        parameters: impl rusqlite::Params,
    ) -> Result<Vec<RunRecord>, StoreError> {
        let sql = format!(
            "SELECT id, command, manifest_name, revision, sha256, signed_by, unsigned, actor, pid,
                    started_at_ms, finished_at_ms, status, step, plan, changed, error, file
             FROM runs {clause}"
        );
        let mut statement = self.connection.prepare(&sql).map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map(parameters, |row| {
                Ok(RunRecord {
                    id: row.get(0)?,
                    command: row.get(1)?,
                    manifest_name: row.get(2)?,
                    revision: row.get::<_, Option<i64>>(3)?.map(|r| r as u64),
                    sha256: row.get(4)?,
                    signed_by: row.get(5)?,
                    unsigned: row.get(6)?,
                    actor: row.get(7)?,
                    pid: row.get(8)?,
                    started_at_ms: row.get(9)?,
                    finished_at_ms: row.get(10)?,
                    status: RunStatus::parse(&row.get::<_, String>(11)?),
                    step: row.get(12)?,
                    plan: row.get(13)?,
                    changed: row.get(14)?,
                    error: row.get(15)?,
                    file: row.get(16)?,
                })
            })
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    pub fn last_applied(&self, name: &str) -> Result<Option<Applied>, StoreError> {
        Ok(self.query_applied("WHERE name = ?1", params![name])?.pop())
    }

    pub fn all_applied(&self) -> Result<Vec<Applied>, StoreError> {
        self.query_applied("ORDER BY name", [])
    }

    fn query_applied(
        &self,
        clause: &str,
        parameters: impl rusqlite::Params,
    ) -> Result<Vec<Applied>, StoreError> {
        let sql = format!(
            "SELECT name, revision, sha256, manifest, file_name, run_id, applied_at_ms
             FROM applied {clause}"
        );
        let mut statement = self.connection.prepare(&sql).map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map(parameters, |row| {
                Ok(Applied {
                    name: row.get(0)?,
                    revision: row.get::<_, i64>(1)? as u64,
                    sha256: row.get(2)?,
                    manifest: row.get(3)?,
                    file_name: row.get(4)?,
                    run_id: row.get(5)?,
                    applied_at_ms: row.get(6)?,
                })
            })
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    /// Records a successful apply and finishes its run, in one transaction.
    pub fn record_applied(&self, applied: &Applied, changed: &str) -> Result<(), StoreError> {
        let transaction = self
            .connection
            .unchecked_transaction()
            .map_err(|e| self.fail(e))?;
        transaction
            .execute(
                "INSERT OR REPLACE INTO applied
                     (name, revision, sha256, manifest, file_name, run_id, applied_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    applied.name,
                    applied.revision as i64,
                    applied.sha256,
                    applied.manifest,
                    applied.file_name,
                    applied.run_id,
                    applied.applied_at_ms
                ],
            )
            .map_err(|e| self.fail(e))?;
        transaction
            .execute(
                "UPDATE runs SET status = 'succeeded', changed = ?2, finished_at_ms = ?3
                 WHERE id = ?1",
                params![applied.run_id, changed, applied.applied_at_ms],
            )
            .map_err(|e| self.fail(e))?;
        transaction.commit().map_err(|e| self.fail(e))
    }
}

#[path = "store_signatures.rs"]
mod signatures;
pub use signatures::SignedApply;

#[path = "store_stewards.rs"]
mod stewards;

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
