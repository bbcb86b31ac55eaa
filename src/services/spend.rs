//! The guarded paths to the ledger: purchase, gift, redeem, grant, reverse.

use rust_decimal::Decimal;

use super::{Mode, Outcome, OutcomeKind, ServiceError};
use crate::auth::GuardianPass;
use crate::config::{Config, Economy};
use crate::domain::{Clock, IdempotencyKey, MemberId, Memo, TxId};
use crate::guard::{self, Intent, Verdict};
use crate::ledger::{
    self, Account, Draft, GuardianAction, Kind, LotTake, NewLot, Platform, PostingDraft, Store,
    WriteTx, find_member, fingerprint,
};
use crate::money::{Coins, Currency, Diamonds, Money, rounding};

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

/// "350 coins (4.99 USD)": every coin figure travels with its money value.
pub fn coins_and_money(coins: i64, micros: i64, currency: Currency) -> String {
    let coins = Coins::from_i64(coins).unwrap_or_default();
    format!("{coins} ({})", Money::from_micros(currency, micros))
}

/// What a build step hands to the shared guarded path.
struct Planned {
    intent: Intent,
    draft: Draft,
    summary: String,
    /// How to ask again for the same thing, should it need approval:
    /// the action and its parameters.
    asked: Option<(&'static str, serde_json::Value)>,
    /// Coins a request for this would hold (gifts).
    hold_coins: i64,
    /// For guardian actions: what to record in the guardian-action log.
    logged: Option<(&'static str, String)>,
}

/// How a guarded path runs.
#[derive(Debug, Clone)]
pub(super) struct Ctx {
    pub mode: Mode,
    /// Goes on the request if one is created ("ask again with a note").
    pub note: Memo,
    /// Set when a guardian is approving this request now.
    pub approving: Option<(i64, MemberId)>,
}

impl Ctx {
    pub fn plain(mode: Mode) -> Ctx {
        Ctx {
            mode,
            note: Memo::default(),
            approving: None,
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

fn outcome(kind: OutcomeKind, summary: String) -> Outcome {
    Outcome {
        kind,
        tx: None,
        request: None,
        replayed: false,
        summary,
        reasons: Vec::new(),
    }
}

/// The one guarded path: expiry, key check, guard, then append, a request or
/// a refusal, alerts and the decision log, all in one write transaction.
fn guarded(
    store: &mut Store,
    clock: &dyn Clock,
    ctx: &Ctx,
    build: impl FnOnce(&WriteTx<'_>, &Config) -> Result<Planned, ServiceError>,
) -> Result<Outcome, ServiceError> {
    let mode = ctx.mode;
    let run = |w: &WriteTx<'_>| -> Result<Outcome, ServiceError> {
        ledger::expire_due(w)?;
        if let Some((id, _)) = ctx.approving {
            let request =
                ledger::request_by_id(w.sql(), id)?.ok_or(ServiceError::UnknownRequest { id })?;
            if request.status != ledger::RequestStatus::Pending {
                return Err(ServiceError::NotPending {
                    id,
                    status: request.status.as_str(),
                });
            }
        }
        let config = w.config();
        let Planned {
            intent,
            mut draft,
            summary,
            asked,
            hold_coins,
            logged,
        } = build(w, &config)?;
        if let Some((request, _)) = ctx.approving {
            // The request's own key: a second approval can never commit twice.
            draft.key = Some(IdempotencyKey::internal("request", request));
        } else if let Some(key) = &draft.key {
            if let Some((tx, seen)) = ledger::find_by_key(w.sql(), key)? {
                if seen != draft.fingerprint {
                    return Err(ledger::LedgerError::KeyConflict {
                        key: key.as_str().to_string(),
                    }
                    .into());
                }
                let mut done = outcome(
                    OutcomeKind::Committed,
                    format!("already done as transaction {tx} (same key); nothing new was written"),
                );
                (done.tx, done.replayed) = (Some(tx), true);
                return Ok(done);
            }
            if let Some(request) = ledger::request_by_key(w.sql(), key)? {
                if request.fingerprint != draft.fingerprint {
                    return Err(ledger::LedgerError::KeyConflict {
                        key: key.as_str().to_string(),
                    }
                    .into());
                }
                let mut asked = outcome(
                    OutcomeKind::Pending,
                    format!(
                        "already asked as request #{} (same key), now {}; nothing new was written",
                        request.id,
                        request.status.as_str()
                    ),
                );
                (asked.request, asked.replayed) = (Some(request.id), true);
                return Ok(asked);
            }
        }
        let (action, actor, member) = (draft.kind.as_str(), draft.actor, draft.member);
        let (key, fingerprint) = (draft.key.clone(), draft.fingerprint.clone());
        let mut result = match guard::evaluate(w, &config, &intent, draft, ctx.approval())? {
            Verdict::Allow(cleared, usage) => match mode {
                Mode::Commit => {
                    let tx = ledger::append(w, cleared)?;
                    for used in &usage {
                        for pct in used.crossed() {
                            let message = threshold_message(w, &intent, used, pct);
                            ledger::raise_alert(w, member, &format!("limit_{pct}"), &message)?;
                        }
                    }
                    if let Some((what, subject)) = &logged {
                        ledger::log_guardian_action(
                            w,
                            &ledger::GuardianAction {
                                actor: Some(actor),
                                action: (*what).to_string(),
                                subject: subject.clone(),
                                before: String::new(),
                                after: format!("{summary} (transaction {tx})"),
                            },
                        )?;
                    }
                    let mut done = outcome(OutcomeKind::Committed, summary);
                    done.tx = Some(tx);
                    done
                }
                Mode::Preview => outcome(OutcomeKind::WouldCommit, summary),
            },
            Verdict::NeedsApproval(reasons) => {
                let mut pending = outcome(OutcomeKind::Pending, summary);
                pending.reasons = reasons;
                pending
            }
            Verdict::Deny(reasons) => {
                let mut denied = outcome(OutcomeKind::Denied, summary);
                denied.reasons = reasons;
                denied
            }
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
                    // The guard refused what the guardian approved (a hard
                    // limit, an age rule): the request ends here, refused,
                    // with the guard's reason, so it does not wait for ever
                    // and the member sees why.
                    let why = result
                        .reasons
                        .iter()
                        .filter(|r| r.severity == guard::Severity::Deny)
                        .map(|r| r.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ");
                    ledger::resolve_request(
                        w,
                        id,
                        ledger::RequestStatus::Refused,
                        Some(guardian),
                        &format!("approved by a guardian, then refused by the guard: {why}"),
                        None,
                    )?;
                    format!("refused by the guard: {why}")
                }
            };
            let action = GuardianAction {
                actor: Some(guardian),
                action: "approve".into(),
                subject: format!("request #{id}"),
                before: "pending".into(),
                after,
            };
            ledger::log_guardian_action(w, &action)?;
        }
        if mode == Mode::Commit {
            match (result.kind, asked) {
                (OutcomeKind::Pending, Some((asked_action, params))) => {
                    let expires = w.now()
                        + chrono::TimeDelta::hours(i64::from(config.settings.request_expiry_hours));
                    let id = ledger::create_request(
                        w,
                        &ledger::NewRequest {
                            member,
                            action: asked_action,
                            params: params.to_string(),
                            summary: &result.summary,
                            reasons_json: guard::reasons_json(&result.reasons).to_string(),
                            note: ctx.note.as_str(),
                            hold_coins,
                            key: key.as_ref(),
                            fingerprint: &fingerprint,
                            expires_at_us: expires.timestamp_micros(),
                        },
                    )?;
                    result.request = Some(id);
                }
                (OutcomeKind::Denied, _) => {
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
            let decided = match result.kind {
                OutcomeKind::Committed | OutcomeKind::WouldCommit => "allow",
                OutcomeKind::Pending => "needs_approval",
                OutcomeKind::Denied => "deny",
            };
            ledger::log_decision(
                w,
                &ledger::DecisionEntry {
                    actor: ctx.approving.map_or(actor, |(_, guardian)| guardian),
                    member,
                    action: action.to_string(),
                    outcome: decided.to_string(),
                    summary: result.summary.clone(),
                    reasons_json: guard::reasons_json(&result.reasons).to_string(),
                    tx: result.tx,
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
fn threshold_message(w: &WriteTx<'_>, intent: &Intent, used: &guard::LimitUse, pct: u32) -> String {
    let config = w.config();
    let currency = config.settings.currency;
    let show = |v: i64| {
        if used.limit.scope.counts_money() {
            Money::from_micros(currency, v).to_string()
        } else {
            config.economy.coins_with_value(v)
        }
    };
    let cap = used.limit.hard.or(used.limit.soft).unwrap_or(0);
    format!(
        "{} has used {pct}% of the {} limit for {}: {} of {}",
        intent.member().name,
        used.limit.scope,
        used.limit.window.phrase(),
        show(used.used_before.saturating_add(used.this)),
        show(cap)
    )
}

fn draft(
    kind: Kind,
    key: Option<IdempotencyKey>,
    fingerprint: String,
    actor: crate::domain::MemberId,
    member: crate::domain::MemberId,
) -> Draft {
    Draft {
        kind,
        key,
        fingerprint,
        actor,
        member,
        counterparty: None,
        memo: Memo::default(),
        detail: String::new(),
        reverses: None,
        postings: Vec::new(),
        new_lots: Vec::new(),
        takes: Vec::new(),
    }
}

fn post(account: Account, amount: i64) -> PostingDraft {
    PostingDraft { account, amount }
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
        let economy = &config.economy;
        let currency = economy.currency;
        let (member_name, key) = match request {
            PurchaseRequest::Pack { member, key, .. }
            | PurchaseRequest::Custom { member, key, .. } => (*member, key.clone()),
        };
        let member = find_member(w.sql(), member_name)?;
        let (intent, coins, price, what) = match request {
            PurchaseRequest::Pack { pack, .. } => {
                let pack = economy
                    .pack(pack.trim())
                    .ok_or_else(|| ServiceError::UnknownPack {
                        given: pack.to_string(),
                        known: pack_list(economy),
                    })?;
                let what = format!("pack {}", pack.id);
                (
                    Intent::Purchase {
                        member: member.clone(),
                        pack: pack.clone(),
                    },
                    pack.coins,
                    pack.price,
                    what,
                )
            }
            PurchaseRequest::Custom { coins, .. } => {
                let exact = Decimal::from(coins.get())
                    .checked_mul(economy.best_rate_per_coin())
                    .ok_or(crate::money::MoneyError::Overflow { what: "money" })?;
                let price = rounding::for_charge(exact, currency)?;
                (
                    Intent::PurchaseCustom {
                        member: member.clone(),
                        coins: *coins,
                        price,
                    },
                    *coins,
                    price,
                    "a custom amount at the best pack rate".to_string(),
                )
            }
        };
        let coins_i = coins.to_i64()?;
        let rate = rounding::rate_for_display(
            price
                .amount()
                .checked_div(Decimal::from(coins.get()))
                .unwrap_or_default(),
        );
        let fp = fingerprint(&[
            "purchase",
            &member.id.to_string(),
            &what,
            &coins.get().to_string(),
            &price.micros().to_string(),
        ]);
        let mut d = draft(Kind::Purchase, key, fp, member.id, member.id);
        d.detail = format!("{what}: {coins} for {price} ({rate} {currency} per coin)");
        d.postings = vec![
            post(Account::Funding(member.id), -price.micros()),
            post(Account::Platform(Platform::CoinSales), price.micros()),
            post(Account::Platform(Platform::CoinIssuance), -coins_i),
            post(Account::Wallet(member.id), coins_i),
        ];
        d.new_lots = vec![NewLot {
            member: member.id,
            coins: coins_i,
            cost_micros: price.micros(),
            // Bought with money: counted as spent now, not again when gifted.
            paid_micros: price.micros(),
            origin_lot: None,
        }];
        let summary = format!(
            "{} buys {coins} for {price} ({what}, {rate} {currency} per coin)",
            member.name
        );
        let params = match request {
            PurchaseRequest::Pack { pack, .. } => serde_json::json!({ "pack": pack.trim() }),
            PurchaseRequest::Custom { coins, .. } => serde_json::json!({ "coins": coins.get() }),
        };
        Ok(Planned {
            intent,
            draft: d,
            summary,
            asked: Some(("purchase", params)),
            hold_coins: 0,
            logged: None,
        })
    })
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
        let economy = &config.economy;
        let currency = economy.currency;
        let member = find_member(w.sql(), request.member)?;
        let creator = find_member(w.sql(), request.creator)?;
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
            })?;
        let count = crate::money::parse_count(&request.count.to_string(), "gifts", 10_000)?;
        let coins = gift.coins.checked_mul(count)?;
        let coins_i = coins.to_i64()?;
        // Coins held by pending gift requests are not available (except this
        // request's own hold when a guardian is approving it).
        let wallet = ledger::balance(w.sql(), Account::Wallet(member.id))?;
        let held = ledger::held_coins(w.sql(), member.id, ctx.approving.map(|(id, _)| id))?;
        let available = Coins::from_i64(wallet.saturating_sub(held).max(0))?;
        let takes: Vec<LotTake> =
            ledger::plan_take(w.sql(), member.id, coins.get())?.unwrap_or_default();
        let cost: i64 = takes.iter().map(|t| t.cost_micros).sum();
        let diamonds = coins
            .get()
            .checked_mul(u64::from(economy.diamond_share_percent))
            .map(|x| x / 100)
            .ok_or(crate::money::MoneyError::Overflow { what: "diamonds" })?;
        let diamonds_i = Diamonds::new(diamonds).to_i64()?;
        let fp = fingerprint(&[
            "gift",
            &member.id.to_string(),
            &creator.id.to_string(),
            &gift.id,
            &count.to_string(),
        ]);
        let mut d = draft(Kind::Gift, request.key.clone(), fp, member.id, member.id);
        d.counterparty = Some(creator.id);
        let cost_text = if takes.is_empty() {
            "its cost in money is unknown until the coins are there".to_string()
        } else {
            format!("those coins cost {}", Money::from_micros(currency, cost))
        };
        d.detail = format!(
            "{count} × {} ({}) to {}: {coins}; {cost_text}; {} receives {}",
            gift.name,
            gift.coins,
            creator.name,
            creator.name,
            Diamonds::new(diamonds)
        );
        d.postings = vec![
            post(Account::Wallet(member.id), -coins_i),
            post(Account::Platform(Platform::GiftSink), coins_i),
        ];
        if diamonds_i > 0 {
            d.postings.push(post(
                Account::Platform(Platform::DiamondIssuance),
                -diamonds_i,
            ));
            d.postings
                .push(post(Account::Earnings(creator.id), diamonds_i));
        }
        d.takes = takes;
        let summary = format!(
            "{} sends {count} × {} to {}: {}; {} receives {}",
            member.name,
            gift.name,
            creator.name,
            if cost > 0 {
                coins_and_money(coins_i, cost, currency)
            } else {
                coins.to_string()
            },
            creator.name,
            Diamonds::new(diamonds)
        );
        let intent = Intent::Gift {
            member,
            creator,
            gift: gift.clone(),
            count,
            coins,
            cost: Money::from_micros(currency, cost),
            available: Some(available),
        };
        let params = serde_json::json!({ "creator": request.creator, "gift": request.gift, "count": request.count });
        Ok(Planned {
            intent,
            draft: d,
            summary,
            asked: Some(("gift", params)),
            hold_coins: coins_i,
            logged: None,
        })
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
        let economy = &config.economy;
        let currency = economy.currency;
        let creator = find_member(w.sql(), request.creator)?;
        let diamonds = request.diamonds;
        let d_i = diamonds.to_i64()?;
        let held =
            Diamonds::from_i64(ledger::balance(w.sql(), Account::Earnings(creator.id))?.max(0))?;
        let exact = Decimal::from(diamonds.get())
            .checked_mul(economy.diamond_value)
            .ok_or(crate::money::MoneyError::Overflow { what: "money" })?;
        let payout = rounding::for_payout(exact, currency)?;
        // Each diamond stands for 100 / share coins a fan spent.
        let fan_coins = Decimal::from(diamonds.get()) * Decimal::from(100)
            / Decimal::from(economy.diamond_share_percent.max(1));
        let per_fan_coin =
            rounding::rate_for_display(payout.amount().checked_div(fan_coins).unwrap_or_default());
        let fp = fingerprint(&[
            "redeem",
            &creator.id.to_string(),
            &diamonds.get().to_string(),
        ]);
        let mut d = draft(
            Kind::Redeem,
            request.key.clone(),
            fp,
            creator.id,
            creator.id,
        );
        d.detail = format!(
            "{diamonds} at {} {currency} each: {payout} ({per_fan_coin} {currency} per coin fans spent)",
            economy.diamond_value.normalize()
        );
        d.postings = vec![
            post(Account::Earnings(creator.id), -d_i),
            post(Account::Platform(Platform::DiamondIssuance), d_i),
            post(Account::Platform(Platform::Payouts), -payout.micros()),
            post(Account::Payout(creator.id), payout.micros()),
        ];
        let summary = format!(
            "{} cashes out {diamonds} for {payout} ({per_fan_coin} {currency} per coin fans spent)",
            creator.name
        );
        Ok(Planned {
            intent: Intent::Redeem {
                creator,
                diamonds,
                held,
                payout,
            },
            draft: d,
            summary,
            asked: Some(("redeem", serde_json::json!({ "diamonds": diamonds.get() }))),
            hold_coins: 0,
            logged: None,
        })
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
    guarded(store, clock, &Ctx::plain(mode), |w, config| {
        let economy = &config.economy;
        let member = find_member(w.sql(), request.member)?;
        let coins = request.coins;
        let coins_i = coins.to_i64()?;
        // grant_value_per_coin has at most 6 decimals, so this is exact.
        let value = Money::from_decimal(
            economy.currency,
            Decimal::from(coins.get())
                .checked_mul(economy.grant_value_per_coin)
                .ok_or(crate::money::MoneyError::Overflow { what: "money" })?,
        )?;
        let fp = fingerprint(&[
            "grant",
            &guardian.id.to_string(),
            &member.id.to_string(),
            &coins.get().to_string(),
            request.memo.as_str(),
        ]);
        let mut d = draft(Kind::Grant, request.key.clone(), fp, guardian.id, member.id);
        d.memo = request.memo.clone();
        d.detail = format!("{coins} granted by {}, valued at {value}", guardian.name);
        d.postings = vec![
            post(Account::Platform(Platform::CoinIssuance), -coins_i),
            post(Account::Wallet(member.id), coins_i),
        ];
        d.new_lots = vec![NewLot {
            member: member.id,
            coins: coins_i,
            cost_micros: value.micros(),
            // Granted: nothing spent yet; the value counts when gifted.
            paid_micros: 0,
            origin_lot: None,
        }];
        let summary = format!(
            "{} grants {} {}",
            guardian.name,
            member.name,
            coins_and_money(coins_i, value.micros(), economy.currency)
        );
        Ok(Planned {
            intent: Intent::Grant {
                guardian,
                member,
                coins,
                value,
            },
            draft: d,
            summary,
            asked: None,
            hold_coins: 0,
            logged: Some(("grant", request.member.to_string())),
        })
    })
}

/// What reversing a transaction gives back, in words: "refund of purchase
/// #3: 40 coins (0.57 USD) back".
fn reversal_detail(plan: &ledger::ReversalPlan, currency: Currency) -> String {
    let kind = plan.original_kind.as_str();
    let part = if plan.partial {
        "the unspent part of "
    } else {
        ""
    };
    let coins = coins_and_money(plan.coins, plan.money_micros, currency);
    match plan.original_kind {
        Kind::Purchase => format!("refund of {part}{kind} {}: {coins} back", plan.original),
        Kind::Grant => format!("withdrawal of {part}{kind} {}: {coins}", plan.original),
        Kind::Gift => format!("undo of {kind} {}: {coins} returned", plan.original),
        _ => format!(
            "undo of {kind} {}: {} recovered",
            plan.original,
            Money::from_micros(currency, plan.money_micros)
        ),
    }
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
        let currency = w.config().economy.currency;
        let plan = ledger::plan_reversal(w.sql(), tx)?;
        Ok(ReversalPreview {
            gives_back: reversal_detail(&plan, currency),
            warnings: reversal_warnings(&plan, currency),
        })
    })
}

fn reversal_warnings(plan: &ledger::ReversalPlan, currency: Currency) -> Vec<String> {
    if plan.spent_in.is_empty() {
        return Vec::new();
    }
    let gifts: Vec<String> = plan
        .spent_in
        .iter()
        .map(|s| {
            format!(
                "gift {} ({})",
                s.gift,
                coins_and_money(s.coins, s.cost_micros, currency)
            )
        })
        .collect();
    let more: i64 = plan.spent_in.iter().map(|s| s.cost_micros).sum();
    let (it, its) = if gifts.len() == 1 {
        ("that gift", "its")
    } else {
        ("those gifts", "their")
    };
    let then = if plan.original_kind == Kind::Purchase {
        format!(
            "this refund would then be up to {} more",
            Money::from_micros(currency, more)
        )
    } else {
        "this would then withdraw them too".to_string()
    };
    vec![format!(
        "Coins from {} were spent on {}. Reverse {it} first and {its} coins come back to it: {then}.",
        plan.original,
        gifts.join(", ")
    )]
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
    guarded(store, clock, &Ctx::plain(mode), |w, config| {
        let currency = config.economy.currency;
        let plan = ledger::plan_reversal(w.sql(), request.tx)?;
        let fp = fingerprint(&[
            "reversal",
            &guardian.id.to_string(),
            &request.tx.0.to_string(),
            request.reason.as_str(),
        ]);
        let mut d = draft(
            Kind::Reversal,
            request.key.clone(),
            fp,
            guardian.id,
            plan.member,
        );
        d.counterparty = plan.counterparty;
        d.memo = request.reason.clone();
        d.reverses = Some(plan.original);
        d.postings = plan.postings.clone();
        d.new_lots = plan.new_lots.clone();
        d.takes = plan.takes.clone();
        d.detail = reversal_detail(&plan, currency);
        let summary = format!("{} reverses {}", guardian.name, d.detail);
        Ok(Planned {
            intent: Intent::Reversal { guardian, plan },
            draft: d,
            summary,
            asked: None,
            hold_coins: 0,
            logged: Some(("reverse", format!("transaction {}", request.tx))),
        })
    })
}
