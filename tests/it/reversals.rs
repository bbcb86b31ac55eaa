//! Reversals in any order: coins a reversed gift returns keep the purchase
//! they came from, so reversing that purchase refunds them; what a reversal
//! gives back is shown before the PIN, with a warning when another order
//! would give back more.

use coinguard::ledger::{self, Account};
use coinguard::services;

use crate::support::{Household, committed};

#[test]
fn a_gift_reversed_first_returns_its_coins_to_the_purchase_they_came_from() {
    let mut h = Household::new();
    let purchase = committed(h.buy("Sam", "coins-70", None));
    let gift = committed(h.gift("Sam", "Ana", "rose", 30, None));
    let preview = services::preview_reversal(&mut h.store, &h.clock, purchase).unwrap();
    assert_eq!(
        preview.gives_back,
        "refund of the unspent part of purchase #1: 40 coins back for 0.56 USD \
         (those coins cost 0.565715 USD; refunds are rounded down to a multiple of 0.01 USD, \
         so 0.005715 USD is not refunded)"
    );
    // Item 3: in this order the gift's coins could never be refunded; the
    // warning says which gift to reverse first and how much more comes back.
    assert_eq!(
        preview.warnings,
        [
            "Coins from purchase #1 were spent on gift #2 (30 coins that cost 0.42 USD). \
             Reverse gift #2 first: its coins come back to Sam, and reversing purchase #1 then \
             refunds 0.99 USD instead of 0.56 USD (0.43 USD more). If you reverse purchase #1 \
             now instead, the coins gift #2 spent can come back to Sam later only as coins, never as money."
        ]
    );
    committed(h.reverse(gift));
    let preview = services::preview_reversal(&mut h.store, &h.clock, purchase).unwrap();
    assert_eq!(
        preview.gives_back,
        "refund of purchase #1: 70 coins (0.99 USD) back"
    );
    assert!(preview.warnings.is_empty());
    committed(h.reverse(purchase));
    assert_eq!(h.wallet("Sam"), 0);
    assert_eq!(
        h.account(Account::Funding(h.member_id("Sam"))),
        0,
        "every cent of the purchase came back"
    );
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn a_purchase_reversed_first_refunds_what_is_left_and_the_gift_can_still_be_undone() {
    let mut h = Household::new();
    let purchase = committed(h.buy("Sam", "coins-70", None));
    let gift = committed(h.gift("Sam", "Ana", "rose", 30, None));
    committed(h.reverse(purchase));
    assert_eq!(h.wallet("Sam"), 0);
    // The gift's coins come back; the purchase they came from is reversed,
    // so they stay in the wallet, with what they cost.
    committed(h.reverse(gift));
    assert_eq!(h.wallet("Sam"), 30);
    let sam = h.member_id("Sam");
    assert_eq!(
        ledger::lot_cost_of_wallet(h.store.conn(), sam).unwrap(),
        424_285
    );
    let err = services::preview_reversal(&mut h.store, &h.clock, purchase).unwrap_err();
    assert_eq!(
        err.to_string(),
        "transaction 1 was already reversed by transaction 3"
    );
    assert_eq!(h.verify_problem(), None);
}

#[test]
fn a_key_a_person_chose_never_blocks_an_approval() {
    let mut h = Household::new();
    let pass = h.pass();
    services::set_limit(
        &mut h.store,
        &h.clock,
        pass,
        "Sam",
        services::LimitSpec {
            scope: coinguard::domain::Scope::Purchase,
            window: coinguard::domain::Window::Transaction,
            soft: Some(crate::support::usd_micros(1_000_000)),
            hard: None,
        },
    )
    .unwrap();
    let asked = h.buy("Sam", "coins-350", None).unwrap();
    let request = asked.request.expect("a request");
    // Someone uses, as their own key, the one an approval once took.
    committed(h.buy("Lee", "coins-70", Some(&format!("request-{request}"))));
    let pass = h.pass();
    let approved = services::approve(&mut h.store, &h.clock, pass, request).unwrap();
    assert!(approved.tx.is_some(), "{approved:?}");
    assert_eq!(h.wallet("Sam"), 350);
}
