//! The guarded paths to the ledger: purchase, gift, redeem, grant, reverse.

use super::{Mode, Outcome, ServiceError};
use crate::auth::GuardianPass;
use crate::config::{Config, Economy};
use crate::domain::Outcome as Verdict;
use crate::domain::{
    Account, Clock, IdempotencyKey, Kind, LimitAmount, MemberId, Memo, Role, TxId,
};
use crate::guard::{self, Bought, Intent, Judgement};
use crate::ledger::{self, GuardianAction, Store, WriteTx, find_member};
use crate::money::{Coins, Diamonds, Money};

/// Buy a pack, or an exact number of coins at the best pack rate.
#[derive(Debug, Clone)]
pub enum PurchaseRequest<'a> {
    Pack {
        member: &'a str,
        pack: &'a str,
        key: Option<IdempotencyKey>,
    },
    Custom {
        member: &'a str,
        coins: Coins,
        key: Option<IdempotencyKey>,
    },
}

#[derive(Debug, Clone)]
pub struct GiftRequest<'a> {
    pub member: &'a str,
    pub creator: &'a str,
    pub gift: &'a str,
    pub count: u64,
    pub key: Option<IdempotencyKey>,
}

#[derive(Debug, Clone)]
pub struct RedeemRequest<'a> {
    pub creator: &'a str,
    pub diamonds: Diamonds,
    pub key: Option<IdempotencyKey>,
}

#[derive(Debug, Clone)]
pub struct GrantRequest<'a> {
    pub member: &'a str,
    pub coins: Coins,
    pub memo: Memo,
    pub key: Option<IdempotencyKey>,
}

#[derive(Debug, Clone)]
pub struct ReverseRequest {
    pub tx: TxId,
    pub reason: Memo,
    pub key: Option<IdempotencyKey>,
}

/// How a guarded path runs.
#[derive(Debug, Clone)]
pub(super) struct Ctx {
    pub mode: Mode,
    /// Goes on the request if one is created ("ask again with a note").
    pub note: Memo,
    /// Set when a guardian is approving this request now.
    pub approving: Option<(i64, MemberId)>,
    /// The parameters the request being approved was read with: the write
    /// refuses to go on if the row says anything else by then.
    pub asked_params: Option<String>,
    /// The seal key of the guardian whose pass this write carries out (a
    /// grant, a reversal, an approval): the write ends with their seal.
    pub seal: Option<ledger::SealKey>,
}

impl Ctx {
    pub fn plain(mode: Mode) -> Ctx {
        Ctx {
            mode,
            note: Memo::default(),
            approving: None,
            asked_params: None,
            seal: None,
        }
    }

    /// A guardian's action: sealed with their key when it commits.
    pub fn sealed(mode: Mode, pass: &GuardianPass) -> Ctx {
        Ctx {
            seal: Some(pass.seal_key().clone()),
            ..Ctx::plain(mode)
        }
    }

    fn approval(&self) -> guard::Approval {
        if self.approving.is_some() {
            guard::Approval::GivenNow
        } else {
            guard::Approval::None
        }
    }
}

fn outcome(verdict: Verdict, summary: String) -> Outcome {
    Outcome {
        verdict,
        tx: None,
        request: None,
        replayed: false,
        summary,
        reasons: Vec::new(),
        money_micros: None,
    }
}

