//! Configuration: three TOML files (economy, age bands, settings) turned into one
//! validated [`Config`] with no `Option`s left.
//!
//! The shipped defaults in `config/` are embedded in the binary so it runs from
//! anywhere; `--config DIR` replaces any of the three files that DIR holds.
//! Every error names the file, the line and the key. After `init`, the economy
//! in force lives in the database (versioned), not in these files.

mod raw;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use toml::Spanned;

/// What an age band or the unknown-creator setting says: the guard's [`Outcome`].
pub use crate::domain::Outcome as Verdict;
use crate::domain::{self, Name};
use crate::money::{self, Coins, Currency, Diamonds, Money, MoneyError, Rate};

pub const ECONOMY_FILE: &str = "economy.toml";
pub const AGE_BANDS_FILE: &str = "age_bands.toml";
pub const SETTINGS_FILE: &str = "settings.toml";

const DEFAULT_ECONOMY: &str = include_str!("../../config/economy.toml");
const DEFAULT_AGE_BANDS: &str = include_str!("../../config/age_bands.toml");
const DEFAULT_SETTINGS: &str = include_str!("../../config/settings.toml");

/// A config problem a parent can fix: which file, which line, which key, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: String,
    pub line: Option<usize>,
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.is_empty() {
            // Not about a file the person gave (the built-in prices): the
            // message says it all, and names no config file.
            return f.write_str(&self.message);
        }
        write!(f, "config file {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if !self.key.is_empty() {
            write!(f, ", key `{}`", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One coin pack for sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    pub id: String,
    pub coins: Coins,
    pub price: Money,
    /// Made from the fields above, once, when the catalog is read:
    /// formatting the price and working out its per-coin rate again on
    /// each purchase was about a fifth of what the guard added to a commit.
    words: Arc<PurchaseWords>,
}

/// What a purchase writes in history and says in its summary. Made once
/// per pack, and for each purchase of a custom amount: the one place these
/// sentences are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseWords {
    /// "pack coins-70", or "a custom amount at the best pack rate".
    pub what: String,
    /// "pack coins-70: 70 coins for 0.99 USD (0.0141 USD per coin)": a
    /// purchase's detail in history.
    pub detail: String,
    /// " buys 70 coins for 0.99 USD (pack coins-70, 0.0141 USD per coin)":
    /// a purchase's summary, after the buyer's name.
    pub bought: String,
}

impl PurchaseWords {
    /// `coins` bought for `price`, described as `what`, at `rate` (the
    /// rate in words: "0.0141 USD per coin").
    pub fn new(what: String, coins: Coins, price: Money, rate: &str) -> PurchaseWords {
        PurchaseWords {
            detail: format!("{what}: {coins} for {price} ({rate})"),
            bought: format!(" buys {coins} for {price} ({what}, {rate})"),
            what,
        }
    }
}

impl Pack {
    pub fn new(id: String, coins: Coins, price: Money) -> Pack {
        // The price per coin, rounded for display only.
        let rate = format!(
            "{} {} per coin",
            money::rounding::rate_for_display(per_coin(price, coins)),
            price.currency()
        );
        let words = PurchaseWords::new(format!("pack {id}"), coins, price, &rate);
        Pack {
            id,
            coins,
            price,
            words: Arc::new(words),
        }
    }

    pub fn words(&self) -> &PurchaseWords {
        &self.words
    }

    /// Price per coin, exact.
    pub fn price_per_coin(&self) -> Decimal {
        per_coin(self.price, self.coins)
    }
}

/// `price` ÷ `coins`, exact (zero for no coins, which the catalog refuses).
fn per_coin(price: Money, coins: Coins) -> Decimal {
    price
        .amount()
        .checked_div(Decimal::from(coins.get()))
        .unwrap_or_default()
}

/// One gift a fan can send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gift {
    pub id: String,
    pub name: Name,
    pub coins: Coins,
}

/// What coins a guardian grants are valued at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantValue {
    /// The cheapest pack's price for its coins (0.99 for 70): the default.
    /// Kept as that ratio, so 7,000,000 granted coins are exactly 99,000.00.
    BestPackRate,
    /// A value per coin the economy file states (`grant_value_per_coin`).
    PerCoin(Decimal),
}

