//! What a client can ask of a household: one enum, the same in process and
//! on the wire (`{"call": "wallet", "member": "Sam"}`). Names, amounts and
//! dates travel as people typed them and are parsed by the household, so a
//! bad one gets the same message whichever way it came.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::{Outcome, RequestStatus, Role, Scope, Window};

/// A guardian's PIN for one action, and which guardian (left out when the
/// household has one).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardianAuth {
    pub guardian: Option<String>,
    pub pin: String,
}

/// PINs never appear in logs or debug output.
impl std::fmt::Debug for GuardianAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardianAuth")
            .field("guardian", &self.guardian)
            .field("pin", &"<hidden>")
            .finish()
    }
}

/// What a spending command asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case", deny_unknown_fields)]
pub enum Spend {
    Pack {
        member: String,
        pack: String,
    },
    Coins {
        member: String,
        coins: String,
    },
    Gift {
        member: String,
        creator: String,
        gift: String,
        count: String,
    },
    Redeem {
        creator: String,
        diamonds: String,
    },
}

impl Spend {
    /// The member whose coins, money or diamonds move.
    pub fn member(&self) -> &str {
        match self {
            Spend::Pack { member, .. }
            | Spend::Coins { member, .. }
            | Spend::Gift { member, .. } => member,
            Spend::Redeem { creator, .. } => creator,
        }
    }
}

/// Which transactions a history page or an export holds. Dates are
/// household-local and inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    pub member: Option<String>,
    pub creator: Option<String>,
    pub kind: Option<crate::domain::Kind>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Which log entries to show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    pub member: Option<String>,
    /// For the decision log.
    pub outcome: Option<Outcome>,
    /// For the guardian-action log: a code or its words.
    pub action: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Entries older than this id (the next page).
    pub before: Option<i64>,
    pub limit: usize,
}

/// Quiet hours as typed: `HH:MM` to `HH:MM`, and what happens inside them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursSpec {
    pub from: String,
    pub to: String,
    /// `deny` or `needs_approval`.
    pub action: Outcome,
}

/// Everything a client may ask. Reads first, then spending, then what a
/// guardian does with their PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case", deny_unknown_fields)]
pub enum Call {
    /// Who the household thinks is asking, and whom they may act as.
    WhoAmI,
    /// Currency, time zone, today, the members one may see.
    Household,
    /// A counter that moves whenever anything in the household changes:
    /// clients poll it to refresh.
    Version,
    Catalog,
    Members,
    /// A member's coins, diamonds and limits.
    Wallet {
        member: String,
    },
    /// A member's rules: limits, quiet hours, creator lists, age rules.
    Rules {
        member: String,
    },
    Requests {
        status: Option<RequestStatus>,
        member: Option<String>,
        limit: usize,
    },
    Request {
        id: i64,
    },
    History {
        query: HistoryQuery,
        /// `at_us.id` of the last row of the previous page.
        after: Option<String>,
        limit: usize,
    },
    /// Totals for a span of household-local days, per member.
    Report {
        member: Option<String>,
        first_day: NaiveDate,
        last_day: NaiveDate,
    },
    Decisions {
        query: LogQuery,
    },
    GuardianLog {
        query: LogQuery,
    },
    Alerts,
    /// Money spent on coins per household-local day, `first..=last`.
    DailySpend {
        first: NaiveDate,
        last: NaiveDate,
    },
    /// Verifies everything, without a PIN (seals are read, not checked):
    /// the same as `VerifyWith { incremental: false, seal: None }`. With
    /// `progress`, the household service sends how far it has got
    /// ([`crate::api::wire::Answer::Progress`] lines) before the answer;
    /// left out, the call travels as it always did.
    Verify {
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        progress: bool,
    },
    /// Verifies, checking the seals of the guardian whose PIN is given.
    /// `incremental`: only what is new since the last verify's mark (the
    /// mark must be sealed by that guardian when a PIN is given); a row
    /// edited in place before the mark is found only by a full verify.
    /// `progress` as for [`Call::Verify`].
    VerifyWith {
        #[serde(default)]
        incremental: bool,
        #[serde(default)]
        seal: Option<GuardianAuth>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        progress: bool,
    },

