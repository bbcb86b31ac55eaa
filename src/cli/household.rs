//! Household commands: init and demo (which create a file), the household's
//! settings, catalog, verify, members.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::output::{Table, clean, count, say};
use super::values::RoleArg;
use super::{
    Args, CliError, EXIT_OK, EXIT_OTHER, GuardianArgs, HouseholdCommand, MemberCommand,
    guardian_auth, output, pin, place,
};
use crate::api::Call;
use crate::api::reply::{
    AddedView, CatalogView, ChangeView, HouseholdView, MembersView, Reply, RequestsView, VerifyView,
};
use crate::client::Household;
use crate::config::Config;
use crate::domain::{self, BirthDate, Clock, Name, RequestStatus, Role};
use crate::money::{Coins, Currency, Diamonds, rounding};
use crate::services;

/// How `init` was asked to create the household.
pub(super) struct InitOptions<'a> {
    pub guardian: &'a str,
    pub currency: Option<&'a str>,
    pub timezone: Option<&'a str>,
    pub pin_stdin: bool,
    pub accept_weak_pin: bool,
    pub config: Option<&'a Path>,
}

/// What `init --json` prints.
#[derive(Serialize)]
struct Created<'a> {
    outcome: &'static str,
    db: String,
    guardian: &'a str,
    currency: &'a str,
    timezone: &'a str,
    /// Where the zone came from: "--timezone", "settings.toml", or the
    /// computer's source ("the TZ variable", "/etc/timezone", ...).
    timezone_from: &'a str,
}

