//! The command line: parse, call services, print text or one JSON document.
//! Exit codes (SPEC section 7): 0 done, 3 needs approval, 4 denied, 5
//! authentication failed or locked, 2 bad input or usage, 1 anything else.

mod output;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use serde_json::json;

use crate::config::{Config, ConfigError};
use crate::domain::{self, Clock, Name};
use crate::ledger::{self, LedgerError, Store};
use crate::money::{Currency, Money, rounding};
use crate::services::{self, ServiceError};

pub const EXIT_OK: u8 = 0;
pub const EXIT_OTHER: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;
pub const EXIT_NEEDS_APPROVAL: u8 = 3;
pub const EXIT_DENIED: u8 = 4;
pub const EXIT_AUTH: u8 = 5;

#[derive(Debug, Parser)]
#[command(
    name = "coinguard",
    version,
    about = "A parental spending guard around a virtual-coin wallet"
)]
pub struct Args {
    /// The household database [default: in your data folder]
    #[arg(long, env = "COINGUARD_DB", global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print one JSON document on standard output instead of text
    #[arg(long, global = true)]
    pub json: bool,
    /// A folder whose economy.toml, age_bands.toml or settings.toml replace the defaults (used by init)
    #[arg(long, global = true, value_name = "DIR")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new household database with its first guardian
    Init {
        /// The first guardian's name
        #[arg(long)]
        guardian: String,
        /// ISO currency code of the household, e.g. USD or EUR [default: from settings.toml]
        #[arg(long)]
        currency: Option<String>,
        /// IANA time zone of the household, e.g. America/New_York [default: from settings.toml]
        #[arg(long)]
        timezone: Option<String>,
    },
    /// Show the coin packs, gifts and rates in force
    Catalog,
    /// Check every hash chain and balance, and name the first entry that does not match
    Verify,
}

/// A failure, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Service(#[from] ServiceError),
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    Other(String),
}

impl From<LedgerError> for CliError {
    fn from(e: LedgerError) -> CliError {
        CliError::Service(ServiceError::Ledger(e))
    }
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Service(e) if e.is_bad_input() => EXIT_BAD_INPUT,
            CliError::Service(ServiceError::Ledger(
                LedgerError::Missing { .. }
                | LedgerError::NotSqlite { .. }
                | LedgerError::Foreign { .. }
                | LedgerError::Newer { .. }
                | LedgerError::Corrupt { .. },
            )) => EXIT_BAD_INPUT,
            CliError::Config(_) | CliError::BadInput(_) => EXIT_BAD_INPUT,
            _ => EXIT_OTHER,
        }
    }
}

/// Where the household lives when `--db` is not given: the platform data folder.
pub fn default_db_path() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|home| {
                let home = PathBuf::from(home);
                if cfg!(target_os = "macos") {
                    home.join("Library/Application Support")
                } else {
                    home.join(".local/share")
                }
            })
        })
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("coinguard").join("household.db")
}

fn db_path(args: &Args) -> PathBuf {
    args.db.clone().unwrap_or_else(default_db_path)
}

/// Runs a parsed command; returns the exit code.
pub fn run(args: &Args, clock: &dyn Clock) -> Result<u8, CliError> {
    let Some(command) = &args.command else {
        return Err(CliError::BadInput(
            "the terminal interface is not built yet; run `coinguard --help` for the commands"
                .into(),
        ));
    };
    match command {
        Command::Init {
            guardian,
            currency,
            timezone,
        } => init(
            args,
            clock,
            guardian,
            currency.as_deref(),
            timezone.as_deref(),
        ),
        Command::Catalog => catalog(args),
        Command::Verify => verify(args),
    }
}

fn open(args: &Args) -> Result<Store, CliError> {
    Ok(Store::open(&db_path(args))?)
}

fn init(
    args: &Args,
    clock: &dyn Clock,
    guardian: &str,
    currency: Option<&str>,
    timezone: Option<&str>,
) -> Result<u8, CliError> {
    let guardian = Name::parse(guardian).map_err(ServiceError::from)?;
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(code) = currency {
        let currency = Currency::parse(code).map_err(ServiceError::from)?;
        config = config.with_currency(currency)?;
    }
    if let Some(tz) = timezone {
        config.settings.timezone = domain::parse_timezone(tz).map_err(ServiceError::from)?;
    }
    let path = db_path(args);
    if let Some(parent) = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            CliError::Other(format!(
                "cannot create the folder {}: {e}",
                parent.display()
            ))
        })?;
    }
    services::init_household(&path, &config, &guardian, clock)?;
    let s = &config.settings;
    if args.json {
        output::json(&json!({
            "outcome": "created",
            "db": path.display().to_string(),
            "guardian": guardian.as_str(),
            "currency": s.currency.code(),
            "timezone": s.timezone.name(),
        }));
    } else {
        println!("Created the household at {}.", path.display());
        println!(
            "Guardian: {guardian}. Currency: {}. Time zone: {}.",
            s.currency,
            s.timezone.name()
        );
        println!("Only you (this computer account) can read the file. Next: add members.");
    }
    Ok(EXIT_OK)
}

