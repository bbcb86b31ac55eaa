//! Where the money went: of the money spent on coins, what reached creators
//! as diamonds, what stayed with the platform, what is still unspent. The
//! figures are checked against the money postings (an outside count), and
//! add up to the money spent exactly and, as shown, to the cent.

use proptest::prelude::*;

use coinguard::domain::TxId;
use coinguard::ledger::Account;
use coinguard::money::Currency;
use coinguard::report::{FlowCache, MoneyFlow, household_money_flow, money_flow};
use coinguard::services::Outcome;

use crate::support::{Household, committed};

/// 0.005 USD: the default payout rate of a diamond, in micro-units.
const DIAMOND_MICROS: i64 = 5_000;

fn flow_of(h: &Household, member: &str) -> MoneyFlow {
    money_flow(
        h.store.conn(),
        h.member_id(member),
        i64::MIN,
        i64::MAX,
        DIAMOND_MICROS,
    )
    .unwrap()
}

/// Money spent on coins, counted from the member's funding account (what
/// left the family, less refunds): not from the lots.
fn spent_by_postings(h: &Household, member: &str) -> i64 {
    -h.account(Account::Funding(h.member_id(member)))
}

fn adds_up(flow: &MoneyFlow) -> bool {
    flow.spent_micros == flow.to_creators_micros + flow.to_platform_micros + flow.unspent_micros
}

#[test]
fn a_galaxy_from_the_big_pack_says_who_gets_what() {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-7000", None));
    let outcome = h.gift("Sam", "Ana", "galaxy", 1, None).unwrap();
    assert!(
        outcome
            .summary
            .ends_with("Galaxy to Ana: 1,000 coins (14.28 USD); Ana receives 500 diamonds (2.50 USD); the platform keeps 11.78 USD"),
        "{}",
        outcome.summary
    );
    let flow = flow_of(&h, "Sam");
    assert_eq!(flow.spent_micros, 99_990_000);
    assert_eq!(flow.to_creators_micros, 2_500_000);
    // 1,000 of 7,000 coins bought for 99.99: 14.284285 USD, rounded down per lot share.
    assert_eq!(flow.to_platform_micros, 14_284_285 - 2_500_000);
    assert_eq!(flow.unspent_micros, 99_990_000 - 14_284_285);
    assert!(adds_up(&flow));
    let shown = flow.for_display(Currency::USD).map(|m| m.to_string());
    assert_eq!(
        shown,
        ["99.99 USD", "2.50 USD", "11.78 USD", "85.71 USD"].map(String::from)
    );
    assert_eq!(
        coinguard::report::flow_words(&flow, Currency::USD),
        "of 99.99 USD spent on coins, 2.50 USD reached creators as diamonds, 11.78 USD stayed with the platform and 85.71 USD is still in unspent coins"
    );
}

#[test]
fn granted_coins_are_no_money_spent_and_a_refund_is_not_spent() {
    let mut h = Household::new();
    committed(h.grant("Sam", 500));
    committed(h.gift("Sam", "Ana", "concert", 1, None));
    assert_eq!(flow_of(&h, "Sam"), MoneyFlow::default());
    let bought = committed(h.buy("Sam", "coins-350", None));
    committed(h.gift("Sam", "Ana", "doughnut", 1, None));
    committed(h.reverse(bought));
    let flow = flow_of(&h, "Sam");
    assert_eq!(flow.spent_micros, spent_by_postings(&h, "Sam"));
    assert_eq!(flow.unspent_micros, 0);
    assert!(adds_up(&flow), "{flow:?}");
}

#[derive(Debug, Clone)]
enum Op {
    Buy { who: usize, pack: usize },
    BuyCustom { who: usize, coins: u64 },
    Grant { who: usize, coins: u64 },
    Gift { who: usize, gift: usize, count: u64 },
    Redeem { diamonds: u64 },
    Reverse { pick: usize },
}

