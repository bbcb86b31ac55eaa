//! The limits and rules editor, as pure decisions: which rows a member has,
//! what a form typed into them means, and the before/after a guardian reads
//! before the change is saved (with a PIN, by the event loop, through the
//! household's API as the command line saves it).

use chrono::NaiveDate;

use crate::config::{Economy, Verdict};
use crate::domain::LimitAmount;
use crate::domain::{
    BirthDate, CreatorList, Limit, MemberId, Name, QuietHours, Role, Scope, Window,
    format_time_of_day, parse_time_of_day,
};
use crate::money::rounding;

/// A limit amount for people: money as money; coins with their value at
/// the best pack rate, marked "≈" (a limit is an amount, not particular
/// coins). The words the household uses for limits (a test holds them equal).
pub fn show_amount(amount: LimitAmount, economy: &Economy) -> String {
    match amount {
        LimitAmount::Money(m) => m.to_string(),
        LimitAmount::Coins(c) => economy.coins_with_value(c.to_i64().unwrap_or(i64::MAX)),
    }
}

/// A limit's thresholds: "approval needed above 500 coins (≈7.07 USD)".
pub fn describe_thresholds(limit: &Limit, economy: &Economy) -> String {
    let show = |a: LimitAmount| show_amount(a, economy);
    let mut parts = Vec::new();
    if let Some(soft) = limit.soft {
        parts.push(format!("approval needed above {}", show(soft)));
    }
    if let Some(hard) = limit.hard {
        parts.push(format!("refused above {}", show(hard)));
    }
    parts.join(", ")
}

/// Quiet hours in words: "21:00–07:00, spending refused".
pub fn describe_quiet_hours(q: &QuietHours) -> String {
    let action = if q.verdict == Verdict::Deny {
        "spending refused"
    } else {
        "spending needs approval"
    };
    format!(
        "{}–{}, {action}",
        format_time_of_day(q.start_minute),
        format_time_of_day(q.end_minute)
    )
}

/// What a row of the editor sets, with what it holds now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleTarget {
    Limit {
        scope: Scope,
        window: Window,
        now: Option<Limit>,
    },
    Quiet(Option<QuietHours>),
    Creator {
        name: String,
        list: Option<CreatorList>,
    },
}

/// One member's rules, one row per limit slot (3 scopes x 7 windows), their
/// quiet hours, and one row per creator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRules {
    pub member: MemberId,
    pub name: String,
    /// What their age allows before any limit, from the household's age
    /// bands ("Kim is 12 (under 13): buying coins refused, ...").
    pub age_rules: AgeRules,
    pub rows: Vec<RuleTarget>,
}

/// A member's age band in words, and whether it refuses anything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgeRules {
    pub text: String,
    /// Some action is refused by age, whatever the limits say.
    pub refuses: bool,
}

/// A change a guardian saves with their PIN: exactly one call to the household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyChange {
    AddMember {
        name: Name,
        role: Role,
        birthdate: BirthDate,
    },
    SetLimit {
        member: String,
        limit: Limit,
    },
    RemoveLimit {
        member: String,
        scope: Scope,
        window: Window,
    },
    QuietHours {
        member: String,
        quiet: Option<QuietHours>,
    },
    Creator {
        member: String,
        creator: String,
        list: Option<CreatorList>,
    },
}

/// What a guardian reads before typing their PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub change: PolicyChange,
    /// "Sam · gifts sent per week".
    pub what: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Limit { scope: Scope, window: Window },
    Quiet,
    Member,
}

impl FormKind {
    /// The choices of the form's third row (←/→), if it has one.
    pub fn options(&self) -> &'static [&'static str] {
        match self {
            FormKind::Limit { .. } => &[],
            FormKind::Quiet => &["refuse spending", "ask a guardian"],
            FormKind::Member => &["teen", "creator"],
        }
    }

    /// The two text fields' labels.
    pub fn labels(&self) -> [&'static str; 2] {
        match self {
            FormKind::Limit { .. } => ["Ask a guardian above", "Refuse above"],
            FormKind::Quiet => ["From (HH:MM)", "Until (HH:MM)"],
            FormKind::Member => ["Name", "Born (YYYY-MM-DD)"],
        }
    }
}

