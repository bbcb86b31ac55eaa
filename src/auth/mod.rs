//! Who is at the keyboard: guardian PINs hashed with argon2id (OWASP
//! parameters), checked once per action.
//!
//! A correct PIN yields a [`GuardianPass`]: not `Clone`, consumed by the one
//! guardian action it was entered for, so no earlier PIN entry authorises
//! further changes. PINs never appear in errors, logs or `Debug` output.
//!
//! The PIN is in hand here, so this is where a guardian's **seal key** is
//! derived (argon2id over the PIN with a salt of the key's own; see
//! `ledger::seal`): the pass carries it, and the write it is shown to ends
//! with the guardian's seal. The key is never stored.
//!
//! Through the household service, who is asking is the OS account the
//! kernel names for the connection ([`peer`]): the API's sessions and the
//! service both read it from here, so neither imports the other for it.

pub mod peer;

use std::fmt;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rusqlite::Connection;

use crate::domain::{Clock, Name, Role};
use crate::ledger::{
    self, GuardianAction, KeyRecipe, KeyRecord, LedgerError, Member, SealCheck, SealKey, Store,
};

/// OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane.
pub const ARGON2_MEMORY_KIB: u32 = 19_456;
pub const ARGON2_PASSES: u32 = 2;
pub const ARGON2_LANES: u32 = 1;
pub const MIN_PIN_CHARS: usize = 6;
pub const MAX_PIN_CHARS: usize = 128;

/// PINs so common that guessing them is the first thing anyone tries.
const COMMON: &[&str] = &[
    "123456",
    "654321",
    "111111",
    "000000",
    "123123",
    "121212",
    "112233",
    "666666",
    "696969",
    "password",
    "qwerty",
    "abc123",
    "letmein",
    "iloveyou",
    "1234567",
    "12345678",
    "123456789",
    "1234567890",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("a PIN needs at least {MIN_PIN_CHARS} characters")]
    PinTooShort,
    #[error("a PIN may have at most {MAX_PIN_CHARS} characters")]
    PinTooLong,
    #[error("a PIN may not contain control characters")]
    PinControlChar,
    #[error(
        "wrong PIN for {name}; {tries_left} more {} before a lock",
        if *.tries_left == 1 { "try" } else { "tries" }
    )]
    WrongPin { name: String, tries_left: u32 },
    #[error(
        "too many wrong PINs for {name}: locked until {until} household time (in {seconds} seconds); try again then"
    )]
    Locked {
        name: String,
        until: String,
        seconds: i64,
    },
    #[error("{name} is not a guardian; only a guardian can do this")]
    NotGuardian { name: String },
    #[error("{name} has no PIN set; a guardian must set one first")]
    NoPin { name: String },
    #[error("the household has {count} guardians; say which one you are with --as NAME")]
    WhichGuardian { count: usize },
    #[error("could not hash the PIN: {0}")]
    Hashing(String),
    #[error(transparent)]
    Name(#[from] crate::domain::DomainError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl AuthError {
    /// What kind of failure this is (see [`crate::domain::ErrorKind`]).
    pub fn kind(&self) -> crate::domain::ErrorKind {
        use crate::domain::ErrorKind;
        match self {
            AuthError::WrongPin { .. } | AuthError::Locked { .. } | AuthError::NoPin { .. } => {
                ErrorKind::Auth
            }
            AuthError::NotGuardian { .. } => ErrorKind::Forbidden,
            AuthError::Ledger(e) => e.kind(),
            AuthError::Hashing(_) => ErrorKind::Other,
            AuthError::PinTooShort
            | AuthError::PinTooLong
            | AuthError::PinControlChar
            | AuthError::WhichGuardian { .. }
            | AuthError::Name(_) => ErrorKind::BadInput,
        }
    }
}

/// A PIN or passphrase as typed. Its text never leaves this module except to
/// the hasher.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String, Secrecy);

/// Whether anyone else knows the PIN. A PIN everyone has been told (the
/// demo's, printed on the screen) gains nothing from a slow hash, so it is
/// hashed with the smallest parameters and the demo is made in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Secrecy {
    Secret,
    Public,
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<hidden>)")
    }
}

