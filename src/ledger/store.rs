//! Opening, creating and refusing database files, and the one way to write:
//! a `BEGIN IMMEDIATE` transaction that carries the time it started.

use std::fs::OpenOptions;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};

use super::memo::Memo;
use super::record::{Table, Touched};
use super::schema::{self, APPLICATION_ID};
use super::seal::SealKey;
use super::{CachedSql, LedgerError};
use crate::config::{AgeBand, Config, Economy, Settings, Verdict};
use crate::domain;
use crate::money::Currency;

/// How the writer connection is opened. `NO_MUTEX`: a `Connection` is
/// used by one thread at a time (it is not `Sync`), so SQLite's own
/// per-connection lock (its default, "serialized" mode) only costs: it was
/// taken and released around every call (each bind, step, column and reset),
/// about 170 times per guarded commit.
const WRITER: OpenFlags = OpenFlags::SQLITE_OPEN_READ_WRITE.union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

/// How read-only connections are opened (see [`WRITER`] for `NO_MUTEX`).
const READER: OpenFlags = OpenFlags::SQLITE_OPEN_READ_ONLY.union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

/// How long a writer waits for another process's write before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open household database.
pub struct Store {
    /// Opened read-only: what [`Store::conn`] hands to readers (reports,
    /// listings, screens) cannot INSERT, UPDATE or DELETE, whoever holds it.
    /// Declared first so it closes first: the writer, closing last, is the
    /// one that can checkpoint and remove the WAL file.
    reader: Connection,
    /// The one connection that writes, inside [`Store::write`] only.
    conn: Connection,
    path: PathBuf,
    /// Which file `path` named when it was opened (device, inode): a write
    /// into a file that was since removed or replaced would be lost, so
    /// writes stop when the path no longer names it.
    identity: Option<(u64, u64)>,
    /// Whether anything changed on the path since it was last walked
    /// (`ledger::watch`): a write walks it again only then.
    watch: super::watch::PathWatch,
    /// The last walk found the file: a quiet watch then stands for a walk.
    /// Once a walk finds it gone, every later write walks again.
    path_trusted: bool,
    /// How often a write walked the path: for the tests that show the
    /// watch spares it.
    path_walks: u64,
    /// The configuration in force and the catalog version it came from.
    /// Reloaded when a newer catalog version appears; household settings
    /// and age bands are fixed at init.
    cached: Option<(i64, Arc<Config>)>,
    /// What the writer read for the guard, kept between its own commits
    /// while no other connection writes (see `ledger::memo`).
    memo: std::cell::RefCell<Memo>,
}

/// A write in progress: everything it does commits together or not at all.
///
/// `'id` brands this one transaction: [`Store::write`] hands each call a
/// fresh brand no other transaction shares (its closure is generic over
/// it), so a value judged in this transaction (the guard's `Cleared<'id>`)
/// can be committed through this transaction only: not through another
/// store's, not through a later one, and it cannot leave the closure.
pub struct WriteTx<'c, 'id> {
    pub(super) tx: Transaction<'c>,
    pub(super) now: DateTime<Utc>,
    pub(super) config: Arc<Config>,
    catalog_version: i64,
    /// Policy rows written and seal keys presented so far: recorded and
    /// sealed before this write commits.
    pending: std::cell::RefCell<Pending>,
    /// The writer's memo; `None` in a read preview (another connection).
    pub(super) memo: Option<&'c std::cell::RefCell<Memo>>,
    _brand: Brand<'id>,
}

impl<'c, 'id> WriteTx<'c, 'id> {
    /// The transaction `tx` just begun, as of `clock`'s now, with the
    /// config of its newest catalog version (cached while that stands).
    /// Private: only [`Store`]'s `for<'id>` closures name a fresh brand.
    fn begun(
        tx: Transaction<'c>,
        clock: &dyn domain::Clock,
        cached: &mut Option<(i64, Arc<Config>)>,
        memo: Option<&'c std::cell::RefCell<Memo>>,
    ) -> Result<WriteTx<'c, 'id>, LedgerError> {
        if let Some(memo) = memo {
            let data_version: i64 = tx
                .prepare_cached("PRAGMA data_version")?
                .query_row([], |r| r.get(0))?;
            memo.borrow_mut().begin(data_version);
        }
        // The newest catalog version is a kept fact too.
        let kept = memo.and_then(|m| m.borrow().catalog);
        let (catalog_version, config) = match (kept, cached.as_ref()) {
            (Some(version), Some((cached_version, config))) if version == *cached_version => {
                debug_assert_eq!(newest_catalog(&tx)?, version, "the memo's catalog version");
                (version, Arc::clone(config))
            }
            _ => cached_config(cached, &tx)?,
        };
        if let Some(memo) = memo {
            memo.borrow_mut().catalog = Some(catalog_version);
        }
        Ok(WriteTx {
            tx,
            now: clock.now(),
            config,
            catalog_version,
            pending: std::cell::RefCell::new(Pending::default()),
            memo,
            _brand: std::marker::PhantomData,
        })
    }
}

