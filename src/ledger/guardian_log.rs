//! The guardian-action log: every PIN attempt and every guardian action, with
//! the values before and after, hash-chained like the ledger.
//!
//! From schema version 10 on it is also the record of policy: an entry
//! carries the images of the policy rows its write changed (see
//! [`super::record`]), inside its hash. Entries without images hash as
//! they always did.

use rusqlite::{Connection, OptionalExtension, params};

use super::LedgerError;
use super::chain::{Canonical, GENESIS_HASH};
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

/// An entry as stored, with its id, time and recorded images.
pub(crate) struct ActionEntry {
    pub id: i64,
    pub at_us: i64,
    pub action: GuardianAction,
    pub changes: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

pub(crate) fn hash(
    id: i64,
    at_us: i64,
    a: &GuardianAction,
    changes: Option<&str>,
    prev: &str,
) -> String {
    let mut c = Canonical::new("coinguard-guardian-action-v1");
    c.int(id)
        .int(at_us)
        .opt_int(a.actor.map(|m| m.0))
        .text(&a.action)
        .text(&a.subject)
        .text(&a.before)
        .text(&a.after);
    // Only entries with images (schema 10 on) carry these fields, so every
    // earlier entry hashes as it did.
    if let Some(changes) = changes {
        c.text("changes").text(changes);
    }
    c.link(prev)
}

/// Appends an entry at `at_us` with the given images (in the caller's
/// transaction): for the writes that have no [`WriteTx`] (creating a
/// household). Everything else logs through [`log_guardian_action`].
pub(crate) fn append_entry(
    conn: &Connection,
    at_us: i64,
    action: &GuardianAction,
    changes: Option<&str>,
) -> Result<i64, LedgerError> {
    let (prev_id, prev_hash): (i64, String) = conn
        .prepare_cached("SELECT id, hash FROM guardian_actions ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS_HASH.to_string()));
    let id = prev_id + 1;
    let h = hash(id, at_us, action, changes, &prev_hash);
    conn.prepare_cached(
        "INSERT INTO guardian_actions (id, at_us, actor_id, action, subject, before, after, prev_hash, hash, changes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![id, at_us, action.actor.map(|m| m.0), action.action, action.subject, action.before, action.after, prev_hash, h, changes])?;
    Ok(id)
}

pub(crate) const SELECT_ACTIONS: &str = "SELECT id, at_us, actor_id, action, subject, before, after, prev_hash, hash, changes FROM guardian_actions";

pub(crate) fn entry_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<ActionEntry> {
    Ok(ActionEntry {
        id: r.get(0)?,
        at_us: r.get(1)?,
        action: GuardianAction {
            actor: r.get::<_, Option<i64>>(2)?.map(MemberId),
            action: r.get(3)?,
            subject: r.get(4)?,
            before: r.get(5)?,
            after: r.get(6)?,
        },
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
        changes: r.get(9)?,
    })
}

impl ActionEntry {
    pub fn computed_hash(&self, prev: &str) -> String {
        hash(
            self.id,
            self.at_us,
            &self.action,
            self.changes.as_deref(),
            prev,
        )
    }

    pub fn name(&self) -> String {
        format!(
            "guardian action #{} ({} {})",
            self.id, self.action.action, self.action.subject
        )
    }
}
