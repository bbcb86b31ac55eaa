//! `verify`: recompute every hash chain and every balance from the raw rows and
//! name the first entry that does not match. It trusts nothing that is derived
//! (balances, open lots); it recomputes them and compares.

use std::collections::HashMap;

use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension};

use super::LedgerError;
use super::chain::{GENESIS_HASH, TxFields};
use super::decisions::verify_decisions;
use super::guardian_log::verify_guardian_actions;
use super::progress::{Stage, Watch};
use super::spend::{self, Spend};
use super::store::household_tz;
use crate::domain::{Account, Kind};

/// What `verify` looked at and the first problem it met, if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    pub transactions: u64,
    pub decisions: u64,
    pub guardian_actions: u64,
    pub postings: u64,
    pub accounts: u64,
    pub lots: u64,
    pub problem: Option<Problem>,
}

/// The first entry that does not match, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Which entry, e.g. "transaction #17 (gift, 2026-11-03 14:02:11 UTC)".
    pub entry: String,
    /// What is wrong with it.
    pub message: String,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

type RowMap<T> = fn(&rusqlite::Row<'_>) -> rusqlite::Result<(i64, T)>;

/// A lot as stored: the fields its transaction's hash covers (member, coins,
/// cost), its id, and its derived paid part and origin (None: missing).
struct LotRow {
    fields: (i64, i64, i64),
    id: i64,
    paid: Option<i64>,
    origin: Option<i64>,
}

/// A move as stored: the hashed fields (lot, coins, cost) and its paid part.
struct MoveRow {
    fields: (i64, i64, i64),
    paid: Option<i64>,
}

/// Recomputes each lot's paid part and origin and each move's paid share, in
/// transaction order, from the kinds of the transactions alone. Keeps only
/// lots with coins left, so memory follows the open lots, not history.
#[derive(Default)]
struct PaidCheck {
    /// lot id -> (coins, paid, taken so far)
    open: HashMap<i64, (i64, i64, i64)>,
}

impl PaidCheck {
    fn check(
        &mut self,
        conn: &Connection,
        kind: Kind,
        reverses: Option<i64>,
        moves: &[MoveRow],
        lots: &[LotRow],
    ) -> Result<Option<String>, LedgerError> {
        for m in moves {
            let (lot, coins, _) = m.fields;
            let Some((lot_coins, lot_paid, taken)) = self.open.get(&lot).copied() else {
                return Ok(Some(format!(
                    "it takes coins from coin lot {lot}, which holds none"
                )));
            };
            let (_, want) = super::lots::share_of_lot((lot_coins, 0, lot_paid), taken, coins)?;
            if m.paid != Some(want) {
                return Ok(Some(format!(
                    "the part of its coins from lot {lot} already counted as spent is recorded wrongly"
                )));
            }
            if taken + coins >= lot_coins {
                self.open.remove(&lot);
            } else {
                self.open.insert(lot, (lot_coins, lot_paid, taken + coins));
            }
        }
        // What each new lot's paid part and origin must be.
        let expected: Vec<(i64, i64)> = match (kind, reverses) {
            (Kind::Purchase, _) => lots.iter().map(|l| (l.fields.2, l.id)).collect(),
            (Kind::Grant, _) => lots.iter().map(|l| (0, l.id)).collect(),
            (Kind::Reversal, Some(gift)) if !lots.is_empty() => {
                let mut stmt = conn.prepare_cached(
                    "SELECT mp.paid_micros, lp.origin_lot_id FROM lot_moves m
                     JOIN move_paid mp ON mp.move_id = m.id JOIN lot_paid lp ON lp.lot_id = m.lot_id
                     WHERE m.tx_id = ?1 ORDER BY m.id",
                )?;
                let taken: Vec<(i64, i64)> = stmt
                    .query_map([gift], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()?;
                if taken.len() == lots.len() {
                    taken
                } else {
                    // Written before version 7: one lot for all the coins
                    // a gift took, its own origin.
                    let paid = taken.iter().map(|(p, _)| *p).sum();
                    lots.iter().map(|l| (paid, l.id)).collect()
                }
            }
            _ => lots.iter().map(|l| (0, l.id)).collect(),
        };
        for (lot, (paid, origin)) in lots.iter().zip(expected) {
            if lot.paid != Some(paid) || lot.origin != Some(origin) {
                return Ok(Some(format!(
                    "coin lot {}: the part of its cost already counted as spent, or where its coins came from, is recorded wrongly",
                    lot.id
                )));
            }
            self.open.insert(lot.id, (lot.fields.1, paid, 0));
        }
        Ok(None)
    }
}

/// Rows of postings, lots or moves, streamed in transaction order and handed
/// out one transaction at a time, so memory stays flat at any history size.
struct Grouped<'s, T> {
    rows: rusqlite::Rows<'s>,
    map: RowMap<T>,
    peeked: Option<(i64, T)>,
}

impl<'s, T> Grouped<'s, T> {
    fn new(rows: rusqlite::Rows<'s>, map: RowMap<T>) -> Result<Self, LedgerError> {
        let mut grouped = Grouped {
            rows,
            map,
            peeked: None,
        };
        grouped.advance()?;
        Ok(grouped)
    }

    fn advance(&mut self) -> Result<(), LedgerError> {
        self.peeked = match self.rows.next()? {
            Some(row) => Some((self.map)(row)?),
            None => None,
        };
        Ok(())
    }

    /// All rows of `tx_id` into `out`; returns the id of a row that belongs to
    /// no transaction (an earlier id that was never seen), if any.
    fn take(&mut self, tx_id: i64, out: &mut Vec<T>) -> Result<Option<i64>, LedgerError> {
        out.clear();
        let mut orphan = None;
        while let Some((id, _)) = &self.peeked {
            let id = *id;
            if id > tx_id {
                break;
            }
            if let Some((_, row)) = self.peeked.take() {
                if id == tx_id {
                    out.push(row);
                } else if orphan.is_none() {
                    orphan = Some(id);
                }
            }
            self.advance()?;
        }
        Ok(orphan)
    }

    fn leftover(&self) -> Option<i64> {
        self.peeked.as_ref().map(|(id, _)| *id)
    }
}

/// An amount in an account's unit as a person reads it: money as money,
/// coins and diamonds as counts.
fn amount_text(amount: i64, unit: &str) -> String {
    match crate::money::Currency::parse(unit) {
        Ok(currency) => crate::money::Money::from_micros(currency, amount).to_string(),
        Err(_) => format!("{amount} {unit}"),
    }
}

fn describe_tx(id: i64, kind: &str, at_us: i64) -> String {
    let when = DateTime::from_timestamp_micros(at_us)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "an impossible time".into());
    format!("transaction #{id} ({kind}, {when})")
}