/// What a write owes the record before it may commit.
#[derive(Debug, Default)]
struct Pending {
    touched: Touched,
    /// One seal per key, at the end of the write.
    seal_keys: Vec<SealKey>,
    /// The guardian whose pass was presented (names an automatic entry).
    actor: Option<domain::MemberId>,
}

/// An invariant lifetime: `'id` can be neither shortened nor lengthened, so
/// two brands never unify.
type Brand<'id> = std::marker::PhantomData<fn(&'id ()) -> &'id ()>;

impl WriteTx<'_, '_> {
    pub(crate) fn sql(&self) -> &Connection {
        &self.tx
    }

    /// The clock's reading when this write began: one "now" for every rule.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The configuration in force, read inside this transaction.
    pub fn config(&self) -> Arc<Config> {
        Arc::clone(&self.config)
    }

    /// The catalog version whose rates this transaction uses.
    pub(crate) fn catalog_version(&self) -> i64 {
        self.catalog_version
    }

    /// A guardian's pass was shown for this write: it ends with that
    /// guardian's seal (see [`super::seal`]).
    pub fn present(&self, pass: &super::GuardianPass) {
        self.seal_also(pass.seal_key().clone());
        self.pending
            .borrow_mut()
            .actor
            .get_or_insert(pass.guardian().id);
    }

    /// This write ends with a seal under `key`: the key of a pass already
    /// consumed by the service carrying out its action (a grant, a
    /// reversal, an approval).
    pub fn seal_also_with(&self, key: &SealKey) {
        self.seal_also(key.clone());
    }

    /// This write also ends with a seal under `key` (a guardian's new key,
    /// made from the PIN just set).
    pub(crate) fn seal_also(&self, key: SealKey) {
        let mut pending = self.pending.borrow_mut();
        if !pending.seal_keys.iter().any(|k| k.id() == key.id()) {
            pending.seal_keys.push(key);
        }
    }

    /// A recorded row was written (or removed): its image goes into the
    /// next log entry of this write.
    pub(crate) fn touch(&self, table: Table, key: Vec<serde_json::Value>) {
        self.pending.borrow_mut().touched.add(table, key);
    }

    /// The images of the rows touched so far that `which` selects, as a log
    /// entry stores them (`None`: none).
    pub(crate) fn drain_images(
        &self,
        which: impl Fn(Table) -> bool,
    ) -> Result<Option<String>, LedgerError> {
        self.pending.borrow_mut().touched.drain(&self.tx, which)
    }

    /// Before commit: rows touched after the last log entry get an entry of
    /// their own, then each presented key seals the result.
    fn finish(&self) -> Result<(), LedgerError> {
        let (untold, actor) = {
            let pending = self.pending.borrow();
            (!pending.touched.is_empty(), pending.actor)
        };
        if untold {
            super::log_guardian_action(
                self,
                &super::GuardianAction {
                    actor,
                    action: "record".into(),
                    subject: "policy tables".into(),
                    before: String::new(),
                    after: "rows written by coinguard, recorded".into(),
                },
            )?;
        }
        let keys = std::mem::take(&mut self.pending.borrow_mut().seal_keys);
        if keys.is_empty() {
            return Ok(());
        }
        let digest = super::record::State::of_tables(&self.tx, Table::is_policy)?.digest();
        for key in &keys {
            super::seal::append_seal(
                &self.tx,
                super::seal::NewSeal {
                    at_us: self.now.timestamp_micros(),
                    kind: super::seal::SealKind::Action,
                    heads: super::seal::heads(&self.tx)?,
                    policy_digest: digest.clone(),
                    state: None,
                    key: Some(key),
                },
            )?;
        }
        Ok(())
    }
}

