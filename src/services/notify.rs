//! Notifications: the commands guardians add (`notify add`), and delivering
//! the outbox's events to them, at least once and never in a spend's way.
//!
//! A command runs through `sh -c` with the event as one JSON document on
//! standard input and a one-line summary in `COINGUARD_SUMMARY` (the event's
//! id and kind in `COINGUARD_EVENT_ID` and `COINGUARD_EVENT_KIND`). A
//! delivery is claimed before its command runs and marked delivered only
//! after the command exited 0, each in its own short write transaction: no
//! write lock is held while a command runs, so spending never waits for a
//! notification, and a deliverer killed in the middle leaves the delivery
//! to be tried again (the event id lets a receiver drop the duplicate). A
//! failure or a timeout is tried again after 30 s, doubling up to an hour;
//! after [`FAILING_AFTER`] failures in a row a guardian alert (and an event
//! for the other commands) says notifications are failing, and why.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::auth::GuardianPass;
use crate::domain::{Clock, MemberId, Role};
use crate::ledger::outbox::{self, EVENT_KINDS, NotifyCommand};
use crate::ledger::{self, LedgerError, Store};

/// Failures in a row after which guardians are told notifications fail.
pub const FAILING_AFTER: i64 = 3;
/// How long a command may run before it counts as failed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest command line kept.
pub const MAX_COMMAND_CHARS: usize = 1000;
/// The first wait after a failure, doubled each time, at most [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);
/// Deliveries claimed per write transaction.
const BATCH: usize = 16;
/// Bytes of a failing command's standard error kept to say why.
const STDERR_KEPT: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(
        "give the command to run with --command, e.g. --command 'notify-send \"coinguard\" \"$COINGUARD_SUMMARY\"'"
    )]
    EmptyCommand,
    #[error(
        "the command is {chars} characters long; at most {MAX_COMMAND_CHARS} are kept: put a longer one in a script and give its path"
    )]
    CommandTooLong { chars: usize },
    #[error(
        "the command contains a control character (a line break or an escape); put several lines in a script and give its path"
    )]
    ControlInCommand,
    #[error("there is no event called \"{given}\"; events are: {}", EVENT_KINDS.join(", "))]
    UnknownEvent { given: String },
    #[error("there is no notify command #{id}; {}", known_commands(.known))]
    UnknownCommand { id: i64, known: Vec<i64> },
    #[error(
        "\"{name}\" is a guardian; --member picks a teen or a creator whose events the command gets (leave it out for everyone's)"
    )]
    GuardianAsMember { name: String },
    #[error("the timeout must be between 1 and 3600 seconds, not \"{given}\"")]
    BadTimeout { given: String },
}

fn known_commands(known: &[i64]) -> String {
    if known.is_empty() {
        "there are none: add one with `coinguard notify add --command CMD`".into()
    } else {
        let ids: Vec<String> = known.iter().map(|id| format!("#{id}")).collect();
        format!("notify commands are: {}", ids.join(", "))
    }
}

impl NotifyError {
    pub fn kind(&self) -> crate::domain::ErrorKind {
        use crate::domain::ErrorKind;
        match self {
            NotifyError::Ledger(e) => e.kind(),
            NotifyError::UnknownCommand { .. } => ErrorKind::NotFound,
            _ => ErrorKind::BadInput,
        }
    }
}

/// A command as typed, checked: not empty, one line, not too long.
pub fn parse_command(text: &str) -> Result<String, NotifyError> {
    let command = text.trim();
    if command.is_empty() {
        return Err(NotifyError::EmptyCommand);
    }
    let chars = command.chars().count();
    if chars > MAX_COMMAND_CHARS {
        return Err(NotifyError::CommandTooLong { chars });
    }
    if command.chars().any(char::is_control) {
        return Err(NotifyError::ControlInCommand);
    }
    Ok(command.to_string())
}

/// Event kinds as typed (each may hold several, comma-separated); empty
/// means every kind.
pub fn parse_events(given: &[String]) -> Result<Vec<String>, NotifyError> {
    let mut kinds: Vec<String> = Vec::new();
    for word in given.iter().flat_map(|g| g.split(',')) {
        let word = word.trim().replace('-', "_").to_lowercase();
        if word.is_empty() {
            continue;
        }
        if !EVENT_KINDS.contains(&word.as_str()) {
            return Err(NotifyError::UnknownEvent { given: word });
        }
        if !kinds.contains(&word) {
            kinds.push(word);
        }
    }
    Ok(kinds)
}

