//! Policy as a record. Every row of the policy tables (members with their
//! roles, birthdates and PIN hashes, OS-account links, the household row,
//! settings, limits, quiet hours, creator lists, age bands, catalog
//! versions, the PIN lockout counters) and every alert is written only
//! together with an *image* of it (the row as it stands after the write, or
//! its absence) in a hash-chained log entry: the guardian-action log for
//! policy, the decision log for the alerts a guarded write raises.
//!
//! `verify` replays those images in order and compares the tables row by
//! row, so a row changed, added or removed with the `sqlite3` shell is named
//! with the guardian action that last set it. Images are taken when the
//! entry is logged, not when the row is touched, so a row written twice in
//! one write is recorded once, as it ended.
//!
//! This module never decides policy: it only records what the policy
//! writers wrote and reads it back.

use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value as Json;

use super::LedgerError;
use super::chain::Canonical;

/// The tables whose rows are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Table {
    Household,
    AgeBands,
    CatalogVersions,
    RecordSince,
    Members,
    MemberLinks,
    Settings,
    Limits,
    QuietHours,
    CreatorRules,
    PinAttempts,
    Alerts,
    Allowances,
    NotifyCommands,
}

/// A table's name, the columns that identify a row, and the columns recorded.
struct Spec {
    name: &'static str,
    keys: &'static [&'static str],
    values: &'static [&'static str],
}

impl Table {
    pub const ALL: [Table; 14] = [
        Table::Household,
        Table::AgeBands,
        Table::CatalogVersions,
        Table::RecordSince,
        Table::Members,
        Table::MemberLinks,
        Table::Settings,
        Table::Limits,
        Table::QuietHours,
        Table::CreatorRules,
        Table::PinAttempts,
        Table::Alerts,
        Table::Allowances,
        Table::NotifyCommands,
    ];

    fn spec(self) -> Spec {
        let (name, keys, values): (&str, &[&str], &[&str]) = match self {
            Table::Household => (
                "household",
                &["id"],
                &[
                    "currency",
                    "timezone",
                    "request_expiry_hours",
                    "clock_tolerance_seconds",
                    "unknown_creator",
                    "created_at_us",
                ],
            ),
            Table::AgeBands => ("age_bands", &["from_age"], &["purchase", "gift", "redeem"]),
            Table::CatalogVersions => (
                "catalog_versions",
                &["id"],
                &["created_at_us", "economy_toml"],
            ),
            Table::RecordSince => ("record_since", &["what"], &["first_id"]),
            Table::Members => (
                "members",
                &["id"],
                &["name", "role", "birthdate", "pin_hash", "created_at_us"],
            ),
            Table::MemberLinks => ("member_links", &["os_user", "member_id"], &["linked_at_us"]),
            Table::Settings => ("household_settings", &["key"], &["value"]),
            Table::Limits => (
                "limits",
                &["member_id", "scope", "period"],
                &["soft", "hard"],
            ),
            Table::QuietHours => (
                "quiet_hours",
                &["member_id"],
                &["start_minute", "end_minute", "verdict"],
            ),
            Table::CreatorRules => ("creator_rules", &["member_id", "creator_id"], &["list"]),
            Table::PinAttempts => (
                "pin_attempts",
                &["member_id", "account"],
                &["failures", "locked_until_us"],
            ),
            Table::Alerts => (
                "alerts",
                &["id"],
                &[
                    "at_us",
                    "member_id",
                    "kind",
                    "message",
                    "acknowledged_at_us",
                    "acknowledged_by",
                ],
            ),
            // The schedule (set and stopped with a guardian's PIN; payments
            // never change it: they are in the ledger).
            Table::Allowances => (
                "allowances",
                &["id"],
                &[
                    "member_id",
                    "coins",
                    "money_micros",
                    "every",
                    "on_day",
                    "first_due",
                    "set_by",
                    "created_at_us",
                    "stopped_at_us",
                ],
            ),
            // What a guardian set, not how deliveries go (failures and the
            // last error change with every attempt and are not policy).
            Table::NotifyCommands => (
                "notify_commands",
                &["id"],
                &[
                    "command",
                    "events",
                    "member_id",
                    "created_at_us",
                    "removed_at_us",
                ],
            ),
        };
        Spec { name, keys, values }
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    fn parse(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether this table is part of the policy state a seal digests.
    /// Alerts are not: their rows are bound to the entries that raised and
    /// acknowledged them, in the chains the seal covers by their heads.
    pub fn is_policy(self) -> bool {
        self != Table::Alerts
    }
}

/// A column value as JSON: integers and text as themselves, anything else
/// tagged so it can never read as an integer or text.
fn json_of(value: Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Integer(i) => Json::from(i),
        Value::Text(t) => Json::from(t),
        Value::Real(r) => serde_json::json!({ "real": r.to_string() }),
        Value::Blob(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            serde_json::json!({ "blob": hex })
        }
    }
}

fn sql_of(json: &Json) -> Value {
    match json {
        Json::Number(n) => n.as_i64().map_or(Value::Null, Value::Integer),
        Json::String(s) => Value::Text(s.clone()),
        _ => Value::Null,
    }
}

/// A row's key, as recorded.
pub(crate) type Key = Vec<Json>;

/// One image: a table's row as it stood after a write (`None`: no row).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Image {
    pub table: Table,
    pub key: Key,
    pub row: Option<Vec<Json>>,
}

