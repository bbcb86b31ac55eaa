//! The data model, in one place: the words coinguard uses for what happens in
//! a household, shared by the ledger that stores them, the guard that
//! judges them, the services that do them and every screen that shows them.
//!
//! | type | what it is |
//! | --- | --- |
//! | [`Kind`] | what a ledger transaction is: purchase, gift, redeem, grant, reversal |
//! | [`Unit`] | what an account counts in: money, coins, diamonds |
//! | [`Account`] | whose account and which: a member's wallet or earnings, money outside, the platform's |
//! | [`Outcome`] | allow, needs approval, deny: what the guard and every rule say |
//! | [`RequestStatus`] | where an ask-to-buy request stands |
//! | [`QuietHours`], [`CreatorList`] | two of the rules a guardian sets |
//!
//! Nothing here touches the database: values and their stored names only.

use serde::{Deserialize, Serialize};

use super::MemberId;
use crate::money::Currency;

/// What kind of movement a transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Purchase,
    Gift,
    Redeem,
    Grant,
    Reversal,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Purchase => "purchase",
            Kind::Gift => "gift",
            Kind::Redeem => "redeem",
            Kind::Grant => "grant",
            Kind::Reversal => "reversal",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        [
            Kind::Purchase,
            Kind::Gift,
            Kind::Redeem,
            Kind::Grant,
            Kind::Reversal,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// The unit an account counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Money,
    Coin,
    Diamond,
}

impl Unit {
    pub fn code(&self, currency: Currency) -> &'static str {
        match self {
            Unit::Money => currency.code(),
            Unit::Coin => "COIN",
            Unit::Diamond => "DIAMOND",
        }
    }
}

/// The platform's side of every movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Money paid for coins.
    CoinSales,
    /// Where coins come from (purchases, grants).
    CoinIssuance,
    /// Where gifted coins go.
    GiftSink,
    /// Where diamonds come from (gifts) and return to (redemptions).
    DiamondIssuance,
    /// Money paid out to creators.
    Payouts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Account {
    Wallet(MemberId),
    Earnings(MemberId),
    Funding(MemberId),
    Payout(MemberId),
    Platform(Platform),
}

impl Account {
    pub fn name(&self) -> String {
        match self {
            Account::Wallet(m) => format!("member:{m}:wallet"),
            Account::Earnings(m) => format!("member:{m}:earnings"),
            Account::Funding(m) => format!("external:{m}:funding"),
            Account::Payout(m) => format!("external:{m}:payout"),
            Account::Platform(p) => match p {
                Platform::CoinSales => "platform:coin_sales".into(),
                Platform::CoinIssuance => "platform:coin_issuance".into(),
                Platform::GiftSink => "platform:gift_sink".into(),
                Platform::DiamondIssuance => "platform:diamond_issuance".into(),
                Platform::Payouts => "platform:payouts".into(),
            },
        }
    }

    pub fn unit(&self) -> Unit {
        match self {
            Account::Wallet(_) => Unit::Coin,
            Account::Earnings(_) => Unit::Diamond,
            Account::Funding(_) | Account::Payout(_) => Unit::Money,
            Account::Platform(p) => match p {
                Platform::CoinSales | Platform::Payouts => Unit::Money,
                Platform::CoinIssuance | Platform::GiftSink => Unit::Coin,
                Platform::DiamondIssuance => Unit::Diamond,
            },
        }
    }

    /// Member accounts may never go below zero; platform and external ones may.
    pub fn must_stay_non_negative(&self) -> bool {
        matches!(self, Account::Wallet(_) | Account::Earnings(_))
    }
}

impl Account {
    /// The account a stored name stands for (the inverse of [`Account::name`]).
    pub fn from_name(name: &str) -> Option<Account> {
        let platform = match name {
            "platform:coin_sales" => Some(Platform::CoinSales),
            "platform:coin_issuance" => Some(Platform::CoinIssuance),
            "platform:gift_sink" => Some(Platform::GiftSink),
            "platform:diamond_issuance" => Some(Platform::DiamondIssuance),
            "platform:payouts" => Some(Platform::Payouts),
            _ => None,
        };
        if let Some(p) = platform {
            return Some(Account::Platform(p));
        }
        let mut parts = name.split(':');
        let (Some(scope), Some(id), Some(what), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let member = MemberId(id.parse().ok()?);
        match (scope, what) {
            ("member", "wallet") => Some(Account::Wallet(member)),
            ("member", "earnings") => Some(Account::Earnings(member)),
            ("external", "funding") => Some(Account::Funding(member)),
            ("external", "payout") => Some(Account::Payout(member)),
            _ => None,
        }
    }
}

/// What the guard says about an intent, and what a rule (an age band, quiet
/// hours, unknown creators) says about an action: go ahead, ask a guardian,
/// or refuse. The decision log stores it as `allow`, `needs_approval`, `deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Allow,
    NeedsApproval,
    Deny,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::NeedsApproval => "needs_approval",
            Outcome::Deny => "deny",
        }
    }
}

/// Quiet hours in household-local minutes after midnight (may cross midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start_minute: u32,
    pub end_minute: u32,
    pub verdict: Outcome,
}

impl QuietHours {
    pub fn contains(&self, minute: u32) -> bool {
        if self.start_minute <= self.end_minute {
            (self.start_minute..self.end_minute).contains(&minute)
        } else {
            minute >= self.start_minute || minute < self.end_minute
        }
    }
}

/// Where a creator stands on a member's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatorList {
    Allow,
    Block,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    Pending,
    Approved,
    Denied,
    Expired,
    Cancelled,
    /// A guardian approved it, and the guard refused it then (a hard limit,
    /// an age rule): the reason is its resolution.
    Refused,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 6] = [
        RequestStatus::Pending,
        RequestStatus::Approved,
        RequestStatus::Denied,
        RequestStatus::Expired,
        RequestStatus::Cancelled,
        RequestStatus::Refused,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Denied => "denied",
            RequestStatus::Expired => "expired",
            RequestStatus::Cancelled => "cancelled",
            RequestStatus::Refused => "refused",
        }
    }

    pub fn parse(text: &str) -> Option<RequestStatus> {
        RequestStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim().to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_may_cross_midnight() {
        let night = QuietHours {
            start_minute: 21 * 60,
            end_minute: 7 * 60,
            verdict: Outcome::Deny,
        };
        assert!(night.contains(21 * 60));
        assert!(night.contains(23 * 60 + 59));
        assert!(night.contains(0));
        assert!(night.contains(6 * 60 + 59));
        assert!(!night.contains(7 * 60));
        assert!(!night.contains(20 * 60 + 59));
        let lunch = QuietHours {
            start_minute: 12 * 60,
            end_minute: 13 * 60,
            verdict: Outcome::Deny,
        };
        assert!(lunch.contains(12 * 60 + 30));
        assert!(!lunch.contains(13 * 60));
    }
}
