//! Purchases, gifts, redemptions, grants and reversals through the services:
//! what a parent would check in the wallet, the lots and the money accounts.

use coinguard::domain::{IdempotencyKey, TxId};
use coinguard::guard::RuleId;
use coinguard::ledger::{self, Account, LedgerError, Platform};
use coinguard::services::{self, Mode, PurchaseRequest, ServiceError};

use crate::support::{Household, committed};

#[test]
fn a_purchase_moves_money_and_coins_and_says_what_it_cost() {
    let mut h = Household::new();
    let outcome = h.buy("Sam", "coins-350", None).unwrap();
    assert!(outcome.is_committed(), "{:?}", outcome);
    assert_eq!(
        outcome.summary,
        "Sam buys 350 coins for 4.99 USD (pack coins-350, 0.0143 USD per coin)"
    );
    let sam = h.member_id("Sam");
    assert_eq!(h.wallet("Sam"), 350);
    assert_eq!(h.account(Account::Funding(sam)), -4_990_000);
    assert_eq!(h.account(Account::Platform(Platform::CoinSales)), 4_990_000);
    // What history shows for it, in the words made once per pack.
    assert_eq!(
        history_detail(&h),
        "pack coins-350: 350 coins for 4.99 USD (0.0143 USD per coin)"
    );
    assert_eq!(h.verify_problem(), None);
}

/// The detail history shows for the newest transaction.
fn history_detail(h: &Household) -> String {
    let config = h.store.config().unwrap();
    let page = coinguard::report::history_page(
        h.store.conn(),
        &coinguard::report::HistoryFilter::default(),
        config.settings.timezone,
        None,
        1,
    )
    .unwrap();
    page.rows[0].detail.clone()
}

#[test]
fn a_custom_amount_is_charged_at_the_best_pack_rate_rounded_up() {
    let mut h = Household::new();
    // 0.99 / 70 per coin x 100 coins = 1.41428... -> charged 1.42
    let outcome = h.buy_custom("Sam", 100).unwrap();
    assert!(
        outcome.summary.contains("100 coins for 1.42 USD"),
        "{}",
        outcome.summary
    );
    assert_eq!(h.account(Account::Funding(h.member_id("Sam"))), -1_420_000);
    assert_eq!(
        history_detail(&h),
        "a custom amount at the best pack rate: 100 coins for 1.42 USD \
         (0.0141 USD per coin; 1.4143 USD rounded up to the next 0.01 USD)"
    );
}

