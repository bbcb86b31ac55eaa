//! The guard's reads on a write, through the writer's memo (see
//! `ledger::memo`): each answers from what an earlier write of this
//! connection kept when the memo says that still stands, else reads the
//! file and keeps the answer. The write paths that change a kept fact note
//! the change here as they write it.

use std::hash::Hash;

use rusqlite::Connection;

use super::memo::{Map, Memo};
use super::seal::Head;
use super::store::WriteTx;
use super::{CachedSql, LedgerError};
use crate::domain;
use crate::money::Currency;

/// Where a service finds a member by name: afresh on a connection, or
/// through a write's memo.
pub(crate) trait Members {
    fn member_named(&self, name: &str) -> Result<domain::Member, LedgerError>;
}

impl Members for Connection {
    fn member_named(&self, name: &str) -> Result<domain::Member, LedgerError> {
        super::find_member(self, name)
    }
}

impl Members for WriteTx<'_, '_> {
    fn member_named(&self, name: &str) -> Result<domain::Member, LedgerError> {
        self.kept_member(name)
    }
}

impl WriteTx<'_, '_> {
    /// This write's reads and writes stay in the memo after it commits
    /// (see `ledger::memo`). Only a write whose every change to a kept
    /// fact goes through [`super::append`] may say so: the guarded paths.
    pub(crate) fn keep_memo(&self) {
        if let Some(memo) = self.memo {
            memo.borrow_mut().keep();
        }
    }

    /// `read` answered from the memo when it holds the answer (`get`),
    /// else read and kept (`put`). Debug builds read afresh anyway and stop
    /// on a difference.
    fn remembered<T: Clone + PartialEq + std::fmt::Debug>(
        &self,
        get: impl FnOnce(&mut Memo) -> Option<T>,
        put: impl FnOnce(&mut Memo, T),
        read: impl Fn(&Connection) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        let Some(memo) = self.memo else {
            return read(&self.tx);
        };
        let kept = get(&mut memo.borrow_mut());
        if let Some(kept) = kept {
            memo.borrow_mut().hit();
            debug_assert_eq!(kept, read(&self.tx)?, "the memo differs from the file");
            return Ok(kept);
        }
        let fresh = read(&self.tx)?;
        put(&mut memo.borrow_mut(), fresh.clone());
        Ok(fresh)
    }

    /// [`Self::remembered`] for a fact kept per `key` in one of the memo's
    /// maps (`map` picks which).
    fn remembered_by<K: Eq + Hash + Copy, T: Clone + PartialEq + std::fmt::Debug>(
        &self,
        map: fn(&mut Memo) -> &mut Map<K, T>,
        key: K,
        read: impl Fn(&Connection) -> Result<T, LedgerError>,
    ) -> Result<T, LedgerError> {
        self.remembered(
            |m| map(m).get(&key).cloned(),
            |m, found| {
                map(m).insert(key, found);
            },
            read,
        )
    }

    /// [`super::find_member`], through the memo.
    fn kept_member(&self, name: &str) -> Result<domain::Member, LedgerError> {
        self.remembered(
            |m| m.members.get(name).cloned(),
            |m, found| {
                m.members.insert(name.to_string(), found);
            },
            |conn| super::find_member(conn, name),
        )
    }

    /// [`super::limits_of`], through the memo.
    pub(crate) fn limits_of(
        &self,
        member: domain::MemberId,
    ) -> Result<Vec<domain::Limit>, LedgerError> {
        self.remembered_by(
            |m| &mut m.limits,
            member,
            |conn| super::limits_of(conn, member),
        )
    }

    /// [`super::quiet_hours_of`], through the memo.
    pub(crate) fn quiet_hours_of(
        &self,
        member: domain::MemberId,
    ) -> Result<Option<domain::QuietHours>, LedgerError> {
        self.remembered_by(
            |m| &mut m.quiet_hours,
            member,
            |conn| super::quiet_hours_of(conn, member),
        )
    }

    /// [`super::creator_list`], through the memo.
    pub(crate) fn creator_list(
        &self,
        member: domain::MemberId,
        creator: domain::MemberId,
    ) -> Result<Option<domain::CreatorList>, LedgerError> {
        self.remembered_by(
            |m| &mut m.creator_lists,
            (member, creator),
            |conn| super::creator_list(conn, member, creator),
        )
    }

    /// What is wrong with the newest entries of the record, if anything
    /// ([`super::tail_problem`]), through the memo: checked again once
    /// another connection has written.
    pub(crate) fn record_problem(&self) -> Result<Option<String>, LedgerError> {
        // Not checked afresh in debug builds like the other kept facts:
        // it recomputes the newest entries' hashes, and it was kept per
        // `data_version` before the memo existed (this connection's own
        // commits append to the chains, and do not break them).
        if let Some(memo) = self.memo
            && let Some(kept) = memo.borrow().tail.clone()
        {
            return Ok(kept);
        }
        let found = super::tail_problem(&self.tx)?;
        if let Some(memo) = self.memo {
            memo.borrow_mut().tail = Some(found.clone());
        }
        Ok(found)
    }

