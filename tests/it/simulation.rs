//! A proptest simulation: random sequences of purchases, gifts, redemptions,
//! grants, reversals and replays, with the ledger's invariants checked after
//! every step.

use proptest::prelude::*;

use coinguard::domain::TxId;
use coinguard::services::{Outcome, OutcomeKind, ServiceError};

use crate::support::Household;

const SPENDERS: [&str; 3] = ["Sam", "Lee", "Ana"];
const CREATORS: [&str; 2] = ["Ana", "Bo"];
const PACKS: [&str; 3] = ["coins-70", "coins-350", "coins-700"];
const GIFTS: [&str; 4] = ["rose", "finger-heart", "doughnut", "hand-hearts"];

#[derive(Debug, Clone)]
enum Op {
    /// Let time pass, so windows roll and days change.
    Wait {
        hours: i64,
    },
    Buy {
        who: usize,
        pack: usize,
        keyed: bool,
    },
    BuyCustom {
        who: usize,
        coins: u64,
    },
    Gift {
        who: usize,
        creator: usize,
        gift: usize,
        count: u64,
    },
    Redeem {
        creator: usize,
        diamonds: u64,
    },
    Grant {
        who: usize,
        coins: u64,
    },
    Reverse {
        pick: usize,
    },
    Replay {
        pick: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..3usize, 0..3usize, any::<bool>()).prop_map(|(who, pack, keyed)| Op::Buy { who, pack, keyed }),
        1 => (0..3usize, 1..3000u64).prop_map(|(who, coins)| Op::BuyCustom { who, coins }),
        4 => (0..3usize, 0..2usize, 0..4usize, 1..6u64).prop_map(|(who, creator, gift, count)| Op::Gift { who, creator, gift, count }),
        1 => (0..2usize, 1..3000u64).prop_map(|(creator, diamonds)| Op::Redeem { creator, diamonds }),
        1 => (0..3usize, 1..500u64).prop_map(|(who, coins)| Op::Grant { who, coins }),
        1 => any::<usize>().prop_map(|pick| Op::Reverse { pick }),
        1 => any::<usize>().prop_map(|pick| Op::Replay { pick }),
        1 => (1..30i64).prop_map(|hours| Op::Wait { hours }),
    ]
}

