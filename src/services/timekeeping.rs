//! Work the household's clock decides rather than a person: requests expire
//! at their second. The household service runs it as times come due; in
//! embedded mode every write that touches requests runs it first.

use crate::domain::Clock;
use crate::ledger::{self, Store};

use super::ServiceError;

/// When the next pending request expires (UTC micros), if any is pending.
pub fn next_expiry(store: &Store) -> Result<Option<i64>, ServiceError> {
    Ok(store
        .conn()
        .query_row(
            "SELECT MIN(expires_at_us) FROM requests WHERE status = 'pending'",
            [],
            |r| r.get(0),
        )
        .map_err(ledger::LedgerError::from)?)
}

/// Expires every request whose time is up; returns their ids.
pub fn expire_due_requests(store: &mut Store, clock: &dyn Clock) -> Result<Vec<i64>, ServiceError> {
    Ok(store.write(clock, ledger::expire_due)?)
}
