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

mod intent;
mod rules;

pub use intent::{Bought, Intent, coins_and_money, diamonds_for, reversal_detail};

use std::marker::PhantomData;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::domain::{Outcome, Window};
use crate::ledger::{CreatorList, Draft, LedgerError, Limit, QuietHours, Spend, WriteTx};

/// A value only the guard can produce: permission to append this draft, in
/// the one write transaction it was judged in (`'id` is that transaction's
/// brand; see [`WriteTx`]).
///
/// Committing it through another transaction does not compile:
///
/// ```compile_fail
/// use coinguard::guard::{self, Approval, Intent, Judgement};
/// use coinguard::ledger::{self, Draft, LedgerError, Store};
/// use coinguard::config::Config;
/// use coinguard::domain::Clock;
///
/// fn smuggle(a: &mut Store, b: &mut Store, clock: &dyn Clock, config: &Config, intent: &Intent, draft: Draft) {
///     let _ = a.write(clock, |in_a| -> Result<(), LedgerError> {
///         if let Judgement::Allow(cleared, _) = guard::evaluate(in_a, config, intent, draft, Approval::None)? {
///             // Judged in `a`, appended through `b`: refused by the compiler.
///             b.write(clock, |in_b| ledger::append(in_b, cleared).map(|_| ()))?;
///         }
///         Ok(())
///     });
/// }
/// ```
///
/// The same code committing through the transaction it was judged in compiles:
///
/// ```no_run
/// use coinguard::guard::{self, Approval, Intent, Judgement};
/// use coinguard::ledger::{self, Draft, LedgerError, Store};
/// use coinguard::config::Config;
/// use coinguard::domain::Clock;
///
/// fn commit(a: &mut Store, _b: &mut Store, clock: &dyn Clock, config: &Config, intent: &Intent, draft: Draft) {
///     let _ = a.write(clock, |in_a| -> Result<(), LedgerError> {
///         if let Judgement::Allow(cleared, _) = guard::evaluate(in_a, config, intent, draft, Approval::None)? {
///             ledger::append(in_a, cleared).map(|_| ())?;
///         }
///         Ok(())
///     });
/// }
/// ```
#[derive(Debug)]
pub struct Cleared<'id> {
    draft: Box<Draft>,
    /// What the draft adds to the spend totals, as the limits judged it:
    /// `append` records this very value, so what was judged and what is
    /// counted cannot differ.
    spend: Spend,
    _judged_in: PhantomData<fn(&'id ()) -> &'id ()>,
}

impl Cleared<'_> {
    /// Hands the draft and its judged spend to the ledger, the only caller.
    pub(crate) fn into_parts(self) -> (Draft, Spend) {
        (*self.draft, self.spend)
    }
}

#[cfg(test)]
impl Cleared<'_> {
    /// A draft passed without judging, for the ledger's unit tests of what
    /// `append` refuses on its own, whatever the guard let through. Not in
    /// any build but the library's own unit tests.
    pub(crate) fn unjudged(draft: Draft, spend: Spend) -> Self {
        Cleared {
            draft: Box::new(draft),
            spend,
            _judged_in: PhantomData,
        }
    }
}

/// The rules, in precedence order: when several apply, reasons are listed in
/// this order (after sorting deny before needs-approval).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    /// The clock reads earlier than the newest ledger entry.
    ClockSanity,
    /// Who may do what (only guardians grant; only creators receive gifts).
    Role,
    /// What a member may do at their age (config/age_bands.toml).
    AgeBand,
    /// Enough coins or diamonds.
    Funds,
    /// A redemption pays at least the minimum payout.
    MinimumPayout,
    /// A hard limit: above it is denied.
    HardLimit,
    /// Quiet hours: no spending at night (deny or needs approval).
    QuietHours,
    /// Creator allow and block lists.
    CreatorList,
    /// A soft limit: above it needs a guardian's approval.
    SoftLimit,
}

