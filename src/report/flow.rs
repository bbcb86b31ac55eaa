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
    let corrupt = |what: &str| LedgerError::Corrupt {
        message: format!("where the money went: {what}"),
    };
    let mut purchases = conn.prepare_cached(
        "SELECT l.id, p.paid_micros FROM transactions t
         JOIN lots l ON l.tx_id = t.id JOIN lot_paid p ON p.lot_id = l.id
         WHERE t.member_id = ?1 AND t.kind = 'purchase' AND t.at_us >= ?2 AND t.at_us < ?3",
    )?;
    let origins: Vec<(i64, i64)> = purchases
        .query_map(params![member.0, from_us, until_us], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
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
    let (mut spent, mut creators, mut platform, mut unspent) = (0_i128, 0_i128, 0_i128, 0_i128);
    for (origin, paid) in origins {
        spent += i128::from(paid);
        let descended: i64 = family.query_row([origin], |r| r.get(0))?;
        unspent += i128::from(descended);
        let rows: Vec<(i64, String, bool, i64)> = takes
            .query_map([origin], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        for (tx, kind, reversed, taken_paid) in rows {
            unspent -= i128::from(taken_paid);
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
                    spent -= i128::from(refunded);
                    platform += i128::from(taken_paid) - i128::from(refunded);
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
                    creators += to_creator;
                    platform += i128::from(taken_paid) - to_creator;
                }
                other => return Err(corrupt(&format!("coins taken by a {other} transaction"))),
            }
        }
    }
    let micros = |v: i128| i64::try_from(v).map_err(|_| corrupt("a figure overflows"));
    Ok(MoneyFlow {
        spent_micros: micros(spent)?,
        to_creators_micros: micros(creators)?,
        to_platform_micros: micros(platform)?,
        unspent_micros: micros(unspent)?,
    })
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

/// "Of 14.28 USD spent on coins, 2.50 USD reached creators as diamonds,
/// 11.78 USD stayed with the platform and 0.00 USD is still in unspent coins."
pub fn flow_words(flow: &MoneyFlow, currency: Currency) -> String {
    let [spent, creators, platform, unspent] = flow.for_display(currency);
    format!(
        "of {spent} spent on coins, {creators} reached creators as diamonds, {platform} stayed with the platform and {unspent} is still in unspent coins"
    )
}
