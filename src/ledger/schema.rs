//! Numbered schema migrations, recorded in the database (`schema_migrations` and
//! `PRAGMA user_version`). A migration runs inside the opening write transaction,
//! so a database is never left half-migrated.

use rusqlite::Transaction;

/// Marks a SQLite file as ours (`PRAGMA application_id`): "CGRD".
pub const APPLICATION_ID: i64 = 0x4347_5244;

/// What a migration computes for history written before it (frozen: see
/// `backfill`). Runs right after the migration's SQL.
type Backfill = fn(&rusqlite::Connection) -> Result<(), super::LedgerError>;

/// Each migration's name, SQL and backfill, in order; the index + 1 is its number.
pub const MIGRATIONS: &[(&str, &str, Option<Backfill>)] = &[
    ("ledger core", MIGRATION_1, None),
    ("maintained account balances", MIGRATION_2, None),
    (
        "guard policy, spend aggregates and the decision log",
        MIGRATION_3,
        Some(super::backfill::v3_spend),
    ),
    (
        "requests, holds, PIN lockout, guardian-action log and alerts",
        MIGRATION_4,
        None,
    ),
    (
        "creators in the spend totals; indexes for month reports",
        MIGRATION_5,
        None,
    ),
    (
        "maintained wallet cost; refusals without scanning the decision log",
        MIGRATION_6,
        None,
    ),
    (
        "money counted once in the all scope; returned coins keep their origin; refused requests",
        MIGRATION_7,
        Some(super::backfill::v7_paid_and_spend),
    ),
    (
        "OS accounts linked to members; PIN lockout per asking account; household settings",
        MIGRATION_8,
        None,
    ),
    (
        "idempotency keys of refused commands; grants valued exactly",
        MIGRATION_9,
        Some(super::backfill::v9_exact_grant_value),
    ),
    (
        "policy as a record; guardian-sealed checkpoints; requests bound to their decisions",
        MIGRATION_10,
        Some(super::backfill::v10_record_baseline),
    ),
    // Version 11 (issue 17): self-contained, no backfill.
    (
        "notifications (outbox, commands, deliveries) and allowances",
        MIGRATION_NOTIFY_AND_ALLOWANCES,
        None,
    ),
];

/// The version from which policy rows are recorded in the logs, seals
/// exist and requests are bound to their decisions.
pub const RECORD_VERSION: i64 = 10;

pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Applies migrations after `from` up to `to`, recording each.
pub fn migrate(
    tx: &Transaction<'_>,
    from: i64,
    to: i64,
    now_us: i64,
) -> Result<(), super::LedgerError> {
    use std::ops::Deref;
    let tx: &rusqlite::Connection = tx.deref();
    for (index, (name, sql, backfill)) in MIGRATIONS.iter().enumerate() {
        let number = index as i64 + 1;
        if number <= from || number > to {
            continue;
        }
        tx.execute_batch(sql)?;
        if let Some(backfill) = backfill {
            backfill(tx)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (?1, ?2, ?3)",
            rusqlite::params![number, name, now_us],
        )?;
        tx.pragma_update(None, "user_version", number)?;
    }
    Ok(())
}

/// Version 1: household, members, the versioned catalog, and the append-only
/// double-entry ledger with FIFO coin lots.
const MIGRATION_1: &str = r#"
CREATE TABLE schema_migrations (
    version       INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    applied_at_us INTEGER NOT NULL
);

CREATE TABLE household (
    id                      INTEGER PRIMARY KEY CHECK (id = 1),
    currency                TEXT NOT NULL,
    timezone                TEXT NOT NULL,
    request_expiry_hours    INTEGER NOT NULL,
    clock_tolerance_seconds INTEGER NOT NULL,
    unknown_creator         TEXT NOT NULL,
    created_at_us           INTEGER NOT NULL
);

