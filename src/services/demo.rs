//! A demo household with three months of plausible history, made through the
//! same guarded paths as real use (every purchase judged, every approval with
//! a guardian's PIN), so what the demo shows is what the product does.

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};

use super::policy::{LimitSpec, set_creator_list, set_limit, set_quiet_hours};
use super::{GiftRequest, GrantRequest, Mode, PurchaseRequest, RedeemRequest, ServiceError};
use crate::auth::{self, Pin};
use crate::config::{Config, Verdict};
use crate::domain::{BirthDate, FixedClock, LimitAmount, Memo, Name, Role, Scope, Window};
use crate::ledger::{self, CreatorList, LedgerError, QuietHours, Store};
use crate::money::{Coins, Diamonds, Money};

/// The demo guardians' PIN, printed by `coinguard demo`.
pub const DEMO_PIN: &str = "demo passphrase";

/// The guardian-action code that marks a household as made by
/// [`seed_demo`]: logged (hash-chained like every guardian action) right
/// after the household is created, before anything else is written.
pub const DEMO_MARKER: &str = "demo_created";

/// The demo PIN, if `seed_demo` made this household: the one way to tell a
/// demo from a real household, so nothing ever presents a family's own
/// household as the demo or prints a PIN for it.
pub fn demo_pin(conn: &rusqlite::Connection) -> Result<Option<&'static str>, LedgerError> {
    // The marker is among the very first guardian actions: an indexed look.
    let marked: bool = conn
        .prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM guardian_actions WHERE id <= 10 AND action = ?1)",
        )?
        .query_row([DEMO_MARKER], |r| r.get(0))?;
    Ok(marked.then_some(DEMO_PIN))
}

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

/// The steps [`seed_demo`] reports: the household and its rules, each of
/// its 90 days, the requests left waiting.
pub const DEMO_STEPS: u64 = 92;

/// Creates the demo household at `path` with history ending at `now`,
/// telling `progress` how many of [`DEMO_STEPS`] are done after each (it
/// takes seconds: an interface can say how far it has got). When
/// `progress` answers false it stops at that step: `Ok(None)`.
///
/// The household is made whole in a hidden file beside `path` and linked
/// to `path` only when every step is done, as `init` does: stopped (or
/// failed) halfway, nothing is left at `path`, so the next `demo` makes it
/// afresh instead of opening half a demo as if it were whole. A process
/// killed halfway leaves at most the hidden file.
pub fn seed_demo(
    path: &Path,
    config: &Config,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<Option<DemoSummary>, ServiceError> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(LedgerError::AlreadyExists {
            path: path.to_path_buf(),
        }
        .into());
    }
    let name = path
        .file_name()
        .map_or_else(|| "household".into(), |n| n.to_string_lossy());
    let making = path.with_file_name(format!(".{name}.demo-{}", std::process::id()));
    let remove_making = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", making.display()));
        }
    };
    // A leftover from a demo killed with this same process id.
    remove_making();
    let made = seed_into(&making, config, now, progress).and_then(|made| match made {
        // Closed by now (the store is dropped), so the file is whole: it
        // reaches the disk before it takes its name (seeding ran with
        // fsync off).
        Some(summary) => std::fs::File::open(&making)
            .and_then(|file| file.sync_all())
            .map_err(|e| LedgerError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            })
            .and_then(|()| super::household::place(&making, path))
            .map(|()| Some(summary))
            .map_err(ServiceError::from),
        None => Ok(None),
    });
    remove_making();
    match made {
        Ok(made) => Ok(made),
        Err(ServiceError::Ledger(e)) => Err(super::household::about(path, &making, e).into()),
        Err(e) => Err(e),
    }
}