const WHO: [&str; 2] = ["Sam", "Lee"];
const PACKS: [&str; 4] = ["coins-70", "coins-350", "coins-700", "coins-1400"];
const GIFTS: [&str; 4] = ["rose", "finger-heart", "doughnut", "hand-hearts"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..2usize, 0..4usize).prop_map(|(who, pack)| Op::Buy { who, pack }),
        1 => (0..2usize, 1..3000u64).prop_map(|(who, coins)| Op::BuyCustom { who, coins }),
        1 => (0..2usize, 1..500u64).prop_map(|(who, coins)| Op::Grant { who, coins }),
        4 => (0..2usize, 0..4usize, 1..6u64).prop_map(|(who, gift, count)| Op::Gift { who, gift, count }),
        1 => (1..3000u64).prop_map(|diamonds| Op::Redeem { diamonds }),
        2 => any::<usize>().prop_map(|pick| Op::Reverse { pick }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Over random histories of purchases, grants, gifts, redemptions and
    /// reversals: the money spent equals what the funding accounts paid,
    /// and spent = to creators + to the platform + unspent, to the
    /// micro-unit, and as shown, to the cent.
    #[test]
    fn the_four_figures_add_up_to_the_money_spent(ops in proptest::collection::vec(op(), 1..30)) {
        let mut h = Household::new();
        let mut txs: Vec<TxId> = Vec::new();
        // Asked after every step, as the audit screen asks on every reload.
        let mut cache = FlowCache::default();
        let mut cached_span = FlowCache::default();
        for op in ops {
            let outcome = match op {
                Op::Buy { who, pack } => h.buy(WHO[who], PACKS[pack], None),
                Op::BuyCustom { who, coins } => h.buy_custom(WHO[who], coins),
                Op::Grant { who, coins } => h.grant(WHO[who], coins),
                Op::Gift { who, gift, count } => h.gift(WHO[who], "Ana", GIFTS[gift], count, None),
                Op::Redeem { diamonds } => h.redeem("Ana", diamonds),
                Op::Reverse { pick } => {
                    if txs.is_empty() { continue; }
                    let tx = txs[pick % txs.len()];
                    h.reverse(tx)
                }
            };
            if let Ok(Outcome { tx: Some(tx), replayed: false, .. }) = outcome {
                txs.push(tx);
            }
            let mut total = MoneyFlow::default();
            for who in WHO {
                let flow = flow_of(&h, who);
                prop_assert_eq!(flow.spent_micros, spent_by_postings(&h, who), "{} {:?}", who, flow);
                prop_assert!(adds_up(&flow), "{} {:?}", who, flow);
                prop_assert!(flow.unspent_micros >= 0 && flow.to_creators_micros >= 0);
                let [spent, a, b, c] = flow.for_display(Currency::USD);
                let shown = a.checked_add(b).and_then(|ab| ab.checked_add(c)).unwrap();
                prop_assert_eq!(shown, spent, "as shown, to the cent: {:?}", flow);
                total = total.plus(flow);
            }
            let ids = WHO.map(|w| h.member_id(w));
            let household = household_money_flow(h.store.conn(), &ids, i64::MIN, i64::MAX, DIAMOND_MICROS).unwrap();
            prop_assert_eq!(household, total);
            // Kept between calls and brought up to date, the answer is the
            // one worked out from nothing, to the micro-unit: for all time,
            // and for the purchases of the first ten minutes asked as two spans
            // (later purchases fall outside of them).
            let kept = cache.household_money_flow(h.store.conn(), &ids, &[(i64::MIN, i64::MAX)], DIAMOND_MICROS).unwrap();
            prop_assert_eq!(kept, household);
            let start_us = crate::support::start().timestamp_micros();
            let (from, from_split, until) = (i64::MIN, start_us + 4 * 60_000_000, start_us + 10 * 60_000_000);
            let kept = cached_span.household_money_flow(h.store.conn(), &ids, &[(from, from_split), (from_split, until)], DIAMOND_MICROS).unwrap();
            prop_assert_eq!(kept, household_money_flow(h.store.conn(), &ids, from, until, DIAMOND_MICROS).unwrap());
            // What reached creators is never more than their diamonds are worth.
            let diamonds_worth = (h.earnings("Ana") + redeemed(&h)) * DIAMOND_MICROS;
            prop_assert!(total.to_creators_micros <= diamonds_worth);
        }
    }
}

/// Diamonds Ana has cashed out so far (they left her earnings).
fn redeemed(h: &Household) -> i64 {
    h.store
        .conn()
        .query_row(
            "SELECT COALESCE(SUM(-ps.amount), 0) FROM postings ps JOIN accounts a ON a.id = ps.account_id
             JOIN transactions t ON t.id = ps.tx_id
             WHERE a.name = ?1 AND ps.amount < 0 AND t.kind = 'redeem'",
            [Account::Earnings(h.member_id("Ana")).name()],
            |r| r.get(0),
        )
        .unwrap()
}