/// A timeout in whole seconds, as typed.
pub fn parse_timeout(text: &str) -> Result<Duration, NotifyError> {
    let bad = || NotifyError::BadTimeout {
        given: text.to_string(),
    };
    let seconds: u64 = text
        .trim()
        .parse()
        .ok()
        .filter(|_| text.trim().bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(bad)?;
    if !(1..=3600).contains(&seconds) {
        return Err(bad());
    }
    Ok(Duration::from_secs(seconds))
}

/// A command in words: "#2 `notify-send ...` (request_waiting, refusal; Sam's events)".
pub fn describe_command(c: &NotifyCommand, member: Option<&str>) -> String {
    let events = if c.events.is_empty() {
        "every event".to_string()
    } else {
        c.events.join(", ")
    };
    let whose = member.map_or("everyone's".to_string(), |m| format!("{m}'s"));
    format!("#{} `{}` ({events}; {whose})", c.id, c.command)
}

/// Adds a notify command (guardian PIN), logged in the guardian-action log.
pub fn add_command(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    command: &str,
    events: &[String],
    member: Option<&str>,
) -> Result<NotifyCommand, NotifyError> {
    let member = match member {
        Some(name) => {
            let found = ledger::find_member(store.conn(), name)?;
            if found.role == Role::Guardian {
                return Err(NotifyError::GuardianAsMember {
                    name: found.name.to_string(),
                });
            }
            Some((found.id, found.name.to_string()))
        }
        None => None,
    };
    let actor = pass.guardian().id;
    store.write(clock, |w| {
        let id = outbox::add_notify_command(w, command, events, member.as_ref().map(|m| m.0))?;
        let added = outbox::notify_command(w.sql(), id)?.ok_or_else(|| LedgerError::Corrupt {
            message: format!("notify command #{id} was not written"),
        })?;
        ledger::log_guardian_action(
            w,
            &ledger::GuardianAction {
                actor: Some(actor),
                action: "notify_add".into(),
                subject: format!("notify command #{id}"),
                before: String::new(),
                after: describe_command(&added, member.as_ref().map(|m| m.1.as_str())),
            },
        )?;
        Ok(added)
    })
}

/// Removes a notify command (guardian PIN), logged with what it was.
pub fn remove_command(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    id: i64,
) -> Result<NotifyCommand, NotifyError> {
    let actor = pass.guardian().id;
    store.write(clock, |w| {
        let Some(before) = outbox::notify_command(w.sql(), id)? else {
            let known = outbox::notify_commands(w.sql())?
                .iter()
                .map(|c| c.id)
                .collect();
            return Err(NotifyError::UnknownCommand { id, known });
        };
        outbox::remove_notify_command(w, id)?;
        let member = match before.member {
            Some(m) => ledger::member_by_id(w.sql(), m)?.map(|m| m.name.to_string()),
            None => None,
        };
        ledger::log_guardian_action(
            w,
            &ledger::GuardianAction {
                actor: Some(actor),
                action: "notify_remove".into(),
                subject: format!("notify command #{id}"),
                before: describe_command(&before, member.as_deref()),
                after: String::new(),
            },
        )?;
        Ok(before)
    })
}

/// What one delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryRun {
    /// (event id, command id) delivered.
    pub delivered: Vec<(String, i64)>,
    /// (event id, command id, why) that failed, to be tried again.
    pub failed: Vec<(String, i64, String)>,
}