/// Checks the whole database. Reads everything once, in order.
pub fn verify(conn: &Connection) -> Result<VerifyReport, LedgerError> {
    verify_watched(conn, &mut Watch::none())
}

/// [`verify`], telling `watch` how far it has got; stops (with
/// [`LedgerError::Stopped`]) when the watcher says so.
pub fn verify_watched(
    conn: &Connection,
    watch: &mut Watch<'_>,
) -> Result<VerifyReport, LedgerError> {
    let mut report = VerifyReport::default();
    watch.measure(conn)?;
    watch.stage(Stage::File)?;
    let fail = |mut report: VerifyReport, entry: String, message: &str| {
        report.problem = Some(Problem {
            entry,
            message: message.to_string(),
        });
        Ok(report)
    };

    let quick: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if quick != "ok" {
        return fail(
            report,
            "the database file".into(),
            &format!("SQLite reports damage: {quick}"),
        );
    }

    let accounts: HashMap<i64, (String, String)> = conn
        .prepare("SELECT id, name, unit FROM accounts")?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<Result<_, _>>()?;
    report.accounts = accounts.len() as u64;

    report.postings = conn
        .query_row("SELECT COUNT(*) FROM postings", [], |r| r.get::<_, i64>(0))?
        .unsigned_abs();
    report.lots = conn
        .query_row("SELECT COUNT(*) FROM lots", [], |r| r.get::<_, i64>(0))?
        .unsigned_abs();
    let mut posting_stmt =
        conn.prepare("SELECT tx_id, account_id, amount FROM postings ORDER BY tx_id, id")?;
    // Lots and moves come with their derived paid parts (LEFT JOIN: a missing
    // row reads as NULL and is named below, not skipped).
    let mut lot_stmt = conn.prepare(
        "SELECT l.tx_id, l.member_id, l.coins, l.cost_micros, l.id, p.paid_micros, p.origin_lot_id
         FROM lots l LEFT JOIN lot_paid p ON p.lot_id = l.id ORDER BY l.tx_id, l.id",
    )?;
    let mut move_stmt = conn.prepare(
        "SELECT m.tx_id, m.lot_id, m.coins, m.cost_micros, p.paid_micros
         FROM lot_moves m LEFT JOIN move_paid p ON p.move_id = m.id ORDER BY m.tx_id, m.id",
    )?;
    let mut postings: Grouped<'_, (i64, i64)> = Grouped::new(posting_stmt.query([])?, |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
    })?;
    let mut lots_g: Grouped<'_, LotRow> = Grouped::new(lot_stmt.query([])?, |r| {
        Ok((
            r.get(0)?,
            LotRow {
                fields: (r.get(1)?, r.get(2)?, r.get(3)?),
                id: r.get(4)?,
                paid: r.get(5)?,
                origin: r.get(6)?,
            },
        ))
    })?;
    let mut moves_g: Grouped<'_, MoveRow> = Grouped::new(move_stmt.query([])?, |r| {
        Ok((
            r.get(0)?,
            MoveRow {
                fields: (r.get(1)?, r.get(2)?, r.get(3)?),
                paid: r.get(4)?,
            },
        ))
    })?;
    let mut paid_check = PaidCheck::default();

    let mut balances: HashMap<i64, i64> = HashMap::new();
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut tx_postings = Vec::new();
    let mut tx_lots = Vec::new();
    let mut tx_moves = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT id, idem_key, fingerprint, at_us, kind, actor_id, member_id, counterparty_id, memo, detail, catalog_version, reverses_tx, prev_hash, hash
         FROM transactions ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut events_expected: i64 = 0;
    watch.stage(Stage::Transactions)?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let key: Option<String> = r.get(1)?;
        let fingerprint: String = r.get(2)?;
        let at_us: i64 = r.get(3)?;
        let kind: String = r.get(4)?;
        let stored_prev: String = r.get(12)?;
        let stored_hash: String = r.get(13)?;
        let entry = describe_tx(id, &kind, at_us);
        report.transactions += 1;
        watch.tick(Stage::Transactions, report.transactions)?;

        if stored_prev != prev_hash {
            return fail(
                report,
                entry,
                "it does not follow the transaction before it: an entry before it was removed or changed",
            );
        }
        let orphan = [
            postings.take(id, &mut tx_postings)?,
            lots_g.take(id, &mut tx_lots)?,
            moves_g.take(id, &mut tx_moves)?,
        ]
        .into_iter()
        .flatten()
        .next();
        if let Some(orphan) = orphan {
            return fail(
                report,
                format!("rows belonging to transaction #{orphan}"),
                "there is no such transaction: rows were added outside coinguard",
            );
        }
        let mut named = Vec::with_capacity(tx_postings.len());
        let mut unit_sums: HashMap<&str, i64> = HashMap::new();
        for (account_id, amount) in &tx_postings {
            let Some((name, unit)) = accounts.get(account_id) else {
                return fail(
                    report,
                    entry,
                    "a posting names an account that does not exist",
                );
            };
            named.push((name.clone(), unit.clone(), *amount));
            let sum = unit_sums.entry(unit.as_str()).or_insert(0);
            *sum = sum.saturating_add(*amount);
            let bal = balances.entry(*account_id).or_insert(0);
            *bal = bal.saturating_add(*amount);
        }
        let fields = TxFields {
            id,
            key: key.as_deref(),
            fingerprint: &fingerprint,
            at_us,
            kind: &kind,
            actor: r.get(5)?,
            member: r.get(6)?,
            counterparty: r.get(7)?,
            memo: &r.get::<_, String>(8)?,
            detail: &r.get::<_, String>(9)?,
            catalog_version: r.get(10)?,
            reverses: r.get(11)?,
            postings: &named,
            lots: &tx_lots.iter().map(|l| l.fields).collect::<Vec<_>>(),
            moves: &tx_moves.iter().map(|m| m.fields).collect::<Vec<_>>(),
        };
        if fields.hash(&prev_hash) != stored_hash {
            return fail(
                report,
                entry,
                "its contents do not match its hash: it was changed outside coinguard",
            );
        }
        if let Some((unit, _)) = unit_sums.iter().find(|(_, sum)| **sum != 0) {
            return fail(
                report,
                entry,
                &format!("its {unit} postings do not sum to zero"),
            );
        }
        // The maintained spend event must be what this transaction spent.
        let reverses: Option<i64> = fields.reverses;
        let original: Option<(String, i64)> = match reverses {
            Some(orig) => Some(
                conn.prepare_cached("SELECT kind, at_us FROM transactions WHERE id = ?1")?
                    .query_row([orig], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?
                    .ok_or_else(|| LedgerError::Corrupt {
                        message: format!(
                            "transaction #{id} reverses #{orig}, which does not exist"
                        ),
                    })?,
            ),
            None => None,
        };
        let Some(kind_parsed) = Kind::parse(&kind) else {
            return fail(
                report,
                entry,
                &format!("its kind {kind:?} is not one coinguard writes"),
            );
        };
        if let Some(message) = paid_check.check(conn, kind_parsed, reverses, &tx_moves, &tx_lots)? {
            return fail(report, entry, &message);
        }
        let mut posted: Vec<(Account, i64)> = Vec::with_capacity(named.len());
        for (name, _, amount) in &named {
            let Some(account) = Account::from_name(name) else {
                return fail(
                    report,
                    entry,
                    &format!("it posts to an account coinguard does not write ({name:?})"),
                );
            };
            posted.push((account, *amount));
        }
        let amounts = |paid: Option<i64>, cost: i64| super::draft::LotAmounts {
            cost_micros: cost,
            paid_micros: paid.unwrap_or(0),
        };
        let expected = spend::of_transaction(
            kind_parsed,
            original.as_ref().and_then(|(k, _)| Kind::parse(k)),
            &posted,
            &tx_moves
                .iter()
                .map(|m| amounts(m.paid, m.fields.2))
                .collect::<Vec<_>>(),
            &tx_lots
                .iter()
                .map(|l| amounts(l.paid, l.fields.2))
                .collect::<Vec<_>>(),
        );
        let stored_event: Option<(i64, i64, Spend, Option<i64>)> = conn
            .prepare_cached(
                "SELECT member_id, at_us, purchase_micros, gift_coins, all_micros, creator_id, gift_cost_micros FROM spend_events WHERE tx_id = ?1",
            )?
            .query_row([id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    Spend {
                        purchase_micros: r.get(2)?,
                        gift_coins: r.get(3)?,
                        all_micros: r.get(4)?,
                        gift_cost_micros: r.get(6)?,
                    },
                    r.get(5)?,
                ))
            })
            .optional()?;
        let expected_event = (!expected.is_zero()).then(|| {
            let creator = fields.counterparty.filter(|_| expected.gift_coins != 0);
            (
                fields.member,
                original.as_ref().map_or(at_us, |(_, at)| *at),
                expected,
                creator,
            )
        });
        if stored_event != expected_event {
            return fail(
                report,
                entry,
                "its record in the spending totals does not match it: limits would be judged on wrong numbers",
            );
        }
        if expected_event.is_some() {
            events_expected += 1;
        }
        prev_hash = stored_hash;
    }
    drop(rows);
    if let Some(leftover) = [postings.leftover(), lots_g.leftover(), moves_g.leftover()]
        .into_iter()
        .flatten()
        .next()
    {
        return fail(
            report,
            format!("rows belonging to transaction #{leftover}"),
            "there is no such transaction: rows were added outside coinguard, or the newest transactions were removed",
        );
    }
    drop((postings, lots_g, moves_g));
    watch.stage(Stage::Totals)?;

    // Balances: maintained table against the recomputed sums.
    let stored: HashMap<i64, i64> = conn
        .prepare("SELECT account_id, balance FROM balances")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut ids: Vec<&i64> = accounts.keys().collect();
    ids.sort();
    for id in ids {
        let Some((name, unit)) = accounts.get(id) else {
            continue;
        };
        let computed = balances.get(id).copied().unwrap_or(0);
        let kept = stored.get(id).copied().unwrap_or(0);
        let entry = format!("account {name}");
        if computed != kept {
            return fail(
                report,
                entry,
                &format!(
                    "its stored balance is {} but its postings add up to {}",
                    amount_text(kept, unit),
                    amount_text(computed, unit)
                ),
            );
        }
        if computed < 0 && Account::from_name(name).is_some_and(|a| a.must_stay_non_negative()) {
            return fail(
                report,
                entry,
                &format!("it is below zero ({})", amount_text(computed, unit)),
            );
        }
    }

    // Lots: every lot's coins minus what was taken equals what is open, and a
    // wallet holds exactly the coins its open lots hold.
    let mut lot_check = conn.prepare(
        "SELECT l.id, l.member_id, l.coins - COALESCE((SELECT SUM(m.coins) FROM lot_moves m WHERE m.lot_id = l.id), 0),
                COALESCE(o.remaining, 0), o.member_id
         FROM lots l LEFT JOIN open_lots o ON o.lot_id = l.id ORDER BY l.id",
    )?;
    let mut lot_rows = lot_check.query([])?;
    let mut per_member: HashMap<i64, i64> = HashMap::new();
    while let Some(r) = lot_rows.next()? {
        let (lot_id, member, left, open, open_member): (i64, i64, i64, i64, Option<i64>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
        if left != open || left < 0 || open_member.is_some_and(|m| m != member) {
            return fail(
                report,
                format!("coin lot {lot_id}"),
                &format!("it should hold {left} coins but the open-lot record says {open}"),
            );
        }
        *per_member.entry(member).or_insert(0) += left;
    }
    let orphan_open: i64 = conn.query_row(
        "SELECT COUNT(*) FROM open_lots WHERE lot_id NOT IN (SELECT id FROM lots)",
        [],
        |r| r.get(0),
    )?;
    if orphan_open > 0 {
        return fail(
            report,
            "the open-lot records".into(),
            "some name coin lots that do not exist",
        );
    }
    for (id, (name, _)) in &accounts {
        if let Some(Account::Wallet(member)) = Account::from_name(name) {
            let wallet = balances.get(id).copied().unwrap_or(0);
            let in_lots = per_member.get(&member.0).copied().unwrap_or(0);
            if wallet != in_lots {
                return fail(
                    report,
                    format!("account {name}"),
                    &format!("the wallet holds {wallet} coins but its coin lots hold {in_lots}"),
                );
            }
        }
    }
    // What wallets' coins cost: the maintained figure against the lots.
    let mut expected_cost: HashMap<i64, i64> = HashMap::new();
    for (sql, sign) in [
        (
            "SELECT member_id, SUM(cost_micros) FROM lots GROUP BY member_id",
            1i64,
        ),
        (
            "SELECT x.member_id, SUM(m.cost_micros) FROM lot_moves m JOIN lots x ON x.id = m.lot_id GROUP BY x.member_id",
            -1,
        ),
    ] {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (member, cost) = row?;
            *expected_cost.entry(member).or_insert(0) += sign * cost;
        }
    }
    let stored_cost: HashMap<i64, i64> = conn
        .prepare("SELECT member_id, cost_micros FROM wallet_costs")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut members: Vec<&i64> = expected_cost.keys().chain(stored_cost.keys()).collect();
    members.sort();
    members.dedup();
    for member in members {
        let (want, have) = (
            expected_cost.get(member).copied().unwrap_or(0),
            stored_cost.get(member).copied().unwrap_or(0),
        );
        if want != have {
            return fail(
                report,
                format!("the wallet cost of member {member}"),
                &format!("it says {have} micro-units but the coin lots add up to {want}"),
            );
        }
    }

    // Spend totals: no stray events, and every bucket is the sum of its events.
    let events_stored: i64 =
        conn.query_row("SELECT COUNT(*) FROM spend_events", [], |r| r.get(0))?;
    if events_stored != events_expected {
        return fail(
            report,
            "the spending totals".into(),
            "they hold events for transactions that spent nothing, or that do not exist",
        );
    }
    if let Some(problem) = check_buckets(conn)? {
        return fail(report, "the spending totals".into(), &problem);
    }
    let (decisions, bad) = verify_decisions(conn, watch)?;
    report.decisions = decisions;
    if let Some((entry, message)) = bad {
        return fail(report, entry, &message);
    }
    let (actions, bad) = verify_guardian_actions(conn, watch)?;
    report.guardian_actions = actions;
    if let Some((entry, message)) = bad {
        return fail(report, entry, &message);
    }
    Ok(report)
}

