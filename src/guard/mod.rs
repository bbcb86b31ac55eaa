//! The guard: turns an intent into a decision (allow, needs approval, deny)
//! with reasons, inside the write transaction that will commit it.
//!
//! [`Cleared`] is the door to the ledger: its fields are private and only
//! [`evaluate`] makes one, and only for an intent every rule allows. It borrows
//! the write transaction it was judged in, so it cannot be carried into another
//! one: a decision made on yesterday's numbers cannot be committed today.
//!
//! Rules are small pure functions over facts read in the same transaction.
//! Reasons come out in the documented precedence order (see [`RuleId`]):
//! deny reasons first, then needs-approval reasons, each group in rule order.

mod rules;

use std::marker::PhantomData;

use serde::Serialize;

use crate::config::{Config, Gift, Pack};
use crate::ledger::{Draft, LedgerError, Member, ReversalPlan, WriteTx};
use crate::money::{Coins, Diamonds, Money};

/// A value only the guard can produce: permission to append this draft.
#[derive(Debug)]
pub struct Cleared<'t> {
    draft: Box<Draft>,
    _judged_in: PhantomData<&'t ()>,
}

impl Cleared<'_> {
    /// Hands the draft to the ledger, which is the only caller.
    pub(crate) fn into_draft(self) -> Draft {
        *self.draft
    }
}

/// What someone wants to do.
#[derive(Debug, Clone)]
pub enum Intent {
    Purchase {
        member: Member,
        pack: Pack,
    },
    PurchaseCustom {
        member: Member,
        coins: Coins,
        price: Money,
    },
    Gift {
        member: Member,
        creator: Member,
        gift: Gift,
        count: u64,
        coins: Coins,
        available: Option<Coins>,
    },
    Redeem {
        creator: Member,
        diamonds: Diamonds,
        held: Diamonds,
        payout: Money,
    },
    Grant {
        guardian: Member,
        member: Member,
        coins: Coins,
        value: Money,
    },
    Reversal {
        guardian: Member,
        plan: ReversalPlan,
    },
}

impl Intent {
    /// The member whose money, coins or diamonds move.
    pub fn member(&self) -> &Member {
        match self {
            Intent::Purchase { member, .. }
            | Intent::PurchaseCustom { member, .. }
            | Intent::Gift { member, .. }
            | Intent::Grant { member, .. } => member,
            Intent::Redeem { creator, .. } => creator,
            Intent::Reversal { guardian, .. } => guardian,
        }
    }
}

/// The rules, in precedence order: when several apply, reasons are listed in
/// this order (after sorting deny before needs-approval).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    /// The clock reads earlier than the newest ledger entry.
    ClockSanity,
    /// Who may do what (only guardians grant; only creators receive gifts).
    Role,
    /// Enough coins, diamonds, and at least the minimum payout.
    Funds,
}

impl RuleId {
    pub fn as_str(&self) -> &'static str {
        match self {
            RuleId::ClockSanity => "clock_sanity",
            RuleId::Role => "role",
            RuleId::Funds => "funds",
        }
    }
}

/// How strongly a reason stands against the intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Deny,
    NeedsApproval,
}

/// Why an intent was not simply allowed, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub rule: RuleId,
    pub severity: Severity,
    /// One sentence a parent or teen can act on; coin figures carry money.
    pub message: String,
    /// The figures behind the message (name, value), e.g. ("needed", "350 coins (4.99 USD)").
    pub figures: Vec<(&'static str, String)>,
}

/// The guard's answer.
#[derive(Debug)]
pub enum Verdict<'t> {
    Allow(Cleared<'t>),
    NeedsApproval(Vec<Reason>),
    Deny(Vec<Reason>),
}

/// Facts the rules read, gathered once per evaluation in the write transaction.
pub struct Facts<'a> {
    pub config: &'a Config,
    pub now: chrono::DateTime<chrono::Utc>,
    pub newest_entry_us: Option<i64>,
}

/// Judges `intent` (whose ledger effect is `draft`) inside `write`.
pub fn evaluate<'t>(
    write: &'t WriteTx<'_>,
    config: &Config,
    intent: &Intent,
    draft: Draft,
) -> Result<Verdict<'t>, LedgerError> {
    let facts = Facts {
        config,
        now: write.now(),
        newest_entry_us: crate::ledger::newest_entry_at(write.sql())?,
    };
    let mut reasons = rules::all(&facts, intent);
    reasons.sort_by_key(|r| (r.severity, r.rule));
    Ok(match reasons.first().map(|r| r.severity) {
        None => Verdict::Allow(Cleared {
            draft: Box::new(draft),
            _judged_in: PhantomData,
        }),
        Some(Severity::Deny) => Verdict::Deny(reasons),
        Some(Severity::NeedsApproval) => Verdict::NeedsApproval(reasons),
    })
}