/// The wait after the `attempt`-th failure: 30 s, doubling, at most an hour.
pub fn backoff(attempt: i64) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    FIRST_BACKOFF
        .saturating_mul(2_u32.saturating_pow(doublings))
        .min(MAX_BACKOFF)
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Delivers every delivery that is due, each command at most `timeout`.
/// Returns what was delivered and what failed; stops when nothing more is
/// due (a failed delivery waits for its back-off).
pub fn deliver_due(
    store: &mut Store,
    clock: &dyn Clock,
    timeout: Duration,
) -> Result<DeliveryRun, NotifyError> {
    let mut run = DeliveryRun::default();
    // A claim lasts the command's timeout and a little more: a deliverer
    // killed mid-way leaves its claims to the next one after that.
    let lease = micros(timeout.saturating_add(Duration::from_secs(1)));
    loop {
        // A read first: nearly always nothing is due, and a write
        // transaction would make spends wait for nothing.
        match outbox::next_delivery_at(store.conn())? {
            Some(at) if at <= clock.now().timestamp_micros() => {}
            _ => return Ok(run),
        }
        let due = store.write(clock, |w| outbox::claim_due(w, lease, BATCH))?;
        if due.is_empty() {
            return Ok(run);
        }
        for d in due {
            let result = run_command(&d.command, &d.payload, &d.summary, &d, timeout);
            match result {
                Ok(()) => {
                    store.write(clock, |w| {
                        outbox::mark_delivered(w, d.outbox_id, d.command_id)
                    })?;
                    run.delivered.push((d.event_id.clone(), d.command_id));
                }
                Err(why) => {
                    store.write(clock, |w| -> Result<(), NotifyError> {
                        let retry = w
                            .now()
                            .timestamp_micros()
                            .saturating_add(micros(backoff(d.attempt)));
                        let failures =
                            outbox::mark_failed(w, d.outbox_id, d.command_id, &why, retry)?;
                        if failures == FAILING_AFTER {
                            say_failing(w, d.command_id, &d.command, &why, failures)?;
                        }
                        Ok(())
                    })?;
                    run.failed.push((d.event_id.clone(), d.command_id, why));
                }
            }
        }
    }
}

/// Tells guardians (an alert on their dashboard, and an event for the other
/// commands) that a command keeps failing, and why.
fn say_failing(
    w: &ledger::WriteTx<'_, '_>,
    command_id: i64,
    command: &str,
    why: &str,
    failures: i64,
) -> Result<(), NotifyError> {
    let guardian: i64 = w
        .sql()
        .query_row(
            "SELECT COALESCE(MIN(id), 0) FROM members WHERE role = 'guardian'",
            [],
            |r| r.get(0),
        )
        .map_err(LedgerError::from)?;
    let message = format!(
        "notifications are failing: notify command #{command_id} `{command}` failed {failures} times in a row ({why}); check it with `coinguard notify list`"
    );
    ledger::raise_alert(w, MemberId(guardian), "notifications_failing", &message)?;
    Ok(())
}

/// One line for an environment variable: no line breaks or control characters.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Runs `command` with the event on standard input; `Ok` only when it
/// exited 0 within `timeout`. Its whole process group is killed on a timeout.
fn run_command(
    command: &str,
    payload: &str,
    summary: &str,
    due: &outbox::Due,
    timeout: Duration,
) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .env("COINGUARD_SUMMARY", one_line(summary))
        .env("COINGUARD_EVENT_ID", &due.event_id)
        .env(
            "COINGUARD_EVENT_KIND",
            serde_json::from_str::<serde_json::Value>(payload)
                .ok()
                .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
                .unwrap_or_default(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start /bin/sh: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input closes the pipe: fine.
        let _ = stdin.write_all(payload.as_bytes());
        let _ = stdin.write_all(b"\n");
    }
    let stderr = child.stderr.take();
    // Read on a thread and handed over by a channel: a command that leaves
    // a process behind holding its standard error must not hold us up.
    let (sender, receiver) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        if let Some(mut err) = stderr {
            let mut buf = [0_u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if kept.len() < STDERR_KEPT {
                    kept.extend_from_slice(&buf[..n.min(STDERR_KEPT - kept.len())]);
                }
            }
        }
        let _ = sender.send(String::from_utf8_lossy(&kept).to_string());
    });
    let read_stderr = || {
        receiver
            .recv_timeout(Duration::from_secs(1))
            .unwrap_or_default()
    };
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= timeout => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for the command failed: {e}")),
        }
    };
    let Some(status) = status else {
        let group = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap_or(0));
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = child.wait();
        let _ = read_stderr();
        return Err(format!(
            "it did not finish within {} s and was stopped",
            timeout.as_secs()
        ));
    };
    if status.success() {
        return Ok(());
    }
    let stderr = read_stderr();
    let last_line = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| format!(": {}", one_line(l.trim())))
        .unwrap_or_default();
    Err(match status.code() {
        Some(code) => format!("it exited with status {code}{last_line}"),
        None => format!("it was killed by a signal{last_line}"),
    })
}

