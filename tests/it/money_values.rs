//! What coins, diamonds and grants are worth, as a parent reads them: exact
//! grant values (QA item 6), every coin and diamond figure with its money
//! value (item 17), the rate a custom amount is charged at (item 20), and
//! redemptions that leave the odd diamond with the creator (item 23).

use coinguard::domain::{Memo, QuietHours};
use coinguard::ledger::{self, Account, Platform};
use coinguard::money::Coins;
use coinguard::services::{self, GrantRequest, Mode, ServiceError};

use crate::support::{Household, committed};

fn lot_cost(h: &Household, tx: coinguard::domain::TxId) -> i64 {
    h.store
        .conn()
        .query_row(
            "SELECT cost_micros FROM lots WHERE tx_id = ?1",
            [tx.0],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_grant_is_valued_at_coins_times_the_grant_rate_exactly() {
    let mut h = Household::new();
    let big = h.grant("Sam", 7_000_000).unwrap();
    assert_eq!(
        big.summary,
        "Maria grants Sam 7,000,000 coins (99,000.00 USD)"
    );
    assert_eq!(lot_cost(&h, big.tx.unwrap()), 99_000_000_000);
    let seven_hundred = committed(h.grant("Lee", 700));
    assert_eq!(lot_cost(&h, seven_hundred), 9_900_000, "9.90, not 9.9001");
    // Granted coins gifted cost their exact share: 70 of 700 coins = 0.99.
    let gift = h.gift("Lee", "Ana", "rose", 70, None).unwrap();
    assert!(
        gift.summary.contains("70 coins (0.99 USD)"),
        "{}",
        gift.summary
    );
    let moved: i64 = h
        .store
        .conn()
        .query_row(
            "SELECT SUM(cost_micros) FROM lot_moves WHERE tx_id = ?1",
            [gift.tx.unwrap().0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(moved, 990_000);
    // A grant preview says the same figure.
    let pass = h.pass();
    let preview = services::grant(
        &mut h.store,
        &h.clock,
        Mode::Preview,
        pass,
        &GrantRequest {
            member: "Sam",
            coins: Coins::new(700),
            memo: Memo::parse("allowance").unwrap(),
            key: None,
        },
    )
    .unwrap();
    assert_eq!(preview.summary, "Maria grants Sam 700 coins (9.90 USD)");
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn a_custom_amount_shows_the_best_rate_it_was_charged_at() {
    let mut h = Household::new();
    let three = h.buy_custom("Sam", 3).unwrap();
    assert_eq!(
        three.summary,
        "Sam buys 3 coins for 0.05 USD (a custom amount at the best pack rate, 0.0141 USD per coin; \
         0.0424 USD rounded up to the next 0.01 USD)"
    );
    // A whole pack's worth at the best rate is exactly the pack's price.
    let seventy = h.buy_custom("Sam", 70).unwrap();
    assert_eq!(
        seventy.summary,
        "Sam buys 70 coins for 0.99 USD (a custom amount at the best pack rate, 0.0141 USD per coin)"
    );
    let many = h.buy_custom("Sam", 7_000).unwrap();
    assert!(
        many.summary.contains("7,000 coins for 99.00 USD"),
        "{}",
        many.summary
    );
    assert_eq!(
        h.account(Account::Funding(h.member_id("Sam"))),
        -(50_000 + 990_000 + 99_000_000)
    );
}

#[test]
fn every_coin_and_diamond_figure_carries_its_money_value() {
    let mut h = Household::new();
    // No coins at all: valued at the best pack rate, marked ≈.
    let short = h.gift("Sam", "Ana", "universe", 1, None).unwrap();
    assert_eq!(short.verdict, coinguard::domain::Outcome::Deny);
    assert_eq!(
        short.summary,
        "Sam sends 1 × Universe to Ana: 44,999 coins (≈636.41 USD); Ana receives 22,499 diamonds (112.49 USD)"
    );
    let one = h.gift("Sam", "Ana", "rose", 1, None).unwrap();
    assert_eq!(
        one.summary,
        "Sam sends 1 × Rose to Ana: 1 coin (≈0.01 USD); Ana receives 0 diamonds (0.00 USD)"
    );
    // Some coins held: what they cost, plus the rest at the best rate.
    committed(h.buy("Sam", "coins-350", None)); // 4.99
    let partly = h.gift("Sam", "Ana", "concert", 1, None).unwrap();
    assert_eq!(partly.verdict, coinguard::domain::Outcome::Deny);
    // 4.99 + 150 x 0.99 / 70 = 7.111428...
    assert!(
        partly.summary.contains("500 coins (≈7.11 USD)"),
        "{}",
        partly.summary
    );
    // The reason gives the same amount the same price.
    assert!(
        partly.reasons[0]
            .message
            .starts_with("this needs 500 coins (≈7.11 USD) but only 350 coins (4.99 USD)"),
        "{}",
        partly.reasons[0].message
    );
    // The alert a guardian reads carries the same figures.
    let alerts = services::open_alerts(&h.store).unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a.message.contains("500 coins (≈7.11 USD)")
                && a.message.contains("250 diamonds (1.25 USD)")),
        "{alerts:?}"
    );
    // Coins held: what they cost; diamonds: what they pay out.
    let sent = h.gift("Sam", "Ana", "doughnut", 2, None).unwrap();
    assert_eq!(
        sent.summary,
        "Sam sends 2 × Doughnut to Ana: 60 coins (0.86 USD); Ana receives 30 diamonds (0.15 USD); the platform keeps 0.71 USD"
    );
}

#[test]
fn a_redemption_takes_only_the_diamonds_that_pay_out() {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-7000", None));
    committed(h.gift("Sam", "Ana", "rose", 4_402, None));
    assert_eq!(h.earnings("Ana"), 2_201);
    let outcome = h.redeem("Ana", 2_201).unwrap();
    assert!(outcome.is_committed(), "{:?}", outcome);
    assert_eq!(
        outcome.summary,
        "Ana cashes out 2,200 diamonds for 11.00 USD (0.0025 USD per coin fans spent); \
         1 diamond stays with Ana (diamonds pay out 2 at a time: 2 diamonds make 0.01 USD)"
    );
    assert_eq!(h.earnings("Ana"), 1, "the odd diamond stays with Ana");
    let ana = h.member_id("Ana");
    assert_eq!(h.account(Account::Payout(ana)), 11_000_000);
    assert_eq!(h.account(Account::Platform(Platform::Payouts)), -11_000_000);
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn quiet_hours_that_start_when_they_end_say_so() {
    let mut h = Household::new();
    let pass = h.pass();
    let err = services::set_quiet_hours(
        &mut h.store,
        &h.clock,
        pass,
        "Sam",
        Some(QuietHours {
            start_minute: 21 * 60,
            end_minute: 21 * 60,
            verdict: coinguard::config::Verdict::Deny,
        }),
    )
    .unwrap_err();
    assert_eq!(
        err,
        ServiceError::QuietHoursSameTimes { at: "21:00".into() }
    );
    let message = err.to_string();
    assert!(
        message.starts_with("quiet hours from 21:00 to 21:00 would last no time at all")
            && !message.contains("action"),
        "{message}"
    );
    assert!(
        ledger::quiet_hours_of(h.store.conn(), h.member_id("Sam"))
            .unwrap()
            .is_none()
    );
}
