//! Guardian policy commands: limits and rules.

use chrono::Timelike;
use serde_json::json;

use super::output::{clean, say};
use super::{Args, CliError, EXIT_OK, LimitCommand, RuleCommand, guardian_pass, open, output};
use crate::config::Verdict;
use crate::domain::{self, Clock, Scope, Window};
use crate::ledger::{self, CreatorList, Limit, QuietHours, Store};
use crate::services::{self, Change};

/// A limit in words, in the household currency (the services own the wording).
fn describe_limit(limit: &Limit, store: &Store) -> String {
    match store.config() {
        Ok(config) => services::describe_limit(limit, &config.economy),
        Err(_) => format!("{} per {}", limit.scope, limit.window),
    }
}

fn describe_quiet(q: &QuietHours) -> String {
    services::describe_quiet_hours(q)
}

fn print_change<T>(
    args: &Args,
    what: &str,
    change: &Change<T>,
    show: impl Fn(&T) -> String,
) -> Result<(), CliError> {
    let before = change.before.as_ref().map(&show);
    let after = change.after.as_ref().map(&show);
    if args.json {
        return output::json(
            &json!({"outcome": "changed", "what": what, "by": change.by.as_str(), "before": before, "after": after}),
        );
    }
    let none = || "(none)".to_string();
    say!("{} changed {}.", clean(change.by.as_str()), clean(what))?;
    say!("  before: {}", clean(&before.unwrap_or_else(none)))?;
    say!("  after:  {}", clean(&after.unwrap_or_else(none)))
}

pub(super) fn limit(
    args: &Args,
    clock: &dyn Clock,
    command: &LimitCommand,
) -> Result<u8, CliError> {
    match command {
        LimitCommand::Set {
            member,
            scope,
            window,
            soft,
            hard,
            guardian,
        } => {
            let (scope, window): (Scope, Window) = (scope.parse()?, window.parse()?);
            let mut store = open(args)?;
            let currency = store.config()?.settings.currency;
            let amount = |text: &Option<String>| {
                text.as_deref()
                    .map(|t| services::parse_limit_amount(t, scope, currency))
                    .transpose()
            };
            let (soft, hard) = (amount(soft)?, amount(hard)?);
            let pass = guardian_pass(&mut store, clock, guardian)?;
            let change = services::set_limit(
                &mut store,
                clock,
                pass,
                member,
                services::LimitSpec {
                    scope,
                    window,
                    soft,
                    hard,
                },
            )?;
            print_change(args, &format!("a limit of {member}"), &change, |l| {
                describe_limit(l, &store)
            })?;
            Ok(EXIT_OK)
        }
        LimitCommand::Remove {
            member,
            scope,
            window,
            guardian,
        } => {
            let (scope, window): (Scope, Window) = (scope.parse()?, window.parse()?);
            let mut store = open(args)?;
            let pass = guardian_pass(&mut store, clock, guardian)?;
            let change = services::remove_limit(&mut store, clock, pass, member, scope, window)?;
            print_change(args, &format!("a limit of {member}"), &change, |l| {
                describe_limit(l, &store)
            })?;
            Ok(EXIT_OK)
        }
        LimitCommand::List { member } => {
            let store = open(args)?;
            let config = store.config()?;
            let found = ledger::find_member(store.conn(), member)?;
            let rows: Vec<_> = crate::report::limit_statuses(
                store.conn(),
                found.id,
                clock.now(),
                config.settings.timezone,
            )?
            .into_iter()
            .map(|s| (s.limit, (s.used, s.used_cost), s.remaining))
            .collect();
            let currency = config.settings.currency;
            let show = |v: i64, scope: Scope| services::show_limit_amount(v, scope, currency);
            if args.json {
                let amount = |v: i64, scope: Scope| output::limit_amount(v, scope, currency);
                let limits: Vec<_> = rows
                    .iter()
                    .map(|(l, (used, used_cost), left)| {
                        json!({
                            "scope": l.scope.as_str(), "window": l.window.as_str(),
                            "soft": l.soft, "hard": l.hard,
                            "used": amount(*used, l.scope), "remaining": amount(*left, l.scope),
                            "used_cost": (!l.scope.counts_money()).then(|| output::money(*used_cost, currency)),
                        })
                    })
                    .collect();
                output::json(&json!({"member": found.name.as_str(), "limits": limits}))?;
                return Ok(EXIT_OK);
            }
            if rows.is_empty() {
                say!("{} has no limits.", clean(found.name.as_str()))?;
            }
            // For people: coin figures with their money value; coins used
            // are known coins, with what they cost; what is left is only an
            // amount, valued at the best pack rate (≈).
            let show = |v: i64, scope: Scope| {
                if scope.counts_money() {
                    show(v, scope)
                } else {
                    config.economy.coins_with_value(v)
                }
            };
            for (l, (used, used_cost), left) in rows {
                let used_text = if l.scope.counts_money() {
                    show(used, l.scope)
                } else {
                    crate::guard::coins_and_money(used, used_cost, currency)
                };
                let window = if l.window == Window::Transaction {
                    String::new()
                } else {
                    format!("; used {}: {used_text}", l.window.phrase())
                };
                say!(
                    "{}{window}; {} left",
                    describe_limit(&l, &store),
                    show(left, l.scope)
                )?;
            }
            Ok(EXIT_OK)
        }
    }
}

