//! What a household answers: plain values with their own JSON shape, the
//! same in process, on the wire and under `--json`. Money is always
//! `{"amount": "4.99", "currency": "USD"}`; coins and diamonds are whole
//! numbers; times are RFC 3339 in UTC with the household-local time beside
//! them where people read it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    CreatorList, Kind, LimitAmount, MemberId, Outcome, RequestStatus, Role, Scope, TxId, Window,
};
use crate::money::Money;

/// A limit amount on the wire: money or coins, as in [`LimitAmount`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Amount {
    Money(Money),
    Coins(u64),
}

impl From<LimitAmount> for Amount {
    fn from(a: LimitAmount) -> Amount {
        match a {
            LimitAmount::Money(m) => Amount::Money(m),
            LimitAmount::Coins(c) => Amount::Coins(c.get()),
        }
    }
}

/// Who is asking, as the household sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The OS account (the kernel's word for it, through the service).
    pub account: String,
    /// Through the household service (else the file is opened here).
    pub service: bool,
    /// The members this account may act as (every member in embedded mode).
    pub members: Vec<MemberView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdView {
    pub currency: String,
    pub timezone: String,
    /// The household-local date now (the household's clock).
    pub today: NaiveDate,
    /// The household's clock now (the service's, never the client's).
    pub now: DateTime<Utc>,
    /// The demo household's PIN, printed for everyone: only in the demo.
    pub demo_pin: Option<String>,
    /// Whether a guardian may act from another member's account by typing
    /// their PIN there (a household setting; off unless a guardian turns it on).
    pub approve_in_person: bool,
    /// Answered by the household service (else this process opened the file).
    pub service: bool,
    /// Every creator's name: whom gifts can go to.
    pub creators: Vec<String>,
}