CREATE TABLE age_bands (
    from_age INTEGER PRIMARY KEY,
    purchase TEXT NOT NULL,
    gift     TEXT NOT NULL,
    redeem   TEXT NOT NULL
);

-- Economy versions: each transaction names the version whose rates it used,
-- so old history never changes when the config does.
CREATE TABLE catalog_versions (
    id            INTEGER PRIMARY KEY,
    created_at_us INTEGER NOT NULL,
    economy_toml  TEXT NOT NULL
);

CREATE TABLE members (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT NOT NULL CHECK (role IN ('guardian', 'teen', 'creator')),
    birthdate     TEXT,
    pin_hash      TEXT,
    created_at_us INTEGER NOT NULL
);

-- unit: the household currency code, 'COIN' or 'DIAMOND'.
CREATE TABLE accounts (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    unit TEXT NOT NULL
);

CREATE TABLE transactions (
    id              INTEGER PRIMARY KEY,
    idem_key        TEXT UNIQUE,
    fingerprint     TEXT NOT NULL,
    at_us           INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('purchase', 'gift', 'redeem', 'grant', 'reversal')),
    actor_id        INTEGER NOT NULL REFERENCES members(id),
    member_id       INTEGER NOT NULL REFERENCES members(id),
    counterparty_id INTEGER REFERENCES members(id),
    memo            TEXT NOT NULL,
    detail          TEXT NOT NULL,
    catalog_version INTEGER NOT NULL REFERENCES catalog_versions(id),
    reverses_tx     INTEGER UNIQUE REFERENCES transactions(id),
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX transactions_member_at ON transactions (member_id, at_us);
CREATE INDEX transactions_at ON transactions (at_us);

