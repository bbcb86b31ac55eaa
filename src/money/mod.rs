//! Money, coins and diamonds: exact amounts, strict parsing of what people type,
//! checked arithmetic, and the only place that rounds.
//!
//! Money is kept as an `i64` count of micro-units (10^-6 of the currency), in
//! code and in SQLite, so SQL sums are exact. Per-coin rates (0.99 / 70) have
//! no exact decimal, so they are kept as a [`Rate`] (a price for a number of
//! coins) and values are multiplied before they are divided. Money is rounded
//! only in [`rounding`]: for display (half away from zero, to the minor
//! unit), for payouts (only the diamonds that pay whole minor units are
//! taken), for refunds (down, to the minor unit), for the price of a custom
//! coin amount (up, to the minor unit, so the seller is never paid less than
//! the best pack rate), and a grant's stated value to the stored scale.
//!
//! This module must never touch the database or know about members.

mod currency;
mod rate;
pub mod rounding;
mod units;

use std::fmt;

use rust_decimal::Decimal;

pub use currency::Currency;
pub use rate::Rate;
pub use units::{Coins, Diamonds, group_thousands, parse_count};

/// Micro-units per currency unit: the fixed scale of every stored amount.
pub const MICROS_PER_UNIT: i64 = 1_000_000;
/// Decimal places of the stored scale.
pub const MICRO_SCALE: u32 = 6;
/// The largest amount a person may type in one command (in currency units).
pub const MAX_INPUT_UNITS: i64 = 100_000;

