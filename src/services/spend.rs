//! The guarded paths to the ledger: purchase, gift, redeem, grant, reverse.

use rust_decimal::Decimal;

use super::{Mode, Outcome, OutcomeKind, ServiceError};
use crate::config::{Config, Economy};
use crate::domain::{Clock, IdempotencyKey, Memo, TxId};
use crate::guard::{self, Intent, Verdict};
use crate::ledger::{
    self, Account, Draft, Kind, LotTake, NewLot, Platform, PostingDraft, Store, WriteTx,
    find_member, fingerprint,
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
    pub guardian: &'a str,
    pub member: &'a str,
    pub coins: Coins,
    pub memo: Memo,
    pub key: Option<IdempotencyKey>,
}

#[derive(Debug, Clone)]
pub struct ReverseRequest<'a> {
    pub guardian: &'a str,
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
}

/// The one guarded path: key check, guard, append, all in `write`.
fn guarded(
    store: &mut Store,
    clock: &dyn Clock,
    mode: Mode,
    build: impl FnOnce(&WriteTx<'_>, &Config) -> Result<Planned, ServiceError>,
) -> Result<Outcome, ServiceError> {
    let run = |w: &WriteTx<'_>| -> Result<Outcome, ServiceError> {
        let config = w.config();
        let Planned {
            intent,
            draft,
            summary,
        } = build(w, &config)?;
        if let Some(key) = &draft.key
            && let Some((tx, seen)) = ledger::find_by_key(w.sql(), key)?
        {
            if seen != draft.fingerprint {
                return Err(ledger::LedgerError::KeyConflict {
                    key: key.as_str().to_string(),
                }
                .into());
            }
            return Ok(Outcome {
                kind: OutcomeKind::Committed,
                tx: Some(tx),
                replayed: true,
                summary: format!(
                    "already done as transaction {tx} (same key); nothing new was written"
                ),
                reasons: Vec::new(),
            });
        }
        let action = draft.kind.as_str();
        let actor = draft.actor;
        let member = draft.member;
        let outcome = match guard::evaluate(w, &config, &intent, draft)? {
            Verdict::Allow(cleared) => match mode {
                Mode::Commit => {
                    let tx = ledger::append(w, cleared)?;
                    Outcome {
                        kind: OutcomeKind::Committed,
                        tx: Some(tx),
                        replayed: false,
                        summary,
                        reasons: Vec::new(),
                    }
                }
                Mode::Preview => Outcome {
                    kind: OutcomeKind::WouldCommit,
                    tx: None,
                    replayed: false,
                    summary,
                    reasons: Vec::new(),
                },
            },
            Verdict::NeedsApproval(reasons) => Outcome {
                kind: OutcomeKind::Pending,
                tx: None,
                replayed: false,
                summary,
                reasons,
            },
            Verdict::Deny(reasons) => Outcome {
                kind: OutcomeKind::Denied,
                tx: None,
                replayed: false,
                summary,
                reasons,
            },
        };
        if mode == Mode::Commit {
            let decided = match outcome.kind {
                OutcomeKind::Committed | OutcomeKind::WouldCommit => "allow",
                OutcomeKind::Pending => "needs_approval",
                OutcomeKind::Denied => "deny",
            };
            ledger::log_decision(
                w,
                &ledger::DecisionEntry {
                    actor,
                    member,
                    action: action.to_string(),
                    outcome: decided.to_string(),
                    summary: outcome.summary.clone(),
                    reasons_json: guard::reasons_json(&outcome.reasons).to_string(),
                    tx: outcome.tx,
                },
            )?;
        }
        Ok(outcome)
    };
    match mode {
        Mode::Commit => store.write(clock, run),
        Mode::Preview => store.preview(clock, run),
    }
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
        new_lot: None,
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
    guarded(store, clock, mode, |w, config| {
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
        d.new_lot = Some(NewLot {
            member: member.id,
            coins: coins_i,
            cost_micros: price.micros(),
        });
        let summary = format!(
            "{} buys {coins} for {price} ({what}, {rate} {currency} per coin)",
            member.name
        );
        Ok(Planned {
            intent,
            draft: d,
            summary,
        })
    })
}

pub fn gift(
    store: &mut Store,
    clock: &dyn Clock,
    mode: Mode,
    request: &GiftRequest<'_>,
) -> Result<Outcome, ServiceError> {
    guarded(store, clock, mode, |w, config| {
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
        let wallet = ledger::balance(w.sql(), Account::Wallet(member.id))?;
        let available = Coins::from_i64(wallet.max(0))?;
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
        Ok(Planned {
            intent,
            draft: d,
            summary,
        })
    })
}

pub fn redeem(
    store: &mut Store,
    clock: &dyn Clock,
    mode: Mode,
    request: &RedeemRequest<'_>,
) -> Result<Outcome, ServiceError> {
    guarded(store, clock, mode, |w, config| {
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
        })
    })
}

pub fn grant(
    store: &mut Store,
    clock: &dyn Clock,
    mode: Mode,
    request: &GrantRequest<'_>,
) -> Result<Outcome, ServiceError> {
    guarded(store, clock, mode, |w, config| {
        let economy = &config.economy;
        let guardian = find_member(w.sql(), request.guardian)?;
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
        d.new_lot = Some(NewLot {
            member: member.id,
            coins: coins_i,
            cost_micros: value.micros(),
        });
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
        })
    })
}

pub fn reverse(
    store: &mut Store,
    clock: &dyn Clock,
    mode: Mode,
    request: &ReverseRequest<'_>,
) -> Result<Outcome, ServiceError> {
    guarded(store, clock, mode, |w, config| {
        let currency = config.economy.currency;
        let guardian = find_member(w.sql(), request.guardian)?;
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
        d.new_lot = plan.new_lot.clone();
        d.takes = plan.takes.clone();
        let kind = plan.original_kind.as_str();
        let money = Money::from_micros(currency, plan.money_micros);
        let part = if plan.partial {
            "the unspent part of "
        } else {
            ""
        };
        d.detail = match plan.original_kind {
            Kind::Purchase => format!(
                "refund of {part}{kind} {}: {} back",
                plan.original,
                coins_and_money(plan.coins, plan.money_micros, currency)
            ),
            Kind::Grant => format!(
                "withdrawal of {part}{kind} {}: {}",
                plan.original,
                coins_and_money(plan.coins, plan.money_micros, currency)
            ),
            Kind::Gift => format!(
                "undo of {kind} {}: {} returned",
                plan.original,
                coins_and_money(plan.coins, plan.money_micros, currency)
            ),
            _ => format!("undo of {kind} {}: {money} recovered", plan.original),
        };
        let summary = format!("{} reverses {}", guardian.name, d.detail);
        Ok(Planned {
            intent: Intent::Reversal { guardian, plan },
            draft: d,
            summary,
        })
    })
}