#[test]
fn a_gift_spends_the_oldest_coins_first_and_knows_their_cost() {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-70", None)); // 0.99
    committed(h.buy("Sam", "coins-350", None)); // 4.99
    let outcome = h.gift("Sam", "Ana", "hand-hearts", 1, None).unwrap();
    // 70 coins of the first lot (0.99) + 30 of the second (4.99 x 30/350 = 0.427714).
    assert!(outcome.is_committed(), "{:?}", outcome);
    assert!(
        outcome.summary.contains("100 coins (1.42 USD)"),
        "{}",
        outcome.summary
    );
    assert!(
        outcome.summary.contains("Ana receives 50 diamonds"),
        "{}",
        outcome.summary
    );
    assert_eq!(h.wallet("Sam"), 320);
    assert_eq!(h.earnings("Ana"), 50);
    let cost: i64 = h
        .store
        .conn()
        .query_row("SELECT SUM(cost_micros) FROM lot_moves", [], |r| r.get(0))
        .unwrap();
    assert_eq!(cost, 990_000 + 427_714);
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn a_gift_without_enough_coins_is_denied_with_the_numbers_and_writes_nothing() {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-350", None));
    let before = h.tx_count();
    let outcome = h.gift("Sam", "Ana", "concert", 1, None).unwrap();
    assert_eq!(outcome.verdict, coinguard::domain::Outcome::Deny);
    assert_eq!(outcome.reasons.len(), 1);
    assert_eq!(outcome.reasons[0].rule, RuleId::Funds);
    assert_eq!(
        outcome.reasons[0].message,
        "this needs 500 coins (≈7.11 USD) but only 350 coins (4.99 USD) are available; 150 coins (≈2.12 USD) short"
    );
    assert_eq!(h.tx_count(), before);
    assert_eq!(h.wallet("Sam"), 350);
}

/// Item 12: who may receive a gift is bad input, checked before the guard:
/// no decision, no alert, nothing written, exit 2.
#[test]
fn a_gift_to_yourself_or_to_a_non_creator_is_bad_input_and_writes_nothing() {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-350", None));
    committed(h.buy("Ana", "coins-70", None));
    let count = |h: &Household, table: &str| -> i64 {
        h.store
            .conn()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    let before = (h.tx_count(), count(&h, "decisions"), count(&h, "alerts"));
    let err = h.gift("Sam", "Lee", "rose", 1, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Lee is a teen, not a creator: only creators receive gifts. Creators: Ana, Bo"
    );
    assert_eq!(err.kind(), coinguard::domain::ErrorKind::BadInput);
    assert_eq!(err.kind().exit_code(), 2);
    let err = h.gift("Ana", "Ana", "rose", 1, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Ana cannot send a gift to themselves; gifts go to a creator"
    );
    assert_eq!(err.kind(), coinguard::domain::ErrorKind::BadInput);
    // A preview says the same, and nothing at all was written.
    let preview = services::gift(
        &mut h.store,
        &h.clock,
        Mode::Preview,
        &services::GiftRequest {
            member: "Sam",
            creator: "Sam",
            gift: "rose",
            count: 1,
            key: None,
        },
    );
    assert!(preview.is_err());
    assert_eq!(
        (h.tx_count(), count(&h, "decisions"), count(&h, "alerts")),
        before
    );
    assert_eq!(h.wallet("Sam"), 350);
}

#[test]
fn unknown_pack_gift_and_member_name_the_ones_that_exist() {
    let mut h = Household::new();
    let err = h.buy("Sam", "coins-999", None).unwrap_err().to_string();
    assert!(
        err.starts_with(
            "there is no coin pack \"coins-999\"; packs are: coins-70 (70 coins for 0.99 USD)"
        ),
        "{err}"
    );
    let err = h
        .gift("Sam", "Ana", "unicorn", 1, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "there is no gift \"unicorn\"; gifts are: rose (1 coin), finger-heart (5 coins)"
        ),
        "{err}"
    );
    let err = h.buy("Samm", "coins-70", None).unwrap_err().to_string();
    assert_eq!(
        err,
        "there is no member called \"Samm\"; members are: Maria, Sam, Lee, Ana, Bo"
    );
    assert_eq!(h.tx_count(), 0);
}

#[test]
fn redemption_pays_rounded_down_and_respects_the_minimum() {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-7000", None));
    committed(h.gift("Sam", "Ana", "galaxy", 5, None)); // 5,000 coins -> 2,500 diamonds
    let small = h.redeem("Ana", 1_999).unwrap();
    assert_eq!(small.verdict, coinguard::domain::Outcome::Deny);
    // Its own rule, not "funds": the diamonds are there.
    assert_eq!(small.reasons[0].rule, RuleId::MinimumPayout);
    assert_eq!(
        small.reasons[0].message,
        "1,999 diamonds pay out 9.99 USD, below the minimum payout of 10.00 USD (2,000 diamonds)"
    );
    let too_many = h.redeem("Ana", 2_501).unwrap();
    assert_eq!(
        too_many.reasons[0].message,
        "this needs 2,501 diamonds (12.50 USD) but only 2,500 diamonds (12.50 USD) are in the earnings"
    );
    let outcome = h.redeem("Ana", 2_500).unwrap();
    assert!(outcome.is_committed(), "{:?}", outcome);
    assert_eq!(
        outcome.summary,
        "Ana cashes out 2,500 diamonds for 12.50 USD (0.0025 USD per coin fans spent)"
    );
    assert_eq!(h.account(Account::Payout(h.member_id("Ana"))), 12_500_000);
    assert_eq!(h.earnings("Ana"), 0);
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn grants_carry_their_stated_value_and_only_guardians_grant() {
    let mut h = Household::new();
    let outcome = h.grant("Sam", 100).unwrap();
    assert_eq!(outcome.summary, "Maria grants Sam 100 coins (1.41 USD)");
    assert_eq!(h.wallet("Sam"), 100);
    let cost: i64 = h
        .store
        .conn()
        .query_row("SELECT cost_micros FROM lots", [], |r| r.get(0))
        .unwrap();
    // 100 x 0.99 / 70 = 1.4142857..., to the stored scale (not 100 x 0.014143).
    assert_eq!(cost, 1_414_286);
    // A teen cannot even get a guardian's pass, whatever PIN they type.
    let pin = coinguard::auth::Pin::parse(crate::support::GUARDIAN_PIN).unwrap();
    let err =
        coinguard::auth::guardian_pass(&mut h.store, &h.clock, Some("Sam"), &pin, "").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Sam is not a guardian; only a guardian can do this"
    );
    assert_eq!(h.wallet("Sam"), 100);
}

#[test]
fn reversing_an_unspent_purchase_refunds_it_whole_once() {
    let mut h = Household::new();
    let tx = committed(h.buy("Sam", "coins-350", None));
    let outcome = h.reverse(tx).unwrap();
    assert_eq!(
        outcome.summary,
        "Maria gives a refund of purchase #1: 350 coins (4.99 USD) back"
    );
    assert_eq!(h.wallet("Sam"), 0);
    assert_eq!(h.account(Account::Funding(h.member_id("Sam"))), 0);
    let again = h.reverse(tx).unwrap_err();
    assert_eq!(
        again,
        ServiceError::Ledger(LedgerError::AlreadyReversed { tx: 1, by: 2 })
    );
    assert_eq!(
        again.kind().exit_code(),
        2,
        "a person's mistake, not a failure"
    );
    let of_reversal = h.reverse(TxId(2)).unwrap_err().to_string();
    assert_eq!(
        of_reversal,
        "transaction 2 cannot be reversed: it is itself a reversal; record a new transaction instead"
    );
    assert_eq!(
        h.reverse(TxId(99)).unwrap_err().to_string(),
        "there is no transaction #99"
    );
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn a_partly_spent_purchase_is_refunded_for_its_unspent_part() {
    let mut h = Household::new();
    let tx = committed(h.buy("Sam", "coins-70", None));
    committed(h.gift("Sam", "Ana", "doughnut", 1, None)); // 30 coins
    let outcome = h.reverse(tx).unwrap();
    // 40 unspent coins of a 0.99 lot cost 0.99 - floor(0.99 x 30/70) =
    // 0.565715; real money is refunded in whole cents, rounded down: 0.56.
    assert_eq!(
        outcome.summary,
        "Maria gives a refund of the unspent part of purchase #1: 40 coins back for 0.56 USD \
         (those coins cost 0.565715 USD; refunds are rounded down to a multiple of 0.01 USD, \
         so 0.005715 USD is not refunded)"
    );
    assert_eq!(h.wallet("Sam"), 0);
    let sam = h.member_id("Sam");
    assert_eq!(h.account(Account::Funding(sam)), -990_000 + 560_000);
    assert_eq!(
        h.account(Account::Platform(Platform::CoinSales)),
        990_000 - 560_000
    );
    // Every refund in the ledger is a whole number of cents.
    let fractions: i64 = h
        .store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM postings p JOIN accounts a ON a.id = p.account_id
             WHERE a.name LIKE 'external:%' AND p.amount % 10000 != 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(fractions, 0);
    // The coins' exact cost left the wallet with them.
    assert_eq!(ledger::lot_cost_of_wallet(h.store.conn(), sam).unwrap(), 0);
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn a_fully_spent_purchase_cannot_be_refunded() {
    let mut h = Household::new();
    let tx = committed(h.buy("Sam", "coins-70", None));
    committed(h.gift("Sam", "Ana", "rose", 70, None));
    let err = h.reverse(tx).unwrap_err().to_string();
    assert_eq!(
        err,
        "transaction 1 cannot be reversed: every coin from it was already spent, on gift #2; reverse that gift first and its coins come back to it"
    );
}

#[test]
fn reversing_a_gift_returns_the_coins_with_their_cost_unless_cashed_out() {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-7000", None));
    let gift = committed(h.gift("Sam", "Ana", "galaxy", 1, None));
    let outcome = h.reverse(gift).unwrap();
    assert_eq!(
        outcome.summary,
        "Maria reverses gift #2: 1,000 coins (14.28 USD) back to Sam, 500 diamonds (2.50 USD) back from Ana"
    );
    assert_eq!(h.wallet("Sam"), 7_000);
    assert_eq!(h.earnings("Ana"), 0);
    // Gift again, let Ana cash out, then the gift can no longer be undone.
    let gift = committed(h.gift("Sam", "Ana", "galaxy", 5, None));
    committed(h.redeem("Ana", 2_500));
    let err = h.reverse(gift).unwrap_err().to_string();
    assert_eq!(
        err,
        "transaction 4 cannot be reversed: the creator has already cashed out those diamonds"
    );
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn a_replayed_key_writes_nothing_and_a_reused_key_is_a_conflict() {
    let mut h = Household::new();
    let first = committed(h.buy("Sam", "coins-70", Some("order-1")));
    let replay = h.buy("Sam", "coins-70", Some("order-1")).unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.tx, Some(first));
    assert_eq!(h.tx_count(), 1);
    assert_eq!(h.wallet("Sam"), 70);
    let conflict = h.buy("Sam", "coins-350", Some("order-1")).unwrap_err();
    assert_eq!(
        conflict.to_string(),
        "the key \"order-1\" was already used for a different command (another member, pack, gift, creator or amount); a key stands for one command: use a new key"
    );
    assert_eq!(h.tx_count(), 1);
}

#[test]
fn a_preview_shows_the_outcome_and_writes_nothing() {
    let mut h = Household::new();
    let request = PurchaseRequest::Pack {
        member: "Sam",
        pack: "coins-700",
        key: Some(IdempotencyKey::parse("k").unwrap()),
    };
    let outcome = services::purchase(&mut h.store, &h.clock, Mode::Preview, &request).unwrap();
    assert_eq!(
        (outcome.verdict, outcome.tx),
        (coinguard::domain::Outcome::Allow, None)
    );
    assert!(outcome.summary.contains("700 coins for 9.99 USD"));
    assert_eq!(h.tx_count(), 0);
    // The key was not consumed by the preview.
    let outcome = services::purchase(&mut h.store, &h.clock, Mode::Commit, &request).unwrap();
    assert!(!outcome.replayed);
}

#[test]
fn a_clock_moved_back_refuses_spending_but_not_undoing() {
    let mut h = Household::new();
    let tx = committed(h.buy("Sam", "coins-70", None));
    h.clock
        .set(crate::support::start() - chrono::TimeDelta::hours(3));
    let outcome = h.buy("Sam", "coins-70", None).unwrap();
    assert_eq!(outcome.verdict, coinguard::domain::Outcome::Deny);
    assert_eq!(outcome.reasons[0].rule, RuleId::ClockSanity);
    assert!(outcome.reasons[0].message.starts_with("this computer's clock reads 2026-03-02 12:01:00 UTC, earlier than the newest entry (2026-03-02 15:01:00 UTC)"), "{}", outcome.reasons[0].message);
    committed(h.reverse(tx));
}

/// The write path's statements stay compiled across commits. SQLite 3.54
/// otherwise re-plans every cached `WHERE x = ?1 ... ORDER BY` statement on
/// each run, which cost a third of a guarded commit's CPU.
#[test]
fn guarded_writes_do_not_recompile_their_statements() {
    let mut h = Household::new();
    for _ in 0..5 {
        h.buy("Sam", "coins-70", None).unwrap();
        h.gift("Sam", "Ana", "rose", 1, None).unwrap();
    }
    for sql in [
        "SELECT scope, period, soft, hard FROM limits WHERE member_id = ?1 ORDER BY scope, period",
        // The FIFO lot plan of a gift (whitespace as in src/ledger/lots.rs).
        "SELECT o.lot_id, o.remaining, o.taken, l.coins, l.cost_micros, p.paid_micros
         FROM open_lots o JOIN lots l ON l.id = o.lot_id JOIN lot_paid p ON p.lot_id = o.lot_id
         WHERE o.member_id = ?1 ORDER BY o.lot_id",
    ] {
        let (runs, reprepares) = h.store.writer_statement_status(sql).unwrap();
        assert!(runs >= 5, "{sql} was not run");
        assert_eq!(reprepares, 0, "{sql}");
    }
}

/// What `Store::conn()` hands out reads only: a report, a listing or a
/// screen holding it cannot change the household.
#[test]
fn the_connection_readers_get_cannot_write() {
    let h = Household::new();
    for sql in [
        "DELETE FROM limits",
        "INSERT INTO alerts (at_us, member_id, kind, message) VALUES (0, 1, 'x', 'y')",
        "UPDATE members SET pin_hash = NULL",
    ] {
        let err = h.store.conn().execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("readonly"), "{sql}: {err}");
    }
}