impl Pin {
    /// A PIN that is printed for everyone to read (the demo household's):
    /// hashed with the smallest parameters, as guessing it needs no effort.
    pub fn public(text: &str) -> Result<Pin, AuthError> {
        Pin::parse(text).map(|pin| Pin(pin.0, Secrecy::Public))
    }

    pub fn parse(text: &str) -> Result<Pin, AuthError> {
        let text = text.trim_end_matches(['\r', '\n']);
        if text.chars().any(char::is_control) {
            return Err(AuthError::PinControlChar);
        }
        let chars = text.chars().count();
        if chars < MIN_PIN_CHARS {
            return Err(AuthError::PinTooShort);
        }
        if chars > MAX_PIN_CHARS {
            return Err(AuthError::PinTooLong);
        }
        Ok(Pin(text.to_string(), Secrecy::Secret))
    }

    /// A warning when the PIN is easy to guess from a copy of the database.
    pub fn weakness(&self) -> Option<&'static str> {
        if COMMON.contains(&self.0.to_lowercase().as_str()) {
            Some(
                "this PIN is one of the most common ones; choose a passphrase of a few words instead",
            )
        } else if self.0.chars().all(|c| c.is_ascii_digit()) {
            Some(
                "a PIN of digits only can be guessed within hours by anyone who copies the database file; a passphrase of a few words is much stronger",
            )
        } else {
            None
        }
    }
}

/// Set only by test fixtures: see [`hash_pins_cheaply_for_tests`].
static CHEAP_FOR_TESTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// For test fixtures only: new PINs in this process are hashed with the
/// smallest argon2id parameters (8 KiB, 1 pass), so a test household costs
/// microseconds instead of tens of milliseconds per PIN. Verification reads
/// the parameters from each stored hash, so it follows. coinguard itself
/// never calls this; the tests of the parameters themselves do not either.
#[doc(hidden)]
pub fn hash_pins_cheaply_for_tests() {
    CHEAP_FOR_TESTS.store(true, std::sync::atomic::Ordering::Relaxed);
}

fn hasher() -> Result<Argon2<'static>, AuthError> {
    hasher_for(Secrecy::Secret)
}

/// Memory and passes for a PIN of this secrecy: OWASP's, or the smallest
/// for a public PIN (and in test fixtures).
fn cost_for(secrecy: Secrecy) -> (u32, u32) {
    let cheap =
        secrecy == Secrecy::Public || CHEAP_FOR_TESTS.load(std::sync::atomic::Ordering::Relaxed);
    if cheap {
        (8, 1)
    } else {
        (ARGON2_MEMORY_KIB, ARGON2_PASSES)
    }
}

fn hasher_for(secrecy: Secrecy) -> Result<Argon2<'static>, AuthError> {
    let (memory, passes) = cost_for(secrecy);
    let params = Params::new(memory, passes, ARGON2_LANES, None)
        .map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a PIN to a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash_pin(pin: &Pin) -> Result<String, AuthError> {
    let hash = hasher_for(pin.1)?
        .hash_password(pin.0.as_bytes())
        .map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(hash.to_string())
}

/// Checks a PIN against a stored PHC string, in constant time.
pub fn pin_matches(phc: &str, pin: &Pin) -> bool {
    hasher().is_ok_and(|h| h.verify_password(pin.0.as_bytes(), phc).is_ok())
}

pub use crate::ledger::GuardianPass;

/// Put before the PIN when a seal key is derived, so no seal key is ever
/// the output of the PIN's stored hash (even with its salt copied into a
/// key's recipe): the stored hash is not the key.
const SEAL_KEY_CONTEXT: &[u8] = b"coinguard seal key v1\0";

/// The most seal keys of one guardian tried with a PIN at verify (each
/// costs one argon2id derivation).
pub const MAX_SEAL_KEYS_TRIED: usize = 16;

/// A recipe for a new seal key: a fresh random salt of its own, and the
/// argon2id cost the PIN's hash gets.
fn new_recipe(pin: &Pin) -> Result<KeyRecipe, AuthError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt)
        .map_err(|e| AuthError::Hashing(format!("no random salt for the seal key: {e}")))?;
    let (memory_kib, passes) = cost_for(pin.1);
    Ok(KeyRecipe {
        salt: salt.to_vec(),
        memory_kib,
        passes,
        lanes: ARGON2_LANES,
    })
}