-- amount: in the account's unit; money in micro-units (10^-6).
CREATE TABLE postings (
    id         INTEGER PRIMARY KEY,
    tx_id      INTEGER NOT NULL REFERENCES transactions(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    amount     INTEGER NOT NULL
);
CREATE INDEX postings_tx ON postings (tx_id);

-- A lot: coins that entered a wallet together, with what they cost.
CREATE TABLE lots (
    id          INTEGER PRIMARY KEY,
    tx_id       INTEGER NOT NULL REFERENCES transactions(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    coins       INTEGER NOT NULL CHECK (coins > 0),
    cost_micros INTEGER NOT NULL CHECK (cost_micros >= 0)
);
CREATE INDEX lots_tx ON lots (tx_id);

-- Coins taken out of a lot (spent on a gift, or refunded by a reversal).
CREATE TABLE lot_moves (
    id          INTEGER PRIMARY KEY,
    tx_id       INTEGER NOT NULL REFERENCES transactions(id),
    lot_id      INTEGER NOT NULL REFERENCES lots(id),
    coins       INTEGER NOT NULL CHECK (coins > 0),
    cost_micros INTEGER NOT NULL CHECK (cost_micros >= 0)
);
CREATE INDEX lot_moves_tx ON lot_moves (tx_id);
CREATE INDEX lot_moves_lot ON lot_moves (lot_id);

-- Derived, maintained in the same transaction, checked by verify: the lots
-- that still hold coins, so FIFO never scans spent history.
CREATE TABLE open_lots (
    lot_id    INTEGER PRIMARY KEY REFERENCES lots(id),
    member_id INTEGER NOT NULL,
    remaining INTEGER NOT NULL CHECK (remaining > 0),
    taken     INTEGER NOT NULL CHECK (taken >= 0)
);
CREATE INDEX open_lots_member ON open_lots (member_id, lot_id);

-- Append-only: the ledger refuses to be edited through SQL.
CREATE TRIGGER transactions_no_update BEFORE UPDATE ON transactions
BEGIN SELECT RAISE(ABORT, 'coinguard ledger is append-only'); END;
CREATE TRIGGER transactions_no_delete BEFORE DELETE ON transactions
BEGIN SELECT RAISE(ABORT, 'coinguard ledger is append-only'); END;
CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
BEGIN SELECT RAISE(ABORT, 'coinguard ledger is append-only'); END;
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
BEGIN SELECT RAISE(ABORT, 'coinguard ledger is append-only'); END;
CREATE TRIGGER lots_no_update BEFORE UPDATE ON lots
BEGIN SELECT RAISE(ABORT, 'coinguard ledger is append-only'); END;
CREATE TRIGGER lots_no_delete BEFORE DELETE ON lots
BEGIN SELECT RAISE(ABORT, 'coinguard ledger is append-only'); END;
CREATE TRIGGER lot_moves_no_update BEFORE UPDATE ON lot_moves
BEGIN SELECT RAISE(ABORT, 'coinguard ledger is append-only'); END;
CREATE TRIGGER lot_moves_no_delete BEFORE DELETE ON lot_moves
BEGIN SELECT RAISE(ABORT, 'coinguard ledger is append-only'); END;
CREATE TRIGGER catalog_no_update BEFORE UPDATE ON catalog_versions
BEGIN SELECT RAISE(ABORT, 'coinguard catalog history is append-only'); END;
CREATE TRIGGER catalog_no_delete BEFORE DELETE ON catalog_versions
BEGIN SELECT RAISE(ABORT, 'coinguard catalog history is append-only'); END;
"#;

/// Version 2: per-account balances maintained in the same transaction as the
/// postings, so a balance is one row read at any history size. Backfilled from
/// the postings of a version-1 database.
const MIGRATION_2: &str = r#"
CREATE TABLE balances (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
    balance    INTEGER NOT NULL
);
INSERT INTO balances (account_id, balance)
    SELECT account_id, SUM(amount) FROM postings GROUP BY account_id;
"#;

/// Version 3: what the guard needs. Policy tables (limits, quiet hours,
/// creator lists) are edited by guardians; spend events and buckets are
/// maintained in the same transaction as each ledger write so a window check
/// reads a handful of rows at any history size; the decision log is
/// append-only and hash-chained like the ledger.
const MIGRATION_3: &str = r#"
-- soft/hard: money micro-units for scopes 'purchase' and 'all', coins for 'gift'.
CREATE TABLE limits (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    scope     TEXT NOT NULL CHECK (scope IN ('purchase', 'gift', 'all')),
    period    TEXT NOT NULL CHECK (period IN ('transaction', 'day', 'week', 'month', '24h', '7d', '30d')),
    soft      INTEGER CHECK (soft > 0),
    hard      INTEGER CHECK (hard > 0),
    CHECK (soft IS NOT NULL OR hard IS NOT NULL),
    UNIQUE (member_id, scope, period)
);

-- Minutes after local midnight; start > end crosses midnight.
CREATE TABLE quiet_hours (
    member_id    INTEGER PRIMARY KEY REFERENCES members(id),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1439),
    verdict      TEXT NOT NULL CHECK (verdict IN ('deny', 'needs_approval'))
);

CREATE TABLE creator_rules (
    member_id  INTEGER NOT NULL REFERENCES members(id),
    creator_id INTEGER NOT NULL REFERENCES members(id),
    list       TEXT NOT NULL CHECK (list IN ('allow', 'block')),
    PRIMARY KEY (member_id, creator_id)
);

-- Derived, one row per spending transaction: what it added to each scope.
-- A reversal's row carries the original's time, so undoing a purchase frees
-- the window the purchase was counted in.
CREATE TABLE spend_events (
    tx_id           INTEGER PRIMARY KEY REFERENCES transactions(id),
    member_id       INTEGER NOT NULL,
    at_us           INTEGER NOT NULL,
    purchase_micros INTEGER NOT NULL,
    gift_coins      INTEGER NOT NULL,
    all_micros      INTEGER NOT NULL
);
CREATE INDEX spend_events_member_at ON spend_events (member_id, at_us);

-- Derived: spend events summed per member and bucket. kind 'hour' (start =
-- UTC hours since 1970), 'utc_day' (UTC days since 1970), 'local_day'
-- (household-local calendar days since 1970-01-01).
CREATE TABLE spend_buckets (
    member_id       INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    start           INTEGER NOT NULL,
    purchase_micros INTEGER NOT NULL,
    gift_coins      INTEGER NOT NULL,
    all_micros      INTEGER NOT NULL,
    PRIMARY KEY (member_id, kind, start)
) WITHOUT ROWID;

-- Every guard decision, including denials, hash-chained.
CREATE TABLE decisions (
    id        INTEGER PRIMARY KEY,
    at_us     INTEGER NOT NULL,
    actor_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    action    TEXT NOT NULL,
    outcome   TEXT NOT NULL CHECK (outcome IN ('allow', 'needs_approval', 'deny')),
    summary   TEXT NOT NULL,
    reasons   TEXT NOT NULL,
    tx_id     INTEGER REFERENCES transactions(id),
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX decisions_member_at ON decisions (member_id, at_us);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'coinguard decision log is append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'coinguard decision log is append-only'); END;
"#;

/// Version 4: ask-to-buy requests (a pending gift request holds its coins),
/// PIN attempt counters that survive restarts, the hash-chained
/// guardian-action log, and alerts.
const MIGRATION_4: &str = r#"
-- A request resolves once: pending -> approved | denied | expired | cancelled.
-- What was asked is stored as its parameters, so approving re-runs the very
-- same guarded path at approval time.
CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    created_at_us   INTEGER NOT NULL,
    expires_at_us   INTEGER NOT NULL,
    member_id       INTEGER NOT NULL REFERENCES members(id),
    action          TEXT NOT NULL CHECK (action IN ('purchase', 'gift', 'redeem')),
    params          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    note            TEXT NOT NULL,
    hold_coins      INTEGER NOT NULL CHECK (hold_coins >= 0),
    idem_key        TEXT UNIQUE,
    fingerprint     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'cancelled')),
    resolved_at_us  INTEGER,
    resolved_by     INTEGER REFERENCES members(id),
    resolution      TEXT,
    tx_id           INTEGER REFERENCES transactions(id)
);
CREATE INDEX requests_status ON requests (status, expires_at_us);
CREATE INDEX requests_member ON requests (member_id, status);
CREATE TRIGGER requests_resolve_once BEFORE UPDATE ON requests
WHEN OLD.status != 'pending'
BEGIN SELECT RAISE(ABORT, 'coinguard: a request resolves once'); END;
CREATE TRIGGER requests_no_delete BEFORE DELETE ON requests
BEGIN SELECT RAISE(ABORT, 'coinguard requests are kept'); END;

