//! Planning a reversal: the mirror of an earlier transaction, limited to what
//! can still be undone (unspent coins of a purchase, unredeemed diamonds of a gift).

use rusqlite::{Connection, OptionalExtension};

use super::accounts::{Account, Platform, balance};
use super::append::{Kind, LotTake, NewLot, PostingDraft};
use super::{CachedSql, LedgerError};
use crate::domain::{MemberId, TxId};
use crate::money::{MoneyError, proportional_share};

/// What reversing a transaction will move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReversalPlan {
    pub original: TxId,
    pub original_kind: Kind,
    pub member: MemberId,
    pub counterparty: Option<MemberId>,
    pub postings: Vec<PostingDraft>,
    pub new_lot: Option<NewLot>,
    pub takes: Vec<LotTake>,
    /// Coins that go back (purchase/grant: removed from the wallet; gift: returned).
    pub coins: i64,
    /// Money refunded or recovered, in micro-units.
    pub money_micros: i64,
    /// Set when only the unspent part of a purchase or grant can be undone.
    pub partial: bool,
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
        new_lot: None,
        takes: Vec::new(),
        coins: 0,
        money_micros: 0,
        partial: false,
    };
    match kind {
        Kind::Purchase | Kind::Grant => plan_unspent_lot(conn, tx, &mut plan)?,
        Kind::Gift | Kind::Redeem => plan_mirror(conn, tx, &mut plan)?,
        Kind::Reversal => {}
    }
    Ok(plan)
}

/// Purchases and grants: take back the coins still in the lot, refund their cost.
fn plan_unspent_lot(
    conn: &Connection,
    tx: TxId,
    plan: &mut ReversalPlan,
) -> Result<(), LedgerError> {
    // (lot id, coins, cost, remaining if open, taken if open)
    type LotRow = (i64, i64, i64, Option<i64>, Option<i64>);
    let lot: Option<LotRow> = conn
        .one(
            "SELECT l.id, l.coins, l.cost_micros, o.remaining, o.taken FROM lots l
             LEFT JOIN open_lots o ON o.lot_id = l.id WHERE l.tx_id = ?1",
            [tx.0],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let (lot_id, coins, cost, remaining, taken) = lot.ok_or_else(|| LedgerError::Corrupt {
        message: format!("transaction {tx} has no coin lot"),
    })?;
    let (Some(remaining), Some(taken)) = (remaining, taken) else {
        return Err(LedgerError::NotReversible {
            tx: tx.0,
            why: "every coin from it was already spent on gifts; reverse those gifts first".into(),
        });
    };
    // Coins held by pending gift requests are spoken for: take back at most
    // what the wallet has beyond its holds.
    let wallet = balance(conn, Account::Wallet(plan.member))?;
    let held = super::requests::held_coins(conn, plan.member, None)?;
    let remaining = remaining.min(wallet.saturating_sub(held));
    if remaining <= 0 {
        return Err(LedgerError::NotReversible {
            tx: tx.0,
            why: "the coins left from it are held by a pending gift request; answer that request first".into(),
        });
    }
    let to_u64 = |v: i64| u64::try_from(v).map_err(|_| MoneyError::Overflow { what: "coins" });
    let refund = proportional_share(cost, to_u64(taken)?, to_u64(remaining)?, to_u64(coins)?)?;
    plan.partial = remaining < coins;
    plan.coins = remaining;
    plan.postings.push(PostingDraft {
        account: Account::Wallet(plan.member),
        amount: -remaining,
    });
    plan.postings.push(PostingDraft {
        account: Account::Platform(Platform::CoinIssuance),
        amount: remaining,
    });
    if plan.original_kind == Kind::Purchase {
        plan.money_micros = refund;
        plan.postings.push(PostingDraft {
            account: Account::Platform(Platform::CoinSales),
            amount: -refund,
        });
        plan.postings.push(PostingDraft {
            account: Account::Funding(plan.member),
            amount: refund,
        });
    }
    plan.takes.push(LotTake {
        lot_id,
        coins: remaining,
        cost_micros: refund,
    });
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
        plan.postings.push(PostingDraft {
            account,
            amount: mirrored,
        });
    }
    if plan.original_kind == Kind::Gift {
        // The spent coins come back as one lot carrying what they cost.
        let (coins, cost): (i64, i64) = conn.one(
            "SELECT COALESCE(SUM(coins), 0), COALESCE(SUM(cost_micros), 0) FROM lot_moves WHERE tx_id = ?1",
            [tx.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        plan.coins = coins;
        plan.money_micros = cost;
        if coins > 0 {
            plan.new_lot = Some(NewLot {
                member: plan.member,
                coins,
                cost_micros: cost,
            });
        }
    }
    Ok(())
}