/// Reads the row of `table` with `key`, as an image.
pub(crate) fn image_of(conn: &Connection, table: Table, key: &Key) -> Result<Image, LedgerError> {
    let spec = table.spec();
    let condition: Vec<String> = spec
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} IS ?{}", i + 1))
        .collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {}",
        spec.values.join(", "),
        spec.name,
        condition.join(" AND ")
    );
    let params: Vec<Value> = key.iter().map(sql_of).collect();
    let width = spec.values.len();
    let row = conn
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(params), |r| {
            (0..width)
                .map(|i| r.get::<_, Value>(i).map(json_of))
                .collect::<rusqlite::Result<Vec<Json>>>()
        })
        .optional()?;
    Ok(Image {
        table,
        key: key.clone(),
        row,
    })
}

/// Every row of `table`: key text -> row text.
pub(crate) fn rows_of(
    conn: &Connection,
    table: Table,
) -> Result<BTreeMap<String, String>, LedgerError> {
    let spec = table.spec();
    let columns: Vec<&str> = spec.keys.iter().chain(spec.values).copied().collect();
    let sql = format!("SELECT {} FROM {}", columns.join(", "), spec.name);
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut out = BTreeMap::new();
    let keys = spec.keys.len();
    while let Some(r) = rows.next()? {
        let mut all = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            all.push(json_of(r.get::<_, Value>(i)?));
        }
        let row = all.split_off(keys);
        out.insert(Json::Array(all).to_string(), Json::Array(row).to_string());
    }
    Ok(out)
}

/// Images as a log entry stores them: one JSON array of
/// `[table, key, row-or-null]`, in the order given.
pub(crate) fn images_text(images: &[Image]) -> String {
    let list: Vec<Json> = images
        .iter()
        .map(|i| {
            serde_json::json!([
                i.table.name(),
                Json::Array(i.key.clone()),
                i.row.clone().map_or(Json::Null, Json::Array)
            ])
        })
        .collect();
    Json::Array(list).to_string()
}

/// Reads what [`images_text`] wrote; `None` when it is not that shape.
/// A row's image as a log entry records it: its table, its key (JSON) and
/// its values (JSON; `None`: the row was removed).
pub(crate) type StoredImage = (Table, String, Option<String>);

pub(crate) fn parse_images(text: &str) -> Option<Vec<StoredImage>> {
    let Json::Array(list) = serde_json::from_str::<Json>(text).ok()? else {
        return None;
    };
    let mut out = Vec::with_capacity(list.len());
    for item in list {
        let Json::Array(parts) = item else {
            return None;
        };
        let [table, key, row] = <[Json; 3]>::try_from(parts).ok()?;
        let table = Table::parse(table.as_str()?)?;
        if !key.is_array() || !(row.is_array() || row.is_null()) {
            return None;
        }
        out.push((
            table,
            key.to_string(),
            (!row.is_null()).then(|| row.to_string()),
        ));
    }
    Some(out)
}

/// Rows a write touched, to be imaged into the next log entry.
#[derive(Debug, Default)]
pub(crate) struct Touched(Vec<(Table, Key)>);

impl Touched {
    pub fn add(&mut self, table: Table, key: Key) {
        if !self.0.iter().any(|(t, k)| *t == table && *k == key) {
            self.0.push((table, key));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes the touched rows `which` selects, imaged as they stand now.
    pub fn drain(
        &mut self,
        conn: &Connection,
        which: impl Fn(Table) -> bool,
    ) -> Result<Option<String>, LedgerError> {
        let (taken, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|(t, _)| which(*t));
        self.0 = kept;
        if taken.is_empty() {
            return Ok(None);
        }
        let images = taken
            .iter()
            .map(|(t, k)| image_of(conn, *t, k))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(images_text(&images)))
    }
}

/// Every row of every table, as images: the starting point of a record.
pub(crate) fn snapshot(conn: &Connection) -> Result<Vec<Image>, LedgerError> {
    let mut images = Vec::new();
    for table in Table::ALL {
        // Taken while migrating to version 10: tables a later version
        // adds do not exist yet (and start empty when they do).
        let exists: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [table.name()],
            |r| r.get(0),
        )?;
        if !exists {
            continue;
        }
        for (key, row) in rows_of(conn, table)? {
            let key: Key = match serde_json::from_str(&key) {
                Ok(Json::Array(k)) => k,
                _ => continue,
            };
            let row = match serde_json::from_str(&row) {
                Ok(Json::Array(r)) => Some(r),
                _ => None,
            };
            images.push(Image { table, key, row });
        }
    }
    Ok(images)
}

