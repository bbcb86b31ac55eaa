//! A guarded commit against a bare SQLite write of the same rows, with the
//! same PRAGMAs (WAL, synchronous = FULL) on a copy of the same household:
//! what the guard, FIFO planning, hashing and aggregates cost on top of the
//! database itself. Target: at most 1.5x.

use coinguard::domain::FixedClock;
use coinguard::services::{self, Mode, PurchaseRequest};
use divan::Bencher;
use rusqlite::params;

use crate::history::{self, DENSE, LARGE, MEDIUM, SMALL, Shape};

fn shape(name: &str) -> Shape {
    match name {
        n if n.starts_with("1m") => LARGE,
        n if n.starts_with("100k") => MEDIUM,
        _ => SMALL,
    }
}

/// The full path: every rule (21 limits), postings, lot, hash chain, balances,
/// spend event and buckets, decision log; one BEGIN IMMEDIATE ... COMMIT.
#[divan::bench(args = ["1k-dense", "100k-dense", "1m-dense"], sample_count = 300)]
fn guarded_purchase(bencher: Bencher, name: &str) {
    let (_dir, mut guarded) = Guarded::open(shape(name), false);
    bencher.bench_local(|| guarded.write());
}

/// The same, for a member with a typical set of three limits (purchases per
/// week, gifts per day, everything per month) instead of all 21.
#[divan::bench(args = ["1k-dense", "100k-dense", "1m-dense"], sample_count = 300)]
fn guarded_purchase_3_limits(bencher: Bencher, name: &str) {
    let (_dir, mut guarded) = Guarded::open(shape(name), true);
    bencher.bench_local(|| guarded.write());
}

/// A household copy committing the dense member's 70-coin pack through the
/// real guarded path, the clock 10 ms on per commit.
struct Guarded {
    store: coinguard::ledger::Store,
    clock: FixedClock,
}

impl Guarded {
    fn open(shape: Shape, three_limits: bool) -> (tempfile::TempDir, Guarded) {
        use coinguard::domain::{Scope, Window};
        let (dir, mut store) = history::open(shape);
        let clock = FixedClock::new(history::end());
        let pin = coinguard::auth::Pin::parse("benchmark pin").unwrap();
        let pass = coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
        if three_limits {
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
                                coinguard::ledger::remove_limit(w, &pass, member, scope, window)?;
                            }
                        }
                    }
                    Ok::<_, coinguard::ledger::LedgerError>(())
                })
                .unwrap();
        }
        (dir, Guarded { store, clock })
    }

    fn write(&mut self) {
        self.clock.advance(chrono::TimeDelta::milliseconds(10));
        let request = PurchaseRequest::Pack {
            member: DENSE,
            pack: "coins-70",
            key: None,
        };
        services::purchase(&mut self.store, &self.clock, Mode::Commit, &request).unwrap();
    }
}

