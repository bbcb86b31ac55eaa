//! The decision log: every guard outcome, including denials and previews that
//! were acted on, hash-chained like the ledger.
//!
//! A refused command's idempotency key is recorded on its decision (the
//! only record a refusal leaves): the key is spent, so a retry with it
//! returns this refusal and writes nothing, and the key for anything else is
//! a conflict. A committed command's key is on its transaction, a command
//! that needs approval's on its request.

use rusqlite::{Connection, OptionalExtension, params};

use super::LedgerError;
use super::chain::{Canonical, GENESIS_HASH};
use super::store::WriteTx;
use crate::domain::{MemberId, TxId};

/// One decision to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionEntry {
    pub actor: MemberId,
    pub member: MemberId,
    /// purchase, gift, redeem, grant, reversal
    pub action: String,
    pub outcome: crate::domain::Outcome,
    pub summary: String,
    /// The reasons as JSON (rule, severity, message, figures).
    pub reasons_json: String,
    pub tx: Option<TxId>,
    /// For a refusal with an idempotency key: the key, spent on it.
    pub key: Option<SpentKey>,
}

/// An idempotency key spent on a refusal, with the fingerprint of what was
/// asked (a retry must ask for the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpentKey {
    pub key: String,
    pub fingerprint: String,
}

/// A refusal found by its key: the first result, to return again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedByKey {
    pub decision: i64,
    pub fingerprint: String,
    pub summary: String,
    pub reasons_json: String,
}

/// The refusal a key was spent on, if any.
pub fn refusal_by_key(conn: &Connection, key: &str) -> Result<Option<RefusedByKey>, LedgerError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, fingerprint, summary, reasons FROM decisions WHERE idem_key = ?1",
        )?
        .query_row([key], |r| {
            Ok(RefusedByKey {
                decision: r.get(0)?,
                fingerprint: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                summary: r.get(2)?,
                reasons_json: r.get(3)?,
            })
        })
        .optional()?)
}

pub(crate) struct DecisionFields<'a> {
    pub id: i64,
    pub at_us: i64,
    pub entry: &'a DecisionEntry,
}

impl DecisionFields<'_> {
    pub fn hash(&self, prev_hash: &str) -> String {
        let e = self.entry;
        let mut c = Canonical::new("coinguard-decision-v1");
        c.int(self.id)
            .int(self.at_us)
            .int(e.actor.0)
            .int(e.member.0)
            .text(&e.action)
            .text(e.outcome.as_str())
            .text(&e.summary)
            .text(&e.reasons_json)
            .opt_int(e.tx.map(|t| t.0));
        // Only entries with a key (schema 9 on) carry these fields, so the
        // hashes of every earlier entry are unchanged.
        if let Some(key) = &e.key {
            c.text("refused-key").text(&key.key).text(&key.fingerprint);
        }
        c.link(prev_hash)
    }
}

/// Appends a decision in the caller's write transaction.
pub fn log_decision(write: &WriteTx<'_, '_>, entry: &DecisionEntry) -> Result<i64, LedgerError> {
    let conn = write.sql();
    let (prev_id, prev_hash): (i64, String) = conn
        .prepare_cached("SELECT id, hash FROM decisions ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS_HASH.to_string()));
    let id = prev_id + 1;
    let at_us = write.now().timestamp_micros();
    let hash = DecisionFields { id, at_us, entry }.hash(&prev_hash);
    conn.prepare_cached(
        "INSERT INTO decisions (id, at_us, actor_id, member_id, action, outcome, summary, reasons, tx_id, prev_hash, hash, idem_key, fingerprint)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        id,
        at_us,
        entry.actor.0,
        entry.member.0,
        entry.action,
        entry.outcome.as_str(),
        entry.summary,
        entry.reasons_json,
        entry.tx.map(|t| t.0),
        prev_hash,
        hash,
        entry.key.as_ref().map(|k| k.key.as_str()),
        entry.key.as_ref().map(|k| k.fingerprint.as_str()),
    ])?;
    Ok(id)
}

/// Checks the decision chain; returns (entries checked, first bad entry).
pub(crate) fn verify_decisions(
    conn: &Connection,
    watch: &mut super::Watch<'_>,
) -> Result<(u64, Option<(String, String)>), LedgerError> {
    let sql = "SELECT id, at_us, actor_id, member_id, action, outcome, summary, reasons, tx_id, prev_hash, hash, idem_key, fingerprint
               FROM decisions ORDER BY id";
    let watch = (watch, super::Stage::Decisions);
    super::chain::walk_chain(conn, sql, "decision", watch, |r, prev| {
        let id: i64 = r.get(0)?;
        let outcome: String = r.get(5)?;
        let Some(parsed) = crate::domain::Outcome::parse(&outcome) else {
            // Not a word coinguard writes: this entry was changed.
            return Ok((
                format!("decision #{id} (outcome {outcome:?})"),
                String::new(),
                r.get(9)?,
                r.get(10)?,
            ));
        };
        let entry = DecisionEntry {
            actor: MemberId(r.get(2)?),
            member: MemberId(r.get(3)?),
            action: r.get(4)?,
            outcome: parsed,
            summary: r.get(6)?,
            reasons_json: r.get(7)?,
            tx: r.get::<_, Option<i64>>(8)?.map(TxId),
            key: match (
                r.get::<_, Option<String>>(11)?,
                r.get::<_, Option<String>>(12)?,
            ) {
                (None, None) => None,
                // One without the other was changed: hashed as found, so
                // the entry fails its check.
                (key, fingerprint) => Some(SpentKey {
                    key: key.unwrap_or_default(),
                    fingerprint: fingerprint.unwrap_or_default(),
                }),
            },
        };
        let name = format!(
            "decision #{id} ({} {} by member {})",
            entry.outcome.as_str(),
            entry.action,
            entry.member
        );
        let computed = DecisionFields {
            id,
            at_us: r.get(1)?,
            entry: &entry,
        }
        .hash(prev);
        Ok((name, computed, r.get(9)?, r.get(10)?))
    })
}