    /// Buy, gift or redeem; `preview` writes nothing. A member with a PIN
    /// gives it.
    Spend {
        spend: Spend,
        preview: bool,
        key: Option<String>,
        pin: Option<String>,
    },
    Grant {
        member: String,
        coins: String,
        memo: String,
        key: Option<String>,
        auth: GuardianAuth,
    },
    /// What reversing a transaction would give back, before the PIN.
    ReversalPreview {
        tx: i64,
    },
    Reverse {
        tx: i64,
        reason: String,
        key: Option<String>,
        auth: GuardianAuth,
    },
    Approve {
        id: i64,
        auth: GuardianAuth,
    },
    Deny {
        id: i64,
        reason: String,
        auth: GuardianAuth,
    },
    Cancel {
        id: i64,
        pin: Option<String>,
    },
    AskAgain {
        id: i64,
        note: String,
        pin: Option<String>,
    },
    AddMember {
        name: String,
        role: Role,
        birthdate: Option<String>,
        new_pin: Option<String>,
        /// Use a PIN of digits only or a common one anyway.
        #[serde(default)]
        accept_weak_pin: bool,
        auth: GuardianAuth,
    },
    SetPin {
        member: String,
        new_pin: String,
        #[serde(default)]
        accept_weak_pin: bool,
        auth: GuardianAuth,
    },
    SetLimit {
        member: String,
        scope: Scope,
        window: Window,
        soft: Option<String>,
        hard: Option<String>,
        auth: GuardianAuth,
    },
    RemoveLimit {
        member: String,
        scope: Scope,
        window: Window,
        auth: GuardianAuth,
    },
    SetQuietHours {
        member: String,
        quiet: Option<QuietHoursSpec>,
        auth: GuardianAuth,
    },
    SetCreatorList {
        member: String,
        creator: String,
        list: Option<crate::domain::CreatorList>,
        auth: GuardianAuth,
    },
    AckAlerts {
        id: Option<i64>,
        auth: GuardianAuth,
    },
    /// An OS account acts as this member through the household service.
    Link {
        member: String,
        os_user: String,
        auth: GuardianAuth,
    },
    Unlink {
        member: String,
        os_user: String,
        auth: GuardianAuth,
    },
    /// Whether a guardian may act from another member's OS account by
    /// typing their PIN there.
    SetApproveInPerson {
        on: bool,
        auth: GuardianAuth,
    },
    /// Checks a member's PIN (signing in to the terminal interface),
    /// counted like any PIN attempt, with the lockout. Through the service,
    /// only for the members the asking account acts as.
    CheckPin {
        member: String,
        pin: PinText,
    },
    /// What approving a waiting request now would do, writing nothing: the
    /// guard judges it as at approval (guardians only; no PIN, since nothing
    /// is decided).
    ApprovalPreview {
        id: i64,
    },
    /// What asking again for a denied, expired, cancelled or refused request
    /// would do now, writing nothing: a would-be refusal only says why.
    AskAgainPreview {
        id: i64,
    },
    /// A page of an export (CSV, JSON or an hledger journal), oldest first:
    /// the transactions after `after` (from the start when `None`), at most
    /// `limit` (capped at [`crate::report::MAX_EXPORT_PAGE`]). The pages
    /// joined are the whole export, byte for byte.
    Export {
        query: HistoryQuery,
        format: crate::report::Format,
        after: Option<i64>,
        limit: usize,
    },
    /// The notify commands and how their deliveries stand (guardians).
    NotifyList,
    /// Runs `command` for every event from now on (of `events`, empty:
    /// every kind; of `member`, none: everyone's).
    NotifyAdd {
        command: String,
        #[serde(default)]
        events: Vec<String>,
        member: Option<String>,
        auth: GuardianAuth,
    },
    NotifyRemove {
        id: i64,
        auth: GuardianAuth,
    },
    /// Delivers what is due, in this process (a household file only: the
    /// household service delivers by itself), each command at most
    /// `timeout_secs`; first records last week's summaries if not yet.
    NotifyRun {
        timeout_secs: Option<String>,
    },
    /// Where the money spent on coins bought in the days given (household-
    /// local, inclusive; none: from the start, to now) went, for the members
    /// the caller may see. Separate from `Catalog`, which screens ask for
    /// at every load: this one reads every purchase in the span.
    MoneyFlow {
        first_day: Option<NaiveDate>,
        last_day: Option<NaiveDate>,
    },
    /// The allowances in force (a guardian sees every one, a member their own).
    AllowanceList,
    /// Sets a member's allowance (coins or money, not both), replacing the
    /// one in force. `every`: day, week or month; `on`: a weekday for
    /// weekly, a day 1-28 for monthly.
    AllowanceSet {
        member: String,
        coins: Option<String>,
        money: Option<String>,
        every: String,
        on: Option<String>,
        auth: GuardianAuth,
    },
    AllowanceStop {
        member: String,
        auth: GuardianAuth,
    },
}

/// An export's format, as clients name it (the terminal interface reaches
/// the household only through this API, not the report module).
pub use crate::report::Format as ExportFormat;

/// A PIN in a call: sent as a plain string, never shown in debug output.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PinText(pub String);

impl std::fmt::Debug for PinText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

impl Call {
    /// Whether answering changes the household (so the version moves).
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Call::WhoAmI
                | Call::Household
                | Call::Version
                | Call::Catalog
                | Call::Members
                | Call::Wallet { .. }
                | Call::Rules { .. }
                | Call::Requests { .. }
                | Call::Request { .. }
                | Call::History { .. }
                | Call::Report { .. }
                | Call::Decisions { .. }
                | Call::GuardianLog { .. }
                | Call::Alerts
                | Call::DailySpend { .. }
                | Call::Verify { .. }
                | Call::VerifyWith { .. }
                | Call::ReversalPreview { .. }
                | Call::Spend { preview: true, .. }
                | Call::ApprovalPreview { .. }
                | Call::AskAgainPreview { .. }
                | Call::Export { .. }
                | Call::NotifyList
                | Call::AllowanceList
                | Call::MoneyFlow { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The calls the terminal interface added travel as JSON lines like
    /// the others, and a PIN in one never shows in debug output.
    #[test]
    fn the_interfaces_calls_round_trip_and_hide_their_pin() {
        let calls = [
            Call::CheckPin {
                member: "Sam".into(),
                pin: PinText("a secret pin".into()),
            },
            Call::ApprovalPreview { id: 7 },
            Call::AskAgainPreview { id: 6 },
            Call::Export {
                query: HistoryQuery::default(),
                format: ExportFormat::Hledger,
                after: None,
                limit: 100,
            },
        ];
        for call in calls {
            let line = serde_json::to_string(&call).unwrap();
            assert_eq!(serde_json::from_str::<Call>(&line).unwrap(), call, "{line}");
            assert!(!call.writes() || matches!(call, Call::CheckPin { .. }));
        }
        let check = Call::CheckPin {
            member: "Sam".into(),
            pin: PinText("a secret pin".into()),
        };
        assert_eq!(
            serde_json::to_value(&check).unwrap(),
            serde_json::json!({"call": "check_pin", "member": "Sam", "pin": "a secret pin"})
        );
        assert!(!format!("{check:?}").contains("secret"));
        assert!(check.writes(), "a PIN attempt is recorded");
    }
}