/// Records last week's summary for every teen and creator (ISO week,
/// Monday to Sunday, household-local) once the week is over: one event per
/// member and week (`weekly-summary-<member>-<year>-W<week>`), so running
/// this again, from any process, adds nothing. Only weeks the household
/// existed for from their Monday get one.
pub fn record_weekly_summaries(store: &mut Store, clock: &dyn Clock) -> Result<usize, NotifyError> {
    use chrono::Datelike;
    let config = store.config()?;
    let tz = config.settings.timezone;
    let now = clock.now();
    let today = now.with_timezone(&tz).date_naive();
    let this_monday = today - chrono::Days::new(u64::from(today.weekday().num_days_from_monday()));
    let (first, last) = (
        this_monday - chrono::Days::new(7),
        this_monday - chrono::Days::new(1),
    );
    let week = first.iso_week();
    let created_us: i64 = store
        .conn()
        .query_row(
            "SELECT created_at_us FROM household WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .map_err(LedgerError::from)?;
    let (from_us, until_us) = crate::report::day_bounds(Some(first), Some(last), tz);
    // Only whole weeks the household saw: a first, partial week would
    // read as a quiet one.
    if created_us > from_us {
        return Ok(0);
    }
    let members: Vec<ledger::Member> = ledger::list_members(store.conn())?
        .into_iter()
        .filter(|m| m.role != Role::Guardian)
        .collect();
    let currency = config.settings.currency;
    let diamond_value = crate::money::Money::from_decimal(currency, config.economy.diamond_value)
        .map_err(LedgerError::from)?;
    let mut recorded = 0;
    for m in members {
        let event_id = format!(
            "weekly-summary-{}-{}-W{:02}",
            m.id.0,
            week.year(),
            week.week()
        );
        if outbox::event_recorded(store.conn(), &event_id)? {
            continue;
        }
        let conn = store.conn();
        let r = crate::report::period_report_between(conn, &config, &m, first, last, now)?;
        let flow =
            crate::report::money_flow(conn, m.id, from_us, until_us, diamond_value.micros())?;
        let requests = ledger::requests_made_between(conn, m.id, from_us, until_us, 500)?;
        let money = |micros: i64| crate::money::Money::from_micros(currency, micros);
        let summary = format!(
            "{} in week {}-W{:02} ({first} to {last}): spent {} on coins, gave {} ({}) in gifts; {} refused, {} request(s); where the money went: {}",
            m.name,
            week.year(),
            week.week(),
            money(r.spent.purchase_micros),
            crate::money::Coins::new(r.spent.gift_coins.max(0).unsigned_abs()),
            money(r.spent.gift_cost_micros),
            r.refused_count,
            requests.len(),
            crate::report::flow_words(&flow, currency),
        );
        let [spent, creators, platform, unspent] = flow.for_display(currency);
        let details = serde_json::json!({
            "week": format!("{}-W{:02}", week.year(), week.week()),
            "from": first,
            "to": last,
            "spent_on_coins": money(r.spent.purchase_micros),
            "gifts_coins": r.spent.gift_coins,
            "gifts_cost": money(r.spent.gift_cost_micros),
            "per_creator": r.top_creators.iter().map(|(c, coins, cost)| serde_json::json!({
                "creator": c, "coins": coins, "cost": money(*cost),
            })).collect::<Vec<_>>(),
            "refused": r.refused_count,
            "requests": requests.iter().map(|q| serde_json::json!({
                "id": q.id, "summary": q.summary, "status": q.status.as_str(), "resolution": q.resolution,
            })).collect::<Vec<_>>(),
            "money_flow": {
                "spent": spent, "to_creators": creators, "to_platform": platform, "unspent": unspent,
            },
        });
        let wrote = store.write(clock, |w| {
            outbox::record_event(
                w,
                &outbox::NewEvent {
                    kind: "weekly_summary",
                    event_id: event_id.clone(),
                    member: Some(m.id),
                    summary: summary.clone(),
                    details: details.clone(),
                },
            )
        })?;
        recorded += usize::from(wrote.is_some());
    }
    Ok(recorded)
}