impl RuleId {
    pub fn as_str(&self) -> &'static str {
        match self {
            RuleId::ClockSanity => "clock_sanity",
            RuleId::Role => "role",
            RuleId::AgeBand => "age_band",
            RuleId::Funds => "funds",
            RuleId::MinimumPayout => "minimum_payout",
            RuleId::HardLimit => "hard_limit",
            RuleId::QuietHours => "quiet_hours",
            RuleId::CreatorList => "creator_list",
            RuleId::SoftLimit => "soft_limit",
        }
    }

    /// Whether a guardian approving now sets this rule aside whatever it
    /// says. Quiet hours keep a member from spending unsupervised; an
    /// approval is a guardian's own decision, made now, so quiet hours do
    /// not stop it (even set to refuse). Every other refusal stands: money
    /// (hard limits, funds, the minimum payout), age bans, blocked
    /// creators, roles and the clock; and every "ask a guardian" reason is
    /// answered by the approval itself.
    pub fn yields_to_approval(&self) -> bool {
        matches!(self, RuleId::QuietHours)
    }
}

/// Why an intent was not simply allowed, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub rule: RuleId,
    /// What this reason alone would make of the intent: `Deny` or
    /// `NeedsApproval` (a reason never says `Allow`).
    pub severity: Outcome,
    /// One sentence a parent or teen can act on; coin figures carry money.
    pub message: String,
    /// The figures behind the message (name, value), e.g. ("needed", 350
    /// coins worth 4.99 USD): the same numbers, for programs.
    pub figures: Vec<(Cow<'static, str>, Figure)>,
}

/// A number behind a reason. In JSON money is `{"amount", "currency"}` as
/// everywhere; coins carry their money value and whether it is what those
/// coins cost (known coins) or an estimate at the best pack rate (an amount,
/// such as a limit); for people each reads as in the messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Figure {
    Money(crate::money::Money),
    Coins {
        coins: i64,
        value: crate::money::Money,
        estimated: bool,
    },
    Diamonds {
        diamonds: i64,
        value: crate::money::Money,
    },
    Text(String),
}

impl Figure {
    /// An amount of coins valued at the best pack rate (an estimate).
    pub fn estimated_coins(coins: i64, economy: &crate::config::Economy) -> Figure {
        let exact = economy
            .value_at_best_rate(coins.max(0).unsigned_abs())
            .unwrap_or_default();
        let value = crate::money::rounding::for_display(exact, economy.currency);
        Figure::Coins {
            coins,
            value: crate::money::Money::from_decimal(economy.currency, value)
                .unwrap_or(crate::money::Money::zero(economy.currency)),
            estimated: true,
        }
    }
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = |n: i64| crate::money::Coins::from_i64(n.max(0)).unwrap_or_default();
        match self {
            Figure::Money(m) => write!(f, "{m}"),
            Figure::Coins {
                coins,
                value,
                estimated: true,
            } => write!(f, "{} (≈{value})", count(*coins)),
            Figure::Coins { coins, value, .. } => write!(f, "{} ({value})", count(*coins)),
            Figure::Diamonds { diamonds, value } => write!(
                f,
                "{} ({value})",
                crate::money::Diamonds::from_i64((*diamonds).max(0)).unwrap_or_default()
            ),
            Figure::Text(t) => f.write_str(t),
        }
    }
}

impl Reason {
    /// `{"rule", "severity", "message", <figures>...}`: the shape the CLI's
    /// `--json` and the decision log share.
    pub fn to_json(&self) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        object.insert("rule".into(), self.rule.as_str().into());
        object.insert("severity".into(), self.severity.as_str().into());
        object.insert("message".into(), self.message.clone().into());
        for (name, value) in &self.figures {
            object.insert(
                name.to_string(),
                serde_json::to_value(value).unwrap_or_default(),
            );
        }
        serde_json::Value::Object(object)
    }

    /// Reads back a reason [`Reason::to_json`] wrote (as the decision log
    /// and requests store them), so a replayed key returns the very reasons
    /// of the first result. `None` for anything else.
    pub fn from_json(value: &serde_json::Value) -> Option<Reason> {
        let object = value.as_object()?;
        let rule: RuleId = serde_json::from_value(object.get("rule")?.clone()).ok()?;
        let severity = Outcome::parse(object.get("severity")?.as_str()?)?;
        let message = object.get("message")?.as_str()?.to_string();
        let mut figures = Vec::new();
        for (name, value) in object {
            if matches!(name.as_str(), "rule" | "severity" | "message") {
                continue;
            }
            let figure: Figure = serde_json::from_value(value.clone()).ok()?;
            figures.push((Cow::Owned(name.clone()), figure));
        }
        Some(Reason {
            rule,
            severity,
            message,
            figures,
        })
    }
}

/// Reasons from their stored JSON array; `None` if any cannot be read.
pub fn reasons_from_json(text: &str) -> Option<Vec<Reason>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.as_array()?.iter().map(Reason::from_json).collect()
}

