//! The decision log: every guard outcome, including denials and previews that
//! were acted on, hash-chained like the ledger.
//!
//! A refused command's idempotency key is recorded on its decision (the
//! only record a refusal leaves): the key is spent, so a retry with it
//! returns this refusal and writes nothing, and the key for anything else is
//! a conflict. A committed command's key is on its transaction, a command
//! that needs approval's on its request.

use std::borrow::Cow;

use rusqlite::{Connection, OptionalExtension, params};

use super::LedgerError;
use super::chain::Canonical;
use super::store::WriteTx;
use crate::domain::{MemberId, TxId};

/// One decision to record.
///
/// `'a`: a commit lends its action and summary (no copies on the guarded
/// path); an entry read back for checking owns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionEntry<'a> {
    pub actor: MemberId,
    pub member: MemberId,
    /// purchase, gift, redeem, grant, reversal
    pub action: Cow<'a, str>,
    pub outcome: crate::domain::Outcome,
    pub summary: Cow<'a, str>,
    /// The reasons as JSON (rule, severity, message, figures).
    pub reasons_json: String,
    pub tx: Option<TxId>,
    /// For a refusal with an idempotency key: the key, spent on it.
    pub key: Option<SpentKey>,
    /// For a decision that created a request: the request and a hash of
    /// what it asks, so approving it can refuse parameters that changed.
    pub request: Option<RequestBinding>,
}

/// A request bound to the decision that created it: its id, its canonical
/// parameters, and the hash of everything it asks (see
/// [`super::requests::binding_hash`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestBinding {
    pub id: i64,
    pub params: String,
    pub hash: String,
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
    pub entry: &'a DecisionEntry<'a>,
    /// The images of the alerts this decision's write raised (schema 10 on).
    pub changes: Option<&'a str>,
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
        // Likewise from schema 10: the request it created, and the alerts.
        if let Some(request) = &e.request {
            c.text("request")
                .int(request.id)
                .text(&request.params)
                .text(&request.hash);
        }
        if let Some(changes) = self.changes {
            c.text("changes").text(changes);
        }
        c.link(prev_hash)
    }
}

/// Appends a decision in the caller's write transaction.
pub fn log_decision(
    write: &WriteTx<'_, '_>,
    entry: &DecisionEntry<'_>,
) -> Result<i64, LedgerError> {
    let conn = write.sql();
    let super::seal::Head {
        len: prev_id,
        hash: prev_hash,
    } = write.last_decision()?;
    let id = prev_id + 1;
    let at_us = write.now().timestamp_micros();
    // The alerts this write raised are recorded with the decision.
    let changes = write.drain_images(|t| t == super::record::Table::Alerts)?;
    let hash = DecisionFields {
        id,
        at_us,
        entry,
        changes: changes.as_deref(),
    }
    .hash(&prev_hash);
    conn.prepare_cached(
        "INSERT INTO decisions (id, at_us, actor_id, member_id, action, outcome, summary, reasons, tx_id, prev_hash, hash, idem_key, fingerprint,
                                request_id, request_params, request_hash, changes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
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
        entry.request.as_ref().map(|r| r.id),
        entry.request.as_ref().map(|r| r.params.as_str()),
        entry.request.as_ref().map(|r| r.hash.as_str()),
        changes,
    ])?;
    write.note_decision(id, &hash);
    Ok(id)
}

/// A decision as stored, with what its hash covers.
pub(crate) struct StoredDecision {
    pub id: i64,
    pub at_us: i64,
    /// `None`: an outcome coinguard does not write (a changed row).
    pub entry: Option<DecisionEntry<'static>>,
    pub outcome_text: String,
    pub changes: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

pub(crate) const SELECT_DECISIONS: &str = "SELECT id, at_us, actor_id, member_id, action, outcome, summary, reasons, tx_id, prev_hash, hash, idem_key, fingerprint,
        request_id, request_params, request_hash, changes FROM decisions";

pub(crate) fn decision_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDecision> {
    let outcome: String = r.get(5)?;
    let entry = match crate::domain::Outcome::parse(&outcome) {
        None => None,
        Some(parsed) => Some(DecisionEntry {
            actor: MemberId(r.get(2)?),
            member: MemberId(r.get(3)?),
            action: Cow::Owned(r.get(4)?),
            outcome: parsed,
            summary: Cow::Owned(r.get(6)?),
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
            request: match (
                r.get::<_, Option<i64>>(13)?,
                r.get::<_, Option<String>>(14)?,
                r.get::<_, Option<String>>(15)?,
            ) {
                (None, None, None) => None,
                (id, params, hash) => Some(RequestBinding {
                    id: id.unwrap_or_default(),
                    params: params.unwrap_or_default(),
                    hash: hash.unwrap_or_default(),
                }),
            },
        }),
    };
    Ok(StoredDecision {
        id: r.get(0)?,
        at_us: r.get(1)?,
        entry,
        outcome_text: outcome,
        changes: r.get(16)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

impl StoredDecision {
    /// Its hash recomputed after `prev` (empty when its outcome is not one
    /// coinguard writes: it cannot match).
    pub fn computed_hash(&self, prev: &str) -> String {
        match &self.entry {
            Some(entry) => DecisionFields {
                id: self.id,
                at_us: self.at_us,
                entry,
                changes: self.changes.as_deref(),
            }
            .hash(prev),
            None => String::new(),
        }
    }

    pub fn name(&self) -> String {
        match &self.entry {
            Some(e) => format!(
                "decision #{} ({} {} by member {})",
                self.id,
                e.outcome.as_str(),
                e.action,
                e.member
            ),
            None => format!("decision #{} (outcome {:?})", self.id, self.outcome_text),
        }
    }
}

/// The decision that created request `id`, if one records it.
pub(crate) fn decision_of_request(
    conn: &Connection,
    id: i64,
) -> Result<Option<StoredDecision>, LedgerError> {
    Ok(conn
        .prepare_cached(&format!("{SELECT_DECISIONS} WHERE request_id = ?1"))?
        .query_row([id], decision_of)
        .optional()?)
}

/// The hash the decision after `id` says it follows, if there is one.
pub(crate) fn next_prev_hash(conn: &Connection, id: i64) -> Result<Option<String>, LedgerError> {
    Ok(conn
        .prepare_cached("SELECT prev_hash FROM decisions WHERE id = ?1")?
        .query_row([id + 1], |r| r.get(0))
        .optional()?)
}
