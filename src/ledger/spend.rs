//! Maintained spend aggregates: what each transaction added to each scope, and
//! the same summed in hour, UTC-day and household-local-day buckets, written in
//! the same transaction as the ledger rows. A window check reads at most a few
//! dozen bucket rows plus the events of one partial hour, at any history size.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, params};

use rusqlite::OptionalExtension;

use super::draft::{Draft, LotAmounts, LotTake, NewLot};
use super::{CachedSql, LedgerError};
use crate::domain::{Account, Kind, MemberId, TxId, Window};

pub const MICROS_PER_HOUR: i64 = 3_600_000_000;
pub const HOURS_PER_DAY: i64 = 24;
/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// What one transaction (or a window) adds up to in each scope.
///
/// `all` counts no money twice: money paid for coins counts when it is paid;
/// coins a guardian granted count at their stated value when they are gifted
/// (they cost the member nothing until then); gifting coins that were bought
/// adds nothing more, because the money was counted at the purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spend {
    /// Money paid for coins, in micro-units.
    pub purchase_micros: i64,
    /// Coins given as gifts.
    pub gift_coins: i64,
    /// What the gifted coins cost (from their lots), in micro-units: the
    /// known money value of `gift_coins`.
    pub gift_cost_micros: i64,
    /// Money paid for coins plus the value of granted coins when gifted, in
    /// micro-units.
    pub all_micros: i64,
}

fn total(lots: &[LotAmounts], of: fn(&LotAmounts) -> i64) -> i64 {
    lots.iter().map(of).fold(0i64, i64::saturating_add)
}

impl Spend {
    pub fn is_zero(&self) -> bool {
        *self == Spend::default()
    }

    /// What counts toward a limit of `scope`: money micros, or coins for gifts.
    pub fn for_scope(&self, scope: crate::domain::Scope) -> i64 {
        match scope {
            crate::domain::Scope::Purchase => self.purchase_micros,
            crate::domain::Scope::Gift => self.gift_coins,
            crate::domain::Scope::All => self.all_micros,
        }
    }
}

/// The sum of the postings to accounts `pick` accepts (e.g. every wallet).
pub(crate) fn posted(postings: &[(Account, i64)], pick: fn(&Account) -> bool) -> i64 {
    postings
        .iter()
        .filter(|(a, _)| pick(a))
        .map(|(_, v)| *v)
        .sum()
}

/// The spend of a transaction from its parts: the one place that says what a
/// transaction spends in each scope, for the guard (judging a draft), the
/// spend totals (recording it) and `verify` (checking them). `original` is
/// the kind a reversal undoes; `takes` the coins taken from lots; `new_lots`
/// the lots it creates.
pub(crate) fn of_transaction(
    kind: Kind,
    original: Option<Kind>,
    postings: &[(Account, i64)],
    takes: &[LotAmounts],
    new_lots: &[LotAmounts],
) -> Spend {
    let funding = posted(postings, |a| matches!(a, Account::Funding(_)));
    let wallet = posted(postings, |a| matches!(a, Account::Wallet(_)));
    match (kind, original) {
        (Kind::Purchase, _) | (Kind::Reversal, Some(Kind::Purchase)) => Spend {
            purchase_micros: -funding,
            all_micros: -funding,
            ..Spend::default()
        },
        (Kind::Gift, _) => Spend {
            gift_coins: -wallet,
            gift_cost_micros: total(takes, |t| t.cost_micros),
            all_micros: total(takes, LotAmounts::unpaid),
            ..Spend::default()
        },
        (Kind::Reversal, Some(Kind::Gift)) => Spend {
            gift_coins: -wallet,
            gift_cost_micros: -total(new_lots, |l| l.cost_micros),
            all_micros: -total(new_lots, LotAmounts::unpaid),
            ..Spend::default()
        },
        _ => Spend::default(),
    }
}

pub fn hour_of(at_us: i64) -> i64 {
    at_us.div_euclid(MICROS_PER_HOUR)
}

pub fn utc_day_of(at_us: i64) -> i64 {
    at_us.div_euclid(MICROS_PER_HOUR * HOURS_PER_DAY)
}

pub fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - EPOCH_DAYS_FROM_CE
}

pub fn local_day_of(at_us: i64, tz: Tz) -> i64 {
    let at = DateTime::from_timestamp_micros(at_us).unwrap_or_default();
    day_number(at.with_timezone(&tz).date_naive())
}

