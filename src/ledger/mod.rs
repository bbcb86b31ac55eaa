//! The ledger: the household database, append-only double-entry bookkeeping per
//! unit (money, COIN, DIAMOND), FIFO coin lots with their real-money cost, hash
//! chains, and `verify`.
//!
//! This is the only module that writes ledger SQL. It writes a transaction only
//! from a [`Cleared`](crate::guard::Cleared) value, which only the guard can
//! produce, inside the same [`WriteTx`] the guard evaluated in: that type is the
//! door, and the one thing this module takes from `guard`.
//!
//! Sign convention: a posting's amount is what the account gains; every
//! transaction's postings sum to zero in each unit.

mod accounts;
mod alerts;
pub mod allowances;
mod append;
mod backfill;
mod chain;
mod crash;
mod decisions;
mod draft;
mod guardian_log;
mod kept;
mod links;
mod lots;
mod members;
mod memo;
pub mod outbox;
mod pass;
mod policy;
mod progress;
mod record;
mod requests;
mod reversal;
pub mod schema;
mod seal;
pub mod spend;
mod store;
mod transactions;
mod verify;
mod watch;

use std::path::PathBuf;

pub use accounts::balance;
// The data model lives in `domain::model`; these names stay for callers.
pub use crate::domain::Limit;
pub use crate::domain::{Account, CreatorList, Kind, Platform, QuietHours, RequestStatus, Unit};
pub use alerts::{
    Alert, acknowledge_alerts, clear_pin_attempts, open_alerts, pin_attempts, raise_alert,
    set_pin_attempts,
};
pub use append::append;
pub use chain::{GENESIS_HASH, Part, fingerprint};
pub use decisions::{
    DecisionEntry, RefusedByKey, RequestBinding, SpentKey, log_decision, refusal_by_key,
};
pub use draft::{Draft, LotAmounts, LotTake, NewLot, PostingDraft};
pub use guardian_log::GuardianAction;
pub(crate) use kept::Members;
pub use links::{
    MAX_OS_USER_CHARS, Setting, all_links, link_account, members_of_account, set_setting,
    setting_on, unlink_account,
};
pub use lots::{cost_of_coins, lot_cost_of_wallet, plan_take};
pub use members::{
    Member, add_member, find_member, found_household, list_members, member_by_id, pin_hash,
    set_pin_hash,
};
pub use pass::GuardianPass;
pub use policy::{
    creator_list, creator_lists_of, limits_of, quiet_hours_of, remove_limit, set_creator_list,
    set_limit, set_quiet_hours,
};
pub use progress::{Stage, Step, Watch};
pub use requests::{
    NewRequest, Request, binding_hash, check_request_binding, create_request, expire_due,
    held_coins, list_requests, request_by_id, request_by_key, requests_made_between,
    resolve_request,
};
pub use reversal::{ReversalPlan, SpentIn, plan_reversal};
pub use seal::{Head, KeyRecipe, KeyRecord, SealKey, SealKind, seal_keys_of};
pub use spend::{Spend, spend_of_draft, spent_in, spent_in_windows};
pub use store::{BUSY_TIMEOUT, Store, WriteTx, household_currency, log_guardian_action};
pub use transactions::{find_by_key, newest_entry_at};
pub use verify::{
    MarkInfo, Problem, SealCheck, SealPoint, SealReport, VerifiedPoint, VerifyOptions,
    VerifyReport, back_to_version_9_for_tests, recompute_chains_for_tests, tail_problem, verify,
    verify_watched, verify_with,
};

use crate::money::MoneyError;

