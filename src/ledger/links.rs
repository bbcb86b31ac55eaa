//! Which OS accounts act as which members through the household service, and
//! the household settings a guardian changes with their PIN. Both are
//! policy: written only with a [`GuardianPass`](super::GuardianPass).

use rusqlite::{Connection, OptionalExtension, params};

use super::record::Table;
use super::store::WriteTx;
use super::{CachedSql, LedgerError};
use crate::domain::MemberId;

/// The longest OS account name kept (Linux allows 32; other systems more).
pub const MAX_OS_USER_CHARS: usize = 64;

/// The members an OS account is linked to, in the order they were added.
pub fn members_of_account(conn: &Connection, os_user: &str) -> Result<Vec<MemberId>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT member_id FROM member_links WHERE os_user = ?1 ORDER BY linked_at_us, member_id",
    )?;
    let ids = stmt
        .query_map([os_user], |r| Ok(MemberId(r.get(0)?)))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// Every link: (member, OS account), by member then account.
pub fn all_links(conn: &Connection) -> Result<Vec<(MemberId, String)>, LedgerError> {
    let mut stmt = conn.prepare_cached(
        "SELECT member_id, os_user FROM member_links ORDER BY member_id, os_user",
    )?;
    let links = stmt
        .query_map([], |r| Ok((MemberId(r.get(0)?), r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(links)
}

/// Links `os_user` to `member`; false when the link was there already.
pub fn link_account(
    write: &WriteTx<'_, '_>,
    pass: &super::GuardianPass,
    member: MemberId,
    os_user: &str,
) -> Result<bool, LedgerError> {
    write.present(pass);
    let added = write.sql().run(
        "INSERT INTO member_links (os_user, member_id, linked_at_us) VALUES (?1, ?2, ?3)
         ON CONFLICT (os_user, member_id) DO NOTHING",
        params![os_user, member.0, write.now().timestamp_micros()],
    )?;
    write.touch(Table::MemberLinks, vec![os_user.into(), member.0.into()]);
    Ok(added == 1)
}

/// Removes a link; false when there was none.
pub fn unlink_account(
    write: &WriteTx<'_, '_>,
    pass: &super::GuardianPass,
    member: MemberId,
    os_user: &str,
) -> Result<bool, LedgerError> {
    write.present(pass);
    let removed = write.sql().run(
        "DELETE FROM member_links WHERE os_user = ?1 AND member_id = ?2",
        params![os_user, member.0],
    )?;
    write.touch(Table::MemberLinks, vec![os_user.into(), member.0.into()]);
    Ok(removed == 1)
}

/// Household settings a guardian can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// A guardian may act from another member's OS account by typing their
    /// PIN there. Off unless a guardian turns it on.
    ApproveInPerson,
}

impl Setting {
    fn key(self) -> &'static str {
        match self {
            Setting::ApproveInPerson => "approve_in_person",
        }
    }
}

/// Whether a yes/no setting is on (off when never set).
pub fn setting_on(conn: &Connection, setting: Setting) -> Result<bool, LedgerError> {
    let value: Option<String> = conn
        .prepare_cached("SELECT value FROM household_settings WHERE key = ?1")?
        .query_row([setting.key()], |r| r.get(0))
        .optional()?;
    Ok(value.as_deref() == Some("on"))
}

/// Turns a yes/no setting on or off; returns what it was.
pub fn set_setting(
    write: &WriteTx<'_, '_>,
    pass: &super::GuardianPass,
    setting: Setting,
    on: bool,
) -> Result<bool, LedgerError> {
    write.present(pass);
    let before = setting_on(write.sql(), setting)?;
    write.sql().run(
        "INSERT INTO household_settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![setting.key(), if on { "on" } else { "off" }],
    )?;
    write.touch(Table::Settings, vec![setting.key().into()]);
    Ok(before)
}