impl Store {
    /// Creates a new household database at `path`. Never overwrites a file.
    pub fn create(path: &Path, config: &Config, now: DateTime<Utc>) -> Result<Store, LedgerError> {
        Self::create_at_version(path, config, now, schema::latest_version())
    }

    /// Creates a database at an older schema version; migration tests use it
    /// to stand in for a file written by an older coinguard.
    #[doc(hidden)]
    pub fn create_at_version(
        path: &Path,
        config: &Config,
        now: DateTime<Utc>,
        version: i64,
    ) -> Result<Store, LedgerError> {
        // create_new refuses an existing file atomically; mode 0600 so only the
        // owner can read the PIN hashes and the history.
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(LedgerError::AlreadyExists {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => {
                return Err(LedgerError::Io {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                });
            }
        }
        let result = Self::initialise(path, config, now, version);
        if result.is_err() {
            // We created this empty file a moment ago; do not leave it behind.
            let _ = std::fs::remove_file(path);
        }
        result
    }

    fn initialise(
        path: &Path,
        config: &Config,
        now: DateTime<Utc>,
        version: i64,
    ) -> Result<Store, LedgerError> {
        let mut conn = Connection::open_with_flags(path, WRITER)
            .map_err(|e| LedgerError::from_sqlite(path, e))?;
        configure_writer(&conn)?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        let now_us = now.timestamp_micros();
        let tx = Transaction::new(&mut conn, TransactionBehavior::Immediate)?;
        schema::migrate(&tx, 0, version, now_us)?;
        let s = &config.settings;
        tx.run(
            "INSERT INTO household (id, currency, timezone, request_expiry_hours, clock_tolerance_seconds, unknown_creator, created_at_us)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
            params![s.currency.code(), s.timezone.name(), s.request_expiry_hours, s.clock_tolerance_seconds, s.unknown_creator.as_str(), now_us],
        )?;
        for band in &config.age_bands {
            tx.run(
                "INSERT INTO age_bands (from_age, purchase, gift, redeem) VALUES (?1, ?2, ?3, ?4)",
                params![
                    band.from_age,
                    band.purchase.as_str(),
                    band.gift.as_str(),
                    band.redeem.as_str()
                ],
            )?;
        }
        tx.run(
            "INSERT INTO catalog_versions (created_at_us, economy_toml) VALUES (?1, ?2)",
            params![now_us, config.economy.to_toml()],
        )?;
        if version >= schema::RECORD_VERSION {
            // The household's first rows, recorded: the start of the record
            // `verify` replays.
            let images = super::record::images_text(&super::record::snapshot(&tx)?);
            super::guardian_log::append_entry(
                &tx,
                now_us,
                &super::GuardianAction {
                    actor: None,
                    action: "household_created".into(),
                    subject: "the household".into(),
                    before: "(none)".into(),
                    after: format!(
                        "currency {}, time zone {}",
                        s.currency.code(),
                        s.timezone.name()
                    ),
                },
                Some(&images),
            )?;
        }
        tx.commit()?;
        Store::with_reader(conn, path)
    }

    /// The store around a writer that is configured and migrated: opens the
    /// read-only connection beside it.
    fn with_reader(conn: Connection, path: &Path) -> Result<Store, LedgerError> {
        let reader = Connection::open_with_flags(path, READER)
            .map_err(|e| LedgerError::from_sqlite(path, e))?;
        reader.set_prepared_statement_cache_capacity(256);
        reader.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        reader.busy_timeout(BUSY_TIMEOUT)?;
        // The watch first: a change after it is reported, so none can fall
        // between it and reading which file the path names.
        let watch = super::watch::PathWatch::new(path);
        let identity = file_identity(path);
        Ok(Store {
            cached: None,
            conn,
            reader,
            path: path.to_path_buf(),
            memo: std::cell::RefCell::default(),
            identity,
            watch,
            path_trusted: identity.is_some(),
            path_walks: 0,
        })
    }

    /// Refuses to write when the path no longer names the file this store
    /// opened (its folder removed, the file deleted or swapped for another):
    /// SQLite would go on writing into the open, unlinked file and every
    /// such write would vanish.
    fn still_the_same_file(&mut self) -> Result<(), LedgerError> {
        if self.path_trusted {
            if self.watch.quiet() {
                return Ok(());
            }
            // Something changed on the path: watch it as it is now, then
            // walk it, so that a change after this walk is reported to the
            // new watch (the old one may sit on folders no longer on it).
            if self.watch.is_on() {
                self.watch = super::watch::PathWatch::new(&self.path);
            }
        }
        self.path_walks += 1;
        let same = self.identity.is_some() && file_identity(&self.path) == self.identity;
        self.path_trusted = same;
        if same {
            Ok(())
        } else {
            Err(LedgerError::FileGone {
                path: self.path.clone(),
            })
        }
    }

    /// Opens an existing household database, migrating an older schema.
    /// Refuses a missing file, a file that is not SQLite, a SQLite file that is
    /// not ours, and one made by a newer coinguard.
    pub fn open(path: &Path) -> Result<Store, LedgerError> {
        check_header(path)?;
        // Identify the file read-only first: switching a foreign file to WAL
        // would change it, and bad input must change nothing.
        {
            let probe = Connection::open_with_flags(path, READER)
                .map_err(|e| LedgerError::from_sqlite(path, e))?;
            let app_id: i64 = probe.pragma_query_value(None, "application_id", |r| r.get(0))?;
            if app_id != APPLICATION_ID {
                return Err(LedgerError::Foreign {
                    path: path.to_path_buf(),
                });
            }
            let version: i64 = probe.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if version > schema::latest_version() {
                return Err(LedgerError::Newer {
                    path: path.to_path_buf(),
                    found: version,
                    known: schema::latest_version(),
                });
            }
        }
        let mut conn = Connection::open_with_flags(path, WRITER)
            .map_err(|e| LedgerError::from_sqlite(path, e))?;
        configure_writer(&conn)?;
        let latest = schema::latest_version();
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version < latest {
            let now_us = Utc::now().timestamp_micros();
            let tx = Transaction::new(&mut conn, TransactionBehavior::Immediate)?;
            // Another process may have migrated while we waited for the lock.
            let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
            schema::migrate(&tx, version, latest, now_us)?;
            tx.commit()?;
        }
        Store::with_reader(conn, path)
    }
}

/// A disk error while writing, said as what it is: a file system that has
/// turned read-only (as the kernel does after a disk fault) is named so.
fn io_said_plainly(path: &Path, error: LedgerError) -> LedgerError {
    match error {
        LedgerError::DiskIo => {
            let read_only = nix::sys::statvfs::statvfs(path)
                .map(|s| s.flags().contains(nix::sys::statvfs::FsFlags::ST_RDONLY))
                .unwrap_or(false);
            if read_only {
                LedgerError::ReadOnly
            } else {
                LedgerError::DiskIo
            }
        }
        other => other,
    }
}

/// The device and inode `path` names now, if it names anything.
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// The writer's settings: statements kept prepared, the query-planner
/// stability guarantee, WAL, full fsync, foreign keys.
fn configure_writer(conn: &Connection) -> Result<(), LedgerError> {
    // Every statement the write path uses stays prepared (rusqlite keeps 16 by default).
    conn.set_prepared_statement_cache_capacity(256);
    // Without the query-planner stability guarantee, SQLite 3.54 re-plans
    // a cached `WHERE x = ?1 ... ORDER BY` statement on every run (it
    // checks whether the bound value makes the ORDER BY redundant). Our
    // plans come from the indexes, never from bound values, so this only
    // removes the re-parsing: limits, creator rules, FIFO lots and
    // postings were all recompiled on every guarded commit.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(LedgerError::Io {
            path: conn.path().map(PathBuf::from).unwrap_or_default(),
            message: format!("could not switch to WAL mode (got {mode})"),
        });
    }
    // FULL: a committed purchase survives a power cut, not only a crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

