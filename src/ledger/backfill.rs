//! Frozen backfills: what a migration computes for history written before
//! it. Each is a copy of the rules as they stood at its version, and never a
//! call into today's code, so changing today's rules can never change what
//! an old migration does. Nothing else may call these.

use std::collections::HashMap;

use chrono::DateTime;
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, params};

use super::LedgerError;

const MICROS_PER_HOUR: i64 = 3_600_000_000;
const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;
/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// The household's time zone, or `None` for a brand-new database (no
/// household row yet, so no history to backfill).
pub(crate) fn household_tz(conn: &Connection) -> Result<Option<Tz>, LedgerError> {
    let name: Option<String> = conn
        .query_row("SELECT timezone FROM household WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    match name {
        None => Ok(None),
        Some(name) => name
            .parse::<Tz>()
            .map(Some)
            .map_err(|_| LedgerError::Corrupt {
                message: format!("the household time zone {name:?} is not valid"),
            }),
    }
}

/// The three bucket starts of a moment: UTC hour, UTC day, local day.
fn buckets(at_us: i64, tz: Tz) -> [(&'static str, i64); 3] {
    use chrono::Datelike;
    let local_day = DateTime::from_timestamp_micros(at_us)
        .map(|t| i64::from(t.with_timezone(&tz).date_naive().num_days_from_ce()))
        .unwrap_or(EPOCH_DAYS_FROM_CE)
        - EPOCH_DAYS_FROM_CE;
    [
        ("hour", at_us.div_euclid(MICROS_PER_HOUR)),
        ("utc_day", at_us.div_euclid(MICROS_PER_DAY)),
        ("local_day", local_day),
    ]
}

/// Sums of a transaction's postings by account kind, read from the account
/// names as versions 1 to 7 write them (`external:<id>:funding`, ...).
fn posted(conn: &Connection, tx_id: i64) -> Result<(i64, i64), LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.name, p.amount FROM postings p JOIN accounts a ON a.id = p.account_id WHERE p.tx_id = ?1",
    )?;
    let (mut funding, mut wallet) = (0i64, 0i64);
    for row in stmt.query_map([tx_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })? {
        let (name, amount) = row?;
        if name.starts_with("external:") && name.ends_with(":funding") {
            funding += amount;
        } else if name.starts_with("member:") && name.ends_with(":wallet") {
            wallet += amount;
        }
    }
    Ok((funding, wallet))
}

