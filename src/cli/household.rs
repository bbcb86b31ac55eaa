//! Household commands: init, catalog, verify, members.

use rust_decimal::Decimal;
use serde_json::json;

use super::output::{clean, say};
use super::{
    Args, CliError, EXIT_OK, EXIT_OTHER, MemberCommand, db_path, guardian_pass, open, output, pin,
};
use crate::config::Config;
use crate::domain::{self, BirthDate, Clock, Name, Role};
use crate::ledger::{self, Account};
use crate::money::{Coins, Currency, Diamonds, Money, rounding};
use crate::services::{self, ServiceError};

/// How `init` was asked to create the household.
pub(super) struct InitOptions<'a> {
    pub guardian: &'a str,
    pub currency: Option<&'a str>,
    pub timezone: Option<&'a str>,
    pub pin_stdin: bool,
    pub accept_weak_pin: bool,
}

pub(super) fn init(args: &Args, clock: &dyn Clock, o: &InitOptions<'_>) -> Result<u8, CliError> {
    let guardian = Name::parse(o.guardian).map_err(ServiceError::from)?;
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(code) = o.currency {
        let currency = Currency::parse(code).map_err(ServiceError::from)?;
        config = config.with_currency(currency)?;
    }
    // The zone: --timezone, or the one a --config folder's settings.toml
    // names, or else this computer's (never a built-in guess).
    let own_settings = args
        .config
        .as_deref()
        .is_some_and(|dir| dir.join(crate::config::SETTINGS_FILE).is_file());
    let zone_from = match o.timezone {
        Some(tz) => {
            config.settings.timezone = domain::parse_timezone(tz).map_err(ServiceError::from)?;
            "--timezone"
        }
        None if own_settings => "settings.toml",
        None => {
            let found = super::timezone::system();
            config.settings.timezone = found.zone;
            found.from
        }
    };
    let path = db_path(args);
    if path.exists() {
        return Err(ServiceError::Ledger(ledger::LedgerError::AlreadyExists { path }).into());
    }
    if o.timezone.is_none() {
        // Said before anything is created: the zone cannot be changed later.
        output::note(format_args!(
            "coinguard: the household's time zone will be {} ({}); its days, weeks and months are the limits' calendar. To choose another, stop here and run init with --timezone ZONE (e.g. --timezone Europe/Berlin).",
            config.settings.timezone.name(),
            zone_words(zone_from)
        ));
    }
    let pin = pin::read_pin(
        &format!(
            "Choose a PIN or passphrase for {} (at least 6 characters): ",
            clean(guardian.as_str())
        ),
        o.pin_stdin,
        true,
    )?;
    // A weak PIN is settled before anything is created.
    if let Some(warning) = pin.weakness() {
        if o.accept_weak_pin {
            output::note(format_args!("coinguard: warning: {warning}"));
        } else if o.pin_stdin {
            return Err(CliError::BadInput(format!(
                "{warning}. Nothing was created: choose a passphrase, or add --accept-weak-pin to use this PIN anyway"
            )));
        } else if !pin::ask_yes(&format!("coinguard: {warning}.\nUse it anyway? [y/N] "))? {
            return Err(CliError::BadInput(
                "nothing was created; run init again and choose a passphrase".into(),
            ));
        }
    }
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
    services::init_household(&path, &config, &guardian, &pin, clock)?;
    let s = &config.settings;
    if args.json {
        output::json(&json!({
            "outcome": "created",
            "db": path.display().to_string(),
            "guardian": guardian.as_str(),
            "currency": s.currency.code(),
            "timezone": s.timezone.name(),
            "timezone_from": zone_from,
        }))?;
    } else {
        say!("Created the household at {}.", path.display())?;
        say!(
            "Guardian: {}. Currency: {}. Time zone: {} ({}).",
            clean(guardian.as_str()),
            s.currency,
            s.timezone.name(),
            zone_words(zone_from)
        )?;
        say!("Only you (this computer account) can read the file. Next: add members.")?;
    }
    Ok(EXIT_OK)
}

