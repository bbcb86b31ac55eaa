//! What someone wants to do, with the facts it depends on, and the one pure
//! function that turns it into the ledger draft the guard judges and the
//! ledger writes. The summary people read and the fingerprint a replayed
//! key is checked against come from the same value, so none of them can
//! describe a different transaction from the one written.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::config::{Economy, Gift, Pack, PurchaseWords};
use crate::domain::{Account, Asked, IdempotencyKey, Kind, MemberId, Memo, Platform, Scope};
use crate::ledger::{Draft, LotTake, Member, NewLot, PostingDraft, ReversalPlan, fingerprint};
use crate::money::{Coins, Currency, Diamonds, Money, MoneyError, Rate, rounding};

/// What a purchase buys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bought {
    /// A pack from the catalog.
    Pack(Pack),
    /// An exact number of coins at the best pack rate (`rate`), at this
    /// price (the exact value rounded up to the minor unit).
    Coins {
        coins: Coins,
        rate: Rate,
        price: Money,
    },
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

    /// What was bought, as history and the fingerprint name it.
    fn what(&self) -> &str {
        match self {
            Bought::Pack(pack) => &pack.words().what,
            Bought::Coins { .. } => CUSTOM_AMOUNT,
        }
    }

    /// What the purchase writes in history and says in its summary: a
    /// pack's own words, made when the catalog was read, or a custom
    /// amount's, made now.
    fn words(&self, currency: Currency) -> Cow<'_, PurchaseWords> {
        match self {
            Bought::Pack(pack) => Cow::Borrowed(pack.words()),
            Bought::Coins { coins, rate, price } => Cow::Owned(PurchaseWords::new(
                CUSTOM_AMOUNT.into(),
                *coins,
                *price,
                &custom_rate_words(*coins, *rate, *price, currency),
            )),
        }
    }
}

const CUSTOM_AMOUNT: &str = "a custom amount at the best pack rate";

