//! The read side: history pages and filters, period reports, and exports that
//! real tools (Python's csv module, hledger) read back to the same figures.

use std::collections::BTreeMap;
use std::process::Command;

use chrono::TimeDelta;
use coinguard::domain::{Name, Role, Scope, Window};
use coinguard::ledger::{self, Kind, Limit};
use coinguard::report::{self, Format, HistoryFilter, Period};

use crate::support::{Household, committed};

/// 30 transactions over 6 days, of every kind, by a member whose name needs quoting.
fn busy_household() -> Household {
    let mut h = Household::new();
    let tricky = Name::parse("Zoë \"Z\", Jr.").unwrap();
    let birth =
        coinguard::domain::BirthDate::parse("1999-01-01", crate::support::start().date_naive())
            .unwrap();
    let creator = h.member_id("Ana");
    let pass = h.pass();
    h.store
        .write(&h.clock, |w| {
            let z = ledger::add_member(w, &pass, &tricky, Role::Teen, Some(birth))?;
            ledger::set_creator_list(w, &pass, z, creator, Some(ledger::CreatorList::Allow))
        })
        .unwrap();
    for day in 0..6 {
        committed(h.buy("Sam", "coins-350", None));
        committed(h.gift("Sam", "Ana", "doughnut", 2, None));
        committed(h.buy(tricky.as_str(), "coins-70", None));
        committed(h.gift(tricky.as_str(), "Ana", "rose", 5, None));
        committed(h.grant("Lee", 10));
        let _ = day;
        h.clock.advance(TimeDelta::days(1));
    }
    h
}

fn tz() -> chrono_tz::Tz {
    chrono_tz::America::New_York
}

#[test]
fn history_pages_cover_everything_once_newest_first() {
    let h = busy_household();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = report::history_page(h.store.conn(), &HistoryFilter::default(), tz(), cursor, 7)
            .unwrap();
        assert!(page.rows.len() <= 7);
        seen.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, (1..=30).rev().collect::<Vec<i64>>());
}

#[test]
fn history_rows_carry_coins_money_and_filters_narrow_them() {
    let h = busy_household();
    let sam = h.member_id("Sam");
    let filter = HistoryFilter {
        member: Some(sam),
        kind: Some(Kind::Gift),
        ..Default::default()
    };
    let page = report::history_page(h.store.conn(), &filter, tz(), None, 50).unwrap();
    assert_eq!(page.rows.len(), 6);
    let gift = &page.rows[5]; // the first gift: 60 coins from the first 350-coin lot
    assert_eq!(
        (gift.coins, gift.diamonds, gift.money_micros),
        (-60, 30, 855_428)
    );
    assert_eq!(gift.counterparty.as_deref(), Some("Ana"));
    // Local calendar days, inclusive.
    let day2 = (crate::support::start() + TimeDelta::days(1))
        .with_timezone(&tz())
        .date_naive();
    let filter = HistoryFilter {
        since: Some(day2),
        until: Some(day2),
        ..Default::default()
    };
    let page = report::history_page(h.store.conn(), &filter, tz(), None, 50).unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![10, 9, 8, 7, 6]
    );
    let purchase = page
        .rows
        .iter()
        .find(|r| r.kind == Kind::Purchase && r.member == "Sam")
        .unwrap();
    assert_eq!((purchase.coins, purchase.money_micros), (350, 4_990_000));
    let grant = page.rows.iter().find(|r| r.kind == Kind::Grant).unwrap();
    assert_eq!(
        (grant.coins, grant.money_micros, grant.memo.as_str()),
        (10, 141_429, "allowance")
    );
}

#[test]
fn a_month_report_shows_limits_top_creators_refusals_and_requests() {
    let mut h = busy_household();
    let sam = h.member_id("Sam");
    let pass = h.pass();
    h.store
        .write(&h.clock, |w| {
            ledger::set_limit(
                w,
                &pass,
                &Limit {
                    member: sam,
                    scope: Scope::Purchase,
                    window: Window::Month,
                    soft: None,
                    hard: Some(crate::support::usd_micros(40_000_000)),
                },
            )
        })
        .unwrap();
    let refused = h.buy("Sam", "coins-17500", None).unwrap();
    assert_eq!(refused.verdict, coinguard::domain::Outcome::Deny);
    let config = h.store.config().unwrap();
    let member = ledger::find_member(h.store.conn(), "Sam").unwrap();
    use coinguard::domain::Clock;
    let r = report::period_report(
        h.store.conn(),
        &config,
        &member,
        Period::Month,
        h.clock.now(),
    )
    .unwrap();
    assert_eq!(r.spent.purchase_micros, 6 * 4_990_000);
    assert_eq!(r.spent.gift_coins, 360);
    assert_eq!(r.limits.len(), 1);
    assert_eq!(
        (r.limits[0].used, r.limits[0].remaining, r.limits[0].percent),
        (29_940_000, 10_060_000, 74)
    );
    assert_eq!(r.top_creators.len(), 1);
    assert_eq!(
        (r.top_creators[0].0.as_str(), r.top_creators[0].1),
        ("Ana", 360)
    );
    assert_eq!(r.refused_count, 1);
    assert!(
        r.refused_latest[0]
            .reason
            .contains("above the limit of 40.00 USD")
    );
}

