//! Allowances: a guardian sets (with their PIN) what a member receives each
//! day, week or month; each payment is a grant through the guarded door,
//! in the ledger and the guardian-action log, exactly once per period.
//!
//! Exactly once: each payment's idempotency key names the allowance and the
//! due date it pays (`coinguard#allowance#<id>-<date>`), and the ledger's
//! keys are unique, so two processes paying at once write one grant; the
//! schedule's next due date moves in the same transaction. Periods missed
//! while no coinguard ran (the computer was off) are each paid, with their
//! own keys, the next time anything runs: every call of the household API
//! first pays what is due (one indexed read when nothing is), and the
//! household service also looks twice a second.
//!
//! The first payment is one period after the allowance is set (set on a
//! Monday, weekly on Mondays: the next Monday), so setting one never pays
//! at once.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::Mode;
use super::ServiceError;
use super::spend::{Ctx, guarded_then};
use crate::auth::GuardianPass;
use crate::config::Economy;
use crate::domain::{Clock, ErrorKind, Memo, Role};
use crate::guard::Intent;
use crate::ledger::allowances::{Allowance, AllowanceAmount, Every};
use crate::ledger::{self, LedgerError, Store, allowances};
use crate::money::{Coins, Money, MoneyError, rounding};

/// The most periods paid in one go (a year of daily allowances and more):
/// a clock thrown decades ahead cannot make one run pay for ever.
const MAX_CATCH_UP: usize = 400;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowanceError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error("give the allowance as --coins N or as --money AMOUNT, not both")]
    BothAmounts,
    #[error("give the allowance as --coins N (e.g. 500) or as --money AMOUNT (e.g. 5.00)")]
    NoAmount,
    #[error(
        "\"{given}\" is not a period; an allowance is paid every day, every week or every month"
    )]
    BadEvery { given: String },
    #[error(
        "--on \"{given}\" is not a day of the week; give monday, tuesday, ... sunday (or mon ... sun)"
    )]
    BadWeekday { given: String },
    #[error(
        "--on \"{given}\" is not a day every month has; give a day from 1 to 28 (months have at least 28 days)"
    )]
    BadMonthDay { given: String },
    #[error("an allowance paid every day has no --on day; leave --on out")]
    OnForDaily,
    #[error(
        "\"{name}\" is a guardian; allowances are for teens and creators (a guardian gives coins to themself with `coinguard grant`)"
    )]
    ForGuardian { name: String },
    #[error("{money} buys no coin at the best pack rate ({rate} per coin); give a larger amount")]
    TooSmall { money: String, rate: String },
    #[error("{name} has no allowance; allowances are set for: {known}")]
    NoAllowance { name: String, known: String },
    #[error(
        "{unpaid}; what it owes is paid before it is changed or stopped, so that no period is skipped or paid twice: {}",
        .unpaid.remedy()
    )]
    OwedFirst {
        #[source]
        unpaid: Box<Unpaid>,
    },
}

impl AllowanceError {
    pub fn kind(&self) -> crate::domain::ErrorKind {
        match self {
            AllowanceError::Service(e) => e.kind(),
            AllowanceError::Ledger(e) => e.kind(),
            AllowanceError::Money(_) => ErrorKind::BadInput,
            AllowanceError::NoAllowance { .. } => ErrorKind::NotFound,
            AllowanceError::OwedFirst { unpaid } => unpaid.why.kind(),
            _ => ErrorKind::BadInput,
        }
    }
}

/// The period as typed.
pub fn parse_every(text: &str) -> Result<Every, AllowanceError> {
    Every::parse(text.trim().to_lowercase().as_str()).ok_or_else(|| AllowanceError::BadEvery {
        given: text.to_string(),
    })
}

/// `--on` as typed, for `every`: a weekday (default Monday), a day of the
/// month 1-28 (default 1), nothing for daily.
pub fn parse_on(every: Every, text: Option<&str>) -> Result<u32, AllowanceError> {
    match (every, text) {
        (Every::Day, None) => Ok(0),
        (Every::Day, Some(_)) => Err(AllowanceError::OnForDaily),
        (Every::Week, None) => Ok(1),
        (Every::Week, Some(t)) => {
            let word = t.trim().to_lowercase();
            let days = [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            ];
            days.iter()
                .position(|d| *d == word || (word.len() == 3 && d.starts_with(&word)))
                .map(|i| i as u32 + 1)
                .ok_or_else(|| AllowanceError::BadWeekday {
                    given: t.to_string(),
                })
        }
        (Every::Month, None) => Ok(1),
        (Every::Month, Some(t)) => t
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=28).contains(d) && t.trim().bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| AllowanceError::BadMonthDay {
                given: t.to_string(),
            }),
    }
}