/// The coin economy in force: packs, gifts, diamond rates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Economy {
    pub currency: Currency,
    pub packs: Vec<Pack>,
    pub gifts: Vec<Gift>,
    pub diamond_share_percent: u32,
    pub diamond_value: Decimal,
    pub minimum_payout: Money,
    /// What granted coins are valued at; see [`Economy::grant_value_of`].
    pub grant_value: GrantValue,
    /// The grant value of one coin, rounded to 6 decimals: for showing only.
    /// Never multiply it (0.014143 × 7,000,000 is 99,001.00, not the exact
    /// 99,000.00): use [`Economy::grant_value_of`].
    pub grant_value_per_coin: Decimal,
}

impl Economy {
    pub fn pack(&self, id: &str) -> Option<&Pack> {
        self.packs.iter().find(|p| p.id == id)
    }

    pub fn gift(&self, id: &str) -> Option<&Gift> {
        let wanted = id.trim().to_lowercase();
        self.gifts
            .iter()
            .find(|g| g.id == wanted || g.name.as_str().to_lowercase() == wanted)
    }

    /// The lowest price per coin among the packs, as that pack's price for
    /// its coins (0.99 for 70): custom amounts are sold at it, and coins that
    /// are only an amount are valued at it.
    pub fn best_rate(&self) -> Rate {
        self.packs
            .iter()
            .filter_map(|p| Rate::new(p.price.amount(), p.coins.get()))
            .min_by(|a, b| a.cmp_per_unit(b))
            .unwrap_or(Rate::per_one(Decimal::ZERO))
    }

    /// The best pack rate per coin, for showing only (never multiply it:
    /// use [`Economy::value_at_best_rate`]).
    pub fn best_rate_per_coin(&self) -> Decimal {
        self.best_rate().per_unit()
    }

    /// What `coins` are worth at the best pack rate, exact (not rounded).
    pub fn value_at_best_rate(&self, coins: u64) -> Result<Decimal, MoneyError> {
        self.best_rate().value_of(coins)
    }

    /// The price of an exact number of coins bought outside a pack: the
    /// best pack rate, exact, then rounded up to the minor unit (see
    /// [`money::rounding::for_charge`]).
    pub fn custom_price(&self, coins: Coins) -> Result<Money, MoneyError> {
        money::rounding::for_charge(self.value_at_best_rate(coins.get())?, self.currency)
    }

    /// What granted coins are valued at, as a price for a number of coins.
    pub fn grant_rate(&self) -> Rate {
        match self.grant_value {
            GrantValue::BestPackRate => self.best_rate(),
            GrantValue::PerCoin(value) => Rate::per_one(value),
        }
    }

    /// The stated value of `coins` granted: coins × the grant rate, exact,
    /// then to the stored scale only where it has more decimals (see
    /// [`money::rounding::to_stored`]).
    pub fn grant_value_of(&self, coins: Coins) -> Result<Money, MoneyError> {
        money::rounding::to_stored(self.grant_rate().value_of(coins.get())?, self.currency)
    }

    /// What `diamonds` pay out: only the diamonds whose value is a whole
    /// number of the currency's minor unit are taken (2,200 of 2,201 at
    /// 0.005 USD, for 11.00 USD); see [`money::rounding::payable`].
    pub fn diamonds_payout(&self, diamonds: Diamonds) -> Result<(Diamonds, Money), MoneyError> {
        let (paying, money) =
            money::rounding::payable(diamonds.get(), self.diamond_value, self.currency)?;
        Ok((Diamonds::new(paying), money))
    }

    /// Diamonds with what they pay out: "30 diamonds (0.15 USD)".
    pub fn diamonds_with_value(&self, diamonds: Diamonds) -> String {
        match self.diamonds_payout(diamonds) {
            Ok((_, pays)) => format!("{diamonds} ({pays})"),
            Err(_) => diamonds.to_string(),
        }
    }