/// Everything that can be wrong with an amount, a count or a currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency \"{given}\" is not one we know; use one of {known}")]
    UnknownCurrency { given: String, known: String },
    #[error("the number of {what} is empty; type a whole number like 100")]
    Empty { what: &'static str },
    #[error("\"{given}\" is negative; {what} must be more than zero")]
    Negative { what: &'static str, given: String },
    #[error("{what} must be more than zero")]
    Zero { what: &'static str },
    #[error("\"{given}\" is not a whole number of {what}; type digits only, like 100")]
    NotAWholeNumber { what: &'static str, given: String },
    #[error("\"{given}\" is too large for {what}; the most is {max}")]
    TooLarge {
        what: &'static str,
        given: String,
        max: String,
    },
    #[error("\"{given}\" is not a number; type an amount like 4.99")]
    NotANumber { given: String },
    #[error("\"{given}\" uses an exponent; type the amount in full, like 1500.00")]
    Exponent { given: String },
    #[error(
        "\"{given}\" is not an amount of money; type digits with an optional dot, like 4.99 (no currency signs or thousands separators)"
    )]
    NotAnAmount { given: String },
    #[error("\"{given}\" has more decimals than {currency} allows (at most {allowed})")]
    TooManyDecimals {
        given: String,
        currency: Currency,
        allowed: u32,
    },
    #[error("the amount is empty; type an amount like 4.99")]
    EmptyAmount,
    #[error("the total of {what} is too large to count")]
    Overflow { what: &'static str },
    #[error("cannot combine {left} with {right}: the household keeps one currency")]
    CurrencyMismatch { left: Currency, right: Currency },
}

/// An exact amount in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    currency: Currency,
    micros: i64,
}

impl Money {
    pub fn zero(currency: Currency) -> Money {
        Money {
            currency,
            micros: 0,
        }
    }

    /// From a stored count of micro-units.
    pub fn from_micros(currency: Currency, micros: i64) -> Money {
        Money { currency, micros }
    }

    /// From an exact decimal; fails if it has more than 6 decimals or overflows.
    pub fn from_decimal(currency: Currency, amount: Decimal) -> Result<Money, MoneyError> {
        let scaled = amount
            .checked_mul(Decimal::from(MICROS_PER_UNIT))
            .ok_or(MoneyError::Overflow { what: "money" })?;
        if !scaled.fract().is_zero() {
            return Err(MoneyError::TooManyDecimals {
                given: amount.to_string(),
                currency,
                allowed: MICRO_SCALE,
            });
        }
        let micros = i64::try_from(scaled).map_err(|_| MoneyError::Overflow { what: "money" })?;
        Ok(Money { currency, micros })
    }

    /// Parses an amount a person typed: positive, plain digits with an optional
    /// dot, no more decimals than the currency has, at most [`MAX_INPUT_UNITS`].
    pub fn parse(text: &str, currency: Currency) -> Result<Money, MoneyError> {
        let amount = parse_plain_decimal(text)?;
        if amount.scale() > currency.minor_units() {
            return Err(MoneyError::TooManyDecimals {
                given: text.to_string(),
                currency,
                allowed: currency.minor_units(),
            });
        }
        if amount.is_zero() {
            return Err(MoneyError::Zero { what: "the amount" });
        }
        if amount > Decimal::from(MAX_INPUT_UNITS) {
            return Err(MoneyError::TooLarge {
                what: "one amount",
                given: text.to_string(),
                max: format!("{} {currency}", group_thousands(MAX_INPUT_UNITS as u64)),
            });
        }
        Money::from_decimal(currency, amount)
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn micros(&self) -> i64 {
        self.micros
    }

    /// The exact amount, at the stored scale.
    pub fn amount(&self) -> Decimal {
        Decimal::new(self.micros, MICRO_SCALE)
    }

    pub fn is_zero(&self) -> bool {
        self.micros == 0
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.micros
            .checked_add(other.micros)
            .map(|micros| Money { micros, ..self })
            .ok_or(MoneyError::Overflow { what: "money" })
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        self.micros
            .checked_sub(other.micros)
            .map(|micros| Money { micros, ..self })
            .ok_or(MoneyError::Overflow { what: "money" })
    }

    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        self.micros
            .checked_neg()
            .map(|micros| Money { micros, ..self })
            .ok_or(MoneyError::Overflow { what: "money" })
    }

    fn same_currency(&self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// The amount as a person reads it: rounded to the minor unit.
    pub fn display_amount(&self) -> Decimal {
        rounding::for_display(self.amount(), self.currency)
    }
}

/// For people: rounded to the minor unit, thousands grouped, with the code:
/// "1,234.50 USD". Machine formats (exports, config) use the exact amount.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = self.display_amount().to_string();
        let (sign, digits) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, frac)) => (w, format!(".{frac}")),
            None => (digits, String::new()),
        };
        let grouped = whole
            .parse::<u64>()
            .map(group_thousands)
            .unwrap_or_else(|_| whole.to_string());
        write!(f, "{sign}{grouped}{fraction} {}", self.currency)
    }
}

/// In JSON, money is always `{"amount": "4.99", "currency": "USD"}`: the
/// exact amount as a decimal string (never a float, never rounded) and its
/// currency, whatever the command or message.
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Money", 2)?;
        s.serialize_field("amount", &self.amount().normalize().to_string())?;
        s.serialize_field("currency", self.currency.code())?;
        s.end()
    }
}

/// Reads the same shape back, strictly: a known currency, a plain decimal
/// with at most 6 places (the stored scale). Negative amounts are allowed
/// here (refunds), unlike in what a person types.
impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            amount: String,
            currency: String,
        }
        let raw = Raw::deserialize(deserializer)?;
        let currency = Currency::parse(&raw.currency).map_err(serde::de::Error::custom)?;
        let (negative, digits) = match raw.amount.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw.amount.as_str()),
        };
        let amount = if digits.trim_start_matches(['0', '.']).is_empty() && !digits.is_empty() {
            Decimal::ZERO
        } else {
            parse_plain_decimal(digits).map_err(serde::de::Error::custom)?
        };
        let amount = if negative { -amount } else { amount };
        Money::from_decimal(currency, amount).map_err(serde::de::Error::custom)
    }
}

