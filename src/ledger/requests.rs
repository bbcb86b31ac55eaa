//! Requests (ask to buy): stored, listed, resolved once, expired on time.
//! A pending gift request's `hold_coins` are unavailable for spending: the
//! hold is placed by creating the request and released by resolving it.

use rusqlite::{Connection, OptionalExtension, params};

use super::store::WriteTx;
use super::{CachedSql, LedgerError};
use crate::domain::{IdempotencyKey, MemberId, RequestStatus, TxId};

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub created_at_us: i64,
    pub expires_at_us: i64,
    pub member: MemberId,
    /// purchase, gift or redeem
    pub action: String,
    /// What was asked, as JSON: re-run at approval time.
    pub params: String,
    pub summary: String,
    pub reasons_json: String,
    pub note: String,
    pub hold_coins: i64,
    pub fingerprint: String,
    pub status: RequestStatus,
    pub resolved_at_us: Option<i64>,
    pub resolved_by: Option<MemberId>,
    pub resolution: Option<String>,
    pub tx: Option<TxId>,
}

/// A request to create.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub member: MemberId,
    pub action: &'a str,
    pub params: String,
    pub summary: &'a str,
    pub reasons_json: String,
    pub note: &'a str,
    pub hold_coins: i64,
    pub key: Option<&'a IdempotencyKey>,
    pub fingerprint: &'a str,
    pub expires_at_us: i64,
}

const SELECT: &str = "SELECT id, created_at_us, expires_at_us, member_id, action, params, summary, reasons, note, hold_coins,
    fingerprint, status, resolved_at_us, resolved_by, resolution, tx_id FROM requests";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Request> {
    let status: String = r.get(11)?;
    // A status coinguard never writes is a damaged row, not a pending one.
    let status = RequestStatus::parse(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            11,
            rusqlite::types::Type::Text,
            format!("request has an unknown status {status:?}").into(),
        )
    })?;
    Ok(Request {
        id: r.get(0)?,
        created_at_us: r.get(1)?,
        expires_at_us: r.get(2)?,
        member: MemberId(r.get(3)?),
        action: r.get(4)?,
        params: r.get(5)?,
        summary: r.get(6)?,
        reasons_json: r.get(7)?,
        note: r.get(8)?,
        hold_coins: r.get(9)?,
        fingerprint: r.get(10)?,
        status,
        resolved_at_us: r.get(12)?,
        resolved_by: r.get::<_, Option<i64>>(13)?.map(MemberId),
        resolution: r.get(14)?,
        tx: r.get::<_, Option<i64>>(15)?.map(TxId),
    })
}

/// The hash of everything a request was created with (who, what, its
/// canonical parameters, the words and reasons shown, the note, the coins
/// it holds, its key and its times), read from its row: the decision that
/// created it records this, so a row changed since is refused, not approved.
pub fn binding_hash(conn: &Connection, id: i64) -> Result<Option<String>, LedgerError> {
    type Row = (
        i64,
        i64,
        i64,
        String,
        String,
        String,
        String,
        String,
        i64,
        Option<String>,
        String,
    );
    let row: Option<Row> = conn
        .one(
            "SELECT created_at_us, expires_at_us, member_id, action, params, summary, reasons, note, hold_coins, idem_key, fingerprint
             FROM requests WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            },
        )
        .optional()?;
    Ok(row.map(
        |(
            created,
            expires,
            member,
            action,
            params,
            summary,
            reasons,
            note,
            hold,
            key,
            fingerprint,
        )| {
            let mut c = super::chain::Canonical::new("coinguard-request-binding-v1");
            c.int(id)
                .int(created)
                .int(expires)
                .int(member)
                .text(&action)
                .text(&params)
                .text(&summary)
                .text(&reasons)
                .text(&note)
                .int(hold)
                .opt_text(key.as_deref())
                .text(&fingerprint);
            c.link("")
        },
    ))
}