/// Recomputes every spend bucket from the events and compares.
fn check_buckets(conn: &Connection) -> Result<Option<String>, LedgerError> {
    let tz = household_tz(conn)?;
    let mut expected: HashMap<(i64, &'static str, i64), Spend> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT member_id, at_us, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_events",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (member, at_us): (i64, i64) = (r.get(0)?, r.get(1)?);
        let add = Spend {
            purchase_micros: r.get(2)?,
            gift_coins: r.get(3)?,
            all_micros: r.get(4)?,
            gift_cost_micros: r.get(5)?,
        };
        for key in [
            (member, "hour", spend::hour_of(at_us)),
            (member, "utc_day", spend::utc_day_of(at_us)),
            (member, "local_day", spend::local_day_of(at_us, tz)),
        ] {
            let e = expected.entry(key).or_default();
            e.purchase_micros = e.purchase_micros.saturating_add(add.purchase_micros);
            e.gift_coins = e.gift_coins.saturating_add(add.gift_coins);
            e.all_micros = e.all_micros.saturating_add(add.all_micros);
            e.gift_cost_micros = e.gift_cost_micros.saturating_add(add.gift_cost_micros);
        }
    }
    let mut stmt = conn.prepare(
        "SELECT member_id, kind, start, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_buckets",
    )?;
    let mut rows = stmt.query([])?;
    let mut seen = 0usize;
    while let Some(r) = rows.next()? {
        let (member, kind, start): (i64, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let stored = Spend {
            purchase_micros: r.get(3)?,
            gift_coins: r.get(4)?,
            all_micros: r.get(5)?,
            gift_cost_micros: r.get(6)?,
        };
        let kind: &'static str = match kind.as_str() {
            "hour" => "hour",
            "utc_day" => "utc_day",
            "local_day" => "local_day",
            _ => {
                return Ok(Some(format!(
                    "a bucket of member {member} has an unknown kind {kind:?}"
                )));
            }
        };
        if expected.get(&(member, kind, start)) != Some(&stored) {
            return Ok(Some(format!(
                "the {kind} bucket {start} of member {member} does not add up to the transactions in it"
            )));
        }
        seen += 1;
    }
    if seen != expected.len() {
        return Ok(Some(
            "some spending is missing from the buckets limits are judged on".into(),
        ));
    }
    Ok(None)
}
