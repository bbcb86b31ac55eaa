//! Alerts for guardians: limits crossing 50, 80 and 100 percent, and every
//! refused attempt. Shown until a guardian acknowledges them. PIN attempt
//! counters live here too: both are small per-member records of the guard's
//! side effects.

use rusqlite::{Connection, OptionalExtension, params};

use super::record::Table;
use super::store::WriteTx;
use super::{CachedSql, LedgerError};
use crate::domain::MemberId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: i64,
    pub at_us: i64,
    pub member: MemberId,
    /// limit_50, limit_80, limit_100, denied
    pub kind: String,
    pub message: String,
    pub acknowledged: bool,
}

pub fn raise_alert(
    write: &WriteTx<'_, '_>,
    member: MemberId,
    kind: &str,
    message: &str,
) -> Result<i64, LedgerError> {
    write
        .sql()
        .prepare_cached(
            "INSERT INTO alerts (at_us, member_id, kind, message) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            write.now().timestamp_micros(),
            member.0,
            kind,
            message
        ])?;
    let id = write.sql().last_insert_rowid();
    write.touch(Table::Alerts, vec![id.into()]);
    // Every alert is also news for the notify commands: a limit crossing
    // (limit_50, limit_80, limit_100) or a refusal.
    let event_kind = match kind {
        "limit_50" => Some("limit_50"),
        "limit_80" => Some("limit_80"),
        "limit_100" => Some("limit_100"),
        "denied" => Some("refusal"),
        "notifications_failing" => Some("notifications_failing"),
        _ => None,
    };
    if let Some(event_kind) = event_kind {
        super::outbox::record_event(
            write,
            &super::outbox::NewEvent {
                kind: event_kind,
                event_id: format!("alert-{id}"),
                member: Some(member),
                summary: message.to_string(),
                details: serde_json::json!({ "alert": id }),
            },
        )?;
    }
    Ok(id)
}

/// Unacknowledged alerts, newest first.
pub fn open_alerts(conn: &Connection, limit: usize) -> Result<Vec<Alert>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at_us, member_id, kind, message FROM alerts WHERE acknowledged_at_us IS NULL ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(Alert {
            id: r.get(0)?,
            at_us: r.get(1)?,
            member: MemberId(r.get(2)?),
            kind: r.get(3)?,
            message: r.get(4)?,
            acknowledged: false,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Acknowledges one alert (`Some(id)`) or all open ones; returns how many.
pub fn acknowledge_alerts(
    write: &WriteTx<'_, '_>,
    pass: &super::GuardianPass,
    id: Option<i64>,
) -> Result<usize, LedgerError> {
    write.present(pass);
    let by = pass.guardian().id;
    let mut stmt = write.sql().prepare_cached(
        "UPDATE alerts SET acknowledged_at_us = ?1, acknowledged_by = ?2 WHERE acknowledged_at_us IS NULL AND (?3 IS NULL OR id = ?3) RETURNING id",
    )?;
    let ids = stmt
        .query_map(params![write.now().timestamp_micros(), by.0, id], |r| {
            r.get::<_, i64>(0)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for id in &ids {
        write.touch(Table::Alerts, vec![(*id).into()]);
    }
    Ok(ids.len())
}

/// Consecutive failed PIN entries for `member` from one asking account
/// (`""`: at the file's own computer), and the lock's end (UTC micros; 0:
/// none). Counted per account, so one account's guesses never lock another
/// out.
pub fn pin_attempts(
    conn: &Connection,
    member: MemberId,
    account: &str,
) -> Result<(u32, i64), LedgerError> {
    Ok(conn
        .prepare_cached(
            "SELECT failures, locked_until_us FROM pin_attempts WHERE member_id = ?1 AND account = ?2",
        )?
        .query_row(params![member.0, account], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0)))
}

pub fn set_pin_attempts(
    write: &WriteTx<'_, '_>,
    member: MemberId,
    account: &str,
    failures: u32,
    locked_until_us: i64,
) -> Result<(), LedgerError> {
    write.sql().run(
        "INSERT INTO pin_attempts (member_id, account, failures, locked_until_us) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (member_id, account) DO UPDATE SET failures = excluded.failures, locked_until_us = excluded.locked_until_us",
        params![member.0, account, failures, locked_until_us],
    )?;
    write.touch(Table::PinAttempts, vec![member.0.into(), account.into()]);
    Ok(())
}

/// A new PIN starts with no failures from anywhere.
pub fn clear_pin_attempts(write: &WriteTx<'_, '_>, member: MemberId) -> Result<(), LedgerError> {
    let accounts: Vec<String> = write
        .sql()
        .prepare_cached("SELECT account FROM pin_attempts WHERE member_id = ?1")?
        .query_map([member.0], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for account in accounts {
        write.touch(Table::PinAttempts, vec![member.0.into(), account.into()]);
    }
    write.sql().run(
        "DELETE FROM pin_attempts WHERE member_id = ?1",
        params![member.0],
    )?;
    Ok(())
}
