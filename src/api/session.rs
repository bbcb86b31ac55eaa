//! Answering calls: one [`Session`] per client, in this process (`--db`) or
//! in the household service (one per connection). This is where who may do
//! what is decided, the same in both modes:
//!
//! - **In embedded mode** the caller owns the file ([`Caller::Owner`]) and may
//!   read everything and act as any member; PINs are what protect members
//!   and guardians (whoever owns the file can change it anyway: the README
//!   says so plainly).
//! - **Through the service** the kernel names the OS account
//!   ([`Caller::Account`]); it acts only as the members linked to it, reads
//!   only what they may read (a guardian's account reads everything; a teen
//!   their own wallet, limits, requests and history; a creator also the gifts
//!   they received), and a guardian action needs the PIN of a guardian linked
//!   to that account, unless the household turned on "approve in person".
//!
//! Every check happens here, before any service runs, so a client can
//! never do through the service what its members' roles forbid: the
//! clients (CLI and TUI) only decide what to ask.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::call::{Call, GuardianAuth, HistoryQuery, LogQuery, QuietHoursSpec, Spend};
use super::reply::*;
use crate::auth::peer::Peer;
use crate::auth::{self, AuthError, GuardianPass, Pin, Who};
use crate::config::Config;
use crate::domain::{
    self, BirthDate, Clock, ErrorKind, IdempotencyKey, MemberId, Memo, Name, Outcome, Role, Scope,
    TxId, Window,
};
use crate::ledger::{self, Account, Member, Setting, Store};
use crate::money::{Coins, Currency, Diamonds, Money, parse_count};
use crate::report::{self, Cursor, HistoryFilter, LimitStatus, LogFilter};
use crate::services::{self, Mode, ServiceError};

/// A refusal or failure, as it crosses the wire: its kind (which decides the
/// exit code) and a sentence a parent can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            message: message.into(),
        }
    }

    fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::Forbidden, message)
    }

    fn bad_input(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorKind::BadInput, message)
    }
}

macro_rules! from_error {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> ApiError {
                ApiError::new(e.kind(), e.to_string())
            }
        }
    )*};
}
from_error!(
    ServiceError,
    ledger::LedgerError,
    AuthError,
    services::notify::NotifyError,
    services::allowance::AllowanceError
);

impl From<crate::domain::DomainError> for ApiError {
    fn from(e: crate::domain::DomainError) -> ApiError {
        ApiError::new(ErrorKind::BadInput, e.to_string())
    }
}

impl From<crate::money::MoneyError> for ApiError {
    fn from(e: crate::money::MoneyError) -> ApiError {
        ServiceError::from(e).into()
    }
}

impl From<crate::config::ConfigError> for ApiError {
    fn from(e: crate::config::ConfigError) -> ApiError {
        ApiError::new(ErrorKind::Config, e.to_string())
    }
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// Embedded mode: whoever opened the file (or root, or the service's own
    /// account, through the socket). Acts as anyone; PINs are still asked.
    Owner,
    /// Through the household service: an OS account, as the kernel says.
    Account(Peer),
}

impl Caller {
    /// The account PIN failures are counted against (`""`: at the file).
    fn lockout_account(&self) -> &str {
        match self {
            Caller::Owner => "",
            Caller::Account(peer) => &peer.user,
        }
    }
}

/// What the caller may see and act as, worked out afresh for each call
/// (links change while a connection is open).
struct Reach {
    /// The members this caller acts as (every member for the owner).
    own: Vec<Member>,
    /// Reads everything: the owner, or an account linked to a guardian.
    sees_all: bool,
}

impl Reach {
    fn owns(&self, id: MemberId) -> bool {
        self.own.iter().any(|m| m.id == id)
    }
}

/// One client's conversation with the household.
pub struct Session<'c> {
    store: Store,
    clock: &'c dyn Clock,
    caller: Caller,
    /// Answering over the household service's socket (root and the
    /// service's own account are owners there too).
    via_service: bool,
    /// The audit screen asks where the money went on every reload: kept
    /// between calls and brought up to date from what changed.
    flow_cache: report::FlowCache,
    /// The allowances due that could not be paid when the last call
    /// began, and why (`Err`: the allowances could not even be read); see
    /// [`Session::unpaid`].
    unpaid: Result<Vec<services::allowance::Unpaid>, String>,
}

/// Most rows any list call returns.
const MAX_ROWS: usize = report::MAX_PAGE;

impl<'c> Session<'c> {
    pub fn new(store: Store, clock: &'c dyn Clock, caller: Caller) -> Session<'c> {
        Session {
            store,
            clock,
            caller,
            via_service: false,
            flow_cache: report::FlowCache::default(),
            unpaid: Ok(Vec::new()),
        }
    }

    /// This session answers a client of the household service.
    pub fn via_service(mut self) -> Session<'c> {
        self.via_service = true;
        self
    }

    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    /// Ends the session, handing back its store: the session fuzz target
    /// answers input after input on one open household, as the service
    /// does, instead of opening the file again for each.
    pub fn into_store(self) -> Store {
        self.store
    }