/// A two-field form, plus a choice for some: a limit's approval and refusal
/// amounts; quiet hours' start, end, and refuse or ask; a new member's name,
/// birthdate, and teen or creator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Whose rules the form changes (None: a new member).
    pub whose: Option<(MemberId, String)>,
    pub kind: FormKind,
    pub fields: [String; 2],
    /// The row being typed in: 0 and 1 are fields, 2 the choice.
    pub field: usize,
    /// Which of `kind.options()` is chosen.
    pub option: usize,
    pub error: Option<String>,
    /// What the row held when the form was opened, for the review: the
    /// before a guardian reads is the one they started from, even if the
    /// screen refreshed meanwhile.
    pub before: String,
}

impl Form {
    /// A new member's form: name, birthdate, teen or creator.
    pub fn new_member() -> Form {
        Form {
            whose: None,
            kind: FormKind::Member,
            fields: [String::new(), String::new()],
            field: 0,
            option: 0,
            error: None,
            before: "(none)".into(),
        }
    }

    /// How many rows Up/Down move between.
    pub fn rows(&self) -> usize {
        if self.kind.options().is_empty() { 2 } else { 3 }
    }

    pub fn next_option(&mut self) {
        let count = self.kind.options().len().max(1);
        self.option = (self.option + 1) % count;
    }

    fn name(&self) -> String {
        self.whose
            .as_ref()
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }
}

fn scope_words(scope: Scope) -> &'static str {
    match scope {
        Scope::Purchase => "coins bought",
        Scope::Gift => "gifts sent",
        Scope::All => "all spending",
    }
}

fn window_words(window: Window) -> &'static str {
    match window {
        Window::Transaction => "each time",
        Window::Day => "per day",
        Window::Week => "per week",
        Window::Month => "per month",
        Window::Rolling24h => "any 24 hours",
        Window::Rolling7d => "any 7 days",
        Window::Rolling30d => "any 30 days",
    }
}

/// The row's name: "gifts per week", "quiet hours", "gifts to Ana".
pub fn label(target: &RuleTarget) -> String {
    match target {
        RuleTarget::Limit { scope, window, .. } => {
            format!("{} {}", scope_words(*scope), window_words(*window))
        }
        RuleTarget::Quiet(_) => "quiet hours".into(),
        RuleTarget::Creator { name, .. } => format!("gifts to {name}"),
    }
}

fn creator_words(list: Option<CreatorList>) -> String {
    match list {
        Some(CreatorList::Allow) => "allowed".into(),
        Some(CreatorList::Block) => "blocked".into(),
        None => "not on the list".into(),
    }
}

/// A limit row's two columns, "ask a guardian above" and "refused above"
/// ("—" where unset); other rows' words in the first column.
pub fn cells(target: &RuleTarget, economy: &Economy) -> (String, String) {
    let show = |v: Option<LimitAmount>| match v {
        None => "—".to_string(),
        Some(a) => show_amount(a, economy),
    };
    match target {
        RuleTarget::Limit { now: Some(l), .. } => (show(l.soft), show(l.hard)),
        RuleTarget::Limit { now: None, .. } => ("—".into(), "—".into()),
        other => (
            current(other, economy).unwrap_or_else(|| "—".into()),
            String::new(),
        ),
    }
}

/// What the row holds now, in words ("no limit" when unset).
pub fn current(target: &RuleTarget, economy: &Economy) -> Option<String> {
    match target {
        RuleTarget::Limit { now, .. } => now.as_ref().map(|l| describe_thresholds(l, economy)),
        RuleTarget::Quiet(q) => q.as_ref().map(describe_quiet_hours),
        RuleTarget::Creator { list, .. } => Some(creator_words(*list)),
    }
}

fn what(name: &str, target: &RuleTarget) -> String {
    format!("{name} · {}", label(target))
}

/// A limit amount as it would be typed: "10.00" or "500".
fn typed_amount(amount: LimitAmount, economy: &Economy) -> String {
    match amount {
        LimitAmount::Money(money) => {
            rounding::for_display(money.amount(), economy.currency).to_string()
        }
        LimitAmount::Coins(coins) => coins.get().to_string(),
    }
}

/// What Enter on a row opens: a form, or (for a creator) a chooser of the
/// state to put them in.
pub enum Opened {
    Form(Form),
    Choice(CreatorChoice),
}