/// What can go wrong opening or writing the household database.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LedgerError {
    #[error(
        "no household database at {path}; create one with `coinguard init`, or point --db at the right file"
    )]
    Missing { path: PathBuf },
    #[error(
        "{path} already exists; coinguard never overwrites a file: choose another path, or move that file away yourself"
    )]
    AlreadyExists { path: PathBuf },
    #[error("{path} is not a coinguard database: it is not a SQLite file, or it is damaged")]
    NotSqlite { path: PathBuf },
    #[error(
        "{path} is not a coinguard household database (it belongs to another program, or is empty)"
    )]
    Foreign { path: PathBuf },
    #[error(
        "{path} was written by a newer coinguard (schema {found}; this one knows up to {known}); upgrade coinguard to open it"
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    /// A watcher stopped a long read (`verify`) before its end.
    #[error("stopped before the end, as asked; nothing was changed")]
    Stopped,
    #[error("the database is busy: another coinguard is writing to it; try again in a moment")]
    Busy,
    #[error(
        "the disk that holds the household is full, so nothing was written; free some space and try again"
    )]
    DiskFull,
    #[error(
        "the household file cannot be written just now (its disk is read-only, or its permissions changed), so nothing was written; spending resumes once it can be written again"
    )]
    ReadOnly,
    #[error(
        "the disk that holds the household reported an error, so nothing was written; check the disk (the system log says more) and try again"
    )]
    DiskIo,
    #[error(
        "the household file {path} was removed or replaced while coinguard had it open, so nothing more is written to it; put it back (or restore a backup) and start coinguard again"
    )]
    FileGone { path: PathBuf },
    #[error("the database is damaged: {message}")]
    Corrupt { message: String },
    #[error("cannot use {path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("database error: {0}")]
    Sqlite(#[source] std::sync::Arc<rusqlite::Error>),
    #[error(
        "internal error: the {unit} postings of this transaction do not balance; nothing was written"
    )]
    Unbalanced { unit: String },
    #[error(
        "the key \"{key}\" was already used for a different command (another member, pack, gift, creator or amount); a key stands for one command: use a new key"
    )]
    KeyConflict { key: String },
    #[error("transaction {tx} was already reversed by transaction {by}")]
    AlreadyReversed { tx: i64, by: i64 },
    #[error("transaction {tx} cannot be reversed: {why}")]
    NotReversible { tx: i64, why: String },
    #[error("there is no transaction #{tx}")]
    UnknownTransaction { tx: i64 },
    #[error("{account} would go below zero; nothing was written")]
    Overdrawn { account: String },
    #[error("there is no member called \"{given}\"; members are: {known}")]
    UnknownMember { given: String, known: String },
    #[error("there is already a member called \"{name}\"; choose another name")]
    DuplicateMember { name: String },
    #[error(
        "\"{name}\" looks like the member \"{existing}\" on screen; choose a name that cannot be mistaken for it"
    )]
    ConfusableMember { name: String, existing: String },
    #[error("this household already has its first guardian; add members with a guardian's PIN")]
    AlreadyFounded,
    #[error("request #{id} is no longer pending; see `coinguard request list`")]
    NotPending { id: i64 },
    #[error(
        "request #{id} was changed outside coinguard after it was asked ({why}); nothing was approved. Run `coinguard verify`, then ask for it again"
    )]
    RequestChanged { id: i64, why: String },
    #[error(
        "the record has been changed outside coinguard: run `coinguard verify` ({why}). Nothing was written"
    )]
    RecordBroken { why: String },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl LedgerError {
    /// Maps an error met while opening `path`.
    pub(crate) fn from_sqlite(path: &std::path::Path, e: rusqlite::Error) -> LedgerError {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => LedgerError::NotSqlite {
                path: path.to_path_buf(),
            },
            Some(rusqlite::ErrorCode::CannotOpen) | Some(rusqlite::ErrorCode::PermissionDenied) => {
                LedgerError::Io {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                }
            }
            _ => LedgerError::from(e),
        }
    }
}

impl From<rusqlite::Error> for LedgerError {
    fn from(e: rusqlite::Error) -> LedgerError {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                LedgerError::Busy
            }
            Some(rusqlite::ErrorCode::NotADatabase)
            | Some(rusqlite::ErrorCode::DatabaseCorrupt) => LedgerError::Corrupt {
                message: e.to_string(),
            },
            Some(rusqlite::ErrorCode::DiskFull) => LedgerError::DiskFull,
            Some(rusqlite::ErrorCode::ReadOnly) => LedgerError::ReadOnly,
            Some(rusqlite::ErrorCode::SystemIoFailure) => LedgerError::DiskIo,
            _ => LedgerError::Sqlite(std::sync::Arc::new(e)),
        }
    }
}

