//! The command line: parse, ask the household, print text or one JSON
//! document. Every command builds a [`Call`], sends it through a
//! [`Household`] (the household service over its socket, or the file opened
//! in this process) and prints the [`Reply`]; nothing here reads the
//! database or decides who may do what. Only `init` and `demo` work on a
//! file directly, because they create it.
//!
//! Exit codes (SPEC section 7): 0 done, 3 needs approval, 4 denied, 5
//! authentication failed or locked, 2 bad input or usage, 6 the household
//! service is not running or cannot be reached, 1 anything else.
//!
//! [`Reply`]: crate::api::Reply

mod allowance;
mod audit;
mod household;
mod notify;
mod output;
mod pin;
mod place;
mod policy;
mod requests;
mod spending;
mod timezone;
mod values;

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand};

use crate::api::call::GuardianAuth;
use crate::api::reply::Me;
use crate::api::{ApiError, Call};
use crate::client::Household;
use crate::domain::{Clock, ErrorKind};

pub use place::default_db_path;
use values::{
    FormatArg, KindArg, OutcomeArg, PeriodArg, QuietActionArg, RoleArg, ScopeArg, StatusArg,
    Switch, WindowArg, number, words,
};

pub const EXIT_OK: u8 = 0;
pub const EXIT_OTHER: u8 = 1;
pub const EXIT_BAD_INPUT: u8 = 2;
pub const EXIT_NEEDS_APPROVAL: u8 = 3;
pub const EXIT_DENIED: u8 = 4;
pub const EXIT_AUTH: u8 = 5;
pub const EXIT_UNAVAILABLE: u8 = 6;