/// One transaction in id order: (id, kind, member, at, original kind, original at, counterparty).
type TxRow = (
    i64,
    String,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

fn each_transaction(
    conn: &Connection,
    mut each: impl FnMut(TxRow) -> Result<(), LedgerError>,
) -> Result<(), LedgerError> {
    let mut stmt = conn.prepare(
        "SELECT t.id, t.kind, t.member_id, t.at_us, o.kind, o.at_us, t.counterparty_id FROM transactions t
         LEFT JOIN transactions o ON o.id = t.reverses_tx ORDER BY t.id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        each(TxRow::try_from(r)?)?;
    }
    Ok(())
}

fn sum_of(conn: &Connection, sql: &str, tx_id: i64) -> Result<i64, LedgerError> {
    Ok(conn.query_row(sql, [tx_id], |r| r.get(0))?)
}

/// Version 3: spend events and buckets for history written before limits
/// existed. `all` was then money paid for coins plus what gifted coins cost.
pub(super) fn v3_spend(conn: &Connection) -> Result<(), LedgerError> {
    let Some(tz) = household_tz(conn)? else {
        return Ok(());
    };
    each_transaction(
        conn,
        |(id, kind, member, at_us, original, original_at, _)| {
            let (funding, wallet) = posted(conn, id)?;
            let moved = sum_of(
                conn,
                "SELECT COALESCE(SUM(cost_micros), 0) FROM lot_moves WHERE tx_id = ?1",
                id,
            )?;
            let lot = sum_of(
                conn,
                "SELECT COALESCE(SUM(cost_micros), 0) FROM lots WHERE tx_id = ?1",
                id,
            )?;
            let (purchase, gift, all) = match (kind.as_str(), original.as_deref()) {
                ("purchase", _) | ("reversal", Some("purchase")) => (-funding, 0, -funding),
                ("gift", _) => (0, -wallet, moved),
                ("reversal", Some("gift")) => (0, -wallet, -lot),
                _ => (0, 0, 0),
            };
            if (purchase, gift, all) == (0, 0, 0) {
                return Ok(());
            }
            let at = original_at.unwrap_or(at_us);
            conn.execute(
            "INSERT INTO spend_events (tx_id, member_id, at_us, purchase_micros, gift_coins, all_micros) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, member, at, purchase, gift, all],
        )?;
            for (bucket, start) in buckets(at, tz) {
                conn.execute(
                "INSERT INTO spend_buckets (member_id, kind, start, purchase_micros, gift_coins, all_micros) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (member_id, kind, start) DO UPDATE SET purchase_micros = purchase_micros + excluded.purchase_micros,
                   gift_coins = gift_coins + excluded.gift_coins, all_micros = all_micros + excluded.all_micros",
                params![member, bucket, start, purchase, gift, all],
            )?;
            }
            Ok(())
        },
    )
}

/// `total * upto / whole` shares, cumulative, so pieces add up to the whole.
fn share(total: i64, before: i64, taking: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    let at = |upto: i64| i128::from(total) * i128::from(upto) / i128::from(whole);
    i64::try_from(at(before + taking) - at(before)).unwrap_or(0)
}

/// Version 7: what each lot's cost already counted as money spent (bought
/// coins: all; granted: none; coins a reversed gift returned: what the
/// coins it took had counted), each move's share of that, and the spend
/// totals again under the rule that `all` counts no money twice: money paid
/// for coins when paid, granted coins' value when gifted.
pub(super) fn v7_paid_and_spend(conn: &Connection) -> Result<(), LedgerError> {
    let Some(tz) = household_tz(conn)? else {
        return Ok(());
    };
    conn.execute_batch("DELETE FROM spend_events; DELETE FROM spend_buckets;")?;
    // lot id -> (coins, paid, taken so far)
    let mut lots: HashMap<i64, (i64, i64, i64)> = HashMap::new();
    each_transaction(
        conn,
        |(id, kind, member, at_us, original, original_at, counterparty)| {
            // Takes first, then new lots, in the order the ledger writes them.
            let mut unpaid_taken = 0i64;
            let mut cost_taken = 0i64;
            {
                let mut stmt = conn.prepare_cached(
                    "SELECT id, lot_id, coins, cost_micros FROM lot_moves WHERE tx_id = ?1 ORDER BY id",
                )?;
                let moves: Vec<(i64, i64, i64, i64)> = stmt
                    .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect::<Result<_, _>>()?;
                for (move_id, lot, coins, cost) in moves {
                    let (lot_coins, lot_paid, taken) = lots.get(&lot).copied().ok_or_else(
                        || LedgerError::Corrupt {
                            message: format!(
                                "transaction #{id} takes from coin lot {lot}, which is not older"
                            ),
                        },
                    )?;
                    let paid = share(lot_paid, taken, coins, lot_coins);
                    lots.insert(lot, (lot_coins, lot_paid, taken + coins));
                    conn.execute(
                        "INSERT INTO move_paid (move_id, paid_micros) VALUES (?1, ?2)",
                        params![move_id, paid],
                    )?;
                    unpaid_taken += cost - paid;
                    cost_taken += cost;
                }
            }
            let mut new_cost = 0i64;
            let mut new_unpaid = 0i64;
            {
                let mut stmt = conn.prepare_cached(
                    "SELECT id, coins, cost_micros FROM lots WHERE tx_id = ?1 ORDER BY id",
                )?;
                let new: Vec<(i64, i64, i64)> = stmt
                    .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<Result<_, _>>()?;
                // A reversed gift returns its coins as one lot per move it
                // undoes (each from where those coins came), or, before
                // version 7, as one lot for all of them (its own origin),
                // counting what the gift's coins had counted.
                let returned: Vec<(i64, i64)> = if kind == "reversal" {
                    let mut stmt = conn.prepare_cached(
                        "SELECT mp.paid_micros, lp.origin_lot_id FROM lot_moves m
                         JOIN move_paid mp ON mp.move_id = m.id JOIN lot_paid lp ON lp.lot_id = m.lot_id
                         WHERE m.tx_id = (SELECT reverses_tx FROM transactions WHERE id = ?1) ORDER BY m.id",
                    )?;
                    stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<_, _>>()?
                } else {
                    Vec::new()
                };
                let one_per_move = returned.len() == new.len();
                let returned_paid: i64 = returned.iter().map(|(p, _)| *p).sum();
                for (index, (lot, coins, cost)) in new.into_iter().enumerate() {
                    let (paid, origin) = match kind.as_str() {
                        "purchase" => (cost, lot),
                        "reversal" if one_per_move => {
                            returned.get(index).copied().unwrap_or((0, lot))
                        }
                        "reversal" => (returned_paid, lot),
                        _ => (0, lot),
                    };
                    lots.insert(lot, (coins, paid, 0));
                    conn.execute(
                        "INSERT INTO lot_paid (lot_id, origin_lot_id, paid_micros) VALUES (?1, ?2, ?3)",
                        params![lot, origin, paid],
                    )?;
                    new_cost += cost;
                    new_unpaid += cost - paid;
                }
            }
            let (funding, wallet) = posted(conn, id)?;
            let (purchase, gift, gift_cost, all) = match (kind.as_str(), original.as_deref()) {
                ("purchase", _) | ("reversal", Some("purchase")) => (-funding, 0, 0, -funding),
                ("gift", _) => (0, -wallet, cost_taken, unpaid_taken),
                ("reversal", Some("gift")) => (0, -wallet, -new_cost, -new_unpaid),
                _ => (0, 0, 0, 0),
            };
            if (purchase, gift, gift_cost, all) == (0, 0, 0, 0) {
                return Ok(());
            }
            let at = original_at.unwrap_or(at_us);
            let creator = counterparty.filter(|_| gift != 0);
            conn.execute(
                "INSERT INTO spend_events (tx_id, member_id, at_us, purchase_micros, gift_coins, all_micros, creator_id, gift_cost_micros)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![id, member, at, purchase, gift, all, creator, gift_cost],
            )?;
            for (bucket, start) in buckets(at, tz) {
                conn.execute(
                    "INSERT INTO spend_buckets (member_id, kind, start, purchase_micros, gift_coins, all_micros, gift_cost_micros)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (member_id, kind, start) DO UPDATE SET purchase_micros = purchase_micros + excluded.purchase_micros,
                       gift_coins = gift_coins + excluded.gift_coins, all_micros = all_micros + excluded.all_micros,
                       gift_cost_micros = gift_cost_micros + excluded.gift_cost_micros",
                    params![member, bucket, start, purchase, gift, all, gift_cost],
                )?;
            }
            Ok(())
        },
    )
}

/// Version 9: grants valued exactly. Versions 1 to 8 stored the default
/// grant value (the best pack rate, 0.99 / 70) in the catalog rounded to 6
/// decimals (`grant_value_per_coin = "0.014143"`), and valued a grant as
/// coins × that figure (7,000,000 coins: 99,001.00 instead of 99,000.00).
/// If the catalog in force holds exactly that default, a new catalog
/// version without it is added, so later grants use the exact ratio. Past
/// grants keep their recorded figures (history), and so does the catalog
/// version they name. A value a household stated itself (any other figure)
/// is left alone.
pub(super) fn v9_exact_grant_value(conn: &Connection) -> Result<(), LedgerError> {
    let newest: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, economy_toml FROM catalog_versions ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((_, text)) = newest else {
        return Ok(()); // a brand-new database: nothing stored yet
    };
    // The catalog as versions 1 to 8 wrote it: one `key = value` per line,
    // packs as `[[packs]]` tables with `coins = N` and `price = "P"`.
    let mut stated: Option<rust_decimal::Decimal> = None;
    let mut packs: Vec<(rust_decimal::Decimal, rust_decimal::Decimal)> = Vec::new();
    let mut in_pack = false;
    let mut coins: Option<rust_decimal::Decimal> = None;
    let value_of = |line: &str| -> Option<rust_decimal::Decimal> {
        let (_, value) = line.split_once('=')?;
        value.trim().trim_matches('"').parse().ok()
    };
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_pack = line == "[[packs]]";
            coins = None;
        } else if line.starts_with("grant_value_per_coin") {
            stated = value_of(line);
        } else if in_pack && line.starts_with("coins") {
            coins = value_of(line);
        } else if in_pack && line.starts_with("price") {
            if let (Some(c), Some(p)) = (coins, value_of(line)) {
                packs.push((p, c));
            }
        }
    }
    let best = packs
        .iter()
        .filter(|(_, c)| !c.is_zero())
        .filter_map(|(p, c)| p.checked_div(*c))
        .min();
    let (Some(stated), Some(best)) = (stated, best) else {
        return Ok(());
    };
    // The old default: the best rate rounded (half to even) to 6 decimals.
    if stated != best.round_dp(6) || best.round_dp(6) == best {
        return Ok(()); // stated by the household, or already exact
    }
    let without: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("grant_value_per_coin"))
        .map(|l| format!("{l}\n"))
        .collect();
    // Opening a database migrates it at the system clock's now.
    let now_us = chrono::Utc::now().timestamp_micros();
    conn.execute(
        "INSERT INTO catalog_versions (created_at_us, economy_toml) VALUES (?1, ?2)",
        params![now_us, without],
    )?;
    Ok(())
}