/// A new household is a file: `init` creates it in this process, whichever
/// way later commands reach it (the household service opens a file made
/// this way).
pub(super) fn init(args: &Args, clock: &dyn Clock, o: &InitOptions<'_>) -> Result<u8, CliError> {
    let guardian = Name::parse(o.guardian)?;
    let path = place::file_to_create(args, place::default_db_path())?;
    let mut config = Config::load(o.config)?;
    if let Some(code) = o.currency {
        config = config.with_currency(Currency::parse(code)?)?;
    }
    // The zone: --timezone, or the one a --config folder's settings.toml
    // names, or else this computer's (never a built-in guess).
    let own_settings = o
        .config
        .is_some_and(|dir| dir.join(crate::config::SETTINGS_FILE).is_file());
    let zone_from = match o.timezone {
        Some(tz) => {
            config.settings.timezone = domain::parse_timezone(tz)?;
            "--timezone"
        }
        None if own_settings => "settings.toml",
        None => {
            let found = super::timezone::system();
            config.settings.timezone = found.zone;
            found.from
        }
    };
    if path.exists() {
        return Err(already_exists(&path));
    }
    if o.timezone.is_none() {
        // Said before anything is created: the zone cannot be changed later.
        output::note(format_args!(
            "coinguard: the household's time zone will be {} ({}); its days, weeks and months are the limits' calendar. To choose another, stop here and run init with --timezone ZONE (e.g. --timezone Europe/Berlin).",
            config.settings.timezone.name(),
            zone_words(zone_from)
        ));
    }
    let typed = pin::read_new(
        &format!(
            "Choose a PIN or passphrase for {} (at least 6 characters): ",
            clean(guardian.as_str())
        ),
        o.pin_stdin,
    )?;
    // A weak PIN is settled before anything is created.
    if let Some(warning) = pin::weakness(&typed) {
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
    let pin = crate::auth::Pin::parse(&typed)?;
    if let Some(parent) = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            CliError::BadInput(format!(
                "cannot create the folder {}: {e}",
                parent.display()
            ))
        })?;
    }
    services::init_household(&path, &config, &guardian, &pin, clock)?;
    let s = &config.settings;
    if args.json {
        output::json(&Created {
            outcome: "created",
            db: path.display().to_string(),
            guardian: guardian.as_str(),
            currency: s.currency.code(),
            timezone: s.timezone.name(),
            timezone_from: zone_from,
        })?;
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

fn already_exists(path: &Path) -> CliError {
    CliError::Api(crate::api::ApiError::new(
        crate::domain::ErrorKind::Conflict,
        format!(
            "{} already exists; coinguard never overwrites a file: choose another path, or move that file away yourself",
            path.display()
        ),
    ))
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

/// What `demo --json` prints.
#[derive(Serialize)]
struct Demo {
    db: String,
    created: bool,
    transactions: Option<i64>,
    pending_requests: Option<usize>,
    pending_request_ids: Vec<i64>,
    guardian_pin: String,
    /// The household's time zone: its days, weeks and months.
    timezone: String,
}

/// Seeds (or reuses) the demo household and shows where to start. A file
/// that `coinguard demo` did not make (say, the family's own household that
/// COINGUARD_DB points at) is refused and left as it is.
pub(super) fn demo(
    args: &Args,
    clock: &dyn Clock,
    no_tui: bool,
    config: &Option<PathBuf>,
) -> Result<u8, CliError> {
    let path = place::file_to_create(args, PathBuf::from("coinguard-demo.db"))?;
    let shown = path.display().to_string();
    use std::io::IsTerminal;
    let tui =
        !no_tui && !args.json && std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    // The interface already ran (it opened while the demo was made).
    let mut opened = false;
    let summary = if path.exists() {
        None
    } else if tui {
        // At a terminal the interface opens at once, with the making's
        // progress under a gauge, and goes on to "Who are you?"; q or Esc
        // meanwhile stops it, and nothing is left half made.
        let config = Config::load(config.as_deref())?;
        let made = crate::tui::run_after(
            "making the demo household",
            services::DEMO_STEPS,
            |progress| services::seed_demo(&path, &config, clock.now(), progress),
            || Household::open(&path, clock),
        )
        .map_err(|e| CliError::Other(e.to_string()))?;
        match made {
            crate::tui::Made::Opened(summary) => {
                opened = true;
                Some(summary)
            }
            crate::tui::Made::Stopped => {
                say!(
                    "Stopped before the demo household was made: nothing was left behind, and coinguard demo makes it afresh."
                )?;
                return Ok(EXIT_OK);
            }
            crate::tui::Made::Failed(e) => return Err(e.into()),
        }
    } else {
        let config = Config::load(config.as_deref())?;
        // It takes seconds: at a terminal (and not --json) a progress line
        // on stderr says how far it has got, cleared at the end; piped,
        // nothing extra.
        let mut bar = output::ProgressLine::wanted(args.json).then(output::ProgressLine::default);
        let made = services::seed_demo(&path, &config, clock.now(), &mut |done| {
            if let Some(bar) = bar.as_mut() {
                bar.show(&format!(
                    "making the demo household: {done} of {} steps",
                    services::DEMO_STEPS
                ));
            }
            true
        });
        if let Some(bar) = bar.as_mut() {
            bar.clear();
        }
        // Never stopped: its progress always answers "go on".
        made?
    };
    let mut h = Household::open(&path, clock)?;
    let house: HouseholdView = h.ask(Call::Household)?;
    // Never taken over: an existing file is used only if the demo made it.
    let Some(demo_pin) = house.demo_pin.clone() else {
        return Err(CliError::BadInput(format!(
            "{shown} is not a demo household (coinguard demo did not make it), so it was left as it is and not opened. To try the demo, give it a new file: coinguard demo --db coinguard-demo.db"
        )));
    };
    // Real ids to try, newest first: the demo's history decides them.
    let pending: RequestsView = h.ask(Call::Requests {
        status: Some(RequestStatus::Pending),
        member: None,
        limit: 10,
    })?;
    let pending: Vec<i64> = pending.requests.iter().map(|r| r.id).collect();
    drop(h);
    if args.json {
        output::json(&Demo {
            db: shown,
            created: summary.is_some(),
            transactions: summary.as_ref().map(|s| s.transactions),
            pending_requests: summary.as_ref().map(|s| s.pending_requests),
            pending_request_ids: pending,
            guardian_pin: demo_pin,
            timezone: house.timezone.clone(),
        })?;
        return Ok(EXIT_OK);
    }
    match &summary {
        Some(s) => say!(
            "Created the demo household at {shown}: {} over three months, {} waiting for a guardian, {}.",
            count(
                s.transactions.max(0).unsigned_abs(),
                "transaction",
                "transactions"
            ),
            count(s.pending_requests as u64, "request", "requests"),
            count(s.alerts as u64, "alert", "alerts")
        )?,
        None => say!("The demo household at {shown} already exists; using it as it is.")?,
    }
    say!("Guardians Maria and Jon; members Sam (15), Kim (12), Alex (19); creators Ana, Bo, Cy.")?;
    say!(
        "Its time zone is {}: the limits' days, weeks and months and the quiet hours follow its clock (today is {} there).",
        house.timezone,
        house.today
    )?;
    say!("The guardians' PIN is \"{demo_pin}\".")?;
    if opened {
        return Ok(EXIT_OK);
    }
    if tui {
        crate::tui::run(Household::open(&path, clock)?)
            .map_err(|e| CliError::Other(e.to_string()))?;
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
        "household show",
        "member list",
        "request list --status pending",
        "report --member Sam --period month",
        "history --member Sam --limit 10",
        "preview gift Sam Ana galaxy",
    ]
    .into_iter()
    .map(str::to_string)
    .chain(approve)
    .chain(["log decisions --outcome refused", "verify"].map(str::to_string));
    for example in examples {
        say!("  coinguard --db {shown} {example}")?;
    }
    Ok(EXIT_OK)
}

/// A policy change as text: who changed what, before and after.
pub(super) fn print_change(args: &Args, change: &ChangeView) -> Result<(), CliError> {
    if args.json {
        return output::tagged("changed", change);
    }
    let none = || "(none)".to_string();
    say!("{} changed {}.", clean(&change.by), clean(&change.what))?;
    say!(
        "  before: {}",
        clean(&change.before.clone().unwrap_or_else(none))
    )?;
    say!(
        "  after:  {}",
        clean(&change.after.clone().unwrap_or_else(none))
    )
}

/// What `household show --json` prints: the household, and how this
/// command reached it.
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    household: &'a HouseholdView,
    /// "service" (the household service answered) or "file" (this process
    /// opened the file).
    reached: &'static str,
}

pub(super) fn household(
    args: &Args,
    h: &mut Household<'_>,
    command: &HouseholdCommand,
) -> Result<u8, CliError> {
    match command {
        HouseholdCommand::Show => {
            let house: HouseholdView = h.ask(Call::Household)?;
            let reached = if house.service { "service" } else { "file" };
            if args.json {
                output::json(&Shown {
                    household: &house,
                    reached,
                })?;
                return Ok(EXIT_OK);
            }
            say!("Currency: {}.", house.currency)?;
            say!(
                "Time zone: {} (today is {} there); days, weeks, months and quiet hours are the household's.",
                house.timezone,
                house.today
            )?;
            say!(
                "Reached: {}.",
                if house.service {
                    "through the household service (who you are comes from your OS account)"
                } else {
                    "the household file, opened by this program (whoever owns the file can change it)"
                }
            )?;
            say!(
                "Approve in person: {}.",
                if house.approve_in_person {
                    "on (a guardian may type their PIN at another member's keyboard)"
                } else {
                    "off (through the service, a guardian's PIN works only from their own OS account)"
                }
            )?;
            Ok(EXIT_OK)
        }
        HouseholdCommand::ApproveInPerson { setting, guardian } => {
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::SetApproveInPerson {
                on: *setting == super::values::Switch::On,
                auth,
            })?;
            print_change(args, &change)?;
            if !args.json {
                say!(
                    "{}",
                    if *setting == super::values::Switch::On {
                        "A guardian may now approve at another member's keyboard by typing their PIN there; whoever watches it typed could use it from there too."
                    } else {
                        "Through the household service, a guardian's PIN now works only from their own OS account."
                    }
                )?;
            }
            Ok(EXIT_OK)
        }
    }
}