    /// [`super::accounts::ensure`] (the account's row id, made if new),
    /// through the memo.
    pub(crate) fn account_id(
        &self,
        account: domain::Account,
        currency: Currency,
    ) -> Result<i64, LedgerError> {
        self.remembered_by(
            |m| &mut m.accounts,
            account,
            |conn| super::accounts::ensure(conn, account, currency),
        )
    }

    /// The head of the transaction chain, through the memo.
    pub(crate) fn last_tx(&self) -> Result<Head, LedgerError> {
        self.remembered(
            |m| m.last_tx.clone(),
            |m, found| m.last_tx = Some(found),
            |conn| super::seal::head_of(conn, "transactions"),
        )
    }

    /// The head of the decision chain, through the memo.
    pub(crate) fn last_decision(&self) -> Result<Head, LedgerError> {
        self.remembered(
            |m| m.last_decision.clone(),
            |m, found| m.last_decision = Some(found),
            |conn| super::seal::head_of(conn, "decisions"),
        )
    }

    /// A decision was appended in this write: the next links on to it.
    pub(crate) fn note_decision(&self, id: i64, hash: &str) {
        if let Some(memo) = self.memo {
            set_head(&mut memo.borrow_mut().last_decision, id, hash);
        }
    }

    /// When the first pending request expires, through the memo.
    pub(crate) fn first_expiry(&self) -> Result<Option<i64>, LedgerError> {
        self.remembered(
            |m| m.first_expiry_us,
            |m, found| m.first_expiry_us = Some(found),
            |conn| {
                Ok(conn.one(
                    "SELECT MIN(expires_at_us) FROM requests WHERE status = 'pending'",
                    [],
                    |r| r.get(0),
                )?)
            },
        )
    }

    /// A request expiring at `expires_at_us` was made in this write.
    pub(crate) fn note_request_made(&self, expires_at_us: i64) {
        if let Some(memo) = self.memo {
            let mut memo = memo.borrow_mut();
            if let Some(first) = memo.first_expiry_us {
                memo.first_expiry_us =
                    Some(Some(first.map_or(expires_at_us, |f| f.min(expires_at_us))));
            }
        }
    }

    /// Requests were resolved or expired in this write: the first expiry
    /// is read again when next asked.
    pub(crate) fn note_requests_ended(&self) {
        if let Some(memo) = self.memo {
            memo.borrow_mut().first_expiry_us = None;
        }
    }

    /// [`super::newest_entry_at`], through the memo.
    pub(crate) fn newest_entry_at(&self) -> Result<Option<i64>, LedgerError> {
        self.remembered(
            |m| m.newest_entry_us,
            |m, found| m.newest_entry_us = Some(found),
            super::newest_entry_at,
        )
    }

    /// [`super::spent_in_windows`] as of this write's now, through the
    /// memo's kept spend rows.
    pub(crate) fn spent_in_windows(
        &self,
        member: domain::MemberId,
        windows: &[domain::Window],
    ) -> Result<Vec<(domain::Window, super::Spend)>, LedgerError> {
        let tz = self.config.settings.timezone;
        let Some(memo) = self.memo else {
            return super::spent_in_windows(&self.tx, member, windows, self.now, tz);
        };
        let mut kept = memo.borrow_mut().spend.remove(&member);
        let (spent, hit) = super::spend::KeptRows::spent_in_windows(
            &mut kept, &self.tx, member, windows, self.now, tz,
        )?;
        let mut memo = memo.borrow_mut();
        if let Some(kept) = kept {
            memo.spend.insert(member, kept);
        }
        if hit {
            memo.hit();
            debug_assert_eq!(
                spent,
                super::spent_in_windows(&self.tx, member, windows, self.now, tz)?,
                "the memo's spend rows differ from the file"
            );
        }
        Ok(spent)
    }

    /// `append` wrote transaction `id` (hashed `hash`) at `at_us`, recording `spend` for
    /// `member` at `spent_at_us`: the memo follows.
    pub(crate) fn note_appended(
        &self,
        (id, hash): (i64, &str),
        at_us: i64,
        member: domain::MemberId,
        spent_at_us: i64,
        spend: super::Spend,
    ) {
        if let Some(memo) = self.memo {
            let mut memo = memo.borrow_mut();
            set_head(&mut memo.last_tx, id, hash);
            memo.note_entry(at_us);
            if !spend.is_zero() {
                memo.note_spend(member, spent_at_us, spend);
            }
        }
    }
}

/// A chain's new head, written into the kept one's buffer when there is
/// one (every guarded commit moves both heads on: no allocation for it).
fn set_head(head: &mut Option<Head>, len: i64, hash: &str) {
    match head {
        Some(kept) => {
            kept.len = len;
            kept.hash.clear();
            kept.hash.push_str(hash);
        }
        None => {
            *head = Some(Head {
                len,
                hash: hash.to_string(),
            });
        }
    }
}