/// Where the zone came from, in words.
fn zone_words(from: &str) -> String {
    match from {
        "--timezone" => "as you chose with --timezone".into(),
        "settings.toml" => "from your settings.toml".into(),
        "no zone set on this computer" => {
            "this computer names no time zone, so UTC; choose one with --timezone".into()
        }
        source => format!("this computer's time zone, from {source}"),
    }
}

pub(super) fn catalog(args: &Args) -> Result<u8, CliError> {
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
        let money = |m: Money| output::money(m.micros(), currency);
        let rate = |r: Decimal| output::decimal_money(r, currency);
        let packs: Vec<_> = economy
            .packs
            .iter()
            .map(|p| {
                json!({
                    "id": p.id, "coins": p.coins.get(), "price": money(p.price),
                    "price_per_coin": rate(p.price_per_coin()),
                })
            })
            .collect();
        let gifts: Vec<_> = economy
            .gifts
            .iter()
            .map(|g| {
                let (diamonds, payout) = diamond_money(g.coins.get());
                json!({"id": g.id, "name": g.name.as_str(), "coins": g.coins.get(),
                       "money_at_best_rate": rate(best * Decimal::from(g.coins.get())),
                       "creator_diamonds": diamonds, "creator_money": money(payout)})
            })
            .collect();
        output::json(&json!({
            "currency": currency.code(),
            "packs": packs,
            "gifts": gifts,
            "custom_rate_per_coin": rate(best),
            "diamond_share_percent": economy.diamond_share_percent,
            "diamond_value": rate(economy.diamond_value),
            "minimum_payout": money(economy.minimum_payout),
            "grant_value_per_coin": rate(economy.grant_value_per_coin),
        }))?;
        return Ok(EXIT_OK);
    }
    say!("Coin packs ({currency})")?;
    say!(
        "  {:<14} {:>14} {:>12} {:>16}",
        "pack",
        "coins",
        "price",
        "per coin"
    )?;
    for p in &economy.packs {
        say!(
            "  {:<14} {:>14} {:>12} {:>16}",
            clean(&p.id),
            p.coins.to_string(),
            p.price.to_string(),
            format!(
                "{} {currency}",
                rounding::rate_for_display(p.price_per_coin())
            )
        )?;
    }
    say!(
        "  Any exact number of coins: {} {currency} per coin (the best pack rate; the total is rounded up to the smallest coin of the currency).",
        rounding::rate_for_display(best)
    )?;
    say!()?;
    say!("Gifts (money at the best pack rate; what the creator receives)")?;
    for g in &economy.gifts {
        let (diamonds, payout) = diamond_money(g.coins.get());
        say!(
            "  {:<14} {:>14} {:>12}   creator: {} diamonds = {}",
            clean(&g.id),
            g.coins.to_string(),
            format!("{} {currency}", coin_value(g.coins.get())),
            crate::money::group_thousands(diamonds),
            payout
        )?;
    }
    say!()?;
    say!(
        "Creators receive {}% of a gift's coins as diamonds; a diamond redeems for {} {currency}; the minimum payout is {}.",
        economy.diamond_share_percent,
        economy.diamond_value.normalize(),
        economy.minimum_payout
    )?;
    say!(
        "Coins granted by a guardian are valued at {} {currency} each.",
        economy.grant_value_per_coin.normalize()
    )?;
    Ok(EXIT_OK)
}

