//! `verify`: recompute every hash chain and every balance from the raw rows,
//! replay the record of policy, check the seals, and name the first entry
//! that does not match. It trusts nothing that is derived (balances, open
//! lots, spend totals); it recomputes them and compares.
//!
//! What it checks, in order (the first problem is the one named):
//! 1. the file itself (`PRAGMA quick_check`, full verify only);
//! 2. the ledger chain, each transaction's balance per unit, its lots and
//!    its spend record; the decision chain and the requests it bound; the
//!    guardian-action chain, replaying its record of policy;
//! 3. the seals: their chain, every chain's entry at each sealed length (a
//!    chain cut short or recomputed is named), the policy each recorded,
//!    and, with a guardian's keys, their MACs;
//! 4. the derived tables against what the chains say;
//! 5. the policy tables, alerts and requests against their record;
//! 6. what protects the rows: the append-only triggers against the SQL
//!    coinguard creates, and dangling references in the policy tables
//!    (`foreign_key_check`).
//!
//! **Incremental.** A verify that found nothing leaves a mark (a seal of
//! kind `verified`) with what it needs to carry on; the next verify starts
//! there: chains from the marked entries (checking those entries still
//! have the marked hashes), balances from the marked ones, spend buckets
//! and lots for what is new. The record of policy and the seals are always
//! read whole (they are small). A full verify re-reads everything; only it
//! finds an old row edited in place without its hash being recomputed.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::LedgerError;
use super::chain::{GENESIS_HASH, TxFields};
use super::decisions::{SELECT_DECISIONS, decision_of};
use super::guardian_log::{SELECT_ACTIONS, entry_of};
use super::progress::{Stage, Watch};
use super::record::{Origin, State, StoredImage, Table, parse_images};
use super::seal::{Head, Seal, SealKey, SealKind, all_seals};
use super::spend::{self, Spend};
use crate::domain::{Account, Kind, MemberId};

/// What `verify` looked at and the first problem it met, if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    /// Entries read this time (from the mark when `from` is set).
    pub transactions: u64,
    pub decisions: u64,
    pub guardian_actions: u64,
    pub postings: u64,
    pub accounts: u64,
    pub lots: u64,
    /// The mark this verify started from; `None`: it read everything.
    pub from: Option<MarkInfo>,
    /// What the seals say.
    pub seals: SealReport,
    pub problem: Option<Problem>,
    /// When nothing was wrong: the point verified, for the next mark.
    pub verified: Option<VerifiedPoint>,
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

/// Where an incremental verify started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkInfo {
    pub seal: i64,
    pub at_us: i64,
    /// The guardian whose PIN sealed the mark (`None`: left by a verify
    /// without a PIN).
    pub by: Option<String>,
    /// Whether the mark's seal was checked with that guardian's PIN.
    pub checked: bool,
    /// Transactions, decisions and guardian actions it had verified.
    pub lengths: [i64; 3],
}

/// What the seals say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SealReport {
    /// The guardian whose seals were checked with their PIN (`None`: seals
    /// were not checked, only read).
    pub checked_for: Option<String>,
    /// Seals whose MAC checked out under that guardian's PIN.
    pub checked: u64,
    /// Seals not checked: other guardians', verify marks left without a
    /// PIN, or made with a PIN of theirs that was not given.
    pub not_checked: u64,
    /// All seals in the record.
    pub total: u64,
    /// The PIN given opened only older seal keys of the guardian: it is not
    /// their current PIN, so their seals made since were not checked.
    pub older_pin: bool,
    /// Seals of that guardian the PIN given did not open (made with
    /// another of their PINs).
    pub own_not_checked: u64,
    /// The newest seal of the guardian checked for (checked), or, without
    /// a PIN, the newest seal of anyone (not checked).
    pub last: Option<SealPoint>,
    /// Entries after `last` (all entries when there is none): what no seal
    /// protects. Transactions, decisions, guardian actions.
    pub unsealed: [i64; 3],
}

/// A seal as people read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealPoint {
    pub id: i64,
    pub at_us: i64,
    pub by: Option<String>,
    /// Transactions, decisions and guardian actions it covers.
    pub lengths: [i64; 3],
}

/// A guardian's keys for checking their seals: the ones their PIN opened.
#[derive(Debug, Clone)]
pub struct SealCheck {
    pub guardian: MemberId,
    pub name: String,
    /// The keys the PIN opened (their current one and older ones made with
    /// the same PIN).
    pub keys: Vec<SealKey>,
    /// Whether the PIN matched the PIN hash stored for the guardian. A PIN
    /// that opens the guardian's newest key but not the stored hash means
    /// the stored hash was changed.
    pub matches_stored_pin: bool,
    /// Whether the PIN opened the guardian's newest key.
    pub opens_newest: bool,
}

/// What a new mark records: where verify got to and what it carries on from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPoint {
    pub(crate) heads: [Head; 3],
    pub(crate) policy_digest: String,
    pub(crate) state: String,
}

/// How to verify.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions<'a> {
    /// Read everything, even when a mark says where the last verify got to.
    pub full: bool,
    /// Check this guardian's seals with their keys.
    pub seal: Option<&'a SealCheck>,
}

/// What a mark carries so the next verify can start there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct MarkState {
    /// (account id, balance)
    balances: Vec<(i64, i64)>,
    /// (member id, what the coins in their wallet cost)
    wallet_costs: Vec<(i64, i64)>,
    spend_events: i64,
    postings: i64,
    lots: i64,
    alerts: i64,
    alerts_max: i64,
    requests_max: i64,
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
/// lots with coins left, so memory follows the open lots, not history. From
/// a mark, a lot made before it is read from the tables when first met.
struct PaidCheck {
    /// lot id -> (coins, paid, taken so far, member)
    open: HashMap<i64, (i64, i64, i64, i64)>,
    /// Transactions up to here were verified before (0: none).
    from_tx: i64,
    /// Lots already read from the tables (never read twice).
    loaded: HashSet<i64>,
}

impl PaidCheck {
    fn new(from_tx: i64) -> PaidCheck {
        PaidCheck {
            open: HashMap::new(),
            from_tx,
            loaded: HashSet::new(),
        }
    }

