//! Creating a household and adding members.

use std::path::Path;

use crate::config::Config;
use crate::domain::{BirthDate, Clock, MemberId, Name, Role};
use crate::ledger::{self, Store};

use super::ServiceError;

/// Creates the database with its first guardian. On any failure the new file
/// is removed, so a half-made household is never left behind.
pub fn init_household(
    path: &Path,
    config: &Config,
    guardian: &Name,
    clock: &dyn Clock,
) -> Result<Store, ServiceError> {
    let mut store = Store::create(path, config, clock.now())?;
    let added = store.write(clock, |w| {
        ledger::add_member(w, guardian, Role::Guardian, None, w.now())
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

/// Adds a member. Teens and creators need a birthdate; guardians may omit it
/// (they are treated as adults).
pub fn add_member(
    store: &mut Store,
    clock: &dyn Clock,
    name: &Name,
    role: Role,
    birthdate: Option<BirthDate>,
) -> Result<MemberId, ServiceError> {
    if birthdate.is_none() && role != Role::Guardian {
        return Err(ServiceError::BirthdateRequired {
            name: name.to_string(),
        });
    }
    store.write(clock, |w| {
        Ok(ledger::add_member(w, name, role, birthdate, w.now())?)
    })
}
