//! Where the money went: of the money a member spent on coins, how much
//! reached creators as diamonds, how much stayed with the platform, and how
//! much is still in coins nobody has spent. Read-only, exact from the lots.
//!
//! Every coin lot knows the purchase (or grant) lot its coins first came from
//! (`lot_paid.origin_lot_id`, kept when a reversed gift returns coins), and
//! the part of its cost that was money spent (`paid_micros`); every take from
//! a lot carries its share of that part (`move_paid`). So, for the purchase
//! lots `S` of a member (in a span of time, by when they were bought):
//!
//! - **spent** = what the purchases in `S` cost, less what reversing them
//!   refunded (a refund is rounded down to the minor unit: the fraction of
//!   a cent left is the platform's);
//! - **unspent** = the paid part of the lots descending from `S`, less the
//!   paid part of everything taken from them (gifts, refunds);
//! - each gift, not reversed, that took coins descending from `S` splits
//!   the paid part it took: the creator's diamonds valued at the payout rate
//!   in force, in proportion to the paid part of what the gift's coins cost
//!   (**to creators**, rounded down to the micro-unit), and the rest (**to
//!   the platform**).
//!
//! So `spent = to_creators + to_platform + unspent` holds to the micro-unit
//! (a property test holds it over random histories). Coins granted by a
//! guardian were never money spent: they are in none of the figures.
//! Nothing here rounds for display: [`MoneyFlow::for_display`] does, so the
//! shown figures still add up to the cent.

use rusqlite::{Connection, params};

use crate::domain::MemberId;
use crate::ledger::LedgerError;
use crate::money::{Currency, Money, rounding};

/// The four figures, in micro-units of the household currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MoneyFlow {
    pub spent_micros: i64,
    pub to_creators_micros: i64,
    pub to_platform_micros: i64,
    pub unspent_micros: i64,
}

impl MoneyFlow {
    /// Adds another member's figures.
    pub fn plus(self, other: MoneyFlow) -> MoneyFlow {
        MoneyFlow {
            spent_micros: self.spent_micros.saturating_add(other.spent_micros),
            to_creators_micros: self
                .to_creators_micros
                .saturating_add(other.to_creators_micros),
            to_platform_micros: self
                .to_platform_micros
                .saturating_add(other.to_platform_micros),
            unspent_micros: self.unspent_micros.saturating_add(other.unspent_micros),
        }
    }

    /// The figures as people read them, to the currency's minor unit:
    /// (spent, to creators, to the platform, unspent), the last three
    /// rounded together so they add up to the first as shown
    /// ([`rounding::split_for_display`]).
    pub fn for_display(&self, currency: Currency) -> [Money; 4] {
        let parts = rounding::split_for_display(
            &[
                Money::from_micros(currency, self.to_creators_micros),
                Money::from_micros(currency, self.to_platform_micros),
                Money::from_micros(currency, self.unspent_micros),
            ],
            currency,
        );
        let part = |i: usize| parts.get(i).copied().unwrap_or(Money::zero(currency));
        let spent = Money::from_decimal(
            currency,
            Money::from_micros(currency, self.spent_micros).display_amount(),
        )
        .unwrap_or(Money::from_micros(currency, self.spent_micros));
        [spent, part(0), part(1), part(2)]
    }
}

/// What `diamonds` are worth at `diamond_value_micros` each, exactly (the
/// payout rate has at most six decimals, so this is whole micro-units).
fn diamonds_worth(diamonds: i64, diamond_value_micros: i64) -> i128 {
    i128::from(diamonds) * i128::from(diamond_value_micros)
}