/// The recorded state: (table, key) -> (row, the log entry that set it).
#[derive(Debug, Default, Clone)]
pub(crate) struct State {
    rows: BTreeMap<(Table, String), (Option<String>, Origin)>,
}

/// Which entry recorded a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    GuardianAction(i64),
    Decision(i64),
}

impl Origin {
    pub fn words(self) -> String {
        match self {
            Origin::GuardianAction(id) => format!("guardian action #{id}"),
            Origin::Decision(id) => format!("decision #{id}"),
        }
    }
}

impl State {
    pub fn apply(&mut self, images: Vec<StoredImage>, origin: Origin) {
        for (table, key, row) in images {
            self.rows.insert((table, key), (row, origin));
        }
    }

    /// Takes `other`'s rows of the tables `which` selects, over these.
    pub fn merge_from(&mut self, other: &State, which: impl Fn(Table) -> bool) {
        for (key, value) in &other.rows {
            if which(key.0) {
                self.rows.insert(key.clone(), value.clone());
            }
        }
    }

    /// The ids of the alerts recorded.
    pub fn alert_ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.rows
            .keys()
            .filter(|(t, _)| *t == Table::Alerts)
            .filter_map(|(_, key)| alert_id(key))
    }

    pub fn has_alert(&self, id: i64) -> bool {
        self.alert_ids().any(|a| a == id)
    }

    /// Only the alerts whose id `keep` selects.
    pub fn restricted(&self, keep: impl Fn(&i64) -> bool) -> State {
        State {
            rows: self
                .rows
                .iter()
                .filter(|((t, key), _)| {
                    *t != Table::Alerts || alert_id(key).is_some_and(|id| keep(&id))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// SHA-256 over the policy tables' rows, in key order: what a seal
    /// records. Absent rows are left out, so a state and the tables it
    /// describes digest the same.
    pub fn digest(&self) -> String {
        let mut c = Canonical::new("coinguard-policy-v1");
        for ((table, key), (row, _)) in &self.rows {
            if let (true, Some(row)) = (table.is_policy(), row) {
                c.text(table.name()).text(key).text(row);
            }
        }
        c.link("")
    }

    /// The policy tables as they stand, in the same form.
    pub fn of_tables(
        conn: &Connection,
        which: impl Fn(Table) -> bool,
    ) -> Result<State, LedgerError> {
        let mut state = State::default();
        for table in Table::ALL.into_iter().filter(|t| which(*t)) {
            for (key, row) in rows_of(conn, table)? {
                state
                    .rows
                    .insert((table, key), (Some(row), Origin::GuardianAction(0)));
            }
        }
        Ok(state)
    }

    /// The first row, in table then key order, where the tables differ from
    /// this recorded state: (entry, message).
    pub fn first_difference(
        &self,
        conn: &Connection,
        tables: &State,
        which: impl Fn(Table) -> bool,
    ) -> Result<Option<(String, String)>, LedgerError> {
        let recorded = self
            .rows
            .iter()
            .filter(|((t, _), (row, _))| which(*t) && row.is_some());
        let mut keys: Vec<&(Table, String)> = recorded
            .map(|(k, _)| k)
            .chain(tables.rows.keys().filter(|(t, _)| which(*t)))
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let want = self
                .rows
                .get(key)
                .and_then(|(r, o)| r.as_ref().map(|r| (r, *o)));
            let have = tables.rows.get(key).and_then(|(r, _)| r.as_ref());
            let (table, key_text) = key;
            let message = match (want, have) {
                (Some((w, _)), Some(h)) if w == h => continue,
                (None, None) => continue,
                (None, Some(_)) => {
                    "it is in no entry of the record (the guardian-action log for rules, the decision log for alerts): it was added outside coinguard".to_string()
                }
                (Some((_, origin)), None) => format!(
                    "{} recorded it, but it is missing: it was removed outside coinguard",
                    origin.words()
                ),
                (Some((w, origin)), Some(h)) => format!(
                    "it is not what {} recorded: {}; it was changed outside coinguard",
                    origin.words(),
                    differing(*table, w, h)
                ),
            };
            return Ok(Some((describe(conn, *table, key_text), message)));
        }
        Ok(None)
    }
}

fn alert_id(key: &str) -> Option<i64> {
    match serde_json::from_str::<Json>(key).ok()? {
        Json::Array(k) => k.first()?.as_i64(),
        _ => None,
    }
}

/// Which columns differ, in words: "soft is 20000000, recorded 10000000".
fn differing(table: Table, recorded: &str, stored: &str) -> String {
    let parse = |t: &str| match serde_json::from_str::<Json>(t) {
        Ok(Json::Array(v)) => v,
        _ => Vec::new(),
    };
    let (recorded, stored) = (parse(recorded), parse(stored));
    let spec = table.spec();
    let mut parts = Vec::new();
    for (i, column) in spec.values.iter().enumerate() {
        let (r, s) = (recorded.get(i), stored.get(i));
        if r == s {
            continue;
        }
        // Long or secret-looking values are named, not printed.
        if matches!(*column, "pin_hash" | "economy_toml" | "message") {
            parts.push(format!("its {column} differs"));
        } else {
            let show = |v: Option<&Json>| v.map_or_else(|| "nothing".to_string(), Json::to_string);
            parts.push(format!("{column} is {}, recorded {}", show(s), show(r)));
        }
    }
    if parts.is_empty() {
        "its columns differ".into()
    } else {
        parts.join(", ")
    }
}

/// A row named for people: "the purchase limit per week of member 2 (Sam)".
fn describe(conn: &Connection, table: Table, key: &str) -> String {
    let key: Vec<Json> = match serde_json::from_str(key) {
        Ok(Json::Array(k)) => k,
        _ => Vec::new(),
    };
    let member = |i: usize| -> String {
        let Some(id) = key.get(i).and_then(Json::as_i64) else {
            return "an unknown member".into();
        };
        let name: Option<String> = conn
            .query_row("SELECT name FROM members WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .ok()
            .flatten();
        match name {
            Some(name) => format!("member {id} ({name})"),
            None => format!("member {id}"),
        }
    };
    let text = |i: usize| {
        key.get(i).map_or_else(String::new, |v| {
            v.as_str().map_or_else(|| v.to_string(), str::to_string)
        })
    };
    match table {
        Table::Household => "the household row (currency, time zone, expiry)".into(),
        Table::AgeBands => format!("the age band from age {}", text(0)),
        Table::CatalogVersions => format!("catalog version {}", text(0)),
        Table::RecordSince => format!("where the record of {} begins", text(0)),
        Table::Members => member(0),
        Table::MemberLinks => format!("the link of OS account {} to {}", text(0), member(1)),
        Table::Settings => format!("the household setting {}", text(0)),
        Table::Limits => format!("the {} limit per {} of {}", text(1), text(2), member(0)),
        Table::QuietHours => format!("the quiet hours of {}", member(0)),
        Table::CreatorRules => format!("the creator list entry of {} for {}", member(0), member(1)),
        Table::PinAttempts => {
            let account = text(1);
            let from = if account.is_empty() {
                "at the household's own computer".to_string()
            } else {
                format!("from OS account {account}")
            };
            format!("the failed-PIN count of {} {from}", member(0))
        }
        Table::Alerts => format!("alert #{}", text(0)),
        Table::Allowances => format!("allowance #{}", text(0)),
        Table::NotifyCommands => format!("notify command #{}", text(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_read_back_as_written() {
        let images = vec![
            Image {
                table: Table::Limits,
                key: vec![Json::from(2), Json::from("purchase"), Json::from("week")],
                row: Some(vec![Json::Null, Json::from(20_000_000)]),
            },
            Image {
                table: Table::QuietHours,
                key: vec![Json::from(2)],
                row: None,
            },
        ];
        let text = images_text(&images);
        let back = parse_images(&text).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].0, Table::Limits);
        assert_eq!(back[0].1, r#"[2,"purchase","week"]"#);
        assert_eq!(back[0].2.as_deref(), Some("[null,20000000]"));
        assert_eq!(back[1].2, None);
        assert_eq!(parse_images(r#"[["nope",[1],null]]"#), None);
        assert_eq!(parse_images("{}"), None);
    }

    #[test]
    fn values_that_are_not_integers_or_text_never_read_as_them() {
        assert_ne!(json_of(Value::Real(5.0)), json_of(Value::Integer(5)));
        assert_ne!(
            json_of(Value::Blob(b"5".to_vec())),
            json_of(Value::Text("5".into()))
        );
    }
}
