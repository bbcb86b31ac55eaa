//! Audit commands: history, report, logs, export.

use std::io::Write;

use super::output::{clean, left, say, shell_word};
use super::{
    Args, CliError, EXIT_OK, ExportArgs, HistoryArgs, LedgerFilterArgs, LogCommand, LogFilterArgs,
    ReportArgs, output,
};
use crate::api::call::{HistoryQuery, LogQuery};
use crate::api::reply::{
    DecisionsView, ExportView, GuardianLogView, HistoryView, HouseholdView, Reply, ReportsView,
    RequestsView,
};
use crate::api::{ApiError, Call};
use crate::client::Household;
use crate::domain::{self, ErrorKind, RequestStatus};
use crate::money::{Coins, Diamonds, MoneyError, parse_count};
use crate::report::{self, Period};

/// Most rows one page of history holds.
const MAX_ROWS: u64 = report::MAX_PAGE as u64;
/// Most entries a log shows.
const LOG_LIMIT: usize = 200;
/// Transactions per page of an export: a few hundred kilobytes a reply.
const EXPORT_PAGE: usize = 1_000;

fn dates(
    since: &Option<String>,
    until: &Option<String>,
) -> Result<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>), CliError> {
    let since = since.as_deref().map(domain::parse_date).transpose()?;
    let until = until.as_deref().map(domain::parse_date).transpose()?;
    if let (Some(s), Some(u)) = (since, until)
        && s > u
    {
        return Err(CliError::BadInput(format!(
            "--since {s} is after --until {u}"
        )));
    }
    Ok((since, until))
}

fn query(f: &LedgerFilterArgs) -> Result<HistoryQuery, CliError> {
    let (since, until) = dates(&f.since, &f.until)?;
    Ok(HistoryQuery {
        member: f.member.clone(),
        creator: f.creator.clone(),
        kind: f.kind.map(Into::into),
        since,
        until,
    })
}