/// What `pin` gives with `recipe`: argon2id over the context and the PIN.
/// `None` when the recipe cannot be used (a damaged row).
fn derive(pin: &Pin, recipe: &KeyRecipe) -> Option<[u8; 32]> {
    // Generous bounds: a recipe is read from the file, and a changed one
    // must not make verify allocate gigabytes.
    if recipe.memory_kib > 4 * ARGON2_MEMORY_KIB || recipe.passes > 16 || recipe.lanes > 4 {
        return None;
    }
    let params = Params::new(recipe.memory_kib, recipe.passes, recipe.lanes, Some(32)).ok()?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut input = Vec::with_capacity(SEAL_KEY_CONTEXT.len() + pin.0.len());
    input.extend_from_slice(SEAL_KEY_CONTEXT);
    input.extend_from_slice(pin.0.as_bytes());
    let mut out = [0u8; 32];
    argon
        .hash_password_into(&input, &recipe.salt, &mut out)
        .ok()?;
    Some(out)
}

/// A new seal key's recipe and bytes for `pin`: for a guardian whose PIN is
/// being set (their seals from now on are made with it).
pub(crate) fn new_seal_key(pin: &Pin) -> Result<(KeyRecipe, [u8; 32]), AuthError> {
    let recipe = new_recipe(pin)?;
    let derived = derive(pin, &recipe)
        .ok_or_else(|| AuthError::Hashing("the seal key could not be derived".into()))?;
    Ok((recipe, derived))
}

/// The key `pin` opens among `record`s, if any.
fn open_key(record: &KeyRecord, pin: &Pin) -> Option<SealKey> {
    record.open(derive(pin, &record.recipe)?)
}

/// The guardian's seal key for this PIN: their newest, when the PIN opens
/// it; otherwise (none yet, or made with an earlier PIN) a new one.
fn seal_key_for(
    store: &mut Store,
    clock: &dyn Clock,
    guardian: &Member,
    pin: &Pin,
) -> Result<SealKey, AuthError> {
    let keys = ledger::seal_keys_of(store.conn(), guardian.id)?;
    if let Some(key) = keys.first().and_then(|newest| open_key(newest, pin)) {
        return Ok(key);
    }
    let (recipe, derived) = new_seal_key(pin)?;
    let id = guardian.id;
    Ok(store.write(clock, |w| ledger::add_seal_key(w, id, &recipe, derived))?)
}

/// For `verify --as NAME`: the guardian's seal keys the PIN opens, and a
/// pass when the PIN is their current one (to seal the verify's mark).
///
/// The PIN is checked like any guardian's (lockout, the attempt logged).
/// A PIN that does not match the stored hash is still tried on the
/// guardian's seal keys: an earlier PIN checks the seals made with it, and
/// the current one checks everything even if someone changed the stored
/// hash (which `verify` then names). It opens nothing else.
pub fn seal_check(
    store: &mut Store,
    clock: &dyn Clock,
    name: Option<&str>,
    pin: &Pin,
    account: &str,
) -> Result<(SealCheck, Option<GuardianPass>), AuthError> {
    let member = match authenticate(store, clock, Who::Guardian(name), pin, account) {
        Ok(member) => member,
        Err(e @ AuthError::WrongPin { .. }) => {
            let guardian = choose_guardian(store.conn(), name)?;
            let keys = ledger::seal_keys_of(store.conn(), guardian.id)?;
            let opened: Vec<SealKey> = keys
                .iter()
                .take(MAX_SEAL_KEYS_TRIED)
                .filter_map(|k| open_key(k, pin))
                .collect();
            if opened.is_empty() {
                return Err(e);
            }
            let opens_newest = keys
                .first()
                .is_some_and(|n| opened.iter().any(|k| k.id() == n.id));
            return Ok((
                SealCheck {
                    guardian: guardian.id,
                    name: guardian.name.to_string(),
                    keys: opened,
                    matches_stored_pin: false,
                    opens_newest,
                },
                None,
            ));
        }
        Err(e) => return Err(e),
    };
    let current = seal_key_for(store, clock, &member, pin)?;
    let keys = ledger::seal_keys_of(store.conn(), member.id)?;
    let mut opened: Vec<SealKey> = keys
        .iter()
        .take(MAX_SEAL_KEYS_TRIED)
        .filter(|k| k.id != current.id())
        .filter_map(|k| open_key(k, pin))
        .collect();
    opened.insert(0, current.clone());
    let check = SealCheck {
        guardian: member.id,
        name: member.name.to_string(),
        keys: opened,
        matches_stored_pin: true,
        opens_newest: true,
    };
    Ok((
        check,
        Some(GuardianPass::after_pin_matched(member, current)),
    ))
}