    /// Coins with what they are worth at the best pack rate, rounded for
    /// display only: "500 coins (≈7.07 USD)". Every coin figure a person
    /// reads carries its money value.
    pub fn coins_with_value(&self, coins: i64) -> String {
        let exact = self
            .value_at_best_rate(coins.max(0).unsigned_abs())
            .unwrap_or_default();
        let value = money::rounding::for_display(exact, self.currency);
        let value = Money::from_decimal(self.currency, value)
            .map(|m| m.to_string())
            .unwrap_or_else(|_| format!("{value} {}", self.currency));
        format!(
            "{} (≈{value})",
            Coins::from_i64(coins.max(0)).unwrap_or_default()
        )
    }

    /// Parses economy TOML text (as stored in the database or read from a file).
    pub fn from_toml(text: &str, file: &str, currency: Currency) -> Result<Economy, ConfigError> {
        let raw: raw::RawEconomy = parse_toml(text, file)?;
        validate_economy(raw, text, file, currency)
    }

    /// Canonical TOML for storing a catalog version in the database. The
    /// default grant value (the best pack rate) is left out, so it is read
    /// back as that exact ratio, not as a rounded per-coin figure.
    pub fn to_toml(&self) -> String {
        let mut out = format!(
            "diamond_share_percent = {}\ndiamond_value = \"{}\"\nminimum_payout = \"{}\"\n",
            self.diamond_share_percent,
            self.diamond_value.normalize(),
            self.minimum_payout.amount().normalize(),
        );
        if let GrantValue::PerCoin(value) = self.grant_value {
            out.push_str(&format!(
                "grant_value_per_coin = \"{}\"\n",
                value.normalize()
            ));
        }
        for pack in &self.packs {
            out.push_str(&format!(
                "\n[[packs]]\nid = {:?}\ncoins = {}\nprice = \"{}\"\n",
                pack.id,
                pack.coins.get(),
                pack.price.amount().normalize()
            ));
        }
        for gift in &self.gifts {
            out.push_str(&format!(
                "\n[[gifts]]\nid = {:?}\nname = {:?}\ncoins = {}\n",
                gift.id,
                gift.name.as_str(),
                gift.coins.get()
            ));
        }
        out
    }
}

/// What members of an age may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeBand {
    pub from_age: u32,
    pub purchase: Verdict,
    pub gift: Verdict,
    pub redeem: Verdict,
}

/// Household settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub currency: Currency,
    pub timezone: Tz,
    pub request_expiry_hours: u32,
    pub clock_tolerance_seconds: u32,
    pub unknown_creator: Verdict,
}

/// The whole validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub settings: Settings,
    pub economy: Economy,
    pub age_bands: Vec<AgeBand>,
}

impl Config {
    /// The shipped defaults.
    pub fn defaults() -> Result<Config, ConfigError> {
        Config::load(None)
    }

