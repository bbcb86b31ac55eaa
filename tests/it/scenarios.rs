//! Runs every `tests/scenarios/*.toml`: a household, its policy, and steps
//! with the outcome and reasons each must produce. Scenario files are meant to
//! be read by people: they document the guard's behaviour.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use coinguard::auth::Pin;
use coinguard::config::{Config, Verdict};
use coinguard::domain::{BirthDate, FixedClock, Memo, Name, TxId};
use coinguard::ledger::{self, CreatorList, Limit, QuietHours};
use coinguard::money::{Coins, Diamonds};
use coinguard::services::{
    self, GiftRequest, GrantRequest, Mode, PurchaseRequest, RedeemRequest, ReverseRequest,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    description: String,
    #[serde(default = "default_timezone")]
    timezone: String,
    start: String,
    #[serde(default)]
    members: Vec<MemberSpec>,
    #[serde(default)]
    limits: Vec<LimitSpec>,
    #[serde(default)]
    quiet_hours: Vec<QuietSpec>,
    #[serde(default)]
    creators: Vec<CreatorSpec>,
    steps: Vec<Step>,
}

fn default_timezone() -> String {
    "America/New_York".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberSpec {
    name: String,
    role: String,
    birthdate: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitSpec {
    member: String,
    scope: String,
    window: String,
    soft: Option<String>,
    hard: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuietSpec {
    member: String,
    from: String,
    to: String,
    action: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreatorSpec {
    member: String,
    creator: String,
    list: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    /// Set the clock first (RFC 3339).
    at: Option<String>,
    /// buy, buy_coins, gift, redeem, grant, reverse, preview_buy
    #[serde(rename = "do")]
    action: String,
    member: Option<String>,
    pack: Option<String>,
    coins: Option<u64>,
    creator: Option<String>,
    gift: Option<String>,
    count: Option<u64>,
    diamonds: Option<u64>,
    tx: Option<i64>,
    /// For approve, deny, cancel, again, check_request: the request number.
    request: Option<i64>,
    /// For deny: the reason. For again: the note.
    reason: Option<String>,
    note: Option<String>,
    /// For set_limit: the limit (member, scope, window, soft, hard).
    scope: Option<String>,
    window: Option<String>,
    soft: Option<String>,
    hard: Option<String>,
    /// For check_request: the status it must have.
    status: Option<String>,
    /// The request a pending outcome must have created.
    creates_request: Option<i64>,
    /// committed, would_commit, pending, denied, done, or error (then
    /// `message` is matched against the error).
    expect: String,
    /// The rule ids of the reasons, in order.
    #[serde(default)]
    reasons: Vec<String>,
    /// Text the first reason's message must contain.
    message: Option<String>,
}

const PIN: &str = "scenario pin 1";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("bad time {text:?}: {e}"))
        .with_timezone(&Utc)
}

fn run(path: &Path) {
    coinguard::auth::hash_pins_cheaply_for_tests();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(path).unwrap();
    let scenario: Scenario = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let clock = FixedClock::new(at(&scenario.start));
    let mut config = Config::defaults().unwrap();
    config.settings.timezone = coinguard::domain::parse_timezone(&scenario.timezone).unwrap();
    let pin = Pin::parse(PIN).unwrap();
    let mut store = services::init_household(
        &dir.path().join("h.db"),
        &config,
        &Name::parse("Guardian").unwrap(),
        &pin,
        &clock,
    )
    .unwrap();
    let pass = coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
    let today = clock_today(&clock, &config);
    store
        .write(&clock, |w| {
            for m in &scenario.members {
                let birth = BirthDate::parse(&m.birthdate, today).unwrap();
                ledger::add_member(
                    w,
                    &pass,
                    &Name::parse(&m.name).unwrap(),
                    m.role.parse().unwrap(),
                    Some(birth),
                )?;
            }
            Ok::<_, ledger::LedgerError>(())
        })
        .unwrap();
    let id = |store: &ledger::Store, n: &str| ledger::find_member(store.conn(), n).unwrap().id;
    for l in &scenario.limits {
        let scope = l.scope.parse().unwrap();
        let amount = |t: &Option<String>| {
            t.as_deref().map(|t| {
                services::parse_limit_amount(t, scope, store.config().unwrap().settings.currency)
                    .unwrap()
            })
        };
        let limit = Limit {
            member: id(&store, &l.member),
            scope,
            window: l.window.parse().unwrap(),
            soft: amount(&l.soft),
            hard: amount(&l.hard),
        };
        store
            .write(&clock, |w| ledger::set_limit(w, &pass, &limit))
            .unwrap();
    }
    for q in &scenario.quiet_hours {
        let verdict = if q.action == "deny" {
            Verdict::Deny
        } else {
            Verdict::NeedsApproval
        };
        let quiet = QuietHours {
            start_minute: coinguard::domain::parse_time_of_day(&q.from).unwrap(),
            end_minute: coinguard::domain::parse_time_of_day(&q.to).unwrap(),
            verdict,
        };
        let member = id(&store, &q.member);
        store
            .write(&clock, |w| {
                ledger::set_quiet_hours(w, &pass, member, Some(quiet))
            })
            .unwrap();
    }
    for c in &scenario.creators {
        let list = if c.list == "block" {
            CreatorList::Block
        } else {
            CreatorList::Allow
        };
        let (member, creator) = (id(&store, &c.member), id(&store, &c.creator));
        store
            .write(&clock, |w| {
                ledger::set_creator_list(w, &pass, member, creator, Some(list))
            })
            .unwrap();
    }

    for (i, step) in scenario.steps.iter().enumerate() {
        let here = format!("{name} step {} ({} {:?})", i + 1, step.action, step.member);
        if let Some(t) = &step.at {
            clock.set(at(t));
        }
        let member = step.member.as_deref().unwrap_or("Guardian");
        let outcome = match step.action.as_str() {
            "buy" | "preview_buy" => {
                let mode = if step.action == "buy" {
                    Mode::Commit
                } else {
                    Mode::Preview
                };
                let pack = step
                    .pack
                    .as_deref()
                    .unwrap_or_else(|| panic!("{here}: buy needs pack"));
                services::purchase(
                    &mut store,
                    &clock,
                    mode,
                    &PurchaseRequest::Pack {
                        member,
                        pack,
                        key: None,
                    },
                )
            }
            "buy_coins" => {
                let coins = Coins::new(
                    step.coins
                        .unwrap_or_else(|| panic!("{here}: buy_coins needs coins")),
                );
                services::purchase(
                    &mut store,
                    &clock,
                    Mode::Commit,
                    &PurchaseRequest::Custom {
                        member,
                        coins,
                        key: None,
                    },
                )
            }
            "gift" => {
                let request = GiftRequest {
                    member,
                    creator: step
                        .creator
                        .as_deref()
                        .unwrap_or_else(|| panic!("{here}: gift needs creator")),
                    gift: step
                        .gift
                        .as_deref()
                        .unwrap_or_else(|| panic!("{here}: gift needs gift")),
                    count: step.count.unwrap_or(1),
                    key: None,
                };
                services::gift(&mut store, &clock, Mode::Commit, &request)
            }
            "redeem" => {
                let diamonds = Diamonds::new(
                    step.diamonds
                        .unwrap_or_else(|| panic!("{here}: redeem needs diamonds")),
                );
                services::redeem(
                    &mut store,
                    &clock,
                    Mode::Commit,
                    &RedeemRequest {
                        creator: member,
                        diamonds,
                        key: None,
                    },
                )
            }
            "grant" => {
                let coins = Coins::new(
                    step.coins
                        .unwrap_or_else(|| panic!("{here}: grant needs coins")),
                );
                let request = GrantRequest {
                    member,
                    coins,
                    memo: Memo::default(),
                    key: None,
                };
                let pass =
                    coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
                services::grant(&mut store, &clock, Mode::Commit, pass, &request)
            }
            "reverse" => {
                let tx = TxId(
                    step.tx
                        .unwrap_or_else(|| panic!("{here}: reverse needs tx")),
                );
                let request = ReverseRequest {
                    tx,
                    reason: Memo::parse("scenario").unwrap(),
                    key: None,
                };
                let pass =
                    coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
                services::reverse(&mut store, &clock, Mode::Commit, pass, &request)
            }
            "approve" => {
                let pass =
                    coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
                services::approve(&mut store, &clock, pass, request_of(step, &here))
            }
            "deny" => {
                let pass =
                    coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
                let reason = Memo::parse(step.reason.as_deref().unwrap_or_default()).unwrap();
                services::deny(&mut store, &clock, pass, request_of(step, &here), &reason).map(done)
            }
            "cancel" => {
                services::cancel(&mut store, &clock, member, request_of(step, &here)).map(done)
            }
            "again" => {
                let note = Memo::parse(step.note.as_deref().unwrap_or_default()).unwrap();
                services::ask_again(&mut store, &clock, request_of(step, &here), &note)
            }
            "check_request" => {
                let request =
                    services::request(&mut store, &clock, request_of(step, &here)).unwrap();
                assert_eq!(
                    Some(request.status.as_str()),
                    step.status.as_deref(),
                    "{here}: {request:?}"
                );
                Ok(done(request))
            }
            "set_limit" => {
                let scope = step.scope.as_deref().unwrap_or_default().parse().unwrap();
                let amount = |t: &Option<String>| {
                    t.as_deref().map(|t| {
                        services::parse_limit_amount(
                            t,
                            scope,
                            store.config().unwrap().settings.currency,
                        )
                        .unwrap()
                    })
                };
                let spec = services::LimitSpec {
                    scope,
                    window: step.window.as_deref().unwrap_or_default().parse().unwrap(),
                    soft: amount(&step.soft),
                    hard: amount(&step.hard),
                };
                let pass =
                    coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
                services::set_limit(&mut store, &clock, pass, member, spec).map(|_| {
                    services::Outcome {
                        verdict: coinguard::domain::Outcome::Allow,
                        tx: None,
                        request: None,
                        replayed: false,
                        summary: "limit set".into(),
                        reasons: Vec::new(),
                        money_micros: None,
                    }
                })
            }
            other => panic!("{here}: unknown action {other:?}"),
        };
        if step.expect == "error" {
            let err = outcome
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| panic!("{here}: expected an error"));
            let expected = step.message.as_deref().unwrap_or_default();
            assert!(
                err.contains(expected),
                "{here}: expected {expected:?} in error {err:?}"
            );
            continue;
        }
        let outcome = outcome.unwrap_or_else(|e| panic!("{here}: failed: {e}"));
        if let Some(id) = step.creates_request {
            assert_eq!(outcome.request, Some(id), "{here}: {outcome:?}");
        }
        // Steps that change policy or a request (no transaction) answer with
        // their own words: "limit set" is written, so it reads "committed".
        let kind = match (outcome.summary.as_str(), outcome.tx) {
            ("done", None) => "done",
            ("limit set", None) => "committed",
            _ => outcome.word(),
        };
        let rules: Vec<&str> = outcome.reasons.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(
            kind, step.expect,
            "{here}: {}\n  reasons: {:?}",
            outcome.summary, outcome.reasons
        );
        assert_eq!(rules, step.reasons, "{here}: reasons {:?}", outcome.reasons);
        if let Some(expected) = &step.message {
            let first = outcome
                .reasons
                .first()
                .map(|r| r.message.as_str())
                .unwrap_or_default();
            assert!(
                first.contains(expected.as_str()),
                "{here}: expected {expected:?} in {first:?}"
            );
        }
    }
    let report = ledger::verify(store.conn()).unwrap();
    assert_eq!(report.problem, None, "{name}: verify after the scenario");
    assert!(!scenario.description.is_empty());
}

fn request_of(step: &Step, here: &str) -> i64 {
    step.request
        .unwrap_or_else(|| panic!("{here}: needs request"))
}

/// A step that changed a request rather than the ledger.
fn done(_: coinguard::ledger::Request) -> services::Outcome {
    services::Outcome {
        verdict: coinguard::domain::Outcome::Allow,
        tx: None,
        request: None,
        replayed: false,
        summary: "done".into(),
        reasons: Vec::new(),
        money_micros: None,
    }
}

fn clock_today(clock: &FixedClock, config: &Config) -> chrono::NaiveDate {
    use coinguard::domain::Clock;
    clock
        .now()
        .with_timezone(&config.settings.timezone)
        .date_naive()
}

#[test]
fn every_scenario_file_holds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the scenario files, found {}",
        files.len()
    );
    for file in files {
        run(&file);
    }
}
