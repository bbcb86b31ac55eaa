//! The outbox: events people should hear about (a request waiting or
//! answered, a limit at 50/80/100 %, a refusal, an allowance paid, a weekly
//! summary, notifications failing), written in the same transaction as
//! what caused them, and their deliveries to the notify commands guardians
//! added. This module only records and hands out; running a command is
//! the services' job. It never touches the ledger's own tables.

use rusqlite::{Connection, OptionalExtension, params};

use super::record::Table;
use super::store::WriteTx;
use super::{CachedSql, LedgerError};
use crate::domain::MemberId;

/// The kinds of event, as commands select them with `--events`.
pub const EVENT_KINDS: &[&str] = &[
    "request_waiting",
    "request_approved",
    "request_denied",
    "request_expired",
    "request_cancelled",
    "request_refused",
    "limit_50",
    "limit_80",
    "limit_100",
    "refusal",
    "allowance_paid",
    "notifications_failing",
    "weekly_summary",
];

/// An event to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: &'static str,
    /// Stable: the same happening always gets the same id ("request-7-denied").
    pub event_id: String,
    pub member: Option<MemberId>,
    /// One line for people.
    pub summary: String,
    /// The figures behind it (the event's JSON `details`).
    pub details: serde_json::Value,
}

/// Records `event` and a delivery to every notify command that wants it,
/// in `write`'s transaction. An event id already recorded is left as it was
/// (`None`): recording twice is harmless.
pub fn record_event(write: &WriteTx<'_, '_>, event: &NewEvent) -> Result<Option<i64>, LedgerError> {
    let conn = write.sql();
    let now = write.now();
    let member_name: Option<String> = match event.member {
        Some(id) => conn
            .one("SELECT name FROM members WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
            .optional()?,
        None => None,
    };
    let payload = serde_json::json!({
        "id": event.event_id,
        "kind": event.kind,
        "at": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "member": member_name,
        "summary": event.summary,
        "details": event.details,
    });
    let inserted = conn.run(
        "INSERT INTO outbox (event_id, at_us, kind, member_id, summary, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (event_id) DO NOTHING",
        params![
            event.event_id,
            now.timestamp_micros(),
            event.kind,
            event.member.map(|m| m.0),
            event.summary,
            payload.to_string()
        ],
    )?;
    if inserted == 0 {
        return Ok(None);
    }
    let id = conn.last_insert_rowid();
    conn.run(
        "INSERT INTO notify_deliveries (outbox_id, command_id, next_at_us)
         SELECT ?1, c.id, ?2 FROM notify_commands c
         WHERE c.removed_at_us IS NULL
           AND (c.events = '' OR instr(',' || c.events || ',', ',' || ?3 || ',') > 0)
           AND (c.member_id IS NULL OR c.member_id = ?4)",
        params![
            id,
            now.timestamp_micros(),
            event.kind,
            event.member.map(|m| m.0)
        ],
    )?;
    Ok(Some(id))
}

/// A notify command and how its deliveries stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyCommand {
    pub id: i64,
    pub command: String,
    /// The kinds it gets (empty: every kind).
    pub events: Vec<String>,
    /// Only this member's events (None: everyone's).
    pub member: Option<MemberId>,
    pub created_at_us: i64,
    /// Consecutive failed attempts (0: the last one worked, or none yet).
    pub failures: i64,
    pub last_error: Option<String>,
    pub failing_since_us: Option<i64>,
    /// Events not delivered yet.
    pub waiting: i64,
    pub delivered: i64,
}

const COMMAND_SELECT: &str = "SELECT c.id, c.command, c.events, c.member_id, c.created_at_us, c.failures, c.last_error, c.failing_since_us,
        (SELECT COUNT(*) FROM notify_deliveries d WHERE d.command_id = c.id AND d.delivered_at_us IS NULL),
        (SELECT COUNT(*) FROM notify_deliveries d WHERE d.command_id = c.id AND d.delivered_at_us IS NOT NULL)
     FROM notify_commands c";

fn command_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NotifyCommand> {
    let events: String = r.get(2)?;
    Ok(NotifyCommand {
        id: r.get(0)?,
        command: r.get(1)?,
        events: events
            .split(',')
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect(),
        member: r.get::<_, Option<i64>>(3)?.map(MemberId),
        created_at_us: r.get(4)?,
        failures: r.get(5)?,
        last_error: r.get(6)?,
        failing_since_us: r.get(7)?,
        waiting: r.get(8)?,
        delivered: r.get(9)?,
    })
}