    /// Loads the defaults, replacing each file that `dir` holds.
    pub fn load(dir: Option<&Path>) -> Result<Config, ConfigError> {
        let read = |name: &str, default: &'static str| -> Result<(String, String), ConfigError> {
            match dir {
                Some(dir) => {
                    let path = dir.join(name);
                    if path.exists() {
                        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
                            file: path.display().to_string(),
                            line: None,
                            key: String::new(),
                            message: format!("cannot read it: {e}"),
                        })?;
                        Ok((text, path.display().to_string()))
                    } else {
                        Ok((default.to_string(), format!("(built-in) {name}")))
                    }
                }
                None => Ok((default.to_string(), format!("(built-in) {name}"))),
            }
        };
        if let Some(dir) = dir
            && !dir.is_dir()
        {
            return Err(ConfigError {
                file: dir.display().to_string(),
                line: None,
                key: String::new(),
                message: "this config folder does not exist".into(),
            });
        }
        let (settings_text, settings_file) = read(SETTINGS_FILE, DEFAULT_SETTINGS)?;
        let settings = validate_settings(
            parse_toml(&settings_text, &settings_file)?,
            &settings_text,
            &settings_file,
        )?;
        let (economy_text, economy_file) = read(ECONOMY_FILE, DEFAULT_ECONOMY)?;
        if economy_text == DEFAULT_ECONOMY {
            built_in_prices_fit(settings.currency)?;
        }
        let economy = Economy::from_toml(&economy_text, &economy_file, settings.currency)?;
        let (bands_text, bands_file) = read(AGE_BANDS_FILE, DEFAULT_AGE_BANDS)?;
        let age_bands = validate_age_bands(
            parse_toml(&bands_text, &bands_file)?,
            &bands_text,
            &bands_file,
        )?;
        Ok(Config {
            settings,
            economy,
            age_bands,
        })
    }

    /// The same config in another currency (`init --currency`): the
    /// economy's prices are re-checked against the new currency's decimals.
    /// The built-in prices are US dollars and cents: they are kept for a
    /// currency with cents (0.99 EUR for 70 coins) and refused for one with
    /// other decimals (JPY, KWD), with a message saying which prices do not
    /// fit and how to give prices in that currency. Nothing is written.
    pub fn with_currency(mut self, currency: Currency) -> Result<Config, ConfigError> {
        if currency == self.settings.currency {
            return Ok(self);
        }
        let text = self.economy.to_toml();
        let built_in = Economy::from_toml(DEFAULT_ECONOMY, ECONOMY_FILE, self.settings.currency)
            .is_ok_and(|default| default.to_toml() == text);
        if built_in {
            built_in_prices_fit(currency)?;
        }
        self.economy = Economy::from_toml(&text, ECONOMY_FILE, currency)
            .map_err(|_| prices_do_not_fit(&self.economy, currency))?;
        self.settings.currency = currency;
        Ok(self)
    }
}

/// The built-in prices (config/economy.toml) are the platform's US-dollar
/// price list, written in cents.
pub const BUILT_IN_PRICES_MINOR_UNITS: u32 = 2;

/// The built-in economy's TOML: the format an economy.toml in another
/// currency follows (shown by the README).
pub fn built_in_economy_toml() -> &'static str {
    DEFAULT_ECONOMY
}

fn money_list(items: &[(String, Money)]) -> String {
    items
        .iter()
        .map(|(what, price)| format!("{what} ({})", price.amount().normalize()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The built-in prices in a currency whose minor unit is not the cent: they
/// do not fit (JPY has no decimals: 0.99 cannot be a price), or would be
/// read as amounts nobody priced (KWD has 3 decimals: 0.990 KWD). Either way
/// init refuses and says how to give prices in that currency.
fn built_in_prices_fit(currency: Currency) -> Result<(), ConfigError> {
    let minor = currency.minor_units();
    if minor == BUILT_IN_PRICES_MINOR_UNITS {
        return Ok(());
    }
    let usd = Economy::from_toml(DEFAULT_ECONOMY, ECONOMY_FILE, Currency::USD)?;
    let how = format!(
        "Nothing was created. To keep the household's books in {currency}, write an economy.toml with every price in {currency} \
         (the same keys as coinguard's built-in one, shown in the README under \"Prices in another currency\"), \
         put it in a folder, and run init again with --config FOLDER"
    );
    let decimals = match minor {
        0 => "no decimals".to_string(),
        1 => "1 decimal".to_string(),
        n => format!("{n} decimals"),
    };
    let message = if minor < BUILT_IN_PRICES_MINOR_UNITS {
        let mut misfits: Vec<(String, Money)> = usd
            .packs
            .iter()
            .filter(|p| p.price.amount().normalize().scale() > minor)
            .map(|p| (p.id.clone(), p.price))
            .collect();
        if usd.minimum_payout.amount().normalize().scale() > minor {
            misfits.push(("minimum_payout".into(), usd.minimum_payout));
        }
        let first = misfits
            .first()
            .map(|(_, price)| price.amount().normalize().to_string())
            .unwrap_or_default();
        format!(
            "coinguard's built-in prices are the platform's US-dollar price list, in cents, so they do not fit {currency} \
             ({decimals}): \"{first}\" has more decimals than {currency} allows (at most {minor}). \
             The prices that do not fit: {}. {how}.",
            money_list(&misfits)
        )
    } else {
        let example = usd.packs.first().map_or_else(String::new, |p| {
            let mut amount = p.price.amount();
            amount.rescale(minor);
            format!(" ({} would cost {amount} {currency})", p.coins)
        });
        format!(
            "coinguard's built-in prices are the platform's US-dollar price list, in cents, and {currency} has {decimals}: \
             the same numbers would be read as {currency}{example}, prices nobody set for {currency}. {how}."
        )
    };
    Err(ConfigError {
        file: String::new(),
        line: None,
        key: String::new(),
        message,
    })
}

/// A given economy whose prices have more decimals than `currency` allows.
fn prices_do_not_fit(economy: &Economy, currency: Currency) -> ConfigError {
    let minor = currency.minor_units();
    let mut misfits: Vec<(String, Money)> = economy
        .packs
        .iter()
        .filter(|p| p.price.amount().normalize().scale() > minor)
        .map(|p| (p.id.clone(), p.price))
        .collect();
    if economy.minimum_payout.amount().normalize().scale() > minor {
        misfits.push(("minimum_payout".into(), economy.minimum_payout));
    }
    ConfigError {
        file: String::new(),
        line: None,
        key: String::new(),
        message: format!(
            "the prices in the economy.toml you gave do not fit {currency}, which allows {minor} decimals: {}. \
             Nothing was created. Write those prices in {currency}, or give the currency they are in with --currency",
            money_list(&misfits)
        ),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |head| head.matches('\n').count())
        + 1
}

fn parse_toml<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let (line, key) = match e.span() {
            Some(span) => {
                let line = line_of(text, span.start);
                let line_text = text.lines().nth(line - 1).unwrap_or_default();
                let key = line_text
                    .split('=')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                (Some(line), key)
            }
            None => (None, String::new()),
        };
        ConfigError {
            file: file.to_string(),
            line,
            key,
            message: e.message().trim().to_string(),
        }
    })
}