/// Failures in a row before the account locks.
pub const LOCK_AFTER_FAILURES: u32 = 5;
/// The first lock; each further failure doubles it.
pub const FIRST_LOCK_SECONDS: i64 = 30;
/// The longest lock.
pub const MAX_LOCK_SECONDS: i64 = 3_600;

/// How long to lock after `failures` consecutive failures: none before the
/// fifth, then 30 s, 60 s, 120 s, ... at most an hour.
pub fn lock_seconds(failures: u32) -> Option<i64> {
    let beyond = failures.checked_sub(LOCK_AFTER_FAILURES)?;
    let doubled = FIRST_LOCK_SECONDS
        .checked_shl(beyond.min(20))
        .unwrap_or(MAX_LOCK_SECONDS);
    Some(doubled.min(MAX_LOCK_SECONDS))
}

/// Whose PIN is being entered.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    /// A guardian by name, or the only guardian.
    Guardian(Option<&'a str>),
    /// Any member by name (members with a PIN confirm their own actions).
    Member(&'a str),
}

/// A hash to check against when the name is unknown, so the time taken does
/// not reveal whether a member exists.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Pin::parse("no such member, no such pin")
            .ok()
            .and_then(|pin| hash_pin(&pin).ok())
            .unwrap_or_default()
    })
}

