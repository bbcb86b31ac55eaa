//! Parsed domain values: names, roles, birthdates, time zones, idempotency keys,
//! and the [`Clock`], the only source of "now" below `main`.
//!
//! Every type here has private fields and a parsing constructor, so a value that
//! exists is a valid one. Nothing here touches the database.

mod clock;
mod error_kind;
mod limits;
pub mod model;
pub mod printable;

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error_kind::ErrorKind;
pub use limits::{Limit, LimitAmount, LimitUnit, Scope, Window};
pub use model::{
    Account, Asked, CreatorList, Kind, Member, Outcome, Platform, QuietHours, RequestStatus, Unit,
};

/// Longest name a member, creator, pack or gift may have.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest idempotency key.
pub const MAX_KEY_CHARS: usize = 128;
/// Longest memo or reason.
pub const MAX_MEMO_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("the name is empty; type a name")]
    EmptyName,
    #[error("the name \"{shown}…\" is {chars} characters long; the most is {MAX_NAME_CHARS}")]
    NameTooLong { shown: String, chars: usize },
    #[error(
        "the name \"{given}\" contains a control character (such as a tab or newline); remove it"
    )]
    NameControlChar { given: String },
    #[error(
        "the name \"{shown}\" contains an invisible character ({code}); type the name again without it"
    )]
    NameInvisibleChar { shown: String, code: String },
    #[error("role \"{given}\" is not one of guardian, teen, creator")]
    UnknownRole { given: String },
    #[error("\"{given}\" is not a date; write it as YYYY-MM-DD, like 2011-04-23")]
    DateFormat { given: String },
    #[error("\"{given}\" is not a date that exists on the calendar")]
    NoSuchDate { given: String },
    #[error("birthdate {given} is in the future")]
    BirthdateInFuture { given: String },
    #[error("birthdate {given} is more than 130 years ago; check the year")]
    BirthdateTooOld { given: String },
    #[error(
        "time zone \"{given}\" does not exist; use a name like America/New_York or Europe/Berlin"
    )]
    UnknownTimezone { given: String },
    #[error("the key is empty")]
    EmptyKey,
    #[error("the key is longer than {MAX_KEY_CHARS} characters")]
    KeyTooLong,
    #[error("the key {given:?} may only contain letters, digits and - _ . : /")]
    KeyCharacters { given: String },
    #[error("the text is longer than {MAX_MEMO_CHARS} characters")]
    MemoTooLong,
    #[error("the text contains a control character; remove it")]
    MemoControlChar,
    #[error("scope \"{given}\" is not one of purchase, gift, all")]
    UnknownScope { given: String },
    #[error("window \"{given}\" is not one of transaction, day, week, month, 24h, 7d, 30d")]
    UnknownWindow { given: String },
    #[error("\"{given}\" is not a time of day; write it as HH:MM, like 21:00")]
    TimeOfDay { given: String },
}

/// Database id of a member.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct MemberId(pub i64);

/// Database id of a ledger transaction.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct TxId(pub i64);

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for TxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A person's or creator's name: 1 to 64 characters in Unicode NFC, no
/// control characters and nothing invisible. Other Unicode (accents, scripts,
/// emoji) is welcome.
///
/// Invisible characters (zero-width spaces, bidirectional overrides, Hangul
/// fillers: Unicode's default-ignorable code points) are refused because they
/// let "Ana" and "Ana" + U+200B be two different members that look the same;
/// the zero-width joiner and the emoji variation selector are kept where they
/// follow an emoji, where they are part of how the emoji is written. Runs of
/// spaces of any kind become one plain space.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(String);

/// Part of an emoji sequence: a zero-width joiner or variation selector is
/// kept only right after a symbol of this kind.
fn is_emoji_like(c: char) -> bool {
    !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace()
}