/// Builds an error pointing at a spanned value.
fn at<T>(
    text: &str,
    file: &str,
    key: impl Into<String>,
    value: &Spanned<T>,
    message: impl fmt::Display,
) -> ConfigError {
    ConfigError {
        file: file.to_string(),
        line: Some(line_of(text, value.span().start)),
        key: key.into(),
        message: message.to_string(),
    }
}

fn config_money(
    text: &str,
    file: &str,
    key: &str,
    value: &Spanned<String>,
    currency: Currency,
) -> Result<Money, ConfigError> {
    Money::parse(value.get_ref(), currency).map_err(|e| at(text, file, key, value, e))
}

/// Ids are what people type on the command line: lowercase letters, digits, dashes.
fn validate_id(
    text: &str,
    file: &str,
    key: &str,
    value: &Spanned<String>,
) -> Result<String, ConfigError> {
    let id = value.get_ref();
    let ok = !id.is_empty()
        && id.len() <= domain::MAX_NAME_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(id.clone())
    } else {
        Err(at(
            text,
            file,
            key,
            value,
            format!("id {id:?} must be 1 to 64 lowercase letters, digits or dashes"),
        ))
    }
}

fn validate_coins(
    text: &str,
    file: &str,
    key: &str,
    value: &Spanned<u64>,
) -> Result<Coins, ConfigError> {
    let coins = *value.get_ref();
    if coins == 0 || coins > Coins::MAX_INPUT {
        return Err(at(
            text,
            file,
            key,
            value,
            format!(
                "must be between 1 and {}",
                money::group_thousands(Coins::MAX_INPUT)
            ),
        ));
    }
    Ok(Coins::new(coins))
}

fn validate_economy(
    raw: raw::RawEconomy,
    text: &str,
    file: &str,
    currency: Currency,
) -> Result<Economy, ConfigError> {
    let economy = validate_economy_fields(raw, text, file, currency)?;
    round_trip(economy, file, currency)
}

