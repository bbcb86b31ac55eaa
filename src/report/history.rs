//! History: the ledger, a page at a time (keyset pagination on time and id,
//! never loading everything), each row with its coins, diamonds and money.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, params_from_iter, types::Value};

use crate::domain::MemberId;
use crate::ledger::{Account, Kind, LedgerError, list_members};

/// Most rows in one page.
pub const MAX_PAGE: usize = 500;

/// What to show. Dates are household-local and inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub member: Option<MemberId>,
    pub kind: Option<Kind>,
    /// Gifts to (or redemptions of) this creator.
    pub creator: Option<MemberId>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Where a page starts: strictly before this (time, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at_us: i64,
    pub id: i64,
}

/// One transaction as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub id: i64,
    pub at_us: i64,
    pub kind: Kind,
    pub member: String,
    pub counterparty: Option<String>,
    /// Change of wallets in coins (+ bought or granted, - gifted or refunded).
    pub coins: i64,
    /// Change of creator earnings in diamonds.
    pub diamonds: i64,
    /// The real-money figure of the row, in micro-units: paid for a purchase,
    /// refunded by a reversal (negative), what gifted coins cost, what granted
    /// coins are valued at, paid out by a redemption.
    pub money_micros: i64,
    /// What the row adds to the `all` scope's spending, in micro-units:
    /// money paid for coins, and granted coins' value when they are gifted,
    /// so no money counts twice (a gift of bought coins adds 0). The sum over
    /// a period is the `all` figure of the report and of its limits.
    pub all_micros: i64,
    /// What was bought or sent and at which rates.
    pub detail: String,
    pub memo: String,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub hash: String,
}

/// A page of rows, newest first, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub rows: Vec<HistoryRow>,
    pub next: Option<Cursor>,
}

/// Local day bounds as UTC micros: [start of `since`, start of the day after `until`).
pub fn day_bounds(since: Option<NaiveDate>, until: Option<NaiveDate>, tz: Tz) -> (i64, i64) {
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map_or(i64::MIN, |t| t.timestamp_micros())
    };
    let from = since.map_or(i64::MIN, start);
    let to = until.and_then(|d| d.succ_opt()).map_or(i64::MAX, start);
    (from, to)
}

/// The WHERE clause and its parameters for a filter (only the filters given,
/// so SQLite can use the member and time indexes).
pub(crate) fn filter_sql(filter: &HistoryFilter, tz: Tz) -> (String, Vec<Value>) {
    let mut clauses = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(m) = filter.member {
        clauses.push("t.member_id = ?".to_string());
        values.push(Value::Integer(m.0));
    }
    if let Some(k) = filter.kind {
        clauses.push("t.kind = ?".to_string());
        values.push(Value::Text(k.as_str().into()));
    }
    if let Some(c) = filter.creator {
        clauses.push("t.counterparty_id = ?".to_string());
        values.push(Value::Integer(c.0));
    }
    let (from, to) = day_bounds(filter.since, filter.until, tz);
    if from != i64::MIN {
        clauses.push("t.at_us >= ?".to_string());
        values.push(Value::Integer(from));
    }
    if to != i64::MAX {
        clauses.push("t.at_us < ?".to_string());
        values.push(Value::Integer(to));
    }
    let sql = if clauses.is_empty() {
        "1".to_string()
    } else {
        clauses.join(" AND ")
    };
    (sql, values)
}

/// Member names by id (households are small).
pub(crate) fn names(conn: &Connection) -> Result<HashMap<i64, String>, LedgerError> {
    Ok(list_members(conn)?
        .into_iter()
        .map(|m| (m.id.0, m.name.to_string()))
        .collect())
}

/// The columns [`to_row`] reads, in its order (exports page with them too).
pub(crate) const COLUMNS: &str = "t.id, t.at_us, t.kind, t.member_id, t.counterparty_id, t.detail, t.memo, t.reverses_tx, t.hash,
    (SELECT r.id FROM transactions r WHERE r.reverses_tx = t.id)";

/// A raw transaction row before its amounts are filled in.
pub(crate) type Raw = (
    i64,
    i64,
    String,
    i64,
    Option<i64>,
    String,
    String,
    Option<i64>,
    String,
    Option<i64>,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Raw::try_from(r)
}