fn export(h: &Household, format: Format) -> String {
    let mut out = Vec::new();
    report::export(
        h.store.conn(),
        &HistoryFilter::default(),
        coinguard::money::Currency::USD,
        tz(),
        format,
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn pythons_csv_module_reads_the_csv_back_to_the_same_rows() {
    let h = busy_household();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    std::fs::write(&path, export(&h, Format::Csv)).unwrap();
    let script = "import csv,sys,json\nrows=list(csv.DictReader(open(sys.argv[1],newline='',encoding='utf-8')))\nprint(json.dumps([[r['id'],r['member'],r['coins'],r['money']] for r in rows]))";
    let out = Command::new("python3")
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .expect("python3 is on every machine of this kind");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[2], ["3", "Zoë \"Z\", Jr.", "70", "0.99"]);
    assert_eq!(rows[1], ["2", "Sam", "-60", "0.855428"]);
    let page =
        report::history_page(h.store.conn(), &HistoryFilter::default(), tz(), None, 500).unwrap();
    let ours: Vec<String> = page.rows.iter().rev().map(|r| r.member.clone()).collect();
    let theirs: Vec<String> = rows.iter().map(|r| r[1].clone()).collect();
    assert_eq!(ours, theirs);
}

#[test]
fn the_json_export_parses_with_decimals_as_strings() {
    let h = busy_household();
    let doc: serde_json::Value = serde_json::from_str(&export(&h, Format::Json)).unwrap();
    assert_eq!(doc["currency"], "USD");
    assert_eq!(doc["transactions"].as_array().unwrap().len(), 30);
    assert_eq!(
        doc["transactions"][0]["money"],
        serde_json::json!({"amount": "4.99", "currency": "USD"})
    );
    assert_eq!(
        doc["transactions"][1]["money"],
        serde_json::json!({"amount": "0.855428", "currency": "USD"})
    );
    assert_eq!(doc["transactions"][2]["member"], "Zoë \"Z\", Jr.");
}

#[test]
fn hledger_loads_the_journal_with_our_balances() {
    if Command::new("hledger").arg("--version").output().is_err() {
        if std::env::var_os("COINGUARD_HLEDGER_UNAVAILABLE").is_some() {
            eprintln!(
                "SKIPPED: hledger could not be installed (apt unreachable), so the journal was not loaded"
            );
            return;
        }
        panic!("hledger is not installed: .ci/run installs it (apt-get install hledger)");
    }
    let mut h = busy_household();
    // Names hledger cannot take as they are (a colon, a semicolon, two
    // spaces), two that become the same once made safe, and a formula.
    let today = crate::support::start().date_naive();
    for name in ["Kai: the 2nd", "Kai; the 2nd", "Two  spaces", "=1+2"] {
        let birth = coinguard::domain::BirthDate::parse("1990-01-01", today).unwrap();
        let pass = h.pass();
        h.store
            .write(&h.clock, |w| {
                ledger::add_member(
                    w,
                    &pass,
                    &Name::parse(name).unwrap(),
                    Role::Teen,
                    Some(birth),
                )
            })
            .unwrap();
        committed(h.grant(name, 10));
    }
    // Reversals too: a gift (coins back, diamonds away) and a grant.
    committed(h.reverse(coinguard::domain::TxId(2)));
    committed(h.reverse(coinguard::domain::TxId(5)));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.journal");
    let journal = export(&h, Format::Hledger);
    std::fs::write(&path, &journal).unwrap();
    let out = Command::new("hledger")
        .args([
            "-f",
            path.to_str().unwrap(),
            "balance",
            "--flat",
            "--no-total",
            "-O",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hledger refused the journal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let theirs: BTreeMap<String, String> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    // Our accounts, named as the journal names them: members by name, with
    // the id only where the name had to change.
    let mut stmt = h.store.conn().prepare(
        "SELECT a.name, a.unit, b.balance, m.id, m.name FROM balances b JOIN accounts a ON a.id = b.account_id
         LEFT JOIN members m ON a.name LIKE '%:' || m.id || ':%' WHERE b.balance != 0",
    ).unwrap();
    let ours: BTreeMap<String, String> = stmt
        .query_map([], |r| {
            let (name, unit, balance): (String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let (id, member): (Option<i64>, Option<String>) = (r.get(3)?, r.get(4)?);
            let shown = if unit == "USD" {
                format!("{:.6} USD", rust_decimal::Decimal::new(balance, 6))
            } else {
                format!("{balance} {unit}")
            };
            let named = match (id, member.as_deref()) {
                (Some(id), Some(member)) => {
                    let part = match member {
                        "Kai: the 2nd" | "Kai; the 2nd" => format!("Kai_ the 2nd #{id}"),
                        "Two  spaces" => format!("Two spaces #{id}"),
                        plain => plain.to_string(),
                    };
                    let (scope, what) = name.split_once(&format!(":{id}:")).unwrap();
                    let scope = if scope == "member" { "members" } else { scope };
                    format!("{scope}:{part}:{what}")
                }
                _ => name,
            };
            Ok((named, shown))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(ours.contains_key("members:Sam:wallet"), "{ours:?}");
    assert!(ours.contains_key("external:Sam:funding"), "{ours:?}");
    assert!(
        ours.contains_key("members:Zoë \"Z\", Jr.:wallet"),
        "{ours:?}"
    );
    assert!(ours.contains_key("members:=1+2:wallet"), "{ours:?}");
    assert!(
        journal.contains("members:Kai_ the 2nd #"),
        "names that clash once made safe carry their id"
    );
    assert_eq!(theirs, ours);
}

/// Every page of an export after the one before, joined.
fn joined_pages(
    h: &Household,
    filter: &HistoryFilter,
    format: Format,
    size: usize,
) -> (String, u64) {
    let (mut text, mut pages, mut after) = (String::new(), 0, None);
    loop {
        let page = report::export_page(
            h.store.conn(),
            filter,
            coinguard::money::Currency::USD,
            tz(),
            format,
            after,
            size,
        )
        .unwrap();
        assert!(page.rows <= size as u64, "{format:?}: {} rows", page.rows);
        text.push_str(&page.text);
        pages += 1;
        match page.next {
            Some(id) => after = Some(id),
            None => return (text, pages),
        }
    }
}

#[test]
fn a_paged_export_is_byte_identical_to_a_whole_one() {
    let h = busy_household();
    let filters = [
        HistoryFilter::default(),
        HistoryFilter {
            member: Some(h.member_id("Sam")),
            ..HistoryFilter::default()
        },
        // Nothing matches: the framing alone.
        HistoryFilter {
            kind: Some(Kind::Redeem),
            ..HistoryFilter::default()
        },
    ];
    for format in [Format::Csv, Format::Json, Format::Hledger] {
        for filter in &filters {
            let mut whole = Vec::new();
            let rows = report::export(
                h.store.conn(),
                filter,
                coinguard::money::Currency::USD,
                tz(),
                format,
                &mut whole,
            )
            .unwrap();
            let whole = String::from_utf8(whole).unwrap();
            for size in [1, 2, 7, 30, 5_000] {
                let (joined, pages) = joined_pages(&h, filter, format, size);
                assert_eq!(joined, whole, "{format:?}, {filter:?}, pages of {size}");
                let expected_pages = (rows.max(1)).div_ceil(size as u64);
                assert_eq!(pages, expected_pages, "{format:?}, pages of {size}");
            }
        }
    }
    // The JSON pages joined are one document with every transaction.
    let (json, _) = joined_pages(&h, &HistoryFilter::default(), Format::Json, 4);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["transactions"].as_array().unwrap().len(), 30);
}

#[test]
fn the_household_api_exports_in_pages_as_the_service_sends_them() {
    use coinguard::api::Call;
    use coinguard::api::call::HistoryQuery;
    use coinguard::api::reply::{ExportView, Reply};
    let h = busy_household();
    let config = h.store.config().unwrap();
    for format in [Format::Csv, Format::Json, Format::Hledger] {
        let mut whole = Vec::new();
        report::export(
            h.store.conn(),
            &HistoryFilter::default(),
            config.settings.currency,
            config.settings.timezone,
            format,
            &mut whole,
        )
        .unwrap();
        let mut household = coinguard::client::Household::open(&h.path(), &h.clock).unwrap();
        let (mut joined, mut after, mut rows) = (String::new(), None, 0);
        loop {
            let reply = household
                .call(Call::Export {
                    query: HistoryQuery::default(),
                    format,
                    after,
                    limit: 4,
                })
                .unwrap();
            let Reply::Export(ExportView {
                text,
                rows: n,
                next,
            }) = reply
            else {
                panic!("{reply:?}");
            };
            joined.push_str(&text);
            rows += n;
            match next {
                Some(id) => after = Some(id),
                None => break,
            }
        }
        assert_eq!(joined, String::from_utf8(whole).unwrap(), "{format:?}");
        assert_eq!(rows, 30);
    }
}