/// The notify commands in force, oldest first.
pub fn notify_commands(conn: &Connection) -> Result<Vec<NotifyCommand>, LedgerError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{COMMAND_SELECT} WHERE c.removed_at_us IS NULL ORDER BY c.id"
    ))?;
    let rows = stmt.query_map([], command_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One notify command in force.
pub fn notify_command(conn: &Connection, id: i64) -> Result<Option<NotifyCommand>, LedgerError> {
    Ok(conn
        .one(
            &format!("{COMMAND_SELECT} WHERE c.removed_at_us IS NULL AND c.id = ?1"),
            [id],
            command_row,
        )
        .optional()?)
}

/// Adds a notify command: it gets the events recorded from now on.
pub fn add_notify_command(
    write: &WriteTx<'_, '_>,
    command: &str,
    events: &[String],
    member: Option<MemberId>,
) -> Result<i64, LedgerError> {
    write.sql().run(
        "INSERT INTO notify_commands (command, events, member_id, created_at_us) VALUES (?1, ?2, ?3, ?4)",
        params![
            command,
            events.join(","),
            member.map(|m| m.0),
            write.now().timestamp_micros()
        ],
    )?;
    let id = write.sql().last_insert_rowid();
    write.touch(Table::NotifyCommands, vec![id.into()]);
    Ok(id)
}

/// Removes a notify command (kept, marked removed: its deliveries stop).
pub fn remove_notify_command(write: &WriteTx<'_, '_>, id: i64) -> Result<bool, LedgerError> {
    let removed = write.sql().run(
        "UPDATE notify_commands SET removed_at_us = ?2 WHERE id = ?1 AND removed_at_us IS NULL",
        params![id, write.now().timestamp_micros()],
    )? == 1;
    write.touch(Table::NotifyCommands, vec![id.into()]);
    Ok(removed)
}

/// A delivery handed to a deliverer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub outbox_id: i64,
    pub command_id: i64,
    pub command: String,
    pub event_id: String,
    pub summary: String,
    /// The event as one JSON document.
    pub payload: String,
    /// Attempts including this one.
    pub attempt: i64,
}

/// Claims up to `limit` deliveries that are due: each is moved `lease_us`
/// ahead (so another deliverer leaves it alone while its command runs) and
/// counted as an attempt. Not marked delivered: a deliverer killed now
/// leaves it to be tried again once the lease ends.
pub fn claim_due(
    write: &WriteTx<'_, '_>,
    lease_us: i64,
    limit: usize,
) -> Result<Vec<Due>, LedgerError> {
    let now = write.now().timestamp_micros();
    let conn = write.sql();
    let due: Vec<Due> = conn
        .prepare_cached(
            "SELECT d.outbox_id, d.command_id, c.command, o.event_id, o.summary, o.payload, d.attempts + 1
             FROM notify_deliveries d JOIN notify_commands c ON c.id = d.command_id JOIN outbox o ON o.id = d.outbox_id
             WHERE d.delivered_at_us IS NULL AND d.next_at_us <= ?1 AND c.removed_at_us IS NULL
             ORDER BY d.outbox_id, d.command_id LIMIT ?2",
        )?
        .query_map(params![now, limit as i64], |r| {
            Ok(Due {
                outbox_id: r.get(0)?,
                command_id: r.get(1)?,
                command: r.get(2)?,
                event_id: r.get(3)?,
                summary: r.get(4)?,
                payload: r.get(5)?,
                attempt: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    for d in &due {
        conn.run(
            "UPDATE notify_deliveries SET attempts = attempts + 1, next_at_us = ?3 WHERE outbox_id = ?1 AND command_id = ?2",
            params![d.outbox_id, d.command_id, now.saturating_add(lease_us)],
        )?;
    }
    Ok(due)
}

/// When the next delivery falls due (UTC micros), if any waits.
pub fn next_delivery_at(conn: &Connection) -> Result<Option<i64>, LedgerError> {
    Ok(conn.one(
        "SELECT MIN(d.next_at_us) FROM notify_deliveries d JOIN notify_commands c ON c.id = d.command_id
         WHERE d.delivered_at_us IS NULL AND c.removed_at_us IS NULL",
        [],
        |r| r.get(0),
    )?)
}

/// The command exited 0: the delivery is done, and the command works.
pub fn mark_delivered(
    write: &WriteTx<'_, '_>,
    outbox_id: i64,
    command_id: i64,
) -> Result<(), LedgerError> {
    let now = write.now().timestamp_micros();
    write.sql().run(
        "UPDATE notify_deliveries SET delivered_at_us = ?3, last_error = NULL WHERE outbox_id = ?1 AND command_id = ?2",
        params![outbox_id, command_id, now],
    )?;
    write.sql().run(
        "UPDATE notify_commands SET failures = 0, last_error = NULL, failing_since_us = NULL WHERE id = ?1",
        [command_id],
    )?;
    Ok(())
}

/// The command failed (or timed out): try again at `retry_at_us`. Returns
/// the command's consecutive failures, this one included.
pub fn mark_failed(
    write: &WriteTx<'_, '_>,
    outbox_id: i64,
    command_id: i64,
    error: &str,
    retry_at_us: i64,
) -> Result<i64, LedgerError> {
    let now = write.now().timestamp_micros();
    write.sql().run(
        "UPDATE notify_deliveries SET next_at_us = ?3, last_error = ?4 WHERE outbox_id = ?1 AND command_id = ?2 AND delivered_at_us IS NULL",
        params![outbox_id, command_id, retry_at_us, error],
    )?;
    Ok(write.sql().one(
        "UPDATE notify_commands SET failures = failures + 1, last_error = ?2, failing_since_us = COALESCE(failing_since_us, ?3)
         WHERE id = ?1 RETURNING failures",
        params![command_id, error, now],
        |r| r.get(0),
    )?)
}

/// An event already recorded, by its id (for tests and `notify list`).
pub fn event_recorded(conn: &Connection, event_id: &str) -> Result<bool, LedgerError> {
    Ok(conn.one(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE event_id = ?1)",
        [event_id],
        |r| r.get(0),
    )?)
}
