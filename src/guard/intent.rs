//! What someone wants to do, with the facts it depends on, and the one pure
//! function that turns it into the ledger draft the guard judges and the
//! ledger writes. The summary people read and the fingerprint a replayed
//! key is checked against come from the same value, so none of them can
//! describe a different transaction from the one written.

use rust_decimal::Decimal;

use crate::config::{Economy, Gift, Pack};
use crate::domain::{Account, Asked, IdempotencyKey, Kind, MemberId, Memo, Platform, Scope};
use crate::ledger::{Draft, LotTake, Member, NewLot, PostingDraft, ReversalPlan, fingerprint};
use crate::money::{Coins, Currency, Diamonds, Money, MoneyError, rounding};

/// What a purchase buys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bought {
    /// A pack from the catalog.
    Pack(Pack),
    /// An exact number of coins at the best pack rate, at this price.
    Coins { coins: Coins, price: Money },
}

impl Bought {
    pub fn coins(&self) -> Coins {
        match self {
            Bought::Pack(pack) => pack.coins,
            Bought::Coins { coins, .. } => *coins,
        }
    }

    pub fn price(&self) -> Money {
        match self {
            Bought::Pack(pack) => pack.price,
            Bought::Coins { price, .. } => *price,
        }
    }

    fn what(&self) -> String {
        match self {
            Bought::Pack(pack) => format!("pack {}", pack.id),
            Bought::Coins { .. } => "a custom amount at the best pack rate".into(),
        }
    }
}

/// What someone wants to do, with every fact read for it.
#[derive(Debug, Clone)]
pub enum Intent {
    Purchase {
        member: Member,
        bought: Bought,
    },
    Gift {
        member: Member,
        creator: Member,
        gift: Gift,
        count: u64,
        coins: Coins,
        /// Coins in the wallet not held by pending gift requests.
        available: Coins,
        /// The coins it would take, oldest lots first (empty: the wallet is short).
        takes: Vec<LotTake>,
        /// What the creator receives.
        diamonds: Diamonds,
    },
    Redeem {
        creator: Member,
        diamonds: Diamonds,
        /// The diamonds in the creator's earnings.
        held: Diamonds,
        payout: Money,
    },
    Grant {
        guardian: Member,
        member: Member,
        coins: Coins,
        value: Money,
        memo: Memo,
    },
    Reversal {
        guardian: Member,
        plan: ReversalPlan,
        reason: Memo,
    },
}

fn post(account: Account, amount: i64) -> PostingDraft {
    PostingDraft { account, amount }
}

/// "350 coins (4.99 USD)": every coin figure travels with its money value.
pub fn coins_and_money(coins: i64, micros: i64, currency: Currency) -> String {
    let coins = Coins::from_i64(coins).unwrap_or_default();
    format!("{coins} ({})", Money::from_micros(currency, micros))
}

/// The diamonds a creator receives for `coins` gifted: their share, rounded down.
pub fn diamonds_for(coins: Coins, economy: &Economy) -> Result<Diamonds, MoneyError> {
    coins
        .get()
        .checked_mul(u64::from(economy.diamond_share_percent))
        .map(|x| Diamonds::new(x / 100))
        .ok_or(MoneyError::Overflow { what: "diamonds" })
}

impl Intent {
    /// The member whose money, coins or diamonds move.
    pub fn member(&self) -> &Member {
        match self {
            Intent::Purchase { member, .. }
            | Intent::Gift { member, .. }
            | Intent::Grant { member, .. } => member,
            Intent::Redeem { creator, .. } => creator,
            Intent::Reversal { guardian, .. } => guardian,
        }
    }

    /// Who acts: the member themself, or the guardian granting or reversing.
    pub fn actor(&self) -> MemberId {
        match self {
            Intent::Grant { guardian, .. } | Intent::Reversal { guardian, .. } => guardian.id,
            other => other.member().id,
        }
    }

    /// Whether limits, quiet hours and age bands judge this intent at all.
    pub fn is_spending(&self) -> bool {
        matches!(self, Intent::Purchase { .. } | Intent::Gift { .. })
    }