/// A member and what they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: MemberId,
    pub name: String,
    pub role: Role,
    pub birthdate: Option<NaiveDate>,
    pub age: Option<u32>,
    pub has_pin: bool,
    pub coins: u64,
    /// What the coins in the wallet cost (from their lots).
    pub coins_cost: Money,
    pub diamonds: u64,
    /// What the diamonds pay out now.
    pub diamonds_value: Money,
    /// OS accounts that act as this member through the household service.
    pub accounts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MembersView {
    pub members: Vec<MemberView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackView {
    pub id: String,
    pub coins: u64,
    pub price: Money,
    /// The price of one coin, to the micro-unit.
    pub price_per_coin: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftView {
    pub id: String,
    pub name: String,
    pub coins: u64,
    /// Its coins at the best pack rate (an estimate: coins not yet bought).
    pub money_at_best_rate: Money,
    pub creator_diamonds: u64,
    /// What those diamonds pay out.
    pub creator_money: Money,
    /// What stays with the platform: the coins' money at the best rate less
    /// what the creator's diamonds pay out.
    pub platform_keeps: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogView {
    pub currency: String,
    pub packs: Vec<PackView>,
    pub gifts: Vec<GiftView>,
    /// Any exact number of coins costs this each (rounded up to the cent in all).
    pub custom_rate_per_coin: Money,
    pub diamond_share_percent: u32,
    pub diamond_value: Money,
    pub minimum_payout: Money,
    pub grant_value_per_coin: Money,
}

/// A limit with how it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitView {
    pub scope: Scope,
    pub window: Window,
    pub soft: Option<Amount>,
    pub hard: Option<Amount>,
    /// Used in the current window (nothing for single transactions).
    pub used: Amount,
    /// For a gift limit: what the coins used cost.
    pub used_cost: Option<Money>,
    /// Left before the refusal amount (else the approval one).
    pub remaining: Amount,
    /// Of the refusal amount (else the approval one), as the figures read.
    pub percent: i64,
    /// The limit in words: "purchase per week: approval needed above ..., refused above ...".
    pub words: String,
    /// Figures as people read them: coins with their money value.
    pub used_words: String,
    pub remaining_words: String,
    /// With both amounts set: what is left before a guardian must approve
    /// (nothing once it is passed).
    pub before_approval: Option<Amount>,
    /// What is left, in words: "5.01 USD before a guardian must approve,
    /// 20.01 USD before it is refused", or "20.01 USD left".
    pub left_words: String,
    pub cap_words: String,
    /// "this week", "in the last 24 hours", "each time".
    pub window_words: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletView {
    pub member: MemberView,
    pub limits: Vec<LimitView>,
    /// The member's allowance and its next payment, if they have one.
    #[serde(default)]
    pub allowance: Option<AllowanceView>,
    /// What the wallet's coins cost, in allowance terms.
    #[serde(default)]
    pub coins_in_allowance: Option<String>,
}

/// An allowance in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowanceView {
    pub member: String,
    pub every: crate::ledger::allowances::Every,
    pub coins_per_payment: u64,
    /// What one payment is worth: the money given, or the coins at the grant rate.
    pub money_per_payment: Money,
    pub next_due: NaiveDate,
    /// "500 coins (≈7.07 USD) every week on Monday; next on 2026-03-09".
    pub words: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowancesView {
    pub allowances: Vec<AllowanceView>,
}

/// What an age band says a member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgeRules {
    pub purchase: Outcome,
    pub gift: Outcome,
    pub redeem: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHoursView {
    pub from: String,
    pub to: String,
    pub action: Outcome,
    pub words: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatorRule {
    pub creator: String,
    pub list: CreatorList,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesView {
    pub member: String,
    pub age: Option<u32>,
    /// The member's age band (none without a birthdate: treated as an adult).
    pub age_rules: Option<AgeRules>,
    /// Every limit set, as set.
    pub limits: Vec<LimitView>,
    pub quiet_hours: Option<QuietHoursView>,
    pub creators: Vec<CreatorRule>,
    /// What happens with a creator on no list.
    pub unknown_creators: Outcome,
    /// Every creator of the household (for the editor's rows).
    pub all_creators: Vec<String>,
}

/// Why the guard did not simply allow something: its rule, what it alone
/// would make of it, the sentence, and the figures behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonView {
    pub rule: String,
    pub severity: Outcome,
    pub message: String,
    #[serde(flatten)]
    pub figures: serde_json::Map<String, serde_json::Value>,
}

impl Eq for ReasonView {}

impl ReasonView {
    /// Reasons as the guard gave them.
    pub fn of(reasons: &[crate::guard::Reason]) -> Vec<ReasonView> {
        reasons
            .iter()
            .filter_map(|r| serde_json::from_value(r.to_json()).ok())
            .collect()
    }

    /// Reasons as stored with a request or a decision (JSON).
    pub fn stored(json: &str) -> Vec<ReasonView> {
        serde_json::from_str(json).unwrap_or_default()
    }
}

/// What a spending command (or an approval, a grant, a reversal) came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendView {
    /// Allow (done, or would be), needs approval, deny.
    pub outcome: Outcome,
    /// Nothing was written: this is what would happen.
    pub preview: bool,
    pub tx_id: Option<TxId>,
    /// The request made, when a guardian must approve.
    pub request_id: Option<i64>,
    /// The key was seen before: nothing new was written.
    pub replayed: bool,
    pub summary: String,
    pub reasons: Vec<ReasonView>,
    /// For a member with an allowance: the money in its terms ("14.28
    /// USD: about 2 weeks of your allowance").
    #[serde(default)]
    pub allowance_words: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: i64,
    pub member: String,
    pub action: String,
    pub status: RequestStatus,
    pub summary: String,
    pub note: String,
    pub hold_coins: u64,
    /// What the coins held would cost if approved now (from their lots).
    pub hold_cost: Option<Money>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub tx_id: Option<TxId>,
    pub reasons: Vec<ReasonView>,
    /// Set when the request's row is not what the decision that created
    /// it recorded: approving it is refused. Says why.
    #[serde(default)]
    pub changed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsView {
    pub requests: Vec<RequestView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRowView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub time_local: String,
    pub kind: Kind,
    pub member: String,
    pub counterparty: Option<String>,
    pub coins: i64,
    pub diamonds: i64,
    pub money: Money,
    pub detail: String,
    pub memo: String,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub currency: String,
    pub transactions: Vec<HistoryRowView>,
    /// Where the next page starts (give it as `after`), if there is one.
    pub next_page: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatorTotal {
    pub creator: String,
    pub coins: i64,
    pub cost: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalView {
    pub at: DateTime<Utc>,
    pub time_local: String,
    pub summary: String,
    pub reason: String,
}

/// A limit against what the report's span used of its scope. Limits are
/// as set now; the share of the cap is given only when the limit's window
/// is the span (a week limit in a week's report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitUsedView {
    pub scope: Scope,
    pub window: Window,
    pub used: Amount,
    /// The refusal amount, else the approval one.
    pub cap: Option<Amount>,
    pub percent: Option<i64>,
    pub words: String,
}

/// A request made in the span and how it ended (or that it still waits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEndView {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub summary: String,
    pub status: RequestStatus,
    pub resolution: Option<String>,
}

/// Where the money went: of what was spent on coins, what reached creators
/// as diamonds (at the payout rate), what stayed with the platform, and what
/// is still in coins not spent. Exact from the lots (see
/// [`crate::report::money_flow`]); `words` rounds for display, the three
/// parts together so they add up to the whole as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyFlowView {
    pub spent: Money,
    pub to_creators: Money,
    pub to_platform: Money,
    pub unspent: Money,
    pub words: String,
    /// The same figures in a few words, parts joined by " · " (a narrow
    /// screen drops whole parts from the end, never cuts a figure).
    pub short_words: String,
}

impl MoneyFlowView {
    pub fn of(flow: &crate::report::MoneyFlow, currency: crate::money::Currency) -> MoneyFlowView {
        MoneyFlowView {
            spent: Money::from_micros(currency, flow.spent_micros),
            to_creators: Money::from_micros(currency, flow.to_creators_micros),
            to_platform: Money::from_micros(currency, flow.to_platform_micros),
            unspent: Money::from_micros(currency, flow.unspent_micros),
            words: crate::report::flow_words(flow, currency),
            short_words: {
                let [spent, creators, platform, unspent] = flow.for_display(currency);
                let (c, p, u) = (
                    creators.display_amount(),
                    platform.display_amount(),
                    unspent.display_amount(),
                );
                format!("{spent} on coins · creators {c} · platform {p} · unspent {u}")
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub member: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The span holds today: limits and waiting requests are shown.
    pub current: bool,
    pub purchases: Money,
    pub gifts_coins: i64,
    pub gifts_cost: Money,
    pub all: Money,
    /// Only for the current period (limits are judged now).
    pub limits: Option<Vec<LimitView>>,
    pub top_creators: Vec<CreatorTotal>,
    pub refused: i64,
    pub refused_latest: Vec<RefusalView>,
    pub pending_requests: Option<Vec<i64>>,
    /// Where the money spent on coins bought in the span went (as of now).
    pub money_flow: MoneyFlowView,
    /// Each limit against what the span used of its scope.
    pub limits_used: Vec<LimitUsedView>,
    /// Requests made in the span, oldest first, and how each ended.
    pub requests: Vec<RequestEndView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportsView {
    pub reports: Vec<ReportView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub time_local: String,
    pub member: String,
    pub action: String,
    pub outcome: Outcome,
    pub summary: String,
    pub tx_id: Option<i64>,
    pub reasons: Vec<ReasonView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionsView {
    pub decisions: Vec<DecisionView>,
    /// The id to give as `before` for the next page, if there is one.
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub time_local: String,
    pub by: Option<String>,
    pub action: String,
    pub action_words: String,
    pub subject: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardianLogView {
    pub guardian_actions: Vec<ActionView>,
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub time_local: String,
    pub member: String,
    pub member_id: MemberId,
    pub kind: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsView {
    pub alerts: Vec<AlertView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySpend {
    pub day: NaiveDate,
    pub money: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailySpendView {
    pub days: Vec<DaySpend>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemView {
    pub entry: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyView {
    pub ok: bool,
    /// Entries read this time (from `from_mark` when it is set).
    pub transactions: u64,
    pub postings: u64,
    pub accounts: u64,
    pub lots: u64,
    pub decisions: u64,
    pub guardian_actions: u64,
    pub problem: Option<ProblemView>,
    /// The earlier verify this one carried on from (`None`: everything was read).
    #[serde(default)]
    pub from_mark: Option<MarkView>,
    /// What the seals say.
    #[serde(default)]
    pub seals: SealsView,
}

/// An earlier verify's mark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkView {
    pub at: DateTime<Utc>,
    /// The guardian whose PIN sealed it (`None`: a verify without a PIN).
    pub by: Option<String>,
    /// Whether its seal was checked with that guardian's PIN.
    pub checked: bool,
    pub transactions: i64,
    pub decisions: i64,
    pub guardian_actions: i64,
}

/// What the seals say: checked with whose PIN, sealed up to where, what is
/// not sealed yet, and the same in sentences (`words`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealsView {
    /// `None`: seals were not checked (no PIN given).
    pub checked_for: Option<String>,
    pub checked: u64,
    pub not_checked: u64,
    pub total: u64,
    /// The PIN given is an older PIN of the guardian: only the seals made
    /// with it were checked.
    #[serde(default)]
    pub older_pin: bool,
    /// The newest seal of that guardian (or, without a PIN, of anyone).
    pub last: Option<SealPointView>,
    pub unsealed_transactions: i64,
    pub unsealed_decisions: i64,
    pub unsealed_guardian_actions: i64,
    pub words: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealPointView {
    pub at: DateTime<Utc>,
    pub by: Option<String>,
    pub transactions: i64,
    pub decisions: i64,
    pub guardian_actions: i64,
}

/// How far a long call (verify) has got: sent before its answer, a few
/// times a second, when the call asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressView {
    pub stage: ProgressStage,
    /// Entries of this stage checked so far.
    pub done: u64,
    /// About how many there are (0: not counted).
    pub total: u64,
}

/// What a verify is checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStage {
    /// SQLite's own check of the file.
    File,
    Transactions,
    /// Balances, coin lots and spending totals.
    Totals,
    Decisions,
    GuardianActions,
}

impl ProgressStage {
    /// The stage in words ("transactions", "the file").
    pub fn words(&self) -> &'static str {
        match self {
            ProgressStage::File => "the file",
            ProgressStage::Transactions => "transactions",
            ProgressStage::Totals => "balances and totals",
            ProgressStage::Decisions => "guard decisions",
            ProgressStage::GuardianActions => "guardian actions",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReversalPreviewView {
    pub gives_back: String,
    pub warnings: Vec<String>,
}

/// A policy change: who made it, and the value before and after in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    pub by: String,
    pub what: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedView {
    pub by: String,
    pub member: MemberView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountView {
    pub by: String,
    pub count: usize,
}

/// A page of an export: its text, how many transactions it holds, and
/// where the next page starts (give it as `after`), if there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportView {
    pub text: String,
    pub rows: u64,
    pub next: Option<i64>,
}

/// A notify command and how its deliveries stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyCommandView {
    pub id: i64,
    pub command: String,
    /// The event kinds it gets (empty: every kind).
    pub events: Vec<String>,
    /// Only this member's events (none: everyone's).
    pub member: Option<String>,
    /// Events not delivered yet.
    pub waiting: i64,
    pub delivered: i64,
    /// Failed attempts in a row (0: the last one worked, or none yet).
    pub failures: i64,
    /// Failing: that many failures in a row that guardians were told.
    pub failing: bool,
    pub last_error: Option<String>,
    pub failing_since: Option<DateTime<Utc>>,
    /// "#1 `notify-send ...` (every event; everyone's)".
    pub words: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyListView {
    pub commands: Vec<NotifyCommandView>,
    /// Every event kind a command can ask for.
    pub event_kinds: Vec<String>,
}

/// What `notify run` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyRunView {
    /// Weekly summaries recorded now.
    pub summaries: usize,
    /// Event ids delivered, with the command's id.
    pub delivered: Vec<(String, i64)>,
    /// Event ids that failed, with the command's id and why (tried again later).
    pub failed: Vec<(String, i64, String)>,
}

/// One answer per call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    /// The answer to a client's hello: the protocol both now speak.
    Welcome {
        protocol: u32,
        service: String,
    },
    Me(Me),
    Household(HouseholdView),
    Version {
        version: u64,
    },
    Catalog(CatalogView),
    Members(MembersView),
    Wallet(WalletView),
    Rules(RulesView),
    Requests(RequestsView),
    Request(RequestView),
    History(HistoryView),
    Reports(ReportsView),
    Decisions(DecisionsView),
    GuardianLog(GuardianLogView),
    Alerts(AlertsView),
    DailySpend(DailySpendView),
    Verify(VerifyView),
    Spend(SpendView),
    ReversalPreview(ReversalPreviewView),
    Change(ChangeView),
    Added(AddedView),
    Count(CountView),
    Done {
        by: String,
        what: String,
    },
    Export(ExportView),
    Notify(NotifyListView),
    NotifyRun(NotifyRunView),
    Allowances(AllowancesView),
    MoneyFlow(MoneyFlowView),
}
