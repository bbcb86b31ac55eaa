//! What the fuzz targets (`fuzz/`, `cargo fuzz`) run, kept in the library
//! so that a normal test (`tests/it/fuzz_corpus.rs`) replays every corpus
//! file through exactly the same code: what fuzzing once found stays found.
//!
//! Each function takes arbitrary bytes, must never panic, and checks a
//! property of what it parsed (a value read back from its own text is the
//! same value). A property that fails panics: that is a finding.
#![allow(clippy::panic)]

use std::path::Path;

use crate::api::{Call, Caller, Session};
use crate::domain::{self, BirthDate, FixedClock, IdempotencyKey, Memo, Name};
use crate::money::{self, Coins, Currency, Diamonds, Money};

/// A folder of its own under the system's temporary folder, removed when
/// dropped (the library does not depend on `tempfile`).
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> Option<Scratch> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("coinguard-fuzz-{}-{n}", std::process::id()));
        std::fs::create_dir(&dir).ok()?;
        Some(Scratch(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Money and amounts as people type them, in currencies of 0, 2 and 3
/// decimals.
pub fn money(data: &[u8]) {
    let text = text(data);
    for code in ["USD", "JPY", "KWD"] {
        let Ok(currency) = Currency::parse(code) else {
            panic!("{code} is a known currency");
        };
        if let Ok(m) = Money::parse(&text, currency) {
            assert!(m.micros() > 0, "{text:?} parsed to {m:?}");
            let again = Money::parse(&m.amount().normalize().to_string(), currency);
            assert_eq!(again, Ok(m), "{text:?}");
            let _ = m.to_string();
        }
    }
    if let Ok(c) = Coins::parse(&text) {
        assert_eq!(Coins::parse(&c.get().to_string()), Ok(c), "{text:?}");
    }
    if let Ok(d) = Diamonds::parse(&text) {
        assert_eq!(Diamonds::parse(&d.get().to_string()), Ok(d), "{text:?}");
    }
    if let Ok(n) = money::parse_count(&text, "gifts", 10_000) {
        assert!((1..=10_000).contains(&n), "{text:?} gave {n}");
    }
    let _ = money::parse_plain_decimal(&text);
}

/// Dates, times of day and time zones.
pub fn time(data: &[u8]) {
    let text = text(data);
    if let Ok(day) = domain::parse_date(&text) {
        let shown = day.format("%Y-%m-%d").to_string();
        assert_eq!(domain::parse_date(&shown), Ok(day), "{text:?}");
    }
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
    if let Ok(born) = BirthDate::parse(&text, today) {
        assert!(born.date() <= today, "{text:?}: born in the future");
        let _ = born.age_on(today);
    }
    if let Ok(minute) = domain::parse_time_of_day(&text) {
        assert!(minute < 24 * 60, "{text:?} gave minute {minute}");
        assert_eq!(
            domain::parse_time_of_day(&domain::format_time_of_day(minute)),
            Ok(minute)
        );
    }
    if let Ok(zone) = domain::parse_timezone(&text) {
        assert_eq!(domain::parse_timezone(zone.name()), Ok(zone), "{text:?}");
    }
}

/// Names, memos and idempotency keys.
pub fn names(data: &[u8]) {
    let text = text(data);
    if let Ok(name) = Name::parse(&text) {
        let shown = name.as_str();
        assert!(!shown.is_empty() && shown.chars().count() <= 64, "{text:?}");
        assert!(!shown.chars().any(char::is_control), "{text:?}");
        assert_eq!(Name::parse(shown).as_ref(), Ok(&name), "{text:?}");
        let _ = name.skeleton();
    }
    if let Ok(memo) = Memo::parse(&text) {
        assert!(!memo.as_str().chars().any(char::is_control), "{text:?}");
    }
    if let Ok(key) = IdempotencyKey::parse(&text) {
        assert_eq!(IdempotencyKey::parse(key.as_str()).as_ref(), Ok(&key));
    }
}

/// The three configuration files: the first byte says which file the rest
/// is (0 economy, 1 age bands, 2 settings, else all three split at 0xff).
/// A configuration that loads must store and read back the same economy.
pub fn config(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Some(dir) = Scratch::new() else {
        return;
    };
    let files = [
        crate::config::ECONOMY_FILE,
        crate::config::AGE_BANDS_FILE,
        crate::config::SETTINGS_FILE,
    ];
    let write = |dir: &Path, name: &str, bytes: &[u8]| {
        let _ = std::fs::write(dir.join(name), bytes);
    };
    match which % 4 {
        i @ 0..=2 => write(dir.path(), files[usize::from(i)], rest),
        _ => {
            for (name, part) in files.iter().zip(rest.split(|&b| b == 0xff)) {
                write(dir.path(), name, part);
            }
        }
    }
    if let Ok(config) = crate::config::Config::load(Some(dir.path())) {
        let stored = config.economy.to_toml();
        let again =
            crate::config::Economy::from_toml(&stored, "economy.toml", config.economy.currency);
        assert_eq!(
            again.as_ref(),
            Ok(&config.economy),
            "the economy reads back as stored:\n{stored}"
        );
    }
}

/// The household service's messages: anything that parses as a call, a
/// hello or an answer serialises and parses back to the same value.
pub fn wire(data: &[u8]) {
    if let Ok(call) = serde_json::from_slice::<Call>(data) {
        let line = serde_json::to_vec(&call).unwrap_or_default();
        assert_eq!(serde_json::from_slice::<Call>(&line).ok(), Some(call));
    }
    if let Ok(hello) = serde_json::from_slice::<crate::api::wire::Hello>(data) {
        let line = serde_json::to_vec(&hello).unwrap_or_default();
        assert_eq!(serde_json::from_slice(&line).ok(), Some(hello));
    }
    if let Ok(answer) = serde_json::from_slice::<crate::api::wire::Answer>(data) {
        let line = serde_json::to_vec(&answer).unwrap_or_default();
        assert_eq!(serde_json::from_slice(&line).ok(), Some(answer));
    }
}

/// Calls answered by a real household: each line a call, the first byte of
/// the input choosing the caller (the owner, or a teen's OS account linked to
/// one member). Nothing may panic, and the household verifies afterwards.
///
/// The household carries over from one input to the next, so calls build on
/// what earlier inputs did, and stays open between inputs as it does in the
/// household service. Every [`VERIFY_EVERY`] inputs it is closed and must
/// verify from a fresh open of the file (so the next input opens it again),
/// and every [`RESET_EVERY`] inputs (right after such a check) it starts
/// again from a copy of the new household. Without the reset it grew without
/// bound and the fuzzer slowed to a crawl: a `verify` call in an input, and
/// the check itself, read the whole ever-longer ledger. Commits skip fsync
/// (as seeding the benchmarks' households does): the rows written are those
/// of normal operation, and a power cut only means a new household.
pub fn session(data: &[u8]) {
    use std::sync::{Mutex, OnceLock};
    static HOUSEHOLD: OnceLock<Option<FuzzHousehold>> = OnceLock::new();
    // How many inputs have been answered, and the household's open store.
    static STATE: Mutex<(u64, Option<crate::ledger::Store>)> = Mutex::new((0, None));
    let Some(household) = HOUSEHOLD.get_or_init(fuzz_household) else {
        panic!("the fuzz household could not be made");
    };
    let Some((&who, lines)) = data.split_first() else {
        return;
    };
    // Held throughout: one input at a time changes the household.
    let mut state = STATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (calls, open) = &mut *state;
    if *calls % RESET_EVERY == 0 {
        *open = None;
        household.restore();
    }
    let path = &household.path;
    let store = match open.take() {
        Some(store) => store,
        None => {
            let Ok(store) = crate::ledger::Store::open(path) else {
                panic!("the fuzz household does not open");
            };
            if store.relax_durability_for_seeding().is_err() {
                panic!("the fuzz household does not take synchronous = OFF");
            }
            store
        }
    };
    let clock =
        FixedClock::new(chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default());
    let caller = if who % 2 == 0 {
        Caller::Owner
    } else {
        Caller::Account(crate::auth::peer::Peer {
            uid: 4242,
            user: "fuzzteen".into(),
        })
    };
    let mut session = Session::new(store, &clock, caller);
    for line in lines.split(|&b| b == b'\n').take(8) {
        if let Ok(call) = serde_json::from_slice::<Call>(line) {
            let _ = session.handle(call);
        }
        clock.advance(chrono::TimeDelta::seconds(7));
    }
    *calls += 1;
    if *calls % VERIFY_EVERY != 0 {
        *open = Some(session.into_store());
        return;
    }
    drop(session);
    if let Ok(store) = crate::ledger::Store::open(path)
        && let Ok(report) = crate::ledger::verify(store.conn())
    {
        assert_eq!(report.problem, None, "the household no longer verifies");
    }
}

/// How many inputs [`session`] answers between checks that the household
/// verifies.
const VERIFY_EVERY: u64 = 64;

/// How many inputs [`session`] answers before the household starts again
/// from its first state; a multiple of [`VERIFY_EVERY`], so every input's
/// writes are verified before they are dropped.
const RESET_EVERY: u64 = 4 * VERIFY_EVERY;

/// The household [`session`] works on, and the bytes of its first state.
struct FuzzHousehold {
    _dir: Scratch,
    path: std::path::PathBuf,
    template: Vec<u8>,
}

impl FuzzHousehold {
    /// Puts the household back to its first state (no store may be open).
    fn restore(&self) {
        for suffix in ["-wal", "-shm"] {
            let mut side = self.path.clone().into_os_string();
            side.push(suffix);
            let _ = std::fs::remove_file(side);
        }
        if std::fs::write(&self.path, &self.template).is_err() {
            panic!("the fuzz household could not be put back");
        }
    }
}

/// A household for [`session`]: guardian Maria (PIN "fuzz guardian pin"),
/// teens Sam (linked to the OS account `fuzzteen`) and Alex, creator Ana.
fn fuzz_household() -> Option<FuzzHousehold> {
    use crate::api::call::GuardianAuth;
    use crate::api::reply::Reply;
    crate::auth::hash_pins_cheaply_for_tests();
    let dir = Scratch::new()?;
    let path = dir.path().join("fuzz.db");
    let config = crate::config::Config::defaults().ok()?;
    let clock = FixedClock::new(chrono::DateTime::from_timestamp(1_795_000_000, 0)?);
    let pin = crate::auth::Pin::parse("fuzz guardian pin").ok()?;
    let store =
        crate::services::init_household(&path, &config, &Name::parse("Maria").ok()?, &pin, &clock)
            .ok()?;
    let mut session = Session::new(store, &clock, Caller::Owner);
    let auth = || GuardianAuth {
        guardian: None,
        pin: "fuzz guardian pin".into(),
    };
    for (name, role, born) in [
        ("Sam", crate::domain::Role::Teen, "2011-03-14"),
        ("Alex", crate::domain::Role::Teen, "2007-01-01"),
        ("Ana", crate::domain::Role::Creator, "1995-01-01"),
    ] {
        session
            .handle(Call::AddMember {
                name: name.into(),
                role,
                birthdate: Some(born.into()),
                new_pin: None,
                accept_weak_pin: false,
                auth: auth(),
            })
            .ok()?;
    }
    // The link is made for an account that need not exist on this machine,
    // straight in the ledger (the API checks that the account exists).
    let mut store = crate::ledger::Store::open(&path).ok()?;
    let pass = crate::auth::guardian_pass(&mut store, &clock, None, &pin, "").ok()?;
    let sam = crate::ledger::find_member(store.conn(), "Sam").ok()?.id;
    store
        .write(&clock, |w| {
            crate::ledger::link_account(w, &pass, sam, "fuzzteen")
        })
        .ok()?;
    drop(store);
    let reply = session.handle(Call::Grant {
        member: "Alex".into(),
        coins: "5000".into(),
        memo: "fuzz".into(),
        key: None,
        auth: auth(),
    });
    if !matches!(reply, Ok(Reply::Spend(_))) {
        return None;
    }
    drop(session);
    // Everything in the main file, so its bytes alone are the household.
    let conn = rusqlite::Connection::open(&path).ok()?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .ok()?;
    drop(conn);
    let template = std::fs::read(&path).ok()?;
    Some(FuzzHousehold {
        _dir: dir,
        path,
        template,
    })
}

/// A damaged or foreign database file: opening it must refuse it with a
/// reason or open it whole; a file that opens must verify without panicking.
///
/// The input is the file itself, or, when it starts with [`PATCH`], changes
/// to one of [`BASE_HOUSEHOLDS`] (see [`database_file`]): a damaged
/// household is then a few bytes instead of a whole file, so the corpus
/// can be kept whole.
pub fn database(data: &[u8]) {
    let file = database_file(data);
    let Some(dir) = Scratch::new() else {
        return;
    };
    let path = dir.path().join("household.db");
    if std::fs::write(&path, &*file).is_err() {
        return;
    }
    if let Ok(store) = crate::ledger::Store::open(&path) {
        let _ = crate::ledger::verify(store.conn());
        let clock =
            FixedClock::new(chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default());
        let mut session = Session::new(store, &clock, Caller::Owner);
        let _ = session.handle(Call::Members);
        let _ = session.handle(Call::Catalog);
    }
}

/// What starts a `database` input that is changes to a base household.
pub const PATCH: &[u8] = b"CGPATCH";

/// The households `database` patch inputs change (the byte after
/// [`PATCH`] picks one): a household of schema version 8, which opening
/// migrates, and one of the newest version, with guardian seals (both with
/// pages of 512 bytes, so that a page is a small part of an input).
pub const BASE_HOUSEHOLDS: [&[u8]; 2] = [
    include_bytes!("../fuzz/households/v8.db"),
    include_bytes!("../fuzz/households/latest.db"),
];

/// The largest file a patch input makes.
const MAX_PATCHED: usize = 1 << 17;

/// The file a `database` input stands for. An input that does not start
/// with [`PATCH`] is the file itself. After [`PATCH`] and the byte choosing
/// the base household come changes, applied in order, each three bytes of
/// offset (little-endian), a length byte and that many bytes written at the
/// offset (growing the file, with zeros up to the offset, when it is past
/// the end); a length of 0 cuts the file at the offset instead. A change
/// past 128 KiB ends the list.
pub fn database_file(data: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let Some(rest) = data.strip_prefix(PATCH) else {
        return std::borrow::Cow::Borrowed(data);
    };
    let Some((&which, mut rest)) = rest.split_first() else {
        return std::borrow::Cow::Borrowed(data);
    };
    let base = BASE_HOUSEHOLDS[usize::from(which) % BASE_HOUSEHOLDS.len()];
    let mut file = base.to_vec();
    while let [a, b, c, len, tail @ ..] = rest {
        let at = usize::from(*a) | (usize::from(*b) << 8) | (usize::from(*c) << 16);
        let (bytes, after) = tail.split_at(usize::from(*len).min(tail.len()));
        rest = after;
        let end = at + bytes.len();
        if end > MAX_PATCHED {
            break;
        }
        if bytes.is_empty() {
            file.truncate(at);
            continue;
        }
        if file.len() < end {
            file.resize(end, 0);
        }
        if let Some(target) = file.get_mut(at..end) {
            target.copy_from_slice(bytes);
        }
    }
    std::borrow::Cow::Owned(file)
}

/// The `/` filter language. The first byte picks the place it is typed;
/// the rest is "names|text": up to four names the household has (split at
/// `|`) and the words typed. What parses keeps what was typed, names only
/// a name it was given, and a date range that is not back to front; the
/// same words, typed again in another case, read the same.
pub fn filter(data: &[u8]) {
    use crate::tui::filter::{self, Place};
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let place = match first % 5 {
        0 => Place::OwnHistory,
        1 => Place::Ledger,
        2 => Place::Decisions,
        3 => Place::Actions,
        _ => Place::Alerts,
    };
    let rest = text(rest);
    let (names, typed) = rest.rsplit_once('|').unwrap_or(("", rest.as_str()));
    let names: Vec<&str> = names.split('|').filter(|n| !n.is_empty()).take(4).collect();
    let Ok(f) = filter::parse(typed, place, &names) else {
        return;
    };
    assert_eq!(f.text, typed.trim(), "{typed:?}");
    for named in [&f.member, &f.creator].into_iter().flatten() {
        assert!(
            names.contains(&named.as_str()),
            "{typed:?} named {named:?}, not one of {names:?}"
        );
    }
    if let (Some(since), Some(until)) = (f.since, f.until) {
        assert!(since <= until, "{typed:?}: {since} after {until}");
    }
    if place != Place::OwnHistory {
        assert_eq!(f.creator, None, "{typed:?}");
    }
    // Case does not matter (for ASCII: other scripts change length or
    // letters between cases, "ß" to "SS").
    if !(typed.is_ascii() && names.iter().all(|n| n.is_ascii())) {
        return;
    }
    if let Ok(again) = filter::parse(&typed.to_uppercase(), place, &names) {
        assert_eq!(
            (
                again.member,
                again.creator,
                again.kind,
                again.outcome,
                again.since,
                again.until
            ),
            (f.member, f.creator, f.kind, f.outcome, f.since, f.until),
            "{typed:?} read differently in capitals"
        );
    }
}
