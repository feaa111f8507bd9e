//! The state database, opened only when a command first needs it, so that a manifest that
//! cannot be read or parsed leaves no state behind.

use std::cell::OnceCell;
use std::path::Path;

use crate::effects::store::Store;

pub struct StateStore<'a> {
    path: &'a Path,
    /// Whether a missing database may be created (`verify` only reads one that exists).
    create: bool,
    store: OnceCell<Option<Store>>,
}

impl<'a> StateStore<'a> {
    pub fn new(path: &'a Path, create: bool) -> Self {
        Self {
            path,
            create,
            store: OnceCell::new(),
        }
    }

    /// The store, or `None` when it does not exist and may not be created.
    pub fn get(&self) -> anyhow::Result<Option<&Store>> {
        if let Some(store) = self.store.get() {
            return Ok(store.as_ref());
        }
        let existed = self.path.exists();
        let store = match self.create || existed {
            true => Some(Store::open(self.path)?),
            false => None,
        };
        if !existed && store.is_some() {
            // A new state starts a new history: say where, so a run from elsewhere (or
            // with another `--state`) is not a surprise.
            tracing::warn!(
                "created the state `{}` (history, applied revisions, accounts); \
                 `--state` or PKGM_STATE picks another",
                self.path.display()
            );
        }
        Ok(self.store.get_or_init(|| store).as_ref())
    }

    /// The store of a command that creates it when missing.
    pub fn open(&self) -> anyhow::Result<&Store> {
        match self.get()? {
            Some(store) => Ok(store),
            None => anyhow::bail!(
                "the state database `{}` does not exist",
                self.path.display()
            ),
        }
    }
}

/// The store of a command that only reads accounts (`whoami`, `users`): one that does not
/// exist has none, and is not created to say so.
pub fn existing_store(path: &Path) -> anyhow::Result<Store> {
    if !path.exists() {
        anyhow::bail!(
            "there is no state at `{}`, so no accounts and no sessions\n\
             hint: accounts come from a manifest's `users:` applied with this state; \
             set `PKGM_STATE` (or `--state`) to the one you mean",
            path.display()
        );
    }
    Ok(Store::open(path)?)
}
