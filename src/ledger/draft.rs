//! A transaction as the guard judges it and the ledger writes it: its
//! postings, the coin lots it creates and the coins it takes from lots.
//! Building one writes nothing; only `append` writes, and only a draft the
//! guard cleared.

use super::LedgerError;
use crate::domain::{Account, IdempotencyKey, Kind, MemberId, Memo, TxId, Unit};
use crate::money::Currency;

/// One leg of a transaction: what `account` gains (negative: loses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostingDraft {
    pub account: Account,
    pub amount: i64,
}

/// Coins entering a wallet together, with what they cost (micro-units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLot {
    pub member: MemberId,
    pub coins: i64,
    pub cost_micros: i64,
    /// The part of the cost already counted as money spent: all of it for
    /// coins bought, none for coins granted. The `all` scope counts the rest
    /// when the coins are gifted, so no money is counted twice.
    pub paid_micros: i64,
    /// The purchase or grant lot these coins first came from, for coins a
    /// reversed gift returns (`None`: this lot is its own origin). Reversing
    /// that purchase later refunds them too.
    pub origin_lot: Option<i64>,
}

/// Coins taken out of a lot, with their share of its cost and of its paid part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotTake {
    pub lot_id: i64,
    pub coins: i64,
    pub cost_micros: i64,
    pub paid_micros: i64,
}

/// A transaction ready to be judged by the guard. Building one writes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub kind: Kind,
    pub key: Option<IdempotencyKey>,
    /// SHA-256 of what was asked for; a replayed key must ask for the same.
    pub fingerprint: String,
    pub actor: MemberId,
    pub member: MemberId,
    pub counterparty: Option<MemberId>,
    pub memo: Memo,
    /// What was bought or sent and at which rates, for people reading history.
    pub detail: String,
    pub reverses: Option<TxId>,
    pub postings: Vec<PostingDraft>,
    pub new_lots: Vec<NewLot>,
    pub takes: Vec<LotTake>,
}

impl NewLot {
    pub fn amounts(&self) -> LotAmounts {
        LotAmounts {
            cost_micros: self.cost_micros,
            paid_micros: self.paid_micros,
        }
    }
}

impl LotTake {
    pub fn amounts(&self) -> LotAmounts {
        LotAmounts {
            cost_micros: self.cost_micros,
            paid_micros: self.paid_micros,
        }
    }
}

impl Draft {
    /// Every unit sums to zero.
    pub(crate) fn check_balanced(&self, currency: Currency) -> Result<(), LedgerError> {
        for unit in [Unit::Money, Unit::Coin, Unit::Diamond] {
            let mut sum: i64 = 0;
            for p in self.postings.iter().filter(|p| p.account.unit() == unit) {
                sum = sum
                    .checked_add(p.amount)
                    .ok_or(crate::money::MoneyError::Overflow { what: "postings" })?;
            }
            if sum != 0 {
                return Err(LedgerError::Unbalanced {
                    unit: unit.code(currency).to_string(),
                });
            }
        }
        Ok(())
    }
}

/// A lot's (or a share of a lot's) cost and the part of it already counted
/// as money spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LotAmounts {
    pub cost_micros: i64,
    pub paid_micros: i64,
}

impl LotAmounts {
    /// The cost not yet counted as money spent (granted coins' value).
    pub(crate) fn unpaid(&self) -> i64 {
        self.cost_micros.saturating_sub(self.paid_micros)
    }
}
