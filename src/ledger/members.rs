//! Household members. Not part of the hash-chained ledger: member changes are
//! recorded in the guardian-action log.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::record::Table;
use super::store::WriteTx;
use super::{CachedSql, LedgerError};
pub use crate::domain::Member;
use crate::domain::{BirthDate, MemberId, Name, Role};

/// Adds a member, on a guardian's PIN.
pub fn add_member(
    write: &WriteTx<'_, '_>,
    pass: &super::GuardianPass,
    name: &Name,
    role: Role,
    birthdate: Option<BirthDate>,
) -> Result<MemberId, LedgerError> {
    write.present(pass);
    insert_member(write, name, role, birthdate)
}

/// The household's first guardian, with their PIN's hash: the one member
/// added without another guardian's PIN, and only into a household that
/// has no members yet.
pub fn found_household(
    write: &WriteTx<'_, '_>,
    guardian: &Name,
    pin_hash: &str,
) -> Result<MemberId, LedgerError> {
    let members: i64 = write
        .sql()
        .one("SELECT COUNT(*) FROM members", [], |r| r.get(0))?;
    if members > 0 {
        return Err(LedgerError::AlreadyFounded);
    }
    let id = insert_member(write, guardian, Role::Guardian, None)?;
    write_pin_hash(write, id, pin_hash)?;
    super::log_guardian_action(
        write,
        &super::GuardianAction {
            actor: Some(id),
            action: "household_found".into(),
            subject: guardian.to_string(),
            before: "(none)".into(),
            after: "first guardian, with a PIN".into(),
        },
    )?;
    Ok(id)
}

fn insert_member(
    write: &WriteTx<'_, '_>,
    name: &Name,
    role: Role,
    birthdate: Option<BirthDate>,
) -> Result<MemberId, LedgerError> {
    let now = write.now();
    let conn = write.sql();
    let exists: Option<i64> = conn
        .one(
            "SELECT id FROM members WHERE name = ?1",
            [name.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_some() {
        return Err(LedgerError::DuplicateMember {
            name: name.to_string(),
        });
    }
    // A name that only looks like another (a Cyrillic "а" in "Ana", "rn" for
    // "m") would let someone pass for that member on every screen.
    if let Some(existing) = list_members(conn)?
        .into_iter()
        .find(|m| m.name.confusable_with(name))
    {
        return Err(LedgerError::ConfusableMember {
            name: name.to_string(),
            existing: existing.name.to_string(),
        });
    }
    conn.run(
        "INSERT INTO members (name, role, birthdate, created_at_us) VALUES (?1, ?2, ?3, ?4)",
        params![
            name.as_str(),
            role.as_str(),
            birthdate.map(|b| b.date().to_string()),
            now.timestamp_micros()
        ],
    )?;
    let id = conn.last_insert_rowid();
    write.touch(Table::Members, vec![id.into()]);
    Ok(MemberId(id))
}

fn from_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, String, String, Option<String>, bool)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

fn build(
    (id, name, role, birthdate, has_pin): (i64, String, String, Option<String>, bool),
) -> Result<Member, LedgerError> {
    let corrupt = |what: &str| LedgerError::Corrupt {
        message: format!("member {id} has an invalid {what}"),
    };
    Ok(Member {
        id: MemberId(id),
        name: Name::parse(&name).map_err(|_| corrupt("name"))?,
        role: role.parse().map_err(|_| corrupt("role"))?,
        birthdate: match birthdate {
            Some(text) => Some(BirthDate::from_stored(
                NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| corrupt("birthdate"))?,
            )),
            None => None,
        },
        has_pin,
    })
}

const SELECT: &str = "SELECT id, name, role, birthdate, pin_hash IS NOT NULL FROM members";

pub fn list_members(conn: &Connection) -> Result<Vec<Member>, LedgerError> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY id"))?;
    let rows = stmt.query_map([], from_row)?;
    rows.map(|row| build(row?)).collect()
}

pub fn member_by_id(conn: &Connection, id: MemberId) -> Result<Option<Member>, LedgerError> {
    let row = conn
        .one(&format!("{SELECT} WHERE id = ?1"), [id.0], from_row)
        .optional()?;
    row.map(build).transpose()
}

/// Finds a member by name (case-insensitive for ASCII letters). The error
/// lists who exists, so a typo is easy to fix.
pub fn find_member(conn: &Connection, name: &str) -> Result<Member, LedgerError> {
    // Typed the way names are stored (NFC, one space between words), so
    // "Two  spaces" finds "Two spaces".
    let wanted = Name::parse(name).map_or_else(|_| name.trim().to_string(), |n| n.to_string());
    let row = conn
        .one(&format!("{SELECT} WHERE name = ?1"), [wanted], from_row)
        .optional()?;
    match row {
        Some(row) => build(row),
        None => {
            let known: Vec<String> = list_members(conn)?
                .into_iter()
                .map(|m| m.name.to_string())
                .collect();
            Err(LedgerError::UnknownMember {
                given: name.to_string(),
                known: if known.is_empty() {
                    "(none yet)".into()
                } else {
                    known.join(", ")
                },
            })
        }
    }
}

/// The stored PHC hash of a member's PIN, if they have one.
pub fn pin_hash(conn: &Connection, member: MemberId) -> Result<Option<String>, LedgerError> {
    Ok(conn
        .one(
            "SELECT pin_hash FROM members WHERE id = ?1",
            [member.0],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// Stores a member's PIN hash (a PHC string, never the PIN).
pub fn set_pin_hash(
    write: &WriteTx<'_, '_>,
    pass: &super::GuardianPass,
    member: MemberId,
    phc: &str,
) -> Result<(), LedgerError> {
    write.present(pass);
    write_pin_hash(write, member, phc)
}

fn write_pin_hash(write: &WriteTx<'_, '_>, member: MemberId, phc: &str) -> Result<(), LedgerError> {
    write.sql().run(
        "UPDATE members SET pin_hash = ?2 WHERE id = ?1",
        params![member.0, phc],
    )?;
    write.touch(Table::Members, vec![member.0.into()]);
    Ok(())
}
