//! Requests, grants, reversals and alerts.

use serde::Serialize;

use super::output::{clean, say};
use super::spending::{self, Extra};
use super::{
    AlertCommand, Args, CliError, EXIT_OK, GuardianArgs, KeyArgs, RequestCommand, guardian_auth,
    member_pin, output,
};
use crate::api::Call;
use crate::api::reply::{
    AlertsView, ChangeView, CountView, HouseholdView, RequestView, RequestsView,
    ReversalPreviewView, SpendView,
};
use crate::client::Household;
use crate::domain::{self, RequestStatus};
use crate::money::Coins;

/// Most requests `request list` shows.
const LIST_LIMIT: usize = 200;

/// A UTC time as household-local "YYYY-MM-DD HH:MM".
fn local_time(at: chrono::DateTime<chrono::Utc>, tz: Option<chrono_tz::Tz>) -> String {
    match tz {
        Some(tz) => at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        None => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// The household's time zone (for showing times).
fn zone(h: &mut Household<'_>) -> Result<Option<chrono_tz::Tz>, CliError> {
    let house: HouseholdView = h.ask(Call::Household)?;
    Ok(domain::parse_timezone(&house.timezone).ok())
}

/// What `request deny` and `request cancel` print under `--json`.
#[derive(Serialize)]
struct Resolved<'a> {
    outcome: &'static str,
    request_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(flatten)]
    change: &'a ChangeView,
}

pub(super) fn request(
    args: &Args,
    h: &mut Household<'_>,
    command: &RequestCommand,
) -> Result<u8, CliError> {
    match command {
        RequestCommand::List { status, member } => {
            let list: RequestsView = h.ask(Call::Requests {
                status: status.map(Into::into),
                member: member.clone(),
                limit: LIST_LIMIT,
            })?;
            if args.json {
                output::json(&list)?;
                return Ok(EXIT_OK);
            }
            if list.requests.is_empty() {
                say!("No requests.")?;
                return Ok(EXIT_OK);
            }
            let tz = zone(h)?;
            for r in &list.requests {
                print_request(r, tz)?;
            }
            Ok(EXIT_OK)
        }
        RequestCommand::Approve { id, guardian } => {
            let auth = guardian_auth(h, guardian)?;
            let view: SpendView = h.ask(Call::Approve { id: *id, auth })?;
            spending::report(
                args,
                &view,
                &Extra {
                    request_id: Some(*id),
                    ..Extra::default()
                },
            )
        }
        RequestCommand::Deny {
            id,
            reason,
            guardian,
        } => {
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::Deny {
                id: *id,
                reason: reason.clone(),
                auth,
            })?;
            if args.json {
                output::json(&Resolved {
                    outcome: "denied",
                    request_id: *id,
                    reason: Some(reason.trim()),
                    change: &change,
                })?;
            } else {
                say!(
                    "{} denied {}. The reason shown to them: {}",
                    clean(&change.by),
                    clean(&change.what),
                    clean(reason.trim())
                )?;
            }
            Ok(EXIT_OK)
        }
        RequestCommand::Cancel { id, member } => {
            let request: RequestView = h.ask(Call::Request { id: *id })?;
            let pin = member_pin(h, &request.member, member)?;
            let change: ChangeView = h.ask(Call::Cancel { id: *id, pin })?;
            if args.json {
                output::json(&Resolved {
                    outcome: "cancelled",
                    request_id: *id,
                    reason: None,
                    change: &change,
                })?;
            } else {
                say!("Cancelled {}.", clean(&change.what))?;
            }
            Ok(EXIT_OK)
        }
        RequestCommand::Again { id, note, member } => {
            let request: RequestView = h.ask(Call::Request { id: *id })?;
            let pin = member_pin(h, &request.member, member)?;
            let view: SpendView = h.ask(Call::AskAgain {
                id: *id,
                note: note.clone(),
                pin,
            })?;
            spending::report(args, &view, &Extra::default())
        }
    }
}