/// Where the money `member` spent on coins bought in `[from_us, until_us)`
/// went, with diamonds valued at `diamond_value_micros` each (the payout
/// rate in force). Reads the member's purchases in the span and what
/// descends from their lots: indexed, never the whole ledger.
pub fn money_flow(
    conn: &Connection,
    member: MemberId,
    from_us: i64,
    until_us: i64,
    diamond_value_micros: i64,
) -> Result<MoneyFlow, LedgerError> {
    let mut sum = Parts::default();
    for (origin, paid) in purchases_in(conn, member, from_us, until_us)? {
        sum = sum.plus(origin_flow(
            conn,
            member,
            origin,
            paid,
            diamond_value_micros,
        )?);
    }
    sum.into_flow()
}

/// [`money_flow`] for every member in `members`, added up.
pub fn household_money_flow(
    conn: &Connection,
    members: &[MemberId],
    from_us: i64,
    until_us: i64,
    diamond_value_micros: i64,
) -> Result<MoneyFlow, LedgerError> {
    members.iter().try_fold(MoneyFlow::default(), |sum, m| {
        Ok(sum.plus(money_flow(
            conn,
            *m,
            from_us,
            until_us,
            diamond_value_micros,
        )?))
    })
}

fn corrupt(what: &str) -> LedgerError {
    LedgerError::Corrupt {
        message: format!("where the money went: {what}"),
    }
}

/// The four figures of one purchase lot and what descends from it, exact
/// (wide, so a sum of many never overflows before the end).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Parts {
    spent: i128,
    creators: i128,
    platform: i128,
    unspent: i128,
}

impl Parts {
    fn plus(self, o: Parts) -> Parts {
        Parts {
            spent: self.spent + o.spent,
            creators: self.creators + o.creators,
            platform: self.platform + o.platform,
            unspent: self.unspent + o.unspent,
        }
    }

    fn into_flow(self) -> Result<MoneyFlow, LedgerError> {
        let micros = |v: i128| i64::try_from(v).map_err(|_| corrupt("a figure overflows"));
        Ok(MoneyFlow {
            spent_micros: micros(self.spent)?,
            to_creators_micros: micros(self.creators)?,
            to_platform_micros: micros(self.platform)?,
            unspent_micros: micros(self.unspent)?,
        })
    }
}

