//! Creating a household with its first guardian.

use std::path::Path;

use crate::auth::{self, Pin};
use crate::config::Config;
use crate::domain::{Clock, Name};
use crate::ledger::{self, Store};

use super::ServiceError;

/// Creates the database with its first guardian and their PIN (hashed with
/// argon2id). On any failure the new file is removed, so a half-made
/// household is never left behind.
pub fn init_household(
    path: &Path,
    config: &Config,
    guardian: &Name,
    pin: &Pin,
    clock: &dyn Clock,
) -> Result<Store, ServiceError> {
    let phc = auth::hash_pin(pin)?;
    let (recipe, derived) = auth::new_seal_key(pin)?;
    let mut store = Store::create(path, config, clock.now())?;
    // The first guardian's first seal covers the household as it begins.
    let added = store.write(clock, |w| {
        let id = ledger::found_household(w, guardian, &phc)?;
        let key = ledger::add_seal_key(w, id, &recipe, derived)?;
        w.seal_also_with(&key);
        Ok::<_, ledger::LedgerError>(id)
    });
    if let Err(e) = added {
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        return Err(e.into());
    }
    Ok(store)
}