/// A replayed idempotency key: the first result again, writing nothing,
/// or a conflict when the key was used for something else. A key is spent
/// on whatever its command came to: a transaction, a request (the same
/// request, with its reasons) or a refusal (the same refusal, even if the
/// rule has changed since: use a new key to try again). `None`: the key is new.
fn replayed(
    w: &WriteTx<'_, '_>,
    key: &IdempotencyKey,
    fingerprint: &str,
) -> Result<Option<Outcome>, ServiceError> {
    let conflict = || ledger::LedgerError::KeyConflict {
        key: key.as_str().to_string(),
    };
    let damaged = |what: String| ledger::LedgerError::Corrupt {
        message: format!("{what} has reasons coinguard cannot read"),
    };
    if let Some((tx, seen)) = ledger::find_by_key(w.sql(), key)? {
        if seen != fingerprint {
            return Err(conflict().into());
        }
        let mut done = outcome(
            Verdict::Allow,
            format!("already done as transaction {tx} (same key); nothing new was written"),
        );
        (done.tx, done.replayed) = (Some(tx), true);
        return Ok(Some(done));
    }
    if let Some(request) = ledger::request_by_key(w.sql(), key)? {
        if request.fingerprint != fingerprint {
            return Err(conflict().into());
        }
        let mut asked = outcome(
            Verdict::NeedsApproval,
            format!(
                "{} (already asked as request #{} with the key \"{}\", now {}; nothing new was written)",
                request.summary,
                request.id,
                key.as_str(),
                request.status.as_str()
            ),
        );
        asked.reasons = guard::reasons_from_json(&request.reasons_json)
            .ok_or_else(|| damaged(format!("request #{}", request.id)))?;
        (asked.request, asked.replayed) = (Some(request.id), true);
        return Ok(Some(asked));
    }
    if let Some(refused) = ledger::refusal_by_key(w.sql(), key.as_str())? {
        if refused.fingerprint != fingerprint {
            return Err(conflict().into());
        }
        let mut denied = outcome(
            Verdict::Deny,
            format!(
                "{} (refused before with the key \"{}\"; nothing new was written. The key is spent: use a new key to try again)",
                refused.summary,
                key.as_str()
            ),
        );
        denied.reasons = guard::reasons_from_json(&refused.reasons_json)
            .ok_or_else(|| damaged(format!("decision #{}", refused.decision)))?;
        denied.replayed = true;
        return Ok(Some(denied));
    }
    Ok(None)
}

/// The one guarded path: expiry, key check, the draft built from the
/// intent, the guard, then append, a request or a refusal, alerts and the
/// decision log, all in one write transaction. `build` reads the facts and
/// returns the intent with its idempotency key; it writes nothing.
fn guarded(
    store: &mut Store,
    clock: &dyn Clock,
    ctx: &Ctx,
    build: impl FnOnce(
        &WriteTx<'_, '_>,
        &Config,
    ) -> Result<(Intent, Option<IdempotencyKey>), ServiceError>,
) -> Result<Outcome, ServiceError> {
    guarded_then(store, clock, ctx, build, |_, _, _| Ok(()))
}