/// Version 10: the start of the record. A household made before version
/// 10 had its rules written without images in any log, so the tables as
/// they stand are recorded once, in one guardian-action entry (no actor:
/// coinguard itself), and `verify` replays from there. Rules changed
/// before this moment cannot be checked against a record (their log
/// entries say what changed only in words); everything after can.
///
/// Frozen: the tables, the columns, the JSON of a row and the entry's hash
/// are written out here as they stood at version 10.
pub(super) fn v10_record_baseline(conn: &Connection) -> Result<(), LedgerError> {
    let household: Option<i64> = conn
        .query_row("SELECT id FROM household WHERE id = 1", [], |r| r.get(0))
        .optional()?;
    if household.is_none() {
        return Ok(()); // a brand-new database records its own creation
    }
    const TABLES: &[(&str, &[&str], &[&str])] = &[
        (
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
        ("age_bands", &["from_age"], &["purchase", "gift", "redeem"]),
        (
            "catalog_versions",
            &["id"],
            &["created_at_us", "economy_toml"],
        ),
        ("record_since", &["what"], &["first_id"]),
        (
            "members",
            &["id"],
            &["name", "role", "birthdate", "pin_hash", "created_at_us"],
        ),
        ("member_links", &["os_user", "member_id"], &["linked_at_us"]),
        ("household_settings", &["key"], &["value"]),
        (
            "limits",
            &["member_id", "scope", "period"],
            &["soft", "hard"],
        ),
        (
            "quiet_hours",
            &["member_id"],
            &["start_minute", "end_minute", "verdict"],
        ),
        ("creator_rules", &["member_id", "creator_id"], &["list"]),
        (
            "pin_attempts",
            &["member_id", "account"],
            &["failures", "locked_until_us"],
        ),
        (
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
    ];
    use rusqlite::types::Value;
    use serde_json::Value as Json;
    let json = |v: Value| match v {
        Value::Null => Json::Null,
        Value::Integer(i) => Json::from(i),
        Value::Text(t) => Json::from(t),
        Value::Real(r) => serde_json::json!({ "real": r.to_string() }),
        Value::Blob(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            serde_json::json!({ "blob": hex })
        }
    };
    let mut images = Vec::new();
    for (table, keys, values) in TABLES {
        let columns: Vec<&str> = keys.iter().chain(values.iter()).copied().collect();
        let mut stmt = conn.prepare(&format!("SELECT {} FROM {table}", columns.join(", ")))?;
        let mut rows = stmt.query([])?;
        let mut found = std::collections::BTreeMap::new();
        while let Some(r) = rows.next()? {
            let mut all = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                all.push(json(r.get::<_, Value>(i)?));
            }
            let row = all.split_off(keys.len());
            found.insert(Json::Array(all).to_string(), row);
        }
        for (key, row) in found {
            let key: Json = serde_json::from_str(&key).unwrap_or(Json::Null);
            images.push(serde_json::json!([table, key, Json::Array(row)]));
        }
    }
    let changes = Json::Array(images).to_string();

    // The entry, hashed as version 10 hashes a guardian action with images.
    let (prev_id, prev_hash): (i64, String) = conn
        .query_row(
            "SELECT id, hash FROM guardian_actions ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, "0".repeat(64)));
    let id = prev_id + 1;
    let at_us = chrono::Utc::now().timestamp_micros();
    let (action, subject, before, after) = (
        "record_baseline",
        "the household's rules",
        "(recorded in words only)",
        "recorded as they stand: verify checks every change from here",
    );
    let mut bytes: Vec<u8> = Vec::new();
    let mut text = |value: &str| {
        bytes.extend_from_slice(&(value.len() as u64).to_be_bytes());
        bytes.extend_from_slice(value.as_bytes());
    };
    text("coinguard-guardian-action-v1");
    text(&id.to_string());
    text(&at_us.to_string());
    text("-"); // no actor
    text(action);
    text(subject);
    text(before);
    text(after);
    text("changes");
    text(&changes);
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(&bytes);
    let hash: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    conn.execute(
        "INSERT INTO guardian_actions (id, at_us, actor_id, action, subject, before, after, prev_hash, hash, changes)
         VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![id, at_us, action, subject, before, after, prev_hash, hash, changes],
    )?;
    Ok(())
}