fn validate_economy_fields(
    raw: raw::RawEconomy,
    text: &str,
    file: &str,
    currency: Currency,
) -> Result<Economy, ConfigError> {
    let share = *raw.diamond_share_percent.get_ref();
    if share > 100 {
        return Err(at(
            text,
            file,
            "diamond_share_percent",
            &raw.diamond_share_percent,
            "must be between 0 and 100",
        ));
    }
    let rate = |key: &str, value: &Spanned<String>| -> Result<Decimal, ConfigError> {
        let amount = money::parse_plain_decimal(value.get_ref())
            .map_err(|e| at(text, file, key, value, e))?;
        if amount.is_zero() || amount.scale() > money::MICRO_SCALE {
            return Err(at(
                text,
                file,
                key,
                value,
                MoneyError::Zero { what: "the rate" }.to_string() + " with at most 6 decimals",
            ));
        }
        Ok(amount)
    };
    let diamond_value = rate("diamond_value", &raw.diamond_value)?;
    let minimum_payout = config_money(text, file, "minimum_payout", &raw.minimum_payout, currency)?;

    let mut packs: Vec<Pack> = Vec::with_capacity(raw.packs.len());
    for raw_pack in &raw.packs {
        let id = validate_id(text, file, "packs.id", &raw_pack.id)?;
        if packs.iter().any(|p| p.id == id) {
            return Err(at(
                text,
                file,
                "packs.id",
                &raw_pack.id,
                format!("pack id {id:?} appears twice"),
            ));
        }
        packs.push(Pack::new(
            id,
            validate_coins(text, file, "packs.coins", &raw_pack.coins)?,
            config_money(text, file, "packs.price", &raw_pack.price, currency)?,
        ));
    }
    if packs.is_empty() {
        return Err(ConfigError {
            file: file.into(),
            line: None,
            key: "packs".into(),
            message: "at least one coin pack is needed".into(),
        });
    }
    let mut gifts: Vec<Gift> = Vec::with_capacity(raw.gifts.len());
    for raw_gift in &raw.gifts {
        let id = validate_id(text, file, "gifts.id", &raw_gift.id)?;
        if gifts.iter().any(|g| g.id == id) {
            return Err(at(
                text,
                file,
                "gifts.id",
                &raw_gift.id,
                format!("gift id {id:?} appears twice"),
            ));
        }
        gifts.push(Gift {
            name: Name::parse(raw_gift.name.get_ref())
                .map_err(|e| at(text, file, "gifts.name", &raw_gift.name, e))?,
            coins: validate_coins(text, file, "gifts.coins", &raw_gift.coins)?,
            id,
        });
    }
    if gifts.is_empty() {
        return Err(ConfigError {
            file: file.into(),
            line: None,
            key: "gifts".into(),
            message: "at least one gift is needed".into(),
        });
    }
    let mut economy = Economy {
        currency,
        packs,
        gifts,
        diamond_share_percent: share,
        diamond_value,
        minimum_payout,
        grant_value: GrantValue::BestPackRate,
        grant_value_per_coin: Decimal::ZERO,
    };
    if let Some(value) = &raw.grant_value_per_coin {
        economy.grant_value = GrantValue::PerCoin(rate("grant_value_per_coin", value)?);
    }
    // For showing only; grants are valued with `grant_value_of`, exactly.
    economy.grant_value_per_coin = economy
        .grant_rate()
        .per_unit()
        .round_dp(money::MICRO_SCALE)
        .normalize();
    Ok(economy)
}

fn round_trip(economy: Economy, file: &str, currency: Currency) -> Result<Economy, ConfigError> {
    // The household stores its economy as TOML and reads it back on every
    // open: prove here, before anything is written, that it reads back the same.
    let stored = economy.to_toml();
    let reread = toml::from_str::<raw::RawEconomy>(&stored)
        .map_err(|e| e.message().to_string())
        .and_then(|raw| validate_stored(raw, &stored, currency));
    if reread.as_ref() != Ok(&economy) {
        return Err(ConfigError {
            file: file.into(),
            line: None,
            key: String::new(),
            message: format!(
                "the economy does not survive being stored ({}); please report this",
                reread
                    .err()
                    .unwrap_or_else(|| "it reads back differently".into())
            ),
        });
    }
    Ok(economy)
}

/// Validates economy TOML that [`Economy::to_toml`] wrote (no round-trip
/// check of its own, or validating would never end).
fn validate_stored(
    raw: raw::RawEconomy,
    text: &str,
    currency: Currency,
) -> Result<Economy, String> {
    validate_economy_fields(raw, text, "(stored economy)", currency).map_err(|e| e.to_string())
}