/// Records a transaction's spend, counted at `at_us` (a reversal passes the
/// original's time), in the event table and the three bucket kinds.
pub(crate) fn record(
    conn: &Connection,
    tx_id: i64,
    member: MemberId,
    creator: Option<MemberId>,
    at_us: i64,
    spend: Spend,
    tz: Tz,
) -> Result<(), LedgerError> {
    if spend.is_zero() {
        return Ok(());
    }
    let creator = creator.filter(|_| spend.gift_coins != 0).map(|c| c.0);
    conn.prepare_cached(
        "INSERT INTO spend_events (tx_id, member_id, at_us, purchase_micros, gift_coins, all_micros, creator_id, gift_cost_micros) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![tx_id, member.0, at_us, spend.purchase_micros, spend.gift_coins, spend.all_micros, creator, spend.gift_cost_micros])?;
    let mut bump = conn.prepare_cached(
        "INSERT INTO spend_buckets (member_id, kind, start, purchase_micros, gift_coins, all_micros, gift_cost_micros) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (member_id, kind, start) DO UPDATE SET
           purchase_micros = purchase_micros + excluded.purchase_micros,
           gift_coins = gift_coins + excluded.gift_coins,
           all_micros = all_micros + excluded.all_micros,
           gift_cost_micros = gift_cost_micros + excluded.gift_cost_micros",
    )?;
    for (source, start) in rows_of(at_us, tz) {
        let Some(kind) = source.bucket_kind() else {
            continue; // the event, inserted above
        };
        bump.execute(params![
            member.0,
            kind,
            start,
            spend.purchase_micros,
            spend.gift_coins,
            spend.all_micros,
            spend.gift_cost_micros
        ])?;
    }
    Ok(())
}

fn add(a: Spend, b: Spend) -> Spend {
    Spend {
        purchase_micros: a.purchase_micros.saturating_add(b.purchase_micros),
        gift_coins: a.gift_coins.saturating_add(b.gift_coins),
        gift_cost_micros: a.gift_cost_micros.saturating_add(b.gift_cost_micros),
        all_micros: a.all_micros.saturating_add(b.all_micros),
    }
}

/// The household-local calendar days (as day numbers, inclusive) of a
/// calendar window containing `today`.
pub fn calendar_days(window: Window, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    match window {
        Window::Day => Some((today, today)),
        Window::Week => {
            let monday = today - TimeDelta::days(i64::from(today.weekday().num_days_from_monday()));
            Some((monday, monday + TimeDelta::days(6)))
        }
        Window::Month => {
            let first = today.with_day(1)?;
            let next = if today.month() == 12 {
                NaiveDate::from_ymd_opt(today.year() + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(today.year(), today.month() + 1, 1)?
            };
            Some((first, next.pred_opt()?))
        }
        _ => None,
    }
}

/// How far back a rolling window reaches.
pub fn rolling_span(window: Window) -> Option<TimeDelta> {
    match window {
        Window::Rolling24h => Some(TimeDelta::hours(24)),
        Window::Rolling7d => Some(TimeDelta::days(7)),
        Window::Rolling30d => Some(TimeDelta::days(30)),
        _ => None,
    }
}

/// What `member` already spent in `window` as of `now`. Reads buckets only,
/// plus the events of the one partial hour at the start of a rolling window.
pub fn spent_in(
    conn: &Connection,
    member: MemberId,
    window: Window,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Spend, LedgerError> {
    Ok(spent_in_windows(conn, member, &[window], now, tz)?
        .first()
        .map_or_else(Spend::default, |(_, spent)| *spent))
}

/// What `member` already spent in each of `windows` as of `now`, in one
/// pass: one read of the bucket rows all the windows need (at most 31 local
/// days, 30 UTC days and 48 hours) and one of the events of their partial
/// hours, instead of up to four queries per window. The guard asks for
/// every window a member has a limit on; a report for one.
pub fn spent_in_windows(
    conn: &Connection,
    member: MemberId,
    windows: &[Window],
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<(Window, Spend)>, LedgerError> {
    let plan = Plan::of(windows, now, tz);
    let rows = Plan::fetch(&plan.reads(), conn, member)?;
    Ok(plan.sum(&rows))
}

/// The pieces of each window asked. The rows to read for them
/// ([`Plan::reads`]) are worked out only when they are read: a guarded
/// commit whose writer kept the rows (`ledger::memo`) needs the pieces alone.
struct Plan {
    windows: Vec<(Window, Pieces)>,
}

/// A spend row as read: its source, its start (a bucket's hour or day
/// number, an event's time) and what it adds up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    source: Source,
    at: i64,
    spend: Spend,
}

impl Plan {
    fn of(windows: &[Window], now: DateTime<Utc>, tz: Tz) -> Plan {
        // The household-local date, looked up in the time zone's rules once
        // for every calendar window.
        let today = now.with_timezone(&tz).date_naive();
        let windows = windows
            .iter()
            .map(|&w| (w, pieces(w, now, today)))
            .collect();
        Plan { windows }
    }

    /// The rows to read: per source, the pieces' ranges merged so that no
    /// row is read twice (at most as many ranges as [`SPENT_IN_WINDOWS`]
    /// has slots for that source).
    fn reads(&self) -> [Vec<(i64, i64)>; 4] {
        let mut wanted: [Vec<(i64, i64)>; 4] = Default::default();
        for piece in self.windows.iter().flat_map(|(_, p)| p.as_slice()) {
            let (source, from, to) = piece.source();
            wanted[source as usize].push((from, to));
        }
        let mut reads: [Vec<(i64, i64)>; 4] = Default::default();
        for (source, wanted) in wanted.iter_mut().enumerate() {
            reads[source] = merge(wanted, SLOTS[source]);
        }
        reads
    }

    /// The rows of every range in `reads` (see [`Plan::reads`]).
    fn fetch(
        reads: &[Vec<(i64, i64)>; 4],
        conn: &Connection,
        member: MemberId,
    ) -> Result<Vec<Row>, LedgerError> {
        if reads.iter().all(Vec::is_empty) {
            return Ok(Vec::new()); // only single-transaction windows
        }
        let mut bound: Vec<i64> = vec![member.0];
        for (source, merged) in reads.iter().enumerate() {
            for slot in 0..SLOTS[source] {
                let (from, to) = merged.get(slot).copied().unwrap_or((0, 0));
                bound.extend([from, to]);
            }
        }
        let mut stmt = conn.prepare_cached(SPENT_IN_WINDOWS)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(bound))?;
        let mut read = Vec::new();
        while let Some(row) = rows.next()? {
            read.push(Row {
                source: match row.get::<_, i64>(0)? {
                    0 => Source::LocalDay,
                    1 => Source::UtcDay,
                    2 => Source::Hour,
                    _ => Source::Events,
                },
                at: row.get(1)?,
                spend: Spend {
                    purchase_micros: row.get(2)?,
                    gift_coins: row.get(3)?,
                    all_micros: row.get(4)?,
                    gift_cost_micros: row.get(5)?,
                },
            });
        }
        Ok(read)
    }

    /// Each window's total over `rows`: a row counts in a window when one
    /// of the window's pieces holds it.
    fn sum(&self, rows: &[Row]) -> Vec<(Window, Spend)> {
        let mut spent: Vec<(Window, Spend)> = self
            .windows
            .iter()
            .map(|(w, _)| (*w, Spend::default()))
            .collect();
        for row in rows {
            for ((_, total), (_, pieces)) in spent.iter_mut().zip(&self.windows) {
                if pieces
                    .as_slice()
                    .iter()
                    .any(|p| p.holds(row.source, row.at))
                {
                    *total = add(*total, row.spend);
                }
            }
        }
        spent
    }
}

/// A member's spend rows kept from an earlier read, with the ranges that
/// read covered: every row of those ranges, as they stood then, plus what
/// this connection's own commits added since (see [`KeptRows::note`]).
/// Kept by the store's memo (`ledger::memo`) only while no other
/// connection has written the file.
#[derive(Debug, Clone)]
pub(crate) struct KeptRows {
    tz: Tz,
    reads: [Vec<(i64, i64)>; 4],
    rows: Vec<Row>,
}

impl KeptRows {
    /// What `member` spent in each of `windows` as of `now`: from the kept
    /// rows when they cover every piece the windows need, else read afresh
    /// (and kept instead). The same plan and the same sum as
    /// [`spent_in_windows`], over the same rows.
    pub(crate) fn spent_in_windows(
        kept: &mut Option<KeptRows>,
        conn: &Connection,
        member: MemberId,
        windows: &[Window],
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Result<(Vec<(Window, Spend)>, bool), LedgerError> {
        let plan = Plan::of(windows, now, tz);
        if let Some(k) = kept.as_ref()
            && k.covers(&plan, tz)
        {
            return Ok((plan.sum(&k.rows), true));
        }
        let reads = plan.reads();
        let rows = Plan::fetch(&reads, conn, member)?;
        let spent = plan.sum(&rows);
        *kept = Some(KeptRows { tz, reads, rows });
        Ok((spent, false))
    }

    /// Whether every piece of `plan` lies inside a range these rows were read for.
    fn covers(&self, plan: &Plan, tz: Tz) -> bool {
        self.tz == tz
            && plan
                .windows
                .iter()
                .flat_map(|(_, p)| p.as_slice())
                .all(|piece| {
                    piece.from >= piece.to
                        || self.reads[piece.source as usize]
                            .iter()
                            .any(|&(from, to)| from <= piece.from && piece.to <= to)
                })
    }

    /// A spend this connection just recorded (through [`record`]): added to
    /// the kept rows it falls in, exactly as `record` adds it to the table.
    pub(crate) fn note(&mut self, at_us: i64, spend: Spend) {
        for (source, at) in rows_of(at_us, self.tz) {
            if !self.reads[source as usize]
                .iter()
                .any(|&(from, to)| from <= at && at < to)
            {
                continue;
            }
            let existing = (source != Source::Events)
                .then(|| {
                    self.rows
                        .iter_mut()
                        .find(|r| r.source == source && r.at == at)
                })
                .flatten();
            match existing {
                Some(row) => row.spend = add(row.spend, spend),
                None => self.rows.push(Row { source, at, spend }),
            }
        }
    }
}

/// The rows one recorded spend at `at_us` goes into: its event, and the
/// hour, UTC-day and local-day buckets holding it.
fn rows_of(at_us: i64, tz: Tz) -> [(Source, i64); 4] {
    [
        (Source::Events, at_us),
        (Source::Hour, hour_of(at_us)),
        (Source::UtcDay, utc_day_of(at_us)),
        (Source::LocalDay, local_day_of(at_us, tz)),
    ]
}

/// How many ranges [`SPENT_IN_WINDOWS`] reads per source (local days, UTC
/// days, hours, events).
const SLOTS: [usize; 4] = [1, 1, HOUR_RANGES, EVENT_RANGES];

/// Hour ranges one read can take: the first partial days of the 7- and
/// 30-day windows, and the last 24 hours (which hold today's hours).
const HOUR_RANGES: usize = 4;
/// Partial hours one read can take: one per rolling window.
const EVENT_RANGES: usize = 3;

/// One statement for every window: each part seeks its own index range
/// (`spend_buckets` by member, kind and start; `spend_events` by member and
/// time). Parameters: the member, then `from, to` pairs: local days, UTC
/// days, four hour ranges, three event ranges (unused ones empty).
const SPENT_IN_WINDOWS: &str = "
SELECT 0, start, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_buckets WHERE member_id = ?1 AND kind = 'local_day' AND start >= ?2 AND start < ?3
UNION ALL SELECT 1, start, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_buckets WHERE member_id = ?1 AND kind = 'utc_day' AND start >= ?4 AND start < ?5
UNION ALL SELECT 2, start, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_buckets WHERE member_id = ?1 AND kind = 'hour' AND start >= ?6 AND start < ?7
UNION ALL SELECT 2, start, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_buckets WHERE member_id = ?1 AND kind = 'hour' AND start >= ?8 AND start < ?9
UNION ALL SELECT 2, start, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_buckets WHERE member_id = ?1 AND kind = 'hour' AND start >= ?10 AND start < ?11
UNION ALL SELECT 2, start, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_buckets WHERE member_id = ?1 AND kind = 'hour' AND start >= ?12 AND start < ?13
UNION ALL SELECT 3, at_us, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_events WHERE member_id = ?1 AND at_us >= ?14 AND at_us < ?15
UNION ALL SELECT 3, at_us, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_events WHERE member_id = ?1 AND at_us >= ?16 AND at_us < ?17
UNION ALL SELECT 3, at_us, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_events WHERE member_id = ?1 AND at_us >= ?18 AND at_us < ?19";

/// Sorted, overlapping or touching ranges joined; more than `slots` left
/// are joined into one covering range (correct, only a longer read).
fn merge(ranges: &mut [(i64, i64)], slots: usize) -> Vec<(i64, i64)> {
    ranges.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for &(from, to) in ranges.iter().filter(|(f, t)| f < t) {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    if merged.len() > slots {
        let from = merged.first().map_or(0, |r| r.0);
        let to = merged.last().map_or(0, |r| r.1);
        merged = vec![(from, to)];
    }
    merged
}

/// Where a row comes from: the three kinds of spend bucket, or the events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    LocalDay = 0,
    UtcDay = 1,
    Hour = 2,
    Events = 3,
}

impl Source {
    /// The `kind` of a `spend_buckets` row of this source (`None`: the events).
    fn bucket_kind(self) -> Option<&'static str> {
        match self {
            Source::LocalDay => Some("local_day"),
            Source::UtcDay => Some("utc_day"),
            Source::Hour => Some("hour"),
            Source::Events => None,
        }
    }
}

/// One part of a window: rows of one source whose start (a bucket's day or
/// hour number, an event's time in microseconds) is in `from..to`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    source: Source,
    from: i64,
    to: i64,
}

/// A window's pieces, kept inline: there are at most four (see [`pieces`]).
#[derive(Debug, Clone, Copy)]
struct Pieces {
    items: [Piece; 4],
    len: usize,
}

impl Pieces {
    const NONE: Pieces = Pieces {
        items: [Piece {
            source: Source::Events,
            from: 0,
            to: 0,
        }; 4],
        len: 0,
    };

    fn of(pieces: &[Piece]) -> Pieces {
        let mut inline = Pieces::NONE;
        for (slot, piece) in inline.items.iter_mut().zip(pieces) {
            *slot = *piece;
        }
        inline.len = pieces.len().min(4);
        inline
    }

    fn as_slice(&self) -> &[Piece] {
        &self.items[..self.len]
    }
}

impl Piece {
    fn source(&self) -> (Source, i64, i64) {
        (self.source, self.from, self.to)
    }

    fn holds(&self, source: Source, at: i64) -> bool {
        self.source == source && self.from <= at && at < self.to
    }
}

/// The pieces a window is summed from: a calendar window is its local days;
/// a rolling window is the events of its first partial hour, then whole
/// hours up to the first whole UTC day, whole UTC days up to today, and
/// today's hours. Pieces never overlap, so nothing counts twice.
fn pieces(window: Window, now: DateTime<Utc>, today: NaiveDate) -> Pieces {
    if let Some((first, last)) = calendar_days(window, today) {
        return Pieces::of(&[Piece {
            source: Source::LocalDay,
            from: day_number(first),
            to: day_number(last) + 1,
        }]);
    }
    let Some(span) = rolling_span(window) else {
        return Pieces::NONE; // a single transaction: nothing before it counts
    };
    let start_us = (now - span).timestamp_micros();
    let first_full_hour = hour_of(start_us - 1) + 1; // ceil to the hour
    let partial_hour = Piece {
        source: Source::Events,
        from: start_us,
        to: first_full_hour * MICROS_PER_HOUR,
    };
    let first_full_day = (first_full_hour + HOURS_PER_DAY - 1).div_euclid(HOURS_PER_DAY);
    let current_day = utc_day_of(now.timestamp_micros());
    if first_full_day < current_day {
        Pieces::of(&[
            partial_hour,
            Piece {
                source: Source::Hour,
                from: first_full_hour,
                to: first_full_day * HOURS_PER_DAY,
            },
            Piece {
                source: Source::UtcDay,
                from: first_full_day,
                to: current_day,
            },
            Piece {
                source: Source::Hour,
                from: current_day * HOURS_PER_DAY,
                to: i64::MAX,
            },
        ])
    } else {
        Pieces::of(&[
            partial_hour,
            Piece {
                source: Source::Hour,
                from: first_full_hour,
                to: i64::MAX,
            },
        ])
    }
}

/// The parts of a stored transaction that decide its spend (and what history
/// shows as its coins, diamonds and money). A row that cannot be read is an
/// error naming it: a silently dropped posting would change the totals.
pub(crate) struct TxParts {
    pub postings: Vec<(Account, i64)>,
    pub takes: Vec<LotAmounts>,
    pub new_lots: Vec<LotAmounts>,
}

impl TxParts {
    pub fn load(conn: &Connection, tx_id: i64) -> Result<TxParts, LedgerError> {
        let mut stmt = conn.prepare_cached(
            "SELECT a.name, p.amount FROM postings p JOIN accounts a ON a.id = p.account_id WHERE p.tx_id = ?1 ORDER BY p.id",
        )?;
        let mut postings = Vec::new();
        for row in stmt.query_map([tx_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })? {
            let (name, amount) = row?;
            let account = Account::from_name(&name).ok_or_else(|| LedgerError::Corrupt {
                message: format!("transaction #{tx_id} posts to an unknown account {name:?}"),
            })?;
            postings.push((account, amount));
        }
        let amounts = |sql: &str| -> Result<Vec<LotAmounts>, LedgerError> {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map([tx_id], |r| {
                Ok(LotAmounts {
                    cost_micros: r.get(0)?,
                    paid_micros: r.get(1)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok(TxParts {
            postings,
            takes: amounts(
                "SELECT m.cost_micros, p.paid_micros FROM lot_moves m JOIN move_paid p ON p.move_id = m.id WHERE m.tx_id = ?1 ORDER BY m.id",
            )?,
            new_lots: amounts(
                "SELECT l.cost_micros, p.paid_micros FROM lots l JOIN lot_paid p ON p.lot_id = l.id WHERE l.tx_id = ?1 ORDER BY l.id",
            )?,
        })
    }

    /// What the coins taken from lots cost.
    pub fn moved_cost(&self) -> i64 {
        total(&self.takes, |t| t.cost_micros)
    }

    /// What the new lots cost.
    pub fn lot_cost(&self) -> i64 {
        total(&self.new_lots, |l| l.cost_micros)
    }

    /// What the transaction spends per scope: the same function the guard
    /// and the spend totals use, so a history row, an export and a limit's
    /// gauge never disagree.
    pub fn spend(&self, kind: Kind, original: Option<Kind>) -> Spend {
        of_transaction(kind, original, &self.postings, &self.takes, &self.new_lots)
    }
}

/// A member's totals per household-local day, for days `first..=last`
/// (day numbers as in [`day_number`]); days with nothing are left out.
pub fn local_day_totals(
    conn: &Connection,
    member: MemberId,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, Spend)>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT start, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_buckets
         WHERE member_id = ?1 AND kind = 'local_day' AND start >= ?2 AND start <= ?3 ORDER BY start",
    )?;
    let rows = stmt.query_map(params![member.0, first, last], |r| {
        Ok((
            r.get(0)?,
            Spend {
                purchase_micros: r.get(1)?,
                gift_coins: r.get(2)?,
                all_micros: r.get(3)?,
                gift_cost_micros: r.get(4)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The kind and time of the transaction a reversal undoes.
pub(crate) fn original_of(
    conn: &Connection,
    reverses: Option<TxId>,
) -> Result<Option<(Kind, i64)>, LedgerError> {
    let Some(orig) = reverses else {
        return Ok(None);
    };
    let (kind, at): (String, i64) = conn
        .one(
            "SELECT kind, at_us FROM transactions WHERE id = ?1",
            [orig.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(LedgerError::UnknownTransaction { tx: orig.0 })?;
    let kind = Kind::parse(&kind).ok_or_else(|| LedgerError::Corrupt {
        message: format!("transaction {orig} has an unknown kind {kind:?}"),
    })?;
    Ok(Some((kind, at)))
}

fn spend_for(draft: &Draft, original: Option<Kind>) -> Spend {
    let posted: Vec<(Account, i64)> = draft
        .postings
        .iter()
        .map(|p| (p.account, p.amount))
        .collect();
    of_transaction(
        draft.kind,
        original,
        &posted,
        &draft.takes.iter().map(LotTake::amounts).collect::<Vec<_>>(),
        &draft
            .new_lots
            .iter()
            .map(NewLot::amounts)
            .collect::<Vec<_>>(),
    )
}

/// What a draft will add to the spend totals if it commits: the guard judges
/// limits on this and hands it to `append` with its clearance, which records
/// that same value.
pub fn spend_of_draft(conn: &Connection, draft: &Draft) -> Result<Spend, LedgerError> {
    let original = original_of(conn, draft.reverses)?;
    Ok(spend_for(draft, original.map(|(kind, _)| kind)))
}