/// The states a creator can be in for a member, in the chooser's order.
pub const CREATOR_STATES: [Option<CreatorList>; 3] =
    [Some(CreatorList::Allow), Some(CreatorList::Block), None];

/// Choosing a creator's state directly (allowed, blocked or not listed),
/// so a guardian types one PIN for the state they want.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatorChoice {
    /// Whose rules.
    pub member: String,
    pub creator: String,
    pub now: Option<CreatorList>,
    /// The state highlighted, an index into `CREATOR_STATES`.
    pub at: usize,
}

impl CreatorChoice {
    pub fn step(&mut self, forward: bool) {
        let count = CREATOR_STATES.len();
        self.at = if forward {
            (self.at + 1) % count
        } else {
            (self.at + count - 1) % count
        };
    }

    /// The state now, in words.
    pub fn now_words(&self) -> String {
        creator_words(self.now)
    }

    pub fn chosen(&self) -> Option<CreatorList> {
        CREATOR_STATES.get(self.at).copied().flatten()
    }

    /// The chooser's rows: each state's name and what it means.
    pub fn rows(&self) -> Vec<(String, String)> {
        CREATOR_STATES
            .iter()
            .map(|state| {
                let meaning = match state {
                    Some(CreatorList::Allow) => {
                        "gifts go through (limits and age rules still apply)"
                    }
                    Some(CreatorList::Block) => "gifts are refused",
                    None => "the household's rule for creators on no list applies",
                };
                (creator_words(*state), meaning.to_string())
            })
            .collect()
    }

    /// The review of the state chosen, or why there is nothing to save.
    pub fn review(&self) -> Result<Review, String> {
        let next = self.chosen();
        if next == self.now {
            return Err(format!(
                "Gifts from {} to {} are already {}: nothing to save",
                self.member,
                self.creator,
                creator_words(next)
            ));
        }
        let target = RuleTarget::Creator {
            name: self.creator.clone(),
            list: self.now,
        };
        Ok(Review {
            change: PolicyChange::Creator {
                member: self.member.clone(),
                creator: self.creator.clone(),
                list: next,
            },
            what: what(&self.member, &target),
            before: creator_words(self.now),
            after: creator_words(next),
        })
    }
}

pub fn open(rules: &MemberRules, row: usize, economy: &Economy) -> Option<Opened> {
    let target = rules.rows.get(row)?;
    let form = |kind, fields, option| Form {
        whose: Some((rules.member, rules.name.clone())),
        kind,
        fields,
        field: 0,
        option,
        error: None,
        before: current(target, economy).unwrap_or_else(|| match target {
            RuleTarget::Limit { .. } => "no limit".into(),
            _ => "none".into(),
        }),
    };
    Some(match target {
        RuleTarget::Limit { scope, window, now } => {
            let amount =
                |v: Option<LimitAmount>| v.map(|v| typed_amount(v, economy)).unwrap_or_default();
            let (soft, hard) = (
                amount(now.and_then(|l| l.soft)),
                amount(now.and_then(|l| l.hard)),
            );
            Opened::Form(form(
                FormKind::Limit {
                    scope: *scope,
                    window: *window,
                },
                [soft, hard],
                0,
            ))
        }
        RuleTarget::Quiet(q) => Opened::Form(form(
            FormKind::Quiet,
            [
                q.map(|q| format_time_of_day(q.start_minute))
                    .unwrap_or_else(|| "21:00".into()),
                q.map(|q| format_time_of_day(q.end_minute))
                    .unwrap_or_else(|| "07:00".into()),
            ],
            usize::from(q.is_some_and(|q| q.verdict != Verdict::Deny)),
        )),
        RuleTarget::Creator { name, list } => Opened::Choice(CreatorChoice {
            member: rules.name.clone(),
            creator: name.clone(),
            now: *list,
            at: CREATOR_STATES.iter().position(|s| s == list).unwrap_or(0),
        }),
    })
}