/// Errors compare by what they say (the SQLite one by its error's own
/// equality), so tests can compare whole results.
impl Eq for LedgerError {}

impl LedgerError {
    /// What kind of failure this is (see [`ErrorKind`]): the one place that
    /// decides its exit code and its JSON `kind`.
    pub fn kind(&self) -> crate::domain::ErrorKind {
        use crate::domain::ErrorKind;
        match self {
            LedgerError::Missing { .. }
            | LedgerError::NotSqlite { .. }
            | LedgerError::Foreign { .. }
            | LedgerError::Newer { .. }
            | LedgerError::Corrupt { .. }
            | LedgerError::FileGone { .. } => ErrorKind::Household,
            LedgerError::UnknownTransaction { .. } | LedgerError::UnknownMember { .. } => {
                ErrorKind::NotFound
            }
            LedgerError::AlreadyExists { .. }
            | LedgerError::KeyConflict { .. }
            | LedgerError::AlreadyReversed { .. }
            | LedgerError::NotReversible { .. }
            | LedgerError::DuplicateMember { .. }
            | LedgerError::ConfusableMember { .. }
            | LedgerError::NotPending { .. }
            | LedgerError::RequestChanged { .. }
            | LedgerError::AlreadyFounded => ErrorKind::Conflict,
            LedgerError::RecordBroken { .. } => ErrorKind::Household,
            LedgerError::Money(_) => ErrorKind::BadInput,
            LedgerError::Busy
            | LedgerError::Stopped
            | LedgerError::DiskFull
            | LedgerError::DiskIo
            | LedgerError::ReadOnly
            | LedgerError::Io { .. }
            | LedgerError::Sqlite(_)
            | LedgerError::Unbalanced { .. }
            | LedgerError::Overdrawn { .. } => ErrorKind::Other,
        }
    }
}

/// Cached-statement versions of `query_row` and `execute`: on the write path
/// every statement is parsed once per connection, not once per call (the
/// parse cost was most of the guard's overhead over a bare insert).
pub(crate) trait CachedSql {
    fn one<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T>;
    fn run<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
}

impl CachedSql for rusqlite::Connection {
    fn one<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    fn run<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}

/// Records a new seal key for `guardian`, made from `derived` (their PIN's
/// argon2id output with `recipe`), in the caller's write. For `auth` and
/// the services that set a guardian's PIN.
pub(crate) fn add_seal_key(
    write: &WriteTx<'_, '_>,
    guardian: crate::domain::MemberId,
    recipe: &KeyRecipe,
    derived: [u8; 32],
) -> Result<SealKey, LedgerError> {
    seal::add_seal_key(
        write.sql(),
        guardian,
        recipe,
        derived,
        write.now().timestamp_micros(),
    )
}

impl Store {
    /// Leaves `verify`'s mark: the point `report` verified, so the next
    /// verify starts there; sealed with `key` when a guardian's PIN was
    /// given. Nothing when the report found a problem.
    pub fn leave_mark(
        &mut self,
        clock: &dyn crate::domain::Clock,
        report: &VerifyReport,
        key: Option<&SealKey>,
    ) -> Result<Option<i64>, LedgerError> {
        let Some(point) = &report.verified else {
            return Ok(None);
        };
        self.write(clock, |w| {
            seal::append_seal(
                w.sql(),
                seal::NewSeal {
                    at_us: w.now().timestamp_micros(),
                    kind: SealKind::Verified,
                    heads: point.heads.clone(),
                    policy_digest: point.policy_digest.clone(),
                    state: Some(point.state.clone()),
                    key,
                },
            )
            .map(Some)
        })
    }
}
