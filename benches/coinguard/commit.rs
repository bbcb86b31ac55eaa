//! A guarded commit against a bare SQLite write of the same rows, with the
//! same PRAGMAs (WAL, synchronous = FULL) on a copy of the same household:
//! what the guard, FIFO planning, hashing and aggregates cost on top of the
//! database itself. Target: at most 1.5x.

use coinguard::domain::FixedClock;
use coinguard::services::{self, Mode, PurchaseRequest};
use divan::Bencher;
use rusqlite::params;

use crate::history::{self, DENSE, LARGE, SMALL, Shape};

fn shape(name: &str) -> Shape {
    if name.starts_with("1m") { LARGE } else { SMALL }
}

/// The full path: every rule (21 limits), postings, lot, hash chain, balances,
/// spend event and buckets, decision log; one BEGIN IMMEDIATE ... COMMIT.
#[divan::bench(args = ["1k-dense", "1m-dense"], sample_count = 300)]
fn guarded_purchase(bencher: Bencher, name: &str) {
    let (_dir, mut store) = history::open(shape(name));
    let clock = FixedClock::new(history::end());
    let request = PurchaseRequest::Pack {
        member: DENSE,
        pack: "coins-70",
        key: None,
    };
    bencher.bench_local(|| {
        clock.advance(chrono::TimeDelta::milliseconds(10));
        services::purchase(&mut store, &clock, Mode::Commit, &request).unwrap()
    });
}

/// The same, for a member with a typical set of three limits (purchases per
/// week, gifts per day, everything per month) instead of all 21.
#[divan::bench(args = ["1k-dense", "1m-dense"], sample_count = 300)]
fn guarded_purchase_3_limits(bencher: Bencher, name: &str) {
    use coinguard::domain::{Scope, Window};
    let (_dir, mut store) = history::open(shape(name));
    let clock = FixedClock::new(history::end());
    let member = coinguard::ledger::find_member(store.conn(), DENSE)
        .unwrap()
        .id;
    let keep = [
        (Scope::Purchase, Window::Week),
        (Scope::Gift, Window::Day),
        (Scope::All, Window::Month),
    ];
    store
        .write(&clock, |w| {
            for scope in Scope::ALL {
                for window in Window::ALL {
                    if !keep.contains(&(scope, window)) {
                        coinguard::ledger::remove_limit(w, member, scope, window)?;
                    }
                }
            }
            Ok::<_, coinguard::ledger::LedgerError>(())
        })
        .unwrap();
    let request = PurchaseRequest::Pack {
        member: DENSE,
        pack: "coins-70",
        key: None,
    };
    bencher.bench_local(|| {
        clock.advance(chrono::TimeDelta::milliseconds(10));
        services::purchase(&mut store, &clock, Mode::Commit, &request).unwrap()
    });
}

/// The same rows written straight with rusqlite: one transaction row, four
/// postings, four balance upserts, a lot and its open-lot row, a spend event,
/// three bucket upserts and a decision row; one BEGIN IMMEDIATE ... COMMIT.
#[divan::bench(args = ["1k-dense", "1m-dense"], sample_count = 300)]
fn bare_sqlite_same_rows(bencher: Bencher, name: &str) {
    let (dir, store) = history::open(shape(name));
    let path = store.path().to_path_buf();
    drop(store);
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "wal").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    let member: i64 = conn
        .query_row("SELECT id FROM members WHERE name = ?1", [DENSE], |r| {
            r.get(0)
        })
        .unwrap();
    let accounts: Vec<i64> = [
        "external:{m}:funding",
        "platform:coin_sales",
        "platform:coin_issuance",
        "member:{m}:wallet",
    ]
    .iter()
    .map(|n| {
        let name = n.replace("{m}", &member.to_string());
        conn.query_row("SELECT id FROM accounts WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap()
    })
    .collect();
    let mut at_us = history::end().timestamp_micros();
    let hash = "0".repeat(64);
    bencher.bench_local(|| {
        at_us += 10_000;
        let tx = rusqlite::Transaction::new(&mut conn, rusqlite::TransactionBehavior::Immediate).unwrap();
        let id: i64 = tx.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM transactions", [], |r| r.get(0)).unwrap();
        tx.prepare_cached(
            "INSERT INTO transactions (id, idem_key, fingerprint, at_us, kind, actor_id, member_id, counterparty_id, memo, detail, catalog_version, reverses_tx, prev_hash, hash)
             VALUES (?1, NULL, ?2, ?3, 'purchase', ?4, ?4, NULL, '', 'pack coins-70: 70 coins for 0.99 USD (0.0141 USD per coin)', 1, NULL, ?2, ?2)",
        )
        .unwrap()
        .execute(params![id, hash, at_us, member])
        .unwrap();
        for (account, amount) in accounts.iter().zip([-990_000i64, 990_000, -70, 70]) {
            tx.prepare_cached("INSERT INTO postings (tx_id, account_id, amount) VALUES (?1, ?2, ?3)").unwrap().execute(params![id, account, amount]).unwrap();
            tx.prepare_cached("INSERT INTO balances (account_id, balance) VALUES (?1, ?2) ON CONFLICT (account_id) DO UPDATE SET balance = balance + excluded.balance")
                .unwrap()
                .execute(params![account, amount])
                .unwrap();
        }
        tx.prepare_cached("INSERT INTO lots (tx_id, member_id, coins, cost_micros) VALUES (?1, ?2, 70, 990000)").unwrap().execute(params![id, member]).unwrap();
        let lot = tx.last_insert_rowid();
        tx.prepare_cached("INSERT INTO open_lots (lot_id, member_id, remaining, taken) VALUES (?1, ?2, 70, 0)").unwrap().execute(params![lot, member]).unwrap();
        tx.prepare_cached("INSERT INTO spend_events (tx_id, member_id, at_us, purchase_micros, gift_coins, all_micros) VALUES (?1, ?2, ?3, 990000, 0, 990000)")
            .unwrap()
            .execute(params![id, member, at_us])
            .unwrap();
        for (kind, start) in [("hour", at_us / 3_600_000_000), ("utc_day", at_us / 86_400_000_000), ("local_day", at_us / 86_400_000_000)] {
            tx.prepare_cached(
                "INSERT INTO spend_buckets (member_id, kind, start, purchase_micros, gift_coins, all_micros) VALUES (?1, ?2, ?3, 990000, 0, 990000)
                 ON CONFLICT (member_id, kind, start) DO UPDATE SET purchase_micros = purchase_micros + 990000, all_micros = all_micros + 990000",
            )
            .unwrap()
            .execute(params![member, kind, start])
            .unwrap();
        }
        tx.prepare_cached(
            "INSERT INTO decisions (at_us, actor_id, member_id, action, outcome, summary, reasons, tx_id, prev_hash, hash)
             VALUES (?1, ?2, ?2, 'purchase', 'allow', 'dense buys 70 coins for 0.99 USD', '[]', ?3, ?4, ?4)",
        )
        .unwrap()
        .execute(params![at_us, member, id, hash])
        .unwrap();
        tx.commit().unwrap();
    });
    drop(dir);
}