/// Every invariant the ledger promises, checked from raw rows.
fn check_invariants(h: &Household) -> Result<(), TestCaseError> {
    let conn = h.store.conn();
    let unbalanced: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM (SELECT p.tx_id, a.unit FROM postings p JOIN accounts a ON a.id = p.account_id
             GROUP BY p.tx_id, a.unit HAVING SUM(p.amount) != 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    prop_assert_eq!(unbalanced, 0, "a transaction does not sum to zero per unit");
    let negative: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM (SELECT a.name FROM postings p JOIN accounts a ON a.id = p.account_id
             WHERE a.name LIKE 'member:%' GROUP BY a.id HAVING SUM(p.amount) < 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    prop_assert_eq!(negative, 0, "a wallet or earnings account is below zero");
    for name in ["Sam", "Lee", "Ana", "Bo"] {
        let id = h.member_id(name);
        let in_lots: i64 = conn
            .query_row(
                "SELECT COALESCE(SUM(l.coins), 0) - COALESCE((SELECT SUM(m.coins) FROM lot_moves m JOIN lots l2 ON l2.id = m.lot_id WHERE l2.member_id = ?1), 0)
                 FROM lots l WHERE l.member_id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .unwrap();
        prop_assert_eq!(
            in_lots,
            h.wallet(name),
            "{}'s lots do not hold their wallet's coins",
            name
        );
    }
    prop_assert_eq!(h.verify_problem(), None);
    check_hard_limits(h)
}

/// The hard limits set in `run`: Sam 15.00 of purchases per rolling 24 hours,
/// Lee 300 coins of gifts per household-local day.
const SAM_PURCHASE_24H_MICROS: i64 = 15_000_000;
const LEE_GIFT_DAY_COINS: i64 = 300;

/// No committed spend exceeds a hard limit, summed from the raw spend events
/// (independently of the buckets the guard reads).
fn check_hard_limits(h: &Household) -> Result<(), TestCaseError> {
    use coinguard::domain::Clock;
    let conn = h.store.conn();
    let now = h.clock.now();
    let sum = |member: &str, column: &str, from: i64, to: i64| -> i64 {
        conn.query_row(
            &format!("SELECT COALESCE(SUM({column}), 0) FROM spend_events WHERE member_id = ?1 AND at_us >= ?2 AND at_us < ?3"),
            [h.member_id(member).0, from, to],
            |r| r.get(0),
        )
        .unwrap()
    };
    let purchases = sum(
        "Sam",
        "purchase_micros",
        (now - chrono::TimeDelta::hours(24)).timestamp_micros(),
        i64::MAX,
    );
    prop_assert!(
        purchases <= SAM_PURCHASE_24H_MICROS,
        "Sam bought {} micros in 24 hours",
        purchases
    );
    let tz = chrono_tz::America::New_York;
    let local = now.with_timezone(&tz).date_naive();
    let start = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .unwrap()
            .and_local_timezone(tz)
            .earliest()
            .unwrap()
            .timestamp_micros()
    };
    let gifts = sum(
        "Lee",
        "gift_coins",
        start(local),
        start(local.succ_opt().unwrap()),
    );
    prop_assert!(
        gifts <= LEE_GIFT_DAY_COINS,
        "Lee gave {} coins today",
        gifts
    );
    Ok(())
}

fn set_limits(h: &mut Household) {
    use coinguard::domain::{Scope, Window};
    use coinguard::ledger::{self, Limit};
    let (sam, lee) = (h.member_id("Sam"), h.member_id("Lee"));
    let limits = [
        Limit {
            member: sam,
            scope: Scope::Purchase,
            window: Window::Rolling24h,
            soft: None,
            hard: Some(SAM_PURCHASE_24H_MICROS),
        },
        Limit {
            member: lee,
            scope: Scope::Gift,
            window: Window::Day,
            soft: Some(100),
            hard: Some(LEE_GIFT_DAY_COINS),
        },
        Limit {
            member: lee,
            scope: Scope::All,
            window: Window::Week,
            soft: Some(30_000_000),
            hard: None,
        },
    ];
    h.store
        .write(&h.clock, |w| {
            for limit in &limits {
                ledger::set_limit(w, limit)?;
            }
            Ok::<_, ledger::LedgerError>(())
        })
        .unwrap();
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut h = Household::new();
    set_limits(&mut h);
    let mut committed: Vec<TxId> = Vec::new();
    let mut keyed: Vec<(usize, usize, String, TxId)> = Vec::new();
    for (step, op) in ops.into_iter().enumerate() {
        let before = h.tx_count();
        let result: Result<Outcome, ServiceError> = match &op {
            Op::Buy {
                who,
                pack,
                keyed: with_key,
            } => {
                let key = with_key.then(|| format!("k{step}"));
                let result = h.buy(SPENDERS[*who], PACKS[*pack], key.as_deref());
                if let (Some(key), Ok(Outcome { tx: Some(tx), .. })) = (key, &result) {
                    keyed.push((*who, *pack, key, *tx));
                }
                result
            }
            Op::BuyCustom { who, coins } => h.buy_custom(SPENDERS[*who], *coins),
            Op::Wait { hours } => {
                h.clock.advance(chrono::TimeDelta::hours(*hours));
                continue;
            }
            Op::Gift {
                who,
                creator,
                gift,
                count,
            } => h.gift(
                SPENDERS[*who],
                CREATORS[*creator],
                GIFTS[*gift],
                *count,
                None,
            ),
            Op::Redeem { creator, diamonds } => h.redeem(CREATORS[*creator], *diamonds),
            Op::Grant { who, coins } => h.grant(SPENDERS[*who], *coins),
            Op::Reverse { pick } => {
                if committed.is_empty() {
                    continue;
                }
                h.reverse(committed[pick % committed.len()])
            }
            Op::Replay { pick } => {
                if keyed.is_empty() {
                    continue;
                }
                let (who, pack, key, tx) = keyed[pick % keyed.len()].clone();
                let outcome = h.buy(SPENDERS[who], PACKS[pack], Some(&key)).unwrap();
                prop_assert!(outcome.replayed);
                prop_assert_eq!(outcome.tx, Some(tx));
                prop_assert_eq!(h.tx_count(), before, "a replay wrote something");
                Ok(outcome)
            }
        };
        match result {
            Ok(Outcome {
                kind: OutcomeKind::Committed,
                tx: Some(tx),
                replayed: false,
                ..
            }) => {
                prop_assert_eq!(h.tx_count(), before + 1);
                committed.push(tx);
            }
            Ok(Outcome {
                kind: OutcomeKind::Committed,
                replayed: true,
                ..
            }) => prop_assert_eq!(h.tx_count(), before),
            Ok(Outcome {
                kind: OutcomeKind::Denied,
                reasons,
                ..
            }) => {
                prop_assert!(!reasons.is_empty(), "a denial without a reason");
                prop_assert_eq!(h.tx_count(), before, "a denial wrote a transaction");
            }
            Ok(Outcome {
                kind: OutcomeKind::Pending,
                reasons,
                ..
            }) => {
                prop_assert!(!reasons.is_empty(), "a pending outcome without a reason");
                prop_assert_eq!(
                    h.tx_count(),
                    before,
                    "a pending outcome wrote a transaction"
                );
            }
            Ok(other) => prop_assert!(false, "unexpected outcome {:?}", other),
            // Refusals to reverse (already reversed, spent, cashed out) write nothing.
            Err(e) => {
                prop_assert!(matches!(op, Op::Reverse { .. }), "{:?} failed: {}", op, e);
                prop_assert!(e.is_bad_input(), "{}", e);
                prop_assert_eq!(h.tx_count(), before);
            }
        }
        check_invariants(&h)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn ledger_invariants_hold_after_every_step(ops in prop::collection::vec(op(), 1..40)) {
        run(ops)?;
    }
}
