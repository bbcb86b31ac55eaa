//! One small pure function per rule: facts and intent in, reasons out.

use chrono::{DateTime, Timelike};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::{Facts, Intent, Reason, RuleId, Severity};
use crate::config::Verdict;
use crate::domain::{Role, Scope, Window, format_time_of_day};
use crate::ledger::CreatorList;
use crate::money::{Coins, Diamonds, Money, group_thousands, rounding};

pub(super) fn all(facts: &Facts<'_>, intent: &Intent) -> Vec<Reason> {
    let mut reasons = Vec::new();
    reasons.extend(clock_sanity(facts, intent));
    reasons.extend(role(intent));
    reasons.extend(age_band(facts, intent));
    reasons.extend(funds(facts, intent));
    reasons.extend(limits(facts, intent));
    reasons.extend(quiet_hours(facts, intent));
    reasons.extend(creator_list(facts, intent));
    reasons
}

fn reason(
    rule: RuleId,
    verdict: Verdict,
    message: String,
    figures: Vec<(&'static str, String)>,
) -> Option<Reason> {
    let severity = match verdict {
        Verdict::Allow => return None,
        Verdict::NeedsApproval => Severity::NeedsApproval,
        Verdict::Deny => Severity::Deny,
    };
    Some(Reason {
        rule,
        severity,
        message,
        figures,
    })
}

/// Money with its value in coins at the best pack rate: "4.99 USD (≈353 coins)".
fn money_with_coins(facts: &Facts<'_>, micros: i64) -> String {
    let economy = &facts.config.economy;
    let money = Money::from_micros(economy.currency, micros);
    let coins = money
        .amount()
        .checked_div(economy.best_rate_per_coin())
        .and_then(|c| c.floor().to_u64())
        .unwrap_or(0);
    format!("{money} (≈{} coins)", group_thousands(coins))
}

/// Coins with their money value at the best pack rate: "500 coins (≈7.07 USD)".
fn coins_with_money(facts: &Facts<'_>, coins: i64) -> String {
    facts.config.economy.coins_with_value(coins)
}

fn action_words(intent: &Intent) -> (&'static str, &'static str) {
    match intent {
        Intent::Purchase { .. } | Intent::PurchaseCustom { .. } => ("buy coins", "purchases"),
        Intent::Gift { .. } => ("send gifts", "gifts"),
        Intent::Redeem { .. } => ("cash out diamonds", "redemptions"),
        Intent::Grant { .. } | Intent::Reversal { .. } => ("do this", "this"),
    }
}

/// Age from the birthdate on the household-local date: a birthday counts from
/// local midnight. Guardians without a birthdate are treated as adults.
fn age_band(facts: &Facts<'_>, intent: &Intent) -> Option<Reason> {
    if !(intent.is_spending() || matches!(intent, Intent::Redeem { .. })) {
        return None;
    }
    let member = intent.member();
    let age = member.birthdate?.age_on(facts.local.date_naive());
    let bands = &facts.config.age_bands;
    let index = bands.iter().rposition(|b| b.from_age <= age)?;
    let band = bands[index];
    let verdict = match intent {
        Intent::Redeem { .. } => band.redeem,
        Intent::Gift { .. } => band.gift,
        _ => band.purchase,
    };
    let range = match (band.from_age, bands.get(index + 1)) {
        (0, Some(next)) => format!("under {}", next.from_age),
        (from, Some(next)) => format!("from {from} to {}", next.from_age.saturating_sub(1)),
        (from, None) => format!("from {from} on"),
    };
    let (_, plural) = action_words(intent);
    let rule = match verdict {
        Verdict::Deny => "are not allowed",
        _ => "need a guardian's approval",
    };
    reason(
        RuleId::AgeBand,
        verdict,
        format!("{} is {age}: {range}, {plural} {rule}", member.name),
        vec![("age", age.to_string()), ("band", range)],
    )
}

/// What this intent adds to a scope: money micros, or coins for gifts.
pub(super) fn amount_for(intent: &Intent, scope: Scope) -> i64 {
    match (intent, scope) {
        (Intent::Purchase { pack, .. }, Scope::Purchase | Scope::All) => pack.price.micros(),
        (Intent::PurchaseCustom { price, .. }, Scope::Purchase | Scope::All) => price.micros(),
        (Intent::Gift { coins, .. }, Scope::Gift) => coins.to_i64().unwrap_or(i64::MAX),
        (Intent::Gift { cost, .. }, Scope::All) => cost.micros(),
        _ => 0,
    }
}

fn scope_words(scope: Scope) -> &'static str {
    match scope {
        Scope::Purchase => "spending on coins",
        Scope::Gift => "gifting",
        Scope::All => "total spending",
    }
}

