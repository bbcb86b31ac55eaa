//! What a limit counts (scope) and over which stretch of time (window).

use std::fmt;
use std::str::FromStr;

use super::DomainError;

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Money paid for coins.
    Purchase,
    /// Coins given as gifts.
    Gift,
    /// Money paid for coins plus the money value of coins given as gifts.
    All,
}

/// Over which stretch of time a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
    Rolling24h,
    /// The last 7 days, rolling.
    Rolling7d,
    /// The last 30 days, rolling.
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

    /// Whether the limit's amounts are money (else coins).
    pub fn counts_money(&self) -> bool {
        !matches!(self, Scope::Gift)
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