impl Store {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Turns off fsync for this connection: only for seeding demo and
    /// benchmark databases, and for the fuzz household (`fuzz::session`),
    /// where a power cut means "seed again". The rows written are exactly
    /// those of normal operation.
    pub fn relax_durability_for_seeding(&self) -> Result<(), LedgerError> {
        self.conn.pragma_update(None, "synchronous", "OFF")?;
        Ok(())
    }

    /// Read access for queries (reports, listings): a read-only connection,
    /// so nothing that holds it can write. Writes go through [`Store::write`].
    pub fn conn(&self) -> &Connection {
        self.reader()
    }

    fn reader(&self) -> &Connection {
        &self.reader
    }

    /// How often a fact kept by the memo answered the guard (see
    /// `ledger::memo`): for the tests that show it is used.
    #[doc(hidden)]
    pub fn memo_hits(&self) -> u64 {
        self.memo.borrow().hits()
    }

    /// How often a write walked the path to check that it still names
    /// this store's file (see `ledger::watch`): for the tests that show a
    /// quiet path is not walked.
    #[doc(hidden)]
    pub fn path_walks(&self) -> u64 {
        self.path_walks
    }

    /// How often the writer ran `sql` and re-prepared it: for the test that
    /// pins the statement-cache fix (see `configure_writer`).
    #[doc(hidden)]
    pub fn writer_statement_status(&self, sql: &str) -> Result<(i32, i32), LedgerError> {
        let stmt = self.conn.prepare_cached(sql)?;
        Ok((
            stmt.get_status(rusqlite::StatementStatus::Run),
            stmt.get_status(rusqlite::StatementStatus::RePrepare),
        ))
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction and commits if it
    /// returns `Ok`. `now` is read once, after the write lock is held, so two
    /// processes cannot both judge a window with a stale clock.
    pub fn write<T, E>(
        &mut self,
        clock: &dyn domain::Clock,
        f: impl for<'id> FnOnce(&WriteTx<'_, 'id>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<LedgerError>,
    {
        self.in_transaction(clock, true, f)
    }

    /// Runs `f` like [`Store::write`] but in a read transaction on the
    /// read-only connection: a what-if that takes no write lock (a writer
    /// elsewhere neither blocks it nor is blocked by it) and cannot write,
    /// whatever `f` tries (SQLite refuses it). It judges one consistent
    /// snapshot, as of `now`.
    pub fn preview<T, E>(
        &mut self,
        clock: &dyn domain::Clock,
        f: impl for<'id> FnOnce(&WriteTx<'_, 'id>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<LedgerError>,
    {
        self.still_the_same_file()?;
        let path = &self.path;
        let tx = Transaction::new(&mut self.reader, TransactionBehavior::Deferred)
            .map_err(|e| io_said_plainly(path, e.into()))?;
        let read = WriteTx::begun(tx, clock, &mut self.cached, None)?;
        let value = f(&read);
        read.tx
            .rollback()
            .map_err(|e| io_said_plainly(path, e.into()))?;
        value
    }

    /// `BEGIN IMMEDIATE`, then `f`, then commit (only if `commit` and `f`
    /// succeeded) or roll back.
    fn in_transaction<T, E>(
        &mut self,
        clock: &dyn domain::Clock,
        commit: bool,
        f: impl for<'id> FnOnce(&WriteTx<'_, 'id>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<LedgerError>,
    {
        self.still_the_same_file()?;
        let path = &self.path;
        super::crash::watch(&mut self.conn);
        let tx = Transaction::new(&mut self.conn, TransactionBehavior::Immediate)
            .map_err(|e| io_said_plainly(path, e.into()))?;
        let memo = &self.memo;
        let write = match WriteTx::begun(tx, clock, &mut self.cached, Some(memo)) {
            Ok(write) => write,
            Err(e) => {
                memo.borrow_mut().end(false);
                return Err(e.into());
            }
        };
        let value = f(&write);
        if commit && value.is_ok() {
            let done = write.finish().and_then(|()| {
                write
                    .tx
                    .commit()
                    .map_err(|e| io_said_plainly(path, e.into()))
            });
            // A commit that failed may or may not have written: forget.
            memo.borrow_mut().end(done.is_ok());
            done?;
        } else {
            memo.borrow_mut().end(false);
            write
                .tx
                .rollback()
                .map_err(|e| io_said_plainly(path, e.into()))?;
        }
        value
    }

    /// The configuration recorded in the database: settings, age bands and
    /// the newest catalog version.
    pub fn config(&self) -> Result<Config, LedgerError> {
        load_config(&self.reader)
    }
}

/// The config for a write: the cached one unless a newer catalog version
/// was written (by this or another process) since it was loaded.
fn cached_config(
    cache: &mut Option<(i64, Arc<Config>)>,
    conn: &Connection,
) -> Result<(i64, Arc<Config>), LedgerError> {
    let newest = newest_catalog(conn)?;
    if let Some((version, config)) = cache.as_ref()
        && *version == newest
    {
        return Ok((newest, Arc::clone(config)));
    }
    let config = Arc::new(load_config(conn)?);
    *cache = Some((newest, Arc::clone(&config)));
    Ok((newest, config))
}

/// The newest catalog version's id (0: none).
fn newest_catalog(conn: &Connection) -> Result<i64, LedgerError> {
    Ok(conn.one(
        "SELECT COALESCE(MAX(id), 0) FROM catalog_versions",
        [],
        |r| r.get(0),
    )?)
}

pub(crate) fn load_config(conn: &Connection) -> Result<Config, LedgerError> {
    let (currency, timezone, expiry, tolerance, unknown): (String, String, u32, u32, String) = conn.one(
        "SELECT currency, timezone, request_expiry_hours, clock_tolerance_seconds, unknown_creator FROM household WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let corrupt = |what: &str| LedgerError::Corrupt {
        message: format!("the household {what} is not valid"),
    };
    let currency = Currency::parse(&currency).map_err(|_| corrupt("currency"))?;
    let settings = Settings {
        currency,
        timezone: domain::parse_timezone(&timezone).map_err(|_| corrupt("time zone"))?,
        request_expiry_hours: expiry,
        clock_tolerance_seconds: tolerance,
        unknown_creator: parse_verdict(&unknown).ok_or_else(|| corrupt("unknown-creator rule"))?,
    };
    let mut stmt =
        conn.prepare("SELECT from_age, purchase, gift, redeem FROM age_bands ORDER BY from_age")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, u32>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut age_bands = Vec::new();
    for row in rows {
        let (from_age, purchase, gift, redeem) = row?;
        let verdict = |text: &str| parse_verdict(text).ok_or_else(|| corrupt("age band"));
        age_bands.push(AgeBand {
            from_age,
            purchase: verdict(&purchase)?,
            gift: verdict(&gift)?,
            redeem: verdict(&redeem)?,
        });
    }
    let (_, economy) = current_catalog(conn, currency)?;
    Ok(Config {
        settings,
        economy,
        age_bands,
    })
}

/// The catalog version in force and its economy.
pub(crate) fn current_catalog(
    conn: &Connection,
    currency: Currency,
) -> Result<(i64, Economy), LedgerError> {
    let row: Option<(i64, String)> = conn
        .one(
            "SELECT id, economy_toml FROM catalog_versions ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, text) = row.ok_or_else(|| LedgerError::Corrupt {
        message: "the database has no catalog".into(),
    })?;
    let economy = Economy::from_toml(
        &text,
        &format!("catalog version {id} in the database"),
        currency,
    )
    .map_err(|e| LedgerError::Corrupt {
        message: e.to_string(),
    })?;
    Ok((id, economy))
}

fn parse_verdict(text: &str) -> Option<Verdict> {
    Verdict::parse(text)
}

/// Checks the first bytes before SQLite sees the file, so a missing, empty or
/// non-SQLite file gets a plain message instead of "file is not a database".
fn check_header(path: &Path) -> Result<(), LedgerError> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LedgerError::Missing {
                path: path.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(LedgerError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            });
        }
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(LedgerError::Io {
            path: path.to_path_buf(),
            message: "it is a folder, not a file".into(),
        });
    }
    let mut header = [0u8; 16];
    let read = file.read(&mut header).map_err(|e| LedgerError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if read == 0 {
        return Err(LedgerError::Foreign {
            path: path.to_path_buf(),
        });
    }
    if read < 16 || &header != b"SQLite format 3\0" {
        return Err(LedgerError::NotSqlite {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// The household's currency, as stored.
pub fn household_currency(conn: &Connection) -> Result<Currency, LedgerError> {
    let code: String = conn.one("SELECT currency FROM household WHERE id = 1", [], |r| {
        r.get(0)
    })?;
    Currency::parse(&code).map_err(|_| LedgerError::Corrupt {
        message: format!("the household currency {code:?} is not one coinguard knows"),
    })
}

/// Logs an action in the caller's write, with the images of every
/// recorded row the write changed so far.
pub fn log_guardian_action(
    write: &WriteTx<'_, '_>,
    action: &super::GuardianAction,
) -> Result<i64, LedgerError> {
    let changes = write.drain_images(|_| true)?;
    super::guardian_log::append_entry(
        write.sql(),
        write.now().timestamp_micros(),
        action,
        changes.as_deref(),
    )
}