pub(super) fn catalog(args: &Args, h: &mut Household<'_>) -> Result<u8, CliError> {
    let catalog: CatalogView = h.ask(Call::Catalog)?;
    let flow: crate::api::reply::MoneyFlowView = h.ask(Call::MoneyFlow {
        first_day: None,
        last_day: None,
    })?;
    if args.json {
        /// The catalog, and where the money spent so far went.
        #[derive(Serialize)]
        struct CatalogDocument<'a> {
            #[serde(flatten)]
            catalog: &'a CatalogView,
            money_flow: &'a crate::api::reply::MoneyFlowView,
        }
        output::json(&CatalogDocument {
            catalog: &catalog,
            money_flow: &flow,
        })?;
        return Ok(EXIT_OK);
    }
    let currency = &catalog.currency;
    say!("Coin packs ({currency})")?;
    let mut packs = Table::new(&[(false, 14), (true, 14), (true, 12), (true, 16)]);
    packs.row(vec![
        "pack".into(),
        "coins".into(),
        "price".into(),
        "per coin".into(),
    ]);
    for p in &catalog.packs {
        packs.row(vec![
            clean(&p.id).into_owned(),
            Coins::new(p.coins).to_string(),
            p.price.to_string(),
            format!(
                "{} {currency}",
                rounding::rate_for_display(p.price_per_coin.amount())
            ),
        ]);
    }
    for line in packs.lines("  ", " ") {
        say!("{line}")?;
    }
    say!(
        "  Any exact number of coins: {} {currency} per coin (the best pack rate; the total is rounded up to the smallest coin of the currency).",
        rounding::rate_for_display(catalog.custom_rate_per_coin.amount())
    )?;
    say!()?;
    say!("Gifts (money at the best pack rate; what the creator receives)")?;
    let mut gifts = Table::new(&[(false, 14), (true, 14), (true, 12)]);
    for g in &catalog.gifts {
        gifts.row(vec![
            clean(&g.id).into_owned(),
            Coins::new(g.coins).to_string(),
            g.money_at_best_rate.to_string(),
        ]);
    }
    for (line, g) in gifts.lines("  ", " ").iter().zip(&catalog.gifts) {
        say!(
            "{line}   creator: {} = {}; the platform keeps {}",
            Diamonds::new(g.creator_diamonds),
            g.creator_money,
            g.platform_keeps
        )?;
    }
    say!()?;
    say!(
        "Creators receive {}% of a gift's coins as diamonds; a diamond redeems for {} {currency}; the minimum payout is {}.",
        catalog.diamond_share_percent,
        catalog.diamond_value.amount().normalize(),
        catalog.minimum_payout
    )?;
    say!(
        "Coins granted by a guardian are valued at {} {currency} each.",
        catalog.grant_value_per_coin.amount().normalize()
    )?;
    say!()?;
    say!("Where the money went, so far: {}.", clean(&flow.words))?;
    Ok(EXIT_OK)
}

