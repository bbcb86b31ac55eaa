//! The guard's policy as guardians set it: limits, quiet hours, creator lists.
//! Stored here because this module owns the database; judged in `guard`.

use rusqlite::{Connection, OptionalExtension, params};

use super::record::Table;
use super::store::WriteTx;
use super::{CachedSql, LedgerError};
use crate::domain::{
    CreatorList, Limit, LimitAmount, MemberId, Outcome, QuietHours, Scope, Window,
};

/// A member's limits. Amounts are stored as integers (money micro-units for
/// purchase/all, coins for gift) and read back as the scope's kind.
pub fn limits_of(conn: &Connection, member: MemberId) -> Result<Vec<Limit>, LedgerError> {
    let currency = super::household_currency(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT scope, period, soft, hard FROM limits WHERE member_id = ?1 ORDER BY scope, period",
    )?;
    let rows = stmt.query_map([member.0], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get(2)?,
            r.get(3)?,
        ))
    })?;
    let mut limits = Vec::new();
    for row in rows {
        let (scope, window, soft, hard): (String, String, Option<i64>, Option<i64>) = row?;
        let corrupt = || LedgerError::Corrupt {
            message: format!("a limit of member {member} is not valid"),
        };
        let scope: Scope = scope.parse().map_err(|_| corrupt())?;
        let amount = |units: Option<i64>| {
            units
                .map(|u| LimitAmount::of_scope(scope, u, currency))
                .transpose()
                .map_err(|_| corrupt())
        };
        limits.push(
            Limit::new(
                member,
                scope,
                window.parse().map_err(|_| corrupt())?,
                amount(soft)?,
                amount(hard)?,
            )
            .ok_or_else(corrupt)?,
        );
    }
    Ok(limits)
}

/// Sets (or replaces) a limit; returns the one it replaced.
pub fn set_limit(
    write: &WriteTx<'_, '_>,
    pass: &super::GuardianPass,
    limit: &Limit,
) -> Result<Option<Limit>, LedgerError> {
    write.present(pass);
    let before = limits_of(write.sql(), limit.member)?
        .into_iter()
        .find(|l| l.scope == limit.scope && l.window == limit.window);
    write.sql().run(
        "INSERT INTO limits (member_id, scope, period, soft, hard) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (member_id, scope, period) DO UPDATE SET soft = excluded.soft, hard = excluded.hard",
        params![limit.member.0, limit.scope.as_str(), limit.window.as_str(), limit.soft.map(|a| a.units()), limit.hard.map(|a| a.units())],
    )?;
    write.touch(
        Table::Limits,
        limit_key(limit.member, limit.scope, limit.window),
    );
    Ok(before)
}

/// Removes a limit; returns it, or `None` if there was none.
fn limit_key(member: MemberId, scope: Scope, window: Window) -> Vec<serde_json::Value> {
    vec![
        member.0.into(),
        scope.as_str().into(),
        window.as_str().into(),
    ]
}

pub fn remove_limit(
    write: &WriteTx<'_, '_>,
    pass: &super::GuardianPass,
    member: MemberId,
    scope: Scope,
    window: Window,
) -> Result<Option<Limit>, LedgerError> {
    write.present(pass);
    let before = limits_of(write.sql(), member)?
        .into_iter()
        .find(|l| l.scope == scope && l.window == window);
    write.sql().run(
        "DELETE FROM limits WHERE member_id = ?1 AND scope = ?2 AND period = ?3",
        params![member.0, scope.as_str(), window.as_str()],
    )?;
    write.touch(Table::Limits, limit_key(member, scope, window));
    Ok(before)
}

pub fn quiet_hours_of(
    conn: &Connection,
    member: MemberId,
) -> Result<Option<QuietHours>, LedgerError> {
    let row: Option<(u32, u32, String)> = conn
        .prepare_cached(
            "SELECT start_minute, end_minute, verdict FROM quiet_hours WHERE member_id = ?1",
        )?
        .query_row([member.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(row.map(|(start_minute, end_minute, verdict)| QuietHours {
        start_minute,
        end_minute,
        verdict: if verdict == "deny" {
            Outcome::Deny
        } else {
            Outcome::NeedsApproval
        },
    }))
}

/// Sets quiet hours, or clears them with `None`; returns what was there.
pub fn set_quiet_hours(
    write: &WriteTx<'_, '_>,
    pass: &super::GuardianPass,
    member: MemberId,
    quiet: Option<QuietHours>,
) -> Result<Option<QuietHours>, LedgerError> {
    write.present(pass);
    let before = quiet_hours_of(write.sql(), member)?;
    match quiet {
        Some(q) => write.sql().run(
            "INSERT INTO quiet_hours (member_id, start_minute, end_minute, verdict) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (member_id) DO UPDATE SET start_minute = excluded.start_minute, end_minute = excluded.end_minute, verdict = excluded.verdict",
            params![member.0, q.start_minute, q.end_minute, q.verdict.as_str()],
        )?,
        None => write.sql().run("DELETE FROM quiet_hours WHERE member_id = ?1", [member.0])?,
    };
    write.touch(Table::QuietHours, vec![member.0.into()]);
    Ok(before)
}

pub fn creator_list(
    conn: &Connection,
    member: MemberId,
    creator: MemberId,
) -> Result<Option<CreatorList>, LedgerError> {
    let list: Option<String> = conn
        .prepare_cached("SELECT list FROM creator_rules WHERE member_id = ?1 AND creator_id = ?2")?
        .query_row([member.0, creator.0], |r| r.get(0))
        .optional()?;
    Ok(list.map(|l| {
        if l == "block" {
            CreatorList::Block
        } else {
            CreatorList::Allow
        }
    }))
}

/// All creators on a member's lists, as (creator id, list).
pub fn creator_lists_of(
    conn: &Connection,
    member: MemberId,
) -> Result<Vec<(MemberId, CreatorList)>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT creator_id, list FROM creator_rules WHERE member_id = ?1 ORDER BY creator_id",
    )?;
    let rows = stmt.query_map([member.0], |r| {
        Ok((MemberId(r.get(0)?), r.get::<_, String>(1)?))
    })?;
    rows.map(|row| {
        row.map(|(id, l)| {
            (
                id,
                if l == "block" {
                    CreatorList::Block
                } else {
                    CreatorList::Allow
                },
            )
        })
        .map_err(LedgerError::from)
    })
    .collect()
}

/// Puts a creator on a member's allow or block list, or takes them off (`None`).
pub fn set_creator_list(
    write: &WriteTx<'_, '_>,
    pass: &super::GuardianPass,
    member: MemberId,
    creator: MemberId,
    list: Option<CreatorList>,
) -> Result<Option<CreatorList>, LedgerError> {
    write.present(pass);
    let before = creator_list(write.sql(), member, creator)?;
    match list {
        Some(list) => write.sql().run(
            "INSERT INTO creator_rules (member_id, creator_id, list) VALUES (?1, ?2, ?3)
             ON CONFLICT (member_id, creator_id) DO UPDATE SET list = excluded.list",
            params![
                member.0,
                creator.0,
                if list == CreatorList::Block {
                    "block"
                } else {
                    "allow"
                }
            ],
        )?,
        None => write.sql().run(
            "DELETE FROM creator_rules WHERE member_id = ?1 AND creator_id = ?2",
            [member.0, creator.0],
        )?,
    };
    write.touch(Table::CreatorRules, vec![member.0.into(), creator.0.into()]);
    Ok(before)
}