/// Makes the demo household at `path` (see [`seed_demo`]); `None` when
/// `progress` asked it to stop.
fn seed_into(
    path: &Path,
    config: &Config,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<Option<DemoSummary>, ServiceError> {
    let clock = FixedClock::new(now - TimeDelta::days(92));
    let pin = Pin::public(DEMO_PIN)?;
    let mut store = super::init_household(path, config, &Name::parse("Maria")?, &pin, &clock)?;
    store.write(&clock, |w| {
        let maria = ledger::find_member(w.sql(), "Maria")?;
        ledger::log_guardian_action(
            w,
            &ledger::GuardianAction {
                actor: Some(maria.id),
                action: DEMO_MARKER.into(),
                subject: "this household".into(),
                before: String::new(),
                after: "made by coinguard demo".into(),
            },
        )
    })?;
    store.relax_durability_for_seeding()?;
    let pass = |store: &mut Store, clock: &FixedClock| {
        auth::guardian_pass(store, clock, Some("Maria"), &pin, "")
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
    let usd = |units: i64| {
        LimitAmount::Money(Money::from_micros(
            config.settings.currency,
            units * 1_000_000,
        ))
    };
    let limits = [
        (
            "Sam",
            LimitSpec {
                scope: Scope::Purchase,
                window: Window::Week,
                soft: Some(usd(10)),
                hard: Some(usd(25)),
            },
        ),
        (
            "Sam",
            LimitSpec {
                scope: Scope::Gift,
                window: Window::Day,
                soft: None,
                hard: Some(LimitAmount::Coins(Coins::new(500))),
            },
        ),
        (
            "Alex",
            LimitSpec {
                scope: Scope::All,
                window: Window::Month,
                soft: Some(usd(60)),
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

    if !progress(1) {
        return Ok(None);
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
        if !progress(2 + day) {
            return Ok(None);
        }
    }
    // Yesterday afternoon: two requests still waiting for a guardian.
    clock.set(afternoon(1));
    buy(&mut store, &clock, "Sam", "coins-700")?;
    clock.advance(TimeDelta::minutes(20));
    gift(&mut store, &clock, "Sam", "Ana", "doughnut", 3)?;
    if !progress(DEMO_STEPS) {
        return Ok(None);
    }
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
    Ok(Some(DemoSummary {
        transactions,
        pending_requests: pending,
        alerts,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_household_the_demo_made_has_the_demo_pin() {
        let dir = std::env::temp_dir().join(format!("coinguard-demo-pin-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let (demo, own) = (dir.join("demo.db"), dir.join("own.db"));
        for path in [&demo, &own] {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        let config = Config::defaults().map_err(|e| e.to_string());
        let Ok(config) = config else {
            panic!("defaults: {config:?}");
        };
        let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
        let mut steps = Vec::new();
        let seeded = seed_demo(&demo, &config, now, &mut |done| {
            steps.push(done);
            true
        });
        assert!(matches!(seeded, Ok(Some(_))), "{seeded:?}");
        // It says how far it has got, one step at a time, to the last.
        assert_eq!(steps, (1..=DEMO_STEPS).collect::<Vec<_>>());
        let pin = Pin::parse("our own family pin").map_err(|e| e.to_string());
        let Ok(pin) = pin else { panic!("{pin:?}") };
        let name = Name::parse("Maria").map_err(|e| e.to_string());
        let Ok(name) = name else { panic!("{name:?}") };
        let made = super::super::init_household(&own, &config, &name, &pin, &FixedClock::new(now))
            .map(drop);
        assert!(made.is_ok(), "{made:?}");
        let pin_of = |path: &Path| Store::open(path).and_then(|s| demo_pin(s.conn()));
        assert_eq!(pin_of(&demo), Ok(Some(DEMO_PIN)));
        assert_eq!(pin_of(&own), Ok(None));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Issue 16: the interface lets a person leave while the demo is made.
    /// Stopped halfway, nothing is left beside it or at its name (a later
    /// `demo` would otherwise open half a demo as if it were whole), and
    /// the next `demo` makes it whole.
    #[test]
    fn a_demo_stopped_halfway_leaves_nothing_behind() {
        let dir = tempfile::tempdir().map_err(|e| e.to_string());
        let Ok(dir) = dir else { panic!("{dir:?}") };
        let demo = dir.path().join("demo.db");
        let config = Config::defaults().map_err(|e| e.to_string());
        let Ok(config) = config else {
            panic!("defaults: {config:?}");
        };
        let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
        let mut last = 0;
        let stopped = seed_demo(&demo, &config, now, &mut |done| {
            last = done;
            done < 10
        });
        assert!(matches!(stopped, Ok(None)), "{stopped:?}");
        assert_eq!(last, 10, "it stops at the step that asked");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "nothing left behind: {left:?}");
        let made = seed_demo(&demo, &config, now, &mut |_| true);
        assert!(matches!(made, Ok(Some(_))), "{made:?}");
        let pin = Store::open(&demo).and_then(|s| demo_pin(s.conn()));
        assert_eq!(pin, Ok(Some(DEMO_PIN)));
        // Made once, never over itself.
        let again = seed_demo(&demo, &config, now, &mut |_| true);
        assert!(
            matches!(
                again,
                Err(ServiceError::Ledger(LedgerError::AlreadyExists { .. }))
            ),
            "{again:?}"
        );
    }
}