    /// The limit scopes this intent counts toward.
    pub fn scopes(&self) -> &'static [Scope] {
        match self {
            Intent::Purchase { .. } => &[Scope::Purchase, Scope::All],
            Intent::Gift { .. } => &[Scope::Gift, Scope::All],
            _ => &[],
        }
    }

    /// What the coins a gift takes cost (from the lots); `None` when the
    /// wallet is short and they are not there.
    pub fn gift_cost(&self) -> Option<i64> {
        match self {
            Intent::Gift { takes, .. } if !takes.is_empty() => {
                Some(takes.iter().map(|t| t.cost_micros).sum())
            }
            _ => None,
        }
    }

    /// How to ask for the same thing again, should it need a guardian.
    pub fn asked(&self) -> Option<Asked> {
        match self {
            Intent::Purchase {
                bought: Bought::Pack(pack),
                ..
            } => Some(Asked::Pack {
                pack: pack.id.clone(),
            }),
            Intent::Purchase {
                bought: Bought::Coins { coins, .. },
                ..
            } => Some(Asked::Coins { coins: coins.get() }),
            Intent::Gift {
                creator,
                gift,
                count,
                ..
            } => Some(Asked::Gift {
                creator: creator.id,
                gift: gift.id.clone(),
                count: *count,
            }),
            Intent::Redeem { diamonds, .. } => Some(Asked::Redeem {
                diamonds: diamonds.get(),
            }),
            Intent::Grant { .. } | Intent::Reversal { .. } => None,
        }
    }

    /// Coins a request for this holds while it waits (a gift's coins).
    pub fn hold_coins(&self) -> i64 {
        match self {
            Intent::Gift { coins, .. } => coins.to_i64().unwrap_or(i64::MAX),
            _ => 0,
        }
    }

    /// What a guardian action records in the guardian-action log.
    pub fn logged(&self) -> Option<(&'static str, String)> {
        match self {
            Intent::Grant { member, .. } => Some(("grant", member.name.to_string())),
            Intent::Reversal { plan, .. } => {
                Some(("reverse", format!("transaction {}", plan.original)))
            }
            _ => None,
        }
    }

    /// SHA-256 of what was asked for: a replayed key must ask for the same.
    /// (The parts are those coinguard has always used, so keys given before
    /// still replay.)
    pub fn fingerprint(&self) -> Result<String, MoneyError> {
        Ok(match self {
            Intent::Purchase { member, bought } => fingerprint(&[
                "purchase",
                &member.id.to_string(),
                &bought.what(),
                &bought.coins().get().to_string(),
                &bought.price().micros().to_string(),
            ]),
            Intent::Gift {
                member,
                creator,
                gift,
                count,
                ..
            } => fingerprint(&[
                "gift",
                &member.id.to_string(),
                &creator.id.to_string(),
                &gift.id,
                &count.to_string(),
            ]),
            Intent::Redeem {
                creator, diamonds, ..
            } => fingerprint(&[
                "redeem",
                &creator.id.to_string(),
                &diamonds.get().to_string(),
            ]),
            Intent::Grant {
                guardian,
                member,
                coins,
                memo,
                ..
            } => fingerprint(&[
                "grant",
                &guardian.id.to_string(),
                &member.id.to_string(),
                &coins.get().to_string(),
                memo.as_str(),
            ]),
            Intent::Reversal {
                guardian,
                plan,
                reason,
            } => fingerprint(&[
                "reversal",
                &guardian.id.to_string(),
                &plan.original.0.to_string(),
                reason.as_str(),
            ]),
        })
    }

    /// One line for people: what happens, coins with their money value.
    pub fn summary(&self, economy: &Economy) -> String {
        let currency = economy.currency;
        match self {
            Intent::Purchase { member, bought } => format!(
                "{} buys {} for {} ({}, {} {currency} per coin)",
                member.name,
                bought.coins(),
                bought.price(),
                bought.what(),
                rate(bought)
            ),
            Intent::Gift {
                member,
                creator,
                gift,
                count,
                coins,
                diamonds,
                ..
            } => format!(
                "{} sends {count} × {} to {}: {}; {} receives {diamonds}",
                member.name,
                gift.name,
                creator.name,
                match self.gift_cost() {
                    Some(cost) => coins_and_money(coins.to_i64().unwrap_or(0), cost, currency),
                    None => coins.to_string(),
                },
                creator.name,
            ),
            Intent::Redeem {
                creator,
                diamonds,
                payout,
                ..
            } => format!(
                "{} cashes out {diamonds} for {payout} ({} {currency} per coin fans spent)",
                creator.name,
                per_fan_coin(*diamonds, *payout, economy)
            ),
            Intent::Grant {
                guardian,
                member,
                coins,
                value,
                ..
            } => format!(
                "{} grants {} {}",
                guardian.name,
                member.name,
                coins_and_money(coins.to_i64().unwrap_or(0), value.micros(), currency)
            ),
            Intent::Reversal { guardian, plan, .. } => format!(
                "{} reverses {}",
                guardian.name,
                reversal_detail(plan, currency)
            ),
        }
    }

    /// The ledger draft: postings, lots and takes, and the words history
    /// shows. Pure: everything it needs is in the intent.
    pub fn draft(
        &self,
        key: Option<IdempotencyKey>,
        economy: &Economy,
    ) -> Result<Draft, MoneyError> {
        let currency = economy.currency;
        let mut d = Draft {
            kind: Kind::Purchase,
            key,
            fingerprint: self.fingerprint()?,
            actor: self.actor(),
            member: self.member().id,
            counterparty: None,
            memo: Memo::default(),
            detail: String::new(),
            reverses: None,
            postings: Vec::new(),
            new_lots: Vec::new(),
            takes: Vec::new(),
        };
        match self {
            Intent::Purchase { member, bought } => {
                let (coins, price) = (bought.coins().to_i64()?, bought.price());
                d.detail = format!(
                    "{}: {} for {price} ({} {currency} per coin)",
                    bought.what(),
                    bought.coins(),
                    rate(bought)
                );
                d.postings = vec![
                    post(Account::Funding(member.id), -price.micros()),
                    post(Account::Platform(Platform::CoinSales), price.micros()),
                    post(Account::Platform(Platform::CoinIssuance), -coins),
                    post(Account::Wallet(member.id), coins),
                ];
                d.new_lots = vec![NewLot {
                    member: member.id,
                    coins,
                    cost_micros: price.micros(),
                    // Bought with money: counted as spent now, not again when gifted.
                    paid_micros: price.micros(),
                    origin_lot: None,
                }];
            }
            Intent::Gift {
                member,
                creator,
                gift,
                count,
                coins,
                takes,
                diamonds,
                ..
            } => {
                d.kind = Kind::Gift;
                d.counterparty = Some(creator.id);
                let coins_i = coins.to_i64()?;
                let cost_text = match self.gift_cost() {
                    Some(cost) => {
                        format!("those coins cost {}", Money::from_micros(currency, cost))
                    }
                    None => "its cost in money is unknown until the coins are there".into(),
                };
                d.detail = format!(
                    "{count} × {} ({}) to {}: {coins}; {cost_text}; {} receives {diamonds}",
                    gift.name, gift.coins, creator.name, creator.name,
                );
                d.postings = vec![
                    post(Account::Wallet(member.id), -coins_i),
                    post(Account::Platform(Platform::GiftSink), coins_i),
                ];
                let diamonds = diamonds.to_i64()?;
                if diamonds > 0 {
                    d.postings.push(post(
                        Account::Platform(Platform::DiamondIssuance),
                        -diamonds,
                    ));
                    d.postings
                        .push(post(Account::Earnings(creator.id), diamonds));
                }
                d.takes = takes.clone();
            }
            Intent::Redeem {
                creator,
                diamonds,
                payout,
                ..
            } => {
                d.kind = Kind::Redeem;
                let count = diamonds.to_i64()?;
                d.detail = format!(
                    "{diamonds} at {} {currency} each: {payout} ({} {currency} per coin fans spent)",
                    economy.diamond_value.normalize(),
                    per_fan_coin(*diamonds, *payout, economy)
                );
                d.postings = vec![
                    post(Account::Earnings(creator.id), -count),
                    post(Account::Platform(Platform::DiamondIssuance), count),
                    post(Account::Platform(Platform::Payouts), -payout.micros()),
                    post(Account::Payout(creator.id), payout.micros()),
                ];
            }
            Intent::Grant {
                guardian,
                member,
                coins,
                value,
                memo,
            } => {
                d.kind = Kind::Grant;
                d.memo = memo.clone();
                let coins = coins.to_i64()?;
                d.detail = format!(
                    "{} granted by {}, valued at {value}",
                    Coins::from_i64(coins)?,
                    guardian.name
                );
                d.postings = vec![
                    post(Account::Platform(Platform::CoinIssuance), -coins),
                    post(Account::Wallet(member.id), coins),
                ];
                d.new_lots = vec![NewLot {
                    member: member.id,
                    coins,
                    cost_micros: value.micros(),
                    // Granted: nothing spent yet; the value counts when gifted.
                    paid_micros: 0,
                    origin_lot: None,
                }];
            }
            Intent::Reversal { plan, reason, .. } => {
                d.kind = Kind::Reversal;
                d.member = plan.member;
                d.counterparty = plan.counterparty;
                d.memo = reason.clone();
                d.reverses = Some(plan.original);
                d.postings = plan.postings.clone();
                d.new_lots = plan.new_lots.clone();
                d.takes = plan.takes.clone();
                d.detail = reversal_detail(plan, currency);
            }
        }
        Ok(d)
    }
}

/// A purchase's price per coin, for display.
fn rate(bought: &Bought) -> Decimal {
    rounding::rate_for_display(
        bought
            .price()
            .amount()
            .checked_div(Decimal::from(bought.coins().get()))
            .unwrap_or_default(),
    )
}

/// What a creator gets per coin their fans spent: each diamond stands for
/// 100 / share coins.
fn per_fan_coin(diamonds: Diamonds, payout: Money, economy: &Economy) -> Decimal {
    let fan_coins = Decimal::from(diamonds.get()) * Decimal::from(100)
        / Decimal::from(economy.diamond_share_percent.max(1));
    rounding::rate_for_display(payout.amount().checked_div(fan_coins).unwrap_or_default())
}

/// What reversing a transaction gives back, in words: "refund of purchase
/// #3: 40 coins (0.57 USD) back".
pub fn reversal_detail(plan: &ReversalPlan, currency: Currency) -> String {
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