/// The purchase lots `member` bought in `[from_us, until_us)`, with what
/// they cost: (lot, paid micros).
fn purchases_in(
    conn: &Connection,
    member: MemberId,
    from_us: i64,
    until_us: i64,
) -> Result<Vec<(i64, i64)>, LedgerError> {
    let mut purchases = conn.prepare_cached(
        "SELECT l.id, p.paid_micros FROM transactions t
         JOIN lots l ON l.tx_id = t.id JOIN lot_paid p ON p.lot_id = l.id
         WHERE t.member_id = ?1 AND t.kind = 'purchase' AND t.at_us >= ?2 AND t.at_us < ?3",
    )?;
    let origins = purchases
        .query_map(params![member.0, from_us, until_us], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(origins)
}

/// The figures of one purchase lot (`origin`, which cost `paid`) of
/// `member`: what it cost, and where the paid part of every coin descended
/// from it went.
fn origin_flow(
    conn: &Connection,
    member: MemberId,
    origin: i64,
    paid: i64,
    diamond_value_micros: i64,
) -> Result<Parts, LedgerError> {
    let mut family = conn.prepare_cached(
        "SELECT COALESCE(SUM(paid_micros), 0) FROM lot_paid WHERE origin_lot_id = ?1",
    )?;
    // Takes from the lots descending from one origin: (tx, kind, reversed?, paid).
    let mut takes = conn.prepare_cached(
        "SELECT m.tx_id, t.kind,
                EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_tx = m.tx_id),
                SUM(mp.paid_micros)
         FROM lot_paid p JOIN lot_moves m ON m.lot_id = p.lot_id
         JOIN move_paid mp ON mp.move_id = m.id JOIN transactions t ON t.id = m.tx_id
         WHERE p.origin_lot_id = ?1 GROUP BY m.tx_id",
    )?;
    let mut gift_cost = conn
        .prepare_cached("SELECT COALESCE(SUM(cost_micros), 0) FROM lot_moves WHERE tx_id = ?1")?;
    let mut gift_diamonds = conn.prepare_cached(
        "SELECT COALESCE(SUM(ps.amount), 0) FROM postings ps JOIN accounts a ON a.id = ps.account_id
         WHERE ps.tx_id = ?1 AND a.unit = 'DIAMOND' AND ps.amount > 0",
    )?;
    let mut refund = conn.prepare_cached(
        "SELECT COALESCE(SUM(ps.amount), 0) FROM postings ps JOIN accounts a ON a.id = ps.account_id
         WHERE ps.tx_id = ?1 AND a.name = ?2 AND ps.amount > 0",
    )?;
    let mut parts = Parts {
        spent: i128::from(paid),
        ..Parts::default()
    };
    let descended: i64 = family.query_row([origin], |r| r.get(0))?;
    parts.unspent += i128::from(descended);
    let rows: Vec<(i64, String, bool, i64)> = takes
        .query_map([origin], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    for (tx, kind, reversed, taken_paid) in rows {
        parts.unspent -= i128::from(taken_paid);
        match kind.as_str() {
            // A refund: what came back to the family was never spent;
            // a refund is rounded down to the minor unit, and the part
            // below it stayed with the platform.
            "reversal" => {
                let refunded: i64 = refund
                    .query_row(params![tx, format!("external:{}:funding", member.0)], |r| {
                        r.get(0)
                    })?;
                let refunded = refunded.clamp(0, taken_paid.max(0));
                parts.spent -= i128::from(refunded);
                parts.platform += i128::from(taken_paid) - i128::from(refunded);
            }
            // A reversed gift's coins came back as lots of this family
            // (counted as unspent above): nothing went anywhere.
            "gift" if reversed => {}
            "gift" => {
                let cost: i64 = gift_cost.query_row([tx], |r| r.get(0))?;
                let diamonds: i64 = gift_diamonds.query_row([tx], |r| r.get(0))?;
                // The creator's share of this family's paid part: the
                // diamonds' worth in proportion to what of the gift's cost
                // this family paid. Never more than that paid part.
                let worth = diamonds_worth(diamonds, diamond_value_micros);
                let to_creator = if cost > 0 {
                    (worth * i128::from(taken_paid) / i128::from(cost))
                        .clamp(0, i128::from(taken_paid.max(0)))
                } else {
                    0
                };
                parts.creators += to_creator;
                parts.platform += i128::from(taken_paid) - to_creator;
            }
            other => return Err(corrupt(&format!("coins taken by a {other} transaction"))),
        }
    }
    Ok(parts)
}

/// The last transaction a [`FlowCache`] has read: its id and hash, so a
/// household file replaced under a long-running session (a backup put
/// back) shows as a different hash and the cache starts again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    tx: i64,
    hash: String,
}

/// A span of purchase times, `[from_us, until_us)`, of one member.
type SpanKey = (MemberId, i64, i64);

/// [`household_money_flow`] for a screen that asks again on every reload
/// (the audit screen, over its chart's days). A span asked for the first
/// time reads every purchase in it (the 14 days of the 1M-transaction
/// benchmark household hold about 10,000: 50 ms); after
/// that only what the transactions written since touched is read again:
/// the new purchases in the spans kept, and the purchase lots whose
/// descendants a new transaction took coins from, returned coins to, or
/// reversed a gift of. Each of those is worked out anew by the same
/// function as the uncached answer, so the two agree to the micro-unit (a
/// property test holds it over random histories). Spans are kept per day
/// when the caller splits the question into days, so a question whose days
/// overlap an earlier one reads only its new days (the chart's 14 days
/// after midnight: one). A page of days never asked before is read whole.
#[derive(Debug, Default)]
pub struct FlowCache {
    state: Option<Cached>,
}

