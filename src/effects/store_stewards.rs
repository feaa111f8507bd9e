//! Which manifest name each environment is bound to (see `core::stewardship`).

use rusqlite::{params, OptionalExtension};

use crate::core::stewardship::Binding;

use super::{Store, StoreError};

/// Version 4: the binding of environments to manifest names.
pub(super) const STEWARDS_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS stewards (
    environment TEXT PRIMARY KEY,
    manifest_name TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    since_ms INTEGER NOT NULL
);
";

impl Store {
    /// The manifest name bound to `environment` (a venv folder or an interpreter path).
    pub fn steward_of(&self, environment: &str) -> Result<Option<Binding>, StoreError> {
        self.connection
            .query_row(
                "SELECT manifest_name, run_id FROM stewards WHERE environment = ?1",
                params![environment],
                |row| {
                    Ok(Binding {
                        manifest: row.get(0)?,
                        run_id: row.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.fail(e))
    }

    /// Binds `environment` to `name` from run `run_id` on (a take-over replaces the binding).
    pub fn bind_steward(
        &self,
        environment: &str,
        name: &str,
        run_id: i64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO stewards (environment, manifest_name, run_id, since_ms)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (environment) DO UPDATE
                 SET manifest_name = ?2, run_id = ?3, since_ms = ?4
                 WHERE manifest_name != ?2",
                params![environment, name, run_id, now_ms],
            )
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }
}
