//! Requests (ask to buy): approving re-runs the very same guarded path at
//! approval time with the guardian's approval, which overrides needs-approval
//! reasons and never deny reasons; denying, cancelling and expiring release
//! the request's hold. Every guardian step is in the guardian-action log.

use super::spend::{Ctx, gift_with, purchase_with, redeem_with};
use super::{GiftRequest, Mode, Outcome, PurchaseRequest, RedeemRequest, ServiceError};
use crate::auth::GuardianPass;
use crate::domain::{Asked, Clock, Memo};
use crate::ledger::{self, GuardianAction, Request, RequestStatus, Store};
use crate::money::{Coins, Diamonds};

/// Most requests a listing returns.
pub const MAX_LISTED: usize = 500;

/// Lists requests (newest first), expiring overdue ones first.
pub fn list_requests(
    store: &mut Store,
    clock: &dyn Clock,
    status: Option<RequestStatus>,
    member: Option<&str>,
) -> Result<Vec<Request>, ServiceError> {
    store.write(clock, |w| {
        ledger::expire_due(w)?;
        let member = member
            .map(|m| ledger::find_member(w.sql(), m))
            .transpose()?;
        Ok(ledger::list_requests(
            w.sql(),
            status,
            member.map(|m| m.id),
            MAX_LISTED,
        )?)
    })
}

/// One request, after expiring it if its time is up.
pub fn request(store: &mut Store, clock: &dyn Clock, id: i64) -> Result<Request, ServiceError> {
    store.write(clock, |w| {
        ledger::expire_due(w)?;
        ledger::request_by_id(w.sql(), id)?.ok_or(ServiceError::UnknownRequest { id })
    })
}

/// What a stored request asks for, typed. A request whose parameters
/// cannot be read is a damaged row, named.
pub(super) fn asked_of(
    conn: &rusqlite::Connection,
    request: &Request,
) -> Result<Asked, ServiceError> {
    Asked::from_stored(&request.action, &request.params, |name| {
        ledger::find_member(conn, name).ok().map(|m| m.id)
    })
    .map_err(|why| {
        ServiceError::Ledger(ledger::LedgerError::Corrupt {
            message: format!("request #{}: {why}", request.id),
        })
    })
}

/// What a request asks for, in words, worked out from its stored
/// parameters as they stand (never from the words stored beside them): the
/// list, the approval screen and the approval itself say what approving
/// would do. A request whose parameters cannot be read says so.
pub fn request_summary(
    conn: &rusqlite::Connection,
    config: &crate::config::Config,
    request: &Request,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    summary_of(conn, config, request, now)
        .unwrap_or_else(|e| format!("request #{} cannot be read: {e}", request.id))
}

