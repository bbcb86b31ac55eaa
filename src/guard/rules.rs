//! One small pure function per rule: facts and intent in, reasons out.

use chrono::{DateTime, Timelike};

use super::{Facts, Figure, Intent, Reason, RuleId};
use crate::config::Verdict;
use crate::domain::{LimitUnit, Role, Scope, Window, format_time_of_day};
use crate::ledger::CreatorList;
use crate::money::{Coins, Diamonds, Money};

pub(super) fn all(facts: &Facts<'_>, intent: &Intent) -> Vec<Reason> {
    let mut reasons = Vec::new();
    reasons.extend(clock_sanity(facts, intent));
    reasons.extend(role(intent));
    reasons.extend(age_band(facts, intent));
    reasons.extend(funds(facts, intent));
    reasons.extend(limits(facts));
    reasons.extend(quiet_hours(facts, intent));
    reasons.extend(creator_list(facts, intent));
    reasons
}

fn reason(
    rule: RuleId,
    verdict: Verdict,
    message: String,
    figures: Vec<(&'static str, Figure)>,
) -> Option<Reason> {
    let severity = match verdict {
        Verdict::Allow => return None,
        Verdict::NeedsApproval => Verdict::NeedsApproval,
        Verdict::Deny => Verdict::Deny,
    };
    Some(Reason {
        rule,
        severity,
        message,
        figures: named(figures),
    })
}

/// Coins whose cost is known (from the lots they came or would come from):
/// "90 coins (1.28 USD)". Without a known cost (coins not in the wallet
/// yet), their value at the best pack rate, marked "≈".
fn coins_costing(facts: &Facts<'_>, coins: i64, cost: Option<i64>) -> Figure {
    match cost {
        Some(cost) if coins > 0 => Figure::Coins {
            coins,
            value: Money::from_micros(facts.config.economy.currency, cost),
            estimated: false,
        },
        _ => hypothetical_coins(facts, coins),
    }
}

/// Coins that are an amount, not particular coins (a limit, what is left of
/// it): valued at the best pack rate, marked "≈".
fn hypothetical_coins(facts: &Facts<'_>, coins: i64) -> Figure {
    Figure::estimated_coins(coins, &facts.config.economy)
}

fn text(value: impl Into<String>) -> Figure {
    Figure::Text(value.into())
}

fn action_words(intent: &Intent) -> (&'static str, &'static str) {
    match intent {
        Intent::Purchase { .. } => ("buy coins", "purchases"),
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
    if verdict == Verdict::Allow {
        return None; // nothing to say, so no words to make
    }
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
        vec![("age", text(age.to_string())), ("band", text(range))],
    )
}

fn scope_words(scope: Scope) -> &'static str {
    match scope {
        Scope::Purchase => "spending on coins",
        Scope::Gift => "gifting",
        Scope::All => "total spending",
    }
}