#[derive(Debug)]
struct Cached {
    diamond_value_micros: i64,
    seen: Seen,
    /// The purchase lots bought in each span kept.
    spans: std::collections::HashMap<SpanKey, Vec<i64>>,
    /// Purchase lot → (its member, its figures).
    origins: std::collections::HashMap<i64, (MemberId, Parts)>,
}

/// More purchase lots than this are not kept past the question that read
/// them: twice the chart's 14 days of the 1M household (about 10,000). At
/// about 100 bytes each, a service with its 64 connections all at the cap
/// keeps about 130 MB; a question asked once over a longer span (a year of
/// that household holds about 270,000) is not worth the memory.
const MAX_CACHED_ORIGINS: usize = 20_000;

impl FlowCache {
    /// [`household_money_flow`] over `spans` (`[from_us, until_us)` each,
    /// not overlapping), added up, from what is kept where it can be.
    pub fn household_money_flow(
        &mut self,
        conn: &Connection,
        members: &[MemberId],
        spans: &[(i64, i64)],
        diamond_value_micros: i64,
    ) -> Result<MoneyFlow, LedgerError> {
        // One snapshot for the whole answer, so the last transaction read
        // and every figure worked out describe the same ledger (a commit
        // from another process in between would otherwise be half seen).
        let snapshot = if conn.is_autocommit() {
            Some(conn.unchecked_transaction()?)
        } else {
            None
        };
        let flow = self.answer(conn, members, spans, diamond_value_micros);
        if let Some(snapshot) = snapshot {
            snapshot.finish()?;
        }
        flow
    }

    fn answer(
        &mut self,
        conn: &Connection,
        members: &[MemberId],
        spans: &[(i64, i64)],
        diamond_value_micros: i64,
    ) -> Result<MoneyFlow, LedgerError> {
        let Some(last) = last_transaction(conn)? else {
            self.state = None;
            return Ok(MoneyFlow::default());
        };
        let mut c = match self.state.take() {
            Some(c)
                if c.diamond_value_micros == diamond_value_micros
                    && still_there(conn, &c.seen)? =>
            {
                catch_up(conn, c, &last)?
            }
            _ => Cached {
                diamond_value_micros,
                seen: last,
                spans: Default::default(),
                origins: Default::default(),
            },
        };
        let asked: Vec<SpanKey> = members
            .iter()
            .flat_map(|&m| spans.iter().map(move |&(from, until)| (m, from, until)))
            .collect();
        let mut total = Parts::default();
        for &key in &asked {
            if !c.spans.contains_key(&key) {
                let (member, from, until) = key;
                let mut lots = Vec::new();
                for (origin, paid) in purchases_in(conn, member, from, until)? {
                    let parts = origin_flow(conn, member, origin, paid, diamond_value_micros)?;
                    c.origins.insert(origin, (member, parts));
                    lots.push(origin);
                }
                c.spans.insert(key, lots);
            }
            for origin in c.spans.get(&key).into_iter().flatten() {
                if let Some((_, parts)) = c.origins.get(origin) {
                    total = total.plus(*parts);
                }
            }
        }
        if c.origins.len() > MAX_CACHED_ORIGINS {
            // Keep only what this question asked, if that is small enough.
            c.spans.retain(|key, _| asked.contains(key));
            let keep: std::collections::HashSet<i64> =
                c.spans.values().flatten().copied().collect();
            c.origins.retain(|origin, _| keep.contains(origin));
        }
        if c.origins.len() <= MAX_CACHED_ORIGINS {
            self.state = Some(c);
        }
        total.into_flow()
    }
}

