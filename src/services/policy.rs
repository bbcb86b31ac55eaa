//! Guardian actions on the household's policy: members, limits, quiet hours,
//! creator lists. Each takes a [`GuardianPass`] by value: one PIN, one action.
//! Each returns what was there before and what is there now, so the change can
//! be shown (and, with the guardian-action log, recorded).

use crate::auth::GuardianPass;
use crate::config::{Economy, Verdict};
use crate::domain::{BirthDate, Clock, LimitAmount, MemberId, Name, Role, Scope, Window};
use crate::ledger::{self, CreatorList, Limit, QuietHours, Store};
use crate::money::Currency;

use super::ServiceError;

/// A change: the value before and after (`None`: nothing set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<T> {
    /// The guardian who made it.
    pub by: Name,
    pub before: Option<T>,
    pub after: Option<T>,
}

/// A limit in words: "purchase per week: approval needed above 10.00 USD,
/// refused above 20.00 USD"; coin amounts carry their money value.
pub fn describe_limit(limit: &Limit, economy: &Economy) -> String {
    format!(
        "{} per {}: {}",
        limit.scope,
        limit.window,
        describe_thresholds(limit, economy)
    )
}

/// Just the thresholds: "approval needed above 500 coins (≈7.07 USD)".
pub fn describe_thresholds(limit: &Limit, economy: &Economy) -> String {
    let show = |a: LimitAmount| show_amount(a, economy);
    let mut parts = Vec::new();
    if let Some(soft) = limit.soft {
        parts.push(format!("approval needed above {}", show(soft)));
    }
    if let Some(hard) = limit.hard {
        parts.push(format!("refused above {}", show(hard)));
    }
    parts.join(", ")
}

/// Quiet hours in words: "21:00–07:00, spending refused".
pub fn describe_quiet_hours(q: &QuietHours) -> String {
    let action = if q.verdict == Verdict::Deny {
        "spending refused"
    } else {
        "spending needs approval"
    };
    format!(
        "{}–{}, {action}",
        crate::domain::format_time_of_day(q.start_minute),
        crate::domain::format_time_of_day(q.end_minute)
    )
}

fn or_none(text: Option<String>) -> String {
    text.unwrap_or_else(|| "(none)".into())
}

/// Records a guardian action in the caller's write.
pub(super) fn record(
    w: &ledger::WriteTx<'_, '_>,
    actor: MemberId,
    action: &str,
    subject: String,
    before: String,
    after: String,
) -> Result<(), ServiceError> {
    ledger::log_guardian_action(
        w,
        &ledger::GuardianAction {
            actor: Some(actor),
            action: action.into(),
            subject,
            before,
            after,
        },
    )?;
    Ok(())
}

/// A limit amount for people: money as money; coins with their value at
/// the best pack rate, marked "≈" (a limit is an amount, not particular coins).
pub fn show_amount(amount: LimitAmount, economy: &Economy) -> String {
    match amount {
        LimitAmount::Money(m) => m.to_string(),
        LimitAmount::Coins(c) => economy.coins_with_value(c.to_i64().unwrap_or(i64::MAX)),
    }
}

/// Parses a limit amount typed for `scope`: money for purchase/all, coins for gift.
pub fn parse_limit_amount(
    text: &str,
    scope: Scope,
    currency: Currency,
) -> Result<LimitAmount, crate::money::MoneyError> {
    LimitAmount::parse(text, scope, currency)
}

/// Shows a limit amount in stored units the way it was set: "20.00 USD" or "500 coins".
pub fn show_limit_amount(amount: i64, scope: Scope, currency: Currency) -> String {
    LimitAmount::of_scope(scope, amount, currency)
        .map(|a| a.to_string())
        .unwrap_or_else(|_| amount.to_string())
}