-- Consecutive failed PIN entries, and until when the account is locked.
CREATE TABLE pin_attempts (
    member_id       INTEGER PRIMARY KEY REFERENCES members(id),
    failures        INTEGER NOT NULL,
    locked_until_us INTEGER NOT NULL
);

-- Every guardian action and every PIN attempt, with before and after.
CREATE TABLE guardian_actions (
    id        INTEGER PRIMARY KEY,
    at_us     INTEGER NOT NULL,
    actor_id  INTEGER,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    before    TEXT NOT NULL,
    after     TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TRIGGER guardian_actions_no_update BEFORE UPDATE ON guardian_actions
BEGIN SELECT RAISE(ABORT, 'coinguard guardian-action log is append-only'); END;
CREATE TRIGGER guardian_actions_no_delete BEFORE DELETE ON guardian_actions
BEGIN SELECT RAISE(ABORT, 'coinguard guardian-action log is append-only'); END;

-- Shown on the guardian dashboard until a guardian acknowledges them.
CREATE TABLE alerts (
    id                 INTEGER PRIMARY KEY,
    at_us              INTEGER NOT NULL,
    member_id          INTEGER NOT NULL REFERENCES members(id),
    kind               TEXT NOT NULL,
    message            TEXT NOT NULL,
    acknowledged_at_us INTEGER,
    acknowledged_by    INTEGER REFERENCES members(id)
);
CREATE INDEX alerts_open ON alerts (acknowledged_at_us, id);
"#;

/// Version 5: spend events name the creator of a gift (a reversal names the
/// original's), so "top creators" is a covering-index range over the events
/// and reversed gifts net out; refusals get an index by member and outcome.
const MIGRATION_5: &str = r#"
ALTER TABLE spend_events ADD COLUMN creator_id INTEGER REFERENCES members(id);
UPDATE spend_events SET creator_id = (SELECT t.counterparty_id FROM transactions t WHERE t.id = spend_events.tx_id)
    WHERE gift_coins != 0;
DROP INDEX spend_events_member_at;
CREATE INDEX spend_events_member_at ON spend_events (member_id, at_us, creator_id, gift_coins, all_micros);
CREATE INDEX decisions_member_outcome_at ON decisions (member_id, outcome, at_us);
"#;

/// Version 6: what the coins in each wallet cost, maintained with the lots
/// (a lot adds its cost, a take removes its share), so showing a wallet's
/// money value reads one row however many lots are open; and the newest
/// refusals across the household come from an index, not a scan.
const MIGRATION_6: &str = r#"
CREATE TABLE wallet_costs (
    member_id   INTEGER PRIMARY KEY REFERENCES members(id),
    cost_micros INTEGER NOT NULL
);
INSERT INTO wallet_costs (member_id, cost_micros)
    SELECT l.member_id,
           SUM(l.cost_micros) - COALESCE((SELECT SUM(m.cost_micros) FROM lot_moves m JOIN lots x ON x.id = m.lot_id WHERE x.member_id = l.member_id), 0)
    FROM lots l GROUP BY l.member_id;
CREATE INDEX decisions_outcome ON decisions (outcome, id);
"#;

/// Version 7: `all` counts no money twice. Each coin lot records the part of
/// its cost already counted as money spent (bought coins: all of it; granted
/// coins: none, until gifted) and the purchase or grant lot its coins first
/// came from (coins a reversed gift returns keep that origin, so reversing the
/// purchase then refunds them); each move records its share of the paid part.
/// Both derived, written with the lots, checked by verify. Spend totals gain
/// what gifted coins cost, so a gift limit's coins show their real value.
/// Requests may end `refused`: a guardian approved, the guard refused.
const MIGRATION_7: &str = r#"
CREATE TABLE lot_paid (
    lot_id        INTEGER PRIMARY KEY REFERENCES lots(id),
    origin_lot_id INTEGER NOT NULL REFERENCES lots(id),
    paid_micros   INTEGER NOT NULL CHECK (paid_micros >= 0)
);
CREATE INDEX lot_paid_origin ON lot_paid (origin_lot_id, lot_id);
CREATE TABLE move_paid (
    move_id     INTEGER PRIMARY KEY REFERENCES lot_moves(id),
    paid_micros INTEGER NOT NULL CHECK (paid_micros >= 0)
);
ALTER TABLE spend_events ADD COLUMN gift_cost_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spend_buckets ADD COLUMN gift_cost_micros INTEGER NOT NULL DEFAULT 0;

CREATE TABLE requests_v7 (
    id              INTEGER PRIMARY KEY,
    created_at_us   INTEGER NOT NULL,
    expires_at_us   INTEGER NOT NULL,
    member_id       INTEGER NOT NULL REFERENCES members(id),
    action          TEXT NOT NULL CHECK (action IN ('purchase', 'gift', 'redeem')),
    params          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    reasons         TEXT NOT NULL,
    note            TEXT NOT NULL,
    hold_coins      INTEGER NOT NULL CHECK (hold_coins >= 0),
    idem_key        TEXT UNIQUE,
    fingerprint     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'cancelled', 'refused')),
    resolved_at_us  INTEGER,
    resolved_by     INTEGER REFERENCES members(id),
    resolution      TEXT,
    tx_id           INTEGER REFERENCES transactions(id)
);
INSERT INTO requests_v7 SELECT id, created_at_us, expires_at_us, member_id, action, params, summary, reasons, note,
    hold_coins, idem_key, fingerprint, status, resolved_at_us, resolved_by, resolution, tx_id FROM requests;
