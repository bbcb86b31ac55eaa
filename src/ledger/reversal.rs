//! Planning a reversal: the mirror of an earlier transaction, limited to what
//! can still be undone (unspent coins of a purchase, unredeemed diamonds of a gift).

use rusqlite::{Connection, OptionalExtension};

use super::accounts::balance;
use super::draft::{LotTake, NewLot, PostingDraft};
use super::lots::share_of_lot;
use super::{CachedSql, LedgerError};
use crate::domain::{Account, Kind, MemberId, Platform, TxId};
use crate::money::MoneyError;

/// What reversing a transaction will move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReversalPlan {
    pub original: TxId,
    pub original_kind: Kind,
    pub member: MemberId,
    pub counterparty: Option<MemberId>,
    pub postings: Vec<PostingDraft>,
    pub new_lots: Vec<NewLot>,
    pub takes: Vec<LotTake>,
    /// Who the original was for, and the creator of a gift (names, for the
    /// summary people read).
    pub member_name: String,
    pub counterparty_name: Option<String>,
    /// Coins that go back (purchase/grant: removed from the wallet; gift: returned).
    pub coins: i64,
    /// What those coins cost, from their lots, exactly (micro-units).
    pub coins_cost_micros: i64,
    /// Real money that moves, in micro-units: a purchase's refund (whole
    /// minor units, rounded down from what the coins cost; see
    /// [`crate::money::rounding::for_refund`]) or a redemption's payout
    /// recovered. Zero for grants and gifts.
    pub money_micros: i64,
    /// Diamonds that go back: taken from the creator's earnings (gift) or
    /// returned to them (redemption).
    pub diamonds: i64,
    /// Set when only the unspent part of a purchase or grant can be undone.
    pub partial: bool,
    /// For a purchase or grant: gifts, not reversed, that spent its coins.
    /// Reversing those first returns their coins to this purchase, and
    /// reversing it then refunds them too.
    pub spent_in: Vec<SpentIn>,
}

/// Coins of a purchase or grant that a gift spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpentIn {
    pub gift: TxId,
    pub coins: i64,
    pub cost_micros: i64,
}

