//! PIN lockout with the injected clock: five failures lock for 30 s, doubling
//! to an hour; the lock survives a restart and a clock moved back; every
//! attempt is in the guardian-action log.

use chrono::TimeDelta;
use coinguard::auth::{self, AuthError, Pin, Who};
use coinguard::ledger::Store;
use coinguard::report;

use crate::support::{GUARDIAN_PIN, Household};

fn attempt(h: &mut Household, pin: &str) -> Result<(), AuthError> {
    auth::authenticate(
        &mut h.store,
        &h.clock,
        Who::Guardian(None),
        &Pin::parse(pin).unwrap(),
        "",
    )
    .map(|_| ())
}

fn reopen(h: &mut Household) {
    h.store = Store::open(&h.path()).unwrap();
}

#[test]
fn five_failures_lock_with_doubling_back_off_that_survives_restarts() {
    let mut h = Household::new();
    for left in [4, 3, 2, 1] {
        assert_eq!(
            attempt(&mut h, "wrong pin"),
            Err(AuthError::WrongPin {
                name: "Maria".into(),
                tries_left: left
            })
        );
    }
    let fifth = attempt(&mut h, "wrong pin").unwrap_err();
    assert_eq!(
        fifth.to_string(),
        "too many wrong PINs for Maria: locked until 10:00:30 household time (in 30 seconds); try again then"
    );
    // Locked: even the right PIN is refused, unchecked, also after a restart.
    reopen(&mut h);
    h.clock.advance(TimeDelta::seconds(29));
    assert!(matches!(
        attempt(&mut h, GUARDIAN_PIN),
        Err(AuthError::Locked { seconds: 1, .. })
    ));
    // A clock moved back does not shorten the lock.
    h.clock.advance(TimeDelta::hours(-2));
    assert!(matches!(
        attempt(&mut h, GUARDIAN_PIN),
        Err(AuthError::Locked { .. })
    ));
    h.clock.advance(TimeDelta::hours(2));
    h.clock.advance(TimeDelta::seconds(1));
    // The lock is over; another failure locks for twice as long.
    assert!(matches!(
        attempt(&mut h, "wrong again"),
        Err(AuthError::Locked { seconds: 60, .. })
    ));
    h.clock.advance(TimeDelta::seconds(60));
    assert_eq!(attempt(&mut h, GUARDIAN_PIN), Ok(()));
    // Success resets the count.
    assert!(matches!(
        attempt(&mut h, "wrong pin"),
        Err(AuthError::WrongPin { tries_left: 4, .. })
    ));

    let log = report::guardian_actions(h.store.conn(), &Default::default(), 100).unwrap();
    // The PIN entries (the log also records the fixture's policy rows).
    let kinds: Vec<&str> = log
        .iter()
        .rev()
        .map(|a| a.action.as_str())
        .filter(|a| a.starts_with("pin_"))
        .collect();
    assert_eq!(
        kinds,
        [
            // The fixture's own PIN entry, for the household's policy.
            "pin_ok",
            "pin_failed",
            "pin_failed",
            "pin_failed",
            "pin_failed",
            "pin_failed",
            "pin_locked",
            "pin_locked",
            "pin_failed",
            "pin_ok",
            "pin_failed"
        ]
    );
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn the_lock_is_capped_at_an_hour() {
    let mut h = Household::new();
    for _ in 0..5 {
        let _ = attempt(&mut h, "wrong pin");
    }
    let mut last = 30;
    for _ in 0..10 {
        h.clock.advance(TimeDelta::seconds(last));
        match attempt(&mut h, "wrong pin") {
            Err(AuthError::Locked { seconds, .. }) => last = seconds,
            other => panic!("expected a lock, got {other:?}"),
        }
    }
    assert_eq!(last, 3600);
}

#[test]
fn unknown_names_and_non_guardians_are_refused_and_logged() {
    let mut h = Household::new();
    let pin = Pin::parse(GUARDIAN_PIN).unwrap();
    let err = auth::authenticate(
        &mut h.store,
        &h.clock,
        Who::Guardian(Some("Mallory")),
        &pin,
        "",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "there is no member called \"Mallory\"; members are: Maria, Sam, Lee, Ana, Bo"
    );
    let err = auth::guardian_pass(&mut h.store, &h.clock, Some("Sam"), &pin, "").unwrap_err();
    assert_eq!(err, AuthError::NotGuardian { name: "Sam".into() });
    let log = report::guardian_actions(h.store.conn(), &Default::default(), 100).unwrap();
    // Both refusals, newest first, after the fixture's own PIN entry (the
    // log also records the fixture's policy rows).
    let log: Vec<_> = log
        .into_iter()
        .filter(|a| a.action.starts_with("pin_"))
        .collect();
    assert_eq!(log.len(), 3);
    assert!(
        log[..2]
            .iter()
            .all(|a| a.action == "pin_failed" && a.actor.is_none())
    );
    assert_eq!(log[2].action, "pin_ok");
    // The PIN never appears in the log.
    assert!(log.iter().all(|a| !format!("{a:?}").contains(GUARDIAN_PIN)));
}

fn guardian_log_len(h: &Household) -> i64 {
    h.store
        .conn()
        .query_row("SELECT COUNT(*) FROM guardian_actions", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_name_that_cannot_be_a_members_is_refused_before_anything_is_logged() {
    let mut h = Household::new();
    let before = guardian_log_len(&h);
    let pin = Pin::parse("wrong pin").unwrap();
    let huge = "M".repeat(131_072);
    for name in [huge.as_str(), "Maria\u{1b}[2J", "Ma\u{202E}ria"] {
        let err = auth::authenticate(&mut h.store, &h.clock, Who::Guardian(Some(name)), &pin, "")
            .unwrap_err();
        assert!(matches!(err, AuthError::Name(_)), "{err:?}");
    }
    assert_eq!(guardian_log_len(&h), before, "nothing was written");
    // A valid name that is nobody's is logged, as the name typed.
    let err = auth::authenticate(
        &mut h.store,
        &h.clock,
        Who::Guardian(Some("Mario")),
        &pin,
        "",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("no member called \"Mario\""),
        "{err}"
    );
    let subject: String = h
        .store
        .conn()
        .query_row(
            "SELECT subject FROM guardian_actions ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(subject, "Mario");
}

#[test]
fn a_member_who_looks_like_another_is_refused() {
    use coinguard::domain::{BirthDate, Name, Role};
    let mut h = Household::new();
    let born = BirthDate::parse("2010-01-01", crate::support::start().date_naive()).unwrap();
    for look_alike in ["\u{410}na", "ANA", "Sarn"] {
        let pass = h.pass();
        let err = coinguard::services::add_member(
            &mut h.store,
            &h.clock,
            pass,
            &Name::parse(look_alike).unwrap(),
            Role::Teen,
            Some(born),
            None,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("looks like the member")
                || err.to_string().contains("already a member"),
            "{look_alike}: {err}"
        );
    }
}