#[derive(Debug, Parser)]
#[command(
    name = "coinguard",
    version,
    about = "A parental spending guard around a virtual-coin wallet",
    long_about = "A parental spending guard around a virtual-coin wallet.\n\n\
        Without a command, opens the terminal interface. Commands reach the household \
        service when --socket or COINGUARD_SOCKET names its socket, or when the default \
        socket exists; --db (or COINGUARD_DB) opens a household file in this process instead."
)]
pub struct Args {
    /// Open this household file in this process (env COINGUARD_DB) [default: the household
    /// service if its socket exists, else household.db in your data folder]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub db: Option<PathBuf>,
    /// Talk to the household service at this socket (env COINGUARD_SOCKET)
    /// [default: /run/coinguard/coinguard.sock when it exists]
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub socket: Option<PathBuf>,
    /// Print one JSON document on standard output instead of text
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
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

/// What `verify` checks, and with whose PIN.
#[derive(Debug, Clone, ClapArgs)]
pub struct VerifyArgs {
    /// Check the seals this guardian made, with their PIN: a sealed entry changed, removed,
    /// inserted or reordered, or a chain recomputed, is named. Without it, seals are read but
    /// not checked
    #[arg(long = "as", value_name = "NAME")]
    pub as_guardian: Option<String>,
    /// Read the guardian's PIN from the first line of standard input instead of a prompt
    /// (checks the seals of the guardian named with --as, or of the only guardian)
    #[arg(long)]
    pub pin_stdin: bool,
    /// Check only what is new since the last verify (fast). A row edited in place before that
    /// point, its hash left as it was, is found only by a full verify (the default)
    #[arg(long)]
    pub quick: bool,
}

/// For a member who has a PIN: how it arrives.
#[derive(Debug, Clone, ClapArgs)]
pub struct MemberPinArgs {
    /// Read the member's PIN (if they have one) from the first line of standard input
    #[arg(long)]
    pub pin_stdin: bool,
}

/// The idempotency key of a command that writes.
#[derive(Debug, Clone, ClapArgs)]
pub struct KeyArgs {
    /// Idempotency key: the same command again with the same key writes nothing new and
    /// gives the first result (letters, digits, '-', '_', '.', ':')
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new household file with its first guardian (asks for their PIN)
    Init {
        /// The first guardian's name
        #[arg(long, value_name = "NAME")]
        guardian: String,
        /// ISO currency code of the household, e.g. USD or EUR [default: from settings.toml]
        #[arg(long, value_name = "CODE")]
        currency: Option<String>,
        /// IANA time zone of the household, e.g. America/New_York [default: this computer's
        /// zone (TZ, /etc/timezone, /etc/localtime), or UTC]
        #[arg(long, value_name = "ZONE")]
        timezone: Option<String>,
        /// Read the new guardian's PIN from the first line of standard input
        #[arg(long)]
        pin_stdin: bool,
        /// Use a PIN of digits only or a common one anyway (refused otherwise with
        /// --pin-stdin; asked at a prompt)
        #[arg(long)]
        accept_weak_pin: bool,
        /// A folder whose economy.toml, age_bands.toml or settings.toml replace the defaults
        #[arg(long, value_name = "DIR")]
        config: Option<PathBuf>,
    },
    /// Create a demo household with three months of history (coinguard-demo.db unless --db),
    /// then open the terminal interface
    Demo {
        /// Only create the household; do not open the terminal interface
        #[arg(long)]
        no_tui: bool,
        /// A folder whose economy.toml, age_bands.toml or settings.toml replace the defaults
        #[arg(long, value_name = "DIR")]
        config: Option<PathBuf>,
    },
    /// The household: its currency, time zone and settings
    #[command(subcommand)]
    Household(HouseholdCommand),
    /// Show the coin packs, gifts and rates in force
    Catalog,
    /// Check every hash chain, balance, rule and trigger against the record, and name the
    /// first entry that does not match. With --as, also check that guardian's seals (asks
    /// for their PIN)
    Verify(VerifyArgs),
    /// Add, list and link household members
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
        /// Who receives the coins
        #[arg(value_name = "MEMBER")]
        member: String,
        /// How many coins, e.g. 500
        #[arg(allow_negative_numbers = true, value_name = "COINS")]
        coins: String,
        /// What it is for (kept in the record)
        #[arg(long, default_value = "", value_name = "TEXT")]
        memo: String,
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Undo a transaction (guardian PIN needed): purchases for their unspent coins. Shows
    /// what it gives back, and any warning, before asking for the PIN
    Reverse {
        /// The transaction number, e.g. 17 or #17
        #[arg(value_name = "TX", value_parser = number("transaction"))]
        tx: i64,
        /// Why: kept in the record
        #[arg(long, value_name = "TEXT")]
        reason: String,
        #[command(flatten)]
        key: KeyArgs,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Alerts for guardians: limits nearly used, refused attempts
    #[command(subcommand)]
    Alert(AlertCommand),
    /// The ledger, newest first, a page at a time
    History(HistoryArgs),
    /// Totals per member for a day, week or month (this one, or a past one with --at, or
    /// any days with --from/--to), with every limit for the current period
    Report(ReportArgs),
    /// The decision log or the guardian-action log
    #[command(subcommand)]
    Log(LogCommand),
    /// Write the ledger as CSV, JSON or an hledger journal
    Export(ExportArgs),
    /// Allowances: coins a member receives each day, week or month, paid by themselves
    #[command(subcommand)]
    Allowance(AllowanceCommand),
    /// Notify commands: run a command (a desktop notification, a mail, a
    /// phone push) for each event people should hear about
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Run the household service: the only process that opens the household
    /// file (--db, default /var/lib/coinguard/household.db), answering the
    /// household's OS accounts on a Unix socket (--socket, default
    /// /run/coinguard/coinguard.sock); run it under its own account (see the
    /// README's "The household service")
    Serve {
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

#[derive(Debug, Subcommand)]
pub enum AllowanceCommand {
    /// Pay MEMBER coins (or coins worth an amount of money at the best pack rate) every day,
    /// week or month, from the next such day on, as a grant (guardian PIN needed). Replaces
    /// the allowance in force
    Set {
        /// Who receives it (a teen or a creator)
        #[arg(value_name = "MEMBER")]
        member: String,
        /// Coins each time, e.g. 500
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        coins: Option<String>,
        /// Money each time, paid as the coins it buys at the best pack rate, e.g. 5.00
        #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
        money: Option<String>,
        /// day, week or month
        #[arg(long, value_name = "PERIOD")]
        every: String,
        /// For weekly: the weekday (monday ... sunday) [default: monday]; for monthly: the
        /// day, 1 to 28 [default: 1]
        #[arg(long, value_name = "DAY")]
        on: Option<String>,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// The allowances in force and their next payments
    List,
    /// Stop a member's allowance (guardian PIN needed)
    Stop {
        /// Whose allowance
        #[arg(value_name = "MEMBER")]
        member: String,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Run CMD (through sh -c) for each event from now on, with the event as one JSON document
    /// on standard input and a one-line summary in COINGUARD_SUMMARY (guardian PIN needed)
    Add {
        /// The command, e.g. 'notify-send coinguard "$COINGUARD_SUMMARY"'
        #[arg(long, value_name = "CMD")]
        command: String,
        /// Only these events (comma-separated or repeated): request_waiting, request_approved,
        /// request_denied, request_expired, request_cancelled, request_refused, limit_50,
        /// limit_80, limit_100, refusal, allowance_paid, notifications_failing,
        /// weekly_summary [default: every event]
        #[arg(long, value_name = "EVENTS")]
        events: Vec<String>,
        /// Only this member's events [default: everyone's]
        #[arg(long, value_name = "MEMBER")]
        member: Option<String>,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// The notify commands, what each delivered and what waits, and whether they are failing
    List,
    /// Stop running a notify command (guardian PIN needed)
    Remove {
        /// Its number in `notify list`, e.g. 1 or #1
        #[arg(value_name = "ID", value_parser = number("notify command"))]
        id: i64,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Deliver what is due now, from a household file (for cron or a systemd timer; the
    /// household service delivers by itself)
    Run {
        /// Seconds a command may run before it counts as failed [default: 30]
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum HouseholdCommand {
    /// Currency, time zone, today's date, how this command reached the household, and the
    /// household's settings
    Show,
    /// Whether a guardian may approve at another member's keyboard by typing their PIN there
    /// (guardian PIN needed). Off by default: through the household service a guardian's
    /// PIN works only from their own OS account
    ApproveInPerson {
        /// on or off
        #[arg(value_name = "ON_OFF", value_parser = words::<Switch>("setting"))]
        setting: Switch,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
}

/// Which transactions: shared by `history` and `export`.
#[derive(Debug, Clone, ClapArgs)]
pub struct LedgerFilterArgs {
    /// Transactions of this member
    #[arg(long, value_name = "MEMBER")]
    pub member: Option<String>,
    /// Gifts to, or cash-outs by, this creator
    #[arg(long, value_name = "CREATOR")]
    pub creator: Option<String>,
    /// Only this kind of transaction
    #[arg(long, value_name = "KIND", value_parser = words::<KindArg>("kind"))]
    pub kind: Option<KindArg>,
    /// First day, YYYY-MM-DD (household calendar)
    #[arg(long, value_name = "DAY")]
    pub since: Option<String>,
    /// Last day, YYYY-MM-DD (household calendar)
    #[arg(long, value_name = "DAY")]
    pub until: Option<String>,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct ReportArgs {
    /// Only this member
    #[arg(long, value_name = "MEMBER")]
    pub member: Option<String>,
    /// The kind of period (household calendar) [default: month, or what --at names]
    #[arg(long, value_name = "PERIOD", value_parser = words::<PeriodArg>("period"))]
    pub period: Option<PeriodArg>,
    /// The period holding this day: YYYY-MM-DD, a month YYYY-MM, or an ISO week YYYY-Www
    /// (e.g. 2026-W10)
    #[arg(long, value_name = "WHEN", conflicts_with_all = ["from", "to"])]
    pub at: Option<String>,
    /// First day of a span of days, YYYY-MM-DD (with --to)
    #[arg(long, value_name = "DAY", requires = "to", conflicts_with = "period")]
    pub from: Option<String>,
    /// Last day of a span of days, YYYY-MM-DD (with --from)
    #[arg(long, value_name = "DAY", requires = "from", conflicts_with = "period")]
    pub to: Option<String>,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub filter: LedgerFilterArgs,
    /// Rows per page (at most 500)
    #[arg(long, default_value = "50", value_name = "ROWS")]
    pub limit: String,
    /// Continue after this page marker (printed at the end of a page)
    #[arg(long, value_name = "MARK")]
    pub after: Option<String>,
}

/// An export holds every transaction the filters select (no pages: use
/// --since/--until to cut it).
#[derive(Debug, Clone, ClapArgs)]
pub struct ExportArgs {
    /// What to write
    #[arg(long, value_name = "FORMAT", value_parser = words::<FormatArg>("format"))]
    pub format: FormatArg,
    /// Write to this new file (never overwritten; readable by you only) instead of standard
    /// output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub filter: LedgerFilterArgs,
}

/// The filters both logs take.
#[derive(Debug, Clone, ClapArgs)]
pub struct LogFilterArgs {
    /// First day, YYYY-MM-DD (household calendar)
    #[arg(long, value_name = "DAY")]
    pub since: Option<String>,
    /// Last day, YYYY-MM-DD (household calendar)
    #[arg(long, value_name = "DAY")]
    pub until: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Every allow, needs-approval and refusal, with reasons
    Decisions {
        /// Decisions about this member
        #[arg(long, value_name = "MEMBER")]
        member: Option<String>,
        /// Only decisions with this outcome
        #[arg(long, value_name = "OUTCOME", value_parser = words::<OutcomeArg>("outcome"))]
        outcome: Option<OutcomeArg>,
        #[command(flatten)]
        days: LogFilterArgs,
    },
    /// Every guardian action and PIN attempt, with before and after
    Guardian {
        /// Actions by this guardian
        #[arg(long, value_name = "MEMBER")]
        member: Option<String>,
        /// In words or as the code, e.g. "limit set" or limit_set, "wrong PIN" or
        /// pin_failed, "request approved"
        #[arg(long, value_name = "ACTION")]
        action: Option<String>,
        #[command(flatten)]
        days: LogFilterArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// List requests, newest first
    List {
        /// Only requests in this state
        #[arg(long, value_name = "STATUS", value_parser = words::<StatusArg>("status"))]
        status: Option<StatusArg>,
        /// Only this member's requests
        #[arg(long, value_name = "MEMBER")]
        member: Option<String>,
    },
    /// Approve a pending request (guardian PIN needed, for this one approval)
    Approve {
        /// The request number, e.g. 12 or #12
        #[arg(value_name = "ID", value_parser = number("request"))]
        id: i64,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Deny a pending request with a reason the member will see (guardian PIN needed)
    Deny {
        /// The request number, e.g. 12 or #12
        #[arg(value_name = "ID", value_parser = number("request"))]
        id: i64,
        /// Why: the member sees it
        #[arg(long, value_name = "TEXT")]
        reason: String,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Withdraw your own pending request
    Cancel {
        /// The request number, e.g. 12 or #12
        #[arg(value_name = "ID", value_parser = number("request"))]
        id: i64,
        #[command(flatten)]
        member: MemberPinArgs,
    },
    /// Ask again for what a denied, expired or cancelled request asked
    Again {
        /// The request number, e.g. 12 or #12
        #[arg(value_name = "ID", value_parser = number("request"))]
        id: i64,
        /// A note for the guardian
        #[arg(long, default_value = "", value_name = "TEXT")]
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
        /// The alert number, e.g. 4 or #4
        #[arg(required_unless_present = "all", value_name = "ID", value_parser = number("alert"))]
        id: Option<i64>,
        /// Acknowledge every open alert
        #[arg(long, conflicts_with = "id")]
        all: bool,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a member (guardian PIN needed). A new guardian chooses their PIN now;
    /// adults and creators are asked for one (Enter to skip). With --pin-stdin,
    /// the first line is your PIN and the second the new member's
    Add {
        /// The new member's name (up to 64 characters)
        #[arg(value_name = "NAME")]
        name: String,
        /// What the member is in the household
        #[arg(long, value_name = "ROLE", value_parser = words::<RoleArg>("role"))]
        role: RoleArg,
        /// YYYY-MM-DD; needed for teens and creators (age rules depend on it)
        #[arg(long, value_name = "DAY")]
        birthdate: Option<String>,
        /// Add an adult or creator without asking for their PIN (anyone who may act as any
        /// member can then act as them; set one later with `member pin`)
        #[arg(long)]
        no_pin: bool,
        /// Use a new PIN of digits only or a common one anyway
        #[arg(long)]
        accept_weak_pin: bool,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// List members with their coins, diamonds, what they are worth, and their OS accounts
    List,
    /// Set or change a member's PIN (guardian PIN needed first, then the new one)
    Pin {
        /// Whose PIN
        #[arg(value_name = "NAME")]
        name: String,
        /// Use a new PIN of digits only or a common one anyway
        #[arg(long)]
        accept_weak_pin: bool,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Let an OS account act as this member through the household service (guardian PIN
    /// needed)
    Link {
        /// The member
        #[arg(value_name = "NAME")]
        name: String,
        /// The OS account (login name) that acts as them
        #[arg(long, value_name = "USER")]
        os_user: String,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Stop an OS account acting as this member (guardian PIN needed)
    Unlink {
        /// The member
        #[arg(value_name = "NAME")]
        name: String,
        /// The OS account (login name) to unlink
        #[arg(long, value_name = "USER")]
        os_user: String,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
}

/// Which limit: its scope and window.
#[derive(Debug, Clone, ClapArgs)]
pub struct LimitKey {
    /// What the limit counts; its amounts are money for purchase and all, coins for gift
    #[arg(long, value_name = "SCOPE", value_parser = words::<ScopeArg>("scope"))]
    pub scope: ScopeArg,
    /// Over which stretch of time the limit counts
    #[arg(long, value_name = "WINDOW", value_parser = words::<WindowArg>("window"))]
    pub window: WindowArg,
}

#[derive(Debug, Subcommand)]
pub enum LimitCommand {
    /// Set a limit (guardian PIN needed). Amounts are money for purchase and all, coins for gift
    Set {
        /// Whose limit
        #[arg(value_name = "MEMBER")]
        member: String,
        #[command(flatten)]
        which: LimitKey,
        /// Above this, a guardian must approve
        #[arg(long, allow_negative_numbers = true, value_name = "AMOUNT")]
        soft: Option<String>,
        /// Above this, refused
        #[arg(long, allow_negative_numbers = true, value_name = "AMOUNT")]
        hard: Option<String>,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// List a member's limits with what is used and what remains
    List {
        /// Whose limits
        #[arg(value_name = "MEMBER")]
        member: String,
    },
    /// Remove a limit (guardian PIN needed)
    Remove {
        /// Whose limit
        #[arg(value_name = "MEMBER")]
        member: String,
        #[command(flatten)]
        which: LimitKey,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum RuleCommand {
    /// Set or clear a member's quiet hours (guardian PIN needed)
    QuietHours {
        /// Whose quiet hours
        #[arg(value_name = "MEMBER")]
        member: String,
        /// Start, HH:MM household time
        #[arg(long, required_unless_present = "off", value_name = "HH:MM")]
        from: Option<String>,
        /// End, HH:MM household time (may be the next morning)
        #[arg(long, required_unless_present = "off", value_name = "HH:MM")]
        to: Option<String>,
        /// What happens inside them
        #[arg(long, default_value = "deny", value_name = "ACTION",
              value_parser = words::<QuietActionArg>("action"))]
        action: QuietActionArg,
        /// Remove the quiet hours
        #[arg(long, conflicts_with_all = ["from", "to"])]
        off: bool,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Allow, block or clear a creator for a member (guardian PIN needed)
    Creator {
        /// Whose list
        #[arg(value_name = "MEMBER")]
        member: String,
        /// The creator
        #[arg(value_name = "CREATOR")]
        creator: String,
        /// Gifts to this creator need no approval
        #[arg(long, group = "list")]
        allow: bool,
        /// Gifts to this creator are refused
        #[arg(long, group = "list")]
        block: bool,
        /// Take the creator off the member's lists (unknown creators' rule applies)
        #[arg(long, group = "list")]
        clear: bool,
        #[command(flatten)]
        guardian: GuardianArgs,
    },
    /// Show a member's age rules, quiet hours (in the household's time zone) and creator lists
    List {
        /// Whose rules
        #[arg(value_name = "MEMBER")]
        member: String,
    },
}

#[derive(Debug, Clone, ClapArgs)]
pub struct BuyArgs {
    /// Who buys
    #[arg(value_name = "MEMBER")]
    pub member: String,
    /// A pack id from `coinguard catalog`, e.g. coins-350
    #[arg(
        required_unless_present = "coins",
        conflicts_with = "coins",
        value_name = "PACK"
    )]
    pub pack: Option<String>,
    /// Buy exactly this many coins at the best pack rate instead of a pack
    #[arg(long, allow_negative_numbers = true, value_name = "COINS")]
    pub coins: Option<String>,
    #[command(flatten)]
    pub key: KeyArgs,
    #[command(flatten)]
    pub member_pin: MemberPinArgs,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct GiftArgs {
    /// Who sends the gifts
    #[arg(value_name = "MEMBER")]
    pub member: String,
    /// The creator who receives them
    #[arg(value_name = "CREATOR")]
    pub creator: String,
    /// A gift id or name from `coinguard catalog`, e.g. rose
    #[arg(value_name = "GIFT")]
    pub gift: String,
    /// How many of the gift
    #[arg(
        long,
        default_value = "1",
        allow_negative_numbers = true,
        value_name = "N"
    )]
    pub count: String,
    #[command(flatten)]
    pub key: KeyArgs,
    #[command(flatten)]
    pub member_pin: MemberPinArgs,
}

#[derive(Debug, Clone, ClapArgs)]
pub struct RedeemArgs {
    /// The creator cashing out
    #[arg(value_name = "CREATOR")]
    pub creator: String,
    /// How many diamonds
    #[arg(allow_negative_numbers = true, value_name = "DIAMONDS")]
    pub diamonds: String,
    #[command(flatten)]
    pub key: KeyArgs,
    #[command(flatten)]
    pub member_pin: MemberPinArgs,
}

#[derive(Debug, Subcommand)]
pub enum PreviewCommand {
    /// What buying would do
    Buy(BuyArgs),
    /// What sending gifts would do
    Gift(GiftArgs),
    /// What cashing out would do
    Redeem(RedeemArgs),
}

/// A failure, with the exit code its kind gives.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// What the household answered (or the client, for a service it cannot reach).
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    BadInput(String),
    /// Options that do not go together.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Other(String),
    /// Standard output was closed by its reader (`| head -1`): the command
    /// ends quietly, as other Unix tools do.
    #[error("standard output was closed")]
    OutputClosed,
}

/// Errors of the library's own types (met by `init` and `demo`, which
/// create a file) take the kind their type gives, as the API's do.
macro_rules! through_api {
    ($($t:ty),*) => {$(
        impl From<$t> for CliError {
            fn from(e: $t) -> CliError {
                CliError::Api(ApiError::from(e))
            }
        }
    )*};
}
through_api!(
    crate::services::ServiceError,
    crate::config::ConfigError,
    crate::domain::DomainError,
    crate::money::MoneyError,
    crate::auth::AuthError
);

impl CliError {
    /// What kind of failure this is: decides both the exit code and the
    /// `kind` of the JSON error document.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CliError::Api(e) => e.kind,
            CliError::BadInput(_) => ErrorKind::BadInput,
            CliError::Usage(_) => ErrorKind::Usage,
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

/// The JSON error document: `{"outcome": "error", "error": {"kind", "message"}}`.
#[derive(serde::Serialize)]
struct ErrorDocument {
    outcome: &'static str,
    error: ApiError,
}

fn print_error_document(kind: ErrorKind, message: String) {
    // Nothing more to do if standard output is gone too.
    let _ = output::json(&ErrorDocument {
        outcome: "error",
        error: ApiError { kind, message },
    });
}

/// Tells the person (on standard error) why a command failed; with
/// `--json`, also as one JSON document on standard output.
pub fn report_error(args: &Args, error: &CliError) {
    let message = error.to_string();
    output::note(format_args!("coinguard: {}", output::clean(&message)));
    if args.json {
        print_error_document(error.kind(), message);
    }
}

/// Arguments clap could not make sense of (exit 2), or a request for help
/// or the version (exit 0). With `--json` anywhere on the line, a usage
/// error is also reported as the JSON error document, whole (a value that
/// is not one of the choices is bad input; anything else is usage).
pub fn usage_failed(error: clap::Error) -> u8 {
    let _ = error.print();
    if error.exit_code() == 0 {
        return EXIT_OK; // --help or --version
    }
    if std::env::args_os().any(|a| a == "--json") {
        use clap::error::ErrorKind as Clap;
        let kind = match error.kind() {
            Clap::InvalidValue | Clap::ValueValidation => ErrorKind::BadInput,
            _ => ErrorKind::Usage,
        };
        print_error_document(kind, usage_message(&error.render().to_string()));
    }
    EXIT_BAD_INPUT
}

/// clap's message without its usage lines: every line up to "Usage:",
/// joined ("the following required arguments were not provided: <PACK|--coins <COINS>>").
fn usage_message(rendered: &str) -> String {
    rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches("error: ")
        .to_string()
}

/// Who the guardian is for this action, and their PIN for it. The prompt
/// names them ("PIN for Maria: "): the one named with `--as`, or the one
/// guardian this account may act as.
pub(crate) fn guardian_auth(
    h: &mut Household<'_>,
    guardian: &GuardianArgs,
) -> Result<GuardianAuth, CliError> {
    let pin = if guardian.pin_stdin {
        pin::from_stdin()?
    } else {
        pin::need_terminal("a guardian PIN is needed")?;
        let name = match &guardian.as_guardian {
            Some(name) => Some(name.trim().to_string()),
            None => {
                let me: Me = h.ask(Call::WhoAmI)?;
                let mut guardians = me
                    .members
                    .into_iter()
                    .filter(|m| m.role == crate::domain::Role::Guardian);
                match (guardians.next(), guardians.next()) {
                    (Some(only), None) => Some(only.name),
                    _ => None,
                }
            }
        };
        let prompt = match name {
            Some(name) => format!("PIN for {}: ", output::clean(&name)),
            None => "Guardian PIN: ".to_string(),
        };
        pin::prompt(&prompt)?
    };
    Ok(GuardianAuth {
        guardian: guardian.as_guardian.clone(),
        pin,
    })
}

/// A member's own PIN, asked only when they have one (the household says
/// who has one). `None` when they have none, or when this account cannot
/// see them (the household then answers why).
pub(crate) fn member_pin(
    h: &mut Household<'_>,
    member: &str,
    args: &MemberPinArgs,
) -> Result<Option<String>, CliError> {
    let me: Me = h.ask(Call::WhoAmI)?;
    let wanted = crate::domain::Name::parse(member)
        .map(|n| n.to_string())
        .unwrap_or_else(|_| member.trim().to_string());
    let Some(found) = me.members.into_iter().find(|m| m.name == wanted) else {
        return Ok(None);
    };
    if !found.has_pin {
        return Ok(None);
    }
    let pin = if args.pin_stdin {
        pin::from_stdin()?
    } else {
        pin::need_terminal(&format!(
            "{}'s own PIN is needed",
            output::clean(&found.name)
        ))?;
        pin::prompt(&format!("PIN for {}: ", output::clean(&found.name)))?
    };
    Ok(Some(pin))
}

/// Runs a parsed command; returns the exit code.
pub fn run(args: &Args, clock: &dyn Clock) -> Result<u8, CliError> {
    let Some(command) = &args.command else {
        return open_tui(args, clock);
    };
    match command {
        Command::Init {
            guardian,
            currency,
            timezone,
            pin_stdin,
            accept_weak_pin,
            config,
        } => household::init(
            args,
            clock,
            &household::InitOptions {
                guardian,
                currency: currency.as_deref(),
                timezone: timezone.as_deref(),
                pin_stdin: *pin_stdin,
                accept_weak_pin: *accept_weak_pin,
                config: config.as_deref(),
            },
        ),
        Command::Demo { no_tui, config } => household::demo(args, clock, *no_tui, config),
        // The service is the household's own side of the socket: it opens
        // the file (--db) and listens (--socket), both at once.
        Command::Serve {
            check,
            max_connections,
            message_deadline,
        } => household::serve(
            args,
            clock,
            *check,
            *max_connections,
            std::time::Duration::from_secs((*message_deadline).clamp(1, 600)),
        ),
        other => {
            let mut h = place::connect(args, clock)?;
            let done = dispatch(args, &mut h, other);
            // On stderr, so `--json` stays one document: after the answer,
            // or before the error when the command failed.
            if let Some(why) = h.unpaid() {
                output::note(format_args!("coinguard: warning: {}", output::clean(&why)));
            }
            done
        }
    }
}

/// The commands that ask a household (every one but `init` and `demo`).
fn dispatch(args: &Args, h: &mut Household<'_>, command: &Command) -> Result<u8, CliError> {
    match command {
        Command::Init { .. } | Command::Demo { .. } | Command::Serve { .. } => {
            Err(CliError::Other(
                "init, demo and serve work on a file, not on a household already open".into(),
            ))
        }
        Command::Household(cmd) => household::household(args, h, cmd),
        Command::Catalog => household::catalog(args, h),
        Command::Verify(verify) => household::verify(args, h, verify),
        Command::Member(cmd) => household::member(args, h, cmd),
        Command::Limit(cmd) => policy::limit(args, h, cmd),
        Command::Rule(cmd) => policy::rule(args, h, cmd),
        Command::Buy(buy) => spending::buy(args, h, buy, false),
        Command::Gift(gift) => spending::gift(args, h, gift, false),
        Command::Redeem(redeem) => spending::redeem(args, h, redeem, false),
        Command::Preview(PreviewCommand::Buy(buy)) => spending::buy(args, h, buy, true),
        Command::Preview(PreviewCommand::Gift(gift)) => spending::gift(args, h, gift, true),
        Command::Preview(PreviewCommand::Redeem(redeem)) => spending::redeem(args, h, redeem, true),
        Command::Request(cmd) => requests::request(args, h, cmd),
        Command::Grant {
            member,
            coins,
            memo,
            key,
            guardian,
        } => requests::grant(args, h, member, coins, memo, key, guardian),
        Command::Reverse {
            tx,
            reason,
            key,
            guardian,
        } => requests::reverse(args, h, *tx, reason, key, guardian),
        Command::Alert(cmd) => requests::alert(args, h, cmd),
        Command::History(history) => audit::history(args, h, history),
        Command::Report(report) => audit::report(args, h, report),
        Command::Log(cmd) => audit::log(args, h, cmd),
        Command::Export(export) => audit::export(args, h, export),
        Command::Notify(cmd) => notify::notify(args, h, cmd),
        Command::Allowance(cmd) => allowance::allowance(args, h, cmd),
    }
}

/// The terminal interface, on the household where the commands would go:
/// the household service's socket, or the file opened here.
fn open_tui(args: &Args, clock: &dyn Clock) -> Result<u8, CliError> {
    crate::tui::ensure_terminal().map_err(|e| CliError::BadInput(e.to_string()))?;
    let household = match place::place(args)? {
        place::Place::File(path) => Household::open(&path, clock)?,
        place::Place::Service(socket) => Household::connect(&socket)?,
    };
    crate::tui::run(household).map_err(|e| match e {
        crate::tui::TuiError::Service(e) => CliError::Api(e),
        crate::tui::TuiError::NotATerminal => CliError::BadInput(e.to_string()),
        other => CliError::Other(other.to_string()),
    })?;
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// One table: a failure of each kind, and the exit code SPEC section 7
    /// gives it. The code comes from the kind alone.
    #[test]
    fn each_error_exits_with_the_code_its_kind_gives() {
        let api = |kind| CliError::Api(ApiError::new(kind, "x"));
        let cases: Vec<(CliError, u8, &str)> = vec![
            (api(ErrorKind::Conflict), 2, "conflict"),
            (api(ErrorKind::Auth), 5, "auth"),
            (api(ErrorKind::Household), 2, "household"),
            (api(ErrorKind::NotFound), 2, "not_found"),
            (api(ErrorKind::Forbidden), 2, "forbidden"),
            (api(ErrorKind::Unavailable), 6, "unavailable"),
            (api(ErrorKind::Other), 1, "other"),
            (CliError::BadInput("no".into()), 2, "bad_input"),
            (CliError::Usage("no".into()), 2, "usage"),
            (CliError::Other("no".into()), 1, "other"),
            (CliError::OutputClosed, 0, "other"),
            (
                crate::auth::AuthError::WrongPin {
                    name: "Maria".into(),
                    tries_left: 1,
                }
                .into(),
                5,
                "auth",
            ),
        ];
        for (error, code, kind) in cases {
            assert_eq!(
                (error.exit_code(), error.kind().as_str()),
                (code, kind),
                "{error}"
            );
        }
    }

    /// Every argument and option of every command says what it is for.
    #[test]
    fn every_argument_has_a_help_line() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            if cmd.get_about().is_none() && !path.is_empty() {
                missing.push(format!("{path} (the command)"));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() == "help" {
                    continue;
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Args::command(), "", &mut missing);
        assert!(missing.is_empty(), "no help for: {missing:?}");
        Args::command().debug_assert();
    }

    #[test]
    fn config_belongs_to_init_and_demo_only() {
        let root = Args::command();
        let with_config: Vec<&str> = root
            .get_subcommands()
            .filter(|c| c.get_arguments().any(|a| a.get_id() == "config"))
            .map(|c| c.get_name())
            .collect();
        assert_eq!(with_config, ["init", "demo"]);
        assert!(!root.get_arguments().any(|a| a.get_id() == "config"));
    }

    #[test]
    fn a_usage_message_keeps_what_is_missing() {
        let rendered = "error: the following required arguments were not provided:\n  <PACK|--coins <COINS>>\n\nUsage: coinguard buy <MEMBER> <PACK|--coins <COINS>>\n\nFor more information, try '--help'.\n";
        assert_eq!(
            usage_message(rendered),
            "the following required arguments were not provided: <PACK|--coins <COINS>>"
        );
    }
}