pub(super) fn verify(
    args: &Args,
    h: &mut Household<'_>,
    how: &super::VerifyArgs,
) -> Result<u8, CliError> {
    // With --as (or a PIN on standard input) the guardian's seals are
    // checked; the PIN is asked like any guardian PIN, and a wrong one
    // counts toward their lockout.
    let seal = if how.as_guardian.is_some() || how.pin_stdin {
        Some(guardian_auth(
            h,
            &GuardianArgs {
                as_guardian: how.as_guardian.clone(),
                pin_stdin: how.pin_stdin,
            },
        )?)
    } else {
        None
    };
    // At a terminal (and not --json) a progress line on stderr, rewritten
    // in place and cleared at the end; piped, nothing extra at all.
    let shown = output::ProgressLine::wanted(args.json);
    let call = Call::VerifyWith {
        incremental: how.quick,
        seal,
        progress: shown,
    };
    let report: VerifyView = if shown {
        let mut bar = output::ProgressLine::default();
        let reply = h.call_with_progress(call, &mut |p| {
            bar.show(&format!(
                "verifying {}: {}{}",
                p.stage.words(),
                p.done,
                if p.total > 0 {
                    format!(" of {}", p.total)
                } else {
                    String::new()
                }
            ));
            true
        });
        bar.clear();
        VerifyView::try_from(reply?)?
    } else {
        h.ask(call)?
    };
    let code = if report.ok { EXIT_OK } else { EXIT_OTHER };
    if args.json {
        output::json(&report)?;
        return Ok(code);
    }
    let counts = format!(
        "{} ({}, {}, {}), {} and {}",
        count(report.transactions, "transaction", "transactions"),
        count(report.postings, "posting", "postings"),
        count(report.accounts, "account", "accounts"),
        count(report.lots, "coin lot", "coin lots"),
        count(report.decisions, "guard decision", "guard decisions"),
        count(
            report.guardian_actions,
            "guardian action",
            "guardian actions"
        )
    );
    if let Some(problem) = &report.problem {
        say!(
            "PROBLEM: {}: {}.",
            clean(&problem.entry),
            clean(&problem.message)
        )?;
        say!("Checked {counts} before stopping there.")?;
        say!("Keep a copy of this file and do not spend until it is explained.")?;
        return Ok(code);
    }
    say!("All good. Checked {counts}.")?;
    say!(
        "Every entry links to the one before it in all three records (ledger, decisions, guardian actions);"
    )?;
    say!(
        "every transaction balances in money, coins and diamonds; every balance, coin lot and spending"
    )?;
    say!(
        "total matches the entries that made it; the rules, requests and alerts match the records that"
    )?;
    say!(
        "made them; the append-only triggers are in place and no row points at one that is gone."
    )?;
    for line in &report.seals.words {
        say!("{}", clean(line))?;
    }
    Ok(code)
}

