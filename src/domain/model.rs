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
//! | [`Asked`] | what a request asks for, run again when a guardian approves |
//!
//! Nothing here touches the database: values and their stored names only.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::MemberId;
use crate::money::Currency;

/// A member of the household as stored: who they are and whether they have
/// a PIN (never the PIN's hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub name: super::Name,
    pub role: super::Role,
    pub birthdate: Option<super::BirthDate>,
    pub has_pin: bool,
}

/// What kind of movement a transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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
        self.stored_name().into_owned()
    }

    /// The name as stored, lent when it is a fixed one: every commit
    /// hashes the names of its postings, and the platform's need no copy.
    pub fn stored_name(&self) -> Cow<'static, str> {
        let (prefix, member, suffix) = match self {
            Account::Wallet(m) => ("member:", m, ":wallet"),
            Account::Earnings(m) => ("member:", m, ":earnings"),
            Account::Funding(m) => ("external:", m, ":funding"),
            Account::Payout(m) => ("external:", m, ":payout"),
            Account::Platform(p) => {
                return Cow::Borrowed(match p {
                    Platform::CoinSales => "platform:coin_sales",
                    Platform::CoinIssuance => "platform:coin_issuance",
                    Platform::GiftSink => "platform:gift_sink",
                    Platform::DiamondIssuance => "platform:diamond_issuance",
                    Platform::Payouts => "platform:payouts",
                });
            }
        };
        let mut digits = itoa::Buffer::new();
        let id = digits.format(member.0);
        let mut name = String::with_capacity(prefix.len() + id.len() + suffix.len());
        name.push_str(prefix);
        name.push_str(id);
        name.push_str(suffix);
        Cow::Owned(name)
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
    pub const ALL: [Outcome; 3] = [Outcome::Allow, Outcome::NeedsApproval, Outcome::Deny];

    /// As stored and in JSON: `allow`, `needs_approval`, `deny`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::NeedsApproval => "needs_approval",
            Outcome::Deny => "deny",
        }
    }

    /// The stored word back (`None` for anything else).
    pub fn parse(text: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == text)
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreatorList {
    Allow,
    Block,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// What a request asks for: stored with it, shown to the guardian, and run
/// again through the guard when a guardian approves. Tagged, so a stored
/// request can only ever be one of these, with exactly these fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "ask", rename_all = "snake_case", deny_unknown_fields)]
pub enum Asked {
    /// A coin pack from the catalog, by id.
    Pack { pack: String },
    /// An exact number of coins at the best pack rate.
    Coins { coins: u64 },
    /// `count` × a gift (by id) to a creator (by member id).
    Gift {
        creator: MemberId,
        gift: String,
        count: u64,
    },
    /// Cashing out diamonds.
    Redeem { diamonds: u64 },
}

impl Asked {
    /// The request's action column: purchase, gift or redeem.
    pub fn action(&self) -> &'static str {
        match self {
            Asked::Pack { .. } | Asked::Coins { .. } => "purchase",
            Asked::Gift { .. } => "gift",
            Asked::Redeem { .. } => "redeem",
        }
    }

    /// The canonical stored form: one JSON object, keys in a fixed order.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored request's parameters: the tagged form, or the untyped
    /// form requests had before (`{"pack": ...}`, `{"creator": "Ana", ...}`)
    /// with the creator found by name. `Err` names what is wrong.
    pub fn from_stored(
        action: &str,
        params: &str,
        creator_named: impl Fn(&str) -> Option<MemberId>,
    ) -> Result<Asked, String> {
        if let Ok(asked) = serde_json::from_str::<Asked>(params) {
            return if asked.action() == action {
                Ok(asked)
            } else {
                Err(format!(
                    "it is a {action} request that asks for a {}",
                    asked.action()
                ))
            };
        }
        let legacy: serde_json::Value = serde_json::from_str(params)
            .map_err(|e| format!("its parameters are not JSON: {e}"))?;
        let text = |key: &str| {
            legacy
                .get(key)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("its parameters have no {key}"))
        };
        let number = |key: &str| {
            legacy
                .get(key)
                .and_then(serde_json::Value::as_u64)
                .ok_or_else(|| format!("its parameters have no {key}"))
        };
        match action {
            "purchase" if legacy.get("pack").is_some() => Ok(Asked::Pack {
                pack: text("pack")?,
            }),
            "purchase" => Ok(Asked::Coins {
                coins: number("coins")?,
            }),
            "gift" => {
                let name = text("creator")?;
                let creator = creator_named(&name)
                    .ok_or_else(|| format!("its creator {name:?} is not a member"))?;
                Ok(Asked::Gift {
                    creator,
                    gift: text("gift")?,
                    count: number("count")?,
                })
            }
            "redeem" => Ok(Asked::Redeem {
                diamonds: number("diamonds")?,
            }),
            other => Err(format!("its action {other:?} is not one coinguard writes")),
        }
    }
}

#[cfg(test)]
mod asked_tests {
    use super::*;

    fn ana(name: &str) -> Option<MemberId> {
        (name == "Ana").then_some(MemberId(3))
    }

    #[test]
    fn requests_read_their_stored_parameters_old_and_new() {
        let gift = Asked::Gift {
            creator: MemberId(3),
            gift: "rose".into(),
            count: 2,
        };
        assert_eq!(
            gift.to_stored(),
            r#"{"ask":"gift","creator":3,"gift":"rose","count":2}"#
        );
        assert_eq!(
            Asked::from_stored("gift", &gift.to_stored(), ana),
            Ok(gift.clone())
        );
        // What requests stored before the parameters were typed.
        assert_eq!(
            Asked::from_stored("gift", r#"{"creator":"Ana","gift":"rose","count":2}"#, ana),
            Ok(gift)
        );
        assert_eq!(
            Asked::from_stored("purchase", r#"{"pack":"coins-70"}"#, ana),
            Ok(Asked::Pack {
                pack: "coins-70".into()
            })
        );
        assert_eq!(
            Asked::from_stored("purchase", r#"{"coins":250}"#, ana),
            Ok(Asked::Coins { coins: 250 })
        );
        // A row that says one thing in its action and another in its parameters.
        assert!(Asked::from_stored("redeem", r#"{"ask":"pack","pack":"coins-70"}"#, ana).is_err());
        assert!(
            Asked::from_stored("gift", r#"{"creator":"Bo","gift":"rose","count":1}"#, ana)
                .is_err_and(|e| e.contains("\"Bo\" is not a member"))
        );
        assert!(Asked::from_stored("purchase", "{", ana).is_err());
    }
}