    /// Another session on the same household, as the same caller: for
    /// work on another thread (the terminal interface's verify and export
    /// run beside its screens). Opens the file again.
    pub fn another(&self) -> Result<Session<'c>, ApiError> {
        Ok(Session {
            store: Store::open(self.store.path())?,
            clock: self.clock,
            caller: self.caller.clone(),
            via_service: self.via_service,
            flow_cache: report::FlowCache::default(),
            unpaid: Ok(Vec::new()),
        })
    }

    /// What a parent reads about the allowances due that could not be
    /// paid as of the last call: `None` when they were paid or none was
    /// due. The command line says it beside its answer; the terminal
    /// interface keeps it on its message line while it lasts.
    pub fn unpaid(&self) -> Option<String> {
        match &self.unpaid {
            Ok(unpaid) => services::allowance::Unpaid::sentences(unpaid),
            Err(why) => Some(format!(
                "The allowances due could not be paid: {why}. Nothing was lost: they are tried again on every command."
            )),
        }
    }

    /// `result` of changing or stopping `member`'s allowance, which paid
    /// what it owed first: done, their payment was made; refused because
    /// it still owes, the refusal says so. Either way a warning about
    /// their payment would be stale or said twice; others' still stand.
    fn owed_said_by<T>(
        &mut self,
        member: MemberId,
        result: Result<T, services::allowance::AllowanceError>,
    ) -> Result<T, services::allowance::AllowanceError> {
        use services::allowance::AllowanceError::OwedFirst;
        if (result.is_ok() || matches!(result, Err(OwedFirst { .. })))
            && let Ok(unpaid) = &mut self.unpaid
        {
            unpaid.retain(|u| u.member_id != member);
        }
        result
    }

    /// Answers one call. Nothing is written unless the caller may do it.
    pub fn handle(&mut self, call: Call) -> Result<Reply, ApiError> {
        self.handle_watched(call, &mut |_| true)
    }

    /// [`Session::handle`], telling `progress` how far a long call (verify)
    /// has got, a few times a second; when it returns `false` the call
    /// stops (it only reads, so nothing is left half done).
    pub fn handle_watched(
        &mut self,
        call: Call,
        progress: &mut dyn FnMut(ProgressView) -> bool,
    ) -> Result<Reply, ApiError> {
        // Allowances due are paid before anything is answered, so a
        // payment missed while no coinguard ran is made on the next call
        // of any command (one indexed read when nothing is due). Best
        // effort: a failure here (a busy or read-only file) must not stop
        // the call, and the payment is tried again on the next one. Why it
        // failed is kept for the one who can act on it ([`Session::unpaid`]):
        // the command line and the terminal interface say it; through the
        // service, its own payer logs it (a client of the service cannot
        // mend the service's file).
        self.unpaid = services::allowance::pay_due_allowances(&mut self.store, self.clock)
            .map(|payments| payments.unpaid)
            .map_err(|e| e.to_string());
        let reach = self.reach()?;
        let config = self.store.config()?;
        match call {
            Call::WhoAmI => Ok(Reply::Me(Me {
                account: match &self.caller {
                    Caller::Owner => crate::auth::peer::current().user,
                    Caller::Account(peer) => peer.user.clone(),
                },
                service: self.via_service,
                members: self.member_views(&config, &reach.own)?,
            })),
            Call::Household => self.household(&config),
            Call::Version => Ok(Reply::Version {
                version: self.version()?,
            }),
            Call::Catalog => Ok(Reply::Catalog(catalog_view(&config))),
            Call::MoneyFlow {
                first_day,
                last_day,
            } => {
                // The members this caller may see: everyone's for a
                // guardian (or the file's owner), else their own.
                let members: Vec<MemberId> = if reach.sees_all {
                    ledger::list_members(self.store.conn())?
                        .iter()
                        .map(|m| m.id)
                        .collect()
                } else {
                    reach.own.iter().map(|m| m.id).collect()
                };
                if let (Some(first), Some(last)) = (first_day, last_day)
                    && first > last
                {
                    return Err(ApiError::bad_input(format!(
                        "the first day {first} is after the last day {last}"
                    )));
                }
                let currency = config.settings.currency;
                let tz = config.settings.timezone;
                let diamond_value = Money::from_decimal(currency, config.economy.diamond_value)?;
                // A few weeks of days are asked day by day, so the cache
                // keeps each day and a chart moved back a day reads one.
                let spans: Vec<(i64, i64)> = match (first_day, last_day) {
                    (Some(first), Some(last)) if (last - first).num_days() <= 62 => first
                        .iter_days()
                        .take_while(|d| *d <= last)
                        .map(|d| report::day_bounds(Some(d), Some(d), tz))
                        .collect(),
                    _ => vec![report::day_bounds(first_day, last_day, tz)],
                };
                let flow = self.flow_cache.household_money_flow(
                    self.store.conn(),
                    &members,
                    &spans,
                    diamond_value.micros(),
                )?;
                Ok(Reply::MoneyFlow(MoneyFlowView::of(&flow, currency)))
            }
            Call::Members => {
                let members = if reach.sees_all {
                    ledger::list_members(self.store.conn())?
                } else {
                    reach.own.clone()
                };
                Ok(Reply::Members(MembersView {
                    members: self.member_views(&config, &members)?,
                }))
            }
            Call::Wallet { member } => {
                let member = self.readable(&reach, &member)?;
                let view = self.member_views(&config, std::slice::from_ref(&member))?;
                let member_view = view.into_iter().next().ok_or_else(|| {
                    ApiError::new(ErrorKind::Other, "the member's wallet could not be read")
                })?;
                let allowance = ledger::allowances::allowance_of(self.store.conn(), member.id)?;
                let coins_in_allowance = allowance.as_ref().and_then(|a| {
                    services::allowance::in_allowance_terms(
                        a,
                        &config.economy,
                        member_view.coins_cost,
                    )
                    .map(|words| format!("{}: {words}", member_view.coins_cost))
                });
                Ok(Reply::Wallet(WalletView {
                    member: member_view,
                    limits: self.limit_views(&config, member.id)?,
                    allowance: allowance.map(|a| {
                        allowance_view(&config, member.name.as_str(), &a, self.today(&config))
                    }),
                    coins_in_allowance,
                }))
            }
            Call::Rules { member } => {
                let member = self.readable(&reach, &member)?;
                self.rules(&config, &member)
            }
            Call::Requests {
                status,
                member,
                limit,
            } => self.requests(&config, &reach, status, member.as_deref(), limit),
            Call::Request { id } => {
                let request = self.visible_request(&reach, id)?;
                Ok(Reply::Request(self.request_view(&config, request)?))
            }
            Call::History {
                query,
                after,
                limit,
            } => self.history(&config, &reach, &query, after.as_deref(), limit),
            Call::Report {
                member,
                first_day,
                last_day,
            } => self.report(&config, &reach, member.as_deref(), first_day, last_day),
            Call::Decisions { query } => self.decisions(&config, &reach, &query),
            Call::GuardianLog { query } => {
                self.guardians_only(&reach, "the guardian-action log")?;
                self.guardian_log(&config, &query)
            }
            Call::Alerts => {
                self.guardians_only(&reach, "alerts")?;
                self.alerts(&config)
            }
            Call::DailySpend { first, last } => {
                self.guardians_only(&reach, "the household's daily spending")?;
                self.daily_spend(&config, first, last)
            }
            Call::Verify { .. } => {
                self.guardians_only(&reach, "verify")?;
                self.verify(&config, true, None, progress)
            }
            Call::VerifyWith {
                incremental, seal, ..
            } => {
                self.guardians_only(&reach, "verify")?;
                let seal = match &seal {
                    Some(auth) => {
                        Some((self.guardian_name(&reach, auth)?, pin_to_check(&auth.pin)?))
                    }
                    None => None,
                };
                self.verify(
                    &config,
                    !incremental,
                    seal.as_ref().map(|(n, p)| (n.as_deref(), p)),
                    progress,
                )
            }
            Call::Spend {
                spend,
                preview,
                key,
                pin,
            } => self.spend(&reach, spend, preview, key, pin),
            Call::Grant {
                member,
                coins,
                memo,
                key,
                auth,
            } => {
                let request = services::GrantRequest {
                    member: &member,
                    coins: Coins::parse(&coins)?,
                    memo: Memo::parse(&memo)?,
                    key: parse_key(key.as_deref())?,
                };
                ledger::find_member(self.store.conn(), &member)?;
                let pass = self.guardian_pass(&reach, &auth)?;
                let outcome =
                    services::grant(&mut self.store, self.clock, Mode::Commit, pass, &request)?;
                Ok(Reply::Spend(spend_view(&outcome, false)))
            }
            Call::ReversalPreview { tx } => {
                self.guardians_only(&reach, "reversals")?;
                let preview = services::preview_reversal(&mut self.store, self.clock, TxId(tx))?;
                Ok(Reply::ReversalPreview(ReversalPreviewView {
                    gives_back: preview.gives_back,
                    warnings: preview.warnings,
                }))
            }
            Call::Reverse {
                tx,
                reason,
                key,
                auth,
            } => {
                let reason = Memo::parse(&reason)?;
                if reason.as_str().is_empty() {
                    return Err(ServiceError::ReasonRequired.into());
                }
                let request = services::ReverseRequest {
                    tx: TxId(tx),
                    reason,
                    key: parse_key(key.as_deref())?,
                };
                let pass = self.guardian_pass(&reach, &auth)?;
                let outcome =
                    services::reverse(&mut self.store, self.clock, Mode::Commit, pass, &request)?;
                Ok(Reply::Spend(spend_view(&outcome, false)))
            }
            Call::Approve { id, auth } => {
                let pass = self.guardian_pass(&reach, &auth)?;
                let outcome = services::approve(&mut self.store, self.clock, pass, id)?;
                Ok(Reply::Spend(spend_view(&outcome, false)))
            }
            Call::Deny { id, reason, auth } => {
                let reason = Memo::parse(&reason)?;
                let pass = self.guardian_pass(&reach, &auth)?;
                let by = pass.guardian().name.to_string();
                let request = services::deny(&mut self.store, self.clock, pass, id, &reason)?;
                Ok(Reply::Change(ChangeView {
                    by,
                    what: format!("request #{id}: {}", request.summary),
                    before: Some("pending".into()),
                    after: Some(format!("denied: {}", reason.as_str())),
                }))
            }
            Call::Cancel { id, pin } => {
                let request = self.visible_request(&reach, id)?;
                let owner = self.acting_as_id(&reach, request.member, pin.as_deref())?;
                let request = services::cancel(&mut self.store, self.clock, &owner, id)?;
                Ok(Reply::Change(ChangeView {
                    by: owner,
                    what: format!("request #{id}: {}", request.summary),
                    before: Some("pending".into()),
                    after: Some("cancelled".into()),
                }))
            }
            Call::AskAgain { id, note, pin } => {
                let note = Memo::parse(&note)?;
                let request = self.visible_request(&reach, id)?;
                self.acting_as_id(&reach, request.member, pin.as_deref())?;
                let outcome = services::ask_again(&mut self.store, self.clock, id, &note)?;
                Ok(Reply::Spend(spend_view(&outcome, false)))
            }
            Call::AddMember {
                name,
                role,
                birthdate,
                new_pin,
                accept_weak_pin,
                auth,
            } => {
                let name = Name::parse(&name)?;
                let today = self.today(&config);
                let birthdate = birthdate
                    .as_deref()
                    .map(|b| BirthDate::parse(b, today))
                    .transpose()?;
                let pin = new_pin.as_deref().map(Pin::parse).transpose()?;
                if let Some(pin) = &pin {
                    strong_enough(pin, accept_weak_pin)?;
                }
                if role == Role::Guardian && pin.is_none() {
                    return Err(ServiceError::GuardianNeedsPin {
                        name: name.to_string(),
                    }
                    .into());
                }
                let pass = self.guardian_pass(&reach, &auth)?;
                let by = pass.guardian().name.to_string();
                let id = services::add_member(
                    &mut self.store,
                    self.clock,
                    pass,
                    &name,
                    role,
                    birthdate,
                    pin.as_ref(),
                )?;
                let member = ledger::member_by_id(self.store.conn(), id)?.ok_or_else(|| {
                    ApiError::new(ErrorKind::Other, "the new member could not be read back")
                })?;
                let view = self.member_views(&config, &[member])?;
                Ok(Reply::Added(AddedView {
                    by,
                    member: view.into_iter().next().ok_or_else(|| {
                        ApiError::new(ErrorKind::Other, "the new member could not be read back")
                    })?,
                }))
            }
            Call::SetPin {
                member,
                new_pin,
                accept_weak_pin,
                auth,
            } => {
                let found = ledger::find_member(self.store.conn(), &member)?;
                let pin = Pin::parse(&new_pin)?;
                strong_enough(&pin, accept_weak_pin)?;
                let pass = self.guardian_pass(&reach, &auth)?;
                let by = pass.guardian().name.to_string();
                services::set_pin(&mut self.store, self.clock, pass, &member, &pin)?;
                Ok(Reply::Done {
                    by,
                    what: format!("{} has a new PIN", found.name),
                })
            }
            Call::SetLimit {
                member,
                scope,
                window,
                soft,
                hard,
                auth,
            } => {
                let currency = config.settings.currency;
                let amount = |text: &Option<String>| {
                    text.as_deref()
                        .map(|t| services::parse_limit_amount(t, scope, currency))
                        .transpose()
                };
                let (soft, hard) = (amount(&soft)?, amount(&hard)?);
                let pass = self.guardian_pass(&reach, &auth)?;
                let change = services::set_limit(
                    &mut self.store,
                    self.clock,
                    pass,
                    &member,
                    services::LimitSpec {
                        scope,
                        window,
                        soft,
                        hard,
                    },
                )?;
                let show = |l: &ledger::Limit| services::describe_limit(l, &config.economy);
                Ok(Reply::Change(change_view(
                    &change,
                    format!("a limit of {member}"),
                    show,
                )))
            }
            Call::RemoveLimit {
                member,
                scope,
                window,
                auth,
            } => {
                let pass = self.guardian_pass(&reach, &auth)?;
                let change = services::remove_limit(
                    &mut self.store,
                    self.clock,
                    pass,
                    &member,
                    scope,
                    window,
                )?;
                let show = |l: &ledger::Limit| services::describe_limit(l, &config.economy);
                Ok(Reply::Change(change_view(
                    &change,
                    format!("a limit of {member}"),
                    show,
                )))
            }
            Call::SetQuietHours {
                member,
                quiet,
                auth,
            } => {
                let quiet = quiet.as_ref().map(quiet_hours).transpose()?;
                let pass = self.guardian_pass(&reach, &auth)?;
                let change =
                    services::set_quiet_hours(&mut self.store, self.clock, pass, &member, quiet)?;
                Ok(Reply::Change(change_view(
                    &change,
                    format!("the quiet hours of {member}"),
                    services::describe_quiet_hours,
                )))
            }
            Call::SetCreatorList {
                member,
                creator,
                list,
                auth,
            } => {
                let pass = self.guardian_pass(&reach, &auth)?;
                let change = services::set_creator_list(
                    &mut self.store,
                    self.clock,
                    pass,
                    &member,
                    &creator,
                    list,
                )?;
                let show = |l: &domain::CreatorList| match l {
                    domain::CreatorList::Allow => format!("{creator} allowed"),
                    domain::CreatorList::Block => format!("{creator} blocked"),
                };
                Ok(Reply::Change(change_view(
                    &change,
                    format!("the creator list of {member}"),
                    show,
                )))
            }
            Call::AckAlerts { id, auth } => {
                let pass = self.guardian_pass(&reach, &auth)?;
                let by = pass.guardian().name.to_string();
                let count = services::acknowledge_alerts(&mut self.store, self.clock, pass, id)?;
                Ok(Reply::Count(CountView { by, count }))
            }
            Call::Link {
                member,
                os_user,
                auth,
            } => {
                let os_user = services::parse_os_user(&os_user)?;
                if crate::auth::peer::uid_of(&os_user).is_none() {
                    return Err(ServiceError::NoSuchOsUser { name: os_user }.into());
                }
                ledger::find_member(self.store.conn(), &member)?;
                let pass = self.guardian_pass(&reach, &auth)?;
                let change =
                    services::link_account(&mut self.store, self.clock, pass, &member, &os_user)?;
                Ok(Reply::Change(change_view(
                    &change,
                    format!("the OS accounts of {member}"),
                    String::clone,
                )))
            }
            Call::Unlink {
                member,
                os_user,
                auth,
            } => {
                ledger::find_member(self.store.conn(), &member)?;
                let pass = self.guardian_pass(&reach, &auth)?;
                let change =
                    services::unlink_account(&mut self.store, self.clock, pass, &member, &os_user)?;
                Ok(Reply::Change(change_view(
                    &change,
                    format!("the OS accounts of {member}"),
                    String::clone,
                )))
            }
            Call::SetApproveInPerson { on, auth } => {
                let pass = self.guardian_pass(&reach, &auth)?;
                let change =
                    services::set_approve_in_person(&mut self.store, self.clock, pass, on)?;
                Ok(Reply::Change(change_view(
                    &change,
                    "approve in person".into(),
                    |on: &bool| if *on { "on" } else { "off" }.to_string(),
                )))
            }
            Call::CheckPin { member, pin } => {
                let found = ledger::find_member(self.store.conn(), &member)?;
                if !found.has_pin {
                    return Err(AuthError::NoPin {
                        name: found.name.to_string(),
                    }
                    .into());
                }
                let name = self.confirm_member(&reach, found, Some(&pin.0))?;
                Ok(Reply::Done {
                    by: name,
                    what: "the PIN is right".into(),
                })
            }
            Call::ApprovalPreview { id } => {
                self.guardians_only(&reach, "what approving a request would do")?;
                let outcome = services::preview_approval(&mut self.store, self.clock, id)?;
                Ok(Reply::Spend(spend_view(&outcome, true)))
            }
            Call::AskAgainPreview { id } => self.ask_again_preview(&reach, id),
            Call::Export {
                query,
                format,
                after,
                limit,
            } => self.export(&config, &reach, &query, format, after, limit),
            Call::AllowanceList => {
                let today = self.today(&config);
                let mut views = Vec::new();
                for a in ledger::allowances::allowances(self.store.conn())? {
                    if !reach.sees_all && !reach.owns(a.member) {
                        continue;
                    }
                    if let Some(m) = ledger::member_by_id(self.store.conn(), a.member)? {
                        views.push(allowance_view(&config, m.name.as_str(), &a, today));
                    }
                }
                Ok(Reply::Allowances(AllowancesView { allowances: views }))
            }
            Call::AllowanceSet {
                member,
                coins,
                money,
                every,
                on,
                auth,
            } => {
                use services::allowance::{AllowanceError, parse_every, parse_on};
                let currency = config.settings.currency;
                let amount = match (coins.as_deref(), money.as_deref()) {
                    (Some(_), Some(_)) => return Err(AllowanceError::BothAmounts.into()),
                    (None, None) => return Err(AllowanceError::NoAmount.into()),
                    (Some(c), None) => {
                        ledger::allowances::AllowanceAmount::Coins(Coins::parse(c)?.to_i64()?)
                    }
                    (None, Some(m)) => ledger::allowances::AllowanceAmount::Money(
                        Money::parse(m, currency)?.micros(),
                    ),
                };
                services::allowance::check_amount(amount, &config.economy)?;
                let every = parse_every(&every)?;
                let on_day = parse_on(every, on.as_deref())?;
                let found = ledger::find_member(self.store.conn(), &member)?;
                if found.role == Role::Guardian {
                    return Err(AllowanceError::ForGuardian {
                        name: found.name.to_string(),
                    }
                    .into());
                }
                let pass = self.guardian_pass(&reach, &auth)?;
                let by = pass.guardian().name.to_string();
                let set = services::allowance::set_allowance(
                    &mut self.store,
                    self.clock,
                    pass,
                    &member,
                    amount,
                    every,
                    on_day,
                );
                let (before, after) = self.owed_said_by(found.id, set)?;
                Ok(Reply::Change(ChangeView {
                    by,
                    what: format!("the allowance of {}", found.name),
                    before,
                    after: Some(after),
                }))
            }
            Call::AllowanceStop { member, auth } => {
                let found = ledger::find_member(self.store.conn(), &member)?;
                if ledger::allowances::allowance_of(self.store.conn(), found.id)?.is_none() {
                    return Err(services::allowance::no_allowance(
                        self.store.conn(),
                        found.name.as_str(),
                    )?
                    .into());
                }
                let pass = self.guardian_pass(&reach, &auth)?;
                let by = pass.guardian().name.to_string();
                let stop =
                    services::allowance::stop_allowance(&mut self.store, self.clock, pass, &member);
                let before = self.owed_said_by(found.id, stop)?;
                Ok(Reply::Change(ChangeView {
                    by,
                    what: format!("the allowance of {}", found.name),
                    before: Some(before),
                    after: None,
                }))
            }
            Call::NotifyList => {
                self.guardians_only(&reach, "the notify commands")?;
                self.notify_list()
            }
            Call::NotifyAdd {
                command,
                events,
                member,
                auth,
            } => {
                let command = services::notify::parse_command(&command)?;
                let events = services::notify::parse_events(&events)?;
                if let Some(name) = &member {
                    let found = ledger::find_member(self.store.conn(), name)?;
                    if found.role == Role::Guardian {
                        return Err(services::notify::NotifyError::GuardianAsMember {
                            name: found.name.to_string(),
                        }
                        .into());
                    }
                }
                let pass = self.guardian_pass(&reach, &auth)?;
                let by = pass.guardian().name.to_string();
                let added = services::notify::add_command(
                    &mut self.store,
                    self.clock,
                    pass,
                    &command,
                    &events,
                    member.as_deref(),
                )?;
                Ok(Reply::Change(ChangeView {
                    by,
                    what: format!("notify command #{}", added.id),
                    before: None,
                    after: Some(services::notify::describe_command(
                        &added,
                        member.as_deref(),
                    )),
                }))
            }
            Call::NotifyRemove { id, auth } => {
                // Bad input changes nothing: not even a PIN attempt is logged.
                if ledger::outbox::notify_command(self.store.conn(), id)?.is_none() {
                    let known = ledger::outbox::notify_commands(self.store.conn())?
                        .iter()
                        .map(|c| c.id)
                        .collect();
                    return Err(services::notify::NotifyError::UnknownCommand { id, known }.into());
                }
                let pass = self.guardian_pass(&reach, &auth)?;
                let by = pass.guardian().name.to_string();
                let removed =
                    services::notify::remove_command(&mut self.store, self.clock, pass, id)?;
                let member = match removed.member {
                    Some(m) => {
                        ledger::member_by_id(self.store.conn(), m)?.map(|m| m.name.to_string())
                    }
                    None => None,
                };
                Ok(Reply::Change(ChangeView {
                    by,
                    what: format!("notify command #{id}"),
                    before: Some(services::notify::describe_command(
                        &removed,
                        member.as_deref(),
                    )),
                    after: None,
                }))
            }
            Call::NotifyRun { timeout_secs } => {
                let timeout = timeout_secs
                    .as_deref()
                    .map(services::notify::parse_timeout)
                    .transpose()?
                    .unwrap_or(services::notify::DEFAULT_TIMEOUT);
                if self.via_service {
                    return Err(ApiError::bad_input(
                        "the household service delivers notifications itself as events appear; `coinguard notify run` is for a household file (--db), e.g. from cron",
                    ));
                }
                self.guardians_only(&reach, "delivering notifications")?;
                let summaries =
                    services::notify::record_weekly_summaries(&mut self.store, self.clock)?;
                let run = services::notify::deliver_due(&mut self.store, self.clock, timeout)?;
                Ok(Reply::NotifyRun(NotifyRunView {
                    summaries,
                    delivered: run.delivered,
                    failed: run.failed,
                }))
            }
        }
    }

    fn notify_list(&self) -> Result<Reply, ApiError> {
        let conn = self.store.conn();
        let mut commands = Vec::new();
        for c in ledger::outbox::notify_commands(conn)? {
            let member = match c.member {
                Some(m) => ledger::member_by_id(conn, m)?.map(|m| m.name.to_string()),
                None => None,
            };
            commands.push(NotifyCommandView {
                id: c.id,
                words: services::notify::describe_command(&c, member.as_deref()),
                command: c.command,
                events: c.events,
                member,
                waiting: c.waiting,
                delivered: c.delivered,
                failures: c.failures,
                failing: c.failures >= services::notify::FAILING_AFTER,
                last_error: c.last_error,
                failing_since: c
                    .failing_since_us
                    .and_then(chrono::DateTime::from_timestamp_micros),
            });
        }
        Ok(Reply::Notify(NotifyListView {
            commands,
            event_kinds: ledger::outbox::EVENT_KINDS
                .iter()
                .map(|k| k.to_string())
                .collect(),
        }))
    }

    /// A page of an export, for the same transactions a history query with
    /// the same filters may read.
    fn export(
        &self,
        config: &Config,
        reach: &Reach,
        query: &HistoryQuery,
        format: report::Format,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Reply, ApiError> {
        let filter = self.history_filter(reach, query)?;
        let page = report::export_page(
            self.store.conn(),
            &filter,
            config.settings.currency,
            config.settings.timezone,
            format,
            after,
            limit,
        )?;
        Ok(Reply::Export(ExportView {
            text: page.text,
            rows: page.rows,
            next: page.next,
        }))
    }

    /// What asking again for request `id` would do now: what it asked for,
    /// judged afresh as a new spend and rolled back (asking again commits
    /// exactly that, with a note).
    fn ask_again_preview(&mut self, reach: &Reach, id: i64) -> Result<Reply, ApiError> {
        let request = self.visible_request(reach, id)?;
        if matches!(
            request.status,
            domain::RequestStatus::Pending | domain::RequestStatus::Approved
        ) {
            return Err(ServiceError::StillOpen {
                id,
                status: request.status.as_str(),
            }
            .into());
        }
        let conn = self.store.conn();
        let damaged = |why: String| {
            ApiError::from(ledger::LedgerError::Corrupt {
                message: format!("request #{id}: {why}"),
            })
        };
        let name = ledger::member_by_id(conn, request.member)?
            .map(|m| m.name.to_string())
            .ok_or_else(|| damaged("it names no member".into()))?;
        let asked = domain::Asked::from_stored(&request.action, &request.params, |n| {
            ledger::find_member(conn, n).ok().map(|m| m.id)
        })
        .map_err(damaged)?;
        let (store, clock, mode) = (&mut self.store, self.clock, Mode::Preview);
        let outcome = match asked {
            domain::Asked::Pack { pack } => services::purchase(
                store,
                clock,
                mode,
                &services::PurchaseRequest::Pack {
                    member: &name,
                    pack: &pack,
                    key: None,
                },
            )?,
            domain::Asked::Coins { coins } => services::purchase(
                store,
                clock,
                mode,
                &services::PurchaseRequest::Custom {
                    member: &name,
                    coins: Coins::new(coins),
                    key: None,
                },
            )?,
            domain::Asked::Gift {
                creator,
                gift,
                count,
            } => {
                let creator = ledger::member_by_id(store.conn(), creator)?
                    .map(|m| m.name.to_string())
                    .ok_or_else(|| damaged("its creator is not a member".into()))?;
                services::gift(
                    store,
                    clock,
                    mode,
                    &services::GiftRequest {
                        member: &name,
                        creator: &creator,
                        gift: &gift,
                        count,
                        key: None,
                    },
                )?
            }
            domain::Asked::Redeem { diamonds } => services::redeem(
                store,
                clock,
                mode,
                &services::RedeemRequest {
                    creator: &name,
                    diamonds: Diamonds::new(diamonds),
                    key: None,
                },
            )?,
        };
        Ok(Reply::Spend(spend_view(&outcome, true)))
    }

    /// Who this caller may act as and what they may read.
    fn reach(&self) -> Result<Reach, ApiError> {
        let conn = self.store.conn();
        match &self.caller {
            Caller::Owner => Ok(Reach {
                own: ledger::list_members(conn)?,
                sees_all: true,
            }),
            Caller::Account(peer) => {
                let mut own = Vec::new();
                for id in ledger::members_of_account(conn, &peer.user)? {
                    if let Some(member) = ledger::member_by_id(conn, id)? {
                        own.push(member);
                    }
                }
                if own.is_empty() {
                    return Err(ApiError::forbidden(format!(
                        "the OS account {} is not linked to any member of this household; a guardian can link it with: coinguard member link NAME --os-user {}",
                        peer.user, peer.user
                    )));
                }
                let sees_all = own.iter().any(|m| m.role == Role::Guardian);
                Ok(Reach { own, sees_all })
            }
        }
    }

    fn account_words(&self) -> String {
        match &self.caller {
            Caller::Owner => "this account".into(),
            Caller::Account(peer) => format!("the OS account {}", peer.user),
        }
    }

    fn guardians_only(&self, reach: &Reach, what: &str) -> Result<(), ApiError> {
        if reach.sees_all {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "only a guardian's account can see {what}; {} acts as {}",
                self.account_words(),
                names(&reach.own)
            )))
        }
    }

    /// A member this caller may read about.
    fn readable(&self, reach: &Reach, name: &str) -> Result<Member, ApiError> {
        let member = ledger::find_member(self.store.conn(), name)?;
        if reach.sees_all || reach.owns(member.id) {
            Ok(member)
        } else {
            Err(self.not_yours(reach, &member))
        }
    }

    fn not_yours(&self, reach: &Reach, member: &Member) -> ApiError {
        ApiError::forbidden(format!(
            "{} acts as {}, not as {}",
            self.account_words(),
            names(&reach.own),
            member.name
        ))
    }

    /// The member this caller acts as for a spend or a request of theirs,
    /// after their PIN if they have one. Returns their name.
    fn acting_as(
        &mut self,
        reach: &Reach,
        name: &str,
        pin: Option<&str>,
    ) -> Result<String, ApiError> {
        let member = ledger::find_member(self.store.conn(), name)?;
        self.confirm_member(reach, member, pin)
    }

    fn acting_as_id(
        &mut self,
        reach: &Reach,
        id: MemberId,
        pin: Option<&str>,
    ) -> Result<String, ApiError> {
        let member = ledger::member_by_id(self.store.conn(), id)?.ok_or_else(|| {
            ApiError::new(ErrorKind::NotFound, format!("there is no member #{}", id.0))
        })?;
        self.confirm_member(reach, member, pin)
    }

    fn confirm_member(
        &mut self,
        reach: &Reach,
        member: Member,
        pin: Option<&str>,
    ) -> Result<String, ApiError> {
        if matches!(self.caller, Caller::Account(_)) && !reach.owns(member.id) {
            return Err(self.not_yours(reach, &member));
        }
        if member.has_pin {
            let Some(pin) = pin else {
                return Err(ApiError::new(
                    ErrorKind::Auth,
                    format!("{} has a PIN: give it to do this", member.name),
                ));
            };
            let pin = pin_to_check(pin)?;
            auth::authenticate(
                &mut self.store,
                self.clock,
                Who::Member(member.name.as_str()),
                &pin,
                self.caller.lockout_account(),
            )?;
        }
        Ok(member.name.to_string())
    }

    /// A guardian's pass for one action. Through the service the guardian
    /// must be linked to the asking account (unless the household allows
    /// approving in person); that is checked before the PIN, so an account
    /// that may not act as a guardian cannot even guess.
    fn guardian_pass(
        &mut self,
        reach: &Reach,
        auth: &GuardianAuth,
    ) -> Result<GuardianPass, ApiError> {
        let pin = pin_to_check(&auth.pin)?;
        let name = self.guardian_name(reach, auth)?;
        Ok(auth::guardian_pass(
            &mut self.store,
            self.clock,
            name.as_deref(),
            &pin,
            self.caller.lockout_account(),
        )?)
    }

    /// Verifies (from the last mark unless `full`), checking the seals of
    /// the guardian whose PIN is given, telling `progress` how far it has
    /// got; the answer says what the seals say.
    fn verify(
        &mut self,
        config: &Config,
        full: bool,
        seal: Option<(Option<&str>, &Pin)>,
        progress: &mut dyn FnMut(ProgressView) -> bool,
    ) -> Result<Reply, ApiError> {
        let mut told = |step: ledger::Step| progress(progress_view(step));
        let report = services::verify(
            &mut self.store,
            self.clock,
            &services::VerifyRequest {
                full,
                seal,
                account: self.caller.lockout_account(),
            },
            &mut ledger::Watch::new(&mut told),
        )?;
        let tz = config.settings.timezone;
        let at = |us: i64| chrono::DateTime::from_timestamp_micros(us).unwrap_or_default();
        let words = services::describe_seals(&report, tz);
        let s = &report.seals;
        Ok(Reply::Verify(VerifyView {
            ok: report.is_ok(),
            transactions: report.transactions,
            postings: report.postings,
            accounts: report.accounts,
            lots: report.lots,
            decisions: report.decisions,
            guardian_actions: report.guardian_actions,
            problem: report.problem.clone().map(|p| ProblemView {
                entry: p.entry,
                message: p.message,
            }),
            from_mark: report.from.as_ref().map(|m| MarkView {
                at: at(m.at_us),
                by: m.by.clone(),
                checked: m.checked,
                transactions: m.lengths[0],
                decisions: m.lengths[1],
                guardian_actions: m.lengths[2],
            }),
            seals: SealsView {
                checked_for: s.checked_for.clone(),
                checked: s.checked,
                not_checked: s.not_checked,
                total: s.total,
                older_pin: s.older_pin,
                last: s.last.as_ref().map(|l| SealPointView {
                    at: at(l.at_us),
                    by: l.by.clone(),
                    transactions: l.lengths[0],
                    decisions: l.lengths[1],
                    guardian_actions: l.lengths[2],
                }),
                unsealed_transactions: s.unsealed[0],
                unsealed_decisions: s.unsealed[1],
                unsealed_guardian_actions: s.unsealed[2],
                words,
            },
        }))
    }

    /// Which guardian a PIN is for: the one named, or the only one. Through
    /// the service the guardian must be linked to the asking account
    /// (unless the household allows approving in person); that is checked
    /// before the PIN, so an account that may not act as a guardian cannot
    /// even guess.
    fn guardian_name(
        &self,
        reach: &Reach,
        auth: &GuardianAuth,
    ) -> Result<Option<String>, ApiError> {
        Ok(match &self.caller {
            Caller::Owner => auth.guardian.clone(),
            Caller::Account(_) => {
                let in_person = ledger::setting_on(self.store.conn(), Setting::ApproveInPerson)?;
                let linked: Vec<&Member> = reach
                    .own
                    .iter()
                    .filter(|m| m.role == Role::Guardian)
                    .collect();
                match &auth.guardian {
                    Some(name) => {
                        let named = auth::choose_guardian(self.store.conn(), Some(name))?;
                        if !in_person && !linked.iter().any(|m| m.id == named.id) {
                            return Err(ApiError::forbidden(format!(
                                "{}'s PIN works only from {}'s own OS account; {} acts as {} (a guardian can allow approving in person: coinguard household approve-in-person on)",
                                named.name,
                                named.name,
                                self.account_words(),
                                names(&reach.own)
                            )));
                        }
                        Some(name.clone())
                    }
                    None => match linked.as_slice() {
                        [only] => Some(only.name.to_string()),
                        [] if in_person => None,
                        [] => {
                            return Err(ApiError::forbidden(format!(
                                "only a guardian can do this, from their own OS account; {} acts as {}",
                                self.account_words(),
                                names(&reach.own)
                            )));
                        }
                        _ => {
                            return Err(AuthError::WhichGuardian {
                                count: linked.len(),
                            }
                            .into());
                        }
                    },
                }
            }
        })
    }

    fn today(&self, config: &Config) -> NaiveDate {
        self.clock
            .now()
            .with_timezone(&config.settings.timezone)
            .date_naive()
    }

    /// A number that changes whenever anything in the household changes
    /// (any connection's commit): SQLite's `data_version` of this session's
    /// reader, plus the commits it made itself.
    fn version(&self) -> Result<u64, ApiError> {
        let version: i64 = self
            .store
            .conn()
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(ledger::LedgerError::from)?;
        Ok(u64::try_from(version).unwrap_or_default())
    }

    fn household(&self, config: &Config) -> Result<Reply, ApiError> {
        let conn = self.store.conn();
        let creators = ledger::list_members(conn)?
            .into_iter()
            .filter(|m| m.role == Role::Creator)
            .map(|m| m.name.to_string())
            .collect();
        Ok(Reply::Household(HouseholdView {
            currency: config.settings.currency.code().to_string(),
            timezone: config.settings.timezone.name().to_string(),
            today: self.today(config),
            now: self.clock.now(),
            demo_pin: services::demo_pin(conn)?.map(str::to_string),
            approve_in_person: ledger::setting_on(conn, Setting::ApproveInPerson)?,
            service: self.via_service,
            creators,
        }))
    }

    fn member_views(
        &self,
        config: &Config,
        members: &[Member],
    ) -> Result<Vec<MemberView>, ApiError> {
        let conn = self.store.conn();
        let currency = config.settings.currency;
        let today = self.today(config);
        let links = ledger::all_links(conn)?;
        let mut views = Vec::with_capacity(members.len());
        for m in members {
            let coins = ledger::balance(conn, Account::Wallet(m.id))?;
            let cost = ledger::lot_cost_of_wallet(conn, m.id)?;
            let diamonds = ledger::balance(conn, Account::Earnings(m.id))?;
            let diamonds_value = config
                .economy
                .diamonds_payout(Diamonds::new(diamonds.max(0).unsigned_abs()))
                .map(|(_, pays)| pays)
                .unwrap_or(Money::zero(currency));
            views.push(MemberView {
                id: m.id,
                name: m.name.to_string(),
                role: m.role,
                birthdate: m.birthdate.map(|b| b.date()),
                age: m.birthdate.map(|b| b.age_on(today)),
                has_pin: m.has_pin,
                coins: coins.max(0).unsigned_abs(),
                coins_cost: Money::from_micros(currency, cost),
                diamonds: diamonds.max(0).unsigned_abs(),
                diamonds_value,
                accounts: links
                    .iter()
                    .filter(|(id, _)| *id == m.id)
                    .map(|(_, user)| user.clone())
                    .collect(),
            });
        }
        Ok(views)
    }

    fn limit_views(&self, config: &Config, member: MemberId) -> Result<Vec<LimitView>, ApiError> {
        let statuses = report::limit_statuses(
            self.store.conn(),
            member,
            self.clock.now(),
            config.settings.timezone,
        )?;
        Ok(statuses.iter().map(|s| limit_view(s, config)).collect())
    }

    fn rules(&self, config: &Config, member: &Member) -> Result<Reply, ApiError> {
        let conn = self.store.conn();
        let age = member.birthdate.map(|b| b.age_on(self.today(config)));
        let age_rules = age.and_then(|a| {
            config
                .age_bands
                .iter()
                .rev()
                .find(|b| b.from_age <= a)
                .map(|b| AgeRules {
                    purchase: b.purchase,
                    gift: b.gift,
                    redeem: b.redeem,
                })
        });
        let mut creators = Vec::new();
        for (creator, list) in ledger::creator_lists_of(conn, member.id)? {
            if let Some(c) = ledger::member_by_id(conn, creator)? {
                creators.push(CreatorRule {
                    creator: c.name.to_string(),
                    list,
                });
            }
        }
        let all_creators = ledger::list_members(conn)?
            .into_iter()
            .filter(|m| m.role == Role::Creator)
            .map(|m| m.name.to_string())
            .collect();
        Ok(Reply::Rules(RulesView {
            member: member.name.to_string(),
            age,
            age_rules,
            limits: self.limit_views(config, member.id)?,
            quiet_hours: ledger::quiet_hours_of(conn, member.id)?.map(|q| QuietHoursView {
                from: domain::format_time_of_day(q.start_minute),
                to: domain::format_time_of_day(q.end_minute),
                action: q.verdict,
                words: services::describe_quiet_hours(&q),
            }),
            creators,
            unknown_creators: config.settings.unknown_creator,
            all_creators,
        }))
    }

    fn requests(
        &self,
        config: &Config,
        reach: &Reach,
        status: Option<domain::RequestStatus>,
        member: Option<&str>,
        limit: usize,
    ) -> Result<Reply, ApiError> {
        let conn = self.store.conn();
        let limit = limit.clamp(1, MAX_ROWS);
        let member = member.map(|m| self.readable(reach, m)).transpose()?;
        let scope: Vec<Option<MemberId>> = match (&member, reach.sees_all) {
            (Some(m), _) => vec![Some(m.id)],
            (None, true) => vec![None],
            (None, false) => reach.own.iter().map(|m| Some(m.id)).collect(),
        };
        // Read only: a request past its time reads as expired here; the
        // next write (or the service's timekeeper) records it.
        let now_us = self.clock.now().timestamp_micros();
        let stored_status = match status {
            Some(domain::RequestStatus::Expired) | None => None,
            Some(other) => Some(other),
        };
        let mut found = Vec::new();
        for member in scope {
            // Pending ones that are due must also be found under `expired`.
            for r in ledger::list_requests(conn, stored_status, member, MAX_ROWS * 4)? {
                let shown = expired_now(r, now_us);
                if status.is_none_or(|s| s == shown.status) {
                    found.push(shown);
                }
            }
        }
        found.sort_by_key(|r| std::cmp::Reverse(r.id));
        found.truncate(limit);
        let mut views = Vec::with_capacity(found.len());
        for r in found {
            views.push(self.request_view(config, r)?);
        }
        Ok(Reply::Requests(RequestsView { requests: views }))
    }

    fn visible_request(&self, reach: &Reach, id: i64) -> Result<ledger::Request, ApiError> {
        let request = ledger::request_by_id(self.store.conn(), id)?
            .ok_or(ServiceError::UnknownRequest { id })?;
        if reach.sees_all || reach.owns(request.member) {
            Ok(expired_now(request, self.clock.now().timestamp_micros()))
        } else {
            // Not theirs: said as if it did not exist, so ids reveal nothing.
            Err(ServiceError::UnknownRequest { id }.into())
        }
    }

    fn request_view(&self, config: &Config, r: ledger::Request) -> Result<RequestView, ApiError> {
        let conn = self.store.conn();
        let currency = config.settings.currency;
        let member = ledger::member_by_id(conn, r.member)?
            .map(|m| m.name.to_string())
            .unwrap_or_default();
        let hold_cost = if r.hold_coins > 0 && r.status == domain::RequestStatus::Pending {
            ledger::cost_of_coins(conn, r.member, r.hold_coins.max(0).unsigned_abs())?
                .map(|micros| Money::from_micros(currency, micros))
        } else {
            None
        };
        let at = |us: i64| chrono::DateTime::from_timestamp_micros(us).unwrap_or_default();
        // A pending request says what approving it would do, worked out
        // from its parameters, and whether its row is still what was asked.
        let (summary, changed) = if r.status == domain::RequestStatus::Pending {
            (
                services::request_summary(conn, config, &r, self.clock.now()),
                ledger::check_request_binding(conn, r.id)?.err(),
            )
        } else {
            (r.summary.clone(), None)
        };
        Ok(RequestView {
            id: r.id,
            member,
            action: r.action,
            status: r.status,
            summary,
            changed,
            note: r.note,
            hold_coins: r.hold_coins.max(0).unsigned_abs(),
            hold_cost,
            created_at: at(r.created_at_us),
            expires_at: at(r.expires_at_us),
            resolved_at: r.resolved_at_us.map(at),
            resolution: r.resolution,
            tx_id: r.tx,
            reasons: ReasonView::stored(&r.reasons_json),
        })
    }

    /// The member and creator a history query names, checked against what
    /// the caller may read: someone not seeing everything reads their own
    /// transactions, or (a creator) the gifts they received.
    fn history_filter(&self, reach: &Reach, q: &HistoryQuery) -> Result<HistoryFilter, ApiError> {
        let conn = self.store.conn();
        let member = q
            .member
            .as_deref()
            .map(|m| ledger::find_member(conn, m))
            .transpose()?;
        let creator = q
            .creator
            .as_deref()
            .map(|m| ledger::find_member(conn, m))
            .transpose()?;
        if let (Some(s), Some(u)) = (q.since, q.until)
            && s > u
        {
            return Err(ApiError::bad_input(format!(
                "the first day {s} is after the last day {u}"
            )));
        }
        let mut filter = HistoryFilter {
            member: member.as_ref().map(|m| m.id),
            kind: q.kind,
            creator: creator.as_ref().map(|m| m.id),
            since: q.since,
            until: q.until,
        };
        if !reach.sees_all {
            let own = |m: &Option<Member>| m.as_ref().is_some_and(|m| reach.owns(m.id));
            match (&member, &creator) {
                (m, _) if own(m) => {}
                (None, c) if own(c) => {}
                (None, None) => match reach.own.as_slice() {
                    [only] => filter.member = Some(only.id),
                    _ => {
                        return Err(ApiError::bad_input(format!(
                            "say whose history: {} acts as {}",
                            self.account_words(),
                            names(&reach.own)
                        )));
                    }
                },
                (Some(m), _) | (None, Some(m)) => return Err(self.not_yours(reach, m)),
            }
        }
        Ok(filter)
    }

    fn history(
        &self,
        config: &Config,
        reach: &Reach,
        query: &HistoryQuery,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Reply, ApiError> {
        let (currency, tz) = (config.settings.currency, config.settings.timezone);
        let filter = self.history_filter(reach, query)?;
        let cursor = after.map(parse_cursor).transpose()?;
        let page = report::history_page(
            self.store.conn(),
            &filter,
            tz,
            cursor,
            limit.clamp(1, MAX_ROWS),
        )?;
        Ok(Reply::History(HistoryView {
            currency: currency.code().to_string(),
            transactions: page
                .rows
                .into_iter()
                .map(|r| HistoryRowView {
                    id: r.id,
                    at: chrono::DateTime::from_timestamp_micros(r.at_us).unwrap_or_default(),
                    time_local: report::local(r.at_us, tz),
                    kind: r.kind,
                    member: r.member,
                    counterparty: r.counterparty,
                    coins: r.coins,
                    diamonds: r.diamonds,
                    money: Money::from_micros(currency, r.money_micros),
                    detail: r.detail,
                    memo: r.memo,
                    reverses: r.reverses,
                    reversed_by: r.reversed_by,
                    hash: r.hash,
                })
                .collect(),
            next_page: page.next.map(|c| format!("{}.{}", c.at_us, c.id)),
        }))
    }

    fn report(
        &self,
        config: &Config,
        reach: &Reach,
        member: Option<&str>,
        first_day: NaiveDate,
        last_day: NaiveDate,
    ) -> Result<Reply, ApiError> {
        let conn = self.store.conn();
        let (currency, tz) = (config.settings.currency, config.settings.timezone);
        let today = self.today(config);
        if first_day > last_day {
            return Err(ApiError::bad_input(format!(
                "the first day {first_day} is after the last day {last_day}"
            )));
        }
        if first_day > today {
            return Err(ApiError::bad_input(format!(
                "{first_day} is in the future; a report covers days up to today ({today})"
            )));
        }
        let members = match member {
            Some(name) => vec![self.readable(reach, name)?],
            None if reach.sees_all => ledger::list_members(conn)?,
            None => reach.own.clone(),
        };
        let now = self.clock.now();
        let money = |micros: i64| Money::from_micros(currency, micros);
        let mut reports = Vec::new();
        let (from_us, until_us) = report::day_bounds(Some(first_day), Some(last_day), tz);
        let diamond_value = Money::from_decimal(currency, config.economy.diamond_value)?;
        for m in &members {
            let r = report::period_report_between(conn, config, m, first_day, last_day, now)?;
            let flow = report::money_flow(conn, m.id, from_us, until_us, diamond_value.micros())?;
            reports.push(ReportView {
                member: r.member.name.to_string(),
                from: r.first_day,
                to: r.last_day,
                current: r.current,
                purchases: money(r.spent.purchase_micros),
                gifts_coins: r.spent.gift_coins,
                gifts_cost: money(r.spent.gift_cost_micros),
                all: money(r.spent.all_micros),
                limits: r
                    .current
                    .then(|| r.limits.iter().map(|l| limit_view(l, config)).collect()),
                top_creators: r
                    .top_creators
                    .iter()
                    .map(|(creator, coins, cost)| CreatorTotal {
                        creator: creator.clone(),
                        coins: *coins,
                        cost: money(*cost),
                    })
                    .collect(),
                refused: r.refused_count,
                refused_latest: r
                    .refused_latest
                    .iter()
                    .map(|x| RefusalView {
                        at: chrono::DateTime::from_timestamp_micros(x.at_us).unwrap_or_default(),
                        time_local: report::local(x.at_us, tz),
                        summary: x.summary.clone(),
                        reason: x.reason.clone(),
                    })
                    .collect(),
                pending_requests: r.current.then(|| r.pending.iter().map(|p| p.id).collect()),
                money_flow: MoneyFlowView::of(&flow, currency),
                limits_used: limits_used(
                    &ledger::limits_of(conn, m.id)?,
                    &r.spent,
                    span_window(first_day, last_day),
                    config,
                ),
                requests: ledger::requests_made_between(conn, m.id, from_us, until_us, MAX_ROWS)?
                    .into_iter()
                    .map(|q| RequestEndView {
                        id: q.id,
                        created_at: chrono::DateTime::from_timestamp_micros(q.created_at_us)
                            .unwrap_or_default(),
                        summary: q.summary,
                        status: if q.status == domain::RequestStatus::Pending
                            && q.expires_at_us <= now.timestamp_micros()
                        {
                            domain::RequestStatus::Expired
                        } else {
                            q.status
                        },
                        resolution: q.resolution,
                    })
                    .collect(),
            });
        }
        Ok(Reply::Reports(ReportsView { reports }))
    }

    fn log_filter(
        &self,
        config: &Config,
        q: &LogQuery,
        member: Option<MemberId>,
        kind: Option<String>,
    ) -> Result<LogFilter, ApiError> {
        if let (Some(s), Some(u)) = (q.since, q.until)
            && s > u
        {
            return Err(ApiError::bad_input(format!(
                "the first day {s} is after the last day {u}"
            )));
        }
        let (from, to) = report::day_bounds(q.since, q.until, config.settings.timezone);
        Ok(LogFilter {
            member: member.map(|m| m.0),
            kind,
            from_us: (from != i64::MIN).then_some(from),
            to_us: (to != i64::MAX).then_some(to),
            before: q.before,
        })
    }

    fn decisions(&self, config: &Config, reach: &Reach, q: &LogQuery) -> Result<Reply, ApiError> {
        let tz = config.settings.timezone;
        let member = match (&q.member, reach.sees_all) {
            (Some(name), _) => Some(self.readable(reach, name)?.id),
            (None, true) => None,
            (None, false) => match reach.own.as_slice() {
                [only] => Some(only.id),
                _ => {
                    return Err(ApiError::bad_input(format!(
                        "say whose decisions: {} acts as {}",
                        self.account_words(),
                        names(&reach.own)
                    )));
                }
            },
        };
        let filter =
            self.log_filter(config, q, member, q.outcome.map(|o| o.as_str().to_string()))?;
        let limit = q.limit.clamp(1, MAX_ROWS);
        let rows = report::decisions(self.store.conn(), &filter, limit)?;
        let next_before = (rows.len() == limit)
            .then(|| rows.last().map(|r| r.id))
            .flatten();
        Ok(Reply::Decisions(DecisionsView {
            decisions: rows
                .into_iter()
                .map(|d| DecisionView {
                    id: d.id,
                    at: chrono::DateTime::from_timestamp_micros(d.at_us).unwrap_or_default(),
                    time_local: report::local(d.at_us, tz),
                    member: d.member,
                    action: d.action,
                    outcome: Outcome::parse(&d.outcome).unwrap_or(Outcome::Deny),
                    summary: d.summary,
                    tx_id: d.tx,
                    reasons: ReasonView::stored(&d.reasons_json),
                })
                .collect(),
            next_before,
        }))
    }

    fn guardian_log(&self, config: &Config, q: &LogQuery) -> Result<Reply, ApiError> {
        let tz = config.settings.timezone;
        let member = q
            .member
            .as_deref()
            .map(|m| ledger::find_member(self.store.conn(), m))
            .transpose()?
            .map(|m| m.id);
        let action = q
            .action
            .as_deref()
            .map(|typed| {
                report::action_code(typed)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        ApiError::bad_input(format!(
                            "action \"{typed}\" is not one of: {}",
                            report::GUARDIAN_ACTIONS
                                .iter()
                                .map(|(code, words)| format!("{words} ({code})"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    })
            })
            .transpose()?;
        let filter = self.log_filter(config, q, member, action)?;
        let limit = q.limit.clamp(1, MAX_ROWS);
        let rows = report::guardian_actions(self.store.conn(), &filter, limit)?;
        let next_before = (rows.len() == limit)
            .then(|| rows.last().map(|r| r.id))
            .flatten();
        Ok(Reply::GuardianLog(GuardianLogView {
            guardian_actions: rows
                .into_iter()
                .map(|a| ActionView {
                    id: a.id,
                    at: chrono::DateTime::from_timestamp_micros(a.at_us).unwrap_or_default(),
                    time_local: report::local(a.at_us, tz),
                    by: a.actor,
                    action_words: report::action_words(&a.action),
                    action: a.action,
                    subject: a.subject,
                    before: a.before,
                    after: a.after,
                })
                .collect(),
            next_before,
        }))
    }

    fn alerts(&self, config: &Config) -> Result<Reply, ApiError> {
        let conn = self.store.conn();
        let tz = config.settings.timezone;
        let members = ledger::list_members(conn)?;
        Ok(Reply::Alerts(AlertsView {
            alerts: ledger::open_alerts(conn, MAX_ROWS)?
                .into_iter()
                .map(|a| AlertView {
                    id: a.id,
                    at: chrono::DateTime::from_timestamp_micros(a.at_us).unwrap_or_default(),
                    time_local: report::local(a.at_us, tz),
                    member: members
                        .iter()
                        .find(|m| m.id == a.member)
                        .map(|m| m.name.to_string())
                        .unwrap_or_default(),
                    member_id: a.member,
                    kind: a.kind,
                    message: a.message,
                })
                .collect(),
        }))
    }

    fn daily_spend(
        &self,
        config: &Config,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Reply, ApiError> {
        let conn = self.store.conn();
        let currency = config.settings.currency;
        let span = (last - first).num_days();
        if !(0..=366).contains(&span) {
            return Err(ApiError::bad_input(
                "daily spending covers 1 to 367 days, the first before the last",
            ));
        }
        let (first_n, last_n) = (
            ledger::spend::day_number(first),
            ledger::spend::day_number(last),
        );
        let mut micros = vec![0i64; usize::try_from(span + 1).unwrap_or(0)];
        for m in ledger::list_members(conn)? {
            for (day, spent) in ledger::spend::local_day_totals(conn, m.id, first_n, last_n)? {
                if let Some(slot) = usize::try_from(day - first_n)
                    .ok()
                    .and_then(|i| micros.get_mut(i))
                {
                    *slot = slot.saturating_add(spent.purchase_micros);
                }
            }
        }
        Ok(Reply::DailySpend(DailySpendView {
            days: micros
                .into_iter()
                .enumerate()
                .map(|(i, m)| DaySpend {
                    day: first + chrono::TimeDelta::days(i as i64),
                    money: Money::from_micros(currency, m),
                })
                .collect(),
        }))
    }

    fn spend(
        &mut self,
        reach: &Reach,
        spend: Spend,
        preview: bool,
        key: Option<String>,
        pin: Option<String>,
    ) -> Result<Reply, ApiError> {
        let key = parse_key(key.as_deref())?;
        let mode = if preview { Mode::Preview } else { Mode::Commit };
        // Everything typed is checked before anyone's PIN is asked for.
        enum Parsed {
            Custom(Coins),
            Pack,
            Gift(u64),
            Redeem(Diamonds),
        }
        let parsed = match &spend {
            Spend::Coins { coins, .. } => Parsed::Custom(Coins::parse(coins)?),
            Spend::Pack { .. } => Parsed::Pack,
            Spend::Gift { count, .. } => Parsed::Gift(parse_count(count, "gifts", 10_000)?),
            Spend::Redeem { diamonds, .. } => Parsed::Redeem(Diamonds::parse(diamonds)?),
        };
        let member = ledger::find_member(self.store.conn(), spend.member())?;
        if preview {
            // A preview writes nothing and needs no PIN, but is still only
            // for the members this account acts as (it shows their limits).
            if !reach.sees_all && !reach.owns(member.id) {
                return Err(self.not_yours(reach, &member));
            }
        } else {
            self.acting_as(reach, member.name.as_str(), pin.as_deref())?;
        }
        let outcome = match (&spend, parsed) {
            (Spend::Coins { member, .. }, Parsed::Custom(coins)) => services::purchase(
                &mut self.store,
                self.clock,
                mode,
                &services::PurchaseRequest::Custom { member, coins, key },
            )?,
            (Spend::Pack { member, pack }, _) => services::purchase(
                &mut self.store,
                self.clock,
                mode,
                &services::PurchaseRequest::Pack { member, pack, key },
            )?,
            (
                Spend::Gift {
                    member,
                    creator,
                    gift,
                    ..
                },
                Parsed::Gift(count),
            ) => services::gift(
                &mut self.store,
                self.clock,
                mode,
                &services::GiftRequest {
                    member,
                    creator,
                    gift,
                    count,
                    key,
                },
            )?,
            (Spend::Redeem { creator, .. }, Parsed::Redeem(diamonds)) => services::redeem(
                &mut self.store,
                self.clock,
                mode,
                &services::RedeemRequest {
                    creator,
                    diamonds,
                    key,
                },
            )?,
            _ => {
                return Err(ApiError::new(
                    ErrorKind::Other,
                    "the spend was read wrongly",
                ));
            }
        };
        let mut view = spend_view(&outcome, preview);
        view.allowance_words = self.in_allowance_terms(&member, outcome.money_micros)?;
        Ok(Reply::Spend(view))
    }

    /// "14.28 USD: about 2 weeks of your allowance", for a member with one.
    fn in_allowance_terms(
        &self,
        member: &Member,
        micros: Option<i64>,
    ) -> Result<Option<String>, ApiError> {
        let Some(micros) = micros else {
            return Ok(None);
        };
        let Some(a) = ledger::allowances::allowance_of(self.store.conn(), member.id)? else {
            return Ok(None);
        };
        let config = self.store.config()?;
        let money = Money::from_micros(config.settings.currency, micros);
        Ok(
            services::allowance::in_allowance_terms(&a, &config.economy, money)
                .map(|words| format!("{money}: {words}")),
        )
    }
}

/// A verify's step as it travels.
fn progress_view(step: ledger::Step) -> ProgressView {
    ProgressView {
        stage: match step.stage {
            ledger::Stage::File => ProgressStage::File,
            ledger::Stage::Transactions => ProgressStage::Transactions,
            ledger::Stage::Totals => ProgressStage::Totals,
            ledger::Stage::Decisions => ProgressStage::Decisions,
            ledger::Stage::GuardianActions => ProgressStage::GuardianActions,
        },
        done: step.done,
        total: step.total,
    }
}

/// The calendar window a span of days is, if it is one: a day, an ISO
/// week (Monday to Sunday) or a calendar month.
fn span_window(first: NaiveDate, last: NaiveDate) -> Option<Window> {
    use chrono::Datelike;
    if first == last {
        return Some(Window::Day);
    }
    if first.weekday() == chrono::Weekday::Mon && (last - first).num_days() == 6 {
        return Some(Window::Week);
    }
    let month_end = first
        .with_day(1)
        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
        .and_then(|d| d.pred_opt());
    (first.day() == 1 && month_end == Some(last)).then_some(Window::Month)
}

/// Each limit against what the span used of its scope; the share of the
/// cap only where the limit's window is the span itself.
fn limits_used(
    limits: &[ledger::Limit],
    spent: &ledger::Spend,
    span: Option<Window>,
    config: &Config,
) -> Vec<LimitUsedView> {
    let currency = config.settings.currency;
    limits
        .iter()
        .map(|l| {
            let units = match l.scope {
                Scope::Purchase => spent.purchase_micros,
                Scope::Gift => spent.gift_coins,
                Scope::All => spent.all_micros,
            }
            .max(0);
            let used = domain::LimitAmount::of_scope(l.scope, units, currency)
                .unwrap_or(domain::LimitAmount::Money(Money::zero(currency)));
            let cap = l.hard.or(l.soft);
            let percent = cap
                .filter(|c| c.units() > 0 && span == Some(l.window))
                .map(|c| {
                    i64::try_from(i128::from(units) * 100 / i128::from(c.units()))
                        .unwrap_or(i64::MAX)
                });
            let used_words = match used {
                domain::LimitAmount::Money(m) => m.to_string(),
                domain::LimitAmount::Coins(c) => config
                    .economy
                    .coins_with_value(c.to_i64().unwrap_or(i64::MAX)),
            };
            let limit_words = services::describe_limit(l, &config.economy);
            let words = match percent {
                Some(p) => format!("{limit_words}: used {used_words} ({p}%)"),
                None => format!(
                    "{limit_words}: {used_words} in this span (the limit counts per {})",
                    l.window
                ),
            };
            LimitUsedView {
                scope: l.scope,
                window: l.window,
                used: used.into(),
                cap: cap.map(Amount::from),
                percent,
                words,
            }
        })
        .collect()
}

/// A pending request whose time is up reads as expired (at its expiry time),
/// before any write has recorded it.
fn expired_now(mut r: ledger::Request, now_us: i64) -> ledger::Request {
    if r.status == domain::RequestStatus::Pending && r.expires_at_us <= now_us {
        r.status = domain::RequestStatus::Expired;
        r.resolved_at_us = Some(r.expires_at_us);
        r.resolution = Some("no guardian answered before it expired".into());
    }
    r
}

fn names(members: &[Member]) -> String {
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    match names.as_slice() {
        [] => "nobody".into(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A PIN typed to be checked against a stored one. Text that could never be
/// a PIN (too short, too long, control characters) is simply a wrong PIN:
/// it is checked, and counted as a failed attempt, like any other. It is
/// checked as a stand-in that no stored PIN can equal: a noncharacter and
/// 128 random bits, drawn afresh in each process from the OS's randomness
/// (`RandomState`), so nobody can choose it as a PIN beforehand.
fn pin_to_check(typed: &str) -> Result<Pin, ApiError> {
    match Pin::parse(typed) {
        Ok(pin) => Ok(pin),
        Err(_) => never_a_pin(),
    }
}

fn never_a_pin() -> Result<Pin, ApiError> {
    use std::hash::{BuildHasher, Hasher};
    static STAND_IN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = STAND_IN.get_or_init(|| {
        let random = |salt: u64| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(salt);
            h.finish()
        };
        format!("\u{ffff}{:016x}{:016x}", random(1), random(2))
    });
    Ok(Pin::parse(text)?)
}

/// A new PIN that is only digits or among the most common is refused unless
/// the guardian said to use it anyway: the household is only as safe as its
/// weakest guardian PIN.
fn strong_enough(pin: &Pin, accept_weak: bool) -> Result<(), ApiError> {
    match pin.weakness() {
        Some(warning) if !accept_weak => Err(ApiError::bad_input(format!(
            "{warning}. Nothing was changed: choose a passphrase, or add --accept-weak-pin to use this PIN anyway"
        ))),
        _ => Ok(()),
    }
}

fn parse_key(text: Option<&str>) -> Result<Option<IdempotencyKey>, ApiError> {
    Ok(text.map(IdempotencyKey::parse).transpose()?)
}

fn parse_cursor(text: &str) -> Result<Cursor, ApiError> {
    let bad = || {
        ApiError::bad_input(format!(
            "\"{text}\" is not a page marker; use the one the previous page gave"
        ))
    };
    let (at, id) = text.split_once('.').ok_or_else(bad)?;
    Ok(Cursor {
        at_us: at.parse().map_err(|_| bad())?,
        id: id.parse().map_err(|_| bad())?,
    })
}

fn quiet_hours(spec: &QuietHoursSpec) -> Result<domain::QuietHours, ApiError> {
    if spec.action == Outcome::Allow {
        return Err(ServiceError::EmptyQuietHours.into());
    }
    Ok(domain::QuietHours {
        start_minute: domain::parse_time_of_day(&spec.from)?,
        end_minute: domain::parse_time_of_day(&spec.to)?,
        verdict: spec.action,
    })
}

fn change_view<T>(
    change: &services::Change<T>,
    what: String,
    show: impl Fn(&T) -> String,
) -> ChangeView {
    ChangeView {
        by: change.by.to_string(),
        what,
        before: change.before.as_ref().map(&show),
        after: change.after.as_ref().map(&show),
    }
}

/// An allowance in force, for clients. A payment whose day has come but
/// which could not be made yet is said as due, not as "next on" a day
/// already past.
fn allowance_view(
    config: &Config,
    member: &str,
    a: &ledger::allowances::Allowance,
    today: NaiveDate,
) -> AllowanceView {
    use services::allowance::{coins_per_payment, describe, money_per_payment};
    let economy = &config.economy;
    AllowanceView {
        member: member.to_string(),
        every: a.every,
        coins_per_payment: coins_per_payment(a.amount, economy)
            .map(|c| c.get())
            .unwrap_or(0),
        money_per_payment: money_per_payment(a.amount, economy)
            .unwrap_or(Money::zero(economy.currency)),
        next_due: a.next_due,
        words: if a.next_due <= today {
            format!(
                "{}; due since {}, not paid yet",
                describe(a, economy),
                a.next_due
            )
        } else {
            format!("{}; next on {}", describe(a, economy), a.next_due)
        },
    }
}

pub(crate) fn spend_view(outcome: &services::Outcome, preview: bool) -> SpendView {
    SpendView {
        outcome: outcome.verdict,
        preview,
        tx_id: outcome.tx,
        request_id: outcome.request,
        replayed: outcome.replayed,
        summary: outcome.summary.clone(),
        reasons: ReasonView::of(&outcome.reasons),
        allowance_words: None,
    }
}

fn catalog_view(config: &Config) -> CatalogView {
    let economy = &config.economy;
    let currency = economy.currency;
    let rate = |r: Decimal| micro_money(r, currency);
    let best = economy.best_rate_per_coin();
    CatalogView {
        currency: currency.code().to_string(),
        packs: economy
            .packs
            .iter()
            .map(|p| PackView {
                id: p.id.clone(),
                coins: p.coins.get(),
                price: p.price,
                price_per_coin: rate(p.price_per_coin()),
            })
            .collect(),
        gifts: economy
            .gifts
            .iter()
            .map(|g| {
                let diamonds = crate::guard::diamonds_for(g.coins, economy)
                    .map(|d| d.get())
                    .unwrap_or(0);
                let money = rate(
                    economy
                        .value_at_best_rate(g.coins.get())
                        .unwrap_or(Decimal::ZERO),
                );
                let creator_money = economy
                    .diamonds_payout(Diamonds::new(diamonds))
                    .map(|(_, pays)| pays)
                    .unwrap_or(Money::zero(currency));
                GiftView {
                    id: g.id.clone(),
                    name: g.name.to_string(),
                    coins: g.coins.get(),
                    money_at_best_rate: money,
                    creator_diamonds: diamonds,
                    creator_money,
                    platform_keeps: money.checked_sub(creator_money).unwrap_or(money),
                }
            })
            .collect(),
        custom_rate_per_coin: rate(best),
        diamond_share_percent: economy.diamond_share_percent,
        diamond_value: rate(economy.diamond_value),
        minimum_payout: economy.minimum_payout,
        grant_value_per_coin: rate(economy.grant_value_per_coin),
    }
}

/// A rate or config value as money: exact where it fits in micro-units,
/// else to the micro-unit (the scale money is stored at).
fn micro_money(amount: Decimal, currency: Currency) -> Money {
    let micros = (amount * Decimal::from(crate::money::MICROS_PER_UNIT))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    use rust_decimal::prelude::ToPrimitive;
    Money::from_micros(currency, micros.to_i64().unwrap_or(i64::MAX))
}

/// A limit with how it stands, and its figures in words: money as money;
/// coins used with what they cost; coins left valued at the best pack rate.
fn limit_view(s: &LimitStatus, config: &Config) -> LimitView {
    let economy = &config.economy;
    let currency = config.settings.currency;
    let l = &s.limit;
    let amount = |v: i64| -> Amount {
        match l.scope {
            Scope::Gift => Amount::Coins(v.max(0).unsigned_abs()),
            Scope::Purchase | Scope::All => Amount::Money(Money::from_micros(currency, v)),
        }
    };
    let words = |v: i64| match l.scope {
        Scope::Gift => economy.coins_with_value(v),
        Scope::Purchase | Scope::All => Money::from_micros(currency, v).to_string(),
    };
    let used_words = match l.scope {
        Scope::Gift => crate::guard::coins_and_money(s.used, s.used_cost, currency),
        Scope::Purchase | Scope::All => words(s.used),
    };
    let is_gift = l.scope == Scope::Gift;
    let before_approval = match (l.soft, l.hard) {
        (Some(soft), Some(_)) => Some((soft.units() - s.used).max(0)),
        _ => None,
    };
    // Past the amount it counts up to: an approved purchase above the
    // approval amount, or a limit lowered below what was already spent.
    let past = l
        .hard
        .or(l.soft)
        .map_or(0, |cap| s.used.saturating_sub(cap.units()));
    let left_words = match before_approval {
        _ if past > 0 && l.hard.is_some() => format!("already {} over the limit", words(past)),
        _ if past > 0 => format!("already {} past the approval amount", words(past)),
        Some(0) => format!(
            "{} left before it is refused (approval is needed now)",
            words(s.remaining)
        ),
        Some(before) => format!(
            "{} before a guardian must approve, {} before it is refused",
            words(before),
            words(s.remaining)
        ),
        None if l.hard.is_some() => format!("{} left before it is refused", words(s.remaining)),
        None => format!("{} left before a guardian must approve", words(s.remaining)),
    };
    LimitView {
        scope: l.scope,
        window: l.window,
        soft: l.soft.map(Amount::from),
        hard: l.hard.map(Amount::from),
        used: amount(s.used),
        used_cost: is_gift.then(|| Money::from_micros(currency, s.used_cost)),
        remaining: amount(s.remaining),
        percent: s.percent,
        words: services::describe_limit(l, economy),
        used_words,
        remaining_words: words(s.remaining),
        before_approval: before_approval.map(amount),
        left_words,
        cap_words: l
            .hard
            .or(l.soft)
            .map(|a| services::show_amount(a, economy))
            .unwrap_or_default(),
        window_words: if l.window == Window::Transaction {
            "each time".into()
        } else {
            l.window.phrase().to_string()
        },
    }
}

/// A new household file at `path` with one guardian, for the tests of the
/// clients, which reach a household only through this API (they cannot
/// create one through it: `init` is the command line's).
#[cfg(test)]
pub(crate) fn new_household_for_tests(
    path: &std::path::Path,
    guardian: &str,
    pin: &str,
    clock: &dyn Clock,
) -> Result<(), ApiError> {
    services::init_household(
        path,
        &Config::defaults()?,
        &Name::parse(guardian)?,
        &Pin::parse(pin)?,
        clock,
    )?;
    Ok(())
}
