//! The `/` filter: a few words typed by a person, read as a member's name, a
//! kind of transaction, a decision's outcome, or a day or month, each only
//! where it can filter (see `Place`). Pure: it only knows the names it is
//! given.

use chrono::NaiveDate;

use crate::domain::Kind;

/// What a decision came to: the guard's own [`crate::domain::Outcome`].
pub use crate::domain::Outcome;

/// An applied filter. `text` is what was typed, shown back in titles.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub text: String,
    /// A member, by name as the household spells it.
    pub member: Option<String>,
    /// Gifts to this creator (a creator's name on a member's own history).
    pub creator: Option<String>,
    pub kind: Option<Kind>,
    pub outcome: Option<Outcome>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Where a filter is typed. Each place takes only the words it can apply,
/// so a word accepted always filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A member's own history: a creator's name (gifts to them), a kind, a date.
    OwnHistory,
    /// The guardian's ledger: a member's name, a kind, a date.
    Ledger,
    /// The guard's decisions: a member's name, an outcome, a date.
    Decisions,
    /// The guardian-action log: who acted, a date.
    Actions,
    /// The open alerts: whose, a date.
    Alerts,
}

const KINDS: &str = "a kind (purchase, gift, redeem, grant, reversal)";
const OUTCOMES: &str = "an outcome (refused, approval, allowed)";
const DATES: &str = "a date (2026-03 or 2026-03-14)";

impl Place {
    /// The words this place takes, for the help and the error message.
    pub fn words(&self) -> String {
        match self {
            Place::OwnHistory => format!("a creator's name (gifts to them), {KINDS} or {DATES}"),
            Place::Ledger => format!("a name, {KINDS} or {DATES}"),
            Place::Decisions => format!("a name, {OUTCOMES} or {DATES}"),
            Place::Actions => format!("the name of who acted or {DATES}"),
            Place::Alerts => format!("a name or {DATES}"),
        }
    }

    fn takes_kinds(&self) -> bool {
        matches!(self, Place::OwnHistory | Place::Ledger)
    }

    /// Why an outcome word does not apply here (None: it does).
    fn no_outcomes(&self) -> Option<&'static str> {
        match self {
            Place::Decisions => None,
            Place::OwnHistory => Some(
                "history lists only what went through; what was refused or is waiting is on Requests",
            ),
            Place::Ledger => Some(
                "the ledger lists only what went through; refused and asked-for attempts are in Guard decisions (→)",
            ),
            Place::Actions | Place::Alerts => Some("only guard decisions have an outcome (←/→)"),
        }
    }

    fn no_kinds(&self) -> &'static str {
        match self {
            Place::Decisions => "guard decisions filter by name, outcome and date",
            _ => "this log has no kinds of transaction",
        }
    }
}

fn month(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (y, m) = text.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    Some((first, next.pred_opt()?))
}

fn outcome(word: &str) -> Option<Outcome> {
    match word {
        "allowed" | "allow" | "ok" => Some(Outcome::Allow),
        "approval" | "needs_approval" | "asked" => Some(Outcome::NeedsApproval),
        "refused" | "deny" | "denied" => Some(Outcome::Deny),
        _ => None,
    }
}