pub use crate::ledger::allowances::next_due_after;

/// The coins an allowance pays each time: its coins, or the coins its money
/// buys at the best pack rate (rounded down: never more than the money).
pub fn coins_per_payment(amount: AllowanceAmount, economy: &Economy) -> Result<Coins, MoneyError> {
    match amount {
        AllowanceAmount::Coins(c) => Coins::from_i64(c),
        AllowanceAmount::Money(micros) => {
            let rate = economy.best_rate();
            let money = Money::from_micros(economy.currency, micros).amount();
            let coins = money
                .checked_mul(Decimal::from(rate.per()))
                .and_then(|m| m.checked_div(rate.amount()))
                .map(|c| c.floor())
                .ok_or(MoneyError::Overflow { what: "coins" })?;
            Coins::from_i64(
                i64::try_from(coins).map_err(|_| MoneyError::Overflow { what: "coins" })?,
            )
        }
    }
}

/// What one payment is worth in money: the money given, or the coins at
/// the grant rate (what a grant of them is valued at).
pub fn money_per_payment(amount: AllowanceAmount, economy: &Economy) -> Result<Money, MoneyError> {
    match amount {
        AllowanceAmount::Money(micros) => Ok(Money::from_micros(economy.currency, micros)),
        AllowanceAmount::Coins(c) => economy.grant_value_of(Coins::from_i64(c)?),
    }
}

fn weekday_name(on_day: u32) -> &'static str {
    match on_day {
        2 => "Tuesday",
        3 => "Wednesday",
        4 => "Thursday",
        5 => "Friday",
        6 => "Saturday",
        7 => "Sunday",
        _ => "Monday",
    }
}

/// "500 coins (≈7.07 USD) every week on Monday" / "5.00 USD (353 coins) every month on the 1st".
pub fn describe(a: &Allowance, economy: &Economy) -> String {
    let amount = match a.amount {
        AllowanceAmount::Coins(c) => economy.coins_with_value(c),
        AllowanceAmount::Money(m) => {
            let coins = coins_per_payment(a.amount, economy).unwrap_or_default();
            format!("{} ({coins})", Money::from_micros(economy.currency, m))
        }
    };
    let when = match a.every {
        Every::Day => "every day".to_string(),
        Every::Week => format!("every week on {}", weekday_name(a.on_day)),
        Every::Month => format!("every month on day {}", a.on_day),
    };
    format!("{amount} {when}")
}

/// An amount in a member's allowance terms: "about 2 weeks of your
/// allowance", "about half a week of your allowance", "about a day of your
/// allowance". Rounded to the half period for reading, since a teen
/// learns the size, not the decimals.
pub fn in_allowance_terms(a: &Allowance, economy: &Economy, money: Money) -> Option<String> {
    let per = money_per_payment(a.amount, economy).ok()?;
    if per.micros() <= 0 || money.micros() <= 0 {
        return None;
    }
    let ratio = Decimal::from(money.micros()) / Decimal::from(per.micros());
    let halves = (ratio * Decimal::from(2))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let halves = i64::try_from(halves).unwrap_or(i64::MAX);
    let unit = a.every.as_str();
    let words = match halves {
        0 => format!("less than half a {unit}"),
        1 => format!("about half a {unit}"),
        2 => format!("about a {unit}"),
        n if n % 2 == 0 => format!("about {} {unit}s", n / 2),
        n => format!("about {} and a half {unit}s", n / 2),
    };
    Some(format!("{words} of your allowance"))
}

/// Refuses an amount that pays no coin (money below one coin's price).
pub fn check_amount(amount: AllowanceAmount, economy: &Economy) -> Result<(), AllowanceError> {
    if coins_per_payment(amount, economy)?.get() == 0 {
        return Err(AllowanceError::TooSmall {
            money: money_per_payment(amount, economy)?.to_string(),
            rate: format!(
                "{} {}",
                rounding::rate_for_display(economy.best_rate_per_coin()),
                economy.currency
            ),
        });
    }
    Ok(())
}

