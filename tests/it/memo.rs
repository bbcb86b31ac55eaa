//! The writer's memo (`ledger::memo`): what the guard read is kept between
//! commits, and must never let a purchase through that a fresh read would
//! refuse. Each test warms the memo, shows it answered, then changes the
//! file in a way the memo must notice.

use chrono::TimeDelta;
use coinguard::domain::{Outcome, Scope, Window};
use coinguard::ledger::{self, Limit, Store};
use coinguard::services::{self, Mode, PurchaseRequest};
use proptest::prelude::*;

use crate::support::{Household, committed, usd_micros};

/// A purchase limit on `member` for `window`, set through `store` (this
/// household's own, or another process's on the same file).
fn limit_through(
    store: &mut Store,
    clock: &coinguard::domain::FixedClock,
    pass: &coinguard::auth::GuardianPass,
    member: &str,
    window: Window,
    (soft, hard): (Option<i64>, Option<i64>),
) {
    let member = ledger::find_member(store.conn(), member).unwrap().id;
    store
        .write(clock, |w| {
            ledger::set_limit(
                w,
                pass,
                &Limit {
                    member,
                    scope: Scope::Purchase,
                    window,
                    soft: soft.map(usd_micros),
                    hard: hard.map(usd_micros),
                },
            )
        })
        .unwrap();
}

/// A hard purchase limit on Sam, set through the household's own store.
fn set_limit(h: &mut Household, window: Window, hard_micros: i64) {
    let pass = h.pass();
    let hard = (None, Some(hard_micros));
    limit_through(&mut h.store, &h.clock, &pass, "Sam", window, hard);
}

fn buy_through(store: &mut Store, h: &Household, pack: &str) -> services::Outcome {
    h.tick();
    let request = PurchaseRequest::Pack {
        member: "Sam",
        pack,
        key: None,
    };
    services::purchase(store, &h.clock, Mode::Commit, &request).unwrap()
}

/// Sam buys 0.99 then 4.99 USD through the fixture's store; the second
/// purchase must have been judged from the memo.
fn warm(h: &mut Household) {
    committed(h.buy("Sam", "coins-70", None));
    let before = h.store.memo_hits();
    committed(h.buy("Sam", "coins-350", None));
    assert!(
        h.store.memo_hits() > before,
        "the second purchase in a row is judged from the memo"
    );
}

#[test]
fn a_purchase_committed_by_another_process_counts_against_the_next_one() {
    let mut h = Household::new();
    set_limit(&mut h, Window::Day, 7_000_000);
    warm(&mut h); // 5.98 USD today
    // Another process (a second store on the same file) buys 0.99 USD.
    let mut other = Store::open(&h.path()).unwrap();
    let theirs = buy_through(&mut other, &h, "coins-70");
    assert!(theirs.tx.is_some(), "6.97 USD is within 7.00: {theirs:?}");
    // 7.96 USD would pass the 7.00 limit: refused, though this store's
    // memo had only its own 5.98.
    let mine = h.buy("Sam", "coins-70", None).unwrap();
    assert_eq!(mine.verdict, Outcome::Deny, "{mine:?}");
    assert!(mine.tx.is_none());
    assert!(
        mine.reasons[0].message.contains("7.00 USD"),
        "{}",
        mine.reasons[0].message
    );
}

#[test]
fn a_limit_set_on_the_same_connection_applies_to_the_next_purchase() {
    let mut h = Household::new();
    warm(&mut h); // no limit yet: 5.98 USD today
    set_limit(&mut h, Window::Day, 6_000_000);
    let refused = h.buy("Sam", "coins-70", None).unwrap();
    assert_eq!(refused.verdict, Outcome::Deny, "{refused:?}");
}

#[test]
fn a_limit_set_by_another_process_applies_to_the_next_purchase() {
    let mut h = Household::new();
    // The PIN is checked first: that check writes (its attempt count),
    // which would empty the memo before the other process's change.
    let pass = h.pass();
    warm(&mut h);
    let mut other = Store::open(&h.path()).unwrap();
    limit_through(
        &mut other,
        &h.clock,
        &pass,
        "Sam",
        Window::Rolling24h,
        (None, Some(6_000_000)),
    );
    let refused = h.buy("Sam", "coins-70", None).unwrap();
    assert_eq!(refused.verdict, Outcome::Deny, "{refused:?}");
}