/// Limits: the intent plus what was already spent in the window, against the
/// hard (deny) and soft (needs approval) thresholds. A limit passed hard is
/// not also reported soft.
fn limits(facts: &Facts<'_>, intent: &Intent) -> Vec<Reason> {
    let mut out = Vec::new();
    for (limit, spent) in &facts.limits {
        let this = amount_for(intent, limit.scope);
        let used = if limit.window == Window::Transaction {
            0
        } else {
            spent.for_scope(limit.scope).max(0)
        };
        let total = used.saturating_add(this);
        let show = |v: i64| {
            if limit.scope.counts_money() {
                money_with_coins(facts, v)
            } else {
                coins_with_money(facts, v)
            }
        };
        let thresholds = [
            (limit.hard, RuleId::HardLimit, Verdict::Deny),
            (limit.soft, RuleId::SoftLimit, Verdict::NeedsApproval),
        ];
        for (threshold, rule, verdict) in thresholds {
            let Some(threshold) = threshold else { continue };
            if total <= threshold {
                continue;
            }
            let kind = if rule == RuleId::HardLimit {
                "limit"
            } else {
                "approval threshold"
            };
            let remaining = (threshold - used).max(0);
            let message = if limit.window == Window::Transaction {
                format!(
                    "this is {}, above the {} {kind} of {} for a single transaction",
                    show(this),
                    scope_words(limit.scope),
                    show(threshold)
                )
            } else {
                format!(
                    "this is {}, above the {} {kind} of {} for {}: {} already used, {} left",
                    show(this),
                    scope_words(limit.scope),
                    show(threshold),
                    limit.window.phrase(),
                    show(used),
                    show(remaining)
                )
            };
            out.extend(reason(
                rule,
                verdict,
                message,
                vec![
                    ("scope", limit.scope.to_string()),
                    ("window", limit.window.to_string()),
                    ("limit", show(threshold)),
                    ("used", show(used)),
                    ("remaining", show(remaining)),
                    ("this", show(this)),
                ],
            ));
            break;
        }
    }
    out
}

fn quiet_hours(facts: &Facts<'_>, intent: &Intent) -> Option<Reason> {
    let quiet = facts.quiet_hours?;
    let minute = facts.local.hour() * 60 + facts.local.minute();
    if !intent.is_spending() || !quiet.contains(minute) {
        return None;
    }
    let (verb, _) = action_words(intent);
    let span = format!(
        "{}–{}",
        format_time_of_day(quiet.start_minute),
        format_time_of_day(quiet.end_minute)
    );
    let now = format_time_of_day(minute);
    let consequence = if quiet.verdict == Verdict::Deny {
        "no spending until they end"
    } else {
        "spending needs a guardian's approval"
    };
    reason(
        RuleId::QuietHours,
        quiet.verdict,
        format!(
            "it is {now}, inside {}'s quiet hours ({span}, {} time): {consequence}; {} cannot {verb} now",
            intent.member().name,
            facts.config.settings.timezone.name(),
            intent.member().name
        ),
        vec![("quiet_hours", span), ("now", now)],
    )
}

fn creator_list(facts: &Facts<'_>, intent: &Intent) -> Option<Reason> {
    let Intent::Gift {
        member, creator, ..
    } = intent
    else {
        return None;
    };
    match facts.creator_list {
        Some(CreatorList::Allow) => None,
        Some(CreatorList::Block) => reason(
            RuleId::CreatorList,
            Verdict::Deny,
            format!(
                "a guardian has blocked gifts from {} to {}",
                member.name, creator.name
            ),
            vec![
                ("creator", creator.name.to_string()),
                ("list", "blocked".into()),
            ],
        ),
        None => {
            let verdict = facts.config.settings.unknown_creator;
            let consequence = if verdict == Verdict::Deny {
                "gifts to them are not allowed"
            } else {
                "a guardian must approve gifts to them"
            };
            reason(
                RuleId::CreatorList,
                verdict,
                format!(
                    "{} is not on {}'s list of allowed creators: {consequence}",
                    creator.name, member.name
                ),
                vec![
                    ("creator", creator.name.to_string()),
                    ("list", "unknown".into()),
                ],
            )
        }
    }
}