fn print_request(r: &RequestView, tz: Option<chrono_tz::Tz>) -> Result<(), CliError> {
    say!(
        "#{} {} (asked {}): {}",
        r.id,
        r.status.as_str().to_uppercase(),
        local_time(r.created_at, tz),
        clean(&r.summary)
    )?;
    if let Some(why) = &r.changed {
        say!(
            "    CHANGED OUTSIDE COINGUARD since it was asked ({}): approving it is refused; run coinguard verify",
            clean(why)
        )?;
    }
    for reason in &r.reasons {
        say!("    why it needs a guardian: {}", clean(&reason.message))?;
    }
    if !r.note.is_empty() {
        say!("    note: {}", clean(&r.note))?;
    }
    if r.hold_coins > 0 && r.status == RequestStatus::Pending {
        // The coins approving it would spend, with what they cost.
        let held = match &r.hold_cost {
            Some(cost) => format!("{} ({cost})", Coins::new(r.hold_coins)),
            None => Coins::new(r.hold_coins).to_string(),
        };
        say!("    holds {held} until answered")?;
    }
    match r.status {
        RequestStatus::Pending => say!("    waits until {}", local_time(r.expires_at, tz))?,
        _ => say!("    {}", clean(r.resolution.as_deref().unwrap_or_default()))?,
    }
    Ok(())
}

pub(super) fn grant(
    args: &Args,
    h: &mut Household<'_>,
    member: &str,
    coins: &str,
    memo: &str,
    key: &KeyArgs,
    guardian: &GuardianArgs,
) -> Result<u8, CliError> {
    let auth = guardian_auth(h, guardian)?;
    let view: SpendView = h.ask(Call::Grant {
        member: member.to_string(),
        coins: coins.to_string(),
        memo: memo.to_string(),
        key: key.key.clone(),
        auth,
    })?;
    spending::report(args, &view, &Extra::default())
}

/// A reversal shows what it gives back, and any warning (say, that the
/// coins were since spent on a gift that should be reversed first), before
/// the guardian's PIN is asked: the PIN is the guardian's "yes".
pub(super) fn reverse(
    args: &Args,
    h: &mut Household<'_>,
    tx: i64,
    reason: &str,
    key: &KeyArgs,
    guardian: &GuardianArgs,
) -> Result<u8, CliError> {
    if reason.trim().is_empty() {
        return Err(CliError::BadInput(
            "give a reason (--reason TEXT): it is kept in the record".into(),
        ));
    }
    let preview: ReversalPreviewView = h.ask(Call::ReversalPreview { tx })?;
    if !args.json {
        say!(
            "Reversing transaction #{tx}: {}.",
            clean(&preview.gives_back)
        )?;
        for warning in &preview.warnings {
            say!("Warning: {}", clean(warning))?;
        }
    }
    let auth = guardian_auth(h, guardian)?;
    let view: SpendView = h.ask(Call::Reverse {
        tx,
        reason: reason.to_string(),
        key: key.key.clone(),
        auth,
    })?;
    spending::report(
        args,
        &view,
        &Extra {
            reversal: Some(&preview),
            ..Extra::default()
        },
    )
}

pub(super) fn alert(
    args: &Args,
    h: &mut Household<'_>,
    command: &AlertCommand,
) -> Result<u8, CliError> {
    match command {
        AlertCommand::List => {
            let alerts: AlertsView = h.ask(Call::Alerts)?;
            if args.json {
                output::json(&alerts)?;
                return Ok(EXIT_OK);
            }
            if alerts.alerts.is_empty() {
                say!("No alerts.")?;
            }
            for a in &alerts.alerts {
                say!("#{} {}  {}", a.id, a.time_local, clean(&a.message))?;
            }
            Ok(EXIT_OK)
        }
        AlertCommand::Ack { id, all, guardian } => {
            let id = if *all { None } else { *id };
            let auth = guardian_auth(h, guardian)?;
            let acknowledged: CountView = h.ask(Call::AckAlerts { id, auth })?;
            if args.json {
                output::tagged("acknowledged", &acknowledged)?;
            } else {
                say!(
                    "Acknowledged {}.",
                    output::count(acknowledged.count as u64, "alert", "alerts")
                )?;
            }
            Ok(EXIT_OK)
        }
    }
}