/// The rate a custom amount was charged, in words: the best pack rate it was
/// priced at (not the rounded price divided back, which reads worse than
/// the best rate), and the exact value when the price was rounded up:
/// "0.0141 USD per coin; 0.0424 USD rounded up to the next 0.01 USD".
fn custom_rate_words(coins: Coins, rate: Rate, price: Money, currency: Currency) -> String {
    let per_coin = rounding::rate_for_display(rate.per_unit());
    let exact = rate.value_of(coins.get()).unwrap_or(price.amount());
    if exact == price.amount() {
        format!("{per_coin} {currency} per coin")
    } else {
        format!(
            "{per_coin} {currency} per coin; {} {currency} rounded up to the next {}",
            rounding::rate_for_display(exact),
            rounding::minor_unit(currency)
        )
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
        /// What the available coins cost, from the lots (oldest first).
        available_cost: i64,
        /// The coins it would take, oldest lots first (empty: the wallet is short).
        takes: Vec<LotTake>,
        /// What the creator receives.
        diamonds: Diamonds,
    },
    Redeem {
        creator: Member,
        /// The diamonds asked to cash out.
        diamonds: Diamonds,
        /// The diamonds in the creator's earnings.
        held: Diamonds,
        /// The diamonds taken: those that pay whole minor units (see
        /// [`crate::config::Economy::diamonds_payout`]); the rest stay.
        paying: Diamonds,
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

/// Coins a member holds only part of: what the held ones cost (from the
/// lots) plus the `short` rest at the best pack rate. An estimate, rounded
/// for display only; shown marked "≈".
pub(super) fn held_plus_estimate(economy: &Economy, held_cost_micros: i64, short: Coins) -> Money {
    let exact = economy
        .value_at_best_rate(short.get())
        .ok()
        .and_then(|v| {
            v.checked_add(Money::from_micros(economy.currency, held_cost_micros).amount())
        })
        .unwrap_or_default();
    Money::from_decimal(
        economy.currency,
        rounding::for_display(exact, economy.currency),
    )
    .unwrap_or(Money::zero(economy.currency))
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

    /// A gift's coins with their money value: what they cost, from the lots,
    /// when the wallet holds them; otherwise what the available coins cost
    /// plus the rest at the best pack rate, marked "≈".
    fn gift_coins_words(&self, economy: &Economy) -> String {
        let Intent::Gift {
            coins,
            available,
            available_cost,
            ..
        } = self
        else {
            return String::new();
        };
        let count = coins.to_i64().unwrap_or(i64::MAX);
        if let Some(cost) = self.gift_cost() {
            return coins_and_money(count, cost, economy.currency);
        }
        let short = coins.checked_sub(*available).unwrap_or(*coins);
        let value = held_plus_estimate(economy, *available_cost, short);
        format!("{coins} (≈{value})")
    }

    /// "; the platform keeps 11.78 USD": what of a gift's cost does not
    /// reach the creator. Rounded for display here, as the difference of
    /// the two figures shown beside it (the cost, to the cent, less what the
    /// diamonds pay out), so the three read as a sum. Empty when the wallet
    /// is short (the cost is then only an estimate).
    fn platform_keeps_words(&self, economy: &Economy) -> String {
        let Intent::Gift { diamonds, .. } = self else {
            return String::new();
        };
        let Some(cost) = self.gift_cost() else {
            return String::new();
        };
        let currency = economy.currency;
        let Ok((_, pays)) = economy.diamonds_payout(*diamonds) else {
            return String::new();
        };
        let shown = Money::from_micros(currency, cost).display_amount();
        match shown
            .checked_sub(pays.amount())
            .and_then(|keeps| Money::from_decimal(currency, keeps).ok())
        {
            Some(keeps) => format!("; the platform keeps {keeps}"),
            None => String::new(),
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
        use crate::ledger::Part::{Int, Text, UInt};
        Ok(match self {
            Intent::Purchase { member, bought } => fingerprint(&[
                Text("purchase"),
                Int(member.id.0),
                Text(bought.what()),
                UInt(bought.coins().get()),
                Int(bought.price().micros()),
            ]),
            Intent::Gift {
                member,
                creator,
                gift,
                count,
                ..
            } => fingerprint(&[
                Text("gift"),
                Int(member.id.0),
                Int(creator.id.0),
                Text(&gift.id),
                UInt(*count),
            ]),
            Intent::Redeem {
                creator, diamonds, ..
            } => fingerprint(&[Text("redeem"), Int(creator.id.0), UInt(diamonds.get())]),
            Intent::Grant {
                guardian,
                member,
                coins,
                memo,
                ..
            } => fingerprint(&[
                Text("grant"),
                Int(guardian.id.0),
                Int(member.id.0),
                UInt(coins.get()),
                Text(memo.as_str()),
            ]),
            Intent::Reversal {
                guardian,
                plan,
                reason,
            } => fingerprint(&[
                Text("reversal"),
                Int(guardian.id.0),
                Int(plan.original.0),
                Text(reason.as_str()),
            ]),
        })
    }

    /// One line for people: what happens, coins with their money value.
    pub fn summary(&self, economy: &Economy) -> String {
        let currency = economy.currency;
        match self {
            Intent::Purchase { member, bought } => {
                // Two pieces joined (no formatting machinery: a purchase's
                // summary is made on every purchase).
                let words = bought.words(currency);
                let mut summary =
                    String::with_capacity(member.name.as_str().len() + words.bought.len());
                summary.push_str(member.name.as_str());
                summary.push_str(&words.bought);
                summary
            }
            Intent::Gift {
                member,
                creator,
                gift,
                count,
                diamonds,
                ..
            } => format!(
                "{} sends {count} × {} to {}: {}; {} receives {}{}",
                member.name,
                gift.name,
                creator.name,
                self.gift_coins_words(economy),
                creator.name,
                economy.diamonds_with_value(*diamonds),
                self.platform_keeps_words(economy),
            ),
            Intent::Redeem {
                creator,
                diamonds,
                paying,
                payout,
                ..
            } => format!(
                "{} cashes out {paying} for {payout} ({} {currency} per coin fans spent){}",
                creator.name,
                per_fan_coin(*paying, *payout, economy),
                odd_diamonds(*diamonds, *paying, creator.name.as_str(), economy)
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
            Intent::Reversal { guardian, plan, .. } => {
                reversal_summary(guardian.name.as_str(), plan, economy)
            }
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
                d.detail = bought.words(currency).detail.clone();
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
                d.detail = format!(
                    "{count} × {} to {}: {}; {} receives {}",
                    gift.name,
                    creator.name,
                    self.gift_coins_words(economy),
                    creator.name,
                    economy.diamonds_with_value(*diamonds),
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
                paying,
                payout,
                ..
            } => {
                d.kind = Kind::Redeem;
                let count = paying.to_i64()?;
                d.detail = format!(
                    "{paying} at {} {currency} each: {payout} ({} {currency} per coin fans spent){}",
                    economy.diamond_value.normalize(),
                    per_fan_coin(*paying, *payout, economy),
                    odd_diamonds(*diamonds, *paying, creator.name.as_str(), economy)
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
                d.detail = reversal_detail(plan, economy);
            }
        }
        Ok(d)
    }
}

/// What a creator gets per coin their fans spent: each diamond stands for
/// 100 / share coins.
fn per_fan_coin(diamonds: Diamonds, payout: Money, economy: &Economy) -> Decimal {
    let fan_coins = Decimal::from(diamonds.get()) * Decimal::from(100)
        / Decimal::from(economy.diamond_share_percent.max(1));
    rounding::rate_for_display(payout.amount().checked_div(fan_coins).unwrap_or_default())
}

/// "; 1 diamond stays with Ana (diamonds pay out 2 at a time: 2 diamonds
/// make 0.01 USD)" when a redemption leaves diamonds that do not make a whole
/// minor unit; nothing when it takes them all.
fn odd_diamonds(asked: Diamonds, paying: Diamonds, creator: &str, economy: &Economy) -> String {
    let Ok(left) = asked.checked_sub(paying) else {
        return String::new();
    };
    if left == Diamonds::ZERO {
        return String::new();
    }
    let step = rounding::payout_step(economy.diamond_value, economy.currency).unwrap_or(1);
    let step_value = economy
        .diamond_value
        .checked_mul(Decimal::from(step))
        .map(|v| Money::from_decimal(economy.currency, v).map(|m| m.to_string()))
        .and_then(Result::ok)
        .unwrap_or_default();
    let verb = if left.get() == 1 { "stays" } else { "stay" };
    format!(
        "; {left} {verb} with {creator} (diamonds pay out {step} at a time: {step} diamonds make {step_value})"
    )
}

/// What reversing a transaction gives back, in words, shown before a
/// guardian confirms: "refund of purchase #3: 40 coins (0.57 USD) back",
/// "gift #2 reversed: 60 coins (0.86 USD) back to Sam, 30 diamonds (0.15
/// USD) back from Ana". Every coin and diamond figure carries its money
/// value; a refund that is less than what the coins cost says so and why.
pub fn reversal_detail(plan: &ReversalPlan, economy: &Economy) -> String {
    let (subject, figures) = reversal_figures(plan, economy);
    match plan.original_kind {
        Kind::Purchase => format!("refund of {subject}: {figures}"),
        Kind::Grant => format!("withdrawal of {subject}: {figures}"),
        _ => format!("{subject} reversed: {figures}"),
    }
}

/// The same as a guardian's action: "Maria gives a refund of purchase #3:
/// …", "Maria withdraws grant #4: …", "Maria reverses gift #2: …".
fn reversal_summary(guardian: &str, plan: &ReversalPlan, economy: &Economy) -> String {
    let (subject, figures) = reversal_figures(plan, economy);
    match plan.original_kind {
        Kind::Purchase => format!("{guardian} gives a refund of {subject}: {figures}"),
        Kind::Grant => format!("{guardian} withdraws {subject}: {figures}"),
        _ => format!("{guardian} reverses {subject}: {figures}"),
    }
}

/// ("the unspent part of purchase #3", "40 coins (0.57 USD) back").
fn reversal_figures(plan: &ReversalPlan, economy: &Economy) -> (String, String) {
    let currency = economy.currency;
    let original = plan.original;
    let part = if plan.partial {
        "the unspent part of "
    } else {
        ""
    };
    let coins = coins_and_money(plan.coins, plan.coins_cost_micros, currency);
    let creator = plan.counterparty_name.as_deref().unwrap_or("the creator");
    let diamonds = economy.diamonds_with_value(
        Diamonds::from_i64(plan.diamonds.saturating_abs()).unwrap_or_default(),
    );
    match plan.original_kind {
        Kind::Purchase => {
            let subject = format!("{part}purchase {original}");
            let kept = plan.coins_cost_micros.saturating_sub(plan.money_micros);
            if kept <= 0 {
                return (subject, format!("{coins} back"));
            }
            let exact = |micros: i64| {
                format!(
                    "{} {currency}",
                    Money::from_micros(currency, micros).amount().normalize()
                )
            };
            (
                subject,
                format!(
                    "{} back for {} (those coins cost {}; refunds are rounded down to a multiple of {}, so {} is not refunded)",
                    Coins::from_i64(plan.coins).unwrap_or_default(),
                    Money::from_micros(currency, plan.money_micros),
                    exact(plan.coins_cost_micros),
                    rounding::minor_unit(currency),
                    exact(kept),
                ),
            )
        }
        Kind::Grant => (format!("{part}grant {original}"), coins),
        Kind::Gift => (
            format!("gift {original}"),
            format!(
                "{coins} back to {}, {diamonds} back from {creator}",
                plan.member_name
            ),
        ),
        _ => (
            format!("redemption {original}"),
            format!(
                "{} back from {}, {diamonds} back to their earnings",
                Money::from_micros(currency, plan.money_micros),
                plan.member_name
            ),
        ),
    }
}
