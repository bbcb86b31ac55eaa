//! Guardian actions on the household's policy: members, limits, quiet hours,
//! creator lists. Each takes a [`GuardianPass`] by value: one PIN, one action.
//! Each returns what was there before and what is there now, so the change can
//! be shown (and, with the guardian-action log, recorded).

use crate::auth::GuardianPass;
use crate::config::Verdict;
use crate::domain::{BirthDate, Clock, MemberId, Name, Role, Scope, Window};
use crate::ledger::{self, CreatorList, Limit, QuietHours, Store};
use crate::money::{Coins, Money};

use super::ServiceError;

/// A change: the value before and after (`None`: nothing set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<T> {
    /// The guardian who made it.
    pub by: Name,
    pub before: Option<T>,
    pub after: Option<T>,
}

/// Parses a limit amount typed for `scope`: money for purchase/all, coins for gift.
pub fn parse_limit_amount(text: &str, scope: Scope, store: &Store) -> Result<i64, ServiceError> {
    if scope.counts_money() {
        let currency = store.config()?.settings.currency;
        Ok(Money::parse(text, currency)?.micros())
    } else {
        Ok(Coins::parse(text)?.to_i64()?)
    }
}

/// Shows a limit amount the way it was set: "20.00 USD" or "500 coins".
pub fn show_limit_amount(amount: i64, scope: Scope, store: &Store) -> String {
    match (scope.counts_money(), store.config()) {
        (true, Ok(config)) => Money::from_micros(config.settings.currency, amount).to_string(),
        _ => Coins::from_i64(amount)
            .map(|c| c.to_string())
            .unwrap_or_else(|_| amount.to_string()),
    }
}

pub fn add_member(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    name: &Name,
    role: Role,
    birthdate: Option<BirthDate>,
) -> Result<MemberId, ServiceError> {
    if birthdate.is_none() && role != Role::Guardian {
        return Err(ServiceError::BirthdateRequired {
            name: name.to_string(),
        });
    }
    drop(pass); // one PIN entry, one action
    store.write(clock, |w| {
        Ok(ledger::add_member(w, name, role, birthdate, w.now())?)
    })
}

/// A limit as a guardian asks for it (amounts already parsed for the scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSpec {
    pub scope: Scope,
    pub window: Window,
    pub soft: Option<i64>,
    pub hard: Option<i64>,
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
        && soft > hard
    {
        return Err(ServiceError::SoftAboveHard);
    }
    let by = pass.guardian().name.clone();
    store.write(clock, |w| {
        let member = ledger::find_member(w.sql(), member)?;
        let limit = Limit {
            member: member.id,
            scope,
            window,
            soft,
            hard,
        };
        let before = ledger::set_limit(w, &limit)?;
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
    let by = pass.guardian().name.clone();
    store.write(clock, |w| {
        let found = ledger::find_member(w.sql(), member)?;
        match ledger::remove_limit(w, found.id, scope, window)? {
            Some(before) => Ok(Change {
                by,
                before: Some(before),
                after: None,
            }),
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
    if let Some(q) = quiet
        && (q.start_minute == q.end_minute || q.verdict == Verdict::Allow)
    {
        return Err(ServiceError::EmptyQuietHours);
    }
    let by = pass.guardian().name.clone();
    store.write(clock, |w| {
        let member = ledger::find_member(w.sql(), member)?;
        let before = ledger::set_quiet_hours(w, member.id, quiet)?;
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
    let by = pass.guardian().name.clone();
    store.write(clock, |w| {
        let member = ledger::find_member(w.sql(), member)?;
        let creator = ledger::find_member(w.sql(), creator)?;
        if creator.role != Role::Creator {
            return Err(ServiceError::NotACreator {
                name: creator.name.to_string(),
            });
        }
        let before = ledger::set_creator_list(w, member.id, creator.id, list)?;
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
