//! Facts about transactions already written that a new one depends on:
//! whether its idempotency key was seen, and when the newest one was written.

use rusqlite::{Connection, OptionalExtension};

use super::{CachedSql, LedgerError};
use crate::domain::{IdempotencyKey, TxId};

/// An earlier transaction written with this key: its id and fingerprint.
pub fn find_by_key(
    conn: &Connection,
    key: &IdempotencyKey,
) -> Result<Option<(TxId, String)>, LedgerError> {
    Ok(conn
        .one(
            "SELECT id, fingerprint FROM transactions WHERE idem_key = ?1",
            [key.as_str()],
            |r| Ok((TxId(r.get(0)?), r.get(1)?)),
        )
        .optional()?)
}

/// When the newest transaction was written (UTC micros), for clock sanity.
pub fn newest_entry_at(conn: &Connection) -> Result<Option<i64>, LedgerError> {
    // MAX, not the last id: entries written within the clock tolerance may be
    // out of time order. One row (NULL when empty), found through the index.
    Ok(conn.one("SELECT MAX(at_us) FROM transactions", [], |r| {
        r.get::<_, Option<i64>>(0)
    })?)
}