/// The weekly summary on the command line: money spent on coins, gifts per
/// creator with their money value, limits used, refusals, requests and how
/// they ended, and where the money went; the same in JSON.
#[test]
fn the_weekly_report_says_what_happened_and_where_the_money_went() {
    let h = crate::cli::CliHousehold::new();
    let ok = |out: std::process::Output| {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    ok(h.guardian(&[
        "limit", "set", "Lee", "--scope", "purchase", "--window", "week", "--hard", "30",
    ]));
    ok(h.guardian(&["rule", "creator", "Lee", "Ana", "--allow"]));
    ok(h.run(&["buy", "Lee", "coins-1400"]));
    ok(h.run(&["gift", "Lee", "Ana", "concert"]));
    // Over the week's cap: refused.
    assert_eq!(h.run(&["buy", "Lee", "coins-1400"]).status.code(), Some(4));
    // Sam is 15: a request, then denied.
    assert_eq!(h.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    ok(h.guardian(&["request", "deny", "1", "--reason", "not this week"]));

    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
        .to_string();
    let (code, doc) = h.json(&["report", "--period", "week", "--at", &today]);
    assert_eq!(code, Some(0), "{doc}");
    let reports = doc["reports"].as_array().unwrap();
    let lee = reports.iter().find(|r| r["member"] == "Lee").unwrap();
    assert_eq!(lee["purchases"]["amount"], "19.99");
    assert_eq!(lee["top_creators"][0]["creator"], "Ana");
    assert_eq!(lee["top_creators"][0]["coins"], 500);
    assert_eq!(lee["top_creators"][0]["cost"]["amount"], "7.139285");
    assert_eq!(lee["refused"], 1);
    assert_eq!(lee["limits_used"][0]["percent"], 66);
    assert_eq!(lee["money_flow"]["spent"]["amount"], "19.99");
    assert_eq!(lee["money_flow"]["to_creators"]["amount"], "1.25");
    let sam = reports.iter().find(|r| r["member"] == "Sam").unwrap();
    assert_eq!(sam["requests"][0]["status"], "denied");
    assert_eq!(sam["requests"][0]["resolution"], "not this week");

    let out = h.run(&[
        "report", "--period", "week", "--at", &today, "--member", "Lee",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("where the money went: of 19.99 USD spent on coins, 1.25 USD reached creators as diamonds, 5.89 USD stayed with the platform and 12.85 USD is still in unspent coins"),
        "{text}"
    );
    assert!(text.contains("gifted Ana: 500 coins (7.14 USD)"), "{text}");
    assert!(text.contains("refused attempts: 1"), "{text}");
    let out = h.run(&[
        "report", "--period", "week", "--at", &today, "--member", "Sam",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("request #1 Sam buys 70 coins for 0.99 USD")
            && text.contains("denied: not this week"),
        "{text}"
    );

    // The catalog: each gift's split, and the household's so far.
    let out = h.run(&["catalog"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("galaxy            1,000 coins    14.14 USD   creator: 500 diamonds = 2.50 USD; the platform keeps 11.64 USD"),
        "{text}"
    );
    assert!(
        text.contains("Where the money went, so far: of 19.99 USD spent on coins"),
        "{text}"
    );
    let (code, doc) = h.json(&["catalog"]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["money_flow"]["spent"]["amount"], "19.99", "{doc}");
    assert_eq!(
        doc["gifts"][5]["platform_keeps"]["amount"], "11.642857",
        "{doc}"
    );
}

/// A long-running session keeps the figures between calls: a household file
/// put back from elsewhere under it (same transaction ids, another history),
/// or a new payout rate, is answered from the file as it now is, not from
/// what was kept.
#[test]
fn kept_figures_follow_a_replaced_file_and_a_new_payout_rate() {
    let mut first = Household::new();
    committed(first.buy("Sam", "coins-350", None));
    committed(first.gift("Sam", "Ana", "doughnut", 1, None));
    let mut other = Household::new();
    committed(other.buy("Sam", "coins-7000", None));
    committed(other.gift("Sam", "Ana", "galaxy", 1, None));
    let ids = WHO.map(|w| first.member_id(w));
    assert_eq!(ids, WHO.map(|w| other.member_id(w)));
    let all = [(i64::MIN, i64::MAX)];
    let mut cache = FlowCache::default();
    let kept = cache
        .household_money_flow(first.store.conn(), &ids, &all, DIAMOND_MICROS)
        .unwrap();
    assert_eq!(kept.spent_micros, 4_990_000);
    let kept = cache
        .household_money_flow(other.store.conn(), &ids, &all, DIAMOND_MICROS)
        .unwrap();
    assert_eq!(kept, flow_of(&other, "Sam"));
    assert_eq!(kept.to_creators_micros, 2_500_000);
    let doubled = cache
        .household_money_flow(other.store.conn(), &ids, &all, 2 * DIAMOND_MICROS)
        .unwrap();
    assert_eq!(doubled.to_creators_micros, 5_000_000);
}