/// Paired run (`cargo bench --bench coinguard -- --paired-commit`): the
/// guarded path (21 and 3 limits) and the bare write take turns, one commit
/// each per round in a rotating order, so that the disk's slow spells (an
/// fsync can take 1 ms or 1 s here) fall on all of them alike. Prints
/// medians, means and the ratios that BENCHMARKS.md reports.
///
/// Not `durable` (`--paired-commit-cpu`): the same with fsync off on every
/// writer (the seeding setting), so that what the guard adds is measured
/// as the processor's work alone, without the disk's waits around it.
pub fn paired(rounds: usize, durable: bool) {
    println!(
        "| household | bare median | guarded 21 limits median (÷ bare) | guarded 3 limits median (÷ bare) | median added: 21 / 3 | means: bare / 21 / 3 | median of per-round ratios: 21 / 3 |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    // COINGUARD_BENCH_ONLY=1k (or 100k, 1M) runs one household: the 1M one
    // takes ten minutes to generate the first time.
    let only = std::env::var("COINGUARD_BENCH_ONLY").ok();
    // COINGUARD_BENCH_WRITER=bare (or 21, 3, or control with the control
    // below) takes only that writer's turns, for a profiler: the others'
    // medians then read NaN.
    // COINGUARD_BENCH_PAUSE_US=N sleeps N µs before each commit, outside
    // the timing: with fsync off it asks whether what the guard adds in the
    // durable run (more than its work alone) comes from the wait itself.
    let pause = std::env::var("COINGUARD_BENCH_PAUSE_US").ok().map(|us| {
        std::time::Duration::from_micros(us.parse().expect("COINGUARD_BENCH_PAUSE_US is µs"))
    });
    // COINGUARD_BENCH_CONTROL=1 adds a fourth writer to the rotation: a
    // second bare write on its own copy of the household. Its ratio to the
    // first is what this machine's disk alone puts between two identical
    // writers in one run: the floor under every other ratio printed.
    let control = std::env::var("COINGUARD_BENCH_CONTROL").is_ok_and(|v| v == "1");
    let writers = if control { 4 } else { 3 };
    let writer = std::env::var("COINGUARD_BENCH_WRITER")
        .ok()
        .map(|w| match w.as_str() {
            "bare" => 0,
            "21" => 1,
            "3" => 2,
            "control" => 3,
            other => panic!("COINGUARD_BENCH_WRITER is bare, 21, 3 or control, not {other}"),
        });
    for (name, shape) in [
        ("1k dense", SMALL),
        ("100k dense", MEDIUM),
        ("1M dense", LARGE),
    ] {
        if only
            .as_deref()
            .is_some_and(|o| !name.eq_ignore_ascii_case(&format!("{o} dense")))
        {
            continue;
        }
        let (_d1, mut all) = Guarded::open(shape, false);
        let (_d2, mut three) = Guarded::open(shape, true);
        let (d3, store) = history::open(shape);
        let mut bare = Bare::open(store);
        let mut second = control.then(|| {
            let (dir, store) = history::open(shape);
            (dir, Bare::open(store))
        });
        if !durable {
            all.store.relax_durability_for_seeding().unwrap();
            three.store.relax_durability_for_seeding().unwrap();
            for b in std::iter::once(&mut bare).chain(second.as_mut().map(|(_, b)| b)) {
                b.conn.pragma_update(None, "synchronous", "OFF").unwrap();
            }
        }
        let mut times: [Vec<f64>; 4] = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        let warmup = rounds / 10;
        for round in 0..rounds + warmup {
            for turn in 0..writers {
                let which = (round + turn) % writers;
                if writer.is_some_and(|w| w != which) {
                    continue;
                }
                if let Some(pause) = pause {
                    std::thread::sleep(pause);
                }
                let started = std::time::Instant::now();
                match (which, second.as_mut()) {
                    (0, _) => bare.write(),
                    (1, _) => all.write(),
                    (2, _) => three.write(),
                    (_, Some((_, second))) => second.write(),
                    (_, None) => unreachable!("three writers without the control"),
                }
                if round >= warmup {
                    times[which].push(started.elapsed().as_secs_f64() * 1e6);
                }
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
        };
        let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
        // Each round's guarded commit over the same round's bare one: a
        // round's commits run back to back, so a slow spell of the disk
        // falls on both sides of each ratio.
        let per_round = |g: &Vec<f64>| {
            let mut ratios: Vec<f64> = g.iter().zip(&times[0]).map(|(g, b)| g / b).collect();
            median(&mut ratios)
        };
        let paired = [per_round(&times[1]), per_round(&times[2])];
        let means = [mean(&times[0]), mean(&times[1]), mean(&times[2])];
        let control_ratios = control.then(|| per_round(&times[3]));
        let [b, g21, g3, b2] = &mut times;
        let b2 = median(b2);
        let (b, g21, g3) = (median(b), median(g21), median(g3));
        println!(
            "| {name} | {b:.1} µs | {g21:.1} µs ({:.3}×) | {g3:.1} µs ({:.3}×) | {:.1} / {:.1} µs | {:.0} / {:.0} / {:.0} µs | {:.3}× / {:.3}× |",
            g21 / b,
            g3 / b,
            g21 - b,
            g3 - b,
            means[0],
            means[1],
            means[2],
            paired[0],
            paired[1]
        );
        if let Some(per_round) = control_ratios {
            println!(
                "| {name}, control | second bare write {b2:.1} µs ({:.3}× the first; median of per-round ratios {per_round:.3}×) | | | | | |",
                b2 / b
            );
        }
        drop(d3);
        drop(second);
    }
}

/// The same rows written straight with rusqlite: one transaction row, four
/// postings, four balance upserts, a lot with its open-lot and paid rows, the
/// wallet's cost, a spend event, three bucket upserts and a decision row;
/// one BEGIN IMMEDIATE ... COMMIT.
#[divan::bench(args = ["1k-dense", "100k-dense", "1m-dense"], sample_count = 300)]
fn bare_sqlite_same_rows(bencher: Bencher, name: &str) {
    let (dir, store) = history::open(shape(name));
    let mut bare = Bare::open(store);
    bencher.bench_local(|| bare.write());
    drop(dir);
}

/// A plain connection on a household copy, with the store's PRAGMAs.
struct Bare {
    conn: rusqlite::Connection,
    member: i64,
    accounts: Vec<i64>,
    at_us: i64,
}

impl Bare {
    fn open(store: coinguard::ledger::Store) -> Bare {
        let path = store.path().to_path_buf();
        drop(store);
        let conn = rusqlite::Connection::open(&path).unwrap();
        // The writer's statement settings too (`ledger::store::configure_writer`):
        // every statement kept prepared, and the query-planner stability
        // guarantee so a cached statement is not re-planned on each run.
        // Without them the bare write re-prepared its statements, about a
        // tenth of its CPU, which flattered the guarded path's ratio.
        conn.set_prepared_statement_cache_capacity(256);
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .unwrap();
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
        Bare {
            conn,
            member,
            accounts,
            at_us: history::end().timestamp_micros(),
        }
    }

    fn write(&mut self) {
        self.at_us += 10_000;
        let (at_us, member) = (self.at_us, self.member);
        let hash = "0".repeat(64);
        let tx =
            rusqlite::Transaction::new(&mut self.conn, rusqlite::TransactionBehavior::Immediate)
                .unwrap();
        let id: i64 = tx
            .prepare_cached("SELECT COALESCE(MAX(id), 0) + 1 FROM transactions")
            .unwrap()
            .query_row([], |r| r.get(0))
            .unwrap();
        tx.prepare_cached(
            "INSERT INTO transactions (id, idem_key, fingerprint, at_us, kind, actor_id, member_id, counterparty_id, memo, detail, catalog_version, reverses_tx, prev_hash, hash)
             VALUES (?1, NULL, ?2, ?3, 'purchase', ?4, ?4, NULL, '', 'pack coins-70: 70 coins for 0.99 USD (0.0141 USD per coin)', 1, NULL, ?2, ?2)",
        )
        .unwrap()
        .execute(params![id, hash, at_us, member])
        .unwrap();
        for (account, amount) in self.accounts.iter().zip([-990_000i64, 990_000, -70, 70]) {
            tx.prepare_cached(
                "INSERT INTO postings (tx_id, account_id, amount) VALUES (?1, ?2, ?3)",
            )
            .unwrap()
            .execute(params![id, account, amount])
            .unwrap();
            tx.prepare_cached("INSERT INTO balances (account_id, balance) VALUES (?1, ?2) ON CONFLICT (account_id) DO UPDATE SET balance = balance + excluded.balance")
                .unwrap()
                .execute(params![account, amount])
                .unwrap();
        }
        tx.prepare_cached(
            "INSERT INTO lots (tx_id, member_id, coins, cost_micros) VALUES (?1, ?2, 70, 990000)",
        )
        .unwrap()
        .execute(params![id, member])
        .unwrap();
        let lot = tx.last_insert_rowid();
        tx.prepare_cached(
            "INSERT INTO open_lots (lot_id, member_id, remaining, taken) VALUES (?1, ?2, 70, 0)",
        )
        .unwrap()
        .execute(params![lot, member])
        .unwrap();
        // The money of the lot counted as spent (all of it: bought coins),
        // and the wallet's cost (migrations 6 and 7).
        tx.prepare_cached(
            "INSERT INTO lot_paid (lot_id, origin_lot_id, paid_micros) VALUES (?1, ?1, 990000)",
        )
        .unwrap()
        .execute(params![lot])
        .unwrap();
        tx.prepare_cached(
            "INSERT INTO wallet_costs (member_id, cost_micros) VALUES (?1, 990000)
             ON CONFLICT (member_id) DO UPDATE SET cost_micros = cost_micros + 990000",
        )
        .unwrap()
        .execute(params![member])
        .unwrap();
        tx.prepare_cached("INSERT INTO spend_events (tx_id, member_id, at_us, purchase_micros, gift_coins, all_micros) VALUES (?1, ?2, ?3, 990000, 0, 990000)")
            .unwrap()
            .execute(params![id, member, at_us])
            .unwrap();
        for (kind, start) in [
            ("hour", at_us / 3_600_000_000),
            ("utc_day", at_us / 86_400_000_000),
            ("local_day", at_us / 86_400_000_000),
        ] {
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
    }
}
