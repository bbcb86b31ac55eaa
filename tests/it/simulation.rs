//! A proptest simulation: random sequences of purchases, gifts, redemptions,
//! grants, reversals and replays, with the ledger's invariants checked after
//! every step.

use proptest::prelude::*;

use coinguard::domain::TxId;
use coinguard::services::{Outcome, ServiceError};

use crate::support::Household;

const SPENDERS: [&str; 3] = ["Sam", "Lee", "Ana"];
const CREATORS: [&str; 2] = ["Ana", "Bo"];
const PACKS: [&str; 3] = ["coins-70", "coins-350", "coins-700"];
const GIFTS: [&str; 4] = ["rose", "finger-heart", "doughnut", "hand-hearts"];

#[derive(Debug, Clone)]
enum Op {
    /// The 15-year-old asks: purchases and gifts become requests.
    KidBuy {
        pack: usize,
    },
    KidGift {
        creator: usize,
        gift: usize,
        count: u64,
    },
    Approve {
        pick: i64,
    },
    Deny {
        pick: i64,
    },
    Cancel {
        pick: i64,
    },
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
        1 => (0..3usize).prop_map(|pack| Op::KidBuy { pack }),
        2 => (0..2usize, 0..4usize, 1..6u64).prop_map(|(creator, gift, count)| Op::KidGift { creator, gift, count }),
        2 => (1..12i64).prop_map(|pick| Op::Approve { pick }),
        1 => (1..12i64).prop_map(|pick| Op::Deny { pick }),
        1 => (1..12i64).prop_map(|pick| Op::Cancel { pick }),
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
        // A gift reads what the whole wallet costs from the maintained row
        // instead of walking every lot: the two are the same figure.
        let wallet = u64::try_from(h.wallet(name)).unwrap_or(0);
        let walked = coinguard::ledger::cost_of_coins(conn, id, wallet)
            .unwrap()
            .unwrap_or(0);
        prop_assert_eq!(
            coinguard::ledger::lot_cost_of_wallet(conn, id).unwrap(),
            walked,
            "{}'s maintained wallet cost differs from its lots",
            name
        );
    }
    prop_assert_eq!(h.verify_problem(), None);
    check_holds(h)?;
    check_hard_limits(h)?;
    check_windows(h)
}

