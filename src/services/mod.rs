//! Services: purchase, gift, redeem, grant, reverse, and household set-up.
//! Each builds an intent and its ledger draft, checks the idempotency key, runs
//! the guard and commits through the door, all in one `BEGIN IMMEDIATE`
//! transaction. A preview runs the same code in a transaction that is rolled back.

pub mod allowance;
mod demo;
mod household;
mod links;
pub mod notify;
mod policy;
mod requests;
mod spend;
mod timekeeping;
mod verify;

use crate::domain::{DomainError, TxId};
use crate::guard::Reason;
use crate::ledger::LedgerError;
use crate::money::MoneyError;

pub use demo::{DEMO_MARKER, DEMO_PIN, DEMO_STEPS, DemoSummary, demo_pin, seed_demo};
pub use household::init_household;
pub use links::{link_account, parse_os_user, set_approve_in_person, unlink_account};
pub use policy::{
    Change, LimitSpec, acknowledge_alerts, add_member, describe_limit, describe_quiet_hours,
    describe_thresholds, open_alerts, parse_limit_amount, remove_limit, set_creator_list,
    set_limit, set_pin, set_quiet_hours, show_amount, show_limit_amount,
};
pub use requests::{
    approve, ask_again, cancel, deny, list_requests, preview_approval, request, request_summary,
};
pub use spend::{
    GiftRequest, GrantRequest, PurchaseRequest, RedeemRequest, ReversalPreview, ReverseRequest,
    gift, grant, preview_reversal, purchase, redeem, reverse,
};
pub use timekeeping::{expire_due_requests, next_expiry};
pub use verify::{VerifyRequest, describe_seals, verify};

/// Whether to commit or only show what would happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Commit,
    Preview,
}

/// The result of a spending command, with everything a person needs to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The guard's verdict, the one vocabulary the guard, the decision log
    /// and the wire share: `Allow` wrote transaction `tx` (or, in a
    /// preview, would write it: `tx` is `None`), `NeedsApproval` made (or
    /// found) `request`, `Deny` wrote nothing but the refusal.
    pub verdict: crate::domain::Outcome,
    pub tx: Option<TxId>,
    /// The request created (or found, on a replayed key) when approval is needed.
    pub request: Option<i64>,
    /// True when the key was seen before: nothing new was written.
    pub replayed: bool,
    /// One line: what happened, coins with their money value.
    pub summary: String,
    pub reasons: Vec<Reason>,
    /// What it is worth in money, where that is known (a purchase's price,
    /// a gift's cost from the lots), in micro-units: for saying it in a
    /// member's allowance terms.
    pub money_micros: Option<i64>,
}

impl Outcome {
    /// Written to the ledger (now, or earlier under the same key).
    pub fn is_committed(&self) -> bool {
        self.verdict == crate::domain::Outcome::Allow && self.tx.is_some()
    }

    /// The outcome in one word, as the JSON and scenario files spell it:
    /// `committed`, `would_commit`, `pending` or `denied`.
    pub fn word(&self) -> &'static str {
        match (self.verdict, self.tx) {
            (crate::domain::Outcome::Allow, Some(_)) => "committed",
            (crate::domain::Outcome::Allow, None) => "would_commit",
            (crate::domain::Outcome::NeedsApproval, _) => "pending",
            (crate::domain::Outcome::Deny, _) => "denied",
        }
    }
}

