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
    coinguard::ledger::back_to_version_9_for_tests(&conn).unwrap();
    conn.execute_batch(
        "DROP TABLE notify_deliveries; DROP TABLE notify_commands; DROP TABLE outbox; DROP TABLE allowances;
         DROP TABLE balances; DROP TABLE limits; DROP TABLE quiet_hours; DROP TABLE creator_rules;
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
    coinguard::ledger::back_to_version_9_for_tests(&conn).unwrap();
    conn.execute_batch(
        "DROP TABLE notify_deliveries; DROP TABLE notify_commands; DROP TABLE outbox; DROP TABLE allowances;
         DROP TABLE lot_paid; DROP TABLE move_paid; DROP TABLE member_links; DROP TABLE household_settings;
         DROP TABLE pin_attempts;
         CREATE TABLE pin_attempts (member_id INTEGER PRIMARY KEY REFERENCES members(id), failures INTEGER NOT NULL, locked_until_us INTEGER NOT NULL);
         INSERT INTO pin_attempts VALUES (1, 3, 0);
         ALTER TABLE spend_events DROP COLUMN gift_cost_micros;
         ALTER TABLE spend_buckets DROP COLUMN gift_cost_micros;
         DROP INDEX decisions_idem_key;
         ALTER TABLE decisions DROP COLUMN idem_key; ALTER TABLE decisions DROP COLUMN fingerprint;
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
    // 4.99 paid for coins + 50 of 100 granted coins valued 1.414286.
    assert_eq!(spent.all_micros, 4_990_000 + 707_143);
    assert_eq!(spent.gift_coins, 400);
    assert_eq!(spent.gift_cost_micros, 4_990_000 + 707_143);
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

/// Stores the economy in force again as versions 1 to 8 wrote it: with the
/// default grant value rounded to 6 decimals, or with `stated`.
fn store_catalog_with_grant_value(path: &std::path::Path, value: &str) {
    let config = coinguard::config::Config::defaults().unwrap();
    let text = config.economy.to_toml().replacen(
        "[[packs]]",
        &format!("grant_value_per_coin = \"{value}\"\n\n[[packs]]"),
        1,
    );
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute(
        "INSERT INTO catalog_versions (created_at_us, economy_toml) VALUES (0, ?1)",
        [text],
    )
    .unwrap();
}

/// Back to what version 8 was: no keys on decisions.
fn down_to_version_8(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    coinguard::ledger::back_to_version_9_for_tests(&conn).unwrap();
    conn.execute_batch(
        "DROP TABLE notify_deliveries; DROP TABLE notify_commands; DROP TABLE outbox; DROP TABLE allowances;
         DROP INDEX decisions_idem_key;
         ALTER TABLE decisions DROP COLUMN idem_key; ALTER TABLE decisions DROP COLUMN fingerprint;
         DELETE FROM schema_migrations WHERE version >= 9; PRAGMA user_version = 8;",
    )
    .unwrap();
}

fn catalogs(store: &Store) -> Vec<String> {
    store
        .conn()
        .prepare("SELECT economy_toml FROM catalog_versions ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// QA item 6 for households made before version 9: their catalog holds the
/// default grant value rounded (0.014143); the migration adds a catalog
/// version with the exact default, so later grants are exact, while past
/// grants keep the figures they were recorded with.
#[test]
fn a_version_8_household_grants_exactly_from_now_on_and_keeps_its_history() {
    let mut h = Household::new();
    let path = h.path();
    store_catalog_with_grant_value(&path, "0.014143");
    let old = committed(h.grant("Sam", 700));
    // A refusal logged before version 9 (no key column then).
    assert_eq!(
        h.gift("Lee", "Ana", "rose", 1, None).unwrap().verdict,
        coinguard::domain::Outcome::Deny
    );
    drop(h.store);
    down_to_version_8(&path);

    let store = Store::open(&path).unwrap();
    let texts = catalogs(&store);
    assert_eq!(texts.len(), 3, "one catalog version added");
    assert!(texts[1].contains("grant_value_per_coin = \"0.014143\""));
    assert!(!texts[2].contains("grant_value_per_coin"), "{}", texts[2]);
    assert_eq!(ledger::verify(store.conn()).unwrap().problem, None);
    drop(store);

    let mut h = Household::reopen(h.dir, h.clock);
    let new = committed(h.grant("Sam", 700));
    let cost = |tx: coinguard::domain::TxId| -> i64 {
        h.store
            .conn()
            .query_row(
                "SELECT cost_micros FROM lots WHERE tx_id = ?1",
                [tx.0],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(cost(old), 9_900_100, "history keeps its recorded figure");
    assert_eq!(cost(new), 9_900_000, "700 x 0.99 / 70, exactly");
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn a_grant_value_the_household_stated_is_left_alone() {
    let h = Household::new();
    let path = h.path();
    store_catalog_with_grant_value(&path, "0.02");
    drop(h.store);
    down_to_version_8(&path);
    let store = Store::open(&path).unwrap();
    let texts = catalogs(&store);
    assert_eq!(texts.len(), 2, "nothing added");
    assert_eq!(
        store.config().unwrap().economy.grant_value,
        coinguard::config::GrantValue::PerCoin(rust_decimal::Decimal::new(2, 2))
    );
}