/// Holds always equal the coins of pending gift requests (nothing else
/// holds), and never exceed what the wallet has.
fn check_holds(h: &Household) -> Result<(), TestCaseError> {
    let conn = h.store.conn();
    let mut stmt = conn
        .prepare(
            "SELECT member_id, action, params, hold_coins FROM requests WHERE status = 'pending'",
        )
        .unwrap();
    let rows: Vec<(i64, String, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let economy = h.store.config().unwrap().economy;
    let mut held: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for (member, action, params, hold) in rows {
        let params: serde_json::Value = serde_json::from_str(&params).unwrap();
        let expected = match action.as_str() {
            "gift" => {
                let gift = economy.gift(params["gift"].as_str().unwrap()).unwrap();
                gift.coins.get() as i64 * params["count"].as_i64().unwrap()
            }
            _ => 0,
        };
        prop_assert_eq!(
            hold,
            expected,
            "a {} request holds the wrong amount",
            action
        );
        *held.entry(member).or_default() += hold;
    }
    for (member, hold) in held {
        let wallet = ledger_balance(h, member);
        prop_assert!(
            hold <= wallet,
            "member {} holds {} coins but has {}",
            member,
            hold,
            wallet
        );
    }
    Ok(())
}

fn ledger_balance(h: &Household, member: i64) -> i64 {
    coinguard::ledger::balance(
        h.store.conn(),
        coinguard::ledger::Account::Wallet(coinguard::domain::MemberId(member)),
    )
    .unwrap()
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

/// Every window of every spender, summed in the guard's one read of the
/// buckets, equals the same window summed from the raw spend events.
fn check_windows(h: &Household) -> Result<(), TestCaseError> {
    use coinguard::domain::{Clock, Window};
    use coinguard::ledger::spend::calendar_days;
    let conn = h.store.conn();
    let now = h.clock.now();
    let tz = chrono_tz::America::New_York;
    let midnight = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .unwrap()
            .and_local_timezone(tz)
            .earliest()
            .unwrap()
            .timestamp_micros()
    };
    for name in ["Sam", "Lee"] {
        let member = h.member_id(name);
        let summed =
            coinguard::ledger::spent_in_windows(conn, member, &Window::ALL, now, tz).unwrap();
        for (window, spent) in summed {
            let (from, to) = match (
                calendar_days(window, now.with_timezone(&tz).date_naive()),
                coinguard::ledger::spend::rolling_span(window),
            ) {
                (Some((first, last)), _) => (midnight(first), midnight(last.succ_opt().unwrap())),
                (None, Some(span)) => ((now - span).timestamp_micros(), i64::MAX),
                (None, None) => (0, 0),
            };
            let raw: (i64, i64, i64, i64) = conn
                .query_row(
                    "SELECT COALESCE(SUM(purchase_micros), 0), COALESCE(SUM(gift_coins), 0), COALESCE(SUM(all_micros), 0), COALESCE(SUM(gift_cost_micros), 0)
                     FROM spend_events WHERE member_id = ?1 AND at_us >= ?2 AND at_us < ?3",
                    [member.0, from, to],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .unwrap();
            prop_assert_eq!(
                (
                    spent.purchase_micros,
                    spent.gift_coins,
                    spent.all_micros,
                    spent.gift_cost_micros
                ),
                raw,
                "{} {:?} at {}",
                name,
                window,
                now
            );
        }
    }
    Ok(())
}

/// A 15-year-old who may gift both creators (with approval, by age).
fn add_kid(h: &mut Household) {
    use coinguard::domain::{BirthDate, Name, Role};
    use coinguard::ledger::{self, CreatorList};
    let birth = BirthDate::parse("2010-09-01", crate::support::start().date_naive()).unwrap();
    let creators = [h.member_id("Ana"), h.member_id("Bo")];
    let pass = h.pass();
    h.store
        .write(&h.clock, |w| {
            let kid = ledger::add_member(
                w,
                &pass,
                &Name::parse("Kid").unwrap(),
                Role::Teen,
                Some(birth),
            )?;
            for creator in creators {
                ledger::set_creator_list(w, &pass, kid, creator, Some(CreatorList::Allow))?;
            }
            Ok::<_, ledger::LedgerError>(())
        })
        .unwrap();
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
            hard: Some(crate::support::usd_micros(SAM_PURCHASE_24H_MICROS)),
        },
        Limit {
            member: lee,
            scope: Scope::Gift,
            window: Window::Day,
            soft: Some(crate::support::coins(100)),
            hard: Some(crate::support::coins(LEE_GIFT_DAY_COINS)),
        },
        Limit {
            member: lee,
            scope: Scope::All,
            window: Window::Week,
            soft: Some(crate::support::usd_micros(30_000_000)),
            hard: None,
        },
    ];
    let pass = h.pass();
    h.store
        .write(&h.clock, |w| {
            for limit in &limits {
                ledger::set_limit(w, &pass, limit)?;
            }
            Ok::<_, ledger::LedgerError>(())
        })
        .unwrap();
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut h = Household::new();
    set_limits(&mut h);
    add_kid(&mut h);
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
            Op::KidBuy { pack } => h.buy("Kid", PACKS[*pack], None),
            Op::KidGift {
                creator,
                gift,
                count,
            } => h.gift("Kid", CREATORS[*creator], GIFTS[*gift], *count, None),
            Op::Approve { pick } => {
                let pass = h.pass();
                coinguard::services::approve(&mut h.store, &h.clock, pass, *pick)
            }
            Op::Deny { pick } => {
                let pass = h.pass();
                let reason = coinguard::domain::Memo::parse("no").unwrap();
                match coinguard::services::deny(&mut h.store, &h.clock, pass, *pick, &reason) {
                    Ok(_) => {
                        prop_assert_eq!(h.tx_count(), before);
                        check_invariants(&h)?;
                        continue;
                    }
                    Err(e) => Err(e),
                }
            }
            Op::Cancel { pick } => {
                match coinguard::services::cancel(&mut h.store, &h.clock, "Kid", *pick) {
                    Ok(_) => {
                        prop_assert_eq!(h.tx_count(), before);
                        check_invariants(&h)?;
                        continue;
                    }
                    Err(e) => Err(e),
                }
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
                verdict: coinguard::domain::Outcome::Allow,
                tx: Some(tx),
                replayed: false,
                ..
            }) => {
                prop_assert_eq!(h.tx_count(), before + 1);
                committed.push(tx);
            }
            Ok(Outcome {
                verdict: coinguard::domain::Outcome::Allow,
                replayed: true,
                ..
            }) => prop_assert_eq!(h.tx_count(), before),
            Ok(Outcome {
                verdict: coinguard::domain::Outcome::Deny,
                reasons,
                ..
            }) => {
                prop_assert!(!reasons.is_empty(), "a denial without a reason");
                prop_assert_eq!(h.tx_count(), before, "a denial wrote a transaction");
            }
            Ok(Outcome {
                verdict: coinguard::domain::Outcome::NeedsApproval,
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
                // A gift to oneself is bad input (Ana is a spender and a creator).
                let to_self = matches!(op, Op::Gift { who, creator, .. } if SPENDERS[who] == CREATORS[creator]);
                let may_fail = to_self
                    || matches!(
                        op,
                        Op::Reverse { .. }
                            | Op::Approve { .. }
                            | Op::Deny { .. }
                            | Op::Cancel { .. }
                    );
                prop_assert!(may_fail, "{:?} failed: {}", op, e);
                prop_assert_eq!(e.kind().exit_code(), 2, "{}", e);
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
