//! The guardian-action log: every PIN attempt and every guardian action, with
//! the values before and after, hash-chained like the ledger.

use rusqlite::{Connection, OptionalExtension, params};

use super::LedgerError;
use super::chain::{Canonical, GENESIS_HASH};
use super::store::WriteTx;
use crate::domain::MemberId;

/// One guardian action to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardianAction {
    /// Who did it (None: a PIN attempt for a name that is not a guardian).
    pub actor: Option<MemberId>,
    /// e.g. "pin_ok", "pin_failed", "pin_locked", "limit_set", "approve", "grant"
    pub action: String,
    /// What it was done to, in words.
    pub subject: String,
    pub before: String,
    pub after: String,
}

fn hash(id: i64, at_us: i64, a: &GuardianAction, prev: &str) -> String {
    let mut c = Canonical::new("coinguard-guardian-action-v1");
    c.int(id)
        .int(at_us)
        .opt_int(a.actor.map(|m| m.0))
        .text(&a.action)
        .text(&a.subject)
        .text(&a.before)
        .text(&a.after);
    c.link(prev)
}

pub fn log_guardian_action(
    write: &WriteTx<'_, '_>,
    action: &GuardianAction,
) -> Result<i64, LedgerError> {
    let conn = write.sql();
    let (prev_id, prev_hash): (i64, String) = conn
        .prepare_cached("SELECT id, hash FROM guardian_actions ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS_HASH.to_string()));
    let id = prev_id + 1;
    let at_us = write.now().timestamp_micros();
    let h = hash(id, at_us, action, &prev_hash);
    conn.prepare_cached(
        "INSERT INTO guardian_actions (id, at_us, actor_id, action, subject, before, after, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![id, at_us, action.actor.map(|m| m.0), action.action, action.subject, action.before, action.after, prev_hash, h])?;
    Ok(id)
}

/// Checks the chain; returns (entries, first bad entry and why).
pub(crate) fn verify_guardian_actions(
    conn: &Connection,
    watch: &mut super::Watch<'_>,
) -> Result<(u64, Option<(String, String)>), LedgerError> {
    let sql = "SELECT id, at_us, actor_id, action, subject, before, after, prev_hash, hash FROM guardian_actions ORDER BY id";
    let watch = (watch, super::Stage::GuardianActions);
    super::chain::walk_chain(conn, sql, "action", watch, |r, prev| {
        let id: i64 = r.get(0)?;
        let action = GuardianAction {
            actor: r.get::<_, Option<i64>>(2)?.map(MemberId),
            action: r.get(3)?,
            subject: r.get(4)?,
            before: r.get(5)?,
            after: r.get(6)?,
        };
        let name = format!(
            "guardian action #{id} ({} {})",
            action.action, action.subject
        );
        Ok((
            name,
            hash(id, r.get(1)?, &action, prev),
            r.get(7)?,
            r.get(8)?,
        ))
    })
}