    /// A lot made at or before the mark, as it stood there.
    fn load(&mut self, conn: &Connection, lot: i64) -> Result<(), LedgerError> {
        if self.from_tx == 0 || !self.loaded.insert(lot) {
            return Ok(());
        }
        let row: Option<(i64, i64, i64, i64)> = conn
            .prepare_cached(
                "SELECT l.tx_id, l.coins, COALESCE(p.paid_micros, -1), l.member_id FROM lots l
                 LEFT JOIN lot_paid p ON p.lot_id = l.id WHERE l.id = ?1",
            )?
            .query_row([lot], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()?;
        let Some((tx, coins, paid, member)) = row else {
            return Ok(());
        };
        if tx > self.from_tx || paid < 0 {
            return Ok(());
        }
        let taken: i64 = conn
            .prepare_cached(
                "SELECT COALESCE(SUM(coins), 0) FROM lot_moves WHERE lot_id = ?1 AND tx_id <= ?2",
            )?
            .query_row([lot, self.from_tx], |r| r.get(0))?;
        if taken < coins {
            self.open.insert(lot, (coins, paid, taken, member));
        }
        Ok(())
    }

    /// Checks one transaction's moves and new lots; `costs` (what each
    /// member's wallet coins cost) gains the new lots and loses the moves.
    fn check(
        &mut self,
        conn: &Connection,
        tx: (Kind, Option<i64>),
        moves: &[MoveRow],
        lots: &[LotRow],
        costs: &mut BTreeMap<i64, i64>,
    ) -> Result<Option<String>, LedgerError> {
        let (kind, reverses) = tx;
        for m in moves {
            let (lot, coins, cost) = m.fields;
            if !self.open.contains_key(&lot) {
                self.load(conn, lot)?;
            }
            let Some((lot_coins, lot_paid, taken, member)) = self.open.get(&lot).copied() else {
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
            *costs.entry(member).or_insert(0) -= cost;
            if taken + coins >= lot_coins {
                self.open.remove(&lot);
            } else {
                self.open
                    .insert(lot, (lot_coins, lot_paid, taken + coins, member));
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
            self.loaded.insert(lot.id);
            *costs.entry(lot.fields.0).or_insert(0) += lot.fields.2;
            self.open
                .insert(lot.id, (lot.fields.1, paid, 0, lot.fields.0));
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

    /// The one row of `tx_id`, if any (for tables with one row per
    /// transaction); orphans as in [`Grouped::take`].
    fn take_one(&mut self, tx_id: i64) -> Result<(Option<T>, Option<i64>), LedgerError> {
        let mut out = Vec::with_capacity(1);
        let orphan = self.take(tx_id, &mut out)?;
        let extra = (out.len() > 1).then_some(tx_id);
        Ok((out.into_iter().next(), orphan.or(extra)))
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

fn when(at_us: i64) -> String {
    DateTime::from_timestamp_micros(at_us)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "an impossible time".into())
}

fn describe_tx(id: i64, kind: &str, at_us: i64) -> String {
    format!("transaction #{id} ({kind}, {})", when(at_us))
}

/// Checks the whole database, reading everything, without seals: what the
/// tests and the fuzzers call. See [`verify_with`].
pub fn verify(conn: &Connection) -> Result<VerifyReport, LedgerError> {
    verify_with(
        conn,
        &VerifyOptions {
            full: true,
            seal: None,
        },
    )
}

/// A problem found: the report so far, with it.
struct Found(Problem);

fn found(entry: impl Into<String>, message: impl Into<String>) -> Found {
    Found(Problem {
        entry: entry.into(),
        message: message.into(),
    })
}

type Checked<T> = Result<Result<T, Found>, LedgerError>;

/// Why an entry does not follow its chain's previous one, if it does not:
/// its stored `prev_hash` is not the previous entry's hash, or its id is not
/// the next one. The same two checks for every chain, worded per `noun`
/// ("transaction", "decision", "guardian action").
fn link_problem(
    noun: &str,
    prev: &str,
    stored_prev: &str,
    expected_id: i64,
    id: i64,
) -> Option<String> {
    if stored_prev != prev {
        let short = noun.rsplit(' ').next().unwrap_or(noun);
        return Some(format!(
            "it does not follow the {short} before it: an entry before it was removed or changed"
        ));
    }
    (id != expected_id).then(|| {
        format!("{noun} #{expected_id} is missing before it: entries were removed or renumbered")
    })
}

/// What `verify` says of an entry whose contents were edited in place.
const HASH_MISMATCH: &str = "its contents do not match its hash: it was changed outside coinguard";

/// Verifies, from the newest usable mark unless `options.full`, checking
/// the seals of `options.seal`'s guardian with their keys. Reads one
/// snapshot of the database.
pub fn verify_with(
    conn: &Connection,
    options: &VerifyOptions<'_>,
) -> Result<VerifyReport, LedgerError> {
    verify_watched(conn, options, &mut Watch::none())
}

/// [`verify_with`], telling `watch` how far it has got; stops (with
/// [`LedgerError::Stopped`], having written nothing) when the watcher says so.
pub fn verify_watched(
    conn: &Connection,
    options: &VerifyOptions<'_>,
    watch: &mut Watch<'_>,
) -> Result<VerifyReport, LedgerError> {
    // One snapshot: a commit made meanwhile is not half seen.
    let snapshot = conn.unchecked_transaction()?;
    let mut report = VerifyReport::default();
    watch.measure(&snapshot)?;
    let outcome = run(&snapshot, options, &mut report, watch)?;
    if let Err(Found(problem)) = outcome {
        report.problem = Some(problem);
        report.verified = None;
    }
    drop(snapshot);
    Ok(report)
}

/// The household's time zone (a missing household row is damage).
fn tz_of(conn: &Connection) -> Result<chrono_tz::Tz, LedgerError> {
    super::backfill::household_tz(conn)?.ok_or_else(|| LedgerError::Corrupt {
        message: "the household row is missing".into(),
    })
}

fn version_of(conn: &Connection) -> Result<i64, LedgerError> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

fn run(
    conn: &Connection,
    options: &VerifyOptions<'_>,
    report: &mut VerifyReport,
    watch: &mut Watch<'_>,
) -> Checked<()> {
    let recorded = version_of(conn)? >= super::schema::RECORD_VERSION;
    if options.full {
        watch.stage(Stage::File)?;
        let quick: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if quick != "ok" {
            return Ok(Err(found(
                "the database file",
                format!("SQLite reports damage: {quick}"),
            )));
        }
    }
    let seals = if recorded {
        all_seals(conn)?
    } else {
        Vec::new()
    };
    let names: HashMap<i64, String> = conn
        .prepare("SELECT id, name FROM members")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let who = |g: Option<MemberId>| g.and_then(|g| names.get(&g.0).cloned());

    // Where to start: the newest mark this verify may trust.
    let mark = if options.full {
        None
    } else {
        seals.iter().rev().find_map(|s| {
            let usable = s.kind == Some(SealKind::Verified)
                && match options.seal {
                    Some(check) => check.keys.iter().any(|k| s.made_with(k)),
                    None => true,
                };
            if !usable {
                return None;
            }
            let state: MarkState = serde_json::from_str(s.state.as_deref()?).ok()?;
            Some((s.clone(), state))
        })
    };
    report.from = mark.as_ref().map(|(s, _)| MarkInfo {
        seal: s.id,
        at_us: s.at_us,
        by: who(s.guardian),
        checked: options
            .seal
            .is_some_and(|c| c.keys.iter().any(|k| s.made_with(k))),
        lengths: s.heads.clone().map(|h| h.len),
    });
    let (start, state) = match mark {
        Some((s, state)) => (s.heads, state),
        None => (
            [Head::genesis(), Head::genesis(), Head::genesis()],
            MarkState::default(),
        ),
    };
    for (chain, head) in super::seal::CHAINS.iter().zip(&start) {
        if let Err(f) = check_marked_head(conn, chain, head, report.from.as_ref())? {
            return Ok(Err(f));
        }
    }

    let mut ledger = match walk_transactions(conn, &start[0], &state, report, watch)? {
        Ok(ledger) => ledger,
        Err(f) => return Ok(Err(f)),
    };
    let decisions = match walk_decisions(conn, &start[1], report, watch)? {
        Ok(d) => d,
        Err(f) => return Ok(Err(f)),
    };
    let (policy, digests_at) = match walk_actions(conn, report, watch)? {
        Ok(p) => p,
        Err(f) => return Ok(Err(f)),
    };
    if recorded {
        if let Err(f) = check_seals(conn, &seals, options.seal, &digests_at, &who, report)? {
            return Ok(Err(f));
        }
        if let Some(check) = options.seal
            && check.opens_newest
            && !check.matches_stored_pin
        {
            return Ok(Err(found(
                format!("the PIN of {}", check.name),
                "the PIN stored for them is not the PIN their seals were made with: it was changed outside coinguard",
            )));
        }
    }
    // Spending buckets are read by the household's time zone: its row must
    // be there, with a zone coinguard knows, before they are checked.
    let household = "the household row (currency, time zone, expiry)";
    match super::backfill::household_tz(conn) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return Ok(Err(found(
                household,
                "it is missing: it was removed outside coinguard",
            )));
        }
        Err(_) => {
            return Ok(Err(found(
                household,
                "its time zone is not one coinguard knows: it was changed outside coinguard",
            )));
        }
    }
    watch.stage(Stage::Totals)?;
    if let Err(f) = check_derived(conn, &mut ledger, &state, report.from.is_none())? {
        return Ok(Err(f));
    }
    if recorded {
        let tables = State::of_tables(conn, Table::is_policy)?;
        if let Some((entry, message)) = policy.first_difference(conn, &tables, Table::is_policy)? {
            return Ok(Err(found(entry, message)));
        }
        if let Err(f) = check_alerts(conn, &policy, &decisions, &state, report.from.is_none())? {
            return Ok(Err(f));
        }
        if let Err(f) = check_requests(conn, &decisions, &state, report.from.is_none())? {
            return Ok(Err(f));
        }
    }
    // Last, what protects the rows: a dropped trigger or a dangling
    // reference is named when no row above was found changed.
    if let Err(f) = check_triggers(conn)? {
        return Ok(Err(f));
    }
    if let Err(f) = check_foreign_keys(conn)? {
        return Ok(Err(f));
    }

    // Nothing wrong: what the next verify can start from.
    let heads = super::seal::heads(conn)?;
    let next = MarkState {
        balances: ledger.balances.into_iter().collect(),
        wallet_costs: ledger.wallet_costs.into_iter().collect(),
        spend_events: ledger.spend_events,
        postings: ledger.postings,
        lots: ledger.lots,
        alerts: conn.query_row("SELECT COUNT(*) FROM alerts", [], |r| r.get(0))?,
        alerts_max: conn.query_row("SELECT COALESCE(MAX(id), 0) FROM alerts", [], |r| r.get(0))?,
        requests_max: conn.query_row("SELECT COALESCE(MAX(id), 0) FROM requests", [], |r| {
            r.get(0)
        })?,
    };
    report.verified = recorded.then(|| VerifiedPoint {
        heads,
        policy_digest: policy.digest(),
        state: serde_json::to_string(&next).unwrap_or_default(),
    });
    Ok(Ok(()))
}

/// The entry a mark ends at must still be there, with the hash verified.
fn check_marked_head(
    conn: &Connection,
    chain: &str,
    head: &Head,
    mark: Option<&MarkInfo>,
) -> Checked<()> {
    let (Some(mark), true) = (mark, head.len > 0) else {
        return Ok(Ok(()));
    };
    let stored: Option<String> = conn
        .prepare_cached(&format!("SELECT hash FROM {chain} WHERE id = ?1"))?
        .query_row([head.len], |r| r.get(0))
        .optional()?;
    let noun = chain_noun(chain);
    let entry = format!("{noun} #{}", head.len);
    Ok(match stored {
        Some(hash) if hash == head.hash => Ok(()),
        Some(_) => Err(found(
            entry,
            format!(
                "it is not the entry verified on {}: an entry up to it was changed, removed, inserted or reordered since (run a full verify to find which)",
                when(mark.at_us)
            ),
        )),
        None => Err(found(
            entry,
            format!(
                "it is missing, though it was verified on {}: the {} were cut short",
                when(mark.at_us),
                chain_plural(chain)
            ),
        )),
    })
}

fn chain_noun(chain: &str) -> &'static str {
    match chain {
        "transactions" => "transaction",
        "decisions" => "decision",
        _ => "guardian action",
    }
}

fn chain_plural(chain: &str) -> &'static str {
    match chain {
        "transactions" => "transactions",
        "decisions" => "decisions",
        _ => "guardian actions",
    }
}

/// What the ledger walk learned, for the derived checks.
#[derive(Default)]
struct Ledger {
    balances: BTreeMap<i64, i64>,
    wallet_costs: BTreeMap<i64, i64>,
    spend_events: i64,
    postings: i64,
    lots: i64,
    accounts: HashMap<i64, AccountRow>,
    /// From a mark: what the new transactions touched.
    touched_lots: HashSet<i64>,
    touched_members: HashSet<i64>,
    new_events: Vec<(i64, i64)>,
}

struct AccountRow {
    name: String,
    unit: String,
    parsed: Option<Account>,
}

fn walk_transactions(
    conn: &Connection,
    start: &Head,
    state: &MarkState,
    report: &mut VerifyReport,
    watch: &mut Watch<'_>,
) -> Checked<Ledger> {
    let mut ledger = Ledger {
        balances: state.balances.iter().copied().collect(),
        wallet_costs: state.wallet_costs.iter().copied().collect(),
        spend_events: state.spend_events,
        postings: state.postings,
        lots: state.lots,
        ..Ledger::default()
    };
    let mut stmt = conn.prepare("SELECT id, name, unit FROM accounts")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let name: String = r.get(1)?;
        ledger.accounts.insert(
            r.get(0)?,
            AccountRow {
                parsed: Account::from_name(&name),
                name,
                unit: r.get(2)?,
            },
        );
    }
    drop(rows);
    report.accounts = ledger.accounts.len() as u64;
    let members: HashSet<i64> = conn
        .prepare("SELECT id FROM members")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let catalogs: HashSet<i64> = conn
        .prepare("SELECT id FROM catalog_versions")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let from = start.len;

    let mut posting_stmt = conn.prepare(
        "SELECT tx_id, account_id, amount FROM postings WHERE tx_id > ?1 ORDER BY tx_id, id",
    )?;
    // Lots and moves come with their derived paid parts (LEFT JOIN: a missing
    // row reads as NULL and is named below, not skipped).
    let mut lot_stmt = conn.prepare(
        "SELECT l.tx_id, l.member_id, l.coins, l.cost_micros, l.id, p.paid_micros, p.origin_lot_id
         FROM lots l LEFT JOIN lot_paid p ON p.lot_id = l.id WHERE l.tx_id > ?1 ORDER BY l.tx_id, l.id",
    )?;
    let mut move_stmt = conn.prepare(
        "SELECT m.tx_id, m.lot_id, m.coins, m.cost_micros, p.paid_micros
         FROM lot_moves m LEFT JOIN move_paid p ON p.move_id = m.id WHERE m.tx_id > ?1 ORDER BY m.tx_id, m.id",
    )?;
    let mut event_stmt = conn.prepare(
        "SELECT tx_id, member_id, at_us, purchase_micros, gift_coins, all_micros, creator_id, gift_cost_micros
         FROM spend_events WHERE tx_id > ?1 ORDER BY tx_id",
    )?;
    let mut postings: Grouped<'_, (i64, i64)> = Grouped::new(posting_stmt.query([from])?, |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
    })?;
    let mut lots_g: Grouped<'_, LotRow> = Grouped::new(lot_stmt.query([from])?, |r| {
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
    let mut moves_g: Grouped<'_, MoveRow> = Grouped::new(move_stmt.query([from])?, |r| {
        Ok((
            r.get(0)?,
            MoveRow {
                fields: (r.get(1)?, r.get(2)?, r.get(3)?),
                paid: r.get(4)?,
            },
        ))
    })?;
    type Event = (i64, i64, Spend, Option<i64>);
    let mut events_g: Grouped<'_, Event> = Grouped::new(event_stmt.query([from])?, |r| {
        Ok((
            r.get(0)?,
            (
                r.get(1)?,
                r.get(2)?,
                Spend {
                    purchase_micros: r.get(3)?,
                    gift_coins: r.get(4)?,
                    all_micros: r.get(5)?,
                    gift_cost_micros: r.get(7)?,
                },
                r.get(6)?,
            ),
        ))
    })?;
    let mut paid_check = PaidCheck::new(from);

    let mut prev_hash = start.hash.clone();
    let mut expected_id = from + 1;
    let mut tx_postings = Vec::new();
    let mut tx_lots = Vec::new();
    let mut tx_moves = Vec::new();
    let mut named: Vec<(&str, &str, i64)> = Vec::with_capacity(8);
    let mut posted: Vec<(Account, i64)> = Vec::with_capacity(8);
    let mut stmt = conn.prepare(
        "SELECT id, idem_key, fingerprint, at_us, kind, actor_id, member_id, counterparty_id, memo, detail, catalog_version, reverses_tx, prev_hash, hash
         FROM transactions WHERE id > ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([from])?;
    watch.stage(Stage::Transactions)?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        watch.tick(Stage::Transactions, id.unsigned_abs())?;
        let key: Option<String> = r.get(1)?;
        let fingerprint: String = r.get(2)?;
        let at_us: i64 = r.get(3)?;
        let kind: String = r.get(4)?;
        let stored_prev: String = r.get(12)?;
        let stored_hash: String = r.get(13)?;
        let entry = describe_tx(id, &kind, at_us);
        report.transactions += 1;

        if let Some(why) = link_problem("transaction", &prev_hash, &stored_prev, expected_id, id) {
            return Ok(Err(found(entry, why)));
        }
        expected_id = id + 1;
        let orphan = [
            postings.take(id, &mut tx_postings)?,
            lots_g.take(id, &mut tx_lots)?,
            moves_g.take(id, &mut tx_moves)?,
        ]
        .into_iter()
        .flatten()
        .next();
        let (stored_event, event_orphan) = events_g.take_one(id)?;
        if let Some(orphan) = orphan {
            return Ok(Err(found(
                format!("rows belonging to transaction #{orphan}"),
                "there is no such transaction: rows were added outside coinguard",
            )));
        }
        if let Some(orphan) = event_orphan {
            return Ok(Err(found(
                "the spending totals",
                format!(
                    "they hold an event for transaction #{orphan}, which spent nothing or does not exist"
                ),
            )));
        }
        named.clear();
        posted.clear();
        let mut unit_sums: Vec<(&str, i64)> = Vec::with_capacity(3);
        for (account_id, amount) in &tx_postings {
            let Some(account) = ledger.accounts.get(account_id) else {
                return Ok(Err(found(
                    entry,
                    "a posting names an account that does not exist",
                )));
            };
            named.push((account.name.as_str(), account.unit.as_str(), *amount));
            match unit_sums.iter_mut().find(|(u, _)| *u == account.unit) {
                Some((_, sum)) => *sum = sum.saturating_add(*amount),
                None => unit_sums.push((account.unit.as_str(), *amount)),
            }
            let bal = ledger.balances.entry(*account_id).or_insert(0);
            *bal = bal.saturating_add(*amount);
            if let Some(parsed) = account.parsed {
                posted.push((parsed, *amount));
                if let Account::Wallet(m) = parsed {
                    ledger.touched_members.insert(m.0);
                }
            }
        }
        ledger.postings += tx_postings.len() as i64;
        ledger.lots += tx_lots.len() as i64;
        let memo: String = r.get(8)?;
        let detail: String = r.get(9)?;
        let lot_fields: Vec<(i64, i64, i64)> = tx_lots.iter().map(|l| l.fields).collect();
        let move_fields: Vec<(i64, i64, i64)> = tx_moves.iter().map(|m| m.fields).collect();
        let fields = TxFields {
            id,
            key: key.as_deref(),
            fingerprint: &fingerprint,
            at_us,
            kind: &kind,
            actor: r.get(5)?,
            member: r.get(6)?,
            counterparty: r.get(7)?,
            memo: &memo,
            detail: &detail,
            catalog_version: r.get(10)?,
            reverses: r.get(11)?,
            postings: &named,
            lots: &lot_fields,
            moves: &move_fields,
        };
        if fields.hash(&prev_hash) != stored_hash {
            return Ok(Err(found(entry, HASH_MISMATCH)));
        }
        if let Some((unit, _)) = unit_sums.iter().find(|(_, sum)| *sum != 0) {
            return Ok(Err(found(
                entry,
                format!("its {unit} postings do not sum to zero"),
            )));
        }
        let people = [Some(fields.actor), Some(fields.member), fields.counterparty];
        if people.iter().flatten().any(|m| !members.contains(m)) {
            return Ok(Err(found(
                entry,
                "it names a member who does not exist: members were removed outside coinguard",
            )));
        }
        if !catalogs.contains(&fields.catalog_version) {
            return Ok(Err(found(
                entry,
                format!(
                    "it names catalog version {}, which does not exist: the catalog was changed outside coinguard",
                    fields.catalog_version
                ),
            )));
        }
        // The maintained spend event must be what this transaction spent.
        let reverses: Option<i64> = fields.reverses;
        let original: Option<(String, i64)> = match reverses {
            Some(orig) => {
                let found_original = conn
                    .prepare_cached(
                        "SELECT kind, at_us FROM transactions WHERE id = ?1 AND id < ?2",
                    )?
                    .query_row([orig, id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                match found_original {
                    Some(o) => Some(o),
                    None => {
                        return Ok(Err(found(
                            entry,
                            format!(
                                "it reverses transaction #{orig}, which does not exist before it"
                            ),
                        )));
                    }
                }
            }
            None => None,
        };
        let Some(kind_parsed) = Kind::parse(&kind) else {
            return Ok(Err(found(
                entry,
                format!("its kind {kind:?} is not one coinguard writes"),
            )));
        };
        if let Some(message) = paid_check.check(
            conn,
            (kind_parsed, reverses),
            &tx_moves,
            &tx_lots,
            &mut ledger.wallet_costs,
        )? {
            return Ok(Err(found(entry, message)));
        }
        if posted.len() != named.len() {
            let name = named
                .iter()
                .find(|(n, _, _)| Account::from_name(n).is_none())
                .map(|(n, _, _)| *n)
                .unwrap_or_default();
            return Ok(Err(found(
                entry,
                format!("it posts to an account coinguard does not write ({name:?})"),
            )));
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
            return Ok(Err(found(
                entry,
                "its record in the spending totals does not match it: limits would be judged on wrong numbers",
            )));
        }
        if let Some((member, at, _, _)) = expected_event {
            ledger.spend_events += 1;
            ledger.new_events.push((member, at));
        }
        // Which lots and wallets changed (checked from a mark).
        for l in &tx_lots {
            ledger.touched_lots.insert(l.id);
            ledger.touched_members.insert(l.fields.0);
        }
        for m in &tx_moves {
            ledger.touched_lots.insert(m.fields.0);
        }
        prev_hash = stored_hash;
    }
    drop(rows);
    if let Some(leftover) = [
        postings.leftover(),
        lots_g.leftover(),
        moves_g.leftover(),
        events_g.leftover(),
    ]
    .into_iter()
    .flatten()
    .next()
    {
        return Ok(Err(found(
            format!("rows belonging to transaction #{leftover}"),
            "there is no such transaction: rows were added outside coinguard, or the newest transactions were removed",
        )));
    }
    report.postings = (ledger.postings - state.postings).unsigned_abs();
    report.lots = (ledger.lots - state.lots).unsigned_abs();
    Ok(Ok(ledger))
}

/// What the decision walk learned: alert images and request bindings.
#[derive(Default)]
struct Decisions {
    /// Alert images recorded by decisions, in order.
    alerts: Vec<(Vec<StoredImage>, i64)>,
    /// Request id -> the decision that bound it.
    requests: BTreeMap<i64, i64>,
}

fn walk_decisions(
    conn: &Connection,
    start: &Head,
    report: &mut VerifyReport,
    watch: &mut Watch<'_>,
) -> Checked<Decisions> {
    watch.stage(Stage::Decisions)?;
    let mut out = Decisions::default();
    let mut stmt = conn.prepare(&format!("{SELECT_DECISIONS} WHERE id > ?1 ORDER BY id"))?;
    let mut rows = stmt.query([start.len])?;
    let mut prev = start.hash.clone();
    let mut expected_id = start.len + 1;
    while let Some(r) = rows.next()? {
        let d = decision_of(r)?;
        watch.tick(Stage::Decisions, d.id.unsigned_abs())?;
        report.decisions += 1;
        let name = d.name();
        if let Some(why) = link_problem("decision", &prev, &d.prev_hash, expected_id, d.id) {
            return Ok(Err(found(name, why)));
        }
        expected_id = d.id + 1;
        if d.computed_hash(&prev) != d.hash {
            return Ok(Err(found(name, HASH_MISMATCH)));
        }
        if let Some(changes) = &d.changes {
            match parse_images(changes) {
                Some(images) if images.iter().all(|(t, _, _)| *t == Table::Alerts) => {
                    out.alerts.push((images, d.id));
                }
                _ => {
                    return Ok(Err(found(
                        name,
                        "what it records is not something coinguard writes",
                    )));
                }
            }
        }
        if let Some(binding) = d.entry.as_ref().and_then(|e| e.request.as_ref()) {
            let stored: Option<String> = conn
                .prepare_cached("SELECT params FROM requests WHERE id = ?1")?
                .query_row([binding.id], |r| r.get(0))
                .optional()?;
            let hash = super::requests::binding_hash(conn, binding.id)?;
            let request = format!("request #{}", binding.id);
            match stored {
                None => {
                    return Ok(Err(found(
                        request,
                        format!(
                            "{name} recorded it being asked, but it is missing: it was removed outside coinguard"
                        ),
                    )));
                }
                Some(params)
                    if params != binding.params || hash.as_deref() != Some(&binding.hash) =>
                {
                    return Ok(Err(found(
                        request,
                        format!(
                            "it is not what {name} recorded when it was asked (what it asks, its words, note, coins held or times): it was changed outside coinguard"
                        ),
                    )));
                }
                Some(_) => {}
            }
            out.requests.insert(binding.id, d.id);
        }
        prev = d.hash;
    }
    Ok(Ok(out))
}

/// Replays the guardian-action log: chain, record of policy, and the
/// policy digest after each entry a seal ends at.
fn walk_actions(
    conn: &Connection,
    report: &mut VerifyReport,
    watch: &mut Watch<'_>,
) -> Checked<(State, HashMap<i64, String>)> {
    watch.stage(Stage::GuardianActions)?;
    let sealed_at: HashSet<i64> = if version_of(conn)? >= super::schema::RECORD_VERSION {
        conn.prepare("SELECT DISTINCT ga_len FROM seals")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    } else {
        HashSet::new()
    };
    let has_changes = version_of(conn)? >= super::schema::RECORD_VERSION;
    let sql = if has_changes {
        format!("{SELECT_ACTIONS} ORDER BY id")
    } else {
        "SELECT id, at_us, actor_id, action, subject, before, after, prev_hash, hash, NULL FROM guardian_actions ORDER BY id".to_string()
    };
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS_HASH.to_string();
    let mut state = State::default();
    let mut digests = HashMap::new();
    let mut expected_id = 1;
    while let Some(r) = rows.next()? {
        let entry = entry_of(r)?;
        watch.tick(Stage::GuardianActions, entry.id.unsigned_abs())?;
        report.guardian_actions += 1;
        let name = entry.name();
        if let Some(why) = link_problem(
            "guardian action",
            &prev,
            &entry.prev_hash,
            expected_id,
            entry.id,
        ) {
            return Ok(Err(found(name, why)));
        }
        expected_id = entry.id + 1;
        if entry.computed_hash(&prev) != entry.hash {
            return Ok(Err(found(name, HASH_MISMATCH)));
        }
        if let Some(changes) = &entry.changes {
            let Some(images) = parse_images(changes) else {
                return Ok(Err(found(
                    name,
                    "what it records is not something coinguard writes",
                )));
            };
            state.apply(images, Origin::GuardianAction(entry.id));
        }
        if sealed_at.contains(&entry.id) {
            digests.insert(entry.id, state.digest());
        }
        prev = entry.hash;
    }
    if sealed_at.contains(&0) {
        digests.insert(0, state_digest_empty());
    }
    Ok(Ok((state, digests)))
}

fn state_digest_empty() -> String {
    State::default().digest()
}

/// The seal chain; each seal's recorded heads against the chains; the
/// policy each recorded against the replayed log; the MACs of `check`'s
/// guardian.
fn check_seals(
    conn: &Connection,
    seals: &[Seal],
    check: Option<&SealCheck>,
    digests_at: &HashMap<i64, String>,
    who: &dyn Fn(Option<MemberId>) -> Option<String>,
    report: &mut VerifyReport,
) -> Checked<()> {
    let seal_name = |s: &Seal| {
        let by = who(s.guardian).unwrap_or_else(|| "no guardian".to_string());
        match s.kind {
            Some(SealKind::Verified) => format!("verify mark #{} ({by}, {})", s.id, when(s.at_us)),
            _ => format!("seal #{} ({by}, {})", s.id, when(s.at_us)),
        }
    };
    report.seals.total = seals.len() as u64;
    report.seals.checked_for = check.map(|c| c.name.clone());
    report.seals.older_pin = check.is_some_and(|c| !c.opens_newest);
    let mut prev = GENESIS_HASH.to_string();
    for (i, s) in seals.iter().enumerate() {
        if s.prev_hash != prev || s.id != i as i64 + 1 {
            return Ok(Err(found(
                seal_name(s),
                "it does not follow the seal before it: a seal was removed, inserted or changed",
            )));
        }
        if s.kind.is_none() || s.computed_hash(&prev) != s.hash {
            return Ok(Err(found(seal_name(s), HASH_MISMATCH)));
        }
        prev = s.hash.clone();
    }
    // Each sealed head: the entry must be there with that hash. The
    // chains were walked above, so a stored hash that matches means the
    // chain up to it is the sealed one; a mismatch is a chain changed and
    // recomputed, or cut short.
    for (c, chain) in super::seal::CHAINS.iter().enumerate() {
        let mut by_len: Vec<&Seal> = seals.iter().filter(|s| s.heads[c].len > 0).collect();
        by_len.sort_by_key(|s| (s.heads[c].len, s.id));
        let mut intact_up_to = 0;
        for s in by_len {
            let head = &s.heads[c];
            let stored: Option<String> = conn
                .prepare_cached(&format!("SELECT hash FROM {chain} WHERE id = ?1"))?
                .query_row([head.len], |r| r.get(0))
                .optional()?;
            let noun = chain_noun(chain);
            match stored {
                Some(hash) if hash == head.hash => intact_up_to = head.len,
                Some(_) => {
                    return Ok(Err(found(
                        format!(
                            "{} #{} to #{}",
                            chain_plural(chain),
                            intact_up_to + 1,
                            head.len
                        ),
                        format!(
                            "they are not what {} sealed: an entry among them was changed, removed, inserted or reordered, and the chain recomputed",
                            seal_name(s)
                        ),
                    )));
                }
                None => {
                    return Ok(Err(found(
                        format!("{noun} #{}", head.len),
                        format!(
                            "it is missing, but {} sealed {} {}: the {} were cut short (the newest were removed)",
                            seal_name(s),
                            head.len,
                            chain_plural(chain),
                            chain_plural(chain)
                        ),
                    )));
                }
            }
        }
    }
    // The rules each seal recorded, against the log replayed to that point.
    for s in seals {
        let ga = s.heads[2].len;
        if let Some(digest) = digests_at.get(&ga)
            && *digest != s.policy_digest
        {
            return Ok(Err(found(
                seal_name(s),
                format!(
                    "the rules it recorded are not what the guardian-action log says up to guardian action #{ga}: the log or the seal was changed outside coinguard"
                ),
            )));
        }
    }
    // MACs: only the guardian's own seals can be checked with their PIN.
    let mut last_checked: Option<&Seal> = None;
    for s in seals {
        let theirs = check.filter(|c| s.guardian == Some(c.guardian));
        match theirs {
            Some(c) => {
                let key = s.key_id.and_then(|id| c.keys.iter().find(|k| k.id() == id));
                match key {
                    Some(key) if s.made_with(key) => {
                        report.seals.checked += 1;
                        last_checked = Some(s);
                    }
                    Some(_) => {
                        return Ok(Err(found(
                            seal_name(s),
                            format!(
                                "it was not made with {}'s PIN: the record it seals was rewritten without it",
                                c.name
                            ),
                        )));
                    }
                    None => {
                        report.seals.not_checked += 1;
                        report.seals.own_not_checked += 1;
                    }
                }
            }
            None => report.seals.not_checked += 1,
        }
    }
    let last = match check {
        Some(_) => last_checked,
        None => seals
            .iter()
            .rev()
            .find(|s| s.kind == Some(SealKind::Action) || s.mac.is_some()),
    };
    let heads = super::seal::heads(conn)?;
    report.seals.last = last.map(|s| SealPoint {
        id: s.id,
        at_us: s.at_us,
        by: who(s.guardian),
        lengths: s.heads.clone().map(|h| h.len),
    });
    report.seals.unsealed = [0, 1, 2].map(|i| {
        heads[i]
            .len
            .saturating_sub(last.map_or(0, |s| s.heads[i].len))
            .max(0)
    });
    Ok(Ok(()))
}

/// Balances, lots, wallet costs and spend totals against the walk.
fn check_derived(
    conn: &Connection,
    ledger: &mut Ledger,
    state: &MarkState,
    full: bool,
) -> Checked<()> {
    // Balances: the maintained table against the recomputed sums.
    let stored: HashMap<i64, i64> = conn
        .prepare("SELECT account_id, balance FROM balances")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut ids: Vec<&i64> = ledger.accounts.keys().collect();
    ids.sort();
    for id in ids {
        let Some(account) = ledger.accounts.get(id) else {
            continue;
        };
        let computed = ledger.balances.get(id).copied().unwrap_or(0);
        let kept = stored.get(id).copied().unwrap_or(0);
        let entry = format!("account {}", account.name);
        if computed != kept {
            return Ok(Err(found(
                entry,
                format!(
                    "its stored balance is {} but its postings add up to {}",
                    amount_text(kept, &account.unit),
                    amount_text(computed, &account.unit)
                ),
            )));
        }
        if computed < 0 && account.parsed.is_some_and(|a| a.must_stay_non_negative()) {
            return Ok(Err(found(
                entry,
                format!(
                    "it is below zero ({})",
                    amount_text(computed, &account.unit)
                ),
            )));
        }
    }
    if stored.keys().any(|id| !ledger.accounts.contains_key(id)) {
        return Ok(Err(found(
            "the stored balances",
            "some are for accounts that do not exist: added outside coinguard",
        )));
    }

    // Lots: every lot's coins minus what was taken equals what is open, and a
    // wallet holds exactly the coins its open lots hold.
    let mut lot_rows: Vec<(i64, i64, i64, i64, Option<i64>)> = Vec::new();
    if full {
        let mut stmt = conn.prepare(
            "SELECT l.id, l.member_id, l.coins - COALESCE(m.taken, 0), COALESCE(o.remaining, 0), o.member_id
             FROM lots l
             LEFT JOIN (SELECT lot_id, SUM(coins) AS taken FROM lot_moves GROUP BY lot_id) m ON m.lot_id = l.id
             LEFT JOIN open_lots o ON o.lot_id = l.id ORDER BY l.id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            lot_rows.push((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?));
        }
    } else {
        let mut touched: Vec<i64> = ledger.touched_lots.iter().copied().collect();
        touched.sort_unstable();
        let mut stmt = conn.prepare_cached(
            "SELECT l.id, l.member_id, l.coins - COALESCE((SELECT SUM(m.coins) FROM lot_moves m WHERE m.lot_id = l.id), 0),
                    COALESCE(o.remaining, 0), o.member_id
             FROM lots l LEFT JOIN open_lots o ON o.lot_id = l.id WHERE l.id = ?1",
        )?;
        for lot in touched {
            if let Some(row) = stmt
                .query_row([lot], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?
            {
                lot_rows.push(row);
            }
        }
    }
    let mut per_member: HashMap<i64, i64> = HashMap::new();
    for (lot_id, member, left, open, open_member) in lot_rows {
        if left != open || left < 0 || open_member.is_some_and(|m| m != member) {
            return Ok(Err(found(
                format!("coin lot {lot_id}"),
                format!("it should hold {left} coins but the open-lot record says {open}"),
            )));
        }
        *per_member.entry(member).or_insert(0) += left;
    }
    if full {
        let orphan_open: i64 = conn.query_row(
            "SELECT COUNT(*) FROM open_lots WHERE lot_id NOT IN (SELECT id FROM lots)",
            [],
            |r| r.get(0),
        )?;
        if orphan_open > 0 {
            return Ok(Err(found(
                "the open-lot records",
                "some name coin lots that do not exist",
            )));
        }
    }
    let mut wallets: Vec<(&i64, &AccountRow)> = ledger.accounts.iter().collect();
    wallets.sort_by_key(|(id, _)| **id);
    for (id, account) in wallets {
        let Some(Account::Wallet(member)) = account.parsed else {
            continue;
        };
        let in_lots = if full {
            per_member.get(&member.0).copied().unwrap_or(0)
        } else if ledger.touched_members.contains(&member.0) {
            conn.prepare_cached(
                "SELECT COALESCE(SUM(remaining), 0) FROM open_lots WHERE member_id = ?1",
            )?
            .query_row([member.0], |r| r.get(0))?
        } else {
            continue;
        };
        let wallet = ledger.balances.get(id).copied().unwrap_or(0);
        if wallet != in_lots {
            return Ok(Err(found(
                format!("account {}", account.name),
                format!("the wallet holds {wallet} coins but its coin lots hold {in_lots}"),
            )));
        }
    }
    // What wallets' coins cost: the maintained figure against the lots.
    let stored_cost: BTreeMap<i64, i64> = conn
        .prepare("SELECT member_id, cost_micros FROM wallet_costs")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut members: Vec<&i64> = ledger
        .wallet_costs
        .keys()
        .chain(stored_cost.keys())
        .collect();
    members.sort();
    members.dedup();
    for member in members {
        let (want, have) = (
            ledger.wallet_costs.get(member).copied().unwrap_or(0),
            stored_cost.get(member).copied().unwrap_or(0),
        );
        if want != have {
            return Ok(Err(found(
                format!("the wallet cost of member {member}"),
                format!("it says {have} micro-units but the coin lots add up to {want}"),
            )));
        }
    }

    // Spend totals: no stray events, and every bucket is the sum of its events.
    let events_stored: i64 =
        conn.query_row("SELECT COUNT(*) FROM spend_events", [], |r| r.get(0))?;
    if events_stored != ledger.spend_events {
        return Ok(Err(found(
            "the spending totals",
            if events_stored > ledger.spend_events {
                "they hold events for transactions that spent nothing, or that do not exist"
            } else {
                "events of earlier transactions are missing from them"
            },
        )));
    }
    let problem = if full {
        check_buckets(conn)?
    } else {
        check_buckets_of(conn, &ledger.new_events)?
    };
    if let Some(problem) = problem {
        return Ok(Err(found("the spending totals", problem)));
    }
    let _ = state;
    Ok(Ok(()))
}

/// Recomputes every spend bucket from the events and compares.
fn check_buckets(conn: &Connection) -> Result<Option<String>, LedgerError> {
    let tz = tz_of(conn)?;
    let mut expected: HashMap<(i64, &'static str, i64), Spend> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT member_id, at_us, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_events",
    )?;
    let mut rows = stmt.query([])?;
    // Events come in no particular order; local days are worked out once
    // per UTC hour (an offset never changes within an hour boundary).
    let mut local_of_hour: HashMap<i64, i64> = HashMap::new();
    while let Some(r) = rows.next()? {
        let (member, at_us): (i64, i64) = (r.get(0)?, r.get(1)?);
        let add = Spend {
            purchase_micros: r.get(2)?,
            gift_coins: r.get(3)?,
            all_micros: r.get(4)?,
            gift_cost_micros: r.get(5)?,
        };
        let hour = spend::hour_of(at_us);
        let local = *local_of_hour
            .entry(hour)
            .or_insert_with(|| spend::local_day_of(at_us, tz));
        for key in [
            (member, "hour", hour),
            (member, "utc_day", spend::utc_day_of(at_us)),
            (member, "local_day", local),
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

/// The buckets the new events fall in, each recomputed from its events.
fn check_buckets_of(
    conn: &Connection,
    events: &[(i64, i64)],
) -> Result<Option<String>, LedgerError> {
    const HOUR: i64 = 3_600_000_000;
    const DAY: i64 = 24 * HOUR;
    let tz = tz_of(conn)?;
    let mut buckets: Vec<(i64, &'static str, i64)> = Vec::new();
    for (member, at) in events {
        for key in [
            (*member, "hour", spend::hour_of(*at)),
            (*member, "utc_day", spend::utc_day_of(*at)),
            (*member, "local_day", spend::local_day_of(*at, tz)),
        ] {
            buckets.push(key);
        }
    }
    buckets.sort_unstable();
    buckets.dedup();
    let mut sum = conn.prepare_cached(
        "SELECT at_us, purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_events
         WHERE member_id = ?1 AND at_us >= ?2 AND at_us < ?3",
    )?;
    let mut stored = conn.prepare_cached(
        "SELECT purchase_micros, gift_coins, all_micros, gift_cost_micros FROM spend_buckets
         WHERE member_id = ?1 AND kind = ?2 AND start = ?3",
    )?;
    for (member, kind, start) in buckets {
        // A local day lies within a day either side of the UTC day of the
        // same number; events are read from that span and kept by their day.
        let (from, to) = match kind {
            "hour" => (start * HOUR, (start + 1) * HOUR),
            "utc_day" => (start * DAY, (start + 1) * DAY),
            _ => ((start - 1) * DAY, (start + 2) * DAY),
        };
        let mut want = Spend::default();
        let mut rows = sum.query(rusqlite::params![member, from, to])?;
        while let Some(r) = rows.next()? {
            let at: i64 = r.get(0)?;
            if kind == "local_day" && spend::local_day_of(at, tz) != start {
                continue;
            }
            want.purchase_micros = want.purchase_micros.saturating_add(r.get(1)?);
            want.gift_coins = want.gift_coins.saturating_add(r.get(2)?);
            want.all_micros = want.all_micros.saturating_add(r.get(3)?);
            want.gift_cost_micros = want.gift_cost_micros.saturating_add(r.get(4)?);
        }
        drop(rows);
        let have: Option<Spend> = stored
            .query_row(rusqlite::params![member, kind, start], |r| {
                Ok(Spend {
                    purchase_micros: r.get(0)?,
                    gift_coins: r.get(1)?,
                    all_micros: r.get(2)?,
                    gift_cost_micros: r.get(3)?,
                })
            })
            .optional()?;
        if have != Some(want) {
            return Ok(Some(format!(
                "the {kind} bucket {start} of member {member} does not add up to the transactions in it"
            )));
        }
    }
    Ok(None)
}

/// Alerts against what raised and acknowledged them.
fn check_alerts(
    conn: &Connection,
    policy: &State,
    decisions: &Decisions,
    state: &MarkState,
    full: bool,
) -> Checked<()> {
    // Raised by decisions first, then whatever the guardian-action log
    // recorded (acknowledgements come after raising).
    let mut expected = State::default();
    for (images, id) in &decisions.alerts {
        expected.apply(images.clone(), Origin::Decision(*id));
    }
    expected.merge_from(policy, |t| t == Table::Alerts);
    let alerts_only = |t: Table| t == Table::Alerts;
    if full {
        let tables = State::of_tables(conn, alerts_only)?;
        if let Some((entry, message)) = expected.first_difference(conn, &tables, alerts_only)? {
            return Ok(Err(found(entry, message)));
        }
        return Ok(Ok(()));
    }
    // From a mark: new alerts, every acknowledged one, and every one the
    // guardian-action log recorded.
    let mut ids: BTreeMap<i64, ()> = BTreeMap::new();
    for id in expected.alert_ids() {
        ids.insert(id, ());
    }
    let mut stmt =
        conn.prepare("SELECT id FROM alerts WHERE id > ?1 OR acknowledged_at_us IS NOT NULL")?;
    for id in stmt.query_map([state.alerts_max], |r| r.get::<_, i64>(0))? {
        ids.insert(id?, ());
    }
    let mut tables = State::default();
    for id in ids.keys() {
        let image = super::record::image_of(conn, Table::Alerts, &vec![(*id).into()])?;
        tables.apply(
            vec![(
                Table::Alerts,
                serde_json::Value::Array(image.key).to_string(),
                image.row.map(|r| serde_json::Value::Array(r).to_string()),
            )],
            Origin::GuardianAction(0),
        );
    }
    let relevant = expected.restricted(|id| *id > state.alerts_max || tables.has_alert(*id));
    if let Some((entry, message)) = relevant.first_difference(conn, &tables, alerts_only)? {
        return Ok(Err(found(entry, message)));
    }
    let count: i64 = conn.query_row("SELECT COUNT(*) FROM alerts", [], |r| r.get(0))?;
    let new = expected
        .alert_ids()
        .filter(|id| *id > state.alerts_max)
        .count() as i64;
    if count != state.alerts + new {
        return Ok(Err(found(
            "the alerts",
            "alerts were added or removed outside coinguard",
        )));
    }
    Ok(Ok(()))
}

/// Every request from the start of the record is bound to the decision
/// that created it (the bindings themselves were checked in the walk).
fn check_requests(
    conn: &Connection,
    decisions: &Decisions,
    state: &MarkState,
    full: bool,
) -> Checked<()> {
    let first = super::requests::first_bound_request(conn)?;
    let from = if full {
        first
    } else {
        first.max(state.requests_max + 1)
    };
    let mut stmt = conn.prepare_cached("SELECT id FROM requests WHERE id >= ?1 ORDER BY id")?;
    let ids: Vec<i64> = stmt
        .query_map([from], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        if !decisions.requests.contains_key(&id) {
            return Ok(Err(found(
                format!("request #{id}"),
                "no decision records it being asked: it was added outside coinguard",
            )));
        }
    }
    Ok(Ok(()))
}

/// The append-only triggers, and nothing else, with the SQL coinguard
/// creates: compared with a database migrated afresh in memory.
fn check_triggers(conn: &Connection) -> Checked<()> {
    let version = version_of(conn)?;
    let expected = expected_triggers(version)?;
    let actual: BTreeMap<String, String> = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })?
        .collect::<Result<_, _>>()?;
    for (name, sql) in &expected {
        match actual.get(name) {
            None => {
                return Ok(Err(found(
                    format!("the trigger {name}"),
                    "it is missing: it was dropped outside coinguard, so its table could be edited",
                )));
            }
            Some(have) if have != sql => {
                return Ok(Err(found(
                    format!("the trigger {name}"),
                    "its SQL is not what coinguard creates: it was changed outside coinguard",
                )));
            }
            Some(_) => {}
        }
    }
    if let Some(extra) = actual.keys().find(|n| !expected.contains_key(*n)) {
        return Ok(Err(found(
            format!("the trigger {extra}"),
            "coinguard does not create it: it was added outside coinguard",
        )));
    }
    Ok(Ok(()))
}

/// The triggers of a fresh database at `version`, computed once.
fn expected_triggers(version: i64) -> Result<BTreeMap<String, String>, LedgerError> {
    static CACHE: std::sync::Mutex<Vec<(i64, BTreeMap<String, String>)>> =
        std::sync::Mutex::new(Vec::new());
    if let Ok(cache) = CACHE.lock()
        && let Some((_, found)) = cache.iter().find(|(v, _)| *v == version)
    {
        return Ok(found.clone());
    }
    let mut mem = Connection::open_in_memory()?;
    let tx = mem.transaction()?;
    super::schema::migrate(&tx, 0, version, 0)?;
    let triggers: BTreeMap<String, String> = tx
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })?
        .collect::<Result<_, _>>()?;
    drop(tx);
    if let Ok(mut cache) = CACHE.lock() {
        cache.push((version, triggers.clone()));
    }
    Ok(triggers)
}

/// Tables whose references SQLite checks here (the ledger's own tables are
/// checked by the walk, row by row, which costs nothing extra).
const REFERENCE_CHECKED: &[&str] = &[
    "members",
    "limits",
    "quiet_hours",
    "creator_rules",
    "requests",
    "pin_attempts",
    "alerts",
    "member_links",
    "wallet_costs",
    "seal_keys",
    "seals",
];

fn check_foreign_keys(conn: &Connection) -> Checked<()> {
    let present: HashSet<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for table in REFERENCE_CHECKED.iter().filter(|t| present.contains(**t)) {
        let dangling: Option<(String, Option<i64>, String)> = conn
            .prepare(&format!("PRAGMA foreign_key_check({table})"))?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if let Some((table, rowid, parent)) = dangling {
            let row = rowid.map_or_else(|| "a row".to_string(), |id| format!("row {id}"));
            return Ok(Err(found(
                format!("{row} of {table}"),
                format!(
                    "it names a row of {parent} that does not exist: rows were removed outside coinguard"
                ),
            )));
        }
    }
    Ok(Ok(()))
}

/// The check at open: the newest entry of each chain recomputed and linked
/// to the one before, and each chain at least as long as the newest seal
/// says, with the sealed entry in place. Cheap (a few rows), so every
/// opening does it. `Some(problem)`: spending must stop.
pub fn tail_problem(conn: &Connection) -> Result<Option<String>, LedgerError> {
    if version_of(conn)? < super::schema::RECORD_VERSION {
        return Ok(None);
    }
    let say = |entry: String, what: &str| Some(format!("{entry}: {what}"));
    // Transactions: the newest, recomputed with its rows.
    let newest: Vec<(i64, String, String)> = conn
        .prepare_cached("SELECT id, prev_hash, hash FROM transactions ORDER BY id DESC LIMIT 2")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    if let Some((id, prev, hash)) = newest.first() {
        let before = newest.get(1).map_or(GENESIS_HASH, |(_, _, h)| h.as_str());
        if prev != before || tx_hash(conn, *id, prev)?.as_deref() != Some(hash.as_str()) {
            return Ok(say(
                format!("transaction #{id}"),
                "it does not match its hash or the entry before it",
            ));
        }
    }
    let decisions: Vec<super::decisions::StoredDecision> = conn
        .prepare_cached(&format!("{SELECT_DECISIONS} ORDER BY id DESC LIMIT 2"))?
        .query_map([], decision_of)?
        .collect::<Result<_, _>>()?;
    if let Some(d) = decisions.first() {
        let before = decisions.get(1).map_or(GENESIS_HASH, |p| p.hash.as_str());
        if d.prev_hash != before || d.computed_hash(&d.prev_hash) != d.hash {
            return Ok(say(
                d.name(),
                "it does not match its hash or the entry before it",
            ));
        }
    }
    let actions: Vec<super::guardian_log::ActionEntry> = conn
        .prepare_cached(&format!("{SELECT_ACTIONS} ORDER BY id DESC LIMIT 2"))?
        .query_map([], entry_of)?
        .collect::<Result<_, _>>()?;
    if let Some(a) = actions.first() {
        let before = actions.get(1).map_or(GENESIS_HASH, |p| p.hash.as_str());
        if a.prev_hash != before || a.computed_hash(&a.prev_hash) != a.hash {
            return Ok(say(
                a.name(),
                "it does not match its hash or the entry before it",
            ));
        }
    }
    let seals = super::seal::newest_seals(conn)?;
    if let Some(s) = seals.first() {
        let before = seals.get(1).map_or(GENESIS_HASH, |p| p.hash.as_str());
        if s.prev_hash != before || s.computed_hash(&s.prev_hash) != s.hash {
            return Ok(say(
                format!("seal #{}", s.id),
                "it does not match its hash or the seal before it",
            ));
        }
        for (chain, head) in super::seal::CHAINS.iter().zip(&s.heads) {
            if head.len == 0 {
                continue;
            }
            let stored: Option<String> = conn
                .prepare_cached(&format!("SELECT hash FROM {chain} WHERE id = ?1"))?
                .query_row([head.len], |r| r.get(0))
                .optional()?;
            if stored.as_deref() != Some(head.hash.as_str()) {
                return Ok(say(
                    format!("{} #{}", chain_noun(chain), head.len),
                    &format!(
                        "it is missing or not the entry seal #{} recorded: the {} were cut short or rewritten",
                        s.id,
                        chain_plural(chain)
                    ),
                ));
            }
        }
    }
    Ok(None)
}

/// A transaction's hash recomputed after `prev` from its rows.
fn tx_hash(conn: &Connection, id: i64, prev: &str) -> Result<Option<String>, LedgerError> {
    let postings: Vec<(String, String, i64)> = conn
        .prepare_cached(
            "SELECT a.name, a.unit, p.amount FROM postings p LEFT JOIN accounts a ON a.id = p.account_id
             WHERE p.tx_id = ?1 ORDER BY p.id",
        )?
        .query_map([id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                r.get(2)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let lots: Vec<(i64, i64, i64)> = conn
        .prepare_cached(
            "SELECT member_id, coins, cost_micros FROM lots WHERE tx_id = ?1 ORDER BY id",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let moves: Vec<(i64, i64, i64)> = conn
        .prepare_cached(
            "SELECT lot_id, coins, cost_micros FROM lot_moves WHERE tx_id = ?1 ORDER BY id",
        )?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let named: Vec<(&str, &str, i64)> = postings
        .iter()
        .map(|(a, u, n)| (a.as_str(), u.as_str(), *n))
        .collect();
    let row = conn
        .prepare_cached(
            "SELECT idem_key, fingerprint, at_us, kind, actor_id, member_id, counterparty_id, memo, detail, catalog_version, reverses_tx
             FROM transactions WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<i64>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, i64>(9)?,
                r.get::<_, Option<i64>>(10)?,
            ))
        })
        .optional()?;
    Ok(row.map(
        |(
            key,
            fingerprint,
            at_us,
            kind,
            actor,
            member,
            counterparty,
            memo,
            detail,
            catalog,
            reverses,
        )| {
            TxFields {
                id,
                key: key.as_deref(),
                fingerprint: &fingerprint,
                at_us,
                kind: &kind,
                actor,
                member,
                counterparty,
                memo: &memo,
                detail: &detail,
                catalog_version: catalog,
                reverses,
                postings: &named,
                lots: &lots,
                moves: &moves,
            }
            .hash(prev)
        },
    ))
}

/// What an attacker's script does after changing rows (for the tamper
/// tests; never called by coinguard): recomputes every chain so each entry
/// matches its contents and follows the one before (transactions,
/// decisions, guardian actions), then points every seal at the chains' new
/// hashes, gives it the policy digest the log now replays to, and chains
/// the seals again. The seals' MACs stay as they were: they need a PIN.
/// The append-only triggers must be dropped first.
#[doc(hidden)]
pub fn recompute_chains_for_tests(conn: &Connection) -> Result<(), LedgerError> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM transactions ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut prev = GENESIS_HASH.to_string();
    for id in ids {
        let hash = tx_hash(conn, id, &prev)?.unwrap_or_default();
        conn.execute(
            "UPDATE transactions SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
            rusqlite::params![prev, hash, id],
        )?;
        prev = hash;
    }
    let decisions: Vec<super::decisions::StoredDecision> = conn
        .prepare(&format!("{SELECT_DECISIONS} ORDER BY id"))?
        .query_map([], decision_of)?
        .collect::<Result<_, _>>()?;
    let mut prev = GENESIS_HASH.to_string();
    for d in decisions {
        let hash = d.computed_hash(&prev);
        conn.execute(
            "UPDATE decisions SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
            rusqlite::params![prev, hash, d.id],
        )?;
        prev = hash;
    }
    let actions: Vec<super::guardian_log::ActionEntry> = conn
        .prepare(&format!("{SELECT_ACTIONS} ORDER BY id"))?
        .query_map([], entry_of)?
        .collect::<Result<_, _>>()?;
    let mut prev = GENESIS_HASH.to_string();
    for a in actions {
        let hash = a.computed_hash(&prev);
        conn.execute(
            "UPDATE guardian_actions SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
            rusqlite::params![prev, hash, a.id],
        )?;
        prev = hash;
    }
    let mut report = VerifyReport::default();
    let digests = match walk_actions(conn, &mut report, &mut Watch::none())? {
        Ok((_, digests)) => digests,
        Err(_) => HashMap::new(),
    };
    let mut prev = GENESIS_HASH.to_string();
    for mut seal in all_seals(conn)? {
        for (chain, head) in super::seal::CHAINS.iter().zip(seal.heads.iter_mut()) {
            if let Some(hash) = conn
                .prepare(&format!("SELECT hash FROM {chain} WHERE id = ?1"))?
                .query_row([head.len], |r| r.get::<_, String>(0))
                .optional()?
            {
                head.hash = hash;
            }
        }
        if let Some(digest) = digests.get(&seal.heads[2].len) {
            seal.policy_digest = digest.clone();
        }
        let hash = seal.computed_hash(&prev);
        let [t, d, g] = &seal.heads;
        conn.execute(
            "UPDATE seals SET tx_head = ?1, dec_head = ?2, ga_head = ?3, policy_digest = ?4, prev_hash = ?5, hash = ?6 WHERE id = ?7",
            rusqlite::params![t.hash, d.hash, g.hash, seal.policy_digest, prev, hash, seal.id],
        )?;
        prev = hash;
    }
    Ok(())
}

/// For migration tests only: turns a database this coinguard wrote back
/// into what version 9 would have held, so a test can stand in for a
/// household from before version 10 (its own history, made by today's
/// services). Drops what version 10 added and hashes the decision and
/// guardian-action chains again without the fields version 10 adds to
/// them. coinguard itself never calls this.
#[doc(hidden)]
pub fn back_to_version_9_for_tests(conn: &rusqlite::Connection) -> Result<(), LedgerError> {
    use super::decisions::{SELECT_DECISIONS, decision_of};
    use super::guardian_log::{SELECT_ACTIONS, entry_of};
    let trigger_sql = |name: &str| -> Result<String, LedgerError> {
        Ok(conn.query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )?)
    };
    let keep = [
        trigger_sql("guardian_actions_no_update")?,
        trigger_sql("decisions_no_update")?,
    ];
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DROP TABLE seals; DROP TABLE seal_keys; DROP TABLE record_since;
         DROP INDEX decisions_request;
         DROP TRIGGER guardian_actions_no_update; DROP TRIGGER decisions_no_update;",
    )?;
    let actions: Vec<super::guardian_log::ActionEntry> = conn
        .prepare(&format!("{SELECT_ACTIONS} ORDER BY id"))?
        .query_map([], entry_of)?
        .collect::<Result<_, _>>()?;
    let mut prev = super::GENESIS_HASH.to_string();
    for mut a in actions {
        a.changes = None;
        let hash = a.computed_hash(&prev);
        conn.execute(
            "UPDATE guardian_actions SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
            rusqlite::params![a.id, prev, hash],
        )?;
        prev = hash;
    }
    let decisions: Vec<super::decisions::StoredDecision> = conn
        .prepare(&format!("{SELECT_DECISIONS} ORDER BY id"))?
        .query_map([], decision_of)?
        .collect::<Result<_, _>>()?;
    let mut prev = super::GENESIS_HASH.to_string();
    for mut d in decisions {
        d.changes = None;
        if let Some(entry) = d.entry.as_mut() {
            entry.request = None;
        }
        let hash = d.computed_hash(&prev);
        conn.execute(
            "UPDATE decisions SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
            rusqlite::params![d.id, prev, hash],
        )?;
        prev = hash;
    }
    conn.execute_batch(
        "ALTER TABLE guardian_actions DROP COLUMN changes;
         ALTER TABLE decisions DROP COLUMN changes;
         ALTER TABLE decisions DROP COLUMN request_id;
         ALTER TABLE decisions DROP COLUMN request_params;
         ALTER TABLE decisions DROP COLUMN request_hash;
         DELETE FROM schema_migrations WHERE version >= 10; PRAGMA user_version = 9;",
    )?;
    for sql in keep {
        conn.execute_batch(&sql)?;
    }
    Ok(())
}
