//! `verify` on generated history: a full verify (every chain, balance, lot,
//! spending bucket, rule and trigger read again), and one from the last
//! verify's mark with 100 transactions added since. Targets (SPEC section
//! 9, issue 15): at 1M transactions a full verify under 10 s, from the mark
//! under 1 s. The `_1m` benchmarks generate the 1M household first when it
//! is not cached (about 10 minutes).

use chrono::TimeDelta;
use coinguard::domain::FixedClock;
use coinguard::ledger::{self, VerifyOptions};
use coinguard::services::{self, Mode, OutcomeKind, PurchaseRequest};
use divan::Bencher;

use crate::history::{self, DENSE, LARGE, MEDIUM, Shape};

fn full(bencher: Bencher, shape: Shape) {
    let (_dir, store) = history::open(shape);
    bencher.bench_local(|| {
        let report = ledger::verify_with(
            store.conn(),
            &VerifyOptions {
                full: true,
                seal: None,
            },
        )
        .unwrap();
        assert!(report.is_ok(), "{:?}", report.problem);
    });
}

fn from_mark(bencher: Bencher, shape: Shape) {
    let (_dir, mut store) = history::open(shape);
    let clock = FixedClock::new(history::end());
    let report = ledger::verify_with(
        store.conn(),
        &VerifyOptions {
            full: true,
            seal: None,
        },
    )
    .unwrap();
    assert!(report.is_ok(), "{:?}", report.problem);
    store.leave_mark(&clock, &report, None).unwrap();
    for _ in 0..100 {
        clock.advance(TimeDelta::seconds(1));
        let request = PurchaseRequest::Pack {
            member: DENSE,
            pack: "coins-70",
            key: None,
        };
        let outcome = services::purchase(&mut store, &clock, Mode::Commit, &request).unwrap();
        assert_eq!(outcome.kind, OutcomeKind::Committed);
    }
    bencher.bench_local(|| {
        let report = ledger::verify_with(
            store.conn(),
            &VerifyOptions {
                full: false,
                seal: None,
            },
        )
        .unwrap();
        assert!(report.is_ok(), "{:?}", report.problem);
        assert!(report.from.is_some());
        assert_eq!(report.transactions, 100);
    });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn full_100k(bencher: Bencher) {
    full(bencher, MEDIUM);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn from_mark_100k(bencher: Bencher) {
    from_mark(bencher, MEDIUM);
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn full_1m(bencher: Bencher) {
    full(bencher, LARGE);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn from_mark_1m(bencher: Bencher) {
    from_mark(bencher, LARGE);
}
