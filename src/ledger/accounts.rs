//! Accounts by name: per member (wallet, earnings), external money (funding,
//! payout) and the platform's own. Created on first use.

use rusqlite::{Connection, OptionalExtension, params};

use super::{CachedSql, LedgerError};
use crate::domain::MemberId;
use crate::money::Currency;

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

/// The account's id, creating it on first use.
pub(crate) fn ensure(
    conn: &Connection,
    account: Account,
    currency: Currency,
) -> Result<i64, LedgerError> {
    let name = account.name();
    if let Some(id) = lookup(conn, &name)? {
        return Ok(id);
    }
    conn.run(
        "INSERT INTO accounts (name, unit) VALUES (?1, ?2)",
        params![name, account.unit().code(currency)],
    )?;
    Ok(conn.last_insert_rowid())
}

fn lookup(conn: &Connection, name: &str) -> Result<Option<i64>, LedgerError> {
    Ok(conn
        .one("SELECT id FROM accounts WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

/// An account's balance in its unit (money in micro-units): one row read.
pub fn balance(conn: &Connection, account: Account) -> Result<i64, LedgerError> {
    Ok(conn
        .one(
            "SELECT b.balance FROM balances b JOIN accounts a ON a.id = b.account_id WHERE a.name = ?1",
            [account.name()],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
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
