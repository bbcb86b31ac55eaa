//! Approving is a guardian's own decision, made now (QA item 16): quiet
//! hours do not stop it; refusals about money still do, and then the
//! request, the member's words and the guardian-action log say what
//! happened: approved, then still refused, and why.

use coinguard::config::Verdict;
use coinguard::domain::{QuietHours, Scope, Window};
use coinguard::ledger::{self, RequestStatus};
use coinguard::report::{self, LogFilter};
use coinguard::services::{self, LimitSpec};

use crate::support::{Household, usd_micros};

fn limit(h: &mut Household, soft: Option<i64>, hard: Option<i64>) {
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

fn quiet_hours_now(h: &mut Household, verdict: Verdict) {
    // The fixture's clock reads 10:00 in New York: 09:00-17:00 holds it.
    let pass = h.pass();
    services::set_quiet_hours(
        &mut h.store,
        &h.clock,
        pass,
        "Sam",
        Some(QuietHours {
            start_minute: 9 * 60,
            end_minute: 17 * 60,
            verdict,
        }),
    )
    .unwrap();
}

fn newest_action(h: &Household) -> report::ActionRow {
    report::guardian_actions(h.store.conn(), &LogFilter::default(), 1)
        .unwrap()
        .remove(0)
}

#[test]
fn an_approval_during_quiet_hours_goes_through() {
    for verdict in [Verdict::Deny, Verdict::NeedsApproval] {
        let mut h = Household::new();
        limit(&mut h, Some(1_000_000), None);
        let asked = h.buy("Sam", "coins-350", None).unwrap();
        let request = asked.request.expect("a request");
        quiet_hours_now(&mut h, verdict);
        // Sam alone is stopped by the quiet hours...
        let alone = h.buy("Sam", "coins-70", None).unwrap();
        assert!(!alone.is_committed(), "{verdict:?}");
        // ...but the guardian's approval, made now, is not.
        let pass = h.pass();
        let approved = services::approve(&mut h.store, &h.clock, pass, request).unwrap();
        assert!(approved.is_committed(), "{verdict:?}: {approved:?}");
        assert_eq!(h.wallet("Sam"), 350);
        let stored = ledger::request_by_id(h.store.conn(), request)
            .unwrap()
            .unwrap();
        assert_eq!(stored.status, RequestStatus::Approved);
        assert_eq!(newest_action(&h).action, "approve");
    }
}

#[test]
fn an_approval_a_money_rule_still_refuses_says_so_in_words_that_do_not_confuse() {
    let mut h = Household::new();
    limit(&mut h, Some(1_000_000), None);
    let request = h.buy("Sam", "coins-700", None).unwrap().request.unwrap();
    quiet_hours_now(&mut h, Verdict::Deny);
    limit(&mut h, Some(1_000_000), Some(5_000_000));
    let pass = h.pass();
    let refused = services::approve(&mut h.store, &h.clock, pass, request).unwrap();
    assert_eq!(refused.verdict, coinguard::domain::Outcome::Deny);
    // The hard limit refuses; the quiet hours, set aside by the approval, do not appear.
    let rules: Vec<&str> = refused.reasons.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(rules, ["hard_limit"]);
    assert_eq!(h.wallet("Sam"), 0);

    let stored = ledger::request_by_id(h.store.conn(), request)
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, RequestStatus::Refused);
    let why = "spending on coins in one go: 9.99 USD, above the limit of 5.00 USD";
    assert_eq!(
        stored.resolution.as_deref(),
        Some(format!("Maria approved it, but it is still refused: {why}").as_str())
    );
    let action = newest_action(&h);
    assert_eq!(action.action, "approve_refused");
    assert_eq!(
        report::action_words(&action.action),
        "request approved, then refused"
    );
    assert_eq!(
        action.after,
        format!("approved, then refused because {why}")
    );
    assert!(!action.after.contains("guard"), "{}", action.after);
    assert_eq!(h.verify_problem(), None);
}
