//! What the writer connection read for the guard, kept between its own
//! commits while nothing else writes the file.
//!
//! The guard judges facts read inside the write transaction that commits:
//! the member, their limits, quiet hours and creator lists, what they spent
//! in each window, the newest entry's time. Read afresh on every commit,
//! those reads cost about a third of a bare write (issue 13's profile). A
//! fact kept here is the same fact, because of when it may be used:
//!
//! - Only inside a write transaction, after `BEGIN IMMEDIATE` holds the
//!   write lock, and only while `PRAGMA data_version` there equals what it
//!   was when the fact was kept. It changes whenever another connection (a
//!   second process, the service's other clients, `sqlite3` by hand) has
//!   committed anything, and nobody can commit while we hold the lock.
//! - This connection's own commits keep the memo only when the write says
//!   so ([`super::WriteTx::keep_memo`]: the guarded paths, whose writes to
//!   kept facts are the spend rows and the new entry, which `append` notes
//!   here as it writes them). Any other commit (a limit, a member, a PIN, a
//!   catalog, a migration) and any rollback empties it.
//!
//! Debug builds (every test) read each kept fact afresh as well and stop
//! on a difference, so the whole suite checks this cache.

use super::seal::Head;
use super::spend::KeptRows;
use crate::domain::{Account, CreatorList, Limit, Member, MemberId, QuietHours};

/// The memo's maps. Their keys are member ids, accounts and names from the
/// household's own file, looked up a few times on every guarded commit:
/// foldhash rather than the default SipHash, whose flooding resistance
/// guards nothing here and whose cost showed in the commit's profile.
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// The kept facts, and the `data_version` they are true at.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    /// `PRAGMA data_version` inside the write that last kept facts; `None`
    /// when nothing is kept.
    stamp: Option<i64>,
    /// Whether the write in progress keeps what it read and wrote.
    keep: bool,
    /// How often a kept fact answered: for the tests that show the memo is
    /// used at all.
    hits: u64,
    pub(super) catalog: Option<i64>,
    pub(super) members: Map<String, Member>,
    /// Account row ids (an account row, once made, is never changed).
    pub(super) accounts: Map<Account, i64>,
    pub(super) limits: Map<MemberId, Vec<Limit>>,
    pub(super) quiet_hours: Map<MemberId, Option<QuietHours>>,
    pub(super) creator_lists: Map<(MemberId, MemberId), Option<CreatorList>>,
    pub(super) newest_entry_us: Option<Option<i64>>,
    /// The heads of the transaction and decision chains: where the next
    /// entry of each links on.
    pub(super) last_tx: Option<Head>,
    pub(super) last_decision: Option<Head>,
    /// When the first pending request expires (`None` inside: none pending).
    pub(super) first_expiry_us: Option<Option<i64>>,
    /// What `tail_problem` found.
    pub(super) tail: Option<Option<String>>,
    pub(super) spend: Map<MemberId, KeptRows>,
}

impl Memo {
    /// A write begins at `data_version`: what is kept stands only if no
    /// other connection committed since it was kept.
    pub(super) fn begin(&mut self, data_version: i64) {
        if self.stamp != Some(data_version) {
            self.forget();
        }
        self.stamp = Some(data_version);
        self.keep = false;
    }

    /// The write ended: committed (keeping the memo if it said so), or not.
    pub(super) fn end(&mut self, committed: bool) {
        if !(committed && self.keep) {
            self.forget();
        }
        self.keep = false;
    }

    pub(super) fn keep(&mut self) {
        self.keep = true;
    }

    pub(super) fn hit(&mut self) {
        self.hits += 1;
    }

    pub(super) fn hits(&self) -> u64 {
        self.hits
    }

    fn forget(&mut self) {
        let hits = self.hits;
        *self = Memo {
            hits,
            ..Memo::default()
        };
    }

    /// A transaction at `at_us` was appended in this write.
    pub(super) fn note_entry(&mut self, at_us: i64) {
        if let Some(newest) = self.newest_entry_us.as_mut() {
            *newest = Some(newest.map_or(at_us, |n| n.max(at_us)));
        }
    }

    /// `spend` was recorded for `member` at `at_us` in this write.
    pub(super) fn note_spend(&mut self, member: MemberId, at_us: i64, spend: super::Spend) {
        if let Some(rows) = self.spend.get_mut(&member) {
            rows.note(at_us, spend);
        }
    }
}
