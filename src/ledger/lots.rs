//! FIFO coin lots: which coins a gift spends, and what they cost in money.
//! Only open lots (with coins left) are read, so FIFO never scans history.
//!
//! Each lot also carries (in the derived `lot_paid` table) how much of its
//! cost was already counted as money spent, and the purchase or grant lot its
//! coins first came from. Each take carries its share of both (`move_paid`).

use rusqlite::{Connection, OptionalExtension, params};

use super::LedgerError;
use super::draft::{LotTake, NewLot};
use crate::domain::MemberId;
use crate::money::{MoneyError, proportional_share};

fn to_u64(value: i64, row: &str) -> Result<u64, LedgerError> {
    u64::try_from(value).map_err(|_| LedgerError::Corrupt {
        message: format!("{row} holds a negative count ({value})"),
    })
}

/// A share of one lot: `taking` coins after `taken_before` were taken, with
/// the matching part of the lot's cost and of its paid part. Shares of a lot
/// taken piece by piece always add up to the whole (the last piece gets the
/// remainder), so nothing is lost to rounding.
pub(crate) fn share_of_lot(
    lot: (i64, i64, i64),
    taken_before: i64,
    taking: i64,
) -> Result<(i64, i64), LedgerError> {
    let (coins, cost, paid) = lot;
    let row = "a coin lot";
    let (coins, before, taking) = (
        to_u64(coins, row)?,
        to_u64(taken_before, row)?,
        to_u64(taking, row)?,
    );
    Ok((
        proportional_share(cost, before, taking, coins)?,
        proportional_share(paid, before, taking, coins)?,
    ))
}

/// Plans taking `coins` from `member`'s oldest lots first. `None` when the
/// lots hold fewer coins than asked.
pub fn plan_take(
    conn: &Connection,
    member: MemberId,
    coins: u64,
) -> Result<Option<Vec<LotTake>>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.lot_id, o.remaining, o.taken, l.coins, l.cost_micros, p.paid_micros
         FROM open_lots o JOIN lots l ON l.id = o.lot_id JOIN lot_paid p ON p.lot_id = o.lot_id
         WHERE o.member_id = ?1 ORDER BY o.lot_id",
    )?;
    let mut rows = stmt.query([member.0])?;
    let mut still = coins;
    let mut takes = Vec::new();
    while still > 0 {
        let Some(row) = rows.next()? else {
            return Ok(None);
        };
        let (lot_id, remaining, taken, lot_coins, lot_cost, lot_paid): (
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        ) = row.try_into()?;
        let taking = still.min(to_u64(remaining, "an open coin lot")?);
        let taking_i = i64::try_from(taking).map_err(|_| MoneyError::Overflow { what: "coins" })?;
        let (cost, paid) = share_of_lot((lot_coins, lot_cost, lot_paid), taken, taking_i)?;
        takes.push(LotTake {
            lot_id,
            coins: taking_i,
            cost_micros: cost,
            paid_micros: paid,
        });
        still -= taking;
    }
    Ok(Some(takes))
}

/// Writes a new lot: the lot, its open-lot row, its paid part and origin,
/// and its cost added to the wallet's.
pub(crate) fn add(conn: &Connection, tx_id: i64, lot: &NewLot) -> Result<i64, LedgerError> {
    conn.prepare_cached(
        "INSERT INTO lots (tx_id, member_id, coins, cost_micros) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![tx_id, lot.member.0, lot.coins, lot.cost_micros])?;
    let lot_id = conn.last_insert_rowid();
    conn.prepare_cached(
        "INSERT INTO open_lots (lot_id, member_id, remaining, taken) VALUES (?1, ?2, ?3, 0)",
    )?
    .execute(params![lot_id, lot.member.0, lot.coins])?;
    conn.prepare_cached(
        "INSERT INTO lot_paid (lot_id, origin_lot_id, paid_micros) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![
        lot_id,
        lot.origin_lot.unwrap_or(lot_id),
        lot.paid_micros
    ])?;
    add_cost(conn, lot.member.0, lot.cost_micros)?;
    Ok(lot_id)
}

/// Records a take and updates the open-lot row (removing it when empty).
pub(crate) fn take(conn: &Connection, tx_id: i64, take: &LotTake) -> Result<(), LedgerError> {
    let owner: i64 = conn
        .prepare_cached("SELECT member_id FROM lots WHERE id = ?1")?
        .query_row([take.lot_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| LedgerError::Corrupt {
            message: format!("coin lot {} does not exist", take.lot_id),
        })?;
    add_cost(conn, owner, -take.cost_micros)?;
    conn.prepare_cached(
        "INSERT INTO lot_moves (tx_id, lot_id, coins, cost_micros) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![tx_id, take.lot_id, take.coins, take.cost_micros])?;
    conn.prepare_cached("INSERT INTO move_paid (move_id, paid_micros) VALUES (?1, ?2)")?
        .execute(params![conn.last_insert_rowid(), take.paid_micros])?;
    let remaining: Option<i64> = conn
        .prepare_cached("UPDATE open_lots SET remaining = remaining - ?2, taken = taken + ?2 WHERE lot_id = ?1 AND remaining > ?2 RETURNING remaining")?
        .query_row(params![take.lot_id, take.coins], |r| r.get(0))
        .optional()?;
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

/// What `coins` of `member`'s wallet cost, from the lots, oldest first: the
/// coins a gift of that size would spend now. `None` when the wallet holds
/// fewer coins.
pub fn cost_of_coins(
    conn: &Connection,
    member: MemberId,
    coins: u64,
) -> Result<Option<i64>, LedgerError> {
    Ok(plan_take(conn, member, coins)?.map(|takes| takes.iter().map(|t| t.cost_micros).sum()))
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