/// The strict decimal grammar shared by amounts and config prices:
/// digits, optionally one dot and more digits. Everything else is named.
pub fn parse_plain_decimal(text: &str) -> Result<Decimal, MoneyError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(MoneyError::EmptyAmount);
    }
    let lower = trimmed.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "nan" | "inf" | "infinity") {
        return Err(MoneyError::NotANumber {
            given: text.to_string(),
        });
    }
    if trimmed.starts_with('-') {
        return Err(MoneyError::Negative {
            what: "an amount",
            given: text.to_string(),
        });
    }
    let looks_numeric = trimmed.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if !looks_numeric && lower.contains('e') && lower.bytes().any(|b| b.is_ascii_digit()) {
        return Err(MoneyError::Exponent {
            given: text.to_string(),
        });
    }
    let dots = trimmed.bytes().filter(|&b| b == b'.').count();
    let digits = trimmed.bytes().filter(u8::is_ascii_digit).count();
    if !looks_numeric || dots > 1 || digits == 0 {
        return Err(MoneyError::NotAnAmount {
            given: text.to_string(),
        });
    }
    let normalised = if trimmed.starts_with('.') {
        format!("0{trimmed}")
    } else {
        trimmed.to_string()
    };
    let normalised = normalised.trim_end_matches('.');
    // More than 28 significant digits is past any sane maximum anyway.
    Decimal::from_str_exact(normalised).map_err(|_| MoneyError::TooLarge {
        what: "one amount",
        given: text.to_string(),
        max: group_thousands(MAX_INPUT_UNITS as u64),
    })
}

