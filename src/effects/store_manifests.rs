//! The manifest bytes kept with each run, for `history ID`'s diff against the apply before.

use rusqlite::{params, OptionalExtension};

use super::store::{Store, StoreError};

/// A manifest as it was at some earlier successful apply.
#[derive(Debug, Clone)]
pub struct EarlierManifest {
    pub run_id: i64,
    pub revision: u64,
    pub finished_at_ms: i64,
    pub bytes: Vec<u8>,
}

impl Store {
    /// The exact bytes a run was given, when it recorded them.
    pub fn run_manifest(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.connection()
            .query_row(
                "SELECT manifest FROM runs WHERE id = ?1",
                params![id],
                |row| row.get::<_, Option<Vec<u8>>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.fail(e))
    }

    /// The manifest of the last successful apply of `name` before run `before`.
    pub fn applied_manifest_before(
        &self,
        name: &str,
        before: i64,
    ) -> Result<Option<EarlierManifest>, StoreError> {
        self.connection()
            .query_row(
                "SELECT id, revision, finished_at_ms, manifest FROM runs
                 WHERE manifest_name = ?1 AND id < ?2 AND command = 'apply'
                   AND status = 'succeeded' AND manifest IS NOT NULL
                 ORDER BY id DESC LIMIT 1",
                params![name, before],
                |row| {
                    Ok(EarlierManifest {
                        run_id: row.get(0)?,
                        revision: row.get::<_, Option<i64>>(1)?.unwrap_or(0) as u64,
                        finished_at_ms: row.get::<_, Option<i64>>(2)?.unwrap_or(0),
                        bytes: row.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.fail(e))
    }
}