/// Reads `text` typed at `place` against the `names` it may name (members,
/// or on a member's own history the creators). Each word must mean
/// something there; otherwise the error names the word, says why, and
/// nothing is applied.
pub fn parse(text: &str, place: Place, names: &[&str]) -> Result<Filter, String> {
    let mut filter = Filter {
        text: text.trim().to_string(),
        ..Filter::default()
    };
    let mut rest = format!(" {} ", text.trim().to_lowercase());
    // Names first, longest first, so "Ana Lee" wins over "Ana".
    let mut by_length: Vec<&str> = names.to_vec();
    by_length.sort_by_key(|name| std::cmp::Reverse(name.chars().count()));
    let mut named: Option<String> = None;
    for name in by_length {
        let needle = format!(" {} ", name.to_lowercase());
        if let Some(at) = rest.find(&needle) {
            if named.as_deref().is_some_and(|m| m != name) {
                return Err("one name at a time, please".into());
            }
            named = Some(name.to_string());
            rest.replace_range(at..at + needle.len(), " ");
        }
    }
    if place == Place::OwnHistory {
        filter.creator = named;
    } else {
        filter.member = named;
    }
    for word in rest.split_whitespace() {
        let not_here = |why: &str| format!("\"{word}\" does not apply here: {why}");
        if let Some(kind) = Kind::parse(word).or(match word {
            "redemption" | "cash-out" => Some(Kind::Redeem),
            "purchases" => Some(Kind::Purchase),
            "gifts" => Some(Kind::Gift),
            _ => None,
        }) {
            if !place.takes_kinds() {
                return Err(not_here(place.no_kinds()));
            }
            filter.kind = Some(kind);
        } else if let Some(o) = outcome(word) {
            if let Some(why) = place.no_outcomes() {
                return Err(not_here(why));
            }
            filter.outcome = Some(o);
        } else if let Ok(day) = NaiveDate::parse_from_str(word, "%Y-%m-%d") {
            (filter.since, filter.until) = (Some(day), Some(day));
        } else if let Some((first, last)) = month(word) {
            (filter.since, filter.until) = (Some(first), Some(last));
        } else {
            return Err(format!("\"{word}\" is not {}", place.words()));
        }
    }
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBERS: [&str; 3] = ["Sam", "Ana", "Ana Lee"];

    #[test]
    fn names_kinds_outcomes_and_dates_are_read() {
        let f = parse("sam gift 2026-02", Place::Ledger, &MEMBERS).unwrap();
        assert_eq!(f.member.as_deref(), Some("Sam"));
        assert_eq!(f.kind, Some(Kind::Gift));
        assert_eq!(f.since, NaiveDate::from_ymd_opt(2026, 2, 1));
        assert_eq!(f.until, NaiveDate::from_ymd_opt(2026, 2, 28));
        assert_eq!(f.text, "sam gift 2026-02");
        let f = parse("Ana Lee refused 2026-03-14", Place::Decisions, &MEMBERS).unwrap();
        assert_eq!(f.member.as_deref(), Some("Ana Lee"), "the longer name wins");
        assert_eq!(f.outcome, Some(Outcome::Deny));
        assert_eq!(f.since, f.until);
        assert!(parse("  ", Place::Ledger, &MEMBERS).unwrap().is_empty());
    }

    #[test]
    fn a_word_that_means_nothing_is_named() {
        assert_eq!(
            parse("sam gfit", Place::Ledger, &MEMBERS),
            Err(format!("\"gfit\" is not {}", Place::Ledger.words()))
        );
        assert!(parse("2026-13", Place::Ledger, &MEMBERS).is_err());
        assert!(parse("sam ana", Place::Ledger, &MEMBERS).is_err());
        // On a member's own history, names are creators': none given, none taken.
        assert_eq!(
            parse("ana", Place::OwnHistory, &[]),
            Err(format!("\"ana\" is not {}", Place::OwnHistory.words()))
        );
    }

    /// Every word a place accepts filters there; the others are refused
    /// with the reason, never accepted and ignored.
    #[test]
    fn each_place_takes_only_the_words_it_applies() {
        // A teen's history: a creator's name means gifts to that creator.
        let f = parse("ana gift", Place::OwnHistory, &["Ana"]).unwrap();
        assert_eq!(
            (f.creator.as_deref(), f.member, f.kind),
            (Some("Ana"), None, Some(Kind::Gift))
        );
        for (place, word, why) in [
            (
                Place::OwnHistory,
                "refused",
                "what was refused or is waiting is on Requests",
            ),
            (
                Place::OwnHistory,
                "approval",
                "what was refused or is waiting is on Requests",
            ),
            (
                Place::Ledger,
                "refused",
                "refused and asked-for attempts are in Guard decisions",
            ),
            (
                Place::Ledger,
                "approval",
                "refused and asked-for attempts are in Guard decisions",
            ),
            (
                Place::Actions,
                "refused",
                "only guard decisions have an outcome",
            ),
            (
                Place::Alerts,
                "allowed",
                "only guard decisions have an outcome",
            ),
            (
                Place::Decisions,
                "gift",
                "guard decisions filter by name, outcome and date",
            ),
            (
                Place::Actions,
                "purchase",
                "this log has no kinds of transaction",
            ),
        ] {
            let err = parse(word, place, &MEMBERS).unwrap_err();
            assert!(
                err.starts_with(&format!("\"{word}\" does not apply here: ")),
                "{err}"
            );
            assert!(err.contains(why), "{place:?} {word}: {err}");
        }
        for place in [
            Place::Decisions,
            Place::Actions,
            Place::Alerts,
            Place::Ledger,
        ] {
            let f = parse("sam 2026-03", place, &MEMBERS).unwrap();
            assert_eq!(f.member.as_deref(), Some("Sam"), "{place:?}");
            assert!(f.since.is_some(), "{place:?}");
        }
    }
}
