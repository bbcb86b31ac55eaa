//! The decision log and the guardian-action log, filtered and paged.

use rusqlite::{Connection, params_from_iter, types::Value};

use crate::ledger::LedgerError;

/// One guard decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub id: i64,
    pub at_us: i64,
    pub member: String,
    pub action: String,
    pub outcome: String,
    pub summary: String,
    pub reasons_json: String,
    pub tx: Option<i64>,
}

/// One guardian action (or PIN attempt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRow {
    pub id: i64,
    pub at_us: i64,
    pub actor: Option<String>,
    pub action: String,
    pub subject: String,
    pub before: String,
    pub after: String,
}

/// Guardian-action codes as the log stores them, with the words people
/// read. The codes stay the stable interface (`--json`'s `action`).
pub const GUARDIAN_ACTIONS: &[(&str, &str)] = &[
    ("pin_ok", "PIN accepted"),
    ("pin_failed", "wrong PIN"),
    ("pin_locked", "PIN refused while locked"),
    ("pin_set", "PIN set"),
    ("member_add", "member added"),
    ("limit_set", "limit set"),
    ("limit_remove", "limit removed"),
    ("quiet_hours_set", "quiet hours set"),
    ("creator_list_set", "creator list set"),
    ("approve", "request approved"),
    ("approve_refused", "request approved, then refused"),
    ("deny", "request denied"),
    ("grant", "coins granted"),
    ("reverse", "transaction reversed"),
    ("alert_ack", "alerts acknowledged"),
    ("demo_created", "demo household created"),
    ("account_link", "OS account linked"),
    ("account_unlink", "OS account unlinked"),
    ("setting_set", "setting changed"),
    ("household_created", "household created"),
    ("household_found", "first guardian added"),
    ("record_baseline", "rules recorded as they stood"),
    ("record", "policy rows recorded"),
];

/// The words for a guardian-action code; a code this table does not know
/// yet reads with spaces for underscores.
pub fn action_words(code: &str) -> String {
    GUARDIAN_ACTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.replace('_', " "), |(_, words)| (*words).to_string())
}

/// The code for what a person typed: a code (`limit_set`) or its words
/// (`limit set`, any case). None when it is neither.
pub fn action_code(typed: &str) -> Option<&'static str> {
    let typed = typed.trim();
    GUARDIAN_ACTIONS
        .iter()
        .find(|(code, words)| code.eq_ignore_ascii_case(typed) || words.eq_ignore_ascii_case(typed))
        .map(|(code, _)| *code)
}

/// Filters shared by both logs; `before` pages backwards by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub member: Option<i64>,
    /// For decisions: allow, needs_approval, deny. For actions: e.g. approve.
    pub kind: Option<String>,
    pub from_us: Option<i64>,
    pub to_us: Option<i64>,
    pub before: Option<i64>,
}

fn clauses(filter: &LogFilter, member_col: &str, kind_col: &str) -> (String, Vec<Value>) {
    let mut sql = vec!["1".to_string()];
    let mut values = Vec::new();
    if let Some(m) = filter.member {
        sql.push(format!("{member_col} = ?"));
        values.push(Value::Integer(m));
    }
    if let Some(k) = &filter.kind {
        sql.push(format!("{kind_col} = ?"));
        values.push(Value::Text(k.clone()));
    }
    if let Some(f) = filter.from_us {
        sql.push("x.at_us >= ?".into());
        values.push(Value::Integer(f));
    }
    if let Some(t) = filter.to_us {
        sql.push("x.at_us < ?".into());
        values.push(Value::Integer(t));
    }
    if let Some(b) = filter.before {
        sql.push("x.id < ?".into());
        values.push(Value::Integer(b));
    }
    (sql.join(" AND "), values)
}

pub fn decisions(
    conn: &Connection,
    filter: &LogFilter,
    limit: usize,
) -> Result<Vec<DecisionRow>, LedgerError> {
    let (sql, mut values) = clauses(filter, "x.member_id", "x.outcome");
    values.push(Value::Integer(limit.clamp(1, 500) as i64));
    let mut stmt = conn.prepare(&format!(
        "SELECT x.id, x.at_us, COALESCE(m.name, ''), x.action, x.outcome, x.summary, x.reasons, x.tx_id
         FROM decisions x LEFT JOIN members m ON m.id = x.member_id WHERE {sql} ORDER BY x.id DESC LIMIT ?"
    ))?;
    let rows = stmt.query_map(params_from_iter(values), |r| {
        Ok(DecisionRow {
            id: r.get(0)?,
            at_us: r.get(1)?,
            member: r.get(2)?,
            action: r.get(3)?,
            outcome: r.get(4)?,
            summary: r.get(5)?,
            reasons_json: r.get(6)?,
            tx: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn guardian_actions(
    conn: &Connection,
    filter: &LogFilter,
    limit: usize,
) -> Result<Vec<ActionRow>, LedgerError> {
    let (sql, mut values) = clauses(filter, "x.actor_id", "x.action");
    values.push(Value::Integer(limit.clamp(1, 500) as i64));
    let mut stmt = conn.prepare(&format!(
        "SELECT x.id, x.at_us, m.name, x.action, x.subject, x.before, x.after
         FROM guardian_actions x LEFT JOIN members m ON m.id = x.actor_id WHERE {sql} ORDER BY x.id DESC LIMIT ?"
    ))?;
    let rows = stmt.query_map(params_from_iter(values), |r| {
        Ok(ActionRow {
            id: r.get(0)?,
            at_us: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            subject: r.get(4)?,
            before: r.get(5)?,
            after: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guardian_actions_read_as_words_and_are_found_by_either() {
        assert_eq!(action_words("pin_ok"), "PIN accepted");
        assert_eq!(action_words("limit_set"), "limit set");
        assert_eq!(action_words("something_new"), "something new");
        assert_eq!(action_code("limit_set"), Some("limit_set"));
        assert_eq!(action_code(" Limit Set "), Some("limit_set"));
        assert_eq!(action_code("wrong pin"), Some("pin_failed"));
        assert_eq!(action_code("pin accepted"), Some("pin_ok"));
        assert_eq!(action_code("frobnicate"), None);
        for (code, words) in GUARDIAN_ACTIONS {
            assert_eq!(action_code(code), Some(*code));
            assert_eq!(action_code(words), Some(*code));
        }
    }
}