/// Everything a service can refuse before the guard is asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("there is no coin pack \"{given}\"; packs are: {known}")]
    UnknownPack { given: String, known: String },
    #[error("there is no gift \"{given}\"; gifts are: {known}")]
    UnknownGift { given: String, known: String },
    #[error("{name} needs a birthdate (YYYY-MM-DD): age rules depend on it")]
    BirthdateRequired { name: String },
    #[error("{name} is a guardian and needs a PIN or passphrase from the start; nothing was added")]
    GuardianNeedsPin { name: String },
    #[error("give --soft (needs approval above it), --hard (refused above it), or both")]
    LimitNeedsAmount,
    #[error("a {scope} limit counts {wanted}: give its amounts in {wanted}")]
    AmountOfOtherKind {
        scope: crate::domain::Scope,
        wanted: &'static str,
    },
    #[error(
        "the soft amount (approval needed above it) must not be above the hard amount (refused above it)"
    )]
    SoftAboveHard,
    #[error("{member} has no {scope} limit per {window}; see `coinguard limit list {member}`")]
    NoSuchLimit {
        member: String,
        scope: crate::domain::Scope,
        window: crate::domain::Window,
    },
    /// Quiet hours whose action is "allow" (they would do nothing).
    #[error(
        "quiet hours need the action deny or needs-approval; to lift them, turn them off (--off)"
    )]
    EmptyQuietHours,
    #[error(
        "quiet hours from {at} to {at} would last no time at all: they need a start and an end that differ (21:00 to 07:00 crosses midnight)"
    )]
    QuietHoursSameTimes { at: String },
    #[error("{name} is not a creator; only creators go on allow and block lists")]
    NotACreator { name: String },
    #[error("{name} cannot send a gift to themselves; gifts go to a creator")]
    GiftToSelf { name: String },
    #[error("{name} is a {role}, not a creator: only creators receive gifts. Creators: {creators}")]
    GiftToNonCreator {
        name: String,
        role: crate::domain::Role,
        creators: String,
    },
    #[error(transparent)]
    Auth(crate::auth::AuthError),
    #[error("there is no request #{id}; see `coinguard request list`")]
    UnknownRequest { id: i64 },
    #[error("request #{id} is {status}, not pending: nothing to do")]
    NotPending { id: i64, status: &'static str },
    #[error(
        "request #{id} is {status}: only a denied, expired or cancelled request can be asked again"
    )]
    StillOpen { id: i64, status: &'static str },
    #[error("request #{id} is not {name}'s to cancel")]
    NotYourRequest { id: i64, name: String },
    #[error("give a reason (--reason TEXT): the member will see it")]
    ReasonRequired,
    #[error("there is no open alert #{id}; see `coinguard alert list`")]
    NoSuchAlert { id: i64 },
    #[error(
        "\"{given}\" is not an OS account name (letters, digits, '.', '_' and '-', at most 64)"
    )]
    BadOsUser { given: String },
    #[error("there is no OS account \"{name}\" on this computer; create it first (useradd)")]
    NoSuchOsUser { name: String },
    #[error("OS account {os_user} is not linked to {member}; see `coinguard member list`")]
    NotLinked { member: String, os_user: String },
}

impl ServiceError {
    /// What kind of failure this is (see [`crate::domain::ErrorKind`]): the
    /// one place that decides its exit code and its JSON `kind`.
    pub fn kind(&self) -> crate::domain::ErrorKind {
        use crate::domain::ErrorKind;
        match self {
            ServiceError::Ledger(e) => e.kind(),
            ServiceError::Auth(e) => e.kind(),
            ServiceError::Money(_)
            | ServiceError::Domain(_)
            | ServiceError::BirthdateRequired { .. }
            | ServiceError::GuardianNeedsPin { .. }
            | ServiceError::LimitNeedsAmount
            | ServiceError::AmountOfOtherKind { .. }
            | ServiceError::SoftAboveHard
            | ServiceError::EmptyQuietHours
            | ServiceError::QuietHoursSameTimes { .. }
            | ServiceError::NotACreator { .. }
            | ServiceError::GiftToSelf { .. }
            | ServiceError::GiftToNonCreator { .. }
            | ServiceError::ReasonRequired
            | ServiceError::BadOsUser { .. } => ErrorKind::BadInput,
            ServiceError::UnknownPack { .. }
            | ServiceError::UnknownGift { .. }
            | ServiceError::UnknownRequest { .. }
            | ServiceError::NoSuchAlert { .. }
            | ServiceError::NoSuchLimit { .. }
            | ServiceError::NoSuchOsUser { .. }
            | ServiceError::NotLinked { .. } => ErrorKind::NotFound,
            ServiceError::NotPending { .. } | ServiceError::StillOpen { .. } => ErrorKind::Conflict,
            ServiceError::NotYourRequest { .. } => ErrorKind::Forbidden,
        }
    }
}