DROP TABLE requests;
ALTER TABLE requests_v7 RENAME TO requests;
CREATE INDEX requests_status ON requests (status, expires_at_us);
CREATE INDEX requests_member ON requests (member_id, status);
CREATE TRIGGER requests_resolve_once BEFORE UPDATE ON requests
WHEN OLD.status != 'pending'
BEGIN SELECT RAISE(ABORT, 'coinguard: a request resolves once'); END;
CREATE TRIGGER requests_no_delete BEFORE DELETE ON requests
BEGIN SELECT RAISE(ABORT, 'coinguard requests are kept'); END;
"#;

/// Version 8: the household service. An OS account acts as the members it
/// is linked to (one account may be linked to several members, a member to
/// several accounts). Failed PINs are counted per member *and* asking
/// account, so a teen guessing a guardian's PIN locks only their own
/// account out of it (attempts made before this version were made at the
/// file's own computer: account ''). Household settings a guardian changes
/// with their PIN (approve in person).
const MIGRATION_8: &str = r#"
CREATE TABLE member_links (
    os_user      TEXT NOT NULL CHECK (length(os_user) BETWEEN 1 AND 64),
    member_id    INTEGER NOT NULL REFERENCES members(id),
    linked_at_us INTEGER NOT NULL,
    PRIMARY KEY (os_user, member_id)
);
CREATE INDEX member_links_member ON member_links (member_id, os_user);