/// All reasons as a JSON array, as the decision log and requests store
/// them. Nearly every decision has none: that is "[]", written without
/// building a JSON value.
pub fn reasons_json(reasons: &[Reason]) -> String {
    if reasons.is_empty() {
        return "[]".to_string();
    }
    serde_json::Value::Array(reasons.iter().map(Reason::to_json).collect()).to_string()
}

/// The guard's answer: its [`Outcome`], carrying the permission to commit
/// when it allows.
#[derive(Debug)]
pub enum Judgement<'id> {
    /// Go ahead; with how each limit stood, for threshold alerts.
    Allow(Cleared<'id>, Vec<LimitUse>),
    NeedsApproval(Vec<Reason>),
    Deny(Vec<Reason>),
}

impl Judgement<'_> {
    /// Allow, needs approval, or deny.
    pub fn outcome(&self) -> Outcome {
        match self {
            Judgement::Allow(..) => Outcome::Allow,
            Judgement::NeedsApproval(_) => Outcome::NeedsApproval,
            Judgement::Deny(_) => Outcome::Deny,
        }
    }
}

/// How an allowed intent meets one limit: what was used before it and what
/// it adds, in the limit's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitUse {
    pub limit: Limit,
    pub used_before: i64,
    pub this: i64,
    /// For a gift limit: what the coins used, this gift's included, cost.
    pub cost_after: i64,
}

impl LimitUse {
    /// The alert thresholds (50, 80, 100 percent of the limit's cap) this
    /// intent crosses. Single-transaction limits do not accumulate, so none.
    pub fn crossed(&self) -> Vec<u32> {
        let Some(cap) = self.limit.cap().map(|a| a.units()) else {
            return Vec::new();
        };
        if self.limit.window == Window::Transaction {
            return Vec::new();
        }
        let after = self.used_before.saturating_add(self.this);
        [50u32, 80, 100]
            .into_iter()
            .filter(|pct| crosses(self.used_before, after, cap, *pct))
            .collect()
    }
}

/// Whether going from `before` to `after` reaches `pct` percent of `cap`,
/// the mark being that share rounded up to a whole unit. An amount reaches
/// ⌈cap × pct / 100⌉ exactly when 100 × amount ≥ cap × pct, so this needs
/// no division (an `i128` division is a library call, made three times per
/// limit on every commit).
fn crosses(before: i64, after: i64, cap: i64, pct: u32) -> bool {
    let mark = i128::from(cap) * i128::from(pct);
    i128::from(before) * 100 < mark && i128::from(after) * 100 >= mark
}

/// Whether a guardian is approving this intent right now (with their PIN).
/// Approval overrides needs-approval reasons and quiet hours (see
/// [`RuleId::yields_to_approval`]), never the other deny reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    None,
    GivenNow,
}

/// Facts the rules read, gathered once per evaluation in the write transaction.
pub struct Facts<'a> {
    pub config: &'a Config,
    pub now: chrono::DateTime<chrono::Utc>,
    pub local: chrono::DateTime<chrono_tz::Tz>,
    pub newest_entry_us: Option<i64>,
    /// The member's limits that apply to this intent, each with what was
    /// already spent in its window.
    pub limits: Vec<(Limit, Spend)>,
    pub quiet_hours: Option<QuietHours>,
    /// Where the gift's creator stands on the member's lists.
    pub creator_list: Option<CreatorList>,
    /// What the draft spends in each scope: the same figures the spend
    /// totals will record if it commits, so the guard judges exactly what
    /// will be counted.
    pub this: Spend,
    /// For a gift: what the coins available to it cost (FIFO, from the lots).
    pub available_cost: Option<i64>,
}

