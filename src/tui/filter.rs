//! The `/` filter: a few words typed by a person, read as a member's name, a
//! kind of transaction, a decision's outcome, or a day or month. Pure: it
//! only knows the names it is given.

use chrono::NaiveDate;

use crate::domain::MemberId;
use crate::ledger::Kind;

/// What a decision came to, as the decision log stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    NeedsApproval,
    Refused,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Allowed => "allow",
            Outcome::NeedsApproval => "needs_approval",
            Outcome::Refused => "deny",
        }
    }
}

/// An applied filter. `text` is what was typed, shown back in titles.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub text: String,
    pub member: Option<MemberId>,
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

/// The words a person may type, for the error message and the help.
pub const HINT: &str = "a name, a kind (purchase, gift, redeem, grant, reversal), refused/approval/allowed, or a date (2026-03 or 2026-03-14)";

/// The same, on a member's own screens, where there are no names to pick.
pub const OWN_HINT: &str =
    "a kind (purchase, gift, redeem, grant, reversal) or a date (2026-03 or 2026-03-14)";

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
        "allowed" | "allow" | "ok" => Some(Outcome::Allowed),
        "approval" | "needs_approval" | "asked" => Some(Outcome::NeedsApproval),
        "refused" | "deny" | "denied" => Some(Outcome::Refused),
        _ => None,
    }
}

/// Reads `text` against the `members` one may filter by (empty on a
/// member's own screens). Each word must mean something; otherwise the error
/// names the word and nothing is applied.
pub fn parse(text: &str, members: &[(MemberId, &str)]) -> Result<Filter, String> {
    let mut filter = Filter {
        text: text.trim().to_string(),
        ..Filter::default()
    };
    let mut rest = format!(" {} ", text.trim().to_lowercase());
    // Names first, longest first, so "Ana Lee" wins over "Ana".
    let mut by_length: Vec<_> = members.to_vec();
    by_length.sort_by_key(|(_, name)| std::cmp::Reverse(name.chars().count()));
    for (id, name) in by_length {
        let needle = format!(" {} ", name.to_lowercase());
        if let Some(at) = rest.find(&needle) {
            if filter.member.is_some_and(|m| m != id) {
                return Err("one name at a time, please".into());
            }
            filter.member = Some(id);
            rest.replace_range(at..at + needle.len(), " ");
        }
    }
    for word in rest.split_whitespace() {
        if let Some(kind) = Kind::parse(word).or(match word {
            "redemption" | "cash-out" => Some(Kind::Redeem),
            "purchases" => Some(Kind::Purchase),
            "gifts" => Some(Kind::Gift),
            _ => None,
        }) {
            filter.kind = Some(kind);
        } else if let Some(o) = outcome(word) {
            filter.outcome = Some(o);
        } else if let Ok(day) = NaiveDate::parse_from_str(word, "%Y-%m-%d") {
            (filter.since, filter.until) = (Some(day), Some(day));
        } else if let Some((first, last)) = month(word) {
            (filter.since, filter.until) = (Some(first), Some(last));
        } else {
            let hint = if members.is_empty() { OWN_HINT } else { HINT };
            return Err(format!("\"{word}\" is not {hint}"));
        }
    }
    Ok(filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBERS: [(MemberId, &str); 3] = [
        (MemberId(2), "Sam"),
        (MemberId(3), "Ana"),
        (MemberId(4), "Ana Lee"),
    ];

    #[test]
    fn names_kinds_outcomes_and_dates_are_read() {
        let f = parse("sam gift 2026-02", &MEMBERS).unwrap();
        assert_eq!(f.member, Some(MemberId(2)));
        assert_eq!(f.kind, Some(Kind::Gift));
        assert_eq!(f.since, NaiveDate::from_ymd_opt(2026, 2, 1));
        assert_eq!(f.until, NaiveDate::from_ymd_opt(2026, 2, 28));
        assert_eq!(f.text, "sam gift 2026-02");
        let f = parse("Ana Lee refused 2026-03-14", &MEMBERS).unwrap();
        assert_eq!(f.member, Some(MemberId(4)), "the longer name wins");
        assert_eq!(f.outcome, Some(Outcome::Refused));
        assert_eq!(f.since, f.until);
        assert!(parse("  ", &MEMBERS).unwrap().is_empty());
    }

    #[test]
    fn a_word_that_means_nothing_is_named() {
        assert_eq!(
            parse("sam gfit", &MEMBERS),
            Err(format!("\"gfit\" is not {HINT}"))
        );
        assert!(parse("2026-13", &MEMBERS).is_err());
        assert!(parse("sam ana", &MEMBERS).is_err());
        // On a member's own screens there are no names to filter by.
        assert_eq!(parse("ana", &[]), Err(format!("\"ana\" is not {OWN_HINT}")));
    }
}