CREATE TABLE pin_attempts_v8 (
    member_id       INTEGER NOT NULL REFERENCES members(id),
    account         TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    locked_until_us INTEGER NOT NULL,
    PRIMARY KEY (member_id, account)
);
INSERT INTO pin_attempts_v8 (member_id, account, failures, locked_until_us)
    SELECT member_id, '', failures, locked_until_us FROM pin_attempts;
DROP TABLE pin_attempts;
ALTER TABLE pin_attempts_v8 RENAME TO pin_attempts;

CREATE TABLE household_settings (
    key   TEXT PRIMARY KEY CHECK (key IN ('approve_in_person')),
    value TEXT NOT NULL
);
"#;

/// Version 9: a refused command's idempotency key is recorded on its
/// decision (hash-chained with it from this version on; earlier entries
/// have none and hash as before), so a retry with the key returns the first
/// refusal and writes nothing, and the key for anything else is a conflict.
/// A key is unique among refusals as it is among transactions and requests.
/// The backfill gives the catalog in force the exact default grant value
/// (see `backfill::v9_exact_grant_value`).
const MIGRATION_9: &str = r#"
ALTER TABLE decisions ADD COLUMN idem_key TEXT;
ALTER TABLE decisions ADD COLUMN fingerprint TEXT;
CREATE UNIQUE INDEX decisions_idem_key ON decisions (idem_key) WHERE idem_key IS NOT NULL;
"#;

