//! Guardian policy commands: limits and rules.

use chrono::Timelike;
use serde::Serialize;

use super::household::print_change;
use super::output::{clean, say};
use super::values::creator_list;
use super::{Args, CliError, EXIT_OK, LimitCommand, RuleCommand, guardian_auth, output};
use crate::api::Call;
use crate::api::call::QuietHoursSpec;
use crate::api::reply::{ChangeView, HouseholdView, LimitView, RulesView, WalletView};
use crate::client::Household;
use crate::domain::{self, Outcome, Window};

/// What `limit list --json` prints: the member and their limits as they stand.
#[derive(Serialize)]
struct Limits<'a> {
    member: &'a str,
    limits: &'a [LimitView],
}

/// A limit as a line: what it is, what is used in its window, what is left.
fn limit_line(l: &LimitView) -> String {
    let used = if l.window == Window::Transaction {
        String::new()
    } else {
        format!("; used {}: {}", l.window_words, l.used_words)
    };
    format!("{}{used}; {}", l.words, l.left_words)
}

pub(super) fn limit(
    args: &Args,
    h: &mut Household<'_>,
    command: &LimitCommand,
) -> Result<u8, CliError> {
    match command {
        LimitCommand::Set {
            member,
            which,
            soft,
            hard,
            guardian,
        } => {
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::SetLimit {
                member: member.clone(),
                scope: which.scope.into(),
                window: which.window.into(),
                soft: soft.clone(),
                hard: hard.clone(),
                auth,
            })?;
            print_change(args, &change)?;
            Ok(EXIT_OK)
        }
        LimitCommand::Remove {
            member,
            which,
            guardian,
        } => {
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::RemoveLimit {
                member: member.clone(),
                scope: which.scope.into(),
                window: which.window.into(),
                auth,
            })?;
            print_change(args, &change)?;
            Ok(EXIT_OK)
        }
        LimitCommand::List { member } => {
            let wallet: WalletView = h.ask(Call::Wallet {
                member: member.clone(),
            })?;
            if args.json {
                output::json(&Limits {
                    member: &wallet.member.name,
                    limits: &wallet.limits,
                })?;
                return Ok(EXIT_OK);
            }
            if wallet.limits.is_empty() {
                say!("{} has no limits.", clean(&wallet.member.name))?;
            }
            // Coins used are known coins, with what they cost; what is left
            // is only an amount, valued at the best pack rate (≈).
            for l in &wallet.limits {
                say!("{}", clean(&limit_line(l)))?;
            }
            Ok(EXIT_OK)
        }
    }
}

/// What `rule list --json` prints: the member's rules, and the household's
/// time zone and clock that quiet hours are read in.
#[derive(Serialize)]
struct Rules<'a> {
    #[serde(flatten)]
    rules: &'a RulesView,
    /// The household's time zone: quiet hours are its clock times.
    timezone: &'a str,
    /// The household's time now, HH:MM.
    time_now: String,
}

pub(super) fn rule(
    args: &Args,
    h: &mut Household<'_>,
    command: &RuleCommand,
) -> Result<u8, CliError> {
    match command {
        RuleCommand::QuietHours {
            member,
            from,
            to,
            action,
            off,
            guardian,
        } => {
            let quiet = if *off {
                None
            } else {
                let (from, to) = (
                    from.clone().unwrap_or_default(),
                    to.clone().unwrap_or_default(),
                );
                // Said before the PIN is asked: the times are read here too.
                let (start, end) = (
                    domain::parse_time_of_day(&from)?,
                    domain::parse_time_of_day(&to)?,
                );
                if start == end {
                    return Err(CliError::BadInput(format!(
                        "quiet hours need a start and an end that differ; --from and --to are both {}",
                        domain::format_time_of_day(start)
                    )));
                }
                Some(QuietHoursSpec {
                    from,
                    to,
                    action: (*action).into(),
                })
            };
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::SetQuietHours {
                member: member.clone(),
                quiet,
                auth,
            })?;
            print_change(args, &change)?;
            Ok(EXIT_OK)
        }
        RuleCommand::Creator {
            member,
            creator,
            allow,
            block,
            clear: _,
            guardian,
        } => {
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::SetCreatorList {
                member: member.clone(),
                creator: creator.clone(),
                list: creator_list(*allow, *block),
                auth,
            })?;
            print_change(args, &change)?;
            Ok(EXIT_OK)
        }
        RuleCommand::List { member } => {
            let rules: RulesView = h.ask(Call::Rules {
                member: member.clone(),
            })?;
            let house: HouseholdView = h.ask(Call::Household)?;
            let local = domain::parse_timezone(&house.timezone)
                .map(|tz| house.now.with_timezone(&tz).time())
                .unwrap_or_else(|_| house.now.time());
            let time_now = format!("{:02}:{:02}", local.hour(), local.minute());
            if args.json {
                output::json(&Rules {
                    rules: &rules,
                    timezone: &house.timezone,
                    time_now,
                })?;
                return Ok(EXIT_OK);
            }
            let name = clean(&rules.member);
            match (rules.age, rules.age_rules) {
                (Some(age), Some(b)) => {
                    let word = |v: Outcome| match v {
                        Outcome::Allow => "allowed",
                        Outcome::NeedsApproval => "need approval",
                        Outcome::Deny => "refused",
                    };
                    say!(
                        "{name} is {age}: purchases {}, gifts {}, cashing out {}.",
                        word(b.purchase),
                        word(b.gift),
                        word(b.redeem)
                    )?
                }
                _ => say!("{name} has no birthdate: treated as an adult.")?,
            }
            say!(
                "Quiet hours: {} (it is {time_now} now in {}, the household's time zone).",
                rules
                    .quiet_hours
                    .as_ref()
                    .map(|q| clean(&q.words).into_owned())
                    .unwrap_or_else(|| "none".into()),
                house.timezone
            )?;
            for c in &rules.creators {
                let list = match c.list {
                    domain::CreatorList::Allow => "allow",
                    domain::CreatorList::Block => "block",
                };
                say!("Creator {}: {list}", clean(&c.creator))?;
            }
            say!(
                "Creators on no list: {}.",
                rules.unknown_creators.as_str().replace('_', " ")
            )?;
            Ok(EXIT_OK)
        }
    }
}