/// The first request id whose creation is recorded in the decision log
/// (requests made before schema version 10 have no record).
pub(crate) fn first_bound_request(conn: &Connection) -> Result<i64, LedgerError> {
    // A missing boundary binds every request: safer than none.
    Ok(conn
        .one(
            "SELECT first_id FROM record_since WHERE what = 'requests'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Checks that request `id` is still what the decision that created it
/// recorded: that decision is intact in its chain and its hash of the
/// request matches the row. `Err(why)` in words when not.
pub fn check_request_binding(
    conn: &Connection,
    id: i64,
) -> Result<Result<(), String>, LedgerError> {
    if id < first_bound_request(conn)? {
        return Ok(Ok(())); // asked before requests were recorded
    }
    let Some(decision) = super::decisions::decision_of_request(conn, id)? else {
        return Ok(Err(
            "no decision records it being asked: it was added outside coinguard".into(),
        ));
    };
    let Some(binding) = decision.entry.as_ref().and_then(|e| e.request.as_ref()) else {
        return Ok(Err(format!("{} is damaged", decision.name())));
    };
    if decision.computed_hash(&decision.prev_hash) != decision.hash
        || super::decisions::next_prev_hash(conn, decision.id)?
            .is_some_and(|next| next != decision.hash)
    {
        return Ok(Err(format!(
            "{}, which recorded it, was changed outside coinguard",
            decision.name()
        )));
    }
    let params: Option<String> = conn
        .one("SELECT params FROM requests WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    if params.as_deref() != Some(binding.params.as_str())
        || binding_hash(conn, id)?.as_deref() != Some(binding.hash.as_str())
    {
        return Ok(Err(format!(
            "it is not what {} recorded when it was asked: it was changed outside coinguard",
            decision.name()
        )));
    }
    Ok(Ok(()))
}

pub fn create_request(write: &WriteTx<'_, '_>, new: &NewRequest<'_>) -> Result<i64, LedgerError> {
    write.sql().run(
        "INSERT INTO requests (created_at_us, expires_at_us, member_id, action, params, summary, reasons, note, hold_coins, idem_key, fingerprint, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending')",
        params![
            write.now().timestamp_micros(),
            new.expires_at_us,
            new.member.0,
            new.action,
            new.params,
            new.summary,
            new.reasons_json,
            new.note,
            new.hold_coins,
            new.key.map(IdempotencyKey::as_str),
            new.fingerprint
        ],
    )?;
    let id = write.sql().last_insert_rowid();
    write.note_request_made(new.expires_at_us);
    record_request_event(write, id, "waiting")?;
    Ok(id)
}

/// Tells the outbox what became of request `id` ("waiting", "approved",
/// "denied", "expired", "cancelled", "refused"), in the same transaction.
fn record_request_event(write: &WriteTx<'_, '_>, id: i64, what: &str) -> Result<(), LedgerError> {
    let Some(request) = request_by_id(write.sql(), id)? else {
        return Ok(());
    };
    let kind = match what {
        "waiting" => "request_waiting",
        "approved" => "request_approved",
        "denied" => "request_denied",
        "expired" => "request_expired",
        "cancelled" => "request_cancelled",
        _ => "request_refused",
    };
    let summary = match (what, request.resolution.as_deref()) {
        ("waiting", _) => format!("request #{id} waits for a guardian: {}", request.summary),
        (_, Some(why)) if !why.is_empty() => {
            format!("request #{id} {what}: {} ({why})", request.summary)
        }
        _ => format!("request #{id} {what}: {}", request.summary),
    };
    super::outbox::record_event(
        write,
        &super::outbox::NewEvent {
            kind,
            event_id: format!("request-{id}-{what}"),
            member: Some(request.member),
            summary,
            details: serde_json::json!({
                "request": id,
                "status": request.status.as_str(),
                "what": request.summary,
                "resolution": request.resolution,
                "expires_at": chrono::DateTime::from_timestamp_micros(request.expires_at_us)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                "tx": request.tx.map(|t| t.0),
            }),
        },
    )?;
    Ok(())
}

pub fn request_by_id(conn: &Connection, id: i64) -> Result<Option<Request>, LedgerError> {
    Ok(conn
        .one(&format!("{SELECT} WHERE id = ?1"), [id], from_row)
        .optional()?)
}

pub fn request_by_key(
    conn: &Connection,
    key: &IdempotencyKey,
) -> Result<Option<Request>, LedgerError> {
    Ok(conn
        .one(
            &format!("{SELECT} WHERE idem_key = ?1"),
            [key.as_str()],
            from_row,
        )
        .optional()?)
}

/// Requests, newest first, optionally by status and member; at most `limit`.
pub fn list_requests(
    conn: &Connection,
    status: Option<RequestStatus>,
    member: Option<MemberId>,
    limit: usize,
) -> Result<Vec<Request>, LedgerError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR member_id = ?2) ORDER BY id DESC LIMIT ?3"
    ))?;
    let rows = stmt.query_map(
        params![
            status.map(|s| s.as_str()),
            member.map(|m| m.0),
            limit as i64
        ],
        from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `member`'s requests made in `[from_us, until_us)`, oldest first, at
/// most `limit` (a report's "requests and how they ended").
pub fn requests_made_between(
    conn: &Connection,
    member: MemberId,
    from_us: i64,
    until_us: i64,
    limit: usize,
) -> Result<Vec<Request>, LedgerError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE member_id = ?1 AND created_at_us >= ?2 AND created_at_us < ?3 ORDER BY id LIMIT ?4"
    ))?;
    let rows = stmt.query_map(params![member.0, from_us, until_us, limit as i64], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Resolves a pending request; fails if it was already resolved.
pub fn resolve_request(
    write: &WriteTx<'_, '_>,
    id: i64,
    status: RequestStatus,
    by: Option<MemberId>,
    resolution: &str,
    tx: Option<TxId>,
) -> Result<(), LedgerError> {
    let changed = write.sql().run(
        "UPDATE requests SET status = ?2, resolved_at_us = ?3, resolved_by = ?4, resolution = ?5, tx_id = ?6
         WHERE id = ?1 AND status = 'pending'",
        params![id, status.as_str(), write.now().timestamp_micros(), by.map(|m| m.0), resolution, tx.map(|t| t.0)],
    )?;
    write.note_requests_ended();
    if changed == 1 {
        record_request_event(write, id, status.as_str())
    } else {
        Err(LedgerError::NotPending { id })
    }
}

/// Expires every pending request whose time is up, at its exact expiry time.
/// Returns the expired ids. Runs inside every write that touches requests, so
/// expiry needs no background process.
pub fn expire_due(write: &WriteTx<'_, '_>) -> Result<Vec<i64>, LedgerError> {
    // Every guarded write asks; nearly always nothing is due, and the first
    // expiry (one read on the (status, expires) index, kept by the memo
    // between commits) is much cheaper than an UPDATE statement.
    let now_us = write.now().timestamp_micros();
    if write.first_expiry()?.is_none_or(|first| first > now_us) {
        return Ok(Vec::new());
    }
    write.note_requests_ended();
    let mut stmt = write.sql().prepare_cached(
        "UPDATE requests SET status = 'expired', resolved_at_us = expires_at_us,
             resolution = 'no guardian answered before it expired'
         WHERE status = 'pending' AND expires_at_us <= ?1 RETURNING id",
    )?;
    let ids: Vec<i64> = stmt
        .query_map([write.now().timestamp_micros()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        record_request_event(write, *id, "expired")?;
    }
    Ok(ids)
}

/// Coins held by a member's pending gift requests at `now`, leaving out
/// `except` (the request being approved, whose own hold is about to be
/// spent) and requests whose time is up (a write expires them first; a
/// preview, which cannot write, reads them as expired).
pub fn held_coins(
    conn: &Connection,
    member: MemberId,
    except: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<i64, LedgerError> {
    Ok(conn
        .prepare_cached(
            "SELECT COALESCE(SUM(hold_coins), 0) FROM requests WHERE member_id = ?1 AND status = 'pending' AND id IS NOT ?2 AND expires_at_us > ?3",
        )?
        .query_row(params![member.0, except, now.timestamp_micros()], |r| {
            r.get(0)
        })?)
}