/// Version 10: tamper evidence that holds.
///
/// - **Policy as a record.** Guardian actions (and the decisions whose
///   writes raised alerts) carry the images of the policy rows and alerts
///   their write changed, inside their hash (`changes`); the backfill
///   records the tables as they stand as the record's starting point.
/// - **Requests bound to what the guardian saw.** The decision that
///   creates a request records its id, its canonical parameters and a hash
///   of its row (`request_*`), inside its hash; `record_since` says from
///   which request on this holds.
/// - **Guardian-sealed checkpoints.** `seal_keys`: how each guardian's seal
///   key is derived from their PIN (salt and argon2id parameters; never the
///   key) and a check value; `seals`: each chain's length and head, a
///   digest of the policy tables, hash-chained and MACed with the key
///   (`verified` rows are `verify`'s marks, sealed when a PIN was given).
/// - The new tables are append-only.
const MIGRATION_10: &str = r#"
ALTER TABLE guardian_actions ADD COLUMN changes TEXT;
ALTER TABLE decisions ADD COLUMN changes TEXT;
ALTER TABLE decisions ADD COLUMN request_id INTEGER;
ALTER TABLE decisions ADD COLUMN request_params TEXT;
ALTER TABLE decisions ADD COLUMN request_hash TEXT;
CREATE UNIQUE INDEX decisions_request ON decisions (request_id) WHERE request_id IS NOT NULL;

CREATE TABLE record_since (
    what     TEXT PRIMARY KEY CHECK (what IN ('requests')),
    first_id INTEGER NOT NULL
);
INSERT INTO record_since (what, first_id) SELECT 'requests', COALESCE(MAX(id), 0) + 1 FROM requests;

CREATE TABLE seal_keys (
    id            INTEGER PRIMARY KEY,
    guardian_id   INTEGER NOT NULL REFERENCES members(id),
    salt          TEXT NOT NULL,
    memory_kib    INTEGER NOT NULL,
    passes        INTEGER NOT NULL,
    lanes         INTEGER NOT NULL,
    check_mac     TEXT NOT NULL,
    created_at_us INTEGER NOT NULL
);
CREATE INDEX seal_keys_guardian ON seal_keys (guardian_id, id);

CREATE TABLE seals (
    id            INTEGER PRIMARY KEY,
    at_us         INTEGER NOT NULL,
    guardian_id   INTEGER REFERENCES members(id),
    key_id        INTEGER REFERENCES seal_keys(id),
    kind          TEXT NOT NULL CHECK (kind IN ('action', 'verified')),
    tx_len        INTEGER NOT NULL,
    tx_head       TEXT NOT NULL,
    dec_len       INTEGER NOT NULL,
    dec_head      TEXT NOT NULL,
    ga_len        INTEGER NOT NULL,
    ga_head       TEXT NOT NULL,
    policy_digest TEXT NOT NULL,
    state         TEXT,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL,
    mac           TEXT
);
CREATE INDEX seals_kind ON seals (kind, id);

CREATE TRIGGER record_since_no_update BEFORE UPDATE ON record_since
BEGIN SELECT RAISE(ABORT, 'coinguard record is append-only'); END;
CREATE TRIGGER record_since_no_delete BEFORE DELETE ON record_since
BEGIN SELECT RAISE(ABORT, 'coinguard record is append-only'); END;
CREATE TRIGGER seal_keys_no_update BEFORE UPDATE ON seal_keys
BEGIN SELECT RAISE(ABORT, 'coinguard seal keys are append-only'); END;
CREATE TRIGGER seal_keys_no_delete BEFORE DELETE ON seal_keys
BEGIN SELECT RAISE(ABORT, 'coinguard seal keys are append-only'); END;
CREATE TRIGGER seals_no_update BEFORE UPDATE ON seals
BEGIN SELECT RAISE(ABORT, 'coinguard seals are append-only'); END;
CREATE TRIGGER seals_no_delete BEFORE DELETE ON seals
BEGIN SELECT RAISE(ABORT, 'coinguard seals are append-only'); END;
"#;

