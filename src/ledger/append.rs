//! Appending one transaction: postings, lots, the hash chain and the maintained
//! balances, all in the caller's write transaction.

use rusqlite::{Connection, OptionalExtension, params};

use super::accounts::{self, Account, Unit};
use super::chain::{GENESIS_HASH, TxFields};
use super::store::WriteTx;
use super::{CachedSql, LedgerError};
use crate::domain::{IdempotencyKey, MemberId, Memo, TxId};
use crate::guard::Cleared;
use crate::money::Currency;

/// What kind of movement a transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Purchase,
    Gift,
    Redeem,
    Grant,
    Reversal,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Purchase => "purchase",
            Kind::Gift => "gift",
            Kind::Redeem => "redeem",
            Kind::Grant => "grant",
            Kind::Reversal => "reversal",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        [
            Kind::Purchase,
            Kind::Gift,
            Kind::Redeem,
            Kind::Grant,
            Kind::Reversal,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

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
    pub fn amounts(&self) -> super::spend::LotAmounts {
        super::spend::LotAmounts {
            cost_micros: self.cost_micros,
            paid_micros: self.paid_micros,
        }
    }
}

impl LotTake {
    pub fn amounts(&self) -> super::spend::LotAmounts {
        super::spend::LotAmounts {
            cost_micros: self.cost_micros,
            paid_micros: self.paid_micros,
        }
    }
}

impl Draft {
    /// Every unit sums to zero.
    fn check_balanced(&self, currency: Currency) -> Result<(), LedgerError> {
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

/// An earlier transaction written with this key: its id and fingerprint.
pub fn find_by_key(
    conn: &Connection,
    key: &IdempotencyKey,
) -> Result<Option<(TxId, String)>, LedgerError> {
    Ok(conn
        .one(
            "SELECT id, fingerprint FROM transactions WHERE idem_key = ?1",
            [key.as_str()],
            |r| Ok((TxId(r.get(0)?), r.get(1)?)),
        )
        .optional()?)
}

/// When the newest transaction was written (UTC micros), for clock sanity.
pub fn newest_entry_at(conn: &Connection) -> Result<Option<i64>, LedgerError> {
    // MAX, not the last id: entries written within the clock tolerance may be
    // out of time order. One row (NULL when empty), found through the index.
    Ok(conn.one("SELECT MAX(at_us) FROM transactions", [], |r| {
        r.get::<_, Option<i64>>(0)
    })?)
}

/// Writes a cleared transaction. The only function that inserts ledger rows.
pub fn append(write: &WriteTx<'_>, cleared: Cleared<'_>) -> Result<TxId, LedgerError> {
    let draft = cleared.into_draft();
    let conn = write.sql();
    let config = write.config();
    let config_currency = config.settings.currency;
    draft.check_balanced(config_currency)?;

    let (prev_id, prev_hash): (i64, String) = conn
        .one(
            "SELECT id, hash FROM transactions ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, GENESIS_HASH.to_string()));
    let id = prev_id + 1;
    let catalog_version = write.catalog_version();

    let mut posting_rows = Vec::with_capacity(draft.postings.len());
    let mut posting_fields = Vec::with_capacity(draft.postings.len());
    for p in &draft.postings {
        let account_id = accounts::ensure(conn, p.account, config_currency)?;
        posting_rows.push((account_id, p));
        posting_fields.push((
            p.account.name(),
            p.account.unit().code(config_currency).to_string(),
            p.amount,
        ));
    }
    let lot_fields: Vec<(i64, i64, i64)> = draft
        .new_lots
        .iter()
        .map(|l| (l.member.0, l.coins, l.cost_micros))
        .collect();
    let move_fields: Vec<(i64, i64, i64)> = draft
        .takes
        .iter()
        .map(|t| (t.lot_id, t.coins, t.cost_micros))
        .collect();
    let at_us = write.now().timestamp_micros();
    let fields = TxFields {
        id,
        key: draft.key.as_ref().map(IdempotencyKey::as_str),
        fingerprint: &draft.fingerprint,
        at_us,
        kind: draft.kind.as_str(),
        actor: draft.actor.0,
        member: draft.member.0,
        counterparty: draft.counterparty.map(|m| m.0),
        memo: draft.memo.as_str(),
        detail: &draft.detail,
        catalog_version,
        reverses: draft.reverses.map(|t| t.0),
        postings: &posting_fields,
        lots: &lot_fields,
        moves: &move_fields,
    };
    let hash = fields.hash(&prev_hash);

    conn.run(
        "INSERT INTO transactions (id, idem_key, fingerprint, at_us, kind, actor_id, member_id, counterparty_id, memo, detail, catalog_version, reverses_tx, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![id, fields.key, fields.fingerprint, at_us, fields.kind, fields.actor, fields.member, fields.counterparty, fields.memo, fields.detail, catalog_version, fields.reverses, prev_hash, hash],
    )?;
    let mut insert_posting = conn
        .prepare_cached("INSERT INTO postings (tx_id, account_id, amount) VALUES (?1, ?2, ?3)")?;
    let mut bump_balance = conn.prepare_cached(
        "INSERT INTO balances (account_id, balance) VALUES (?1, ?2)
         ON CONFLICT (account_id) DO UPDATE SET balance = balance + excluded.balance
         RETURNING balance",
    )?;
    for (account_id, p) in posting_rows {
        insert_posting.execute(params![id, account_id, p.amount])?;
        let new_balance: i64 =
            bump_balance.query_row(params![account_id, p.amount], |r| r.get(0))?;
        if new_balance < 0 && p.account.must_stay_non_negative() {
            return Err(LedgerError::Overdrawn {
                account: p.account.name(),
            });
        }
    }
    for take in &draft.takes {
        super::lots::take(conn, id, take)?;
    }
    for lot in &draft.new_lots {
        super::lots::add(conn, id, lot)?;
    }
    // Spend aggregates, in this same transaction. A reversal counts at the
    // original's time, so undoing a purchase frees the window it used.
    let original = original_of(conn, draft.reverses)?;
    let spend = spend_for(&draft, original.map(|(kind, _)| kind));
    super::spend::record(
        conn,
        id,
        draft.member,
        draft.counterparty,
        original.map_or(at_us, |(_, at)| at),
        spend,
        config.settings.timezone,
    )?;
    Ok(TxId(id))
}

/// The kind and time of the transaction a reversal undoes.
fn original_of(
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

fn spend_for(draft: &Draft, original: Option<Kind>) -> super::spend::Spend {
    let posted: Vec<(Account, i64)> = draft
        .postings
        .iter()
        .map(|p| (p.account, p.amount))
        .collect();
    super::spend::of_transaction(
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
/// limits on this, and `append` records exactly this.
pub fn spend_of_draft(
    conn: &Connection,
    draft: &Draft,
) -> Result<super::spend::Spend, LedgerError> {
    let original = original_of(conn, draft.reverses)?;
    Ok(spend_for(draft, original.map(|(kind, _)| kind)))
}

pub(crate) fn household_tz(conn: &Connection) -> Result<chrono_tz::Tz, LedgerError> {
    let name: String = conn.one("SELECT timezone FROM household WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    crate::domain::parse_timezone(&name).map_err(|_| LedgerError::Corrupt {
        message: format!("unknown household time zone {name:?}"),
    })
}
