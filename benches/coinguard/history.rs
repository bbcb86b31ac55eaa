//! Generating (once) and opening the benchmark households.
//!
//! Each household has dense spenders (one of them named `dense`) sharing the
//! transactions, and a `sparse` member who buys every third day. Both carry a
//! limit on every scope and window, high enough never to refuse, so every
//! window is computed on every evaluation.

use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use coinguard::auth::Pin;
use coinguard::config::Config;
use coinguard::domain::{BirthDate, FixedClock, Name, Role, Scope, Window};
use coinguard::ledger::{self, CreatorList, Limit, Store};
use coinguard::money::Coins;
use coinguard::services::{self, GiftRequest, Mode, PurchaseRequest};

pub const DENSE: &str = "dense";
pub const SPARSE: &str = "sparse";

/// "Now" for every benchmark: the end of the generated history.
pub fn end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 30, 18, 0, 0)
        .single()
        .unwrap()
}

/// A generated household.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub name: &'static str,
    /// Transactions by the dense spenders.
    pub transactions: u64,
    pub spenders: u64,
    /// Over how many days, ending at `end()`.
    pub days: i64,
}

/// 1,000 transactions by one spender over 10 days (~3,000 a month).
pub const SMALL: Shape = Shape {
    name: "1k",
    transactions: 1_000,
    spenders: 1,
    days: 10,
};
/// 100,000 transactions by three spenders over 900 days (~3,300 a month each).
pub const MEDIUM: Shape = Shape {
    name: "100k",
    transactions: 100_000,
    spenders: 3,
    days: 900,
};
/// 1,000,000 transactions by ten spenders over 900 days (~3,300 a month each).
pub const LARGE: Shape = Shape {
    name: "1m",
    transactions: 1_000_000,
    spenders: 10,
    days: 900,
};

fn data_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens a private copy of the generated household (generating it the first
/// time), so a benchmark that commits never changes the cached original.
pub fn open(shape: Shape) -> (tempfile::TempDir, Store) {
    let file = data_dir().join(format!("{}-v1.db", shape.name));
    if !file.exists() {
        generate(shape, &file);
    }
    // Bring the cached household up to the current schema once, in place,
    // so every copy opens without migrating.
    drop(Store::open(&file).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("h.db");
    std::fs::copy(&file, &copy).unwrap();
    (dir, Store::open(&copy).unwrap())
}

fn generate(shape: Shape, file: &std::path::Path) {
    let started = std::time::Instant::now();
    let partial = file.with_extension("partial");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    let start = end() - TimeDelta::days(shape.days);
    let clock = FixedClock::new(start);
    let config = Config::defaults().unwrap();
    let pin = Pin::parse("benchmark pin").unwrap();
    let guardian = Name::parse("Guardian").unwrap();
    let mut store = services::init_household(&partial, &config, &guardian, &pin, &clock).unwrap();
    store.relax_durability_for_seeding().unwrap();
    let pass = coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
    let mut spenders: Vec<String> = (1..shape.spenders)
        .map(|i| format!("spender-{i}"))
        .collect();
    spenders.push(DENSE.to_string());
    let birth = BirthDate::parse("1990-01-01", start.date_naive()).unwrap();
    store
        .write(&clock, |w| {
            for name in spenders.iter().map(String::as_str).chain([SPARSE]) {
                ledger::add_member(
                    w,
                    &pass,
                    &Name::parse(name).unwrap(),
                    Role::Teen,
                    Some(birth),
                )?;
            }
            ledger::add_member(
                w,
                &pass,
                &Name::parse("creator").unwrap(),
                Role::Creator,
                Some(birth),
            )?;
            Ok::<_, ledger::LedgerError>(())
        })
        .unwrap();
    let members = ledger::list_members(store.conn()).unwrap();
    let creator = ledger::find_member(store.conn(), "creator").unwrap().id;
    store
        .write(&clock, |w| {
            for m in members.iter().filter(|m| m.role == Role::Teen) {
                ledger::set_creator_list(w, &pass, m.id, creator, Some(CreatorList::Allow))?;
            }
            Ok::<_, ledger::LedgerError>(())
        })
        .unwrap();
    let step_us = shape.days * 86_400_000_000 / shape.transactions as i64;
    let sparse_every = (3 * 86_400_000_000 / step_us).max(1) as u64;
    let mut done = 0u64;
    while done < shape.transactions {
        clock.advance(TimeDelta::microseconds(step_us));
        let who = spenders[(done % spenders.len() as u64) as usize].as_str();
        // Each spender buys, buys, then gifts part of it: purchase, purchase, gift...
        let outcome = if (done / shape.spenders) % 3 == 2 {
            let request = GiftRequest {
                member: who,
                creator: "creator",
                gift: "rose",
                count: 20,
                key: None,
            };
            services::gift(&mut store, &clock, Mode::Commit, &request)
        } else {
            services::purchase(
                &mut store,
                &clock,
                Mode::Commit,
                &PurchaseRequest::Pack {
                    member: who,
                    pack: "coins-70",
                    key: None,
                },
            )
        };
        let outcome = outcome.unwrap();
        assert!(outcome.is_committed(), "{outcome:?}");
        done += 1;
        if done % sparse_every == 0 {
            let request = PurchaseRequest::Custom {
                member: SPARSE,
                coins: Coins::new(100),
                key: None,
            };
            assert!(
                services::purchase(&mut store, &clock, Mode::Commit, &request)
                    .unwrap()
                    .is_committed()
            );
        }
        if done % 100_000 == 0 {
            eprintln!(
                "  {}: {done} transactions after {:.0?}",
                shape.name,
                started.elapsed()
            );
        }
    }
    // Limits go on last: generation is faster, and every benchmark below
    // still computes all 21 of them.
    store
        .write(&clock, |w| {
            for m in members.iter().filter(|m| m.role == Role::Teen) {
                for scope in Scope::ALL {
                    for window in Window::ALL {
                        let big = coinguard::domain::LimitAmount::of_scope(
                            scope,
                            match scope.unit() {
                                coinguard::domain::LimitUnit::Money => 1_000_000_000_000,
                                coinguard::domain::LimitUnit::Coins => 1_000_000_000,
                            },
                            coinguard::money::Currency::USD,
                        )
                        .unwrap();
                        ledger::set_limit(
                            w,
                            &pass,
                            &Limit {
                                member: m.id,
                                scope,
                                window,
                                soft: Some(big),
                                hard: Some(big),
                            },
                        )?;
                    }
                }
            }
            Ok::<_, ledger::LedgerError>(())
        })
        .unwrap();

    drop(store);
    std::fs::rename(&partial, file).unwrap();
    eprintln!(
        "generated {} ({done} transactions) in {:.1?}",
        shape.name,
        started.elapsed()
    );
}