pub fn plan_reversal(conn: &Connection, tx: TxId) -> Result<ReversalPlan, LedgerError> {
    let row: Option<(String, i64, Option<i64>)> = conn
        .one(
            "SELECT kind, member_id, counterparty_id FROM transactions WHERE id = ?1",
            [tx.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (kind, member, counterparty) = row.ok_or(LedgerError::UnknownTransaction { tx: tx.0 })?;
    let kind = Kind::parse(&kind).ok_or_else(|| LedgerError::Corrupt {
        message: format!("transaction {tx} has an unknown kind"),
    })?;
    let member = MemberId(member);
    let counterparty = counterparty.map(MemberId);
    let name_of = |id: MemberId| -> Result<String, LedgerError> {
        Ok(super::members::member_by_id(conn, id)?
            .map(|m| m.name.to_string())
            .unwrap_or_else(|| format!("member {id}")))
    };
    let member_name = name_of(member)?;
    let counterparty_name = counterparty.map(name_of).transpose()?;
    if kind == Kind::Reversal {
        return Err(LedgerError::NotReversible {
            tx: tx.0,
            why: "it is itself a reversal; record a new transaction instead".into(),
        });
    }
    let by: Option<i64> = conn
        .one(
            "SELECT id FROM transactions WHERE reverses_tx = ?1",
            [tx.0],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(by) = by {
        return Err(LedgerError::AlreadyReversed { tx: tx.0, by });
    }
    let mut plan = ReversalPlan {
        original: tx,
        original_kind: kind,
        member,
        counterparty,
        postings: Vec::new(),
        new_lots: Vec::new(),
        takes: Vec::new(),
        member_name,
        counterparty_name,
        coins: 0,
        coins_cost_micros: 0,
        money_micros: 0,
        diamonds: 0,
        partial: false,
        spent_in: Vec::new(),
    };
    match kind {
        Kind::Purchase | Kind::Grant => plan_unspent_lot(conn, tx, &mut plan)?,
        Kind::Gift | Kind::Redeem => plan_mirror(conn, tx, &mut plan)?,
        Kind::Reversal => {}
    }
    Ok(plan)
}

/// Gifts, not reversed, that spent coins of the lot `lot_id` or of coins
/// returned to it by reversed gifts.
fn spent_in(conn: &Connection, lot_id: i64) -> Result<Vec<SpentIn>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.tx_id, SUM(m.coins), SUM(m.cost_micros) FROM lot_moves m
         JOIN lot_paid p ON p.lot_id = m.lot_id JOIN transactions t ON t.id = m.tx_id
         WHERE p.origin_lot_id = ?1 AND t.kind = 'gift'
           AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_tx = m.tx_id)
         GROUP BY m.tx_id ORDER BY m.tx_id",
    )?;
    let rows = stmt.query_map([lot_id], |r| {
        Ok(SpentIn {
            gift: TxId(r.get(0)?),
            coins: r.get(1)?,
            cost_micros: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Purchases and grants: take back the coins still in the lot, and those
/// reversed gifts returned to it, and refund what they cost.
fn plan_unspent_lot(
    conn: &Connection,
    tx: TxId,
    plan: &mut ReversalPlan,
) -> Result<(), LedgerError> {
    let (lot_id, lot_coins): (i64, i64) = conn
        .one(
            "SELECT id, coins FROM lots WHERE tx_id = ?1 ORDER BY id LIMIT 1",
            [tx.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| LedgerError::Corrupt {
            message: format!("transaction {tx} has no coin lot"),
        })?;
    plan.spent_in = spent_in(conn, lot_id)?;
    // (lot, remaining, taken, coins, cost, paid) for every open lot whose
    // coins came from this one, oldest first.
    type Open = (i64, i64, i64, i64, i64, i64);
    let open: Vec<Open> = conn
        .prepare_cached(
            "SELECT o.lot_id, o.remaining, o.taken, l.coins, l.cost_micros, p.paid_micros
             FROM lot_paid p JOIN open_lots o ON o.lot_id = p.lot_id JOIN lots l ON l.id = p.lot_id
             WHERE p.origin_lot_id = ?1 ORDER BY p.lot_id",
        )?
        .query_map([lot_id], |r| Open::try_from(r))?
        .collect::<Result<_, _>>()?;
    if open.is_empty() {
        let gifts: Vec<String> = plan.spent_in.iter().map(|s| s.gift.to_string()).collect();
        let why = if gifts.is_empty() {
            "every coin from it was already spent".to_string()
        } else {
            format!(
                "every coin from it was already spent, on gift {}; reverse {} first and its coins come back to it",
                gifts.join(", "),
                if gifts.len() == 1 {
                    "that gift"
                } else {
                    "those gifts"
                }
            )
        };
        return Err(LedgerError::NotReversible { tx: tx.0, why });
    }
    // Coins held by pending gift requests are spoken for: take back at most
    // what the wallet has beyond its holds.
    let wallet = balance(conn, Account::Wallet(plan.member))?;
    // Every pending hold counts here (a reversal's write expires those
    // whose time is up before it plans).
    let held = super::requests::held_coins(
        conn,
        plan.member,
        None,
        chrono::DateTime::<chrono::Utc>::MIN_UTC,
    )?;
    let mut room = wallet.saturating_sub(held);
    if room <= 0 {
        return Err(LedgerError::NotReversible {
            tx: tx.0,
            why: "the coins left from it are held by a pending gift request; answer that request first".into(),
        });
    }
    let mut cost_taken: i64 = 0;
    for (open_lot, remaining, taken, coins, cost, paid) in open {
        let taking = remaining.min(room);
        if taking <= 0 {
            break;
        }
        let (cost_share, paid_share) = share_of_lot((coins, cost, paid), taken, taking)?;
        plan.takes.push(LotTake {
            lot_id: open_lot,
            coins: taking,
            cost_micros: cost_share,
            paid_micros: paid_share,
        });
        plan.coins += taking;
        cost_taken = cost_taken
            .checked_add(cost_share)
            .ok_or(MoneyError::Overflow { what: "money" })?;
        room -= taking;
    }
    plan.partial = plan.coins < lot_coins;
    plan.coins_cost_micros = cost_taken;
    // Real money goes back in whole minor units, rounded down: a refund is
    // never more than the coins taken back cost. The coins' exact cost
    // leaves their lots (the takes); the part below the minor unit stays
    // with the coin sales, and the summary says how much it is.
    let currency = super::store::household_currency(conn)?;
    let refund = if plan.original_kind == Kind::Purchase {
        crate::money::rounding::for_refund(cost_taken, currency)?.micros()
    } else {
        0
    };
    plan.money_micros = refund;
    plan.postings.push(PostingDraft {
        account: Account::Wallet(plan.member),
        amount: -plan.coins,
    });
    plan.postings.push(PostingDraft {
        account: Account::Platform(Platform::CoinIssuance),
        amount: plan.coins,
    });
    if plan.original_kind == Kind::Purchase {
        plan.postings.push(PostingDraft {
            account: Account::Platform(Platform::CoinSales),
            amount: -refund,
        });
        plan.postings.push(PostingDraft {
            account: Account::Funding(plan.member),
            amount: refund,
        });
    }
    Ok(())
}

/// Gifts and redemptions: the exact mirror, if the other side still holds it.
fn plan_mirror(conn: &Connection, tx: TxId, plan: &mut ReversalPlan) -> Result<(), LedgerError> {
    let mut stmt = conn.prepare(
        "SELECT a.name, p.amount FROM postings p JOIN accounts a ON a.id = p.account_id WHERE p.tx_id = ?1 ORDER BY p.id",
    )?;
    let rows = stmt.query_map([tx.0], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (name, amount) = row?;
        let account = Account::from_name(&name).ok_or_else(|| LedgerError::Corrupt {
            message: format!("unknown account {name:?}"),
        })?;
        let mirrored = amount
            .checked_neg()
            .ok_or(MoneyError::Overflow { what: "postings" })?;
        if account.must_stay_non_negative() && mirrored < 0 && balance(conn, account)? < -mirrored {
            let why = match account {
                Account::Earnings(_) => "the creator has already cashed out those diamonds",
                _ => "the coins are no longer there",
            };
            return Err(LedgerError::NotReversible {
                tx: tx.0,
                why: why.into(),
            });
        }
        if matches!(account, Account::Payout(_)) {
            plan.money_micros = amount;
        }
        if matches!(account, Account::Earnings(_)) {
            plan.diamonds = amount;
        }
        plan.postings.push(PostingDraft {
            account,
            amount: mirrored,
        });
    }
    if plan.original_kind == Kind::Gift {
        // The spent coins come back as one lot per lot they were taken from,
        // each carrying what they cost, the part already counted as spent,
        // and the purchase or grant they first came from: reversing that
        // purchase later refunds them too.
        let mut stmt = conn.prepare_cached(
            "SELECT m.coins, m.cost_micros, mp.paid_micros, lp.origin_lot_id FROM lot_moves m
             JOIN move_paid mp ON mp.move_id = m.id JOIN lot_paid lp ON lp.lot_id = m.lot_id
             WHERE m.tx_id = ?1 ORDER BY m.id",
        )?;
        let rows = stmt.query_map([tx.0], |r| {
            Ok(NewLot {
                member: plan.member,
                coins: r.get(0)?,
                cost_micros: r.get(1)?,
                paid_micros: r.get(2)?,
                origin_lot: Some(r.get(3)?),
            })
        })?;
        for lot in rows {
            let lot = lot?;
            plan.coins += lot.coins;
            plan.coins_cost_micros += lot.cost_micros;
            plan.new_lots.push(lot);
        }
    }
    Ok(())
}