/// Version 11: notifications and allowances (issue 17). The **outbox** holds every event
/// someone should hear about, written in the same transaction as what caused
/// it, with a stable event id (a receiver drops duplicates by it). Each
/// **notify command** a guardian added gets one **delivery** row per event it
/// wants, written with the event; a delivery is marked done only after its
/// command exited 0, so a deliverer killed mid-way loses nothing (at least
/// once). A delivery is claimed (`next_at_us` moved past the command's
/// timeout) before its command runs, so two deliverers rarely both run it.
/// An **allowance** pays a member coins (a grant) once per period; each
/// payment's idempotency key names the allowance and the period, and the
/// ledger's unique key makes a second payment of a period impossible, from
/// any number of processes. The schedule never changes once set (triggers),
/// so the record of it cannot be rewritten by paying.
const MIGRATION_NOTIFY_AND_ALLOWANCES: &str = r#"
CREATE TABLE outbox (
    id        INTEGER PRIMARY KEY,
    event_id  TEXT NOT NULL UNIQUE,
    at_us     INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id),
    summary   TEXT NOT NULL,
    payload   TEXT NOT NULL
);
CREATE TRIGGER outbox_no_update BEFORE UPDATE ON outbox
BEGIN SELECT RAISE(ABORT, 'coinguard outbox events are kept as written'); END;

-- events: kinds separated by commas ('' = every kind); member_id NULL = everyone.
CREATE TABLE notify_commands (
    id            INTEGER PRIMARY KEY,
    command       TEXT NOT NULL CHECK (length(command) BETWEEN 1 AND 1000),
    events        TEXT NOT NULL,
    member_id     INTEGER REFERENCES members(id),
    created_at_us INTEGER NOT NULL,
    removed_at_us INTEGER,
    -- Consecutive failed attempts, and the last failure in words.
    failures      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    failing_since_us INTEGER
);

CREATE TABLE notify_deliveries (
    outbox_id       INTEGER NOT NULL REFERENCES outbox(id),
    command_id      INTEGER NOT NULL REFERENCES notify_commands(id),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at_us      INTEGER NOT NULL,
    delivered_at_us INTEGER,
    last_error      TEXT,
    PRIMARY KEY (outbox_id, command_id)
) WITHOUT ROWID;
CREATE INDEX notify_deliveries_due ON notify_deliveries (delivered_at_us, next_at_us);

-- coins or money_micros (one of them); on_day: ISO weekday 1-7 for 'week',
-- day of the month 1-28 for 'month', 0 for 'day'; first_due: the
-- household-local date (YYYY-MM-DD) of the first payment; set_by: the
-- guardian whose PIN set it. Only stopped_at_us ever changes: the next
-- payment is worked out from the payments in the ledger (each keyed by its
-- allowance and due date), so nothing here moves as payments are made.
CREATE TABLE allowances (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER NOT NULL REFERENCES members(id),
    coins         INTEGER CHECK (coins > 0),
    money_micros  INTEGER CHECK (money_micros > 0),
    every         TEXT NOT NULL CHECK (every IN ('day', 'week', 'month')),
    on_day        INTEGER NOT NULL CHECK (on_day BETWEEN 0 AND 28),
    first_due     TEXT NOT NULL,
    set_by        INTEGER NOT NULL REFERENCES members(id),
    created_at_us INTEGER NOT NULL,
    stopped_at_us INTEGER,
    CHECK ((coins IS NULL) != (money_micros IS NULL))
);
CREATE UNIQUE INDEX allowances_running ON allowances (member_id) WHERE stopped_at_us IS NULL;
CREATE TRIGGER allowances_schedule_fixed
BEFORE UPDATE OF id, member_id, coins, money_micros, every, on_day, first_due, set_by, created_at_us ON allowances
BEGIN SELECT RAISE(ABORT, 'coinguard: an allowance is stopped and set anew, never edited'); END;
CREATE TRIGGER allowances_stop_once BEFORE UPDATE OF stopped_at_us ON allowances
WHEN OLD.stopped_at_us IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'coinguard: an allowance stops once'); END;
CREATE TRIGGER allowances_no_delete BEFORE DELETE ON allowances
BEGIN SELECT RAISE(ABORT, 'coinguard allowances are kept'); END;
"#;
