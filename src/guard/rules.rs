//! One small pure function per rule: facts and intent in, reasons out.

use chrono::DateTime;

use super::{Facts, Intent, Reason, RuleId, Severity};
use crate::domain::Role;
use crate::money::{Coins, Diamonds};

pub(super) fn all(facts: &Facts<'_>, intent: &Intent) -> Vec<Reason> {
    let mut reasons = Vec::new();
    reasons.extend(clock_sanity(facts, intent));
    reasons.extend(role(intent));
    reasons.extend(funds(facts, intent));
    reasons
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
                deny(
                    RuleId::Funds,
                    format!("this needs {coins} but only {available} are available; {short} short"),
                    vec![
                        ("needed", coins.to_string()),
                        ("available", available.to_string()),
                        ("short", short.to_string()),
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
                return Some(deny(
                    RuleId::Funds,
                    format!("this needs {diamonds} but only {held} are in the earnings"),
                    vec![
                        ("needed", diamonds.to_string()),
                        ("available", held.to_string()),
                    ],
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