#[test]
fn a_member_renamed_elsewhere_is_not_found_by_the_old_name() {
    let mut h = Household::new();
    warm(&mut h);
    // Someone with the file at hand renames Sam (as `sqlite3` would).
    let by_hand = rusqlite::Connection::open(h.path()).unwrap();
    by_hand
        .execute("UPDATE members SET name = 'Samuel' WHERE name = 'Sam'", [])
        .unwrap();
    drop(by_hand);
    let gone = h.buy("Sam", "coins-70", None);
    assert!(
        matches!(&gone, Err(e) if e.to_string().contains("Samuel")),
        "{gone:?}"
    );
}

#[test]
fn a_request_asked_through_another_process_expires_on_time_here() {
    let mut h = Household::new();
    let pass = h.pass();
    warm(&mut h); // this store's memo: no request pending
    let mut other = Store::open(&h.path()).unwrap();
    limit_through(
        &mut other,
        &h.clock,
        &pass,
        "Lee",
        Window::Day,
        (Some(1_000_000), None),
    );
    h.tick();
    let asked = services::purchase(
        &mut other,
        &h.clock,
        Mode::Commit,
        &PurchaseRequest::Pack {
            member: "Lee",
            pack: "coins-350",
            key: None,
        },
    )
    .unwrap();
    let id = asked.request.expect("above the soft limit: a request");
    let hours = h.store.config().unwrap().settings.request_expiry_hours;
    h.clock.advance(TimeDelta::hours(i64::from(hours) + 1));
    // Sam's purchase here expires it, though this store's memo knew of no
    // pending request.
    committed(h.buy("Sam", "coins-70", None));
    let request = ledger::request_by_id(h.store.conn(), id).unwrap().unwrap();
    assert_eq!(request.status, ledger::RequestStatus::Expired);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Purchases at random times, with hard limits on every rolling and
    /// calendar window: each is allowed exactly when the windows' totals
    /// counted here from the purchases themselves allow it, while the
    /// memo keeps the spend rows between commits across hours, days and
    /// months. (Debug builds also compare every kept total with a fresh read.)
    #[test]
    fn kept_windows_judge_as_the_purchases_themselves_say(
        steps in proptest::collection::vec((0u32..5, 0usize..3, any::<bool>()), 1..30)
    ) {
        let mut h = Household::new();
        let limits = [
            (Window::Rolling24h, 12_000_000),
            (Window::Rolling7d, 30_000_000),
            (Window::Day, 10_000_000),
            (Window::Week, 25_000_000),
        ];
        for (window, cap) in limits {
            set_limit(&mut h, window, cap);
        }
        let mut other = Store::open(&h.path()).unwrap();
        let mut bought: Vec<(chrono::DateTime<chrono::Utc>, i64)> = Vec::new();
        for (wait, pack, elsewhere) in steps {
            let wait = match wait {
                0 => TimeDelta::minutes(7),
                1 => TimeDelta::minutes(53),
                2 => TimeDelta::hours(5),
                3 => TimeDelta::hours(23),
                _ => TimeDelta::days(3),
            };
            h.clock.advance(wait);
            let (pack, price) = [("coins-70", 990_000), ("coins-350", 4_990_000), ("coins-700", 9_990_000)][pack];
            let now = coinguard::domain::Clock::now(&h.clock) + TimeDelta::minutes(1);
            let tz = h.store.config().unwrap().settings.timezone;
            let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).date_naive();
            let today = local(now);
            let monday = today - TimeDelta::days(i64::from(chrono::Datelike::weekday(&today).num_days_from_monday()));
            let within = |from: &dyn Fn(&chrono::DateTime<chrono::Utc>) -> bool| -> i64 {
                bought.iter().filter(|(t, _)| from(t)).map(|(_, p)| p).sum()
            };
            let fits = [
                within(&|t| *t >= now - TimeDelta::hours(24)) + price <= 12_000_000,
                within(&|t| *t >= now - TimeDelta::days(7)) + price <= 30_000_000,
                within(&|t| local(*t) == today) + price <= 10_000_000,
                within(&|t| local(*t) >= monday) + price <= 25_000_000,
            ]
            .iter()
            .all(|f| *f);
            let outcome = if elsewhere {
                buy_through(&mut other, &h, pack)
            } else {
                h.buy("Sam", pack, None).unwrap()
            };
            prop_assert_eq!(outcome.tx.is_some(), fits, "{:?}", outcome);
            if outcome.tx.is_some() {
                bought.push((now, price));
            }
        }
    }
}