pub(super) fn member(
    args: &Args,
    h: &mut Household<'_>,
    command: &MemberCommand,
) -> Result<u8, CliError> {
    match command {
        MemberCommand::Add {
            name,
            role,
            birthdate,
            no_pin,
            accept_weak_pin,
            guardian,
        } => add_member(
            args,
            h,
            name,
            *role,
            birthdate.as_deref(),
            *no_pin,
            *accept_weak_pin,
            guardian,
        ),
        MemberCommand::Pin {
            name,
            accept_weak_pin,
            guardian,
        } => {
            let auth = guardian_auth(h, guardian)?;
            let typed = pin::read_new(
                &format!(
                    "New PIN for {} (at least 6 characters): ",
                    clean(name.trim())
                ),
                guardian.pin_stdin,
            )?;
            let accept = settle_weak_pin(&typed, *accept_weak_pin, guardian.pin_stdin)?;
            let reply = h.call(Call::SetPin {
                member: name.clone(),
                new_pin: typed,
                accept_weak_pin: accept,
                auth,
            })?;
            let Reply::Done { by, what } = reply else {
                return Err(CliError::Other(
                    "the household answered a PIN change with something else".into(),
                ));
            };
            if args.json {
                output::json(&PinSet {
                    outcome: "pin_set",
                    member: name.trim(),
                    by: &by,
                    what: &what,
                })?;
            } else {
                say!("{}.", clean(&what))?;
            }
            Ok(EXIT_OK)
        }
        MemberCommand::List => list_members(args, h),
        MemberCommand::Link {
            name,
            os_user,
            guardian,
        } => {
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::Link {
                member: name.clone(),
                os_user: os_user.clone(),
                auth,
            })?;
            print_change(args, &change)?;
            if !args.json {
                say!(
                    "Through the household service, the OS account {} now acts as {} (only as them, and guardian actions still need a guardian's PIN).",
                    clean(os_user.trim()),
                    clean(name.trim())
                )?;
            }
            Ok(EXIT_OK)
        }
        MemberCommand::Unlink {
            name,
            os_user,
            guardian,
        } => {
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::Unlink {
                member: name.clone(),
                os_user: os_user.clone(),
                auth,
            })?;
            print_change(args, &change)?;
            Ok(EXIT_OK)
        }
    }
}

/// What `member pin --json` prints.
#[derive(Serialize)]
struct PinSet<'a> {
    outcome: &'static str,
    member: &'a str,
    by: &'a str,
    what: &'a str,
}

/// A weak new PIN: asked about at a prompt; with `--pin-stdin` the
/// household refuses it unless `--accept-weak-pin` was given. Returns
/// whether to use it anyway.
fn settle_weak_pin(typed: &str, accept: bool, from_stdin: bool) -> Result<bool, CliError> {
    match pin::weakness(typed) {
        Some(warning) if !accept && !from_stdin => {
            if pin::ask_yes(&format!("coinguard: {warning}.\nUse it anyway? [y/N] "))? {
                Ok(true)
            } else {
                Err(CliError::BadInput(
                    "nothing was changed; choose a passphrase".into(),
                ))
            }
        }
        Some(warning) if accept => {
            output::note(format_args!("coinguard: warning: {warning}"));
            Ok(true)
        }
        _ => Ok(accept),
    }
}

