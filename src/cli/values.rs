//! The words the command line takes for a fixed set of choices (roles,
//! scopes, windows, statuses, outcomes, kinds, formats, periods) and for
//! numbers that name something (request, transaction and alert numbers).
//!
//! Each choice is a clap value enum, so `--help` lists the choices, and one
//! parser reads them the way people type them: any case, with the aliases
//! people use ("refused" for deny), and anything else is refused with a
//! sentence naming the choices (`scope "fun" is not one of purchase, gift,
//! all`). The enums are the command line's own and turn into the domain's;
//! nothing below the command line knows clap.

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Arg, Command, ValueEnum};

use crate::domain::{CreatorList, Kind, Outcome, RequestStatus, Role, Scope, Window};
use crate::report::{Format, Period};

/// Reads a value enum from what was typed: a name or an alias, any case.
#[derive(Clone)]
pub struct Words<E> {
    /// What the value is, for the message: "scope", "window".
    what: &'static str,
    choices: PhantomData<E>,
}

/// The parser for a value enum `E`, naming the value `what` in messages.
pub fn words<E>(what: &'static str) -> Words<E> {
    Words {
        what,
        choices: PhantomData,
    }
}

fn invalid(cmd: &Command, message: String) -> clap::Error {
    clap::Error::raw(clap::error::ErrorKind::InvalidValue, format!("{message}\n")).with_cmd(cmd)
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for Words<E> {
    type Value = E;

    fn parse_ref(
        &self,
        cmd: &Command,
        _arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<E, clap::Error> {
        let typed = value.to_string_lossy();
        let wanted = typed.trim();
        E::value_variants()
            .iter()
            .find(|v| {
                v.to_possible_value()
                    .is_some_and(|p| p.matches(wanted, true))
            })
            .cloned()
            .ok_or_else(|| {
                let names: Vec<String> = E::value_variants()
                    .iter()
                    .filter_map(ValueEnum::to_possible_value)
                    .map(|p| p.get_name().to_string())
                    .collect();
                invalid(
                    cmd,
                    format!(
                        "{} \"{typed}\" is not one of {}",
                        self.what,
                        names.join(", ")
                    ),
                )
            })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            E::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// Reads the number of something that has one (`12` or `#12`): a request,
/// a transaction, an alert.
#[derive(Clone, Copy)]
pub struct Number {
    /// "request", "transaction", "alert".
    what: &'static str,
}

pub fn number(what: &'static str) -> Number {
    Number { what }
}

impl Number {
    /// The number in `text`, or a sentence saying what a number looks like.
    pub fn read(&self, text: &str) -> Result<i64, String> {
        let what = self.what;
        let digits = text.trim().trim_start_matches('#');
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "\"{text}\" is not a {what} number; type its digits, like 12"
            ));
        }
        match digits.parse::<i64>() {
            Ok(0) => Err(format!("{what} numbers start at 1")),
            Ok(n) => Ok(n),
            Err(_) => Err(format!("\"{text}\" is too large for a {what} number")),
        }
    }
}

impl TypedValueParser for Number {
    type Value = i64;

    fn parse_ref(
        &self,
        cmd: &Command,
        _arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<i64, clap::Error> {
        self.read(&value.to_string_lossy())
            .map_err(|message| invalid(cmd, message))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Guardian,
    Teen,
    Creator,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Guardian => Role::Guardian,
            RoleArg::Teen => Role::Teen,
            RoleArg::Creator => Role::Creator,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    /// Money paid for coins
    Purchase,
    /// Coins given as gifts
    Gift,
    /// All spending, in money, counted once: money paid for coins, plus granted coins' value
    /// when gifted
    All,
}

impl From<ScopeArg> for Scope {
    fn from(s: ScopeArg) -> Scope {
        match s {
            ScopeArg::Purchase => Scope::Purchase,
            ScopeArg::Gift => Scope::Gift,
            ScopeArg::All => Scope::All,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WindowArg {
    /// Each purchase or gift on its own
    Transaction,
    /// The household's calendar day
    Day,
    /// The household's ISO week, Monday to Sunday
    Week,
    /// The household's calendar month
    Month,
    /// The last 24 hours, rolling
    #[value(name = "24h")]
    Rolling24h,
    /// The last 7 days, rolling
    #[value(name = "7d")]
    Rolling7d,
    /// The last 30 days, rolling
    #[value(name = "30d")]
    Rolling30d,
}

impl From<WindowArg> for Window {
    fn from(w: WindowArg) -> Window {
        match w {
            WindowArg::Transaction => Window::Transaction,
            WindowArg::Day => Window::Day,
            WindowArg::Week => Window::Week,
            WindowArg::Month => Window::Month,
            WindowArg::Rolling24h => Window::Rolling24h,
            WindowArg::Rolling7d => Window::Rolling7d,
            WindowArg::Rolling30d => Window::Rolling30d,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Pending,
    Approved,
    Denied,
    Expired,
    Cancelled,
    /// Approved by a guardian, then refused by the guard's rules
    Refused,
}

impl From<StatusArg> for RequestStatus {
    fn from(s: StatusArg) -> RequestStatus {
        match s {
            StatusArg::Pending => RequestStatus::Pending,
            StatusArg::Approved => RequestStatus::Approved,
            StatusArg::Denied => RequestStatus::Denied,
            StatusArg::Expired => RequestStatus::Expired,
            StatusArg::Cancelled => RequestStatus::Cancelled,
            StatusArg::Refused => RequestStatus::Refused,
        }
    }
}

/// A decision's outcome, in the words the decision log, the terminal
/// interface and people use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    /// Went through (also: allowed)
    #[value(alias = "allowed")]
    Allow,
    /// A guardian had to approve (also: approval, needs_approval)
    #[value(aliases = ["needs_approval", "approval", "needs-a-guardian"])]
    NeedsApproval,
    /// Refused (also: refused, denied)
    #[value(aliases = ["refused", "denied", "refuse"])]
    Deny,
}

impl From<OutcomeArg> for Outcome {
    fn from(o: OutcomeArg) -> Outcome {
        match o {
            OutcomeArg::Allow => Outcome::Allow,
            OutcomeArg::NeedsApproval => Outcome::NeedsApproval,
            OutcomeArg::Deny => Outcome::Deny,
        }
    }
}

/// What happens inside quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QuietActionArg {
    /// Refused
    Deny,
    /// A guardian must approve (also: needs_approval, approval)
    #[value(aliases = ["needs_approval", "approval"])]
    NeedsApproval,
}

impl From<QuietActionArg> for Outcome {
    fn from(a: QuietActionArg) -> Outcome {
        match a {
            QuietActionArg::Deny => Outcome::Deny,
            QuietActionArg::NeedsApproval => Outcome::NeedsApproval,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Purchase,
    Gift,
    Redeem,
    Grant,
    Reversal,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Purchase => Kind::Purchase,
            KindArg::Gift => Kind::Gift,
            KindArg::Redeem => Kind::Redeem,
            KindArg::Grant => Kind::Grant,
            KindArg::Reversal => Kind::Reversal,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// RFC 4180, one row per transaction
    Csv,
    /// One document, money as exact decimal strings
    Json,
    /// An hledger journal (also: journal)
    #[value(alias = "journal")]
    Hledger,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Hledger => Format::Hledger,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
}

impl From<PeriodArg> for Period {
    fn from(p: PeriodArg) -> Period {
        match p {
            PeriodArg::Day => Period::Day,
            PeriodArg::Week => Period::Week,
            PeriodArg::Month => Period::Month,
        }
    }
}

/// A setting turned on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// A creator's place on a member's list, as `rule creator` sets it.
pub fn creator_list(allow: bool, block: bool) -> Option<CreatorList> {
    match (allow, block) {
        (true, _) => Some(CreatorList::Allow),
        (_, true) => Some(CreatorList::Block),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<E: ValueEnum + Clone + Send + Sync + 'static>(
        what: &'static str,
        typed: &str,
    ) -> Result<E, String> {
        words::<E>(what)
            .parse_ref(&Command::new("t"), None, OsStr::new(typed))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn outcomes_take_the_words_people_use_and_refuse_the_rest() {
        let cases = [
            ("allow", Outcome::Allow),
            ("allowed", Outcome::Allow),
            ("approval", Outcome::NeedsApproval),
            ("needs-approval", Outcome::NeedsApproval),
            ("needs_approval", Outcome::NeedsApproval),
            ("refused", Outcome::Deny),
            ("denied", Outcome::Deny),
            ("deny", Outcome::Deny),
            ("DENY", Outcome::Deny),
            (" Refused ", Outcome::Deny),
        ];
        for (typed, outcome) in cases {
            assert_eq!(
                read::<OutcomeArg>("outcome", typed).map(Outcome::from),
                Ok(outcome),
                "{typed}"
            );
        }
        let bogus = read::<OutcomeArg>("outcome", "bogus").unwrap_err();
        assert!(
            bogus.contains("outcome \"bogus\" is not one of allow, needs-approval, deny"),
            "{bogus}"
        );
    }

    #[test]
    fn the_choices_are_named_when_a_word_is_not_one() {
        let cases = [
            (
                read::<ScopeArg>("scope", "fun").unwrap_err(),
                "scope \"fun\" is not one of purchase, gift, all",
            ),
            (
                read::<WindowArg>("window", "fortnight").unwrap_err(),
                "window \"fortnight\" is not one of transaction, day, week, month, 24h, 7d, 30d",
            ),
            (
                read::<StatusArg>("status", "open").unwrap_err(),
                "status \"open\" is not one of pending, approved, denied, expired, cancelled, refused",
            ),
        ];
        for (message, expected) in cases {
            assert!(message.contains(expected), "{message}");
        }
        assert_eq!(
            read::<WindowArg>("window", "24H").map(Window::from),
            Ok(Window::Rolling24h)
        );
        assert_eq!(
            read::<FormatArg>("format", "journal").map(Format::from),
            Ok(Format::Hledger)
        );
    }

    #[test]
    fn numbers_of_things_are_digits_with_an_optional_hash() {
        let request = number("request");
        assert_eq!(request.read("12"), Ok(12));
        assert_eq!(request.read("#12"), Ok(12));
        assert_eq!(
            request.read("twelve"),
            Err("\"twelve\" is not a request number; type its digits, like 12".into())
        );
        assert_eq!(
            request.read("-3"),
            Err("\"-3\" is not a request number; type its digits, like 12".into())
        );
        assert_eq!(request.read("0"), Err("request numbers start at 1".into()));
        assert_eq!(
            request.read("99999999999999999999"),
            Err("\"99999999999999999999\" is too large for a request number".into())
        );
    }
}