fn summary_of(
    conn: &rusqlite::Connection,
    config: &crate::config::Config,
    request: &Request,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, ServiceError> {
    let economy = &config.economy;
    let name = ledger::member_by_id(conn, request.member)?
        .map(|m| m.name.to_string())
        .ok_or_else(|| {
            ServiceError::Ledger(ledger::LedgerError::Corrupt {
                message: format!("request #{} names no member", request.id),
            })
        })?;
    let pending = request.status == RequestStatus::Pending;
    let intent = match asked_of(conn, request)? {
        Asked::Pack { pack } => super::spend::purchase_intent(
            conn,
            economy,
            &name,
            &PurchaseRequest::Pack {
                member: &name,
                pack: &pack,
                key: None,
            },
        )?,
        Asked::Coins { coins } => super::spend::purchase_intent(
            conn,
            economy,
            &name,
            &PurchaseRequest::Custom {
                member: &name,
                coins: Coins::new(coins),
                key: None,
            },
        )?,
        Asked::Gift {
            creator,
            gift,
            count,
        } => {
            let creator = ledger::member_by_id(conn, creator)?
                .map(|m| m.name.to_string())
                .unwrap_or_default();
            super::spend::gift_intent(
                conn,
                conn,
                economy,
                &GiftRequest {
                    member: &name,
                    creator: &creator,
                    gift: &gift,
                    count,
                    key: None,
                },
                pending.then_some(request.id),
                now,
            )?
        }
        Asked::Redeem { diamonds } => super::spend::redeem_intent(
            conn,
            economy,
            &RedeemRequest {
                creator: &name,
                diamonds: Diamonds::new(diamonds),
                key: None,
            },
        )?,
    };
    Ok(intent.summary(economy))
}

/// Runs what a request asked for, in `ctx`.
fn rerun(
    store: &mut Store,
    clock: &dyn Clock,
    ctx: &Ctx,
    request: &Request,
) -> Result<Outcome, ServiceError> {
    let member = ledger::member_by_id(store.conn(), request.member)?.ok_or_else(|| {
        ServiceError::Ledger(ledger::LedgerError::Corrupt {
            message: format!("request #{} names no member", request.id),
        })
    })?;
    let name = member.name.to_string();
    match asked_of(store.conn(), request)? {
        Asked::Pack { pack } => purchase_with(
            store,
            clock,
            ctx,
            &PurchaseRequest::Pack {
                member: &name,
                pack: &pack,
                key: None,
            },
        ),
        Asked::Coins { coins } => purchase_with(
            store,
            clock,
            ctx,
            &PurchaseRequest::Custom {
                member: &name,
                coins: Coins::new(coins),
                key: None,
            },
        ),
        Asked::Gift {
            creator,
            gift,
            count,
        } => {
            let creator = ledger::member_by_id(store.conn(), creator)?
                .map(|m| m.name.to_string())
                .ok_or_else(|| {
                    ServiceError::Ledger(ledger::LedgerError::Corrupt {
                        message: format!(
                            "request #{} names a creator who is not a member",
                            request.id
                        ),
                    })
                })?;
            gift_with(
                store,
                clock,
                ctx,
                &GiftRequest {
                    member: &name,
                    creator: &creator,
                    gift: &gift,
                    count,
                    key: None,
                },
            )
        }
        Asked::Redeem { diamonds } => redeem_with(
            store,
            clock,
            ctx,
            &RedeemRequest {
                creator: &name,
                diamonds: Diamonds::new(diamonds),
                key: None,
            },
        ),
    }
}

/// Approves a pending request with the guardian's PIN: the intent is judged
/// again now, and committed unless a deny rule stands. If one does, the
/// request ends `refused` with the guard's reasons; the member can ask again
/// once a guardian has changed the rule.
pub fn approve(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    id: i64,
) -> Result<Outcome, ServiceError> {
    let guardian = pass.guardian().clone();
    let request = request(store, clock, id)?;
    ensure_pending(&request)?;
    // Parameters changed since the request was asked are refused before
    // anything is judged (and again inside the write).
    if let Err(why) = ledger::check_request_binding(store.conn(), id)? {
        return Err(ledger::LedgerError::RequestChanged { id, why }.into());
    }
    let ctx = Ctx {
        mode: Mode::Commit,
        note: Memo::default(),
        approving: Some((id, guardian.id)),
        asked_params: Some(request.params.clone()),
        seal: Some(pass.seal_key().clone()),
    };
    // The check, the commit, the request's resolution and the guardian-action
    // log entry happen in one transaction (spend::guarded).
    rerun(store, clock, &ctx, &request)
}

/// What approving request `id` now would do, writing nothing: the same
/// re-run as [`approve`] (the guardian's approval overrides needs-approval
/// reasons, never deny ones), rolled back. No PIN, since nothing is decided;
/// a request whose time is up reads as not pending, as approving it would.
pub fn preview_approval(
    store: &mut Store,
    clock: &dyn Clock,
    id: i64,
) -> Result<Outcome, ServiceError> {
    let request =
        ledger::request_by_id(store.conn(), id)?.ok_or(ServiceError::UnknownRequest { id })?;
    ensure_pending(&request)?;
    // The approval screen shows what approving would do: a request changed
    // since it was asked is refused here too, not previewed.
    if let Err(why) = ledger::check_request_binding(store.conn(), id)? {
        return Err(ledger::LedgerError::RequestChanged { id, why }.into());
    }
    let ctx = Ctx {
        mode: Mode::Preview,
        note: Memo::default(),
        // Who approves is recorded only by a commit; a preview records
        // nothing, so the request's own member stands in.
        approving: Some((id, request.member)),
        asked_params: Some(request.params.clone()),
        seal: None,
    };
    rerun(store, clock, &ctx, &request)
}

/// Denies a pending request with a reason the member will see.
pub fn deny(
    store: &mut Store,
    clock: &dyn Clock,
    pass: GuardianPass,
    id: i64,
    reason: &Memo,
) -> Result<Request, ServiceError> {
    let guardian = pass.guardian().clone();
    if reason.as_str().is_empty() {
        return Err(ServiceError::ReasonRequired);
    }
    store.write(clock, |w| {
        w.present(&pass);
        ledger::expire_due(w)?;
        let request =
            ledger::request_by_id(w.sql(), id)?.ok_or(ServiceError::UnknownRequest { id })?;
        ensure_pending(&request)?;
        ledger::resolve_request(
            w,
            id,
            RequestStatus::Denied,
            Some(guardian.id),
            reason.as_str(),
            None,
        )?;
        ledger::log_guardian_action(
            w,
            &GuardianAction {
                actor: Some(guardian.id),
                action: "deny".into(),
                subject: format!("request #{id}"),
                before: "pending".into(),
                after: format!("denied: {}", reason.as_str()),
            },
        )?;
        Ok(ledger::request_by_id(w.sql(), id)?.unwrap_or(request))
    })
}

/// Only a pending request can be answered or withdrawn.
fn ensure_pending(request: &Request) -> Result<(), ServiceError> {
    if request.status == RequestStatus::Pending {
        return Ok(());
    }
    Err(ServiceError::NotPending {
        id: request.id,
        status: request.status.as_str(),
    })
}

/// The member withdraws their own pending request.
pub fn cancel(
    store: &mut Store,
    clock: &dyn Clock,
    member: &str,
    id: i64,
) -> Result<Request, ServiceError> {
    store.write(clock, |w| {
        ledger::expire_due(w)?;
        let member = ledger::find_member(w.sql(), member)?;
        let request =
            ledger::request_by_id(w.sql(), id)?.ok_or(ServiceError::UnknownRequest { id })?;
        if request.member != member.id {
            return Err(ServiceError::NotYourRequest {
                id,
                name: member.name.to_string(),
            });
        }
        ensure_pending(&request)?;
        ledger::resolve_request(
            w,
            id,
            RequestStatus::Cancelled,
            Some(member.id),
            "cancelled by the member",
            None,
        )?;
        Ok(ledger::request_by_id(w.sql(), id)?.unwrap_or(request))
    })
}

/// Asks again for what a denied, expired or cancelled request asked, with a
/// note for the guardian. The guard judges it afresh: it may go through, or
/// become a new request.
pub fn ask_again(
    store: &mut Store,
    clock: &dyn Clock,
    id: i64,
    note: &Memo,
) -> Result<Outcome, ServiceError> {
    let request = request(store, clock, id)?;
    if request.status == RequestStatus::Pending || request.status == RequestStatus::Approved {
        return Err(ServiceError::StillOpen {
            id,
            status: request.status.as_str(),
        });
    }
    let ctx = Ctx {
        note: note.clone(),
        ..Ctx::plain(Mode::Commit)
    };
    rerun(store, clock, &ctx, &request)
}