fn validate_age_bands(
    raw: raw::RawAgeBands,
    text: &str,
    file: &str,
) -> Result<Vec<AgeBand>, ConfigError> {
    let mut bands: Vec<AgeBand> = Vec::with_capacity(raw.bands.len());
    for band in &raw.bands {
        let from_age = *band.from_age.get_ref();
        let expected_first = bands.is_empty() && from_age != 0;
        let out_of_order = bands.last().is_some_and(|prev| from_age <= prev.from_age);
        if expected_first {
            return Err(at(
                text,
                file,
                "bands.from_age",
                &band.from_age,
                "the first band must start at age 0",
            ));
        }
        if out_of_order || from_age > 130 {
            return Err(at(
                text,
                file,
                "bands.from_age",
                &band.from_age,
                "bands must be in increasing order of age, at most 130",
            ));
        }
        bands.push(AgeBand {
            from_age,
            purchase: band.purchase,
            gift: band.gift,
            redeem: band.redeem,
        });
    }
    if bands.is_empty() {
        return Err(ConfigError {
            file: file.into(),
            line: None,
            key: "bands".into(),
            message: "at least one age band is needed".into(),
        });
    }
    Ok(bands)
}

fn validate_settings(
    raw: raw::RawSettings,
    text: &str,
    file: &str,
) -> Result<Settings, ConfigError> {
    let currency = Currency::parse(raw.currency.get_ref())
        .map_err(|e| at(text, file, "currency", &raw.currency, e))?;
    let timezone = domain::parse_timezone(raw.timezone.get_ref())
        .map_err(|e| at(text, file, "timezone", &raw.timezone, e))?;
    let expiry = *raw.request_expiry_hours.get_ref();
    if !(1..=24 * 30).contains(&expiry) {
        return Err(at(
            text,
            file,
            "request_expiry_hours",
            &raw.request_expiry_hours,
            "must be between 1 and 720 hours",
        ));
    }
    let tolerance = *raw.clock_tolerance_seconds.get_ref();
    if tolerance > 3600 {
        return Err(at(
            text,
            file,
            "clock_tolerance_seconds",
            &raw.clock_tolerance_seconds,
            "must be at most 3600 seconds",
        ));
    }
    Ok(Settings {
        currency,
        timezone,
        request_expiry_hours: expiry,
        clock_tolerance_seconds: tolerance,
        unknown_creator: raw.unknown_creator,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_defaults_parse_and_match_the_spec() {
        let config = Config::defaults().map_err(|e| e.to_string());
        let Ok(config) = config else {
            panic!("defaults must parse: {config:?}");
        };
        let packs: Vec<(u64, String)> = config
            .economy
            .packs
            .iter()
            .map(|p| (p.coins.get(), p.price.amount().normalize().to_string()))
            .collect();
        assert_eq!(
            packs,
            [
                (70, "0.99"),
                (350, "4.99"),
                (700, "9.99"),
                (1400, "19.99"),
                (3500, "49.99"),
                (7000, "99.99"),
                (17500, "249.99")
            ]
            .map(|(c, p)| (c, p.to_string()))
        );
        assert_eq!(config.economy.gifts.len(), 9);
        assert_eq!(
            config.economy.gift("Lion").map(|g| g.coins.get()),
            Some(29_999)
        );
        assert_eq!(config.economy.diamond_share_percent, 50);
        assert_eq!(config.economy.diamond_value, Decimal::new(5, 3));
        assert_eq!(config.settings.request_expiry_hours, 48);
        assert_eq!(config.age_bands.len(), 3);
        // Grants default to the cheapest per-coin pack price: 0.99 / 70.
        assert_eq!(config.economy.grant_value_per_coin, Decimal::new(14_143, 6));
    }

    #[test]
    fn stored_economy_round_trips() {
        let Ok(config) = Config::defaults() else {
            panic!("defaults")
        };
        let text = config.economy.to_toml();
        assert_eq!(
            Economy::from_toml(&text, "db", Currency::USD),
            Ok(config.economy)
        );
    }

    fn economy_error(text: &str) -> String {
        Economy::from_toml(text, "economy.toml", Currency::USD)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn bad_economy_files_name_file_line_and_key() {
        let base =
            "diamond_share_percent = 50\ndiamond_value = \"0.005\"\nminimum_payout = \"10\"\n";
        let pack = |price: &str| {
            format!("{base}gifts = []\n[[packs]]\nid = \"p\"\ncoins = 70\nprice = \"{price}\"\n")
        };
        let cases: Vec<(String, &str)> = vec![
            (
                pack("0.999"),
                "line 8, key `packs.price`: \"0.999\" has more decimals than USD",
            ),
            (pack("-1"), "line 8, key `packs.price`"),
            (pack("1e2"), "exponent"),
            (
                format!("{base}gifts = []\npacks = []\ncolour = 1\n"),
                "line 6, key `colour`: unknown field",
            ),
            (
                format!("{base}gifts = []\n[[packs]]\nid = \"P Q\"\ncoins = 1\nprice = \"1\"\n"),
                "line 6, key `packs.id`",
            ),
            (
                format!("{base}gifts = []\n[[packs]]\nid = \"p\"\ncoins = 0\nprice = \"1\"\n"),
                "line 7, key `packs.coins`",
            ),
            (
                format!("{base}gifts = []\npacks = []\n"),
                "key `packs`: at least one coin pack",
            ),
            (
                format!("{base}gifts = []\n[[packs]]\nid = \"p\"\ncoins = 1\nprice = \"1\"\n"),
                "key `gifts`: at least one gift is needed",
            ),
            (
                base.replace("50", "150") + "gifts = []\npacks = []\n",
                "line 1, key `diamond_share_percent`",
            ),
            (
                format!("{base}gifts = []\n[[packs]]\nid = \"p\"\ncoins = 1\nprice = 0.99\n"),
                "line 8, key `price`",
            ),
        ];
        for (text, expected) in cases {
            let err = economy_error(&text);
            assert!(err.starts_with("config file economy.toml"), "{err}");
            assert!(err.contains(expected), "expected {expected:?} in {err:?}");
        }
    }

    #[test]
    fn bad_settings_and_bands_in_a_config_dir() {
        let dir =
            std::env::temp_dir().join(format!("coinguard-config-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let write = |name: &str, text: &str| {
            let _ = std::fs::write(dir.join(name), text);
        };
        write(
            SETTINGS_FILE,
            &DEFAULT_SETTINGS.replace("America/New_York", "Mars/Base"),
        );
        let err = Config::load(Some(&dir))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains(
                "settings.toml, line 6, key `timezone`: time zone \"Mars/Base\" does not exist"
            ),
            "{err}"
        );

        write(SETTINGS_FILE, DEFAULT_SETTINGS);
        write(
            AGE_BANDS_FILE,
            &DEFAULT_AGE_BANDS.replace("from_age = 13", "from_age = 20"),
        );
        let err = Config::load(Some(&dir))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("age_bands.toml, line 18, key `bands.from_age`"),
            "{err}"
        );

        write(
            AGE_BANDS_FILE,
            &DEFAULT_AGE_BANDS.replace("gift = \"allow\"", "gift = \"maybe\""),
        );
        let err = Config::load(Some(&dir))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("age_bands.toml, line 20, key `gift`") && err.contains("unknown variant"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn currency_change_rechecks_prices() {
        let Ok(config) = Config::defaults() else {
            panic!("defaults")
        };
        let err = Currency::parse("JPY").map(|jpy| config.with_currency(jpy));
        let message = match err {
            Ok(Err(e)) => e.to_string(),
            other => format!("{other:?}"),
        };
        assert!(
            message
                .starts_with("coinguard's built-in prices are the platform's US-dollar price list")
                && message.contains("\"0.99\" has more decimals than JPY allows (at most 0)")
                && message.contains("do not fit: coins-70 (0.99), coins-350 (4.99)")
                && message.contains("--config FOLDER")
                && !message.contains("config file"),
            "{message}"
        );
    }
}