pub(super) fn verify(args: &Args) -> Result<u8, CliError> {
    let store = open(args)?;
    let report = ledger::verify(store.conn())?;
    let n = crate::money::group_thousands;
    let counts = format!(
        "{} transactions ({} postings, {} accounts, {} coin lots), {} guard decisions and {} guardian actions",
        n(report.transactions),
        n(report.postings),
        n(report.accounts),
        n(report.lots),
        n(report.decisions),
        n(report.guardian_actions)
    );
    if args.json {
        output::json(&json!({
            "ok": report.is_ok(),
            "transactions": report.transactions,
            "postings": report.postings,
            "accounts": report.accounts,
            "lots": report.lots,
            "decisions": report.decisions,
            "guardian_actions": report.guardian_actions,
            "problem": report.problem.as_ref().map(|p| json!({"entry": p.entry, "message": p.message})),
        }))?;
    } else if let Some(problem) = &report.problem {
        say!(
            "PROBLEM: {}: {}.",
            clean(&problem.entry),
            clean(&problem.message)
        )?;
        say!("Checked {counts} before stopping there.")?;
        say!("Keep a copy of this file and do not spend until it is explained.")?;
    } else {
        say!("All good. Checked {counts}.")?;
        say!(
            "Every entry links to the one before it in all three records (ledger, decisions, guardian actions);"
        )?;
        say!(
            "every transaction balances in money, coins and diamonds; every balance, coin lot and spending"
        )?;
        say!("total matches the entries that made it.")?;
    }
    Ok(if report.is_ok() { EXIT_OK } else { EXIT_OTHER })
}

pub(super) fn member(
    args: &Args,
    clock: &dyn Clock,
    command: &MemberCommand,
) -> Result<u8, CliError> {
    match command {
        MemberCommand::Add {
            name,
            role,
            birthdate,
            no_pin,
            guardian,
        } => {
            let name = Name::parse(name)?;
            let role: Role = role.parse()?;
            let mut store = open(args)?;
            let today = clock
                .now()
                .with_timezone(&store.config()?.settings.timezone)
                .date_naive();
            let birthdate = birthdate
                .as_deref()
                .map(|b| BirthDate::parse(b, today))
                .transpose()?;
            let adult = birthdate.is_none_or(|b| b.age_on(today) >= 18);
            let pass = guardian_pass(&mut store, clock, guardian)?;
            let by = pass.guardian().name.clone();
            // A guardian has a PIN from the start; adults and creators are
            // asked for one; a child's is set later if wanted.
            let pin = match role {
                Role::Guardian => Some(pin::read_pin(
                    &format!("Choose a PIN or passphrase for {name} (at least 6 characters): "),
                    guardian.pin_stdin,
                    true,
                )?),
                _ if adult && !no_pin => pin::read_optional_pin(
                    &format!("A PIN for {name}, so nobody else can act as them (Enter to skip): "),
                    guardian.pin_stdin,
                )?,
                _ => None,
            };
            if let Some(warning) = pin.as_ref().and_then(|p| p.weakness()) {
                eprintln!("coinguard: warning: {warning}");
            }
            let id = services::add_member(
                &mut store,
                clock,
                pass,
                &name,
                role,
                birthdate,
                pin.as_ref(),
            )?;
            if args.json {
                output::json(
                    &json!({"outcome": "added", "member_id": id.0, "name": name.as_str(), "role": role.as_str(), "has_pin": pin.is_some()}),
                )?;
            } else {
                say!(
                    "{} added {} ({role}).",
                    clean(by.as_str()),
                    clean(name.as_str())
                )?;
                if pin.is_none() && adult {
                    say!(
                        "{} has no PIN: anyone at this computer can act as them. Set one with: coinguard member pin \"{}\"",
                        clean(name.as_str()),
                        clean(name.as_str())
                    )?;
                }
            }
            Ok(EXIT_OK)
        }
        MemberCommand::Pin { name, guardian } => {
            let mut store = open(args)?;
            let member = ledger::find_member(store.conn(), name)?;
            let pass = guardian_pass(&mut store, clock, guardian)?;
            let pin = pin::read_pin(
                &format!("New PIN for {} (at least 6 characters): ", member.name),
                guardian.pin_stdin,
                true,
            )?;
            if let Some(warning) = pin.weakness() {
                output::note(format_args!("coinguard: warning: {warning}"));
            }
            services::set_pin(&mut store, clock, pass, name, &pin)?;
            if args.json {
                output::json(&json!({"outcome": "pin_set", "member": member.name.as_str()}))?;
            } else {
                say!("{} has a new PIN.", clean(member.name.as_str()))?;
            }
            Ok(EXIT_OK)
        }
        MemberCommand::List => {
            let store = open(args)?;
            let config = store.config()?;
            let currency = config.settings.currency;
            let today = clock
                .now()
                .with_timezone(&config.settings.timezone)
                .date_naive();
            let mut rows = Vec::new();
            for m in ledger::list_members(store.conn())? {
                let coins = ledger::balance(store.conn(), Account::Wallet(m.id))?;
                let cost = ledger::lot_cost_of_wallet(store.conn(), m.id)?;
                let diamonds = ledger::balance(store.conn(), Account::Earnings(m.id))?;
                let diamonds_value = rounding::for_payout(
                    Decimal::from(diamonds) * config.economy.diamond_value,
                    currency,
                )
                .unwrap_or(Money::zero(currency));
                rows.push((
                    m.clone(),
                    m.birthdate.map(|b| b.age_on(today)),
                    coins,
                    cost,
                    diamonds,
                    diamonds_value,
                ));
            }
            if args.json {
                let members: Vec<_> = rows
                    .iter()
                    .map(|(m, age, coins, cost, diamonds, value)| {
                        json!({
                            "id": m.id.0, "name": m.name.as_str(), "role": m.role.as_str(),
                            "birthdate": m.birthdate.map(|b| b.date().to_string()), "age": age,
                            "coins": coins, "coins_cost": output::money(*cost, currency),
                            "diamonds": diamonds, "diamonds_value": output::money(value.micros(), currency),
                        })
                    })
                    .collect();
                output::json(&json!({ "members": members }))?;
                return Ok(EXIT_OK);
            }
            say!(
                "{:<20} {:<9} {:>4}  {:<28} diamonds (pay out)",
                "member",
                "role",
                "age",
                "coins (what they cost)"
            )?;
            for (m, age, coins, cost, diamonds, value) in rows {
                let age = age.map(|a| a.to_string()).unwrap_or_else(|| "-".into());
                let coins = format!(
                    "{} ({})",
                    Coins::from_i64(coins).unwrap_or_default(),
                    Money::from_micros(currency, cost)
                );
                let diamonds = format!(
                    "{} ({value})",
                    Diamonds::from_i64(diamonds).unwrap_or_default()
                );
                say!(
                    "{:<20} {:<9} {:>4}  {:<28} {}",
                    clean(m.name.as_str()),
                    m.role.as_str(),
                    age,
                    coins,
                    diamonds
                )?;
            }
            Ok(EXIT_OK)
        }
    }
}