fn deny(rule: RuleId, message: String, figures: Vec<(&'static str, String)>) -> Reason {
    Reason {
        rule,
        severity: Severity::Deny,
        message,
        figures,
    }
}

/// Spending while the clock reads earlier than the newest entry would let a
/// moved-back clock reopen a closed window, so it is refused.
fn clock_sanity(facts: &Facts<'_>, intent: &Intent) -> Option<Reason> {
    if matches!(intent, Intent::Reversal { .. }) {
        return None; // undoing a mistake must always be possible
    }
    let newest = facts.newest_entry_us?;
    let tolerance_us = i64::from(facts.config.settings.clock_tolerance_seconds) * 1_000_000;
    let now_us = facts.now.timestamp_micros();
    if now_us.saturating_add(tolerance_us) >= newest {
        return None;
    }
    let newest_text = DateTime::from_timestamp_micros(newest)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    let now_text = facts.now.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    Some(deny(
        RuleId::ClockSanity,
        format!(
            "this computer's clock reads {now_text}, earlier than the newest entry ({newest_text}); fix the clock before spending"
        ),
        vec![("clock", now_text), ("newest_entry", newest_text)],
    ))
}

fn role(intent: &Intent) -> Option<Reason> {
    let wrong_role = |who: &crate::ledger::Member, needed: Role, action: &str| {
        deny(
            RuleId::Role,
            format!(
                "{} is a {}; only a {needed} can {action}",
                who.name, who.role
            ),
            vec![("role", who.role.to_string())],
        )
    };
    match intent {
        Intent::Gift {
            member, creator, ..
        } if member.id == creator.id => Some(deny(
            RuleId::Role,
            format!("{} cannot send gifts to themselves", member.name),
            vec![],
        )),
        Intent::Gift { creator, .. } if creator.role != Role::Creator => {
            Some(wrong_role(creator, Role::Creator, "receive gifts"))
        }
        Intent::Grant { guardian, .. } | Intent::Reversal { guardian, .. }
            if guardian.role != Role::Guardian =>
        {
            Some(wrong_role(guardian, Role::Guardian, "do this"))
        }
        _ => None,
    }
}

fn funds(facts: &Facts<'_>, intent: &Intent) -> Option<Reason> {
    let economy = &facts.config.economy;
    match intent {
        Intent::Gift {
            coins, available, ..
        } => {
            let available = available.unwrap_or(Coins::ZERO);
            (available < *coins).then(|| {
                let short = coins.checked_sub(available).unwrap_or(*coins);
                let show = |c: Coins| coins_with_money(facts, c.to_i64().unwrap_or(i64::MAX));
                let (needed, available, short) = (show(*coins), show(available), show(short));
                deny(
                    RuleId::Funds,
                    format!(
                        "this needs {needed} but only {available} are available; {short} short"
                    ),
                    vec![
                        ("needed", needed),
                        ("available", available),
                        ("short", short),
                    ],
                )
            })
        }
        Intent::Redeem {
            diamonds,
            held,
            payout,
            ..
        } => {
            if held < diamonds {
                let show = |d: &Diamonds| {
                    let value = rounding::for_payout(
                        economy.diamond_value * Decimal::from(d.get()),
                        economy.currency,
                    )
                    .map(|m| m.to_string())
                    .unwrap_or_default();
                    format!("{d} ({value})")
                };
                let (needed, available) = (show(diamonds), show(held));
                return Some(deny(
                    RuleId::Funds,
                    format!("this needs {needed} but only {available} are in the earnings"),
                    vec![("needed", needed), ("available", available)],
                ));
            }
            let minimum = economy.minimum_payout;
            (payout.micros() < minimum.micros()).then(|| {
                let needed = minimum
                    .amount()
                    .checked_div(economy.diamond_value)
                    .map(|d| d.ceil().to_string())
                    .unwrap_or_default();
                deny(
                    RuleId::Funds,
                    format!("{diamonds} pay out {payout}, below the minimum payout of {minimum} ({needed} diamonds)"),
                    vec![("payout", payout.to_string()), ("minimum", minimum.to_string()), ("available", Diamonds::to_string(held))],
                )
            })
        }
        _ => None,
    }
}
