//! Audit commands: history, report, logs, export.

use serde_json::json;

use super::output::{clean, say};
use super::{
    Args, CliError, EXIT_OK, ExportArgs, HistoryArgs, LedgerFilterArgs, LogCommand, ReportArgs,
    open, output,
};
use crate::domain::{self, Clock};
use crate::ledger::{self, Kind};
use crate::money::{Coins, Diamonds, Money, parse_count};
use crate::report::{self, Cursor, Format, HistoryFilter, LogFilter, Period};
use crate::services::describe_limit;

fn filter(store: &ledger::Store, h: &LedgerFilterArgs) -> Result<HistoryFilter, CliError> {
    let member = h
        .member
        .as_deref()
        .map(|m| ledger::find_member(store.conn(), m))
        .transpose()?;
    let creator = h
        .creator
        .as_deref()
        .map(|m| ledger::find_member(store.conn(), m))
        .transpose()?;
    let kind = h
        .kind
        .as_deref()
        .map(|k| {
            Kind::parse(k.trim()).ok_or_else(|| {
                CliError::BadInput(format!(
                    "kind \"{k}\" is not one of purchase, gift, redeem, grant, reversal"
                ))
            })
        })
        .transpose()?;
    let since = h.since.as_deref().map(domain::parse_date).transpose()?;
    let until = h.until.as_deref().map(domain::parse_date).transpose()?;
    if let (Some(s), Some(u)) = (since, until)
        && s > u
    {
        return Err(CliError::BadInput(format!(
            "--since {s} is after --until {u}"
        )));
    }
    Ok(HistoryFilter {
        member: member.map(|m| m.id),
        kind,
        creator: creator.map(|m| m.id),
        since,
        until,
    })
}