/// [`guarded`], with `then` run right after a commit, in the same
/// transaction, with the transaction and its summary (an allowance's
/// payment moves its next due date in the transaction that pays it, before
/// the grant's guardian-action entry, which so records the moved row). Not
/// run when nothing is committed (a preview, a request, a refusal, a
/// replayed key).
pub(super) fn guarded_then(
    store: &mut Store,
    clock: &dyn Clock,
    ctx: &Ctx,
    build: impl FnOnce(
        &WriteTx<'_, '_>,
        &Config,
    ) -> Result<(Intent, Option<IdempotencyKey>), ServiceError>,
    then: impl FnOnce(&WriteTx<'_, '_>, TxId, &str) -> Result<(), ServiceError>,
) -> Result<Outcome, ServiceError> {
    let mode = ctx.mode;
    let run = |w: &WriteTx<'_, '_>| -> Result<Outcome, ServiceError> {
        // What this write reads for the guard stays for the next one: it
        // changes kept facts only through `append` (see `ledger::memo`).
        w.keep_memo();
        // Nothing is built on a record whose newest entries do not check out.
        if mode == Mode::Commit
            && let Some(why) = w.record_problem()?
        {
            return Err(ledger::LedgerError::RecordBroken { why }.into());
        }
        if let Some(key) = &ctx.seal {
            w.seal_also_with(key);
        }
        // A preview reads (it takes no write lock): a request whose time is
        // up is judged as expired without writing so, below and in the
        // coins it holds (`held_coins` leaves out requests past their time).
        if mode == Mode::Commit {
            ledger::expire_due(w)?;
        }
        if let Some((id, _)) = ctx.approving {
            let request =
                ledger::request_by_id(w.sql(), id)?.ok_or(ServiceError::UnknownRequest { id })?;
            let due = request.expires_at_us <= w.now().timestamp_micros();
            if request.status != ledger::RequestStatus::Pending || due {
                return Err(ServiceError::NotPending {
                    id,
                    status: if due && request.status == ledger::RequestStatus::Pending {
                        ledger::RequestStatus::Expired.as_str()
                    } else {
                        request.status.as_str()
                    },
                });
            }
            // What the guardian approves is what the request was asked
            // with, as its decision recorded it, and what was read for it.
            let changed = |why: String| ledger::LedgerError::RequestChanged { id, why };
            if let Err(why) = ledger::check_request_binding(w.sql(), id)? {
                return Err(changed(why).into());
            }
            if ctx
                .asked_params
                .as_deref()
                .is_some_and(|p| p != request.params)
            {
                return Err(
                    changed("its parameters changed while it was being approved".into()).into(),
                );
            }
        }
        let config = w.config();
        let (intent, key) = build(w, &config)?;
        let key = match ctx.approving {
            // The request's own key: a second approval can never commit twice.
            Some((request, _)) => Some(IdempotencyKey::internal("request", request)),
            None => key,
        };
        let draft = intent.draft(key.clone(), &config.economy)?;
        if ctx.approving.is_none()
            && let Some(key) = &key
            && let Some(done) = replayed(w, key, &draft.fingerprint)?
        {
            return Ok(done);
        }
        let summary = intent.summary(&config.economy);
        let (action, actor, member) = (draft.kind.as_str(), draft.actor, draft.member);
        let fingerprint = draft.fingerprint.clone();
        let mut result = match guard::evaluate(w, &config, &intent, draft, ctx.approval())? {
            Judgement::Allow(cleared, usage) => match mode {
                Mode::Commit => {
                    let tx = ledger::append(w, cleared)?;
                    then(w, tx, &summary)?;
                    for used in &usage {
                        for pct in used.crossed() {
                            let message = threshold_message(w, &intent, used, pct);
                            ledger::raise_alert(w, member, &format!("limit_{pct}"), &message)?;
                        }
                    }
                    if let Some((what, subject)) = intent.logged() {
                        ledger::log_guardian_action(
                            w,
                            &ledger::GuardianAction {
                                actor: Some(actor),
                                action: what.to_string(),
                                subject,
                                before: String::new(),
                                after: format!("{summary} (transaction {tx})"),
                            },
                        )?;
                    }
                    let mut done = outcome(Verdict::Allow, summary);
                    done.tx = Some(tx);
                    done
                }
                Mode::Preview => outcome(Verdict::Allow, summary),
            },
            Judgement::NeedsApproval(reasons) => {
                let mut pending = outcome(Verdict::NeedsApproval, summary);
                pending.reasons = reasons;
                pending
            }
            Judgement::Deny(reasons) => {
                let mut denied = outcome(Verdict::Deny, summary);
                denied.reasons = reasons;
                denied
            }
        };
        result.money_micros = match &intent {
            Intent::Purchase { bought, .. } => Some(bought.price().micros()),
            Intent::Gift { .. } => intent.gift_cost(),
            _ => None,
        };
        if let (Mode::Commit, Some((id, guardian))) = (mode, ctx.approving) {
            let after = match result.tx {
                Some(tx) => {
                    ledger::resolve_request(
                        w,
                        id,
                        ledger::RequestStatus::Approved,
                        Some(guardian),
                        "approved",
                        Some(tx),
                    )?;
                    format!("approved: {} (transaction {tx})", result.summary)
                }
                None => {
                    // A rule that an approval does not set aside (a hard
                    // limit, funds, an age ban) still refuses: the request
                    // ends here, refused, with the reason, so it does not
                    // wait for ever and the member sees why. The words say
                    // who approved and that it is still refused ("guard"
                    // and "guardian" read alike, so neither is used).
                    let why = result
                        .reasons
                        .iter()
                        .filter(|r| r.severity == crate::domain::Outcome::Deny)
                        .map(|r| r.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ");
                    let who = ledger::member_by_id(w.sql(), guardian)?
                        .map_or_else(|| "A guardian".to_string(), |m| m.name.to_string());
                    ledger::resolve_request(
                        w,
                        id,
                        ledger::RequestStatus::Refused,
                        Some(guardian),
                        &format!("{who} approved it, but it is still refused: {why}"),
                        None,
                    )?;
                    format!("approved, then refused because {why}")
                }
            };
            let action = GuardianAction {
                actor: Some(guardian),
                // Not "approve" (read "request approved") when nothing was.
                action: if result.tx.is_some() {
                    "approve"
                } else {
                    "approve_refused"
                }
                .into(),
                subject: format!("request #{id}"),
                before: "pending".into(),
                after,
            };
            ledger::log_guardian_action(w, &action)?;
        }
        let mut bound = None;
        if mode == Mode::Commit {
            // What a request asks, only when one is made (it allocates).
            let asked = match result.verdict {
                Verdict::NeedsApproval => intent.asked(),
                _ => None,
            };
            match (result.verdict, asked) {
                (Verdict::NeedsApproval, Some(asked)) => {
                    let expires = w.now()
                        + chrono::TimeDelta::hours(i64::from(config.settings.request_expiry_hours));
                    let id = ledger::create_request(
                        w,
                        &ledger::NewRequest {
                            member,
                            action: asked.action(),
                            params: asked.to_stored(),
                            summary: &result.summary,
                            reasons_json: guard::reasons_json(&result.reasons),
                            note: ctx.note.as_str(),
                            hold_coins: intent.hold_coins(),
                            key: key.as_ref(),
                            fingerprint: &fingerprint,
                            expires_at_us: expires.timestamp_micros(),
                        },
                    )?;
                    result.request = Some(id);
                    // Bound to this decision: approving refuses a row
                    // changed since.
                    bound = Some(ledger::RequestBinding {
                        id,
                        params: asked.to_stored(),
                        hash: ledger::binding_hash(w.sql(), id)?.unwrap_or_default(),
                    });
                }
                (Verdict::Deny, _) => {
                    let first = result
                        .reasons
                        .first()
                        .map(|r| r.message.as_str())
                        .unwrap_or_default();
                    let message = format!("refused: {}; {first}", result.summary);
                    ledger::raise_alert(w, member, "denied", &message)?;
                }
                _ => {}
            }
            let decided = result.verdict;
            ledger::log_decision(
                w,
                &ledger::DecisionEntry {
                    actor: ctx.approving.map_or(actor, |(_, guardian)| guardian),
                    member,
                    action: action.into(),
                    outcome: decided,
                    summary: result.summary.as_str().into(),
                    reasons_json: guard::reasons_json(&result.reasons),
                    tx: result.tx,
                    // A refused command's key is spent on its refusal (an
                    // approval's own key is not a person's key).
                    key: match (&key, result.verdict, ctx.approving) {
                        (Some(key), Verdict::Deny, None) => Some(ledger::SpentKey {
                            key: key.as_str().to_string(),
                            fingerprint: fingerprint.clone(),
                        }),
                        _ => None,
                    },
                    request: bound,
                },
            )?;
        }
        Ok(result)
    };
    match mode {
        Mode::Commit => store.write(clock, run),
        Mode::Preview => store.preview(clock, run),
    }
}

/// "Sam has used 80% of the purchase limit for this week: 16.00 USD of 20.00 USD".
fn threshold_message(
    w: &WriteTx<'_, '_>,
    intent: &Intent,
    used: &guard::LimitUse,
    pct: u32,
) -> String {
    let config = w.config();
    let currency = config.settings.currency;
    let after = used.used_before.saturating_add(used.this);
    // Coins used are known coins, with what they cost; the cap is an amount.
    let used_text = match LimitAmount::of_scope(used.limit.scope, after, currency) {
        Ok(LimitAmount::Coins(_)) => guard::coins_and_money(after, used.cost_after, currency),
        Ok(amount) => amount.to_string(),
        Err(_) => after.to_string(),
    };
    let cap = used
        .limit
        .cap()
        .map(|a| super::show_amount(a, &config.economy))
        .unwrap_or_default();
    format!(
        "{} has used {pct}% of the {} limit for {}: {used_text} of {}",
        intent.member().name,
        used.limit.scope,
        used.limit.window.phrase(),
        cap
    )
}

/// The household's creators, for a message that names who can receive gifts.
fn creator_names(conn: &rusqlite::Connection) -> Result<String, ServiceError> {
    let names: Vec<String> = ledger::list_members(conn)?
        .into_iter()
        .filter(|m| m.role == Role::Creator)
        .map(|m| m.name.to_string())
        .collect();
    Ok(if names.is_empty() {
        "none yet (add one with `coinguard member add NAME --role creator`)".into()
    } else {
        names.join(", ")
    })
}

fn pack_list(economy: &Economy) -> String {
    economy
        .packs
        .iter()
        .map(|p| format!("{} ({} for {})", p.id, p.coins, p.price))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn purchase(
    store: &mut Store,
    clock: &dyn Clock,
    mode: Mode,
    request: &PurchaseRequest<'_>,
) -> Result<Outcome, ServiceError> {
    purchase_with(store, clock, &Ctx::plain(mode), request)
}

pub(super) fn purchase_with(
    store: &mut Store,
    clock: &dyn Clock,
    ctx: &Ctx,
    request: &PurchaseRequest<'_>,
) -> Result<Outcome, ServiceError> {
    guarded(store, clock, ctx, |w, config| {
        let (member, key) = match request {
            PurchaseRequest::Pack { member, key, .. }
            | PurchaseRequest::Custom { member, key, .. } => (*member, key.clone()),
        };
        Ok((purchase_intent(w, &config.economy, member, request)?, key))
    })
}

/// A purchase with its facts, read from `conn` (writes nothing).
pub(super) fn purchase_intent(
    members: &dyn ledger::Members,
    economy: &Economy,
    member: &str,
    request: &PurchaseRequest<'_>,
) -> Result<Intent, ServiceError> {
    let member = members.member_named(member)?;
    let bought = match request {
        PurchaseRequest::Pack { pack, .. } => Bought::Pack(
            economy
                .pack(pack.trim())
                .ok_or_else(|| ServiceError::UnknownPack {
                    given: pack.to_string(),
                    known: pack_list(economy),
                })?
                .clone(),
        ),
        PurchaseRequest::Custom { coins, .. } => Bought::Coins {
            coins: *coins,
            rate: economy.best_rate(),
            price: economy.custom_price(*coins)?,
        },
    };
    Ok(Intent::Purchase { member, bought })
}

pub fn gift(
    store: &mut Store,
    clock: &dyn Clock,
    mode: Mode,
    request: &GiftRequest<'_>,
) -> Result<Outcome, ServiceError> {
    gift_with(store, clock, &Ctx::plain(mode), request)
}

pub(super) fn gift_with(
    store: &mut Store,
    clock: &dyn Clock,
    ctx: &Ctx,
    request: &GiftRequest<'_>,
) -> Result<Outcome, ServiceError> {
    guarded(store, clock, ctx, |w, config| {
        let except = ctx.approving.map(|(id, _)| id);
        Ok((
            gift_intent(w.sql(), w, &config.economy, request, except, w.now())?,
            request.key.clone(),
        ))
    })
}

/// A gift with its facts, read from `conn` (writes nothing). `except`: the
/// request whose own hold does not count against it (being approved);
/// requests past their time at `now` hold nothing.
pub(super) fn gift_intent(
    conn: &rusqlite::Connection,
    members: &dyn ledger::Members,
    economy: &Economy,
    request: &GiftRequest<'_>,
    except: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Intent, ServiceError> {
    let member = members.member_named(request.member)?;
    let creator = members.member_named(request.creator)?;
    // Who may receive a gift is bad input, not a guard decision: refused
    // here, before the guard runs, so nothing is written (no decision,
    // no alert) and the command exits as bad input.
    if creator.id == member.id {
        return Err(ServiceError::GiftToSelf {
            name: member.name.to_string(),
        });
    }
    if creator.role != Role::Creator {
        return Err(ServiceError::GiftToNonCreator {
            name: creator.name.to_string(),
            role: creator.role,
            creators: creator_names(conn)?,
        });
    }
    let gift = economy
        .gift(request.gift)
        .ok_or_else(|| ServiceError::UnknownGift {
            given: request.gift.to_string(),
            known: economy
                .gifts
                .iter()
                .map(|g| format!("{} ({})", g.id, g.coins))
                .collect::<Vec<_>>()
                .join(", "),
        })?
        .clone();
    let count = crate::money::parse_count(&request.count.to_string(), "gifts", 10_000)?;
    let coins = gift.coins.checked_mul(count)?;
    // Coins held by pending gift requests are not available (except this
    // request's own hold when a guardian is approving it).
    let wallet = ledger::balance(conn, Account::Wallet(member.id))?;
    let held = ledger::held_coins(conn, member.id, except, now)?;
    let available = Coins::from_i64(wallet.saturating_sub(held).max(0))?;
    // What the available coins cost, oldest first. With nothing held that
    // is every coin in the wallet: the maintained wallet_costs row, exactly
    // (lot shares telescope, so the lots' remaining costs sum to it), which
    // spares walking every open lot (66,000 for a heavy spender at 1M
    // transactions) on each gift. Held coins are rare: only then the walk.
    let available_cost = if available.get() == 0 {
        0
    } else if held == 0 {
        ledger::lot_cost_of_wallet(conn, member.id)?
    } else {
        ledger::cost_of_coins(conn, member.id, available.get())?.unwrap_or(0)
    };
    let takes = ledger::plan_take(conn, member.id, coins.get())?.unwrap_or_default();
    let diamonds = guard::diamonds_for(coins, economy)?;
    Ok(Intent::Gift {
        member,
        creator,
        gift,
        count,
        coins,
        available,
        available_cost,
        takes,
        diamonds,
    })
}

pub fn redeem(
    store: &mut Store,
    clock: &dyn Clock,
    mode: Mode,
    request: &RedeemRequest<'_>,
) -> Result<Outcome, ServiceError> {
    redeem_with(store, clock, &Ctx::plain(mode), request)
}

pub(super) fn redeem_with(
    store: &mut Store,
    clock: &dyn Clock,
    ctx: &Ctx,
    request: &RedeemRequest<'_>,
) -> Result<Outcome, ServiceError> {
    guarded(store, clock, ctx, |w, config| {
        Ok((
            redeem_intent(w.sql(), &config.economy, request)?,
            request.key.clone(),
        ))
    })
}

/// A redemption with its facts, read from `conn` (writes nothing).
pub(super) fn redeem_intent(
    conn: &rusqlite::Connection,
    economy: &Economy,
    request: &RedeemRequest<'_>,
) -> Result<Intent, ServiceError> {
    let creator = find_member(conn, request.creator)?;
    let held = Diamonds::from_i64(ledger::balance(conn, Account::Earnings(creator.id))?.max(0))?;
    // Only the diamonds that pay whole minor units are taken; the odd
    // diamond stays in the earnings (nothing is rounded away).
    let (paying, payout) = economy.diamonds_payout(request.diamonds)?;
    Ok(Intent::Redeem {
        creator,
        diamonds: request.diamonds,
        held,
        paying,
        payout,
    })
}

/// A guardian grants coins (an allowance), valued at the configured rate.
pub fn grant(
    store: &mut Store,
    clock: &dyn Clock,
    mode: Mode,
    pass: GuardianPass,
    request: &GrantRequest<'_>,
) -> Result<Outcome, ServiceError> {
    let guardian = pass.guardian().clone();
    guarded(store, clock, &Ctx::sealed(mode, &pass), |w, config| {
        let economy = &config.economy;
        let member = find_member(w.sql(), request.member)?;
        // Coins × the grant rate, multiplied before it is divided: exact
        // (7,000,000 coins at 0.99 / 70 are 99,000.00).
        let value = economy.grant_value_of(request.coins)?;
        Ok((
            Intent::Grant {
                guardian,
                member,
                coins: request.coins,
                value,
                memo: request.memo.clone(),
            },
            request.key.clone(),
        ))
    })
}

/// What a reversal will give back, shown before the guardian's PIN is asked,
/// and what another order would give back more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReversalPreview {
    /// "refund of the unspent part of purchase #1: 40 coins (0.57 USD) back".
    pub gives_back: String,
    /// One sentence per gift that spent this purchase's coins and is not
    /// reversed: reversing it first would make this refund bigger.
    pub warnings: Vec<String>,
}

/// Plans a reversal without writing anything or asking for a PIN.
pub fn preview_reversal(
    store: &mut Store,
    clock: &dyn Clock,
    tx: TxId,
) -> Result<ReversalPreview, ServiceError> {
    store.preview(clock, |w| {
        let config = w.config();
        let plan = ledger::plan_reversal(w.sql(), tx)?;
        Ok(ReversalPreview {
            gives_back: guard::reversal_detail(&plan, &config.economy),
            warnings: reversal_warnings(w, &plan, &config.economy)?,
        })
    })
}

/// When coins of a purchase or grant were spent on gifts that can still be
/// reversed: reversing those gifts first brings the coins back to this
/// purchase, so reversing it then refunds more. Says which gifts, how much
/// more, and what happens to those coins in the order asked.
fn reversal_warnings(
    w: &WriteTx<'_, '_>,
    plan: &ledger::ReversalPlan,
    economy: &Economy,
) -> Result<Vec<String>, ServiceError> {
    let currency = economy.currency;
    // Only gifts that can still be reversed (a creator who has cashed out
    // the diamonds cannot give them back) change what another order returns.
    let mut gifts = Vec::new();
    for spent in &plan.spent_in {
        if ledger::plan_reversal(w.sql(), spent.gift).is_ok() {
            gifts.push(*spent);
        }
    }
    if gifts.is_empty() {
        return Ok(Vec::new());
    }
    let overflow = || crate::money::MoneyError::Overflow { what: "money" };
    let (mut more_coins, mut more_cost) = (0i64, 0i64);
    for g in &gifts {
        more_coins = more_coins.checked_add(g.coins).ok_or_else(overflow)?;
        more_cost = more_cost.checked_add(g.cost_micros).ok_or_else(overflow)?;
    }
    let listed: Vec<String> = gifts
        .iter()
        .map(|g| {
            format!(
                "gift {} ({} that cost {})",
                g.gift,
                Coins::from_i64(g.coins).unwrap_or_default(),
                Money::from_micros(currency, g.cost_micros)
            )
        })
        .collect();
    let (these, those, its) = if gifts.len() == 1 {
        (listed.join(""), format!("gift {}", gifts[0].gift), "its")
    } else {
        (listed.join(" and "), "those gifts".to_string(), "their")
    };
    let who = &plan.member_name;
    let held = ledger::held_coins(w.sql(), plan.member, None, w.now())?;
    let up_to = if held > 0 { "up to " } else { "" };
    let all_coins = plan.coins.checked_add(more_coins).ok_or_else(overflow)?;
    let all_cost = plan
        .coins_cost_micros
        .checked_add(more_cost)
        .ok_or_else(overflow)?;
    let then = if plan.original_kind == Kind::Purchase {
        let now = Money::from_micros(currency, plan.money_micros);
        let later = crate::money::rounding::for_refund(all_cost, currency)?;
        format!(
            "reversing purchase {} then refunds {up_to}{later} instead of {now} ({} more)",
            plan.original,
            later.checked_sub(now)?
        )
    } else {
        format!(
            "withdrawing grant {} then takes {up_to}{} instead of {}",
            plan.original,
            guard::coins_and_money(all_coins, all_cost, currency),
            guard::coins_and_money(plan.coins, plan.coins_cost_micros, currency)
        )
    };
    let afterwards = if plan.original_kind == Kind::Purchase {
        format!(
            "If you reverse purchase {} now instead, the coins {those} spent can come back to {who} later only as coins, never as money.",
            plan.original
        )
    } else {
        format!(
            "If you withdraw grant {} now instead, the coins {those} spent stay with {who} if it is reversed later.",
            plan.original
        )
    };
    Ok(vec![format!(
        "Coins from {} {} were spent on {these}. Reverse {those} first: {its} coins come back to {who}, and {then}. {afterwards}",
        plan.original_kind.as_str(),
        plan.original,
    )])
}

/// A guardian reverses a transaction (purchases and grants for their unspent
/// part; gifts and redemptions by mirror), with a reason.
pub fn reverse(
    store: &mut Store,
    clock: &dyn Clock,
    mode: Mode,
    pass: GuardianPass,
    request: &ReverseRequest,
) -> Result<Outcome, ServiceError> {
    let guardian = pass.guardian().clone();
    guarded(store, clock, &Ctx::sealed(mode, &pass), |w, _| {
        let plan = ledger::plan_reversal(w.sql(), request.tx)?;
        Ok((
            Intent::Reversal {
                guardian,
                plan,
                reason: request.reason.clone(),
            },
            request.key.clone(),
        ))
    })
}
