//! Guard evaluation against history size: 1k vs 1M transactions, for a dense
//! spender (thousands a month) and a sparse one, with a limit on every scope
//! and window (21 limits, 7 windows computed per evaluation).

use coinguard::domain::{FixedClock, Window};
use coinguard::ledger;
use coinguard::services::{self, Mode, PurchaseRequest};
use divan::Bencher;

use crate::history::{self, DENSE, LARGE, MEDIUM, SMALL, SPARSE, Shape};

const CASES: [(&str, Shape, &str); 6] = [
    ("1k-dense", SMALL, DENSE),
    ("1k-sparse", SMALL, SPARSE),
    ("100k-dense", MEDIUM, DENSE),
    ("100k-sparse", MEDIUM, SPARSE),
    ("1m-dense", LARGE, DENSE),
    ("1m-sparse", LARGE, SPARSE),
];

fn case(name: &str) -> (Shape, &'static str) {
    let (_, shape, member) = CASES.iter().find(|(n, _, _)| *n == name).copied().unwrap();
    (shape, member)
}

/// Summing one window from the maintained buckets.
#[divan::bench(args = ["1k-dense", "1k-sparse", "100k-dense", "100k-sparse", "1m-dense", "1m-sparse"])]
fn window_sum_30d(bencher: Bencher, name: &str) {
    let (shape, member) = case(name);
    let (_dir, store) = history::open(shape);
    let id = ledger::find_member(store.conn(), member).unwrap().id;
    let tz = store.config().unwrap().settings.timezone;
    bencher.bench_local(|| {
        ledger::spent_in(store.conn(), id, Window::Rolling30d, history::end(), tz).unwrap()
    });
}

#[divan::bench(args = ["1k-dense", "1k-sparse", "100k-dense", "100k-sparse", "1m-dense", "1m-sparse"])]
fn window_sum_month(bencher: Bencher, name: &str) {
    let (shape, member) = case(name);
    let (_dir, store) = history::open(shape);
    let id = ledger::find_member(store.conn(), member).unwrap().id;
    let tz = store.config().unwrap().settings.timezone;
    bencher.bench_local(|| {
        ledger::spent_in(store.conn(), id, Window::Month, history::end(), tz).unwrap()
    });
}

/// The whole guard on a purchase (every rule, 21 limits), in a transaction
/// that is rolled back: what a preview costs.
#[divan::bench(args = ["1k-dense", "1k-sparse", "100k-dense", "100k-sparse", "1m-dense", "1m-sparse"])]
fn evaluate_purchase(bencher: Bencher, name: &str) {
    let (shape, member) = case(name);
    let (_dir, mut store) = history::open(shape);
    let clock = FixedClock::new(history::end());
    let request = PurchaseRequest::Pack {
        member,
        pack: "coins-70",
        key: None,
    };
    bencher
        .bench_local(|| services::purchase(&mut store, &clock, Mode::Preview, &request).unwrap());
}