/// Limits: what was already spent in the window plus this intent, against
/// the hard (deny) and soft (needs approval) thresholds. The reason says what
/// crosses: "0.86 USD used + 9.99 USD = 10.85 USD, above 10.00 USD". A limit
/// passed hard is not also reported soft.
fn limits(facts: &Facts<'_>) -> Vec<Reason> {
    let mut out = Vec::new();
    let currency = facts.config.economy.currency;
    for (limit, spent) in &facts.limits {
        let this = facts.this.for_scope(limit.scope);
        let single = limit.window == Window::Transaction;
        let (used, used_cost) = if single {
            (0, 0)
        } else {
            (
                spent.for_scope(limit.scope).max(0),
                spent.gift_cost_micros.max(0),
            )
        };
        let total = used.saturating_add(this);
        let this_cost = (facts.this.gift_cost_micros > 0).then_some(facts.this.gift_cost_micros);
        // Money scopes show money; the gift scope shows coins, with what
        // they cost where the coins are known (used, this gift) and their
        // value at the best pack rate where they are only an amount.
        let (show_used, show_this, show_total, show_amount): (
            Figure,
            Figure,
            Figure,
            &dyn Fn(i64) -> Figure,
        ) = match limit.scope.unit() {
            LimitUnit::Money => {
                let money = |v: i64| Figure::Money(Money::from_micros(currency, v));
                (money(used), money(this), money(total), &|v| {
                    Figure::Money(Money::from_micros(currency, v))
                })
            }
            LimitUnit::Coins => (
                coins_costing(facts, used, Some(used_cost)),
                coins_costing(facts, this, this_cost),
                coins_costing(facts, total, this_cost.map(|c| c.saturating_add(used_cost))),
                &|v| hypothetical_coins(facts, v),
            ),
        };
        let thresholds = [
            (
                limit.hard.map(|a| a.units()),
                RuleId::HardLimit,
                Verdict::Deny,
            ),
            (
                limit.soft.map(|a| a.units()),
                RuleId::SoftLimit,
                Verdict::NeedsApproval,
            ),
        ];
        for (threshold, rule, verdict) in thresholds {
            let Some(threshold) = threshold else { continue };
            if total <= threshold {
                continue;
            }
            let above = if rule == RuleId::HardLimit {
                format!("the limit of {}", show_amount(threshold))
            } else {
                format!(
                    "{}, the most without a guardian's approval",
                    show_amount(threshold)
                )
            };
            let remaining = (threshold - used).max(0);
            let message = if single {
                format!(
                    "{} in one go: {show_this}, above {above}",
                    scope_words(limit.scope)
                )
            } else if used == 0 {
                format!(
                    "{} {}: {show_this}, above {above}",
                    scope_words(limit.scope),
                    limit.window.phrase()
                )
            } else {
                // Already past it (an approved purchase, or a limit lowered
                // below what was spent): "none left" would hide by how much.
                let rest = if used > threshold {
                    format!("already {} over it", show_amount(used - threshold))
                } else {
                    format!("{} left", show_amount(remaining))
                };
                format!(
                    "{} {}: {show_used} used + {show_this} = {show_total}, above {above}; {rest}",
                    scope_words(limit.scope),
                    limit.window.phrase(),
                )
            };
            out.extend(reason(
                rule,
                verdict,
                message,
                vec![
                    ("scope", text(limit.scope.to_string())),
                    ("window", text(limit.window.to_string())),
                    ("limit", show_amount(threshold)),
                    ("used", show_used.clone()),
                    ("this", show_this.clone()),
                    ("total", show_total.clone()),
                    ("remaining", show_amount(remaining)),
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
        vec![("quiet_hours", text(span)), ("now", text(now))],
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
                ("creator", text(creator.name.as_str())),
                ("list", text("blocked")),
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
                    ("creator", text(creator.name.as_str())),
                    ("list", text("unknown")),
                ],
            )
        }
    }
}

fn deny(rule: RuleId, message: String, figures: Vec<(&'static str, Figure)>) -> Reason {
    Reason {
        rule,
        severity: Verdict::Deny,
        message,
        figures: named(figures),
    }
}

fn named(figures: Vec<(&'static str, Figure)>) -> Vec<(std::borrow::Cow<'static, str>, Figure)> {
    figures
        .into_iter()
        .map(|(name, value)| (std::borrow::Cow::Borrowed(name), value))
        .collect()
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
        vec![
            ("clock", text(now_text)),
            ("newest_entry", text(newest_text)),
        ],
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
            vec![("role", text(who.role.to_string()))],
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
            let available = *available;
            (available < *coins).then(|| {
                let short = coins.checked_sub(available).unwrap_or(*coins);
                let count = |c: Coins| c.to_i64().unwrap_or(i64::MAX);
                let available_none = available == Coins::ZERO;
                // The coins there are known, with what they cost; the rest
                // are an amount, valued at the best pack rate. What is
                // needed is both, as the summary says it (one price per amount).
                let needed = match intent.gift_cost() {
                    // In the wallet, but held by waiting requests: known coins.
                    Some(cost) => coins_costing(facts, count(*coins), Some(cost)),
                    None => Figure::Coins {
                        coins: count(*coins),
                        value: super::intent::held_plus_estimate(
                            economy,
                            facts.available_cost.unwrap_or(0),
                            short,
                        ),
                        estimated: true,
                    },
                };
                let (available, short) = (
                    coins_costing(facts, count(available), facts.available_cost),
                    hypothetical_coins(facts, count(short)),
                );
                if available_none {
                    return deny(
                        RuleId::Funds,
                        format!("this needs {needed} but no coins are available"),
                        vec![
                            ("needed", needed),
                            ("available", coins_costing(facts, 0, Some(0))),
                            ("short", short),
                        ],
                    );
                }
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
                // Diamonds with what they pay out.
                let show = |d: &Diamonds| Figure::Diamonds {
                    diamonds: d.to_i64().unwrap_or(i64::MAX),
                    value: economy
                        .diamonds_payout(*d)
                        .map(|(_, pays)| pays)
                        .unwrap_or(Money::zero(economy.currency)),
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
                use rust_decimal::prelude::ToPrimitive;
                let needed = minimum
                    .amount()
                    .checked_div(economy.diamond_value)
                    .and_then(|d| d.ceil().to_u64())
                    .map(Diamonds::new)
                    .unwrap_or_default();
                let available = Figure::Diamonds {
                    diamonds: held.to_i64().unwrap_or(i64::MAX),
                    value: economy
                        .diamonds_payout(*held)
                        .map(|(_, pays)| pays)
                        .unwrap_or(Money::zero(economy.currency)),
                };
                deny(
                    RuleId::MinimumPayout,
                    format!("{diamonds} pay out {payout}, below the minimum payout of {minimum} ({needed})"),
                    vec![
                        ("payout", Figure::Money(*payout)),
                        ("minimum", Figure::Money(minimum)),
                        ("available", available),
                    ],
                )
            })
        }
        _ => None,
    }
}