/// Fills in coins, diamonds and money from a transaction's postings and lots.
pub(crate) fn amounts(
    conn: &Connection,
    tx_id: i64,
    kind: Kind,
    original: Option<Kind>,
) -> Result<Amounts, LedgerError> {
    // The same parts the ledger's spend totals are computed from.
    let parts = crate::ledger::spend::TxParts::load(conn, tx_id)?;
    let sum = |pick: fn(&Account) -> bool| crate::ledger::spend::posted(&parts.postings, pick);
    let coins = sum(|a| matches!(a, Account::Wallet(_)));
    let diamonds = sum(|a| matches!(a, Account::Earnings(_)));
    let money = match (kind, original) {
        (Kind::Purchase, _) | (Kind::Reversal, Some(Kind::Purchase)) => {
            -sum(|a| matches!(a, Account::Funding(_)))
        }
        (Kind::Redeem, _) | (Kind::Reversal, Some(Kind::Redeem)) => {
            sum(|a| matches!(a, Account::Payout(_)))
        }
        (Kind::Gift, _) => parts.moved_cost(),
        (Kind::Grant, _) => parts.lot_cost(),
        (Kind::Reversal, Some(Kind::Gift)) => -parts.lot_cost(),
        (Kind::Reversal, _) => -parts.moved_cost(),
    };
    Ok(Amounts {
        coins,
        diamonds,
        money,
        all: parts.spend(kind, original).all_micros,
    })
}

/// A transaction's figures as a history row shows them.
pub(crate) struct Amounts {
    pub coins: i64,
    pub diamonds: i64,
    pub money: i64,
    /// What it adds to the `all` scope (money counted once; see the README).
    pub all: i64,
}

/// The kind of the transaction a reversal undoes. A reversal of a
/// transaction that is not there, or of an unknown kind, is a damaged
/// record, named: history never guesses.
fn original_kind(conn: &Connection, reverses: Option<i64>) -> Result<Option<Kind>, LedgerError> {
    let Some(id) = reverses else { return Ok(None) };
    let kind: String = conn
        .prepare_cached("SELECT kind FROM transactions WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| LedgerError::Corrupt {
            message: format!("a reversal undoes transaction #{id}, which does not exist"),
        })?;
    Kind::parse(&kind)
        .map(Some)
        .ok_or_else(|| LedgerError::Corrupt {
            message: format!("transaction #{id} has an unknown kind {kind:?}"),
        })
}

pub(crate) fn to_row(
    conn: &Connection,
    names: &HashMap<i64, String>,
    raw: Raw,
) -> Result<HistoryRow, LedgerError> {
    let (id, at_us, kind, member, counterparty, detail, memo, reverses, hash, reversed_by) = raw;
    let kind = Kind::parse(&kind).ok_or_else(|| LedgerError::Corrupt {
        message: format!("transaction {id} has an unknown kind"),
    })?;
    let figures = amounts(conn, id, kind, original_kind(conn, reverses)?)?;
    let name = |m: i64| {
        names
            .get(&m)
            .cloned()
            .unwrap_or_else(|| format!("member {m}"))
    };
    Ok(HistoryRow {
        id,
        at_us,
        kind,
        member: name(member),
        counterparty: counterparty.map(name),
        coins: figures.coins,
        diamonds: figures.diamonds,
        money_micros: figures.money,
        all_micros: figures.all,
        detail,
        memo,
        reverses,
        reversed_by,
        hash,
    })
}

/// One page of history, newest first, starting before `cursor`.
pub fn history_page(
    conn: &Connection,
    filter: &HistoryFilter,
    tz: Tz,
    cursor: Option<Cursor>,
    limit: usize,
) -> Result<Page, LedgerError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let (mut sql, mut values) = filter_sql(filter, tz);
    if let Some(c) = cursor {
        // A row value, so SQLite seeks the (member_id,) at_us, id index
        // instead of scanning from the newest row.
        sql.push_str(" AND (t.at_us, t.id) < (?, ?)");
        values.extend([Value::Integer(c.at_us), Value::Integer(c.id)]);
    }
    values.push(Value::Integer(limit as i64 + 1));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM transactions t WHERE {sql} ORDER BY t.at_us DESC, t.id DESC LIMIT ?"
    ))?;
    let raws: Vec<Raw> = stmt
        .query_map(params_from_iter(values), raw)?
        .collect::<Result<_, _>>()?;
    let names = names(conn)?;
    let more = raws.len() > limit;
    let mut rows = Vec::with_capacity(limit);
    for r in raws.into_iter().take(limit) {
        rows.push(to_row(conn, &names, r)?);
    }
    let next = if more {
        rows.last().map(|r| Cursor {
            at_us: r.at_us,
            id: r.id,
        })
    } else {
        None
    };
    Ok(Page { rows, next })
}

/// Every matching row, oldest first, handed to `each` one at a time (exports).
pub fn for_each_row(
    conn: &Connection,
    filter: &HistoryFilter,
    tz: Tz,
    mut each: impl FnMut(HistoryRow) -> Result<(), LedgerError>,
) -> Result<u64, LedgerError> {
    let (sql, values) = filter_sql(filter, tz);
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM transactions t WHERE {sql} ORDER BY t.id"
    ))?;
    let names = names(conn)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    let mut count = 0;
    while let Some(r) = rows.next()? {
        each(to_row(conn, &names, raw(r)?)?)?;
        count += 1;
    }
    Ok(count)
}

/// A UTC time as household-local "YYYY-MM-DD HH:MM".
pub fn local(at_us: i64, tz: Tz) -> String {
    DateTime::<Utc>::from_timestamp_micros(at_us)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}