/// The review of removing what a row holds, or why there is nothing to remove.
pub fn remove(rules: &MemberRules, row: usize, economy: &Economy) -> Result<Review, String> {
    let target = rules.rows.get(row).ok_or("Pick a row first")?;
    let before = current(target, economy);
    let nothing = || format!("{} has no {} to remove", rules.name, label(target));
    let change = match target {
        RuleTarget::Limit {
            scope,
            window,
            now: Some(_),
        } => PolicyChange::RemoveLimit {
            member: rules.name.clone(),
            scope: *scope,
            window: *window,
        },
        RuleTarget::Quiet(Some(_)) => PolicyChange::QuietHours {
            member: rules.name.clone(),
            quiet: None,
        },
        RuleTarget::Creator {
            name,
            list: Some(_),
        } => PolicyChange::Creator {
            member: rules.name.clone(),
            creator: name.clone(),
            list: None,
        },
        _ => return Err(nothing()),
    };
    let after = match target {
        RuleTarget::Creator { .. } => creator_words(None),
        RuleTarget::Limit { .. } => "no limit".into(),
        RuleTarget::Quiet(_) => "none".into(),
    };
    Ok(Review {
        change,
        what: what(&rules.name, target),
        before: before.unwrap_or_else(nothing),
        after,
    })
}