fn parse_cursor(text: &str) -> Result<Cursor, CliError> {
    let bad = || {
        CliError::BadInput(format!(
            "\"{text}\" is not a page marker; use the one the previous page printed"
        ))
    };
    let (at, id) = text.split_once('.').ok_or_else(bad)?;
    Ok(Cursor {
        at_us: at.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

pub(super) fn history(args: &Args, h: &HistoryArgs) -> Result<u8, CliError> {
    let store = open(args)?;
    let config = store.config()?;
    let (currency, tz) = (config.settings.currency, config.settings.timezone);
    let filter = filter(&store, &h.filter)?;
    let limit = usize::try_from(parse_count(&h.limit, "rows", report::MAX_PAGE as u64)?)
        .unwrap_or(report::MAX_PAGE);
    let cursor = h.after.as_deref().map(parse_cursor).transpose()?;
    let page = report::history_page(store.conn(), &filter, tz, cursor, limit)?;
    let next = page.next.map(|c| format!("{}.{}", c.at_us, c.id));
    if args.json {
        let rows: Vec<_> = page
            .rows
            .iter()
            .map(|r| {
                json!({
                    "id": r.id, "time_local": report::local(r.at_us, tz), "kind": r.kind.as_str(),
                    "member": r.member, "counterparty": r.counterparty, "coins": r.coins, "diamonds": r.diamonds,
                    "money": output::money(r.money_micros, currency),
                    "detail": r.detail, "memo": r.memo, "reverses": r.reverses, "reversed_by": r.reversed_by,
                })
            })
            .collect();
        output::json(
            &json!({"currency": currency.code(), "transactions": rows, "next_page": next}),
        )?;
        return Ok(EXIT_OK);
    }
    if page.rows.is_empty() {
        say!("No transactions match.")?;
    }
    for r in &page.rows {
        let mut figures = Vec::new();
        if r.coins != 0 {
            let sign = if r.coins > 0 { "+" } else { "-" };
            figures.push(format!("{sign}{}", Coins::new(r.coins.unsigned_abs())));
        }
        if r.diamonds != 0 {
            let sign = if r.diamonds > 0 { "+" } else { "-" };
            figures.push(format!(
                "{sign}{}",
                Diamonds::new(r.diamonds.unsigned_abs())
            ));
        }
        figures.push(Money::from_micros(currency, r.money_micros).to_string());
        let undone = r
            .reversed_by
            .map(|by| format!(" [reversed by #{by}]"))
            .unwrap_or_default();
        say!(
            "#{:<6} {}  {:<9} {:<12} {}{undone}",
            r.id,
            report::local(r.at_us, tz),
            r.kind.as_str(),
            clean(&r.member),
            figures.join(", ")
        )?;
        say!("        {}", clean(&r.detail))?;
        if !r.memo.is_empty() {
            say!("        memo: {}", clean(&r.memo))?;
        }
    }
    if let Some(next) = next {
        say!("More: coinguard history --after {next} (same filters)")?;
    }
    Ok(EXIT_OK)
}

/// Which days a report covers, from --period, --at, --from/--to.
fn report_days(
    r: &ReportArgs,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), CliError> {
    let period = r
        .period
        .as_deref()
        .map(|p| {
            Period::parse(p).ok_or_else(|| {
                CliError::BadInput(format!("period \"{p}\" is not one of day, week, month"))
            })
        })
        .transpose()?;
    let (first, last) = match (&r.at, &r.from, &r.to) {
        (_, Some(from), Some(to)) => {
            let (from, to) = (domain::parse_date(from)?, domain::parse_date(to)?);
            if from > to {
                return Err(CliError::BadInput(format!(
                    "--from {from} is after --to {to}"
                )));
            }
            (from, to)
        }
        (Some(at), _, _) => {
            let (day, named) = parse_at(at)?;
            let period = match (period, named) {
                (Some(p), Some(n)) if p != n => {
                    return Err(CliError::BadInput(format!(
                        "--at {at} names a {}, not a {}; leave out --period or give a day (YYYY-MM-DD)",
                        period_word(n),
                        period_word(p)
                    )));
                }
                (Some(p), _) => p,
                (None, Some(n)) => n,
                (None, None) => Period::Month,
            };
            report::period_days(period, day)
        }
        _ => report::period_days(period.unwrap_or(Period::Month), today),
    };
    if first > today {
        return Err(CliError::BadInput(format!(
            "{first} is in the future; a report covers days up to today ({today})"
        )));
    }
    Ok((first, last))
}

fn period_word(p: Period) -> &'static str {
    match p {
        Period::Day => "day",
        Period::Week => "week",
        Period::Month => "month",
    }
}

/// `--at`: a day (YYYY-MM-DD), a month (YYYY-MM) or an ISO week (YYYY-Www);
/// the day it starts on, and the period it names if it names one.
fn parse_at(text: &str) -> Result<(chrono::NaiveDate, Option<Period>), CliError> {
    let t = text.trim();
    let bad = || {
        CliError::BadInput(format!(
            "--at \"{text}\" is not a day (2026-03-14), a month (2026-03) or an ISO week (2026-W10)"
        ))
    };
    if t.len() == 10 {
        return Ok((domain::parse_date(t)?, None));
    }
    let (year, rest) = t.split_once('-').ok_or_else(bad)?;
    let year: i32 = year
        .parse()
        .ok()
        .filter(|_| year.len() == 4)
        .ok_or_else(bad)?;
    let number = |digits: &str| -> Option<u32> {
        (digits.len() == 2 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    };
    if let Some(week) = rest.strip_prefix(['W', 'w']) {
        let week = number(week).ok_or_else(bad)?;
        let monday = chrono::NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
            .ok_or_else(|| CliError::BadInput(format!("{year} has no ISO week {week}")))?;
        return Ok((monday, Some(Period::Week)));
    }
    let month = number(rest).ok_or_else(bad)?;
    let first = chrono::NaiveDate::from_ymd_opt(year, month, 1)
        .ok_or_else(|| CliError::BadInput(format!("\"{text}\" is not a month that exists")))?;
    Ok((first, Some(Period::Month)))
}

pub(super) fn report(args: &Args, clock: &dyn Clock, r: &ReportArgs) -> Result<u8, CliError> {
    let store = open(args)?;
    let config = store.config()?;
    let (currency, tz) = (config.settings.currency, config.settings.timezone);
    let now = clock.now();
    let (first_day, last_day) = report_days(r, now.with_timezone(&tz).date_naive())?;
    let members = match &r.member {
        Some(name) => vec![ledger::find_member(store.conn(), name)?],
        None => ledger::list_members(store.conn())?,
    };
    let mut reports = Vec::new();
    for m in &members {
        reports.push(report::period_report_between(
            store.conn(),
            &config,
            m,
            first_day,
            last_day,
            now,
        )?);
    }
    if args.json {
        let docs: Vec<_> = reports.iter().map(|r| json!({
            "member": r.member.name.as_str(), "from": r.first_day.to_string(), "to": r.last_day.to_string(),
            "current": r.current,
            "purchases": output::money(r.spent.purchase_micros, currency), "gifts_coins": r.spent.gift_coins,
            "gifts_cost": output::money(r.spent.gift_cost_micros, currency),
            "all": output::money(r.spent.all_micros, currency),
            "limits": r.current.then(|| r.limits.iter().map(|l| json!({
                "limit": describe_limit(&l.limit, &config.economy), "scope": l.limit.scope.as_str(), "window": l.limit.window.as_str(),
                "used": output::limit_amount(l.used, l.limit.scope, currency),
                "used_cost": (!l.limit.scope.counts_money()).then(|| output::money(l.used_cost, currency)),
                "remaining": output::limit_amount(l.remaining, l.limit.scope, currency), "percent": l.percent,
            })).collect::<Vec<_>>()),
            "top_creators": r.top_creators.iter().map(|(n, c, cost)| json!({"creator": n, "coins": c, "cost": output::money(*cost, currency)})).collect::<Vec<_>>(),
            "refused": r.refused_count,
            "pending_requests": r.current.then(|| r.pending.iter().map(|p| p.id).collect::<Vec<_>>()),
        })).collect();
        output::json(&json!({ "reports": docs }))?;
        return Ok(EXIT_OK);
    }
    // For people: coin figures with their money value.
    let money = |v: i64| Money::from_micros(currency, v).to_string();
    let coins = |v: i64| config.economy.coins_with_value(v);
    for r in &reports {
        say!(
            "{} — {} to {}",
            clean(r.member.name.as_str()),
            r.first_day,
            r.last_day
        )?;
        say!(
            "  spent on coins {}; gave {} in gifts; all spending {}",
            money(r.spent.purchase_micros),
            crate::guard::coins_and_money(r.spent.gift_coins, r.spent.gift_cost_micros, currency),
            money(r.spent.all_micros)
        )?;
        if !r.current {
            say!("  limits: judged now, so shown for the current period only")?;
        }
        for l in &r.limits {
            let show = |v: i64| {
                if l.limit.scope.counts_money() {
                    money(v)
                } else {
                    coins(v)
                }
            };
            let used = if l.limit.scope.counts_money() {
                money(l.used)
            } else {
                crate::guard::coins_and_money(l.used, l.used_cost, currency)
            };
            say!(
                "  limit {}: used {used} ({}%), {} left",
                describe_limit(&l.limit, &config.economy),
                l.percent,
                show(l.remaining)
            )?;
        }
        for (name, gifted, cost) in &r.top_creators {
            say!(
                "  gifted {}: {} ({})",
                clean(name),
                Coins::new((*gifted).max(0).unsigned_abs()),
                money(*cost)
            )?;
        }
        if r.refused_count > 0 {
            say!("  refused attempts: {}", r.refused_count)?;
            for refusal in &r.refused_latest {
                say!(
                    "    {} {}: {}",
                    report::local(refusal.at_us, tz),
                    clean(&refusal.summary),
                    clean(&refusal.reason)
                )?;
            }
        }
        for p in &r.pending {
            say!(
                "  waiting for a guardian: request #{} {}",
                p.id,
                clean(&p.summary)
            )?;
        }
    }
    Ok(EXIT_OK)
}

pub(super) fn log(args: &Args, command: &LogCommand) -> Result<u8, CliError> {
    let store = open(args)?;
    let tz = store.config()?.settings.timezone;
    let (which, member, kind, since, until) = match command {
        LogCommand::Decisions {
            member,
            outcome,
            since,
            until,
        } => ("decisions", member, outcome, since, until),
        LogCommand::Guardian {
            member,
            action,
            since,
            until,
        } => ("guardian", member, action, since, until),
    };
    let member = member
        .as_deref()
        .map(|m| ledger::find_member(store.conn(), m))
        .transpose()?;
    let since = since.as_deref().map(domain::parse_date).transpose()?;
    let until = until.as_deref().map(domain::parse_date).transpose()?;
    let (from, to) = report::day_bounds(since, until, tz);
    let kind = match (which, kind.as_deref()) {
        ("guardian", Some(typed)) => Some(
            report::action_code(typed)
                .ok_or_else(|| {
                    let known: Vec<String> = report::GUARDIAN_ACTIONS
                        .iter()
                        .map(|(code, words)| format!("{words} ({code})"))
                        .collect();
                    CliError::BadInput(format!(
                        "action \"{typed}\" is not one of: {}",
                        known.join(", ")
                    ))
                })?
                .to_string(),
        ),
        _ => kind.clone(),
    };
    let filter = LogFilter {
        member: member.map(|m| m.id.0),
        kind,
        from_us: (from != i64::MIN).then_some(from),
        to_us: (to != i64::MAX).then_some(to),
        before: None,
    };
    if which == "decisions" {
        let rows = report::decisions(store.conn(), &filter, 200)?;
        if args.json {
            let list: Vec<_> = rows.iter().map(|d| json!({
                "id": d.id, "time_local": report::local(d.at_us, tz), "member": d.member, "action": d.action,
                "outcome": d.outcome, "summary": d.summary, "tx_id": d.tx,
                "reasons": serde_json::from_str::<serde_json::Value>(&d.reasons_json).unwrap_or_default(),
            })).collect();
            output::json(&json!({ "decisions": list }))?;
            return Ok(EXIT_OK);
        }
        for d in &rows {
            say!(
                "#{} {} {} {}: {}",
                d.id,
                report::local(d.at_us, tz),
                d.outcome.to_uppercase(),
                clean(&d.action),
                clean(&d.summary)
            )?;
            let reasons: serde_json::Value =
                serde_json::from_str(&d.reasons_json).unwrap_or_default();
            for reason in reasons.as_array().into_iter().flatten() {
                say!(
                    "    {}: {}",
                    clean(reason["rule"].as_str().unwrap_or_default()),
                    clean(reason["message"].as_str().unwrap_or_default())
                )?;
            }
        }
    } else {
        let rows = report::guardian_actions(store.conn(), &filter, 200)?;
        if args.json {
            let list: Vec<_> = rows.iter().map(|a| json!({
                "id": a.id, "time_local": report::local(a.at_us, tz), "by": a.actor, "action": a.action,
                "action_words": report::action_words(&a.action),
                "subject": a.subject, "before": a.before, "after": a.after,
            })).collect();
            output::json(&json!({ "guardian_actions": list }))?;
            return Ok(EXIT_OK);
        }
        for a in &rows {
            let by = a.actor.clone().unwrap_or_else(|| "(unknown)".into());
            let change = if a.before.is_empty() {
                clean(&a.after).into_owned()
            } else {
                format!("before: {}; after: {}", clean(&a.before), clean(&a.after))
            };
            say!(
                "#{} {} {}: {}: {} — {change}",
                a.id,
                report::local(a.at_us, tz),
                clean(&by),
                clean(&report::action_words(&a.action)),
                clean(&a.subject),
            )?;
        }
    }
    Ok(EXIT_OK)
}

pub(super) fn export(args: &Args, e: &ExportArgs) -> Result<u8, CliError> {
    let format = Format::parse(&e.format).ok_or_else(|| {
        CliError::BadInput(format!(
            "format \"{}\" is not one of csv, json, hledger",
            e.format
        ))
    })?;
    let store = open(args)?;
    let config = store.config()?;
    let filter = filter(&store, &e.filter)?;
    let (currency, tz) = (config.settings.currency, config.settings.timezone);
    let count = match &e.out {
        Some(path) => report::export_to_file(store.conn(), &filter, currency, tz, format, path)
            .map_err(|err| match err {
                report::ExportError::Exists(path) => {
                    ledger::LedgerError::AlreadyExists { path }.into()
                }
                report::ExportError::Write { .. } => CliError::Other(err.to_string()),
                report::ExportError::Ledger(err) => err.into(),
            })?,
        None => {
            let mut out = output::Stream::new();
            let written = report::export(store.conn(), &filter, currency, tz, format, &mut out);
            out.finish(written)?
        }
    };
    if let Some(path) = &e.out {
        output::note(format_args!(
            "Wrote {count} transactions to {}.",
            path.display()
        ));
    }
    Ok(EXIT_OK)
}