/// Sets `member`'s allowance (guardian PIN), replacing the one in force
/// (after paying what it still owed); logged with before and after.
pub fn set_allowance(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    member: &str,
    amount: AllowanceAmount,
    every: Every,
    on_day: u32,
) -> Result<(Option<String>, String), AllowanceError> {
    let found = ledger::find_member(store.conn(), member)?;
    if found.role == Role::Guardian {
        return Err(AllowanceError::ForGuardian {
            name: found.name.to_string(),
        });
    }
    let config = store.config()?;
    check_amount(amount, &config.economy)?;
    // What the old allowance owes is paid first, so changing it never
    // skips nor doubles a period.
    pay_owed_by(store, clock, found.id)?;
    let tz = config.settings.timezone;
    let actor = pass.guardian().id;
    store.write(clock, |w| {
        let today = w.now().with_timezone(&tz).date_naive();
        let next = next_due_after(every, on_day, today);
        let economy = &w.config().economy;
        let (before, after) =
            allowances::set_allowance(w, found.id, amount, every, on_day, next, actor)?;
        let before = before.map(|b| describe(&b, economy));
        let after_words = format!("{}; first payment {next}", describe(&after, economy));
        ledger::log_guardian_action(
            w,
            &ledger::GuardianAction {
                actor: Some(actor),
                action: "allowance_set".into(),
                subject: format!("the allowance of {}", found.name),
                before: before.clone().unwrap_or_default(),
                after: after_words.clone(),
            },
        )?;
        Ok((before, after_words))
    })
}

/// Stops `member`'s allowance (guardian PIN); logged with what it was.
pub fn stop_allowance(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    member: &str,
) -> Result<String, AllowanceError> {
    let found = ledger::find_member(store.conn(), member)?;
    pay_owed_by(store, clock, found.id)?;
    let actor = pass.guardian().id;
    store.write(clock, |w| {
        let economy = &w.config().economy;
        let Some(before) = allowances::stop_allowance(w, found.id)? else {
            return Err(no_allowance(w.sql(), found.name.as_str())?);
        };
        let words = describe(&before, economy);
        ledger::log_guardian_action(
            w,
            &ledger::GuardianAction {
                actor: Some(actor),
                action: "allowance_stop".into(),
                subject: format!("the allowance of {}", found.name),
                before: words.clone(),
                after: String::new(),
            },
        )?;
        Ok(words)
    })
}

/// The error for a member without an allowance, naming those with one.
pub fn no_allowance(
    conn: &rusqlite::Connection,
    name: &str,
) -> Result<AllowanceError, LedgerError> {
    let mut known = Vec::new();
    for a in allowances::allowances(conn)? {
        if let Some(m) = ledger::member_by_id(conn, a.member)? {
            known.push(m.name.to_string());
        }
    }
    Ok(AllowanceError::NoAllowance {
        name: name.to_string(),
        known: if known.is_empty() {
            "nobody yet".into()
        } else {
            known.join(", ")
        },
    })
}

/// One payment made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paid {
    pub member: String,
    pub due: NaiveDate,
    pub tx: Option<crate::domain::TxId>,
    pub summary: String,
}

/// One allowance whose payment due could not be made, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpaid {
    pub member_id: crate::domain::MemberId,
    pub member: String,
    pub due: NaiveDate,
    pub why: AllowanceError,
}

impl Unpaid {
    /// When the payment will be made, in words that fit why it failed: a
    /// full disk or a read-only file is mended by making room or running
    /// where the file can be written; a record that does not check out by
    /// `verify`'s findings; anything else is simply tried again.
    pub fn remedy(&self) -> &'static str {
        match self.why.kind() {
            ErrorKind::Other => "it is paid as soon as the household file takes writes again",
            ErrorKind::Household => {
                "it is paid once the household file checks out again (`coinguard verify` says what is wrong)"
            }
            _ => "it is tried again on every command",
        }
    }

    /// What a parent reads about allowances not paid, one sentence each:
    /// whose, which day, why, and that nothing is lost. `None` when none.
    pub fn sentences(unpaid: &[Unpaid]) -> Option<String> {
        (!unpaid.is_empty()).then(|| {
            unpaid
                .iter()
                .map(|u| format!("{u}. Nothing was lost: {}.", u.remedy()))
                .collect::<Vec<_>>()
                .join(" ")
        })
    }
}

