//! Accounts by name: per member (wallet, earnings), external money (funding,
//! payout) and the platform's own. Created on first use.

use rusqlite::{Connection, OptionalExtension, params};

use super::{CachedSql, LedgerError};
use crate::domain::Account;
use crate::money::Currency;

/// The account's id, creating it on first use.
pub(crate) fn ensure(
    conn: &Connection,
    account: Account,
    currency: Currency,
) -> Result<i64, LedgerError> {
    let name = account.name();
    if let Some(id) = lookup(conn, &name)? {
        return Ok(id);
    }
    conn.run(
        "INSERT INTO accounts (name, unit) VALUES (?1, ?2)",
        params![name, account.unit().code(currency)],
    )?;
    Ok(conn.last_insert_rowid())
}

fn lookup(conn: &Connection, name: &str) -> Result<Option<i64>, LedgerError> {
    Ok(conn
        .one("SELECT id FROM accounts WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

/// An account's balance in its unit (money in micro-units): one row read.
pub fn balance(conn: &Connection, account: Account) -> Result<i64, LedgerError> {
    Ok(conn
        .one(
            "SELECT b.balance FROM balances b JOIN accounts a ON a.id = b.account_id WHERE a.name = ?1",
            [account.name()],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}
