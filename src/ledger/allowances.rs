//! Allowances: what a guardian set a member to receive each day, week or
//! month. The payments themselves are grants in the ledger, each keyed by
//! its allowance and due date; the next one due is worked out from them (the
//! hash-chained ledger), never kept in a row a payment would rewrite.

use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, OptionalExtension, params};

use super::record::Table;
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
    /// The first payment's date.
    pub first_due: NaiveDate,
    /// The next payment's date: the first on the schedule after the newest
    /// payment in the ledger (the first due date before any).
    pub next_due: NaiveDate,
    /// The guardian whose PIN set it: the payments are their grants.
    pub set_by: MemberId,
}

const SELECT: &str =
    "SELECT id, member_id, coins, money_micros, every, on_day, first_due, set_by FROM allowances";

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
    let first_due: String = r.get(6)?;
    let first_due = NaiveDate::parse_from_str(&first_due, "%Y-%m-%d").map_err(|_| bad("date"))?;
    Ok(Allowance {
        id: r.get(0)?,
        member: MemberId(r.get(1)?),
        amount,
        every: Every::parse(&every).ok_or_else(|| bad("period"))?,
        on_day: r.get(5)?,
        first_due,
        next_due: first_due,
        set_by: MemberId(r.get(7)?),
    })
}

/// The first due date strictly after `date`: the next day; the next given
/// weekday (1 = Monday); the next given day of the month (1 to 28).
pub fn next_due_after(every: Every, on_day: u32, date: NaiveDate) -> NaiveDate {
    let next = date.succ_opt().unwrap_or(date);
    match every {
        Every::Day => next,
        Every::Week => {
            let want = on_day.clamp(1, 7);
            let now = next.weekday().number_from_monday();
            let ahead = (want + 7 - now) % 7;
            next + chrono::Days::new(u64::from(ahead))
        }
        Every::Month => {
            let want = on_day.clamp(1, 28);
            let this_month = next.with_day(want).unwrap_or(next);
            if this_month >= next {
                this_month
            } else {
                this_month
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(this_month)
            }
        }
    }
}

/// The idempotency key of allowance `id`'s payment for `due`:
/// `coinguard#allowance#<id>-<YYYY-MM-DD>` (`#` is in no key a person types).
pub fn payment_key(id: i64, due: NaiveDate) -> crate::domain::IdempotencyKey {
    crate::domain::IdempotencyKey::internal("allowance", format!("{id}-{due}"))
}

/// The due date of allowance `id`'s newest payment in the ledger: its key
/// names it, and one allowance's keys sort by date (an indexed range).
pub fn last_paid(conn: &Connection, id: i64) -> Result<Option<NaiveDate>, LedgerError> {
    // What `payment_key` puts before the date.
    let prefix = format!("coinguard#allowance#{id}-");
    let key: Option<String> = conn
        .one(
            "SELECT idem_key FROM transactions WHERE idem_key >= ?1 AND idem_key < ?2 ORDER BY idem_key DESC LIMIT 1",
            params![prefix, format!("{prefix}~")],
            |r| r.get(0),
        )
        .optional()?;
    Ok(key.and_then(|k| {
        k.strip_prefix(&prefix)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    }))
}

/// `a` with its next due date from the ledger.
fn with_next_due(conn: &Connection, mut a: Allowance) -> Result<Allowance, LedgerError> {
    a.next_due = match last_paid(conn, a.id)? {
        Some(paid) => next_due_after(a.every, a.on_day, paid).max(a.first_due),
        None => a.first_due,
    };
    Ok(a)
}

/// Every allowance in force, by member.
pub fn allowances(conn: &Connection) -> Result<Vec<Allowance>, LedgerError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE stopped_at_us IS NULL ORDER BY member_id"
    ))?;
    let rows: Vec<Allowance> = stmt.query_map([], from_row)?.collect::<Result<_, _>>()?;
    rows.into_iter().map(|a| with_next_due(conn, a)).collect()
}

/// `member`'s allowance in force, if any.
pub fn allowance_of(conn: &Connection, member: MemberId) -> Result<Option<Allowance>, LedgerError> {
    conn.one(
        &format!("{SELECT} WHERE stopped_at_us IS NULL AND member_id = ?1"),
        [member.0],
        from_row,
    )
    .optional()?
    .map(|a| with_next_due(conn, a))
    .transpose()
}

/// Whether any allowance in force is due at `now` (on or before the
/// household-local date): a few small indexed reads (one per allowance),
/// asked before every call so a due payment is never late.
pub fn any_allowance_due(
    conn: &Connection,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, LedgerError> {
    let running: bool = conn.one(
        "SELECT EXISTS (SELECT 1 FROM allowances WHERE stopped_at_us IS NULL)",
        [],
        |r| r.get(0),
    )?;
    if !running {
        return Ok(false);
    }
    let tz = super::backfill::household_tz(conn)?.unwrap_or(chrono_tz::UTC);
    let today = now.with_timezone(&tz).date_naive();
    Ok(allowances(conn)?.iter().any(|a| a.next_due <= today))
}

/// Sets `member`'s allowance, replacing (stopping) the one in force;
/// returns the one replaced.
pub fn set_allowance(
    write: &WriteTx<'_, '_>,
    member: MemberId,
    amount: AllowanceAmount,
    every: Every,
    on_day: u32,
    first_due: NaiveDate,
    set_by: MemberId,
) -> Result<(Option<Allowance>, Allowance), LedgerError> {
    let before = stop_allowance(write, member)?;
    let (coins, money) = match amount {
        AllowanceAmount::Coins(c) => (Some(c), None),
        AllowanceAmount::Money(m) => (None, Some(m)),
    };
    write.sql().run(
        "INSERT INTO allowances (member_id, coins, money_micros, every, on_day, first_due, set_by, created_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            member.0,
            coins,
            money,
            every.as_str(),
            on_day,
            first_due.to_string(),
            set_by.0,
            write.now().timestamp_micros()
        ],
    )?;
    let after = allowance_of(write.sql(), member)?.ok_or_else(|| LedgerError::Corrupt {
        message: "the allowance just set could not be read back".into(),
    })?;
    write.touch(Table::Allowances, vec![after.id.into()]);
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
        write.touch(Table::Allowances, vec![a.id.into()]);
    }
    Ok(before)
}
