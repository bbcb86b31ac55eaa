//! Requests, grants, reversals and alerts.

use serde_json::json;

use super::output::{clean, say};
use super::{
    AlertCommand, Args, CliError, EXIT_OK, GuardianArgs, RequestCommand, confirm_member,
    guardian_pass, open, output, spending,
};
use crate::domain::{Clock, IdempotencyKey, Memo, TxId};
use crate::ledger::{self, Request, RequestStatus};
use crate::money::{Coins, parse_count};
use crate::services::{self, GrantRequest, Mode, ReverseRequest};

fn request_id(text: &str) -> Result<i64, CliError> {
    let id = parse_count(
        text.trim_start_matches('#'),
        "a request number",
        i64::MAX as u64,
    )?;
    Ok(i64::try_from(id).unwrap_or(i64::MAX))
}

fn local_time(at_us: i64, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::from_timestamp_micros(at_us)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn request_json(
    r: &Request,
    names: &dyn Fn(ledger::Member) -> String,
    store: &ledger::Store,
) -> serde_json::Value {
    let member = ledger::member_by_id(store.conn(), r.member)
        .ok()
        .flatten()
        .map(names)
        .unwrap_or_default();
    json!({
        "id": r.id, "member": member, "action": r.action, "status": r.status.as_str(),
        "summary": r.summary, "note": r.note, "hold_coins": r.hold_coins,
        "created_at": chrono::DateTime::from_timestamp_micros(r.created_at_us).map(|t| t.to_rfc3339()),
        "expires_at": chrono::DateTime::from_timestamp_micros(r.expires_at_us).map(|t| t.to_rfc3339()),
        "resolution": r.resolution, "tx_id": r.tx.map(|t| t.0),
        "reasons": serde_json::from_str::<serde_json::Value>(&r.reasons_json).unwrap_or_default(),
    })
}

pub(super) fn request(
    args: &Args,
    clock: &dyn Clock,
    command: &RequestCommand,
) -> Result<u8, CliError> {
    match command {
        RequestCommand::List { status, member } => {
            let status = status
                .as_deref()
                .map(|s| {
                    RequestStatus::parse(s).ok_or_else(|| {
                        CliError::BadInput(format!("status \"{s}\" is not one of pending, approved, denied, expired, cancelled"))
                    })
                })
                .transpose()?;
            let mut store = open(args)?;
            let requests = services::list_requests(&mut store, clock, status, member.as_deref())?;
            let config = store.config()?;
            let tz = config.settings.timezone;
            let name = |m: ledger::Member| m.name.to_string();
            if args.json {
                let list: Vec<_> = requests
                    .iter()
                    .map(|r| request_json(r, &name, &store))
                    .collect();
                output::json(&json!({ "requests": list }))?;
                return Ok(EXIT_OK);
            }
            if requests.is_empty() {
                say!("No requests.")?;
            }
            for r in &requests {
                say!(
                    "#{} {} (asked {}): {}",
                    r.id,
                    r.status.as_str().to_uppercase(),
                    local_time(r.created_at_us, tz),
                    clean(&r.summary)
                )?;
                let reasons: serde_json::Value =
                    serde_json::from_str(&r.reasons_json).unwrap_or_default();
                for reason in reasons.as_array().into_iter().flatten() {
                    say!(
                        "    why it needs a guardian: {}",
                        clean(reason["message"].as_str().unwrap_or_default())
                    )?;
                }
                if !r.note.is_empty() {
                    say!("    note: {}", clean(&r.note))?;
                }
                if r.hold_coins > 0 && r.status == RequestStatus::Pending {
                    // The coins approving it would spend, with what they cost.
                    let cost = ledger::cost_of_coins(
                        store.conn(),
                        r.member,
                        u64::try_from(r.hold_coins).unwrap_or(0),
                    )?;
                    let held = match cost {
                        Some(cost) => crate::guard::coins_and_money(
                            r.hold_coins,
                            cost,
                            config.settings.currency,
                        ),
                        None => config.economy.coins_with_value(r.hold_coins),
                    };
                    say!("    holds {held} until answered")?;
                }
                match r.status {
                    RequestStatus::Pending => {
                        say!("    waits until {}", local_time(r.expires_at_us, tz))?
                    }
                    _ => say!("    {}", clean(r.resolution.as_deref().unwrap_or_default()))?,
                }
            }
            Ok(EXIT_OK)
        }
        RequestCommand::Approve { id, guardian } => {
            let id = request_id(id)?;
            let mut store = open(args)?;
            let pass = guardian_pass(&mut store, clock, guardian)?;
            let outcome = services::approve(&mut store, clock, pass, id)?;
            spending::report(args, &outcome, Mode::Commit)
        }
        RequestCommand::Deny {
            id,
            reason,
            guardian,
        } => {
            let (id, reason) = (request_id(id)?, Memo::parse(reason)?);
            let mut store = open(args)?;
            let pass = guardian_pass(&mut store, clock, guardian)?;
            let by = pass.guardian().name.clone();
            let request = services::deny(&mut store, clock, pass, id, &reason)?;
            if args.json {
                output::json(
                    &json!({"outcome": "denied", "request_id": request.id, "reason": reason.as_str()}),
                )?;
            } else {
                say!(
                    "{} denied request #{id}: {}. The reason shown to them: {}",
                    clean(by.as_str()),
                    clean(&request.summary),
                    clean(reason.as_str())
                )?;
            }
            Ok(EXIT_OK)
        }
        RequestCommand::Cancel { id, member } => {
            let id = request_id(id)?;
            let mut store = open(args)?;
            let request = services::request(&mut store, clock, id)?;
            let owner = ledger::member_by_id(store.conn(), request.member)?
                .map(|m| m.name.to_string())
                .unwrap_or_default();
            confirm_member(&mut store, clock, &owner, member)?;
            let request = services::cancel(&mut store, clock, &owner, id)?;
            if args.json {
                output::json(&json!({"outcome": "cancelled", "request_id": request.id}))?;
            } else {
                say!("Cancelled request #{id}: {}.", clean(&request.summary))?;
            }
            Ok(EXIT_OK)
        }
        RequestCommand::Again { id, note, member } => {
            let (id, note) = (request_id(id)?, Memo::parse(note)?);
            let mut store = open(args)?;
            let request = services::request(&mut store, clock, id)?;
            let owner = ledger::member_by_id(store.conn(), request.member)?
                .map(|m| m.name.to_string())
                .unwrap_or_default();
            confirm_member(&mut store, clock, &owner, member)?;
            let outcome = services::ask_again(&mut store, clock, id, &note)?;
            spending::report(args, &outcome, Mode::Commit)
        }
    }
}

pub(super) fn grant(
    args: &Args,
    clock: &dyn Clock,
    member: &str,
    coins: &str,
    memo: &str,
    key: &Option<String>,
    guardian: &GuardianArgs,
) -> Result<u8, CliError> {
    let request = GrantRequest {
        member,
        coins: Coins::parse(coins)?,
        memo: Memo::parse(memo)?,
        key: key.as_deref().map(IdempotencyKey::parse).transpose()?,
    };
    let mut store = open(args)?;
    ledger::find_member(store.conn(), member)?;
    let pass = guardian_pass(&mut store, clock, guardian)?;
    let outcome = services::grant(&mut store, clock, Mode::Commit, pass, &request)?;
    spending::report(args, &outcome, Mode::Commit)
}

pub(super) fn reverse(
    args: &Args,
    clock: &dyn Clock,
    tx: &str,
    reason: &str,
    key: &Option<String>,
    guardian: &GuardianArgs,
) -> Result<u8, CliError> {
    let tx = parse_count(
        tx.trim_start_matches('#'),
        "a transaction number",
        i64::MAX as u64,
    )?;
    let reason = Memo::parse(reason)?;
    if reason.as_str().is_empty() {
        return Err(services::ServiceError::ReasonRequired.into());
    }
    let request = ReverseRequest {
        tx: TxId(i64::try_from(tx).unwrap_or(i64::MAX)),
        reason,
        key: key.as_deref().map(IdempotencyKey::parse).transpose()?,
    };
    let mut store = open(args)?;
    let pass = guardian_pass(&mut store, clock, guardian)?;
    let outcome = services::reverse(&mut store, clock, Mode::Commit, pass, &request)?;
    spending::report(args, &outcome, Mode::Commit)
}

pub(super) fn alert(
    args: &Args,
    clock: &dyn Clock,
    command: &AlertCommand,
) -> Result<u8, CliError> {
    match command {
        AlertCommand::List => {
            let store = open(args)?;
            let tz = store.config()?.settings.timezone;
            let alerts = services::open_alerts(&store)?;
            if args.json {
                let list: Vec<_> = alerts
                    .iter()
                    .map(|a| json!({"id": a.id, "kind": a.kind, "message": a.message, "member_id": a.member.0,
                                    "at": chrono::DateTime::from_timestamp_micros(a.at_us).map(|t| t.to_rfc3339())}))
                    .collect();
                output::json(&json!({ "alerts": list }))?;
                return Ok(EXIT_OK);
            }
            if alerts.is_empty() {
                say!("No alerts.")?;
            }
            for a in &alerts {
                say!(
                    "#{} {}  {}",
                    a.id,
                    local_time(a.at_us, tz),
                    clean(&a.message)
                )?;
            }
            Ok(EXIT_OK)
        }
        AlertCommand::Ack { id, all, guardian } => {
            let id = if *all {
                None
            } else {
                Some(request_id(id.as_deref().unwrap_or_default())?)
            };
            let mut store = open(args)?;
            let pass = guardian_pass(&mut store, clock, guardian)?;
            let count = services::acknowledge_alerts(&mut store, clock, pass, id)?;
            if args.json {
                output::json(&json!({"outcome": "acknowledged", "count": count}))?;
            } else {
                say!(
                    "Acknowledged {count} alert{}.",
                    if count == 1 { "" } else { "s" }
                )?;
            }
            Ok(EXIT_OK)
        }
    }
}