impl Name {
    pub fn parse(text: &str) -> Result<Name, DomainError> {
        use unicode_normalization::UnicodeNormalization;
        use unicode_security::GeneralSecurityProfile;
        use unicode_security::general_security_profile::IdentifierType;

        let nfc: String = text.nfc().collect();
        let trimmed = nfc.trim();
        if trimmed.is_empty() {
            return Err(DomainError::EmptyName);
        }
        let shown = || trimmed.chars().take(20).collect::<String>();
        if trimmed.chars().any(char::is_control) {
            return Err(DomainError::NameControlChar {
                given: shown().escape_debug().to_string(),
            });
        }
        let mut name = String::with_capacity(trimmed.len());
        let mut previous: Option<char> = None;
        for c in trimmed.chars() {
            if c.is_whitespace() {
                if previous.is_some_and(|p| p != ' ') {
                    name.push(' ');
                }
                previous = Some(' ');
                continue;
            }
            let invisible = c.identifier_type() == Some(IdentifierType::Default_Ignorable);
            let joins_emoji =
                matches!(c, '\u{200D}' | '\u{FE0F}') && previous.is_some_and(is_emoji_like);
            if invisible && !joins_emoji {
                return Err(DomainError::NameInvisibleChar {
                    shown: shown().escape_debug().to_string(),
                    code: format!("U+{:04X}", u32::from(c)),
                });
            }
            name.push(c);
            previous = Some(c);
        }
        let chars = name.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(DomainError::NameTooLong {
                shown: shown(),
                chars,
            });
        }
        Ok(Name(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Unicode's confusable skeleton of the name, lower-cased: two names with
    /// the same skeleton can be mistaken for each other on screen ("Ana"
    /// with a Cyrillic "а", "rn" for "m").
    pub fn skeleton(&self) -> String {
        let lower = self.0.to_lowercase();
        unicode_security::skeleton(&lower)
            .collect::<String>()
            .to_lowercase()
    }

    /// Whether this name could be mistaken for `other` (or is the same).
    pub fn confusable_with(&self, other: &Name) -> bool {
        self.skeleton() == other.skeleton()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A name read from a message is parsed like a typed one.
impl<'de> serde::Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        let text = String::deserialize(deserializer)?;
        Name::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Free text a person attaches (memo, reason, note): bounded, no control chars.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Memo(String);

impl Memo {
    pub fn parse(text: &str) -> Result<Memo, DomainError> {
        let trimmed = text.trim();
        if trimmed.chars().count() > MAX_MEMO_CHARS {
            return Err(DomainError::MemoTooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(DomainError::MemoControlChar);
        }
        Ok(Memo(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a member is in the household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Guardian,
    Teen,
    Creator,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Guardian => "guardian",
            Role::Teen => "teen",
            Role::Creator => "creator",
        }
    }
}

impl FromStr for Role {
    type Err = DomainError;
    fn from_str(text: &str) -> Result<Role, DomainError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "guardian" => Ok(Role::Guardian),
            "teen" => Ok(Role::Teen),
            "creator" => Ok(Role::Creator),
            _ => Err(DomainError::UnknownRole {
                given: text.to_string(),
            }),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A calendar date written strictly as `YYYY-MM-DD` that exists.
pub fn parse_date(text: &str) -> Result<NaiveDate, DomainError> {
    let trimmed = text.trim();
    let shape_ok = trimmed.len() == 10
        && trimmed.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(DomainError::DateFormat {
            given: text.to_string(),
        });
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").map_err(|_| DomainError::NoSuchDate {
        given: text.to_string(),
    })
}

/// A birthdate: a real date, not in the future, not absurdly old.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BirthDate(NaiveDate);

impl BirthDate {
    /// `today` is the household-local date, from the clock.
    pub fn parse(text: &str, today: NaiveDate) -> Result<BirthDate, DomainError> {
        let date = parse_date(text)?;
        if date > today {
            return Err(DomainError::BirthdateInFuture {
                given: date.to_string(),
            });
        }
        if today.year() - date.year() > 130 {
            return Err(DomainError::BirthdateTooOld {
                given: date.to_string(),
            });
        }
        Ok(BirthDate(date))
    }

    /// From a value already validated when it was stored.
    pub fn from_stored(date: NaiveDate) -> BirthDate {
        BirthDate(date)
    }

    pub fn date(&self) -> NaiveDate {
        self.0
    }

    /// Whole years on `on` (a household-local date). A birthday counts from
    /// local midnight; 29 February birthdays count on 1 March in common years.
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        let born = self.0;
        let mut years = on.year() - born.year();
        let had_birthday = (on.month(), on.day()) >= (born.month(), born.day());
        if !had_birthday {
            years -= 1;
        }
        u32::try_from(years).unwrap_or(0)
    }
}

/// Parses an IANA time zone name.
pub fn parse_timezone(text: &str) -> Result<Tz, DomainError> {
    text.trim()
        .parse::<Tz>()
        .map_err(|_| DomainError::UnknownTimezone {
            given: text.to_string(),
        })
}

/// A time of day written `HH:MM` (24-hour), as minutes after midnight.
pub fn parse_time_of_day(text: &str) -> Result<u32, DomainError> {
    let err = || DomainError::TimeOfDay {
        given: text.to_string(),
    };
    let (h, m) = text.trim().split_once(':').ok_or_else(err)?;
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return Err(err());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| err())?, m.parse().map_err(|_| err())?);
    if h > 23 || m > 59 {
        return Err(err());
    }
    Ok(h * 60 + m)
}

/// Minutes after midnight as `HH:MM`.
pub fn format_time_of_day(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A caller-chosen key that makes a retried command write nothing new.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(text: &str) -> Result<IdempotencyKey, DomainError> {
        if text.is_empty() {
            return Err(DomainError::EmptyKey);
        }
        if text.chars().count() > MAX_KEY_CHARS {
            return Err(DomainError::KeyTooLong);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.:/".contains(c);
        if !text.chars().all(allowed) {
            return Err(DomainError::KeyCharacters {
                given: text.to_string(),
            });
        }
        Ok(IdempotencyKey(text.to_string()))
    }

    /// A key coinguard makes for itself (an approval, an allowance period).
    /// It contains `#`, which a person's key may not, so no key typed with
    /// `--key` can ever take it.
    pub fn internal(purpose: &str, id: impl fmt::Display) -> IdempotencyKey {
        IdempotencyKey(format!("coinguard#{purpose}#{id}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn names_accept_unicode_and_reject_the_rest() {
        assert_eq!(
            Name::parse(" Zoë 🌹 ").map(|n| n.to_string()),
            Ok("Zoë 🌹".into())
        );
        assert_eq!(Name::parse("   "), Err(DomainError::EmptyName));
        assert!(matches!(
            Name::parse("a\tb"),
            Err(DomainError::NameControlChar { .. })
        ));
        assert!(matches!(
            Name::parse(&"x".repeat(65)),
            Err(DomainError::NameTooLong { chars: 65, .. })
        ));
        assert!(Name::parse(&"é".repeat(64)).is_ok());
    }

    #[test]
    fn names_are_nfc_and_nothing_in_them_is_invisible() {
        // "Zoë" typed with a combining diaeresis is the same name as with ë.
        assert_eq!(Name::parse("Zoe\u{308}"), Name::parse("Zo\u{eb}"));
        for (given, code) in [
            ("Ana\u{200B}", "U+200B"), // zero-width space
            ("\u{202E}anA", "U+202E"), // right-to-left override
            ("A\u{2060}na", "U+2060"), // word joiner
            ("\u{3164}", "U+3164"),    // Hangul filler, looks like nothing
            ("Sam\u{200D}", "U+200D"), // a joiner with no emoji
        ] {
            match Name::parse(given) {
                Err(DomainError::NameInvisibleChar { code: found, .. }) => {
                    assert_eq!(found, code, "{given:?}")
                }
                other => panic!("{given:?} should be refused, got {other:?}"),
            }
        }
        // Emoji keep the joiners and selectors they are written with.
        assert!(Name::parse("Ana \u{1F469}\u{200D}\u{1F467}").is_ok());
        assert!(Name::parse("Bo \u{2764}\u{FE0F}").is_ok());
        // Any run of spaces (no-break, ideographic) becomes one plain space.
        assert_eq!(
            Name::parse("Ana\u{A0}\u{3000} Lee").map(|n| n.to_string()),
            Ok("Ana Lee".into())
        );
        // The message shows control characters escaped, never raw.
        let err = Name::parse("a\u{1b}[31mb").err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "the name \"a\\u{1b}[31mb\" contains a control character (such as a tab or newline); remove it"
            )
        );
    }

    #[test]
    fn look_alike_names_are_confusable() {
        let name = |t: &str| Name::parse(t).unwrap();
        assert!(
            name("\u{410}na").confusable_with(&name("Ana")),
            "Cyrillic A"
        );
        assert!(name("ANA").confusable_with(&name("ana")));
        assert!(name("Sarn").confusable_with(&name("Sam")), "rn for m");
        assert!(!name("Sam").confusable_with(&name("Kim")));
    }

    #[test]
    fn dates_must_exist_and_be_written_strictly() {
        assert!(matches!(
            parse_date("2023-02-29"),
            Err(DomainError::NoSuchDate { .. })
        ));
        assert!(matches!(
            parse_date("2023-13-01"),
            Err(DomainError::NoSuchDate { .. })
        ));
        assert!(matches!(
            parse_date("23-1-1"),
            Err(DomainError::DateFormat { .. })
        ));
        assert!(matches!(
            parse_date("2024/01/01"),
            Err(DomainError::DateFormat { .. })
        ));
        assert_eq!(parse_date("2024-02-29"), Ok(day(2024, 2, 29)));
    }

    #[test]
    fn birthdates_and_ages() {
        let today = day(2026, 11, 28);
        assert!(matches!(
            BirthDate::parse("2027-01-01", today),
            Err(DomainError::BirthdateInFuture { .. })
        ));
        assert!(matches!(
            BirthDate::parse("1890-01-01", today),
            Err(DomainError::BirthdateTooOld { .. })
        ));
        let born = BirthDate::from_stored(day(2013, 11, 28));
        assert_eq!(born.age_on(day(2026, 11, 27)), 12);
        assert_eq!(born.age_on(day(2026, 11, 28)), 13);
        let leap = BirthDate::from_stored(day(2008, 2, 29));
        assert_eq!(leap.age_on(day(2026, 2, 28)), 17);
        assert_eq!(leap.age_on(day(2026, 3, 1)), 18);
    }

    #[test]
    fn timezones_and_keys() {
        assert!(parse_timezone("Europe/Berlin").is_ok());
        assert!(matches!(
            parse_timezone("Mars/Olympus"),
            Err(DomainError::UnknownTimezone { .. })
        ));
        assert!(IdempotencyKey::parse("order-2026-11-28:1").is_ok());
        assert!(matches!(
            IdempotencyKey::parse("a b"),
            Err(DomainError::KeyCharacters { .. })
        ));
        assert_eq!(IdempotencyKey::parse(""), Err(DomainError::EmptyKey));
    }
}