fn gather<'a>(
    write: &WriteTx<'_, '_>,
    config: &'a Config,
    intent: &Intent,
    this: Spend,
) -> Result<Facts<'a>, LedgerError> {
    let now = write.now();
    let tz = config.settings.timezone;
    let member = intent.member().id;
    let mut facts = Facts {
        config,
        now,
        local: now.with_timezone(&tz),
        newest_entry_us: write.newest_entry_at()?,
        limits: Vec::new(),
        quiet_hours: None,
        creator_list: None,
        this,
        available_cost: None,
    };
    if intent.is_spending() {
        let limits: Vec<_> = write
            .limits_of(member)?
            .into_iter()
            .filter(|l| intent.scopes().contains(&l.scope))
            .collect();
        // Every window these limits need, summed in one read.
        let mut wanted: Vec<Window> = Vec::new();
        for limit in &limits {
            if !wanted.contains(&limit.window) {
                wanted.push(limit.window);
            }
        }
        let windows = write.spent_in_windows(member, &wanted)?;
        for limit in limits {
            let used = windows
                .iter()
                .find(|(w, _)| *w == limit.window)
                .map_or_else(Spend::default, |(_, used)| *used);
            facts.limits.push((limit, used));
        }
        facts.quiet_hours = write.quiet_hours_of(member)?;
    }
    if let Intent::Gift {
        creator,
        available,
        available_cost,
        ..
    } = intent
    {
        facts.creator_list = write.creator_list(member, creator.id)?;
        facts.available_cost = (available.get() > 0).then_some(*available_cost);
    }
    Ok(facts)
}

/// Judges `intent` (whose ledger effect is `draft`) inside `write`.
pub fn evaluate<'id>(
    write: &WriteTx<'_, 'id>,
    config: &Config,
    intent: &Intent,
    draft: Draft,
    approval: Approval,
) -> Result<Judgement<'id>, LedgerError> {
    let this = crate::ledger::spend_of_draft(write.sql(), &draft)?;
    let facts = gather(write, config, intent, this)?;
    let mut reasons = rules::all(&facts, intent);
    if approval == Approval::GivenNow {
        reasons.retain(|r| !r.rule.yields_to_approval());
    }
    // Refusals first, then what needs approval, each in rule order.
    reasons.sort_by_key(|r| (r.severity != Outcome::Deny, r.rule));
    let usage = facts
        .limits
        .iter()
        .map(|(limit, spent)| LimitUse {
            limit: *limit,
            used_before: if limit.window == Window::Transaction {
                0
            } else {
                spent.for_scope(limit.scope).max(0)
            },
            this: this.for_scope(limit.scope),
            cost_after: if limit.window == Window::Transaction {
                this.gift_cost_micros
            } else {
                spent.gift_cost_micros.saturating_add(this.gift_cost_micros)
            },
        })
        .collect();
    let allow = || {
        Judgement::Allow(
            Cleared {
                draft: Box::new(draft),
                spend: this,
                _judged_in: PhantomData,
            },
            usage,
        )
    };
    Ok(match (reasons.first().map(|r| r.severity), approval) {
        (None | Some(Outcome::Allow), _) | (Some(Outcome::NeedsApproval), Approval::GivenNow) => {
            allow()
        }
        (Some(Outcome::Deny), _) => Judgement::Deny(reasons),
        (Some(Outcome::NeedsApproval), Approval::None) => Judgement::NeedsApproval(reasons),
    })
}

#[cfg(test)]
mod tests {
    use super::{crosses, reasons_json};

    #[test]
    fn no_reasons_are_stored_as_serde_json_writes_an_empty_array() {
        assert_eq!(
            reasons_json(&[]),
            serde_json::Value::Array(Vec::new()).to_string()
        );
    }

    /// The mark as alerts always defined it: the share of the cap rounded
    /// up to a whole unit, reached when the amount is at or above it.
    fn crosses_by_rounded_mark(before: i64, after: i64, cap: i64, pct: u32) -> bool {
        let mark = (i128::from(cap) * i128::from(pct) + 99).div_euclid(100);
        i128::from(before) < mark && i128::from(after) >= mark
    }

    #[test]
    fn a_mark_is_reached_at_its_rounded_up_share_of_the_cap() {
        // 80% of 999 coins is 799.2: the alert comes at 800, not at 799.
        assert!(!crosses(0, 799, 999, 80));
        assert!(crosses(0, 800, 999, 80));
        assert!(!crosses(800, 900, 999, 80), "already past it before");
        assert!(crosses(499_999, 500_000, 1_000_000, 50));
    }

    proptest::proptest! {
        #[test]
        fn the_mark_needs_no_division(
            before in 0i64..2_000_000,
            this in 0i64..2_000_000,
            cap in 1i64..2_000_000,
            pct in proptest::sample::select(vec![50u32, 80, 100]),
        ) {
            let after = before + this;
            proptest::prop_assert_eq!(
                crosses(before, after, cap, pct),
                crosses_by_rounded_mark(before, after, cap, pct)
            );
        }
    }
}