impl std::error::Error for Unpaid {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.why)
    }
}

impl std::fmt::Display for Unpaid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}'s allowance due {} could not be paid: {}",
            self.member, self.due, self.why
        )
    }
}

/// What one round of paying allowances did: each allowance is paid or
/// said unpaid on its own, so one that fails holds up no other.
#[derive(Debug, Default)]
pub struct Payments {
    pub paid: Vec<Paid>,
    pub unpaid: Vec<Unpaid>,
}

/// Pays every allowance period that is due (today included, in the
/// household's time zone), each through the guarded door as a grant with
/// its own key. Safe to run from any number of processes at once. An
/// allowance whose payment fails is in [`Payments::unpaid`] and the others
/// are still paid; `Err` only when the allowances could not be read at all.
pub fn pay_due_allowances(
    store: &mut Store,
    clock: &dyn Clock,
) -> Result<Payments, AllowanceError> {
    let mut payments = Payments::default();
    // Nearly always nothing is due: answer that without loading the config.
    if !allowances::any_allowance_due(store.conn(), clock.now())? {
        return Ok(payments);
    }
    let config = store.config()?;
    let today = clock
        .now()
        .with_timezone(&config.settings.timezone)
        .date_naive();
    for a in allowances::allowances(store.conn())? {
        if let Err(why) = catch_up(store, clock, &a, today, &mut payments.paid) {
            let member = ledger::member_by_id(store.conn(), a.member)
                .ok()
                .flatten()
                .map_or_else(|| format!("member #{}", a.member), |m| m.name.to_string());
            let due = allowances::allowance_of(store.conn(), a.member)
                .ok()
                .flatten()
                .map_or(a.next_due, |now| now.next_due);
            payments.unpaid.push(Unpaid {
                member_id: a.member,
                member,
                due,
                why,
            });
        }
    }
    Ok(payments)
}

/// Pays what is due; refuses when `member`'s own allowance could not be
/// paid (changing or stopping it now would skip that period). Another
/// member's unpaid allowance holds up nothing here.
fn pay_owed_by(
    store: &mut Store,
    clock: &dyn Clock,
    member: crate::domain::MemberId,
) -> Result<(), AllowanceError> {
    let payments = pay_due_allowances(store, clock)?;
    match payments.unpaid.into_iter().find(|u| u.member_id == member) {
        Some(unpaid) => Err(AllowanceError::OwedFirst {
            unpaid: Box::new(unpaid),
        }),
        None => Ok(()),
    }
}

/// Pays allowance `a` each period due up to `today`, oldest first.
fn catch_up(
    store: &mut Store,
    clock: &dyn Clock,
    a: &Allowance,
    today: NaiveDate,
    paid: &mut Vec<Paid>,
) -> Result<(), AllowanceError> {
    for _ in 0..MAX_CATCH_UP {
        // The next due date from the ledger, afresh each time: another
        // process may have paid meanwhile.
        let Some(now) = allowances::allowance_of(store.conn(), a.member)? else {
            break;
        };
        if now.id != a.id || now.next_due > today {
            break;
        }
        match pay_one(store, clock, &now, now.next_due)? {
            Some(p) => paid.push(p),
            // Not paid by us: paid by another process (the loop reads the
            // ledger again), or not allowed (stop here).
            None if allowances::last_paid(store.conn(), a.id)? >= Some(now.next_due) => {}
            None => break,
        }
    }
    Ok(())
}

