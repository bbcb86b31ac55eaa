//! A demo household with three months of plausible history, made through the
//! same guarded paths as real use (every purchase judged, every approval with
//! a guardian's PIN), so what the demo shows is what the product does.

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};

use super::policy::{LimitSpec, set_creator_list, set_limit, set_quiet_hours};
use super::{GiftRequest, GrantRequest, Mode, PurchaseRequest, RedeemRequest, ServiceError};
use crate::auth::{self, Pin};
use crate::config::{Config, Verdict};
use crate::domain::{BirthDate, FixedClock, Memo, Name, Role, Scope, Window};
use crate::ledger::{self, CreatorList, QuietHours, Store};
use crate::money::{Coins, Diamonds};

/// The demo guardians' PIN, printed by `coinguard demo`.
pub const DEMO_PIN: &str = "demo passphrase";

/// What the demo made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub transactions: i64,
    pub pending_requests: usize,
    pub alerts: usize,
}

fn years_ago(now: DateTime<Utc>, years: i32, month: u32, day: u32) -> BirthDate {
    use chrono::Datelike;
    let date = chrono::NaiveDate::from_ymd_opt(now.year() - years, month, day).unwrap_or_default();
    BirthDate::from_stored(date)
}

/// Creates the demo household at `path` with history ending at `now`.
pub fn seed_demo(
    path: &Path,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<DemoSummary, ServiceError> {
    let clock = FixedClock::new(now - TimeDelta::days(92));
    let pin = Pin::parse(DEMO_PIN)?;
    let mut store = super::init_household(path, config, &Name::parse("Maria")?, &pin, &clock)?;
    store.relax_durability_for_seeding()?;
    let pass = |store: &mut Store, clock: &FixedClock| {
        auth::guardian_pass(store, clock, Some("Maria"), &pin)
    };

    // Who lives here: ages relative to today, so the demo stays true.
    let people: [(&str, Role, BirthDate); 7] = [
        ("Jon", Role::Guardian, years_ago(now, 44, 6, 2)),
        ("Sam", Role::Teen, years_ago(now, 15, 3, 14)),
        ("Kim", Role::Teen, years_ago(now, 12, 1, 9)),
        ("Alex", Role::Teen, years_ago(now, 19, 8, 30)),
        ("Ana", Role::Creator, years_ago(now, 24, 5, 5)),
        ("Bo", Role::Creator, years_ago(now, 31, 11, 11)),
        ("Cy", Role::Creator, years_ago(now, 22, 2, 2)),
    ];
    for (name, role, birth) in people {
        let p = pass(&mut store, &clock)?;
        let guardian_pin = (role == Role::Guardian).then_some(&pin);
        super::add_member(
            &mut store,
            &clock,
            p,
            &Name::parse(name)?,
            role,
            Some(birth),
            guardian_pin,
        )?;
    }
    let limits = [
        (
            "Sam",
            LimitSpec {
                scope: Scope::Purchase,
                window: Window::Week,
                soft: Some(10_000_000),
                hard: Some(25_000_000),
            },
        ),
        (
            "Sam",
            LimitSpec {
                scope: Scope::Gift,
                window: Window::Day,
                soft: None,
                hard: Some(500),
            },
        ),
        (
            "Alex",
            LimitSpec {
                scope: Scope::All,
                window: Window::Month,
                soft: Some(60_000_000),
                hard: None,
            },
        ),
    ];
    for (member, spec) in limits {
        let p = pass(&mut store, &clock)?;
        set_limit(&mut store, &clock, p, member, spec)?;
    }
    let p = pass(&mut store, &clock)?;
    set_quiet_hours(
        &mut store,
        &clock,
        p,
        "Sam",
        Some(QuietHours {
            start_minute: 21 * 60,
            end_minute: 7 * 60,
            verdict: Verdict::Deny,
        }),
    )?;
    for (member, creator, list) in [
        ("Sam", "Ana", CreatorList::Allow),
        ("Sam", "Bo", CreatorList::Block),
        ("Alex", "Ana", CreatorList::Allow),
        ("Alex", "Bo", CreatorList::Allow),
        ("Alex", "Cy", CreatorList::Allow),
    ] {
        let p = pass(&mut store, &clock)?;
        set_creator_list(&mut store, &clock, p, member, creator, Some(list))?;
    }

    // Three months, day by day, in the afternoon.
    let buy = |store: &mut Store, clock: &FixedClock, member: &str, pack: &str| {
        super::purchase(
            store,
            clock,
            Mode::Commit,
            &PurchaseRequest::Pack {
                member,
                pack,
                key: None,
            },
        )
    };
    let gift = |store: &mut Store,
                clock: &FixedClock,
                member: &str,
                creator: &str,
                gift: &str,
                count: u64| {
        super::gift(
            store,
            clock,
            Mode::Commit,
            &GiftRequest {
                member,
                creator,
                gift,
                count,
                key: None,
            },
        )
    };
    let gifts = ["rose", "finger-heart", "doughnut", "hand-hearts"];
    let creators = ["Ana", "Bo", "Cy"];
    // Days run at 16:00 household time, so nobody's quiet hours get in the way.
    let tz = config.settings.timezone;
    let afternoon = |days_ago: i64| {
        let date = (now - TimeDelta::days(days_ago))
            .with_timezone(&tz)
            .date_naive();
        date.and_hms_opt(16, 0, 0)
            .and_then(|t| t.and_local_timezone(tz).earliest())
            .map_or(now - TimeDelta::days(days_ago), |t| t.with_timezone(&Utc))
    };
    for day in 0..90u64 {
        clock.set(afternoon(91 - day as i64));
        let weekday = day % 7;
        if weekday == 0 {
            let p = pass(&mut store, &clock)?;
            let request = GrantRequest {
                member: "Sam",
                coins: Coins::new(150),
                memo: Memo::parse("weekly allowance")?,
                key: None,
            };
            super::grant(&mut store, &clock, Mode::Commit, p, &request)?;
        }
        // Alex, an adult, buys and gifts freely.
        if day % 3 == 0 {
            buy(
                &mut store,
                &clock,
                "Alex",
                if day % 9 == 0 {
                    "coins-1400"
                } else {
                    "coins-350"
                },
            )?;
        }
        for k in 0..(1 + day % 3) {
            clock.advance(TimeDelta::minutes(7));
            let which = ((day + k) % 4) as usize;
            let _ = gift(
                &mut store,
                &clock,
                "Alex",
                creators[((day + k) % 3) as usize],
                gifts[which],
                1 + (day % 3),
            )?;
        }
        // Sam asks; a guardian answers most requests the same evening.
        if day % 4 == 1 {
            clock.advance(TimeDelta::minutes(30));
            let outcome = buy(
                &mut store,
                &clock,
                "Sam",
                if day % 8 == 1 {
                    "coins-700"
                } else {
                    "coins-350"
                },
            )?;
            if let Some(id) = outcome.request {
                clock.advance(TimeDelta::hours(2));
                let p = pass(&mut store, &clock)?;
                if day % 12 == 5 {
                    super::deny(
                        &mut store,
                        &clock,
                        p,
                        id,
                        &Memo::parse("Not this week: you bought coins on Monday")?,
                    )?;
                } else {
                    let _ = super::approve(&mut store, &clock, p, id)?;
                }
            }
        }
        if day % 5 == 2 {
            clock.advance(TimeDelta::minutes(45));
            let outcome = gift(
                &mut store,
                &clock,
                "Sam",
                "Ana",
                gifts[(day % 3) as usize],
                2,
            )?;
            if let Some(id) = outcome.request {
                clock.advance(TimeDelta::hours(1));
                let p = pass(&mut store, &clock)?;
                let _ = super::approve(&mut store, &clock, p, id)?;
            }
        }
        // The refused ones a parent should see.
        if day % 17 == 3 {
            let _ = buy(&mut store, &clock, "Kim", "coins-70")?;
        }
        if day % 23 == 4 {
            let _ = gift(&mut store, &clock, "Sam", "Bo", "rose", 1)?;
        }
        // Creators cash out when they can.
        if day % 30 == 29 {
            for creator in ["Ana", "Cy"] {
                let held = ledger::balance(
                    store.conn(),
                    ledger::Account::Earnings(ledger::find_member(store.conn(), creator)?.id),
                )?;
                if held >= 2_000 {
                    let request = RedeemRequest {
                        creator,
                        diamonds: Diamonds::from_i64(held)?,
                        key: None,
                    };
                    super::redeem(&mut store, &clock, Mode::Commit, &request)?;
                }
            }
        }
    }
    // Yesterday afternoon: two requests still waiting for a guardian.
    clock.set(afternoon(1));
    buy(&mut store, &clock, "Sam", "coins-700")?;
    clock.advance(TimeDelta::minutes(20));
    gift(&mut store, &clock, "Sam", "Ana", "doughnut", 3)?;
    let transactions: i64 = store
        .conn()
        .query_row("SELECT COUNT(*) FROM transactions", [], |r| r.get(0))
        .map_err(ledger::LedgerError::from)?;
    let pending = ledger::list_requests(
        store.conn(),
        Some(ledger::RequestStatus::Pending),
        None,
        100,
    )?
    .len();
    let alerts = ledger::open_alerts(store.conn(), 500)?.len();
    Ok(DemoSummary {
        transactions,
        pending_requests: pending,
        alerts,
    })
}