fn when(at_us: i64, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::from_timestamp_micros(at_us)
        .map(|t| t.with_timezone(&tz).format("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Checks a PIN, recording the attempt (and any lock) in the database whether
/// it succeeds or not, before answering. While locked, the PIN is not even
/// checked. Failures are counted per member and `account`, the OS account
/// asking (the household service's peer; `""` at the file's own computer),
/// so one account's guesses lock that account out of the PIN and never the
/// member themself.
pub fn authenticate(
    store: &mut Store,
    clock: &dyn Clock,
    who: Who<'_>,
    pin: &Pin,
    account: &str,
) -> Result<Member, AuthError> {
    // A name that could never be a member's is refused before anything is
    // written: what reaches the guardian-action log is a valid name, at most
    // 64 characters, with nothing in it that a terminal would act on.
    let named = match who {
        Who::Guardian(Some(name)) | Who::Member(name) => Some(Name::parse(name)?),
        Who::Guardian(None) => None,
    };
    store.write(clock, |w| -> Result<Result<Member, AuthError>, AuthError> {
        let conn = w.sql();
        let tz = w.config().settings.timezone;
        let log = |actor: Option<&Member>, action: &str, subject: &str, after: String| {
            ledger::log_guardian_action(
                w,
                &GuardianAction {
                    actor: actor.map(|m| m.id),
                    action: action.into(),
                    subject: subject.into(),
                    before: String::new(),
                    after,
                },
            )
        };
        let found = match who {
            Who::Guardian(name) => choose_guardian(conn, name),
            Who::Member(name) => ledger::find_member(conn, name).map_err(AuthError::from),
        };
        let member = match found {
            Ok(member) => member,
            Err(e) => {
                let _ = pin_matches(dummy_hash(), pin);
                let name = named.as_ref().map_or("(guardian)", Name::as_str);
                log(None, "pin_failed", name, format!("refused: {e}"))?;
                return Ok(Err(e));
            }
        };
        let subject = member.name.to_string();
        let now_us = w.now().timestamp_micros();
        let (failures, locked_until) = ledger::pin_attempts(conn, member.id, account)?;
        if locked_until > now_us {
            log(
                Some(&member),
                "pin_locked",
                &subject,
                format!(
                    "refused without checking: locked until {}",
                    when(locked_until, tz)
                ),
            )?;
            return Ok(Err(AuthError::Locked {
                name: subject,
                until: when(locked_until, tz),
                seconds: (locked_until - now_us + 999_999) / 1_000_000,
            }));
        }
        let Some(phc) = ledger::pin_hash(conn, member.id)? else {
            let _ = pin_matches(dummy_hash(), pin);
            return Ok(Err(AuthError::NoPin { name: subject }));
        };
        if pin_matches(&phc, pin) {
            ledger::set_pin_attempts(w, member.id, account, 0, 0)?;
            log(Some(&member), "pin_ok", &subject, "accepted".into())?;
            return Ok(Ok(member));
        }
        let failures = failures.saturating_add(1);
        let lock = lock_seconds(failures);
        let until = lock.map_or(0, |s| now_us.saturating_add(s * 1_000_000));
        ledger::set_pin_attempts(w, member.id, account, failures, until)?;
        let detail = match lock {
            Some(s) => format!("failure {failures} in a row: locked for {s} seconds"),
            None => format!("failure {failures} in a row"),
        };
        log(Some(&member), "pin_failed", &subject, detail)?;
        Ok(Err(match lock {
            Some(seconds) => AuthError::Locked {
                name: subject,
                until: when(until, tz),
                seconds,
            },
            None => AuthError::WrongPin {
                name: subject,
                tries_left: LOCK_AFTER_FAILURES - failures,
            },
        }))
    })?
}

/// Checks a guardian's PIN and returns a pass for one action (`account` as
/// in [`authenticate`]).
pub fn guardian_pass(
    store: &mut Store,
    clock: &dyn Clock,
    name: Option<&str>,
    pin: &Pin,
    account: &str,
) -> Result<GuardianPass, AuthError> {
    let guardian = authenticate(store, clock, Who::Guardian(name), pin, account)?;
    let key = seal_key_for(store, clock, &guardian, pin)?;
    Ok(GuardianPass::after_pin_matched(guardian, key))
}

/// Picks the guardian: the one named, or the only one.
pub fn choose_guardian(conn: &Connection, name: Option<&str>) -> Result<Member, AuthError> {
    let member = match name {
        Some(name) => ledger::find_member(conn, name)?,
        None => {
            let guardians: Vec<Member> = ledger::list_members(conn)?
                .into_iter()
                .filter(|m| m.role == Role::Guardian)
                .collect();
            match <[Member; 1]>::try_from(guardians) {
                Ok([only]) => only,
                Err(all) => return Err(AuthError::WhichGuardian { count: all.len() }),
            }
        }
    };
    if member.role != Role::Guardian {
        return Err(AuthError::NotGuardian {
            name: member.name.to_string(),
        });
    }
    Ok(member)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_checked_and_hidden() {
        assert_eq!(Pin::parse("12345"), Err(AuthError::PinTooShort));
        assert_eq!(Pin::parse("abc\u{7}def"), Err(AuthError::PinControlChar));
        let pin = Pin::parse("correct horse\n").unwrap();
        assert_eq!(format!("{pin:?}"), "Pin(<hidden>)");
        assert_eq!(pin.weakness(), None);
        assert!(
            Pin::parse("123456")
                .unwrap()
                .weakness()
                .unwrap()
                .contains("most common")
        );
        assert!(
            Pin::parse("908172")
                .unwrap()
                .weakness()
                .unwrap()
                .contains("digits only")
        );
    }

    #[test]
    fn locks_start_at_the_fifth_failure_and_double_to_an_hour() {
        let locks: Vec<Option<i64>> = (1..=13).map(lock_seconds).collect();
        assert_eq!(
            locks,
            [
                None,
                None,
                None,
                None,
                Some(30),
                Some(60),
                Some(120),
                Some(240),
                Some(480),
                Some(960),
                Some(1920),
                Some(3600),
                Some(3600)
            ]
        );
        assert_eq!(lock_seconds(u32::MAX), Some(3600));
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let pin = Pin::parse("river stone lamp").unwrap();
        let phc = hash_pin(&pin).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("river"));
        assert!(pin_matches(&phc, &pin));
        assert!(!pin_matches(&phc, &Pin::parse("river stone lamb").unwrap()));
        assert!(!pin_matches("not a phc string", &pin));
        // A PIN printed for everyone (the demo's) gains nothing from a slow
        // hash; verification follows the parameters stored with it.
        let public = Pin::public("demo passphrase").unwrap();
        let phc = hash_pin(&public).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{phc}");
        assert!(pin_matches(&phc, &Pin::parse("demo passphrase").unwrap()));
    }
}
