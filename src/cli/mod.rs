//! The command line: parse, call services, print text or one JSON document.
//! Exit codes (SPEC section 7): 0 done, 3 needs approval, 4 denied, 5
//! authentication failed or locked, 2 bad input or usage, 1 anything else.

mod audit;
mod household;
mod output;
mod pin;
mod policy;
mod requests;
mod spending;
mod timezone;

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand};

use crate::auth::{self, AuthError, GuardianPass};
use crate::config::ConfigError;
use crate::domain::Clock;
use crate::ledger::{LedgerError, Store};
use crate::services::ServiceError;

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

/// Who the guardian is and how their PIN arrives.
#[derive(Debug, Clone, ClapArgs)]
pub struct GuardianArgs {
    /// The guardian doing this (may be left out when the household has one)
    #[arg(long = "as", value_name = "NAME")]
    pub as_guardian: Option<String>,
    /// Read the guardian's PIN from the first line of standard input instead of a prompt
    #[arg(long)]
    pub pin_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new household database with its first guardian (asks for their PIN)
    Init {
        /// The first guardian's name
        #[arg(long)]
        guardian: String,
        /// ISO currency code of the household, e.g. USD or EUR [default: from settings.toml]
        #[arg(long)]
        currency: Option<String>,
        /// IANA time zone of the household, e.g. America/New_York [default: this computer's zone (TZ, /etc/timezone, /etc/localtime), or UTC]
        #[arg(long)]
        timezone: Option<String>,
        /// Read the new guardian's PIN from the first line of standard input
        #[arg(long)]
        pin_stdin: bool,
        /// Use a PIN of digits only or a common one anyway (refused otherwise with --pin-stdin; asked at a prompt)
        #[arg(long)]
        accept_weak_pin: bool,
    },
    /// Create a demo household with three months of history (coinguard-demo.db unless --db)
    Demo {
        /// Only create the household; do not open the terminal interface
        #[arg(long)]
        no_tui: bool,
    },
    /// Show the coin packs, gifts and rates in force
    Catalog,
    /// Check every hash chain and balance, and name the first entry that does not match
    Verify,
    /// Add or list household members
    #[command(subcommand)]
    Member(MemberCommand),
    /// Set, list or remove spending limits
    #[command(subcommand)]
    Limit(LimitCommand),
    /// Quiet hours and creator allow/block lists
    #[command(subcommand)]
    Rule(RuleCommand),
    /// Buy a coin pack, or an exact number of coins with --coins
    Buy(BuyArgs),
    /// Send gifts to a creator
    Gift(GiftArgs),
    /// Cash out a creator's diamonds
    Redeem(RedeemArgs),
    /// Show what buy, gift or redeem would do, and why; writes nothing
    #[command(subcommand)]
    Preview(PreviewCommand),
    /// Requests waiting for a guardian: list, approve, deny, cancel, ask again
    #[command(subcommand)]
    Request(RequestCommand),
    /// Give a member coins (an allowance; guardian PIN needed)
    Grant {
        member: String,
        #[arg(allow_negative_numbers = true)]
        coins: String,
        /// What it is for
        #[arg(long, default_value = "")]
        memo: String,
        #[arg(long)]
        key: Option<String>,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Undo a transaction (guardian PIN needed): purchases for their unspent coins
    Reverse {
        /// The transaction number, e.g. 17
        tx: String,
        /// Why: kept in the record
        #[arg(long)]
        reason: String,
        #[arg(long)]
        key: Option<String>,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Alerts for guardians: limits nearly used, refused attempts
    #[command(subcommand)]
    Alert(AlertCommand),
    /// The ledger, newest first, a page at a time
    History(HistoryArgs),
    /// Totals per member for a day, week or month (this one, or a past one with --at, or any days with --from/--to), with every limit for the current period
    Report(ReportArgs),
    /// The decision log or the guardian-action log
    #[command(subcommand)]
    Log(LogCommand),
    /// Write the ledger as CSV, JSON or an hledger journal
    Export(ExportArgs),
    /// Run the household service: the only process that opens the household
    /// file (--db, default /var/lib/coinguard/household.db), answering the
    /// household's OS accounts on a Unix socket (run it under its own
    /// account; see the README's "The household service")
    Serve {
        /// The Unix socket to listen on
        #[arg(long, value_name = "PATH", default_value = crate::client::DEFAULT_SOCKET)]
        socket: PathBuf,
        /// Say what is wrong with the setup (owners and modes of the folder,
        /// the file and the socket; members no OS account is linked to)
        /// instead of serving
        #[arg(long)]
        check: bool,
        /// The most clients served at once
        #[arg(long, value_name = "N", default_value_t = crate::service::MAX_CONNECTIONS)]
        max_connections: usize,
        /// Seconds a client may take to send one message once begun
        #[arg(long, value_name = "SECONDS", default_value_t = 10, hide = true)]
        message_deadline: u64,
    },
}

/// Which transactions: shared by `history` and `export`.
#[derive(Debug, Clone, ClapArgs)]
pub struct LedgerFilterArgs {
    /// Transactions of this member
    #[arg(long)]
    pub member: Option<String>,
    /// Gifts to, or cash-outs by, this creator
    #[arg(long)]
    pub creator: Option<String>,
    /// purchase, gift, redeem, grant or reversal
    #[arg(long)]
    pub kind: Option<String>,
    /// First day, YYYY-MM-DD (household calendar)
    #[arg(long)]
    pub since: Option<String>,
    /// Last day, YYYY-MM-DD (household calendar)
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct ReportArgs {
    /// Only this member
    #[arg(long)]
    pub member: Option<String>,
    /// day, week or month (household calendar) [default: month, or what --at names]
    #[arg(long)]
    pub period: Option<String>,
    /// The period holding this day: YYYY-MM-DD, a month YYYY-MM, or an ISO week YYYY-Www (e.g. 2026-W10)
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub at: Option<String>,
    /// First day of a span of days, YYYY-MM-DD (with --to)
    #[arg(long, requires = "to", conflicts_with = "period")]
    pub from: Option<String>,
    /// Last day of a span of days, YYYY-MM-DD (with --from)
    #[arg(long, requires = "from", conflicts_with = "period")]
    pub to: Option<String>,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub filter: LedgerFilterArgs,
    /// Rows per page (at most 500)
    #[arg(long, default_value = "50")]
    pub limit: String,
    /// Continue after this page marker (printed at the end of a page)
    #[arg(long)]
    pub after: Option<String>,
}

/// An export holds every transaction the filters select (no pages: use
/// --since/--until to cut it).
#[derive(Debug, Clone, ClapArgs)]
pub struct ExportArgs {
    /// csv, json or hledger
    #[arg(long)]
    pub format: String,
    /// Write to this file (never overwritten; readable by you only) instead of standard output
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub filter: LedgerFilterArgs,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Every allow, needs-approval and refusal, with reasons
    Decisions {
        #[arg(long)]
        member: Option<String>,
        /// allow, needs_approval or deny
        #[arg(long)]
        outcome: Option<String>,
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        until: Option<String>,
    },
    /// Every guardian action and PIN attempt, with before and after
    Guardian {
        /// Actions by this guardian
        #[arg(long)]
        member: Option<String>,
        /// In words or as the code, e.g. "limit set" or limit_set, "wrong PIN" or pin_failed, "request approved"
        #[arg(long)]
        action: Option<String>,
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        until: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// List requests, newest first
    List {
        /// pending, approved, denied, expired or cancelled
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        member: Option<String>,
    },
    /// Approve a pending request (guardian PIN needed, for this one approval)
    Approve {
        id: String,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Deny a pending request with a reason the member will see (guardian PIN needed)
    Deny {
        id: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Withdraw your own pending request
    Cancel {
        id: String,
        #[command(flatten)]
        member: MemberPinArgs,
    },
    /// Ask again for what a denied, expired or cancelled request asked
    Again {
        id: String,
        /// A note for the guardian
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        member: MemberPinArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Alerts not yet acknowledged
    List,
    /// Acknowledge one alert, or all with --all (guardian PIN needed)
    Ack {
        #[arg(required_unless_present = "all")]
        id: Option<String>,
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
}

/// For a member who has a PIN: how it arrives.
#[derive(Debug, Clone, ClapArgs)]
pub struct MemberPinArgs {
    /// Read the member's PIN (if they have one) from standard input
    #[arg(long)]
    pub pin_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a member (guardian PIN needed). A new guardian chooses their PIN now;
    /// adults and creators are asked for one (Enter to skip). With --pin-stdin,
    /// the first line is your PIN and the second the new member's
    Add {
        name: String,
        /// guardian, teen or creator
        #[arg(long)]
        role: String,
        /// YYYY-MM-DD; needed for teens and creators (age rules depend on it)
        #[arg(long)]
        birthdate: Option<String>,
        /// Add an adult or creator without asking for their PIN (anyone at this
        /// computer can then act as them; set one later with `member pin`)
        #[arg(long)]
        no_pin: bool,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// List members with their coins, diamonds and what they are worth
    List,
    /// Set or change a member's PIN (guardian PIN needed first, then the new one)
    Pin {
        name: String,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum LimitCommand {
    /// Set a limit (guardian PIN needed). Amounts are money for purchase and all, coins for gift
    Set {
        member: String,
        /// purchase (money paid for coins), gift (coins given), or all (all spending in
        /// money, counted once: money paid for coins, plus granted coins' value when gifted)
        #[arg(long)]
        scope: String,
        /// transaction, day, week, month (household calendar), or 24h, 7d, 30d (rolling)
        #[arg(long)]
        window: String,
        /// Above this, a guardian must approve
        #[arg(long, allow_negative_numbers = true)]
        soft: Option<String>,
        /// Above this, refused
        #[arg(long, allow_negative_numbers = true)]
        hard: Option<String>,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// List a member's limits with what is used and what remains
    List { member: String },
    /// Remove a limit (guardian PIN needed)
    Remove {
        member: String,
        #[arg(long)]
        scope: String,
        #[arg(long)]
        window: String,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum RuleCommand {
    /// Set or clear a member's quiet hours (guardian PIN needed)
    QuietHours {
        member: String,
        /// Start, HH:MM household time
        #[arg(long, required_unless_present = "off")]
        from: Option<String>,
        /// End, HH:MM household time (may be the next morning)
        #[arg(long, required_unless_present = "off")]
        to: Option<String>,
        /// deny or needs-approval
        #[arg(long, default_value = "deny")]
        action: String,
        /// Remove the quiet hours
        #[arg(long, conflicts_with_all = ["from", "to"])]
        off: bool,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Allow, block or clear a creator for a member (guardian PIN needed)
    Creator {
        member: String,
        creator: String,
        #[arg(long, group = "list")]
        allow: bool,
        #[arg(long, group = "list")]
        block: bool,
        #[arg(long, group = "list")]
        clear: bool,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Show a member's quiet hours, creator lists and age rules
    List { member: String },
}

#[derive(Debug, Clone, ClapArgs)]
pub struct BuyArgs {
    pub member: String,
    /// A pack id from `coinguard catalog`, e.g. coins-350
    #[arg(required_unless_present = "coins", conflicts_with = "coins")]
    pub pack: Option<String>,
    /// Buy exactly this many coins at the best pack rate instead of a pack
    #[arg(long, allow_negative_numbers = true)]
    pub coins: Option<String>,
    /// Idempotency key: repeating the command with the same key writes nothing new
    #[arg(long)]
    pub key: Option<String>,
    #[command(flatten)]
    pub member_pin: MemberPinArgs,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct GiftArgs {
    pub member: String,
    pub creator: String,
    /// A gift id or name from `coinguard catalog`, e.g. rose
    pub gift: String,
    #[arg(long, default_value = "1", allow_negative_numbers = true)]
    pub count: String,
    #[arg(long)]
    pub key: Option<String>,
    #[command(flatten)]
    pub member_pin: MemberPinArgs,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct RedeemArgs {
    pub creator: String,
    #[arg(allow_negative_numbers = true)]
    pub diamonds: String,
    #[arg(long)]
    pub key: Option<String>,
    #[command(flatten)]
    pub member_pin: MemberPinArgs,
}

#[derive(Debug, Subcommand)]
pub enum PreviewCommand {
    Buy(BuyArgs),
    Gift(GiftArgs),
    Redeem(RedeemArgs),
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
    /// Standard output was closed by its reader (`| head -1`): the command
    /// ends quietly, as other Unix tools do.
    #[error("standard output was closed")]
    OutputClosed,
}

impl From<LedgerError> for CliError {
    fn from(e: LedgerError) -> CliError {
        CliError::Service(ServiceError::Ledger(e))
    }
}

impl From<AuthError> for CliError {
    fn from(e: AuthError) -> CliError {
        CliError::Service(ServiceError::from(e))
    }
}

impl From<crate::domain::DomainError> for CliError {
    fn from(e: crate::domain::DomainError) -> CliError {
        CliError::Service(ServiceError::Domain(e))
    }
}

impl From<crate::money::MoneyError> for CliError {
    fn from(e: crate::money::MoneyError) -> CliError {
        CliError::Service(ServiceError::Money(e))
    }
}

impl CliError {
    /// What kind of failure this is: decides both the exit code and the
    /// `kind` of the JSON error document.
    pub fn kind(&self) -> crate::domain::ErrorKind {
        use crate::domain::ErrorKind;
        match self {
            CliError::Service(e) => e.kind(),
            CliError::Config(_) => ErrorKind::Config,
            CliError::BadInput(_) => ErrorKind::BadInput,
            CliError::Other(_) | CliError::OutputClosed => ErrorKind::Other,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            // The reader went away: nothing failed.
            CliError::OutputClosed => EXIT_OK,
            other => other.kind().exit_code(),
        }
    }
}

/// Tells the person (on standard error) why a command failed; with
/// `--json`, also as one JSON document on standard output:
/// `{"outcome": "error", "error": {"kind": ..., "message": ...}}`.
pub fn report_error(args: &Args, error: &CliError) {
    let message = error.to_string();
    output::note(format_args!("coinguard: {}", output::clean(&message)));
    if args.json {
        // Nothing more to do if standard output is gone too.
        let _ = output::json(&serde_json::json!({
            "outcome": "error",
            "error": {"kind": error.kind().as_str(), "message": message},
        }));
    }
}

/// Arguments clap could not make sense of (exit 2), or a request for help
/// or the version (exit 0). With `--json` anywhere on the line, a usage
/// error is also reported as the JSON error document.
pub fn usage_failed(error: clap::Error) -> u8 {
    let _ = error.print();
    if error.exit_code() == 0 {
        return EXIT_OK; // --help or --version
    }
    if std::env::args_os().any(|a| a == "--json") {
        let text = error.render().to_string();
        let first = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string();
        let _ = output::json(&serde_json::json!({
            "outcome": "error",
            "error": {"kind": "usage", "message": first},
        }));
    }
    EXIT_BAD_INPUT
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

pub(crate) fn db_path(args: &Args) -> PathBuf {
    args.db.clone().unwrap_or_else(default_db_path)
}

pub(crate) fn open(args: &Args) -> Result<Store, CliError> {
    Ok(Store::open(&db_path(args))?)
}

/// Asks for the guardian's PIN and checks it (recording the attempt): a pass
/// for exactly one action.
pub(crate) fn guardian_pass(
    store: &mut Store,
    clock: &dyn Clock,
    guardian: &GuardianArgs,
) -> Result<GuardianPass, CliError> {
    let name = guardian.as_guardian.as_deref();
    let prompt = match auth::choose_guardian(store.conn(), name) {
        Ok(member) => format!("PIN for {}: ", member.name),
        Err(_) => "Guardian PIN: ".to_string(),
    };
    let pin = pin::read_pin(&prompt, guardian.pin_stdin, false)?;
    Ok(auth::guardian_pass(store, clock, name, &pin, "")?)
}

/// A member with a PIN confirms their own spending and requests with it;
/// members without one are not asked.
pub(crate) fn confirm_member(
    store: &mut Store,
    clock: &dyn Clock,
    member: &str,
    args: &MemberPinArgs,
) -> Result<(), CliError> {
    let found = crate::ledger::find_member(store.conn(), member)?;
    if !found.has_pin {
        return Ok(());
    }
    let pin = pin::read_pin(&format!("PIN for {}: ", found.name), args.pin_stdin, false)?;
    auth::authenticate(store, clock, auth::Who::Member(member), &pin, "")?;
    Ok(())
}

/// Runs a parsed command; returns the exit code.
pub fn run(args: &Args, clock: &dyn Clock) -> Result<u8, CliError> {
    let Some(command) = &args.command else {
        crate::tui::ensure_terminal().map_err(|e| CliError::BadInput(e.to_string()))?;
        let household = crate::client::Household::Embedded(Box::new(crate::api::Session::new(
            open(args)?,
            clock,
            crate::api::Caller::Owner,
        )));
        crate::tui::run(household).map_err(|e| match e {
            crate::tui::TuiError::NotATerminal => CliError::BadInput(e.to_string()),
            other => CliError::Other(other.to_string()),
        })?;
        return Ok(EXIT_OK);
    };
    match command {
        Command::Init {
            guardian,
            currency,
            timezone,
            pin_stdin,
            accept_weak_pin,
        } => household::init(
            args,
            clock,
            &household::InitOptions {
                guardian,
                currency: currency.as_deref(),
                timezone: timezone.as_deref(),
                pin_stdin: *pin_stdin,
                accept_weak_pin: *accept_weak_pin,
            },
        ),
        Command::Demo { no_tui } => household::demo(args, clock, *no_tui),
        Command::Catalog => household::catalog(args),
        Command::Verify => household::verify(args),
        Command::Member(cmd) => household::member(args, clock, cmd),
        Command::Limit(cmd) => policy::limit(args, clock, cmd),
        Command::Rule(cmd) => policy::rule(args, clock, cmd),
        Command::Buy(buy) => spending::buy(args, clock, buy, crate::services::Mode::Commit),
        Command::Gift(gift) => spending::gift(args, clock, gift, crate::services::Mode::Commit),
        Command::Redeem(redeem) => {
            spending::redeem(args, clock, redeem, crate::services::Mode::Commit)
        }
        Command::Preview(PreviewCommand::Buy(buy)) => {
            spending::buy(args, clock, buy, crate::services::Mode::Preview)
        }
        Command::Preview(PreviewCommand::Gift(gift)) => {
            spending::gift(args, clock, gift, crate::services::Mode::Preview)
        }
        Command::Preview(PreviewCommand::Redeem(redeem)) => {
            spending::redeem(args, clock, redeem, crate::services::Mode::Preview)
        }
        Command::Request(cmd) => requests::request(args, clock, cmd),
        Command::Grant {
            member,
            coins,
            memo,
            key,
            guardian,
        } => requests::grant(args, clock, member, coins, memo, key, guardian),
        Command::Reverse {
            tx,
            reason,
            key,
            guardian,
        } => requests::reverse(args, clock, tx, reason, key, guardian),
        Command::Alert(cmd) => requests::alert(args, clock, cmd),
        Command::History(history) => audit::history(args, history),
        Command::Report(report) => audit::report(args, clock, report),
        Command::Log(cmd) => audit::log(args, cmd),
        Command::Export(export) => audit::export(args, export),
        Command::Serve {
            socket,
            check,
            max_connections,
            message_deadline,
        } => household::serve(
            args,
            clock,
            socket,
            *check,
            *max_connections,
            std::time::Duration::from_secs((*message_deadline).clamp(1, 600)),
        ),
    }
}

#[cfg(test)]
mod exit_code_tests {
    use super::*;
    use crate::auth::AuthError;

    /// One table: an error from each layer, and the exit code SPEC section 7
    /// gives it. The code comes from the error's kind alone.
    #[test]
    fn each_error_exits_with_the_code_its_kind_gives() {
        let cases: Vec<(CliError, u8, &str)> = vec![
            (LedgerError::NotPending { id: 4 }.into(), 2, "conflict"),
            (
                ServiceError::NotPending {
                    id: 4,
                    status: "approved",
                }
                .into(),
                2,
                "conflict",
            ),
            (
                AuthError::Locked {
                    name: "Maria".into(),
                    until: "10:00".into(),
                    seconds: 30,
                }
                .into(),
                5,
                "auth",
            ),
            (
                AuthError::WrongPin {
                    name: "Maria".into(),
                    tries_left: 1,
                }
                .into(),
                5,
                "auth",
            ),
            (
                LedgerError::Missing {
                    path: "x.db".into(),
                }
                .into(),
                2,
                "household",
            ),
            (
                ServiceError::UnknownPack {
                    given: "x".into(),
                    known: "y".into(),
                }
                .into(),
                2,
                "not_found",
            ),
            (LedgerError::Busy.into(), 1, "other"),
            (CliError::BadInput("no".into()), 2, "bad_input"),
        ];
        for (error, code, kind) in cases {
            assert_eq!(
                (error.exit_code(), error.kind().as_str()),
                (code, kind),
                "{error}"
            );
        }
    }
}
