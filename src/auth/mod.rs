//! Who is at the keyboard: guardian PINs hashed with argon2id (OWASP
//! parameters), checked once per action.
//!
//! A correct PIN yields a [`GuardianPass`]: not `Clone`, consumed by the one
//! guardian action it was entered for, so no earlier PIN entry authorises
//! further changes. PINs never appear in errors, logs or `Debug` output.

use std::fmt;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rusqlite::Connection;

use crate::domain::Role;
use crate::ledger::{self, LedgerError, Member};

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
    #[error("wrong PIN for {name}")]
    WrongPin { name: String },
    #[error("{name} is not a guardian; only a guardian can do this")]
    NotGuardian { name: String },
    #[error("{name} has no PIN set; a guardian must set one first")]
    NoPin { name: String },
    #[error("the household has {count} guardians; say which one you are with --as NAME")]
    WhichGuardian { count: usize },
    #[error("could not hash the PIN: {0}")]
    Hashing(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// A PIN or passphrase as typed. Its text never leaves this module except to
/// the hasher.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(<hidden>)")
    }
}

impl Pin {
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
        Ok(Pin(text.to_string()))
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

fn hasher() -> Result<Argon2<'static>, AuthError> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None)
        .map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a PIN to a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash_pin(pin: &Pin) -> Result<String, AuthError> {
    let hash = hasher()?
        .hash_password(pin.0.as_bytes())
        .map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(hash.to_string())
}

/// Checks a PIN against a stored PHC string, in constant time.
pub fn pin_matches(phc: &str, pin: &Pin) -> bool {
    hasher().is_ok_and(|h| h.verify_password(pin.0.as_bytes(), phc).is_ok())
}

/// Proof that a guardian entered their PIN for one action. Not `Clone`:
/// each guardian action consumes one.
#[derive(Debug)]
pub struct GuardianPass {
    guardian: Member,
}

impl GuardianPass {
    pub fn guardian(&self) -> &Member {
        &self.guardian
    }
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

/// Checks `pin` for `guardian` and returns a pass for one action.
pub fn authenticate_guardian(
    conn: &Connection,
    guardian: Member,
    pin: &Pin,
) -> Result<GuardianPass, AuthError> {
    let Some(phc) = ledger::pin_hash(conn, guardian.id)? else {
        return Err(AuthError::NoPin {
            name: guardian.name.to_string(),
        });
    };
    if pin_matches(&phc, pin) {
        Ok(GuardianPass { guardian })
    } else {
        Err(AuthError::WrongPin {
            name: guardian.name.to_string(),
        })
    }
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
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let pin = Pin::parse("river stone lamp").unwrap();
        let phc = hash_pin(&pin).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!phc.contains("river"));
        assert!(pin_matches(&phc, &pin));
        assert!(!pin_matches(&phc, &Pin::parse("river stone lamb").unwrap()));
        assert!(!pin_matches("not a phc string", &pin));
    }
}