#[allow(clippy::too_many_arguments)]
fn add_member(
    args: &Args,
    h: &mut Household<'_>,
    name: &str,
    role: RoleArg,
    birthdate: Option<&str>,
    no_pin: bool,
    accept_weak_pin: bool,
    guardian: &GuardianArgs,
) -> Result<u8, CliError> {
    let role = Role::from(role);
    let shown = clean(name.trim()).into_owned();
    // Whether the new member is an adult decides whether they are asked
    // for a PIN: on the household's calendar.
    let house: HouseholdView = h.ask(Call::Household)?;
    let adult = match birthdate {
        Some(b) => BirthDate::parse(b, house.today)?.age_on(house.today) >= 18,
        None => true,
    };
    let auth = guardian_auth(h, guardian)?;
    // A guardian has a PIN from the start; adults and creators are asked
    // for one; a child's is set later if wanted, unless it was given with
    // the guardian's on standard input (never dropped unread).
    let new_pin = match role {
        Role::Guardian => Some(pin::read_new(
            &format!("Choose a PIN or passphrase for {shown} (at least 6 characters): "),
            guardian.pin_stdin,
        )?),
        _ if (adult || guardian.pin_stdin) && !no_pin => pin::read_optional_new(
            &format!("A PIN for {shown}, so nobody else can act as them (Enter to skip): "),
            guardian.pin_stdin,
        )?,
        _ => None,
    };
    let accept = match &new_pin {
        Some(typed) => settle_weak_pin(typed, accept_weak_pin, guardian.pin_stdin)?,
        None => accept_weak_pin,
    };
    let added: AddedView = h.ask(Call::AddMember {
        name: name.to_string(),
        role,
        birthdate: birthdate.map(str::to_string),
        new_pin,
        accept_weak_pin: accept,
        auth,
    })?;
    if args.json {
        output::tagged("added", &added)?;
        return Ok(EXIT_OK);
    }
    let m = &added.member;
    say!(
        "{} added {} ({}).",
        clean(&added.by),
        clean(&m.name),
        m.role
    )?;
    if !m.has_pin && adult {
        let who = if h.is_remote() {
            "any OS account linked to them can act as them without one"
        } else {
            "anyone at this computer can act as them"
        };
        say!(
            "{} has no PIN: {who}. Set one with: coinguard member pin {}",
            clean(&m.name),
            output::shell_word(&m.name)
        )?;
    }
    Ok(EXIT_OK)
}

fn list_members(args: &Args, h: &mut Household<'_>) -> Result<u8, CliError> {
    let members: MembersView = h.ask(Call::Members)?;
    if args.json {
        output::json(&members)?;
        return Ok(EXIT_OK);
    }
    let mut table = Table::new(&[(false, 20), (false, 9), (true, 4), (false, 28), (false, 19)]);
    table.row(vec![
        "member".into(),
        "role".into(),
        "age".into(),
        "coins (what they cost)".into(),
        "diamonds (pay out)".into(),
        "OS accounts".into(),
    ]);
    for m in &members.members {
        table.row(vec![
            clean(&m.name).into_owned(),
            m.role.as_str().to_string(),
            m.age.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
            format!("{} ({})", Coins::new(m.coins), m.coins_cost),
            format!("{} ({})", Diamonds::new(m.diamonds), m.diamonds_value),
            if m.accounts.is_empty() {
                "-".into()
            } else {
                m.accounts
                    .iter()
                    .map(|a| clean(a).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ]);
    }
    for line in table.lines("", " ") {
        say!("{line}")?;
    }
    Ok(EXIT_OK)
}

/// What `serve --check --json` prints.
#[derive(Serialize)]
struct SetupCheck {
    ok: bool,
    findings: Vec<FindingView>,
}

#[derive(Serialize)]
struct FindingView {
    /// "ok", "note" or "problem".
    level: &'static str,
    message: String,
}

/// `coinguard serve`, or `serve --check`: problems exit 2. The file is
/// `--db` (else `COINGUARD_DB`, else the unit's path); the socket
/// `--socket` (else the default socket).
pub(super) fn serve(
    args: &Args,
    clock: &dyn Clock,
    check: bool,
    max_connections: usize,
    message_deadline: std::time::Duration,
) -> Result<u8, CliError> {
    use crate::service::check::Finding;
    let db = args
        .db
        .clone()
        .or_else(|| {
            std::env::var_os("COINGUARD_DB")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from(crate::service::DEFAULT_DB));
    let socket = args
        .socket
        .clone()
        .unwrap_or_else(|| PathBuf::from(crate::client::DEFAULT_SOCKET));
    if check {
        let findings = crate::service::check::check(&db, &socket);
        let problems = findings.iter().filter(|f| f.is_problem()).count();
        if args.json {
            output::json(&SetupCheck {
                ok: problems == 0,
                findings: findings
                    .iter()
                    .map(|f| match f {
                        Finding::Ok(m) => FindingView {
                            level: "ok",
                            message: m.clone(),
                        },
                        Finding::Note(m) => FindingView {
                            level: "note",
                            message: m.clone(),
                        },
                        Finding::Problem(m) => FindingView {
                            level: "problem",
                            message: m.clone(),
                        },
                    })
                    .collect(),
            })?;
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
                n => say!("{} to fix.", count(n as u64, "problem", "problems"))?,
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
        socket,
        max_connections: max_connections.max(1),
        message_deadline,
    };
    crate::service::serve(&options, clock)
        .map_err(|e| CliError::Api(crate::api::ApiError::new(e.kind(), e.to_string())))?;
    Ok(EXIT_OK)
}
