//! ISO 4217 currencies the household can keep its books in.
//!
//! Only codes whose minor unit we know are accepted: the minor unit decides how
//! many decimals a parent may type and where display and payouts round.

use std::fmt;

use super::MoneyError;

/// A currency with a known minor unit (2 for USD: cents; 0 for JPY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    minor_units: u32,
}

/// Codes we accept, with their minor units (ISO 4217).
const KNOWN: &[(&str, u32)] = &[
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("INR", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("PLN", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("USD", 2),
    ("ZAR", 2),
];

impl Currency {
    /// US dollars, the shipped default.
    pub const USD: Currency = Currency {
        code: "USD",
        minor_units: 2,
    };

    /// Parses an ISO code such as `USD` (case-insensitive).
    pub fn parse(text: &str) -> Result<Currency, MoneyError> {
        let wanted = text.trim().to_ascii_uppercase();
        KNOWN
            .iter()
            .find(|(code, _)| *code == wanted)
            .map(|&(code, minor_units)| Currency { code, minor_units })
            .ok_or_else(|| MoneyError::UnknownCurrency {
                given: text.to_string(),
                known: KNOWN.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", "),
            })
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Decimals of the smallest coin or note fraction (2 for cents).
    pub fn minor_units(&self) -> u32 {
        self.minor_units
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}
