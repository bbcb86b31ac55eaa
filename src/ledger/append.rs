//! Appending one transaction: postings, lots, the hash chain and the maintained
//! balances, all in the caller's write transaction.

use rusqlite::params;

use super::chain::TxFields;
use super::spend::{original_of, spend_for};
use super::store::WriteTx;
use super::{CachedSql, LedgerError};
use crate::domain::{IdempotencyKey, TxId};
use crate::guard::Cleared;

/// Writes a cleared transaction. The only function that inserts ledger rows.
pub fn append<'id>(write: &WriteTx<'_, 'id>, cleared: Cleared<'id>) -> Result<TxId, LedgerError> {
    let draft = cleared.into_draft();
    let conn = write.sql();
    let config = write.config();
    let config_currency = config.settings.currency;
    draft.check_balanced(config_currency)?;

    let super::seal::Head {
        len: prev_id,
        hash: prev_hash,
    } = write.last_tx()?;
    let id = prev_id + 1;
    let catalog_version = write.catalog_version();

    let mut posting_rows = Vec::with_capacity(draft.postings.len());
    let mut posting_fields = Vec::with_capacity(draft.postings.len());
    for p in &draft.postings {
        let account_id = write.account_id(p.account, config_currency)?;
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
    let posting_refs: Vec<(&str, &str, i64)> = posting_fields
        .iter()
        .map(|(a, u, n)| (a.as_str(), u.as_str(), *n))
        .collect();
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
        postings: &posting_refs,
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
    let spent_at_us = original.map_or(at_us, |(_, at)| at);
    super::spend::record(
        conn,
        id,
        draft.member,
        draft.counterparty,
        spent_at_us,
        spend,
        config.settings.timezone,
    )?;
    write.note_appended((id, &hash), at_us, draft.member, spent_at_us, spend);
    Ok(TxId(id))
}
