//! What a limit counts (scope) and over which stretch of time (window).

use std::fmt;
use std::str::FromStr;

use super::{DomainError, MemberId};
use crate::money::{Coins, Currency, Money, MoneyError};

/// What a limit counts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Money paid for coins.
    Purchase,
    /// Coins given as gifts.
    Gift,
    /// Money paid for coins plus the money value of coins given as gifts.
    All,
}

/// Over which stretch of time a limit counts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// Each single purchase or gift on its own.
    Transaction,
    /// The household-local calendar day.
    Day,
    /// The household-local ISO week, Monday to Sunday.
    Week,
    /// The household-local calendar month.
    Month,
    /// The last 24 hours, rolling.
    #[serde(rename = "24h")]
    Rolling24h,
    /// The last 7 days, rolling.
    #[serde(rename = "7d")]
    Rolling7d,
    /// The last 30 days, rolling.
    #[serde(rename = "30d")]
    Rolling30d,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Purchase, Scope::Gift, Scope::All];

    pub fn as_str(&self) -> &'static str {
        match self {
            Scope::Purchase => "purchase",
            Scope::Gift => "gift",
            Scope::All => "all",
        }
    }

    /// What the scope's limits count: money for `purchase` and `all`, coins
    /// for `gift`. Code that shows or parses an amount matches on this (or
    /// on a [`LimitAmount`]), never on the scope's name.
    pub fn unit(&self) -> LimitUnit {
        match self {
            Scope::Purchase | Scope::All => LimitUnit::Money,
            Scope::Gift => LimitUnit::Coins,
        }
    }
}

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitUnit {
    Money,
    Coins,
}

impl LimitUnit {
    /// "money" or "coins", as help and forms say it.
    pub fn word(self) -> &'static str {
        match self {
            LimitUnit::Money => "money",
            LimitUnit::Coins => "coins",
        }
    }
}

/// A limit's threshold (or what is used of it), in what its scope counts:
/// money for `purchase` and `all`, coins for `gift`. A limit cannot hold an
/// amount of the other kind: [`Limit::new`] refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitAmount {
    Money(Money),
    Coins(Coins),
}

impl LimitAmount {
    /// The amount of `scope` stored as `units` (money in micro-units).
    pub fn of_scope(
        scope: Scope,
        units: i64,
        currency: Currency,
    ) -> Result<LimitAmount, MoneyError> {
        match scope.unit() {
            LimitUnit::Money => Ok(LimitAmount::Money(Money::from_micros(currency, units))),
            LimitUnit::Coins => Coins::from_i64(units).map(LimitAmount::Coins),
        }
    }

    /// An amount typed for `scope`: money ("10", "4.99") or whole coins.
    pub fn parse(text: &str, scope: Scope, currency: Currency) -> Result<LimitAmount, MoneyError> {
        match scope.unit() {
            LimitUnit::Money => Money::parse(text, currency).map(LimitAmount::Money),
            LimitUnit::Coins => Coins::parse(text).map(LimitAmount::Coins),
        }
    }

    /// As stored and compared with spending: money in micro-units, or coins.
    pub fn units(&self) -> i64 {
        match self {
            LimitAmount::Money(m) => m.micros(),
            LimitAmount::Coins(c) => c.to_i64().unwrap_or(i64::MAX),
        }
    }

    /// Whether a limit of `scope` counts in this amount's kind.
    pub fn fits(&self, scope: Scope) -> bool {
        self.unit() == scope.unit()
    }

    /// What this amount counts.
    pub fn unit(&self) -> LimitUnit {
        match self {
            LimitAmount::Money(_) => LimitUnit::Money,
            LimitAmount::Coins(_) => LimitUnit::Coins,
        }
    }
}

/// "10.00 USD" or "500 coins".
impl fmt::Display for LimitAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitAmount::Money(m) => write!(f, "{m}"),
            LimitAmount::Coins(c) => write!(f, "{c}"),
        }
    }
}

/// In JSON: money in the one shape for money, coins as a whole number.
impl serde::Serialize for LimitAmount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            LimitAmount::Money(m) => m.serialize(serializer),
            LimitAmount::Coins(c) => serializer.serialize_u64(c.get()),
        }
    }
}

/// A limit: above `soft` a guardian must approve, above `hard` it is
/// refused. Its amounts are of its scope's kind, always.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub member: MemberId,
    pub scope: Scope,
    pub window: Window,
    pub soft: Option<LimitAmount>,
    pub hard: Option<LimitAmount>,
}

impl Limit {
    /// A limit whose amounts are of its scope's kind; `None` when one is not.
    pub fn new(
        member: MemberId,
        scope: Scope,
        window: Window,
        soft: Option<LimitAmount>,
        hard: Option<LimitAmount>,
    ) -> Option<Limit> {
        let fits = |a: &Option<LimitAmount>| a.is_none_or(|a| a.fits(scope));
        (fits(&soft) && fits(&hard)).then_some(Limit {
            member,
            scope,
            window,
            soft,
            hard,
        })
    }

    /// The amount it counts up to: the refusal amount, else the approval one.
    pub fn cap(&self) -> Option<LimitAmount> {
        self.hard.or(self.soft)
    }

    /// The cap in stored units (0 when neither amount is set).
    pub fn cap_units(&self) -> i64 {
        self.cap().map_or(0, |a| a.units())
    }
}

impl Window {
    pub const ALL: [Window; 7] = [
        Window::Transaction,
        Window::Day,
        Window::Week,
        Window::Month,
        Window::Rolling24h,
        Window::Rolling7d,
        Window::Rolling30d,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Window::Transaction => "transaction",
            Window::Day => "day",
            Window::Week => "week",
            Window::Month => "month",
            Window::Rolling24h => "24h",
            Window::Rolling7d => "7d",
            Window::Rolling30d => "30d",
        }
    }

    /// How people say it: "today", "this week", "the last 7 days".
    pub fn phrase(&self) -> &'static str {
        match self {
            Window::Transaction => "a single transaction",
            Window::Day => "today",
            Window::Week => "this week",
            Window::Month => "this month",
            Window::Rolling24h => "the last 24 hours",
            Window::Rolling7d => "the last 7 days",
            Window::Rolling30d => "the last 30 days",
        }
    }
}

impl FromStr for Scope {
    type Err = DomainError;
    fn from_str(text: &str) -> Result<Scope, DomainError> {
        Scope::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| DomainError::UnknownScope {
                given: text.to_string(),
            })
    }
}

impl FromStr for Window {
    type Err = DomainError;
    fn from_str(text: &str) -> Result<Window, DomainError> {
        Window::ALL
            .into_iter()
            .find(|w| w.as_str() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| DomainError::UnknownWindow {
                given: text.to_string(),
            })
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
