//! Idempotency keys for every outcome (QA item 2): a retry with the same key
//! and the same command returns the first result and writes nothing, a
//! refusal included; the same key for another command is a conflict naming
//! the key; a refused key is spent even after the rule changes.

use coinguard::domain::{Scope, Window};
use coinguard::guard::reasons_json;
use coinguard::ledger::LedgerError;
use coinguard::services::{self, LimitSpec, ServiceError};

use crate::support::{Household, committed, usd_micros};

fn count(h: &Household, table: &str) -> i64 {
    h.store
        .conn()
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// (transactions, decisions, alerts, requests): what a retry must not add to.
fn written(h: &Household) -> (i64, i64, i64, i64) {
    (
        count(h, "transactions"),
        count(h, "decisions"),
        count(h, "alerts"),
        count(h, "requests"),
    )
}

fn purchase_limit(h: &mut Household, soft: Option<i64>, hard: Option<i64>) {
    let pass = h.pass();
    services::set_limit(
        &mut h.store,
        &h.clock,
        pass,
        "Sam",
        LimitSpec {
            scope: Scope::Purchase,
            window: Window::Transaction,
            soft: soft.map(usd_micros),
            hard: hard.map(usd_micros),
        },
    )
    .unwrap();
}

#[test]
fn a_refused_command_retried_with_its_key_returns_the_first_refusal_and_writes_nothing() {
    let mut h = Household::new();
    purchase_limit(&mut h, None, Some(1_000_000));
    let first = h.buy("Sam", "coins-350", Some("k1")).unwrap();
    assert_eq!(first.verdict, coinguard::domain::Outcome::Deny);
    assert!(!first.replayed);
    let before = written(&h);

    let again = h.buy("Sam", "coins-350", Some("k1")).unwrap();
    assert_eq!(again.verdict, coinguard::domain::Outcome::Deny);
    assert!(again.replayed);
    assert_eq!(reasons_json(&again.reasons), reasons_json(&first.reasons));
    assert!(
        again.summary.starts_with(&first.summary)
            && again
                .summary
                .contains("refused before with the key \"k1\"; nothing new was written")
            && again.summary.contains("use a new key to try again"),
        "{}",
        again.summary
    );
    assert_eq!(written(&h), before, "no new decision, alert or transaction");

    // The same key for something else is a conflict naming the key, and
    // writes nothing either: another pack, another member.
    for (member, pack) in [("Sam", "coins-70"), ("Lee", "coins-350")] {
        let err = h.buy(member, pack, Some("k1")).unwrap_err();
        assert_eq!(
            err,
            ServiceError::Ledger(LedgerError::KeyConflict { key: "k1".into() })
        );
        assert!(err.to_string().contains("\"k1\""), "{err}");
        assert_eq!(err.kind().exit_code(), 2);
    }
    let err = h.gift("Sam", "Ana", "rose", 1, Some("k1")).unwrap_err();
    assert_eq!(
        err,
        ServiceError::Ledger(LedgerError::KeyConflict { key: "k1".into() })
    );
    assert_eq!(written(&h), before);

    // A guardian raises the limit: the key is spent on the refusal.
    purchase_limit(&mut h, None, Some(10_000_000));
    let after_change = h.buy("Sam", "coins-350", Some("k1")).unwrap();
    assert_eq!(after_change.verdict, coinguard::domain::Outcome::Deny);
    assert!(after_change.replayed);
    assert_eq!(h.wallet("Sam"), 0);
    // A new key tries again, and goes through now.
    committed(h.buy("Sam", "coins-350", Some("k2")));
    assert_eq!(h.wallet("Sam"), 350);
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn a_command_that_needs_approval_retried_with_its_key_returns_the_same_request() {
    let mut h = Household::new();
    purchase_limit(&mut h, Some(1_000_000), None);
    let first = h.buy("Sam", "coins-350", Some("ask-1")).unwrap();
    assert_eq!(first.verdict, coinguard::domain::Outcome::NeedsApproval);
    let request = first.request.expect("a request");
    let before = written(&h);

    let again = h.buy("Sam", "coins-350", Some("ask-1")).unwrap();
    assert_eq!(again.verdict, coinguard::domain::Outcome::NeedsApproval);
    assert!(again.replayed);
    assert_eq!(again.request, Some(request));
    assert_eq!(reasons_json(&again.reasons), reasons_json(&first.reasons));
    assert!(
        again.summary.starts_with(&first.summary),
        "{}",
        again.summary
    );
    assert_eq!(written(&h), before, "no second request, decision or alert");

    let err = h.buy("Lee", "coins-350", Some("ask-1")).unwrap_err();
    assert_eq!(
        err,
        ServiceError::Ledger(LedgerError::KeyConflict {
            key: "ask-1".into()
        })
    );
    assert_eq!(written(&h), before);
}

#[test]
fn a_refusals_key_is_in_the_hash_chain() {
    let mut h = Household::new();
    purchase_limit(&mut h, None, Some(1_000_000));
    assert_eq!(
        h.buy("Sam", "coins-350", Some("k1")).unwrap().verdict,
        coinguard::domain::Outcome::Deny
    );
    assert_eq!(h.verify_problem(), None);
    // Moving the key to another command's refusal (or dropping it) is caught.
    let conn = rusqlite::Connection::open(h.path()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER decisions_no_update; UPDATE decisions SET idem_key = 'k9' WHERE idem_key = 'k1';",
    )
    .unwrap();
    drop(conn);
    let problem = h.verify_problem().unwrap_or_default();
    assert!(problem.contains("decision #"), "{problem}");
}