/// A share of `total` proportional to `part / whole`, rounded down, computed so
/// that taking a lot in pieces always sums to exactly its total (the last piece
/// gets the remainder). `taken_before` is how much of `whole` was already taken.
pub fn proportional_share(
    total_micros: i64,
    taken_before: u64,
    taking: u64,
    whole: u64,
) -> Result<i64, MoneyError> {
    let overflow = MoneyError::Overflow { what: "money" };
    if whole == 0 {
        return Ok(0);
    }
    let end = taken_before
        .checked_add(taking)
        .ok_or_else(|| overflow.clone())?;
    let cumulative =
        |upto: u64| -> i128 { i128::from(total_micros) * i128::from(upto) / i128::from(whole) };
    let share = cumulative(end) - cumulative(taken_before);
    i64::try_from(share).map_err(|_| overflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Result<Money, MoneyError> {
        Money::parse(text, Currency::USD)
    }

    #[test]
    fn money_reads_like_money() {
        let show = |micros: i64| Money::from_micros(Currency::USD, micros).to_string();
        assert_eq!(show(56_571_850_000), "56,571.85 USD");
        assert_eq!(show(-1_234_567_500_000), "-1,234,567.50 USD");
        assert_eq!(show(990_000), "0.99 USD");
        assert_eq!(show(0), "0.00 USD");
        let yen = Currency::parse("JPY").unwrap();
        assert_eq!(
            Money::from_micros(yen, 1_000_000_000).to_string(),
            "1,000 JPY"
        );
    }

    #[test]
    fn accepts_plain_amounts_exactly() {
        assert_eq!(usd("4.99").map(|m| m.micros()), Ok(4_990_000));
        assert_eq!(usd("10").map(|m| m.micros()), Ok(10_000_000));
        assert_eq!(usd(" 0.5 ").map(|m| m.micros()), Ok(500_000));
        assert_eq!(usd(".25").map(|m| m.micros()), Ok(250_000));
    }

    #[test]
    fn rejects_each_kind_of_bad_amount_with_its_own_message() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("0", "more than zero"),
            ("0.00", "more than zero"),
            ("-5", "negative"),
            ("abc", "not an amount"),
            ("NaN", "not a number"),
            ("inf", "not a number"),
            ("-Infinity", "not a number"),
            ("1e3", "exponent"),
            ("1.5E2", "exponent"),
            ("4.999", "more decimals than USD"),
            ("100000.01", "too large"),
            ("1,000", "not an amount"),
            ("$5", "not an amount"),
            ("1.2.3", "not an amount"),
            ("99999999999999999999999999999999", "too large"),
        ];
        for (input, expected) in cases {
            let err = usd(input).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                err.contains(expected),
                "input {input:?}: expected message containing {expected:?}, got {err:?}"
            );
        }
    }

    #[test]
    fn money_travels_as_an_exact_decimal_string_and_a_currency() {
        let m = Money::from_micros(Currency::USD, 14_143);
        let json = serde_json::to_string(&m).unwrap_or_default();
        assert_eq!(json, r#"{"amount":"0.014143","currency":"USD"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).ok(), Some(m));
        let refund = Money::from_micros(Currency::USD, -990_000);
        let json = serde_json::to_string(&refund).unwrap_or_default();
        assert_eq!(serde_json::from_str::<Money>(&json).ok(), Some(refund));
        let zero = Money::zero(Currency::USD);
        let json = serde_json::to_string(&zero).unwrap_or_default();
        assert_eq!(json, r#"{"amount":"0","currency":"USD"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).ok(), Some(zero));
        for bad in [
            r#"{"amount":"1e3","currency":"USD"}"#,
            r#"{"amount":"1.0000001","currency":"USD"}"#,
            r#"{"amount":"1","currency":"XXX"}"#,
            r#"{"amount":1,"currency":"USD"}"#,
            r#"{"amount":"1","currency":"USD","extra":1}"#,
        ] {
            assert!(serde_json::from_str::<Money>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn yen_has_no_decimals() {
        let jpy = Currency::parse("jpy").map_err(|e| e.to_string());
        assert_eq!(jpy.map(|c| c.code()), Ok("JPY"));
        let err = Currency::parse("JPY").and_then(|c| Money::parse("1.5", c));
        assert!(matches!(
            err,
            Err(MoneyError::TooManyDecimals { allowed: 0, .. })
        ));
    }

    #[test]
    fn unknown_currency_lists_known_ones() {
        let err = Currency::parse("XYZ")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("\"XYZ\"") && err.contains("USD") && err.contains("EUR"));
    }

    #[test]
    fn counts_reject_bad_input() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("0", "more than zero"),
            ("-1", "negative"),
            ("1.5", "whole number"),
            ("ten", "whole number"),
            ("18446744073709551616", "too large"),
            ("10000001", "too large"),
        ];
        for (input, expected) in cases {
            let err = Coins::parse(input)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(expected), "input {input:?}: got {err:?}");
        }
        assert_eq!(Coins::parse("17500"), Ok(Coins::new(17_500)));
    }

    #[test]
    fn unit_arithmetic_is_checked() {
        assert!(Coins::new(u64::MAX).checked_add(Coins::new(1)).is_err());
        assert!(Coins::new(1).checked_sub(Coins::new(2)).is_err());
        assert!(Coins::new(u64::MAX).to_i64().is_err());
        assert!(
            Money::from_micros(Currency::USD, i64::MAX)
                .checked_add(Money::from_micros(Currency::USD, 1))
                .is_err()
        );
    }

    #[test]
    fn display_groups_and_rounds() {
        assert_eq!(Coins::new(17_500).to_string(), "17,500 coins");
        assert_eq!(Coins::new(1).to_string(), "1 coin");
        assert_eq!(
            Money::from_micros(Currency::USD, 14_142).to_string(),
            "0.01 USD"
        );
        assert_eq!(
            Money::from_micros(Currency::USD, 4_990_000).to_string(),
            "4.99 USD"
        );
    }

    #[test]
    fn proportional_shares_sum_to_the_whole() {
        // A 0.99 lot of 70 coins spent 1, 30 and 39 coins at a time.
        let a = proportional_share(990_000, 0, 1, 70);
        let b = proportional_share(990_000, 1, 30, 70);
        let c = proportional_share(990_000, 31, 39, 70);
        let total: i64 = [a, b, c].into_iter().map(|r| r.unwrap_or(-1)).sum();
        assert_eq!(total, 990_000);
    }
}