pub(super) fn rule(args: &Args, clock: &dyn Clock, command: &RuleCommand) -> Result<u8, CliError> {
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
                let parse = |t: &Option<String>| {
                    domain::parse_time_of_day(t.as_deref().unwrap_or_default())
                };
                let verdict = match action.as_str() {
                    "deny" => Verdict::Deny,
                    "needs-approval" | "needs_approval" => Verdict::NeedsApproval,
                    other => {
                        return Err(CliError::BadInput(format!(
                            "action \"{other}\" is not one of deny, needs-approval"
                        )));
                    }
                };
                Some(QuietHours {
                    start_minute: parse(from)?,
                    end_minute: parse(to)?,
                    verdict,
                })
            };
            let mut store = open(args)?;
            let pass = guardian_pass(&mut store, clock, guardian)?;
            let change = services::set_quiet_hours(&mut store, clock, pass, member, quiet)?;
            print_change(
                args,
                &format!("the quiet hours of {member}"),
                &change,
                describe_quiet,
            )?;
            Ok(EXIT_OK)
        }
        RuleCommand::Creator {
            member,
            creator,
            allow,
            block,
            clear,
            guardian,
        } => {
            let list = match (allow, block, clear) {
                (true, _, _) => Some(CreatorList::Allow),
                (_, true, _) => Some(CreatorList::Block),
                (_, _, true) => None,
                _ => return Err(CliError::BadInput("say --allow, --block or --clear".into())),
            };
            let mut store = open(args)?;
            let pass = guardian_pass(&mut store, clock, guardian)?;
            let change =
                services::set_creator_list(&mut store, clock, pass, member, creator, list)?;
            let show = |l: &CreatorList| {
                if *l == CreatorList::Allow {
                    format!("{creator} allowed")
                } else {
                    format!("{creator} blocked")
                }
            };
            print_change(
                args,
                &format!("the creator list of {member}"),
                &change,
                show,
            )?;
            Ok(EXIT_OK)
        }
        RuleCommand::List { member } => {
            let store = open(args)?;
            let config = store.config()?;
            let found = ledger::find_member(store.conn(), member)?;
            let quiet = ledger::quiet_hours_of(store.conn(), found.id)?;
            let mut lists = Vec::new();
            for (creator, list) in ledger::creator_lists_of(store.conn(), found.id)? {
                let name = ledger::member_by_id(store.conn(), creator)?
                    .map(|m| m.name.to_string())
                    .unwrap_or_default();
                lists.push((
                    name,
                    if list == CreatorList::Allow {
                        "allow"
                    } else {
                        "block"
                    },
                ));
            }
            let local = clock.now().with_timezone(&config.settings.timezone);
            let age = found.birthdate.map(|b| b.age_on(local.date_naive()));
            let band = age.and_then(|a| {
                config
                    .age_bands
                    .iter()
                    .rev()
                    .find(|b| b.from_age <= a)
                    .copied()
            });
            if args.json {
                output::json(&json!({
                    "member": found.name.as_str(),
                    "age": age,
                    "age_rules": band.map(|b| json!({"purchase": b.purchase.as_str(), "gift": b.gift.as_str(), "redeem": b.redeem.as_str()})),
                    "quiet_hours": quiet.as_ref().map(describe_quiet),
                    "creators": lists.iter().map(|(n, l)| json!({"creator": n, "list": l})).collect::<Vec<_>>(),
                    "unknown_creators": config.settings.unknown_creator.as_str(),
                }))?;
                return Ok(EXIT_OK);
            }
            match (age, band) {
                (Some(age), Some(b)) => {
                    let word = |v: Verdict| match v {
                        Verdict::Allow => "allowed",
                        Verdict::NeedsApproval => "need approval",
                        Verdict::Deny => "refused",
                    };
                    say!(
                        "{} is {age}: purchases {}, gifts {}, cashing out {}.",
                        clean(found.name.as_str()),
                        word(b.purchase),
                        word(b.gift),
                        word(b.redeem)
                    )?
                }
                _ => say!(
                    "{} has no birthdate: treated as an adult.",
                    clean(found.name.as_str())
                )?,
            }
            say!(
                "Quiet hours: {} (it is {:02}:{:02} now).",
                quiet
                    .as_ref()
                    .map(describe_quiet)
                    .unwrap_or_else(|| "none".into()),
                local.hour(),
                local.minute()
            )?;
            for (name, list) in &lists {
                say!("Creator {}: {list}", clean(name))?;
            }
            say!(
                "Creators on no list: {}.",
                config.settings.unknown_creator.as_str().replace('_', " ")
            )?;
            Ok(EXIT_OK)
        }
    }
}