/// `--limit`: how many rows a page holds.
fn page_rows(text: &str) -> Result<usize, CliError> {
    match parse_count(text, "rows", MAX_ROWS) {
        Ok(rows) => Ok(usize::try_from(rows).unwrap_or(report::MAX_PAGE)),
        Err(MoneyError::TooLarge { given, .. }) => Err(CliError::BadInput(format!(
            "--limit \"{given}\" is more rows than a page holds: the most is {MAX_ROWS}"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The command that shows the next page: the same filters and page size,
/// after this page's last row.
fn next_page_command(h: &HistoryArgs, next: &str) -> String {
    let mut words = vec!["coinguard".to_string(), "history".to_string()];
    let f = &h.filter;
    let mut add = |option: &str, value: Option<String>| {
        if let Some(value) = value {
            words.push(option.to_string());
            words.push(shell_word(&value));
        }
    };
    add("--member", f.member.clone());
    add("--creator", f.creator.clone());
    add(
        "--kind",
        f.kind.map(|k| domain::Kind::from(k).as_str().to_string()),
    );
    add("--since", f.since.clone());
    add("--until", f.until.clone());
    add("--limit", Some(h.limit.trim().to_string()));
    add("--after", Some(next.to_string()));
    words.join(" ")
}

pub(super) fn history(args: &Args, h: &mut Household<'_>, a: &HistoryArgs) -> Result<u8, CliError> {
    let query = query(&a.filter)?;
    let limit = page_rows(&a.limit)?;
    let page: HistoryView = h.ask(Call::History {
        query,
        after: a.after.clone(),
        limit,
    })?;
    if args.json {
        output::json(&page)?;
        return Ok(EXIT_OK);
    }
    if page.transactions.is_empty() {
        say!("No transactions match.")?;
    }
    for r in &page.transactions {
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
        figures.push(r.money.to_string());
        let undone = r
            .reversed_by
            .map(|by| format!(" [reversed by #{by}]"))
            .unwrap_or_default();
        say!(
            "#{} {}  {} {} {}{undone}",
            left(&r.id.to_string(), 6),
            r.time_local,
            left(r.kind.as_str(), 9),
            left(&clean(&r.member), 12),
            figures.join(", ")
        )?;
        say!("        {}", clean(&r.detail))?;
        if !r.memo.is_empty() {
            say!("        memo: {}", clean(&r.memo))?;
        }
    }
    if let Some(next) = &page.next_page {
        say!("More: {}", next_page_command(a, next))?;
    }
    Ok(EXIT_OK)
}

/// Which days a report covers, from --period, --at, --from/--to.
fn report_days(
    r: &ReportArgs,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), CliError> {
    let period = r.period.map(Period::from);
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

pub(super) fn report(args: &Args, h: &mut Household<'_>, r: &ReportArgs) -> Result<u8, CliError> {
    let house: HouseholdView = h.ask(Call::Household)?;
    let (first_day, last_day) = report_days(r, house.today)?;
    let reports: ReportsView = h.ask(Call::Report {
        member: r.member.clone(),
        first_day,
        last_day,
    })?;
    if args.json {
        output::json(&reports)?;
        return Ok(EXIT_OK);
    }
    for r in &reports.reports {
        say!("{} — {} to {}", clean(&r.member), r.from, r.to)?;
        say!(
            "  spent on coins {}; gave {} ({}) in gifts; all spending {}",
            r.purchases,
            Coins::new(r.gifts_coins.max(0).unsigned_abs()),
            r.gifts_cost,
            r.all
        )?;
        say!("  where the money went: {}", clean(&r.money_flow.words))?;
        if !r.current && !r.limits_used.is_empty() {
            say!("  limits as set now, against what this period used:")?;
            for l in &r.limits_used {
                say!("    {}", clean(&l.words))?;
            }
        }
        for l in r.limits.iter().flatten() {
            say!(
                "  limit {}: used {} ({}%); {}",
                clean(&l.words),
                clean(&l.used_words),
                l.percent,
                clean(&l.left_words)
            )?;
        }
        for c in &r.top_creators {
            say!(
                "  gifted {}: {} ({})",
                clean(&c.creator),
                Coins::new(c.coins.max(0).unsigned_abs()),
                c.cost
            )?;
        }
        if r.refused > 0 {
            say!("  refused attempts: {}", r.refused)?;
            for refusal in &r.refused_latest {
                say!(
                    "    {} {}: {}",
                    refusal.time_local,
                    clean(&refusal.summary),
                    clean(&refusal.reason)
                )?;
            }
        }
        for q in &r.requests {
            let ended = match q.status {
                RequestStatus::Pending => "waiting".to_string(),
                status => match &q.resolution {
                    Some(why) if !why.is_empty() => format!("{}: {}", status.as_str(), clean(why)),
                    _ => status.as_str().to_string(),
                },
            };
            say!("  request #{} {}: {ended}", q.id, clean(&q.summary))?;
        }
        let waiting = r.pending_requests.as_deref().unwrap_or_default();
        if !waiting.is_empty() {
            // The report names them; their summaries come with the requests.
            let pending: RequestsView = h.ask(Call::Requests {
                status: Some(RequestStatus::Pending),
                member: Some(r.member.clone()),
                limit: report::MAX_PAGE,
            })?;
            for id in waiting {
                let summary = pending
                    .requests
                    .iter()
                    .find(|p| p.id == *id)
                    .map(|p| clean(&p.summary).into_owned())
                    .unwrap_or_default();
                say!("  waiting for a guardian: request #{id} {summary}")?;
            }
        }
    }
    Ok(EXIT_OK)
}

fn log_query(member: &Option<String>, days: &LogFilterArgs) -> Result<LogQuery, CliError> {
    let (since, until) = dates(&days.since, &days.until)?;
    Ok(LogQuery {
        member: member.clone(),
        since,
        until,
        limit: LOG_LIMIT,
        ..LogQuery::default()
    })
}

pub(super) fn log(
    args: &Args,
    h: &mut Household<'_>,
    command: &LogCommand,
) -> Result<u8, CliError> {
    match command {
        LogCommand::Decisions {
            member,
            outcome,
            days,
        } => {
            let query = LogQuery {
                outcome: outcome.map(Into::into),
                ..log_query(member, days)?
            };
            let log: DecisionsView = h.ask(Call::Decisions { query })?;
            if args.json {
                output::json(&log)?;
                return Ok(EXIT_OK);
            }
            if log.decisions.is_empty() {
                say!("No decisions match.")?;
            }
            for d in &log.decisions {
                say!(
                    "#{} {} {} {}: {}",
                    d.id,
                    d.time_local,
                    d.outcome.as_str().to_uppercase(),
                    clean(&d.action),
                    clean(&d.summary)
                )?;
                for reason in &d.reasons {
                    say!("    {}: {}", clean(&reason.rule), clean(&reason.message))?;
                }
            }
        }
        LogCommand::Guardian {
            member,
            action,
            days,
        } => {
            let query = LogQuery {
                action: action.clone(),
                ..log_query(member, days)?
            };
            let log: GuardianLogView = h.ask(Call::GuardianLog { query })?;
            if args.json {
                output::json(&log)?;
                return Ok(EXIT_OK);
            }
            if log.guardian_actions.is_empty() {
                say!("No guardian actions match.")?;
            }
            for a in &log.guardian_actions {
                let by = a.by.clone().unwrap_or_else(|| "(unknown)".into());
                let change = if a.before.is_empty() {
                    clean(&a.after).into_owned()
                } else {
                    format!("before: {}; after: {}", clean(&a.before), clean(&a.after))
                };
                say!(
                    "#{} {} {}: {}: {} — {change}",
                    a.id,
                    a.time_local,
                    clean(&by),
                    clean(&a.action_words),
                    clean(&a.subject),
                )?;
            }
        }
    }
    Ok(EXIT_OK)
}

/// Asks for the export a page at a time and hands each page's text to
/// `write`. Returns how many transactions it held. With `bar`, says how
/// many so far on stderr after each page (cleared at the end).
fn export_pages(
    h: &mut Household<'_>,
    query: &HistoryQuery,
    format: report::Format,
    bar: Option<&mut output::ProgressLine>,
    write: impl FnMut(&str) -> Result<(), CliError>,
) -> Result<u64, CliError> {
    let mut bar = bar;
    let done = export_each_page(h, query, format, &mut bar, write);
    if let Some(bar) = bar {
        bar.clear();
    }
    done
}

fn export_each_page(
    h: &mut Household<'_>,
    query: &HistoryQuery,
    format: report::Format,
    bar: &mut Option<&mut output::ProgressLine>,
    mut write: impl FnMut(&str) -> Result<(), CliError>,
) -> Result<u64, CliError> {
    let mut after = None;
    let mut rows = 0;
    loop {
        let reply = h.call(Call::Export {
            query: query.clone(),
            format,
            after,
            limit: EXPORT_PAGE,
        })?;
        let Reply::Export(ExportView {
            text,
            rows: n,
            next,
        }) = reply
        else {
            return Err(CliError::Other(
                "the household answered an export with something else".into(),
            ));
        };
        write(&text)?;
        rows += n;
        if let Some(bar) = bar.as_deref_mut() {
            bar.show(&format!(
                "exporting: {}",
                output::count(rows, "transaction", "transactions")
            ));
        }
        match next {
            Some(id) => after = Some(id),
            None => return Ok(rows),
        }
    }
}

pub(super) fn export(args: &Args, h: &mut Household<'_>, e: &ExportArgs) -> Result<u8, CliError> {
    let query = query(&e.filter)?;
    let format = report::Format::from(e.format);
    // At a terminal (and not --json) how far it has got, on stderr.
    let mut bar = output::ProgressLine::wanted(args.json).then(output::ProgressLine::default);
    let Some(path) = &e.out else {
        let mut out = output::Stream::new();
        let written = export_pages(h, &query, format, bar.as_mut(), |text| {
            out.write_all(text.as_bytes()).map_err(output::write_error)
        });
        out.finish(written)?;
        return Ok(EXIT_OK);
    };
    let count = report::write_new_file(path, |file| {
        export_pages(h, &query, format, bar.as_mut(), |text| {
            file.write_all(text.as_bytes()).map_err(|err| {
                CliError::Api(ApiError::new(
                    ErrorKind::Other,
                    format!("cannot write {}: {err}", path.display()),
                ))
            })
        })
    })
    .map_err(|err| {
        let message = err.to_string();
        match err {
            report::NewFileError::Fill(err) => err,
            // The path given cannot take a new file: bad input, like one that exists.
            report::NewFileError::Exists(_) => {
                CliError::Api(ApiError::new(ErrorKind::Conflict, message))
            }
            report::NewFileError::Write { .. } => CliError::BadInput(message),
        }
    })?;
    if args.json {
        output::json(&Written {
            outcome: "written",
            file: path.display().to_string(),
            format,
            transactions: count,
        })?;
    } else {
        output::note(format_args!(
            "Wrote {} to {}.",
            output::count(count, "transaction", "transactions"),
            path.display()
        ));
    }
    Ok(EXIT_OK)
}

/// What `export --out FILE --json` prints (without `--out`, the export
/// itself is the output).
#[derive(serde::Serialize)]
struct Written {
    outcome: &'static str,
    file: String,
    format: report::Format,
    transactions: u64,
}