/// Seeds (or reuses) the demo household and shows where to start. A file
/// that `coinguard demo` did not make (say, the family's own household that
/// COINGUARD_DB points at) is refused and left as it is.
pub(super) fn demo(args: &Args, clock: &dyn Clock, no_tui: bool) -> Result<u8, CliError> {
    let path = args
        .db
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("coinguard-demo.db"));
    let shown = path.display().to_string();
    let (store, summary) = if path.exists() {
        // Never overwritten: an existing demo is opened as it is.
        let store = ledger::Store::open(&path)?;
        if services::demo_pin(store.conn())?.is_none() {
            return Err(CliError::BadInput(format!(
                "{shown} is not a demo household (coinguard demo did not make it), so it was left as it is and not opened. To try the demo, give it a new file: coinguard demo --db coinguard-demo.db"
            )));
        }
        (store, None)
    } else {
        let config = Config::load(args.config.as_deref())?;
        let summary = services::seed_demo(&path, &config, clock.now())?;
        (ledger::Store::open(&path)?, Some(summary))
    };
    // Real ids to try, newest first: the demo's history decides them.
    let pending: Vec<i64> =
        ledger::list_requests(store.conn(), Some(ledger::RequestStatus::Pending), None, 10)?
            .iter()
            .map(|r| r.id)
            .collect();
    drop(store);
    if args.json {
        output::json(&json!({
            "db": shown,
            "created": summary.is_some(),
            "transactions": summary.as_ref().map(|s| s.transactions),
            "pending_requests": summary.as_ref().map(|s| s.pending_requests),
            "pending_request_ids": pending,
            "guardian_pin": services::DEMO_PIN,
        }))?;
        return Ok(EXIT_OK);
    }
    match &summary {
        Some(s) => say!(
            "Created the demo household at {shown}: {} transactions over three months, {} requests waiting for a guardian, {} alerts.",
            s.transactions,
            s.pending_requests,
            s.alerts
        )?,
        None => say!("The demo household at {shown} already exists; using it as it is.")?,
    }
    say!("Guardians Maria and Jon; members Sam (15), Kim (12), Alex (19); creators Ana, Bo, Cy.")?;
    say!("The guardians' PIN is \"{}\".", services::DEMO_PIN)?;
    use std::io::IsTerminal;
    if !no_tui && std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        let household = crate::client::Household::open(&path, clock)
            .map_err(|e| CliError::Other(e.to_string()))?;
        crate::tui::run(household).map_err(|e| CliError::Other(e.to_string()))?;
        return Ok(EXIT_OK);
    }
    say!()?;
    say!(
        "Open it with: coinguard --db {shown}   (pick who you are; guardians need the PIN). Or from the command line:"
    )?;
    let approve = pending
        .first()
        .map(|id| format!("request approve {id} --as Maria"));
    let examples = [
        "member list",
        "request list --status pending",
        "report --member Sam --period month",
        "history --member Sam --limit 10",
        "preview gift Sam Ana galaxy",
    ]
    .into_iter()
    .map(str::to_string)
    .chain(approve)
    .chain(["log decisions --outcome deny", "verify"].map(str::to_string));
    for example in examples {
        say!("  coinguard --db {shown} {example}")?;
    }
    Ok(EXIT_OK)
}