/// Reads the form (`today` is the household-local date, for birthdates).
/// Bad input gets a specific message and no review.
pub fn submit(form: &Form, economy: &Economy, today: NaiveDate) -> Result<Review, String> {
    let name = form.name();
    match form.kind {
        FormKind::Member => {
            let who = Name::parse(&form.fields[0]).map_err(|e| format!("Name: {e}"))?;
            let birthdate =
                BirthDate::parse(&form.fields[1], today).map_err(|e| format!("Born: {e}"))?;
            let role = if form.option == 1 {
                Role::Creator
            } else {
                Role::Teen
            };
            Ok(Review {
                what: "A new member".into(),
                before: form.before.clone(),
                after: format!(
                    "{who}, {role}, born {} ({} today)",
                    birthdate.date(),
                    birthdate.age_on(today)
                ),
                change: PolicyChange::AddMember {
                    name: who,
                    role,
                    birthdate,
                },
            })
        }
        FormKind::Limit { scope, window } => {
            let amount = |text: &str, which: &str| -> Result<Option<LimitAmount>, String> {
                if text.trim().is_empty() {
                    return Ok(None);
                }
                LimitAmount::parse(text, scope, economy.currency)
                    .map(Some)
                    .map_err(|e| format!("{which}: {e}"))
            };
            let soft = amount(&form.fields[0], "Ask a guardian above")?;
            let hard = amount(&form.fields[1], "Refuse above")?;
            if soft.is_none() && hard.is_none() {
                return Err(
                    "Type at least one amount (to remove the limit, press Esc, then x)".into(),
                );
            }
            if let (Some(s), Some(h)) = (soft, hard)
                && s.units() > h.units()
            {
                return Err("The approval amount must not be above the refusal amount".into());
            }
            let Some((member, _)) = form.whose else {
                return Err("Pick a member first".into());
            };
            let limit = Limit::new(member, scope, window, soft, hard)
                .ok_or("An amount is of the wrong kind for this limit")?;
            let target = RuleTarget::Limit {
                scope,
                window,
                now: None,
            };
            Ok(Review {
                change: PolicyChange::SetLimit {
                    member: name.clone(),
                    limit,
                },
                what: what(&name, &target),
                before: form.before.clone(),
                after: describe_thresholds(&limit, economy),
            })
        }
        FormKind::Quiet => {
            let time = |text: &str, which: &str| {
                parse_time_of_day(text).map_err(|e| format!("{which}: {e}"))
            };
            let start = time(&form.fields[0], "From")?;
            let end = time(&form.fields[1], "Until")?;
            if start == end {
                return Err("Quiet hours must start and end at different times".into());
            }
            let quiet = QuietHours {
                start_minute: start,
                end_minute: end,
                verdict: if form.option == 0 {
                    Verdict::Deny
                } else {
                    Verdict::NeedsApproval
                },
            };
            Ok(Review {
                change: PolicyChange::QuietHours {
                    member: name.clone(),
                    quiet: Some(quiet),
                },
                what: what(&name, &RuleTarget::Quiet(None)),
                before: form.before.clone(),
                after: describe_quiet_hours(&quiet),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn economy() -> Economy {
        Config::defaults().unwrap().economy
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    #[test]
    fn a_new_member_is_named_dated_and_given_a_role() {
        let mut f = Form::new_member();
        f.fields = ["Kim".into(), "2014-05-01".into()];
        let review = submit(&f, &economy(), today()).unwrap();
        assert_eq!(review.after, "Kim, teen, born 2014-05-01 (11 today)");
        f.next_option();
        let review = submit(&f, &economy(), today()).unwrap();
        assert!(matches!(
            review.change,
            PolicyChange::AddMember {
                role: Role::Creator,
                ..
            }
        ));
        f.fields[1] = "2030-01-01".into();
        assert!(
            submit(&f, &economy(), today())
                .unwrap_err()
                .starts_with("Born: ")
        );
        f.fields = ["".into(), "2014-05-01".into()];
        assert!(
            submit(&f, &economy(), today())
                .unwrap_err()
                .starts_with("Name: ")
        );
    }

    fn sam() -> MemberRules {
        MemberRules {
            member: MemberId(2),
            name: "Sam".into(),
            age_rules: AgeRules::default(),
            rows: vec![
                RuleTarget::Limit {
                    scope: Scope::Gift,
                    window: Window::Week,
                    now: Some(Limit {
                        member: MemberId(2),
                        scope: Scope::Gift,
                        window: Window::Week,
                        soft: Some(LimitAmount::Coins(crate::money::Coins::new(500))),
                        hard: None,
                    }),
                },
                RuleTarget::Quiet(None),
                RuleTarget::Creator {
                    name: "Ana".into(),
                    list: None,
                },
            ],
        }
    }

    fn form(rules: &MemberRules, row: usize) -> Form {
        match open(rules, row, &economy()) {
            Some(Opened::Form(f)) => f,
            _ => panic!("row {row} opens a form"),
        }
    }

    #[test]
    fn a_limit_form_is_prefilled_and_reviewed_with_before_and_after() {
        let rules = sam();
        let mut f = form(&rules, 0);
        assert_eq!(f.fields, ["500".to_string(), String::new()]);
        f.fields[1] = "1000".into();
        let review = submit(&f, &economy(), today()).unwrap();
        assert_eq!(review.what, "Sam · gifts sent per week");
        assert_eq!(review.before, "approval needed above 500 coins (≈7.07 USD)");
        assert_eq!(
            review.after,
            "approval needed above 500 coins (≈7.07 USD), refused above 1,000 coins (≈14.14 USD)"
        );
    }

    #[test]
    fn bad_amounts_and_times_are_named() {
        let economy = economy();
        let mut f = form(&sam(), 0);
        f.fields = ["".into(), "".into()];
        assert!(
            submit(&f, &economy, today())
                .unwrap_err()
                .starts_with("Type at least one amount")
        );
        f.fields = ["2000".into(), "1000".into()];
        assert_eq!(
            submit(&f, &economy, today()).unwrap_err(),
            "The approval amount must not be above the refusal amount"
        );
        f.fields = ["lots".into(), "".into()];
        assert!(
            submit(&f, &economy, today())
                .unwrap_err()
                .starts_with("Ask a guardian above: ")
        );
        let mut q = form(&sam(), 1);
        assert_eq!(q.fields, ["21:00".to_string(), "07:00".to_string()]);
        q.fields[1] = "25:00".into();
        assert!(
            submit(&q, &economy, today())
                .unwrap_err()
                .starts_with("Until: ")
        );
        q.fields[1] = "21:00".into();
        assert!(submit(&q, &economy, today()).is_err(), "empty quiet hours");
    }

    #[test]
    fn a_creators_state_is_chosen_directly_and_removing_nothing_is_refused() {
        let economy = economy();
        let Some(Opened::Choice(mut choice)) = open(&sam(), 2, &economy) else {
            panic!("a creator row opens a chooser");
        };
        // It opens on the state now (not listed) and moves to any other.
        assert_eq!(choice.chosen(), None);
        assert!(
            choice
                .review()
                .unwrap_err()
                .contains("already not on the list")
        );
        choice.step(false);
        assert_eq!(choice.chosen(), Some(CreatorList::Block));
        let r = choice.review().unwrap();
        assert_eq!(
            (r.before.as_str(), r.after.as_str()),
            ("not on the list", "blocked")
        );
        assert_eq!(r.what, "Sam · gifts to Ana");
        assert_eq!(
            remove(&sam(), 1, &economy).unwrap_err(),
            "Sam has no quiet hours to remove"
        );
        let r = remove(&sam(), 0, &economy).unwrap();
        assert_eq!(r.after, "no limit");
        assert!(matches!(r.change, PolicyChange::RemoveLimit { .. }));
    }
}
