//! Allowances: what a guardian set a member to receive each day, week or
//! month, and when the next payment is due. The payments themselves are
//! grants in the ledger, each keyed by its allowance and due date; this
//! module only keeps the schedule (moved on in the transaction that pays).

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::store::WriteTx;
use super::{CachedSql, LedgerError};
use crate::domain::MemberId;

/// How often an allowance pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Day,
    Week,
    Month,
}

impl Every {
    pub fn as_str(self) -> &'static str {
        match self {
            Every::Day => "day",
            Every::Week => "week",
            Every::Month => "month",
        }
    }

    pub fn parse(text: &str) -> Option<Every> {
        match text {
            "day" => Some(Every::Day),
            "week" => Some(Every::Week),
            "month" => Some(Every::Month),
            _ => None,
        }
    }
}

/// What an allowance pays each time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowanceAmount {
    Coins(i64),
    /// Money (micro-units), paid as the coins it buys at the best pack rate.
    Money(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    pub id: i64,
    pub member: MemberId,
    pub amount: AllowanceAmount,
    pub every: Every,
    /// ISO weekday 1-7 (week), day of the month 1-28 (month), 0 (day).
    pub on_day: u32,
    pub next_due: NaiveDate,
    /// The guardian whose PIN set it: the payments are their grants.
    pub set_by: MemberId,
}

const SELECT: &str =
    "SELECT id, member_id, coins, money_micros, every, on_day, next_due, set_by FROM allowances";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Allowance> {
    let bad = |what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("an allowance holds a bad {what}").into(),
        )
    };
    let coins: Option<i64> = r.get(2)?;
    let money: Option<i64> = r.get(3)?;
    let amount = match (coins, money) {
        (Some(c), None) => AllowanceAmount::Coins(c),
        (None, Some(m)) => AllowanceAmount::Money(m),
        _ => return Err(bad("amount")),
    };
    let every: String = r.get(4)?;
    let next_due: String = r.get(6)?;
    Ok(Allowance {
        id: r.get(0)?,
        member: MemberId(r.get(1)?),
        amount,
        every: Every::parse(&every).ok_or_else(|| bad("period"))?,
        on_day: r.get(5)?,
        next_due: NaiveDate::parse_from_str(&next_due, "%Y-%m-%d").map_err(|_| bad("date"))?,
        set_by: MemberId(r.get(7)?),
    })
}

/// Every allowance in force, by member.
pub fn allowances(conn: &Connection) -> Result<Vec<Allowance>, LedgerError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE stopped_at_us IS NULL ORDER BY member_id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `member`'s allowance in force, if any.
pub fn allowance_of(conn: &Connection, member: MemberId) -> Result<Option<Allowance>, LedgerError> {
    Ok(conn
        .one(
            &format!("{SELECT} WHERE stopped_at_us IS NULL AND member_id = ?1"),
            [member.0],
            from_row,
        )
        .optional()?)
}

/// Whether any allowance in force is due at `now` (on or before the
/// household-local date): two small indexed reads, asked before every call
/// so a due payment is never late.
pub fn any_allowance_due(
    conn: &Connection,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, LedgerError> {
    let today = now
        .with_timezone(&super::store::household_tz(conn)?)
        .date_naive();
    Ok(conn.one(
        "SELECT EXISTS (SELECT 1 FROM allowances WHERE stopped_at_us IS NULL AND next_due <= ?1)",
        [today.to_string()],
        |r| r.get(0),
    )?)
}

/// Sets `member`'s allowance, replacing (stopping) the one in force;
/// returns the one replaced.
pub fn set_allowance(
    write: &WriteTx<'_, '_>,
    member: MemberId,
    amount: AllowanceAmount,
    every: Every,
    on_day: u32,
    next_due: NaiveDate,
    set_by: MemberId,
) -> Result<(Option<Allowance>, Allowance), LedgerError> {
    let before = stop_allowance(write, member)?;
    let (coins, money) = match amount {
        AllowanceAmount::Coins(c) => (Some(c), None),
        AllowanceAmount::Money(m) => (None, Some(m)),
    };
    write.sql().run(
        "INSERT INTO allowances (member_id, coins, money_micros, every, on_day, next_due, set_by, created_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            member.0,
            coins,
            money,
            every.as_str(),
            on_day,
            next_due.to_string(),
            set_by.0,
            write.now().timestamp_micros()
        ],
    )?;
    let after = allowance_of(write.sql(), member)?.ok_or_else(|| LedgerError::Corrupt {
        message: "the allowance just set could not be read back".into(),
    })?;
    Ok((before, after))
}

/// Stops `member`'s allowance; returns it (None: there was none).
pub fn stop_allowance(
    write: &WriteTx<'_, '_>,
    member: MemberId,
) -> Result<Option<Allowance>, LedgerError> {
    let before = allowance_of(write.sql(), member)?;
    if let Some(a) = &before {
        write.sql().run(
            "UPDATE allowances SET stopped_at_us = ?2 WHERE id = ?1",
            params![a.id, write.now().timestamp_micros()],
        )?;
    }
    Ok(before)
}

/// Moves allowance `id` from the due date `from` to `to`; false when it is
/// no longer in force or another process moved it first.
pub fn advance_allowance(
    write: &WriteTx<'_, '_>,
    id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<bool, LedgerError> {
    Ok(write.sql().run(
        "UPDATE allowances SET next_due = ?3 WHERE id = ?1 AND next_due = ?2 AND stopped_at_us IS NULL",
        params![id, from.to_string(), to.to_string()],
    )? == 1)
}
