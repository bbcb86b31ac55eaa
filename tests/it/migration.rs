//! A database written by an older coinguard opens, migrates, and verifies.

use coinguard::ledger::{self, Account, Store, schema};

use crate::support::{Household, committed};

#[test]
fn a_version_1_database_with_history_migrates_and_verifies() {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-350", None));
    committed(h.gift("Sam", "Ana", "hand-hearts", 2, None));
    let path = h.path();
    let sam = h.member_id("Sam");
    drop(h.store);

    // Turn it into exactly what version 1 wrote: no maintained balances,
    // no policy, no spend totals, no decision log.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE balances; DROP TABLE limits; DROP TABLE quiet_hours; DROP TABLE creator_rules;
         DROP TABLE spend_events; DROP TABLE spend_buckets; DROP TABLE decisions; DROP TABLE requests;
         DROP TABLE pin_attempts; DROP TABLE guardian_actions; DROP TABLE alerts; DROP TABLE wallet_costs;
         DROP TABLE lot_paid; DROP TABLE move_paid; DROP TABLE member_links; DROP TABLE household_settings;
         DELETE FROM schema_migrations WHERE version >= 2; PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    let version: i64 = store
        .conn()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, schema::latest_version());
    let recorded: Vec<i64> = store
        .conn()
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(recorded, (1..=schema::latest_version()).collect::<Vec<_>>());
    assert_eq!(
        ledger::balance(store.conn(), Account::Wallet(sam)).unwrap(),
        150
    );
    // The spend totals limits are judged on were rebuilt from the history.
    let spent = ledger::spent_in(
        store.conn(),
        sam,
        coinguard::domain::Window::Day,
        crate::support::start(),
        chrono_tz::America::New_York,
    )
    .unwrap();
    assert_eq!(spent.purchase_micros, 4_990_000);
    assert_eq!(spent.gift_coins, 200);
    let report = ledger::verify(store.conn()).unwrap();
    assert_eq!(report.problem, None);
    assert_eq!(report.transactions, 2);
}

/// A version-6 household (before `all` counted money once) migrates: each
/// lot learns what of its cost was already counted, and the spend totals
/// are recomputed, so a purchase gifted later is counted once.
#[test]
fn a_version_6_database_recounts_all_spending_once() {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-350", None));
    committed(h.grant("Sam", 100));
    // 350 bought coins, then 50 of the granted ones.
    let gift = committed(h.gift("Sam", "Ana", "rose", 400, None));
    committed(h.reverse(gift));
    committed(h.gift("Sam", "Ana", "rose", 400, None));
    let path = h.path();
    let sam = h.member_id("Sam");
    drop(h.store);

    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE lot_paid; DROP TABLE move_paid; DROP TABLE member_links; DROP TABLE household_settings;
         DROP TABLE pin_attempts;
         CREATE TABLE pin_attempts (member_id INTEGER PRIMARY KEY REFERENCES members(id), failures INTEGER NOT NULL, locked_until_us INTEGER NOT NULL);
         INSERT INTO pin_attempts VALUES (1, 3, 0);
         ALTER TABLE spend_events DROP COLUMN gift_cost_micros;
         ALTER TABLE spend_buckets DROP COLUMN gift_cost_micros;
         DELETE FROM schema_migrations WHERE version >= 7; PRAGMA user_version = 6;",
    )
    .unwrap();
    drop(conn);

    let store = Store::open(&path).unwrap();
    let spent = ledger::spent_in(
        store.conn(),
        sam,
        coinguard::domain::Window::Day,
        crate::support::start(),
        chrono_tz::America::New_York,
    )
    .unwrap();
    assert_eq!(spent.purchase_micros, 4_990_000);
    // 4.99 paid for coins + 50 granted coins at 0.014143 = 0.70715.
    assert_eq!(spent.all_micros, 4_990_000 + 707_150);
    assert_eq!(spent.gift_coins, 400);
    assert_eq!(spent.gift_cost_micros, 4_990_000 + 707_150);
    assert_eq!(ledger::verify(store.conn()).unwrap().problem, None);
    // Failed PINs counted before accounts were told apart stay counted,
    // as made at the file's own computer.
    let first_guardian = coinguard::domain::MemberId(1);
    assert_eq!(
        ledger::pin_attempts(store.conn(), first_guardian, "").unwrap(),
        (3, 0)
    );
    assert_eq!(
        ledger::pin_attempts(store.conn(), first_guardian, "sam").unwrap(),
        (0, 0)
    );
}
