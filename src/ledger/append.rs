//! Appending one transaction: postings, lots, the hash chain and the maintained
//! balances, all in the caller's write transaction.

use rusqlite::params;

use super::chain::TxFields;
use super::spend::original_of;
use super::store::WriteTx;
use super::{CachedSql, LedgerError};
use crate::domain::{IdempotencyKey, TxId};
use crate::guard::Cleared;

/// Writes a cleared transaction. The only function that inserts ledger rows.
pub fn append<'id>(write: &WriteTx<'_, 'id>, cleared: Cleared<'id>) -> Result<TxId, LedgerError> {
    let (draft, spend) = cleared.into_parts();
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
            p.account.stored_name(),
            p.account.unit().code(config_currency),
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
        .map(|(a, u, n)| (a.as_ref(), *u, *n))
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
    let mut add = conn.prepare_cached(
        "INSERT INTO balances (account_id, balance) VALUES (?1, ?2)
         ON CONFLICT (account_id) DO UPDATE SET balance = balance + excluded.balance",
    )?;
    // A debit of an account that must stay at or above zero writes only if
    // the balance stays there: no row, or too small a balance, changes
    // nothing and is refused. A credit can never overdraw, and the platform
    // and outside accounts may go below zero, so those are added as they
    // are. Neither statement returns rows: a RETURNING clause makes SQLite
    // build a temporary table on every run, which cost more than the rest
    // of the upsert.
    let mut debit_checked = conn.prepare_cached(
        "UPDATE balances SET balance = balance + ?2 WHERE account_id = ?1 AND balance + ?2 >= 0",
    )?;
    for (account_id, p) in posting_rows {
        insert_posting.execute(params![id, account_id, p.amount])?;
        if p.amount < 0 && p.account.must_stay_non_negative() {
            if debit_checked.execute(params![account_id, p.amount])? == 0 {
                return Err(LedgerError::Overdrawn {
                    account: p.account.name(),
                });
            }
        } else {
            add.execute(params![account_id, p.amount])?;
        }
    }
    for take in &draft.takes {
        super::lots::take(conn, id, take)?;
    }
    for lot in &draft.new_lots {
        super::lots::add(conn, id, lot)?;
    }
    // Spend aggregates, in this same transaction: the spend the guard
    // judged. A reversal counts at the original's time, so undoing a
    // purchase frees the window it used.
    let spent_at_us = original_of(conn, draft.reverses)?.map_or(at_us, |(_, at)| at);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Account, FixedClock, Kind, MemberId, Memo, Platform};
    use crate::ledger::draft::{Draft, PostingDraft};
    use crate::ledger::{LedgerError, Spend, Store};

    /// A new household file with one member, Maria, and nothing else.
    fn household(dir: &std::path::Path) -> (Store, FixedClock, MemberId) {
        let start = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
        let clock = FixedClock::new(start);
        let config = crate::config::Config::defaults().unwrap();
        let mut store = Store::create(&dir.join("h.db"), &config, start).unwrap();
        store
            .write(&clock, |w| -> Result<usize, LedgerError> {
                Ok(w.sql().execute(
                    "INSERT INTO members (id, name, role, created_at_us) VALUES (1, 'Maria', 'guardian', 0)",
                    [],
                )?)
            })
            .unwrap();
        (store, clock, MemberId(1))
    }

    /// Moves `coins` from one coin account to another, with no judging:
    /// what `append` does with a draft whatever the guard would say of it.
    fn move_unjudged(
        store: &mut Store,
        clock: &FixedClock,
        member: MemberId,
        (from, to): (Account, Account),
        coins: i64,
    ) -> Result<TxId, LedgerError> {
        let draft = Draft {
            kind: Kind::Gift,
            key: None,
            fingerprint: "test".into(),
            actor: member,
            member,
            counterparty: None,
            memo: Memo::parse("").unwrap(),
            detail: "test".into(),
            reverses: None,
            postings: vec![
                PostingDraft {
                    account: from,
                    amount: -coins,
                },
                PostingDraft {
                    account: to,
                    amount: coins,
                },
            ],
            new_lots: vec![],
            takes: vec![],
        };
        store.write(clock, |w| {
            append(w, Cleared::unjudged(draft, Spend::default()))
        })
    }

    #[test]
    fn a_wallet_is_never_overdrawn_whatever_the_draft() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, clock, maria) = household(dir.path());
        let wallet = Account::Wallet(maria);
        let issuance = Account::Platform(Platform::CoinIssuance);
        let sink = Account::Platform(Platform::GiftSink);
        let balance = |store: &Store| crate::ledger::balance(store.conn(), wallet).unwrap();
        let transactions = |store: &Store| -> i64 {
            store
                .conn()
                .query_row("SELECT COUNT(*) FROM transactions", [], |r| r.get(0))
                .unwrap()
        };
        // A wallet with no balance row yet refuses even one coin.
        assert!(matches!(
            move_unjudged(&mut store, &clock, maria, (wallet, sink), 1),
            Err(LedgerError::Overdrawn { .. })
        ));
        // The platform's issuance account may go below zero.
        move_unjudged(&mut store, &clock, maria, (issuance, wallet), 70).unwrap();
        assert_eq!(balance(&store), 70);
        let before = transactions(&store);

        let refused = move_unjudged(&mut store, &clock, maria, (wallet, sink), 71);
        assert!(
            matches!(&refused, Err(LedgerError::Overdrawn { account }) if *account == wallet.name()),
            "{refused:?}"
        );
        assert_eq!(balance(&store), 70, "a refused debit changes no balance");
        assert_eq!(transactions(&store), before, "nor writes a transaction");

        move_unjudged(&mut store, &clock, maria, (wallet, sink), 70).unwrap();
        assert_eq!(balance(&store), 0, "the whole wallet may be spent");
        // An empty wallet refuses even one coin.
        assert!(matches!(
            move_unjudged(&mut store, &clock, maria, (wallet, sink), 1),
            Err(LedgerError::Overdrawn { .. })
        ));
        assert_eq!(transactions(&store), before + 1);
    }
}