/// `coinguard serve`, or `serve --check`: problems exit 2.
pub(super) fn serve(
    args: &Args,
    clock: &dyn Clock,
    socket: &std::path::Path,
    check: bool,
    max_connections: usize,
    message_deadline: std::time::Duration,
) -> Result<u8, CliError> {
    use crate::service::check::Finding;
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(crate::service::DEFAULT_DB));
    if check {
        let findings = crate::service::check::check(&db, socket);
        let problems = findings.iter().filter(|f| f.is_problem()).count();
        if args.json {
            let list: Vec<_> = findings
                .iter()
                .map(|f| match f {
                    Finding::Ok(m) => json!({"level": "ok", "message": m}),
                    Finding::Note(m) => json!({"level": "note", "message": m}),
                    Finding::Problem(m) => json!({"level": "problem", "message": m}),
                })
                .collect();
            output::json(&json!({"ok": problems == 0, "findings": list}))?;
        } else {
            for f in &findings {
                match f {
                    Finding::Ok(m) => say!("ok: {}", clean(m))?,
                    Finding::Note(m) => say!("note: {}", clean(m))?,
                    Finding::Problem(m) => say!("PROBLEM: {}", clean(m))?,
                }
            }
            match problems {
                0 => say!("The setup looks right.")?,
                1 => say!("1 problem to fix.")?,
                n => say!("{n} problems to fix.")?,
            }
        }
        return Ok(if problems == 0 {
            EXIT_OK
        } else {
            super::EXIT_BAD_INPUT
        });
    }
    let options = crate::service::ServeOptions {
        db,
        socket: socket.to_path_buf(),
        max_connections: max_connections.max(1),
        message_deadline,
    };
    crate::service::serve(&options, clock).map_err(|e| match e {
        crate::service::ServeError::Household(e) => CliError::Service(ServiceError::Ledger(e)),
        other if other.kind() == crate::domain::ErrorKind::Conflict => {
            CliError::BadInput(other.to_string())
        }
        other => CliError::Other(other.to_string()),
    })?;
    Ok(EXIT_OK)
}