/// Adds a member. A guardian is added with their PIN (there is no moment at
/// which a guardian's actions can be taken without one); for anyone else the
/// PIN is optional (a member without one can be acted for by anyone at the
/// computer, which the pick screen says).
pub fn add_member(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    name: &Name,
    role: Role,
    birthdate: Option<BirthDate>,
    pin: Option<&crate::auth::Pin>,
) -> Result<MemberId, ServiceError> {
    if birthdate.is_none() && role != Role::Guardian {
        return Err(ServiceError::BirthdateRequired {
            name: name.to_string(),
        });
    }
    if role == Role::Guardian && pin.is_none() {
        return Err(ServiceError::GuardianNeedsPin {
            name: name.to_string(),
        });
    }
    let phc = pin.map(crate::auth::hash_pin).transpose()?;
    // A new guardian seals with a key from their PIN from the start.
    let fresh = match (role, pin) {
        (Role::Guardian, Some(pin)) => Some(crate::auth::new_seal_key(pin)?),
        _ => None,
    };
    let actor = pass.guardian().id;
    store.write(clock, |w| {
        let id = ledger::add_member(w, &pass, name, role, birthdate)?;
        if let Some(phc) = &phc {
            ledger::set_pin_hash(w, &pass, id, phc)?;
        }
        if let Some((recipe, derived)) = &fresh {
            let key = ledger::add_seal_key(w, id, recipe, *derived)?;
            w.seal_also_with(&key);
        }
        let born = birthdate
            .map(|b| format!(", born {}", b.date()))
            .unwrap_or_default();
        let with_pin = if phc.is_some() {
            ", with a PIN"
        } else {
            ", no PIN"
        };
        record(
            w,
            actor,
            "member_add",
            name.to_string(),
            "(none)".into(),
            format!("{role}{born}{with_pin}"),
        )?;
        Ok(id)
    })
}

/// A limit as a guardian asks for it (amounts already parsed for the scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSpec {
    pub scope: Scope,
    pub window: Window,
    pub soft: Option<LimitAmount>,
    pub hard: Option<LimitAmount>,
}

pub fn set_limit(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    member: &str,
    spec: LimitSpec,
) -> Result<Change<Limit>, ServiceError> {
    let LimitSpec {
        scope,
        window,
        soft,
        hard,
    } = spec;
    if soft.is_none() && hard.is_none() {
        return Err(ServiceError::LimitNeedsAmount);
    }
    if let (Some(soft), Some(hard)) = (soft, hard)
        && soft.units() > hard.units()
    {
        return Err(ServiceError::SoftAboveHard);
    }
    let (by, actor) = (pass.guardian().name.clone(), pass.guardian().id);
    store.write(clock, |w| {
        let member = ledger::find_member(w.sql(), member)?;
        let limit = Limit::new(member.id, scope, window, soft, hard).ok_or(
            ServiceError::AmountOfOtherKind {
                scope,
                wanted: scope.unit().word(),
            },
        )?;
        let before = ledger::set_limit(w, &pass, &limit)?;
        let economy = &w.config().economy;
        let text = |l: &Limit| describe_limit(l, economy);
        record(
            w,
            actor,
            "limit_set",
            member.name.to_string(),
            or_none(before.as_ref().map(text)),
            text(&limit),
        )?;
        Ok(Change {
            by,
            before,
            after: Some(limit),
        })
    })
}

pub fn remove_limit(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    member: &str,
    scope: Scope,
    window: Window,
) -> Result<Change<Limit>, ServiceError> {
    let (by, actor) = (pass.guardian().name.clone(), pass.guardian().id);
    store.write(clock, |w| {
        let found = ledger::find_member(w.sql(), member)?;
        match ledger::remove_limit(w, &pass, found.id, scope, window)? {
            Some(before) => {
                let text = describe_limit(&before, &w.config().economy);
                record(
                    w,
                    actor,
                    "limit_remove",
                    found.name.to_string(),
                    text,
                    "(none)".into(),
                )?;
                Ok(Change {
                    by,
                    before: Some(before),
                    after: None,
                })
            }
            None => Err(ServiceError::NoSuchLimit {
                member: found.name.to_string(),
                scope,
                window,
            }),
        }
    })
}