/// Brings `c` up to `last`: adds the purchases written since to the spans
/// kept, and works out again each kept purchase lot that a transaction
/// written since touched.
fn catch_up(conn: &Connection, mut c: Cached, last: &Seen) -> Result<Cached, LedgerError> {
    let (after, upto) = (c.seen.tx, last.tx);
    let rate = c.diamond_value_micros;
    let mut new_purchases = conn.prepare_cached(
        "SELECT t.member_id, t.at_us, l.id, p.paid_micros FROM transactions t
         JOIN lots l ON l.tx_id = t.id JOIN lot_paid p ON p.lot_id = l.id
         WHERE t.id > ?1 AND t.id <= ?2 AND t.kind = 'purchase'",
    )?;
    let fresh: Vec<(i64, i64, i64, i64)> = new_purchases
        .query_map(params![after, upto], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    for (member, at_us, origin, paid) in fresh {
        let member = MemberId(member);
        for (&(m, from, until), lots) in c.spans.iter_mut() {
            if m == member && from <= at_us && at_us < until && !lots.contains(&origin) {
                lots.push(origin);
                if let std::collections::hash_map::Entry::Vacant(slot) = c.origins.entry(origin) {
                    slot.insert((member, origin_flow(conn, member, origin, paid, rate)?));
                }
            }
        }
    }
    // The purchase lots whose family a transaction written since took
    // coins from or returned coins to (a reversed gift's coins keep their
    // origin), or whose coins it gave back by reversing a gift (the same
    // lots again, asked a second way so that no path is missed).
    let mut touched = conn.prepare_cached(
        "SELECT p.origin_lot_id FROM lot_moves m JOIN lot_paid p ON p.lot_id = m.lot_id
           WHERE m.tx_id > ?1 AND m.tx_id <= ?2
         UNION SELECT p.origin_lot_id FROM lots l JOIN lot_paid p ON p.lot_id = l.id
           WHERE l.tx_id > ?1 AND l.tx_id <= ?2
         UNION SELECT p.origin_lot_id FROM transactions r
           JOIN lot_moves m ON m.tx_id = r.reverses_tx JOIN lot_paid p ON p.lot_id = m.lot_id
           WHERE r.id > ?1 AND r.id <= ?2",
    )?;
    let touched: Vec<i64> = touched
        .query_map(params![after, upto], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut paid_of = conn.prepare_cached("SELECT paid_micros FROM lot_paid WHERE lot_id = ?1")?;
    for origin in touched {
        let Some(&(member, _)) = c.origins.get(&origin) else {
            continue;
        };
        let paid: i64 = paid_of.query_row([origin], |r| r.get(0))?;
        let parts = origin_flow(conn, member, origin, paid, rate)?;
        c.origins.insert(origin, (member, parts));
    }
    c.seen = last.clone();
    Ok(c)
}

/// The ledger's last transaction, if any.
fn last_transaction(conn: &Connection) -> Result<Option<Seen>, LedgerError> {
    let mut last =
        conn.prepare_cached("SELECT id, hash FROM transactions ORDER BY id DESC LIMIT 1")?;
    let mut rows = last.query([])?;
    match rows.next()? {
        Some(r) => Ok(Some(Seen {
            tx: r.get(0)?,
            hash: r.get(1)?,
        })),
        None => Ok(None),
    }
}

/// Whether the transaction `seen` names is still in the ledger as it was.
fn still_there(conn: &Connection, seen: &Seen) -> Result<bool, LedgerError> {
    let mut hash = conn.prepare_cached("SELECT hash FROM transactions WHERE id = ?1")?;
    let mut rows = hash.query([seen.tx])?;
    Ok(match rows.next()? {
        Some(r) => r.get::<_, String>(0)? == seen.hash,
        None => false,
    })
}

/// "Of 14.28 USD spent on coins, 2.50 USD reached creators as diamonds,
/// 11.78 USD stayed with the platform and 0.00 USD is still in unspent coins."
pub fn flow_words(flow: &MoneyFlow, currency: Currency) -> String {
    let [spent, creators, platform, unspent] = flow.for_display(currency);
    format!(
        "of {spent} spent on coins, {creators} reached creators as diamonds, {platform} stayed with the platform and {unspent} is still in unspent coins"
    )
}
