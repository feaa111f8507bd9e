//! What signature checks need from the state: refused runs, and the last apply that
//! completed with a valid signature (the anti-rollback mark).

use rusqlite::{params, OptionalExtension};

use super::{NewRun, RunStatus, Store, StoreError};

/// The last completed, signed apply of a manifest name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedApply {
    pub revision: u64,
    pub sha256: String,
    /// The exact bytes, when they are still the last applied manifest of that name.
    pub manifest: Option<(String, Vec<u8>)>,
}

impl Store {
    /// Records a run refused before it changed anything.
    pub fn record_refused(
        &self,
        run: &NewRun,
        error: &str,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let id = self.insert_run(run, now_ms, RunStatus::Refused, Some(now_ms))?;
        self.finish_run(id, RunStatus::Refused, None, Some(error), now_ms)?;
        Ok(id)
    }

    /// The highest revision applied to completion with a valid signature. Unsigned applies
    /// (`--allow-unsigned`) never move this mark, so a local experiment cannot lock out
    /// the signed manifests that follow, nor reopen the door to older ones.
    pub fn last_signed_apply(&self, name: &str) -> Result<Option<SignedApply>, StoreError> {
        let row: Option<(i64, i64, String)> = self
            .connection
            .query_row(
                "SELECT id, revision, sha256 FROM runs
                 WHERE command = 'apply' AND status = 'succeeded' AND unsigned = 0
                   AND manifest_name = ?1 AND revision IS NOT NULL AND sha256 IS NOT NULL
                 ORDER BY revision DESC, id DESC LIMIT 1",
                params![name],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .map_err(|e| self.fail(e))?;
        let Some((run_id, revision, sha256)) = row else {
            return Ok(None);
        };
        let manifest = self
            .last_applied(name)?
            .filter(|applied| applied.run_id == run_id)
            .map(|applied| (applied.file_name, applied.manifest));
        Ok(Some(SignedApply {
            revision: revision as u64,
            sha256,
            manifest,
        }))
    }
}