fn catalog(args: &Args) -> Result<u8, CliError> {
    let store = open(args)?;
    let config = store.config()?;
    let economy = &config.economy;
    let currency = economy.currency;
    let best = economy.best_rate_per_coin();
    let coin_value =
        |coins: u64| rounding::for_display(best * rust_decimal::Decimal::from(coins), currency);
    let diamond_money = |coins: u64| {
        let diamonds = coins * u64::from(economy.diamond_share_percent) / 100;
        (
            diamonds,
            rounding::for_payout(
                economy.diamond_value * rust_decimal::Decimal::from(diamonds),
                currency,
            )
            .unwrap_or(Money::zero(currency)),
        )
    };
    if args.json {
        let packs: Vec<_> = economy.packs.iter().map(|p| json!({
            "id": p.id, "coins": p.coins.get(), "price": p.price.amount().normalize().to_string(),
            "price_per_coin": rounding::rate_for_display(p.price_per_coin()).to_string(),
        })).collect();
        let gifts: Vec<_> = economy.gifts.iter().map(|g| {
            let (diamonds, payout) = diamond_money(g.coins.get());
            json!({"id": g.id, "name": g.name.as_str(), "coins": g.coins.get(),
                   "money_at_best_rate": coin_value(g.coins.get()).to_string(),
                   "creator_diamonds": diamonds, "creator_money": payout.amount().normalize().to_string()})
        }).collect();
        output::json(&json!({
            "currency": currency.code(),
            "packs": packs,
            "gifts": gifts,
            "custom_rate_per_coin": rounding::rate_for_display(best).to_string(),
            "diamond_share_percent": economy.diamond_share_percent,
            "diamond_value": economy.diamond_value.normalize().to_string(),
            "minimum_payout": economy.minimum_payout.amount().normalize().to_string(),
            "grant_value_per_coin": economy.grant_value_per_coin.normalize().to_string(),
        }));
        return Ok(EXIT_OK);
    }
    println!("Coin packs ({currency})");
    println!(
        "  {:<14} {:>14} {:>12} {:>16}",
        "pack", "coins", "price", "per coin"
    );
    for p in &economy.packs {
        println!(
            "  {:<14} {:>14} {:>12} {:>16}",
            p.id,
            p.coins.to_string(),
            p.price.to_string(),
            format!(
                "{} {currency}",
                rounding::rate_for_display(p.price_per_coin())
            )
        );
    }
    println!(
        "  Any exact number of coins: {} {currency} per coin (the best pack rate; the total is rounded up to the smallest coin of the currency).",
        rounding::rate_for_display(best)
    );
    println!();
    println!("Gifts (money at the best pack rate; what the creator receives)");
    for g in &economy.gifts {
        let (diamonds, payout) = diamond_money(g.coins.get());
        println!(
            "  {:<14} {:>14} {:>12}   creator: {} diamonds = {}",
            g.id,
            g.coins.to_string(),
            format!("{} {currency}", coin_value(g.coins.get())),
            crate::money::group_thousands(diamonds),
            payout
        );
    }
    println!();
    println!(
        "Creators receive {}% of a gift's coins as diamonds; a diamond redeems for {} {currency}; the minimum payout is {}.",
        economy.diamond_share_percent,
        economy.diamond_value.normalize(),
        economy.minimum_payout
    );
    println!(
        "Coins granted by a guardian are valued at {} {currency} each.",
        economy.grant_value_per_coin.normalize()
    );
    Ok(EXIT_OK)
}

fn verify(args: &Args) -> Result<u8, CliError> {
    let store = open(args)?;
    let report = ledger::verify(store.conn())?;
    let counts = format!(
        "{} transactions, {} postings, {} accounts and {} coin lots",
        crate::money::group_thousands(report.transactions),
        crate::money::group_thousands(report.postings),
        crate::money::group_thousands(report.accounts),
        crate::money::group_thousands(report.lots)
    );
    if args.json {
        output::json(&json!({
            "ok": report.is_ok(),
            "transactions": report.transactions,
            "postings": report.postings,
            "accounts": report.accounts,
            "lots": report.lots,
            "problem": report.problem.as_ref().map(|p| json!({"entry": p.entry, "message": p.message})),
        }));
    } else if let Some(problem) = &report.problem {
        println!("PROBLEM: {}: {}.", problem.entry, problem.message);
        println!("Checked {counts} before stopping there.");
        println!("Keep a copy of this file and do not spend until it is explained.");
    } else {
        println!("All good. Checked {counts}.");
        println!(
            "Every entry links to the one before it, every transaction balances in money, coins and diamonds,"
        );
        println!("and every balance and coin lot matches the entries that made it.");
    }
    Ok(if report.is_ok() { EXIT_OK } else { EXIT_OTHER })
}