/// Pays allowance `a` for the period due on `due`, as a grant keyed by the
/// allowance and the date, in one transaction. None when `due` is no longer
/// the next payment (another process paid it first) or it was not allowed.
fn pay_one(
    store: &mut Store,
    clock: &dyn Clock,
    a: &Allowance,
    due: NaiveDate,
) -> Result<Option<Paid>, AllowanceError> {
    let key = allowances::payment_key(a.id, due);
    let outcome = guarded_then(
        store,
        clock,
        &Ctx::plain(Mode::Commit),
        |w, config| {
            // Judged inside the write: the payment due is still this one.
            let current = allowances::allowance_of(w.sql(), a.member)?;
            if current.as_ref().map(|c| (c.id, c.next_due)) != Some((a.id, due)) {
                return Err(ServiceError::Ledger(LedgerError::NotPending { id: a.id }));
            }
            let guardian =
                ledger::member_by_id(w.sql(), a.set_by)?.ok_or_else(|| LedgerError::Corrupt {
                    message: format!("allowance {} names no guardian", a.id),
                })?;
            let member =
                ledger::member_by_id(w.sql(), a.member)?.ok_or_else(|| LedgerError::Corrupt {
                    message: format!("allowance {} names no member", a.id),
                })?;
            let coins = coins_per_payment(a.amount, &config.economy)?;
            let value = config.economy.grant_value_of(coins)?;
            let memo = Memo::parse(&format!(
                "allowance for the {} from {due}",
                a.every.as_str()
            ))?;
            Ok((
                Intent::Grant {
                    guardian,
                    member,
                    coins,
                    value,
                    memo,
                },
                Some(key.clone()),
            ))
        },
        |w, tx, summary| {
            let name = ledger::member_by_id(w.sql(), a.member)?
                .map(|m| m.name.to_string())
                .unwrap_or_default();
            ledger::outbox::record_event(
                w,
                &ledger::outbox::NewEvent {
                    kind: "allowance_paid",
                    event_id: format!("allowance-{}-{due}", a.id),
                    member: Some(a.member),
                    summary: format!(
                        "{name}'s allowance for the {} from {due}: {summary}",
                        a.every.as_str()
                    ),
                    details: serde_json::json!({
                        "allowance": a.id,
                        "due": due,
                        "tx": tx.0,
                    }),
                },
            )?;
            Ok(())
        },
    );
    match outcome {
        // Written: it has a transaction (and it is not a replay of one).
        Ok(o) if o.tx.is_some() && !o.replayed => {
            let member = ledger::member_by_id(store.conn(), a.member)?
                .map(|m| m.name.to_string())
                .unwrap_or_default();
            Ok(Some(Paid {
                member,
                due,
                tx: o.tx,
                summary: o.summary,
            }))
        }
        // The key was seen (replayed) or the guard did not allow it.
        Ok(_) => Ok(None),
        Err(ServiceError::Ledger(LedgerError::NotPending { .. })) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn amounts_read_in_allowance_terms_to_the_half_period() {
        let Ok(config) = crate::config::Config::defaults() else {
            panic!("the shipped config parses");
        };
        let economy = &config.economy;
        let weekly = Allowance {
            id: 1,
            member: crate::domain::MemberId(2),
            amount: AllowanceAmount::Money(7_140_000),
            every: Every::Week,
            on_day: 1,
            first_due: day(2026, 3, 9),
            next_due: day(2026, 3, 9),
            set_by: crate::domain::MemberId(1),
        };
        let usd = |micros| Money::from_micros(economy.currency, micros);
        for (micros, words) in [
            (14_284_285, Some("about 2 weeks of your allowance")),
            (7_140_000, Some("about a week of your allowance")),
            (3_570_000, Some("about half a week of your allowance")),
            (1_000_000, Some("less than half a week of your allowance")),
            (
                17_850_000,
                Some("about 2 and a half weeks of your allowance"),
            ),
            (0, None),
        ] {
            assert_eq!(
                in_allowance_terms(&weekly, economy, usd(micros)).as_deref(),
                words,
                "{micros}"
            );
        }
    }

    #[test]
    fn the_next_due_date_is_strictly_after() {
        // 2026-03-02 is a Monday.
        assert_eq!(
            next_due_after(Every::Week, 1, day(2026, 3, 2)),
            day(2026, 3, 9)
        );
        assert_eq!(
            next_due_after(Every::Week, 3, day(2026, 3, 2)),
            day(2026, 3, 4)
        );
        assert_eq!(
            next_due_after(Every::Day, 0, day(2026, 3, 31)),
            day(2026, 4, 1)
        );
        assert_eq!(
            next_due_after(Every::Month, 1, day(2026, 3, 1)),
            day(2026, 4, 1)
        );
        assert_eq!(
            next_due_after(Every::Month, 15, day(2026, 3, 1)),
            day(2026, 3, 15)
        );
        assert_eq!(
            next_due_after(Every::Month, 28, day(2026, 12, 28)),
            day(2027, 1, 28)
        );
    }
}
