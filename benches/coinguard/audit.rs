//! The read side at 1,000,000 transactions: a history page at the newest, the
//! middle and the oldest end (keyset cursor), with and without a member
//! filter, and a month report for the densest member. Target: under 10 ms.

use coinguard::domain::FixedClock;
use coinguard::ledger;
use coinguard::report::{self, Cursor, HistoryFilter, Period};
use divan::Bencher;

use crate::history::{self, DENSE, LARGE};

/// A cursor `offset` rows from the newest, for the filter's member.
fn cursor_at(conn: &rusqlite::Connection, member: Option<i64>, offset: i64) -> Option<Cursor> {
    let sql = match member {
        Some(_) => {
            "SELECT at_us, id FROM transactions WHERE member_id = ?1 ORDER BY at_us DESC, id DESC LIMIT 1 OFFSET ?2"
        }
        None => {
            "SELECT at_us, id FROM transactions WHERE ?1 IS NULL ORDER BY at_us DESC, id DESC LIMIT 1 OFFSET ?2"
        }
    };
    conn.query_row(sql, rusqlite::params![member, offset], |r| {
        Ok(Cursor {
            at_us: r.get(0)?,
            id: r.get(1)?,
        })
    })
    .ok()
}

#[divan::bench(args = ["newest", "middle", "oldest"])]
fn history_page_50(bencher: Bencher, position: &str) {
    let (_dir, store) = history::open(LARGE);
    let tz = store.config().unwrap().settings.timezone;
    let total: i64 = store
        .conn()
        .query_row("SELECT COUNT(*) FROM transactions", [], |r| r.get(0))
        .unwrap();
    let cursor = match position {
        "newest" => None,
        "middle" => cursor_at(store.conn(), None, total / 2),
        _ => cursor_at(store.conn(), None, total - 60),
    };
    let filter = HistoryFilter::default();
    bencher.bench_local(|| report::history_page(store.conn(), &filter, tz, cursor, 50).unwrap());
}

#[divan::bench(args = ["newest", "middle", "oldest"])]
fn history_page_50_one_member(bencher: Bencher, position: &str) {
    let (_dir, store) = history::open(LARGE);
    let tz = store.config().unwrap().settings.timezone;
    let member = ledger::find_member(store.conn(), DENSE).unwrap().id;
    let total: i64 = store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM transactions WHERE member_id = ?1",
            [member.0],
            |r| r.get(0),
        )
        .unwrap();
    let cursor = match position {
        "newest" => None,
        "middle" => cursor_at(store.conn(), Some(member.0), total / 2),
        _ => cursor_at(store.conn(), Some(member.0), total - 60),
    };
    let filter = HistoryFilter {
        member: Some(member),
        ..Default::default()
    };
    bencher.bench_local(|| report::history_page(store.conn(), &filter, tz, cursor, 50).unwrap());
}

#[divan::bench]
fn month_report_dense_member(bencher: Bencher) {
    let (_dir, store) = history::open(LARGE);
    let config = store.config().unwrap();
    let member = ledger::find_member(store.conn(), DENSE).unwrap();
    let clock = FixedClock::new(history::end());
    use coinguard::domain::Clock;
    bencher.bench_local(|| {
        report::period_report(store.conn(), &config, &member, Period::Month, clock.now()).unwrap()
    });
}

/// Export throughput: the last 90 days of the 1M household (about 100,000
/// transactions) as CSV and as an hledger journal, into memory.
#[divan::bench(args = ["csv", "hledger"], sample_count = 3)]
fn export_90_days(bencher: Bencher, format: &str) {
    let (_dir, store) = history::open(LARGE);
    let config = store.config().unwrap();
    let tz = config.settings.timezone;
    let last = history::end().with_timezone(&tz).date_naive();
    let filter = HistoryFilter {
        since: Some(last - chrono::TimeDelta::days(89)),
        until: Some(last),
        ..Default::default()
    };
    let format = report::Format::parse(format).unwrap();
    let rows = report::export(
        store.conn(),
        &filter,
        config.settings.currency,
        tz,
        format,
        &mut std::io::sink(),
    )
    .unwrap();
    bencher
        .counter(divan::counter::ItemsCount::new(rows))
        .bench_local(|| {
            report::export(
                store.conn(),
                &filter,
                config.settings.currency,
                tz,
                format,
                &mut std::io::sink(),
            )
            .unwrap()
        });
}