pub fn set_quiet_hours(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    member: &str,
    quiet: Option<QuietHours>,
) -> Result<Change<QuietHours>, ServiceError> {
    if let Some(q) = quiet {
        // The times first: "from 21:00 to 21:00" is about the times, whatever the action.
        if q.start_minute == q.end_minute {
            return Err(ServiceError::QuietHoursSameTimes {
                at: crate::domain::format_time_of_day(q.start_minute),
            });
        }
        if q.verdict == Verdict::Allow {
            return Err(ServiceError::EmptyQuietHours);
        }
    }
    let (by, actor) = (pass.guardian().name.clone(), pass.guardian().id);
    store.write(clock, |w| {
        let member = ledger::find_member(w.sql(), member)?;
        let before = ledger::set_quiet_hours(w, &pass, member.id, quiet)?;
        let text = |q: &QuietHours| describe_quiet_hours(q);
        record(
            w,
            actor,
            "quiet_hours_set",
            member.name.to_string(),
            or_none(before.as_ref().map(text)),
            or_none(quiet.as_ref().map(text)),
        )?;
        Ok(Change {
            by,
            before,
            after: quiet,
        })
    })
}

pub fn set_creator_list(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    member: &str,
    creator: &str,
    list: Option<CreatorList>,
) -> Result<Change<CreatorList>, ServiceError> {
    let (by, actor) = (pass.guardian().name.clone(), pass.guardian().id);
    store.write(clock, |w| {
        let member = ledger::find_member(w.sql(), member)?;
        let creator = ledger::find_member(w.sql(), creator)?;
        if creator.role != Role::Creator {
            return Err(ServiceError::NotACreator {
                name: creator.name.to_string(),
            });
        }
        let before = ledger::set_creator_list(w, &pass, member.id, creator.id, list)?;
        let text = |l: &CreatorList| {
            if *l == CreatorList::Allow {
                format!("{} allowed", creator.name)
            } else {
                format!("{} blocked", creator.name)
            }
        };
        record(
            w,
            actor,
            "creator_list_set",
            member.name.to_string(),
            or_none(before.as_ref().map(text)),
            or_none(list.as_ref().map(text)),
        )?;
        Ok::<_, ServiceError>(Change {
            by,
            before,
            after: list,
        })
    })
}

impl From<crate::auth::AuthError> for ServiceError {
    fn from(e: crate::auth::AuthError) -> ServiceError {
        match e {
            crate::auth::AuthError::Ledger(e) => ServiceError::Ledger(e),
            other => ServiceError::Auth(other),
        }
    }
}

/// Sets or changes a member's PIN (a guardian's included). The PIN itself is
/// never logged: only that it was set.
pub fn set_pin(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    member: &str,
    pin: &crate::auth::Pin,
) -> Result<(), ServiceError> {
    let actor = pass.guardian().id;
    let phc = crate::auth::hash_pin(pin)?;
    // A guardian's new PIN re-seals under a new key made from it; their
    // older seals stay checkable with the PIN that made them.
    let fresh = match ledger::find_member(store.conn(), member)?.role {
        Role::Guardian => Some(crate::auth::new_seal_key(pin)?),
        _ => None,
    };
    store.write(clock, |w| {
        let member = ledger::find_member(w.sql(), member)?;
        if let (Some((recipe, derived)), Role::Guardian) = (&fresh, member.role) {
            let key = ledger::add_seal_key(w, member.id, recipe, *derived)?;
            w.seal_also_with(&key);
        }
        let before = if member.has_pin {
            "a PIN was set"
        } else {
            "(no PIN)"
        };
        ledger::set_pin_hash(w, &pass, member.id, &phc)?;
        ledger::clear_pin_attempts(w, member.id)?;
        record(
            w,
            actor,
            "pin_set",
            member.name.to_string(),
            before.into(),
            "a new PIN was set".into(),
        )
    })
}

/// Alerts waiting for a guardian, newest first.
pub fn open_alerts(store: &Store) -> Result<Vec<ledger::Alert>, ServiceError> {
    Ok(ledger::open_alerts(store.conn(), 500)?)
}

/// Acknowledges one alert or all of them; returns how many.
pub fn acknowledge_alerts(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    id: Option<i64>,
) -> Result<usize, ServiceError> {
    let actor = pass.guardian().id;
    store.write(clock, |w| {
        let count = ledger::acknowledge_alerts(w, &pass, id)?;
        if id.is_some() && count == 0 {
            return Err(ServiceError::NoSuchAlert {
                id: id.unwrap_or_default(),
            });
        }
        let subject = id.map_or_else(
            || "all open alerts".to_string(),
            |id| format!("alert #{id}"),
        );
        record(
            w,
            actor,
            "alert_ack",
            subject,
            "open".into(),
            format!("{count} acknowledged"),
        )?;
        Ok(count)
    })
}
