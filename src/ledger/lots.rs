//! FIFO coin lots: which coins a gift spends, and what they cost in money.
//! Only open lots (with coins left) are read, so FIFO never scans history.

use rusqlite::{Connection, OptionalExtension, params};

use super::LedgerError;
use super::append::LotTake;
use crate::domain::MemberId;
use crate::money::proportional_share;

/// Plans taking `coins` from `member`'s oldest lots first. `None` when the
/// lots hold fewer coins than asked.
pub fn plan_take(
    conn: &Connection,
    member: MemberId,
    coins: u64,
) -> Result<Option<Vec<LotTake>>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.lot_id, o.remaining, o.taken, l.coins, l.cost_micros
         FROM open_lots o JOIN lots l ON l.id = o.lot_id
         WHERE o.member_id = ?1 ORDER BY o.lot_id",
    )?;
    let mut rows = stmt.query([member.0])?;
    let mut still = coins;
    let mut takes = Vec::new();
    while still > 0 {
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        let (lot_id, remaining, taken, lot_coins, lot_cost): (i64, i64, i64, i64, i64) = (
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
        );
        let remaining = u64::try_from(remaining).unwrap_or(0);
        let taking = still.min(remaining);
        let cost = proportional_share(
            lot_cost,
            u64::try_from(taken).unwrap_or(0),
            taking,
            u64::try_from(lot_coins).unwrap_or(0),
        )?;
        takes.push(LotTake {
            lot_id,
            coins: i64::try_from(taking)
                .map_err(|_| crate::money::MoneyError::Overflow { what: "coins" })?,
            cost_micros: cost,
        });
        still -= taking;
    }
    Ok(Some(takes))
}

/// Records a take and updates the open-lot row (removing it when empty).
pub(crate) fn take(conn: &Connection, tx_id: i64, take: &LotTake) -> Result<(), LedgerError> {
    let owner: i64 = conn
        .prepare_cached("SELECT member_id FROM lots WHERE id = ?1")?
        .query_row([take.lot_id], |r| r.get(0))?;
    add_cost(conn, owner, -take.cost_micros)?;
    conn.prepare_cached(
        "INSERT INTO lot_moves (tx_id, lot_id, coins, cost_micros) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![tx_id, take.lot_id, take.coins, take.cost_micros])?;
    let remaining: Option<i64> = conn
        .prepare_cached("UPDATE open_lots SET remaining = remaining - ?2, taken = taken + ?2 WHERE lot_id = ?1 AND remaining > ?2 RETURNING remaining")?
        .query_row(params![take.lot_id, take.coins], |r| r.get(0))
        .ok();
    if remaining.is_none() {
        let deleted = conn
            .prepare_cached("DELETE FROM open_lots WHERE lot_id = ?1 AND remaining = ?2")?
            .execute(params![take.lot_id, take.coins])?;
        if deleted != 1 {
            return Err(LedgerError::Overdrawn {
                account: format!("coin lot {}", take.lot_id),
            });
        }
    }
    Ok(())
}

/// What the coins still in `member`'s wallet cost, in micro-units: one row,
/// maintained by [`add_cost`] as lots are added and taken from.
pub fn lot_cost_of_wallet(conn: &Connection, member: MemberId) -> Result<i64, LedgerError> {
    Ok(conn
        .prepare_cached("SELECT cost_micros FROM wallet_costs WHERE member_id = ?1")?
        .query_row([member.0], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Adds `micros` (negative: removes) to what `member`'s wallet coins cost.
pub(crate) fn add_cost(conn: &Connection, member: i64, micros: i64) -> Result<(), LedgerError> {
    conn.prepare_cached(
        "INSERT INTO wallet_costs (member_id, cost_micros) VALUES (?1, ?2)
         ON CONFLICT (member_id) DO UPDATE SET cost_micros = cost_micros + excluded.cost_micros",
    )?
    .execute(params![member, micros])?;
    Ok(())
}
