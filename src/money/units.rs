//! Coins and diamonds: whole, indivisible numbers with checked arithmetic only.

use std::fmt;

use super::MoneyError;

/// Declares an integer unit with checked arithmetic and strict parsing, so coins
/// and diamonds cannot be mixed up or silently overflow.
macro_rules! integer_unit {
    ($name:ident, $one:literal, $many:literal, $max_input:expr) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(u64);

        impl $name {
            /// The most a person may type in one command; bigger is a typo.
            pub const MAX_INPUT: u64 = $max_input;
            pub const ZERO: $name = $name(0);

            pub const fn new(value: u64) -> Self {
                $name(value)
            }

            pub const fn get(self) -> u64 {
                self.0
            }

            pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
                self.0
                    .checked_add(other.0)
                    .map($name)
                    .ok_or(MoneyError::Overflow { what: $many })
            }

            pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
                self.0
                    .checked_sub(other.0)
                    .map($name)
                    .ok_or(MoneyError::Overflow { what: $many })
            }

            pub fn checked_mul(self, factor: u64) -> Result<Self, MoneyError> {
                self.0
                    .checked_mul(factor)
                    .map($name)
                    .ok_or(MoneyError::Overflow { what: $many })
            }

            /// As a signed SQLite integer (postings carry a sign).
            pub fn to_i64(self) -> Result<i64, MoneyError> {
                i64::try_from(self.0).map_err(|_| MoneyError::Overflow { what: $many })
            }

            pub fn from_i64(value: i64) -> Result<Self, MoneyError> {
                u64::try_from(value)
                    .map($name)
                    .map_err(|_| MoneyError::Overflow { what: $many })
            }

            /// Parses a positive whole number typed by a person.
            pub fn parse(text: &str) -> Result<Self, MoneyError> {
                parse_count(text, $many, Self::MAX_INPUT).map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let word = if self.0 == 1 { $one } else { $many };
                write!(f, "{} {}", group_thousands(self.0), word)
            }
        }
    };
}

integer_unit!(Coins, "coin", "coins", 10_000_000);
integer_unit!(Diamonds, "diamond", "diamonds", 100_000_000);

/// Parses a positive whole count (coins, diamonds, gift counts) with a cap.
pub fn parse_count(text: &str, what: &'static str, max: u64) -> Result<u64, MoneyError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(MoneyError::Empty { what });
    }
    if trimmed.starts_with('-') {
        return Err(MoneyError::Negative {
            what,
            given: text.to_string(),
        });
    }
    if !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MoneyError::NotAWholeNumber {
            what,
            given: text.to_string(),
        });
    }
    let value: u64 = trimmed.parse().map_err(|_| MoneyError::TooLarge {
        what,
        given: text.to_string(),
        max: group_thousands(max),
    })?;
    if value == 0 {
        return Err(MoneyError::Zero { what });
    }
    if value > max {
        return Err(MoneyError::TooLarge {
            what,
            given: text.to_string(),
            max: group_thousands(max),
        });
    }
    Ok(value)
}

/// `17500` -> `17,500`: coin counts are read by parents, not machines.
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
