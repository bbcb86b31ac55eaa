//! The view model: what the screen in front shows, and how the household's
//! answers become its lines. Each screen's module (`screens/`) loads its
//! own part through the household's one API ([`Household`]: the same calls
//! in this process and through the household service), handed a
//! [`Loading`]; `view::load` reads what every load needs first. Rendering
//! reads this and never the household.
//!
//! Text that people typed (names aside, which the household keeps free of
//! invisible characters) is escaped here with [`clean`], once, so every
//! screen and popup shows `\u{202e}` where a right-to-left override was
//! stored, as the command line does.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::editor::{AgeRules, MemberRules, RuleTarget};
use super::filter::Filter;
use crate::api::ApiError;
use crate::api::call::{HistoryQuery, LogQuery};
use crate::api::reply::{
    Amount, CatalogView, HistoryRowView, HouseholdView, LimitView, MemberView as Held, RequestView,
    RulesView, SpendView, WalletView,
};
use crate::client::Household;
use crate::config::{Economy, Gift, Pack};
use crate::domain::printable::clean;
use crate::domain::{
    CreatorList, Limit, LimitAmount, MemberId, Name, QuietHours, RequestStatus, Role, Scope, Window,
};
use crate::money::{Coins, Currency, Diamonds, Money};

/// How a preview came out: the guard's own [`Outcome`](crate::domain::Outcome).
pub use crate::domain::Outcome as Verdict;

/// Who is signed in: their id, their name as the household spells it, and
/// their role (which screens they get).
pub type Who = (MemberId, String, Role);

/// Text from the household, escaped for the terminal.
pub(super) fn shown(text: &str) -> String {
    clean(text).into_owned()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub verdict: Verdict,
    pub summary: String,
    /// (refused?, message) in the guard's order.
    pub reasons: Vec<(bool, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberLine {
    pub id: MemberId,
    /// As the household spells it (what calls name; shown through `clean`).
    pub name: String,
    pub role: Role,
    pub age: Option<u32>,
    pub has_pin: bool,
    pub coins: String,
    pub diamonds: String,
    /// What they hold, in one phrase: their coins, their diamonds, or both.
    pub holds: String,
}

/// Coins, diamonds, or both (whichever are not zero; a creator's diamonds
/// even when there are none, since that is what a creator holds).
fn holdings(
    coins: &str,
    diamonds: &str,
    has_coins: bool,
    has_diamonds: bool,
    role: Role,
) -> String {
    match (has_coins, has_diamonds || role == Role::Creator) {
        (true, true) => format!("{coins} · {diamonds}"),
        (false, true) => diamonds.to_string(),
        _ => coins.to_string(),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LimitLine {
    /// "purchase this week".
    pub what: String,
    /// The amount it counts up to (the refusal amount, else the approval one).
    pub cap: String,
    pub title: String,
    pub used: String,
    /// What is left before the cap ("0.06 USD left"), or how far past it
    /// the spending already is ("0.93 USD over": an approved purchase, or
    /// a limit lowered below what was spent).
    pub left: String,
    /// What is left before a guardian must approve, when the limit has both
    /// amounts (the gauge counts to the refusal amount).
    pub before_approval: Option<String>,
    /// Used / cap, for the gauge only (display, not money).
    pub ratio: f64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackLine {
    pub id: String,
    pub coins: String,
    pub price: String,
    pub per_coin: String,
}

/// A gift of the catalogue: its id (what is sent), its name and price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftLine {
    pub id: String,
    pub name: String,
    pub price: String,
}

/// What a gift preview was made for, and what Enter sends: one value, so the
/// highlighted gift, the preview and the gift sent cannot differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftChoice {
    pub creator: String,
    /// The gift's id in the catalogue.
    pub gift: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLine {
    pub id: i64,
    pub member: String,
    pub status: RequestStatus,
    pub summary: String,
    pub why: Vec<String>,
    pub note: String,
    pub resolution: String,
    /// When it was asked, household time.
    pub asked: String,
    /// When it expires if no one answers ("expires 2026-03-04 16:00, in 47
    /// hours"), or when it was resolved.
    pub expires: String,
    /// The coins a waiting gift holds, with their money value (empty when
    /// it holds none).
    pub holds: String,
    /// What approving it now would do (guardians, waiting requests): the
    /// rules may have changed since it was asked.
    pub approve_now: Option<Preview>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    /// The transaction's id (a guardian reverses it by this).
    pub id: i64,
    pub when: String,
    pub kind: String,
    pub member: String,
    pub figures: String,
    pub detail: String,
    /// The reversal that undid it, if one did.
    pub reversed_by: Option<i64>,
}

/// A row of the decision log or the guardian-action log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub when: String,
    pub who: String,
    pub what: String,
    pub text: String,
    pub detail: String,
    /// A refusal (shown in red).
    pub refused: bool,
}

/// Which record the audit screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditView {
    #[default]
    Ledger,
    Decisions,
    Actions,
    Alerts,
}

impl AuditView {
    pub const ALL: [AuditView; 4] = [
        AuditView::Ledger,
        AuditView::Decisions,
        AuditView::Actions,
        AuditView::Alerts,
    ];

    pub fn title(&self) -> &'static str {
        match self {
            AuditView::Ledger => "Ledger",
            AuditView::Decisions => "Guard decisions",
            AuditView::Actions => "Guardian actions",
            AuditView::Alerts => "Open alerts",
        }
    }
}

/// What a member's screens show (each screen loads its own part).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MemberView {
    pub me: MemberLine,
    pub limits: Vec<LimitLine>,
    /// What their age allows before any limit (None: no birthdate, treated
    /// as an adult).
    pub age_rules: Option<AgeRules>,
    /// The coins their waiting requests hold, with their value ("" when none).
    pub held: String,
    /// Their allowance and its next payment ("" when none).
    pub allowance: String,
    pub packs: Vec<PackLine>,
    /// One preview per pack, in the same order.
    pub pack_previews: Vec<Preview>,
    /// What a coin costs when buying any number of them (the best pack rate).
    pub custom_rate: String,
    pub creators: Vec<String>,
    pub gifts: Vec<GiftLine>,
    /// The preview of the chosen gift, with the choice it was made for.
    pub gift_preview: Option<(GiftChoice, Preview)>,
    pub requests: Vec<RequestLine>,
    pub history: Vec<HistoryLine>,
    /// Where the next history page starts, if there is one.
    pub history_next: Option<String>,
}

impl Default for MemberLine {
    fn default() -> MemberLine {
        MemberLine {
            id: MemberId(0),
            name: String::new(),
            role: Role::Teen,
            age: None,
            has_pin: false,
            coins: String::new(),
            diamonds: String::new(),
            holds: String::new(),
        }
    }
}

/// What a creator's earnings screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatorView {
    /// Diamonds held now (what cashing out all of them takes).
    pub diamonds: u64,
    /// "2,150 diamonds (10.75 USD)".
    pub holds: String,
    /// What a diamond pays ("0.005 USD") and the share of a gift's coins
    /// that become diamonds (50).
    pub per_diamond: String,
    pub share_percent: u32,
    /// What a coin a fan spends pays out ("0.0025 USD").
    pub per_fan_coin: String,
    /// The least that can be cashed out at once.
    pub minimum: String,
    /// What the guard says about cashing out every diamond now.
    pub all_preview: Option<Preview>,
    /// The latest gifts received: the diamonds they brought and what those
    /// pay out.
    pub received: Vec<HistoryLine>,
}

/// What a guardian's screens show (each screen loads its own part).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GuardianView {
    pub pending: Vec<RequestLine>,
    pub alerts: Vec<String>,
    pub limits: Vec<(String, Vec<LimitLine>)>,
    pub refusals: Vec<String>,
    pub history: Vec<HistoryLine>,
    pub history_next: Option<String>,
    /// The audit screen's decision or guardian-action rows (whichever it shows).
    pub log: Vec<LogLine>,
    /// Where the next page of the log starts (an id), if there is one.
    pub log_next: Option<i64>,
    /// The limits and rules editor: one entry per member who is not a guardian.
    pub rules: Vec<MemberRules>,
    /// Money spent on coins per day over 14 days: (day of the month, cents).
    pub daily: Vec<(String, u64)>,
    /// The 14 days the chart shows ("2026-02-17 to 2026-03-02").
    pub daily_period: String,
    /// Where the money spent on coins bought in the chart's days went, in
    /// a few words.
    pub money_flow: Option<String>,
    pub verify: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ViewModel {
    pub currency: String,
    /// The prices, for the editor's before/after (None only before loading).
    pub economy: Option<Economy>,
    /// The household-local date, for a new member's age.
    pub today: Option<NaiveDate>,
    /// The members shown: on the pick screen those this account may act
    /// as; for a guardian everyone; for a member themself.
    pub members: Vec<MemberLine>,
    /// Every creator's name (whom gifts can go to, what a member's own
    /// history filters by).
    pub creators: Vec<String>,
    /// The guardians' PIN, shown on the pick screen, only in the demo
    /// household (whose PIN is printed in the README anyway).
    pub demo_pin: Option<String>,
    /// Answered by the household service (the pick screen says so).
    pub service: bool,
    pub member: Option<MemberView>,
    /// Set for a creator (who also has the member screens).
    pub creator: Option<CreatorView>,
    pub guardian: Option<GuardianView>,
}

/// Selections that decide what to load: the gift preview, the history and
/// log pages, the audit view and the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub creator: usize,
    pub gift: usize,
    pub count: u64,
    /// History starts after this row (None: the newest page).
    pub history_after: Option<String>,
    /// The decision or guardian-action log starts below this id.
    pub log_before: Option<i64>,
    /// Which page of the list shown this is (1: the newest).
    pub page: u32,
    pub audit: AuditView,
    /// How many 14-day periods back the audit chart shows (0: the last 14
    /// days, up to today).
    pub chart_back: u32,
    /// Whose rules the editor shows (an index into `GuardianView::rules`).
    pub rules_member: usize,
    pub filter: Filter,
}

impl Default for Selection {
    fn default() -> Selection {
        Selection {
            creator: 0,
            gift: 0,
            count: 1,
            history_after: None,
            log_before: None,
            page: 1,
            audit: AuditView::Ledger,
            chart_back: 0,
            rules_member: 0,
            filter: Filter::default(),
        }
    }
}

impl Selection {
    /// Back to the newest page of everything.
    pub fn first_pages(&mut self) {
        self.history_after = None;
        self.log_before = None;
        self.page = 1;
    }

    /// The history a list shows: `member`'s own (a member's screens), or
    /// the filter's (the guardian's ledger).
    pub fn history_query(&self, member: Option<&str>) -> HistoryQuery {
        HistoryQuery {
            member: member.map(str::to_string).or(self.filter.member.clone()),
            creator: self.filter.creator.clone(),
            kind: self.filter.kind,
            since: self.filter.since,
            until: self.filter.until,
        }
    }

    pub(crate) fn log_query(&self) -> LogQuery {
        LogQuery {
            member: self.filter.member.clone(),
            outcome: self.filter.outcome,
            action: None,
            since: self.filter.since,
            until: self.filter.until,
            before: self.log_before,
            limit: LOG_PAGE,
        }
    }
}

/// Rows on one page of history or of a log.
pub(crate) const LOG_PAGE: usize = 30;
pub(crate) const HISTORY_PAGE: usize = 30;
/// Most waiting requests the approvals screen lists (each with a preview
/// of approving it now).
pub(crate) const MOST_PENDING: usize = 50;

pub fn preview_of(answer: Result<SpendView, ApiError>) -> Preview {
    match answer {
        Ok(s) => Preview {
            verdict: s.outcome,
            // In the member's allowance terms too, where they have one.
            summary: match &s.allowance_words {
                Some(words) => shown(&format!("{} ({words})", s.summary)),
                None => shown(&s.summary),
            },
            reasons: s
                .reasons
                .iter()
                .map(|r| (r.severity == Verdict::Deny, shown(&r.message)))
                .collect(),
        },
        Err(e) => Preview {
            verdict: Verdict::Deny,
            summary: shown(&e.message),
            reasons: Vec::new(),
        },
    }
}

/// The economy in force, rebuilt from the catalogue the household answers
/// with (the editor and the screens price coins and diamonds with it). Its
/// grant value is the catalogue's per-coin figure, for showing only: the
/// interface never values a grant (the household does, when it makes one).
pub fn economy_of(c: &CatalogView) -> Result<Economy, ApiError> {
    let currency = Currency::parse(&c.currency)?;
    let mut gifts = Vec::with_capacity(c.gifts.len());
    for g in &c.gifts {
        gifts.push(Gift {
            id: g.id.clone(),
            name: Name::parse(&g.name)?,
            coins: Coins::new(g.coins),
        });
    }
    Ok(Economy {
        currency,
        packs: c
            .packs
            .iter()
            .map(|p| Pack::new(p.id.clone(), Coins::new(p.coins), p.price))
            .collect(),
        gifts,
        diamond_share_percent: c.diamond_share_percent,
        diamond_value: c.diamond_value.amount(),
        minimum_payout: c.minimum_payout,
        grant_value: crate::config::GrantValue::PerCoin(c.grant_value_per_coin.amount()),
        grant_value_per_coin: c.grant_value_per_coin.amount(),
    })
}

/// A UTC time as household-local "YYYY-MM-DD HH:MM".
pub fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// "in 47 hours", "in 20 minutes", or "now" for a time still to come.
pub(crate) fn time_left(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let minutes = (at - now).num_minutes();
    match minutes {
        m if m <= 0 => "now".into(),
        m if m < 120 => format!("in {m} minutes"),
        m => format!("in {} hours", m / 60),
    }
}

/// Coins with what they cost: "90 coins (1.27 USD)".
pub(crate) fn coins_costing(coins: u64, cost: Money) -> String {
    format!("{} ({cost})", Coins::new(coins))
}

pub(crate) fn member_line(m: &Held) -> MemberLine {
    let coins = format!("{} ({})", Coins::new(m.coins), m.coins_cost);
    let diamonds = format!("{} ({})", Diamonds::new(m.diamonds), m.diamonds_value);
    MemberLine {
        id: m.id,
        name: m.name.clone(),
        role: m.role,
        age: m.age,
        has_pin: m.has_pin,
        holds: holdings(&coins, &diamonds, m.coins != 0, m.diamonds != 0, m.role),
        coins,
        diamonds,
    }
}

/// How a history row is read: in the guardian's ledger or a member's own
/// history (the sender's figures, the creator's diamonds as theirs), or in
/// a creator's gifts received (what the gift brought them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    Ledger,
    Received,
}

/// "+30 diamonds", "-60 coins", "0 diamonds".
pub(crate) fn signed(n: i64, unit: impl Fn(u64) -> String) -> String {
    let sign = match n.signum() {
        1 => "+",
        -1 => "-",
        _ => "",
    };
    format!("{sign}{}", unit(n.unsigned_abs()))
}

pub(crate) fn history_line(
    r: &HistoryRowView,
    economy: &Economy,
    tz: Tz,
    reading: Reading,
) -> HistoryLine {
    let coins = |n: u64| Coins::new(n).to_string();
    let diamonds = |n: u64| Diamonds::new(n).to_string();
    let figures = match (reading, &r.counterparty) {
        // What the gift brought the creator: diamonds, and what they pay.
        (Reading::Received, _) => format!(
            "{}{}",
            if r.diamonds < 0 {
                "-"
            } else if r.diamonds > 0 {
                "+"
            } else {
                ""
            },
            economy.diamonds_with_value(Diamonds::new(r.diamonds.unsigned_abs()))
        ),
        // A gift (or its reversal): the sender's coins and what they cost;
        // the diamonds are the creator's, and say so.
        (Reading::Ledger, Some(creator)) if r.coins != 0 && r.diamonds != 0 => format!(
            "{} ({}), {} {}{}",
            signed(r.coins, coins),
            r.money,
            creator,
            if r.diamonds < 0 { "-" } else { "+" },
            economy.diamonds_with_value(Diamonds::new(r.diamonds.unsigned_abs()))
        ),
        _ => {
            let mut parts = Vec::new();
            if r.coins != 0 {
                parts.push(signed(r.coins, coins));
            }
            if r.diamonds != 0 {
                parts.push(signed(r.diamonds, diamonds));
            }
            parts.push(r.money.to_string());
            parts.join(", ")
        }
    };
    // A reversed row says so: its figures no longer stand.
    let detail = match r.reversed_by {
        Some(by) => format!("reversed by transaction {by} · {}", r.detail),
        None => r.detail.clone(),
    };
    HistoryLine {
        id: r.id,
        when: local(r.at, tz),
        kind: r.kind.as_str().into(),
        member: r.member.clone(),
        figures: shown(&figures),
        detail: shown(&detail),
        reversed_by: r.reversed_by,
    }
}

pub(crate) fn request_line(
    r: &RequestView,
    economy: &Economy,
    tz: Tz,
    now: DateTime<Utc>,
) -> RequestLine {
    // The coins approving a held gift would spend, priced from their lots
    // (the pack rate only if the wallet no longer holds them).
    let holds = if r.status == RequestStatus::Pending && r.hold_coins > 0 {
        match r.hold_cost {
            Some(cost) => coins_costing(r.hold_coins, cost),
            None => economy.coins_with_value(i64::try_from(r.hold_coins).unwrap_or(i64::MAX)),
        }
    } else {
        String::new()
    };
    let expires = match (r.status, r.resolved_at) {
        (RequestStatus::Pending, _) => format!(
            "expires {}, {}",
            local(r.expires_at, tz),
            time_left(now, r.expires_at)
        ),
        (status, Some(at)) => format!("{} {}", status.as_str(), local(at, tz)),
        (status, None) => status.as_str().to_string(),
    };
    RequestLine {
        id: r.id,
        member: r.member.clone(),
        status: r.status,
        summary: shown(&r.summary),
        why: r.reasons.iter().map(|x| shown(&x.message)).collect(),
        note: shown(&r.note),
        resolution: shown(r.resolution.as_deref().unwrap_or_default()),
        asked: local(r.created_at, tz),
        expires,
        holds,
        approve_now: None,
    }
}

pub(crate) fn amount_of(a: Amount) -> LimitAmount {
    match a {
        Amount::Money(m) => LimitAmount::Money(m),
        Amount::Coins(c) => LimitAmount::Coins(Coins::new(c)),
    }
}

pub(crate) fn units(a: Amount) -> i64 {
    amount_of(a).units()
}

/// The limit a view describes (its amounts are of its scope's kind: the
/// household says so).
pub(crate) fn limit_of(member: MemberId, l: &LimitView) -> Limit {
    Limit {
        member,
        scope: l.scope,
        window: l.window,
        soft: l.soft.map(amount_of),
        hard: l.hard.map(amount_of),
    }
}

pub(crate) fn limit_line(member: MemberId, l: &LimitView, economy: &Economy) -> LimitLine {
    let limit = limit_of(member, l);
    let cap = limit.cap_units().max(1);
    let used = units(l.used);
    let words = |v: i64| match LimitAmount::of_scope(l.scope, v, economy.currency) {
        Ok(a) => super::editor::show_amount(a, economy),
        Err(_) => v.to_string(),
    };
    // The household says what is left before approval (with both amounts,
    // until the approval amount is passed).
    let before_approval = l.before_approval.map(|a| words(units(a)));
    LimitLine {
        what: format!("{} {}", l.scope, l.window_words),
        cap: shown(&l.cap_words),
        title: format!(
            "{} {}: {}",
            l.scope,
            l.window_words,
            super::editor::describe_thresholds(&limit, economy)
        ),
        used: shown(&l.used_words),
        left: match used.saturating_sub(limit.cap_units()) {
            over if over > 0 => format!("{} over", words(over)),
            _ => format!("{} left", shown(&l.remaining_words)),
        },
        before_approval,
        ratio: (used as f64 / cap as f64).clamp(0.0, 1.0),
    }
}

/// What a member's age allows, from their age band, in words: "Kim is 12:
/// purchases refused, gifts refused, cashing out refused". Age rules come
/// before limits, which cannot loosen them.
pub fn age_rules(name: &str, rules: &RulesView) -> AgeRules {
    let name = shown(name);
    let (Some(age), Some(band)) = (rules.age, rules.age_rules) else {
        return AgeRules {
            text: format!("{name} has no birthdate: age rules treat them as an adult"),
            refuses: false,
        };
    };
    let word = |rule: Verdict, one: bool| match (rule, one) {
        (Verdict::Allow, _) => "allowed",
        (Verdict::NeedsApproval, false) => "need approval",
        (Verdict::NeedsApproval, true) => "needs approval",
        (Verdict::Deny, _) => "refused",
    };
    AgeRules {
        text: format!(
            "Age rules: {name} is {age}: purchases {}, gifts {}, cashing out {}",
            word(band.purchase, false),
            word(band.gift, false),
            word(band.redeem, true)
        ),
        // Spending refused by age, whatever the limits below say.
        refuses: band.purchase == Verdict::Deny || band.gift == Verdict::Deny,
    }
}

/// A member's rules for the editor: their age rules, the 21 limit slots,
/// quiet hours, and a row per creator.
pub(crate) fn rules_of(member: MemberId, rules: &RulesView) -> Result<MemberRules, ApiError> {
    let mut rows = Vec::new();
    for scope in Scope::ALL {
        for window in Window::ALL {
            let now = rules
                .limits
                .iter()
                .find(|l| l.scope == scope && l.window == window)
                .map(|l| limit_of(member, l));
            rows.push(RuleTarget::Limit { scope, window, now });
        }
    }
    let quiet = match &rules.quiet_hours {
        Some(q) => Some(QuietHours {
            start_minute: crate::domain::parse_time_of_day(&q.from)?,
            end_minute: crate::domain::parse_time_of_day(&q.to)?,
            verdict: q.action,
        }),
        None => None,
    };
    rows.push(RuleTarget::Quiet(quiet));
    for creator in rules.all_creators.iter().filter(|c| **c != rules.member) {
        let list: Option<CreatorList> = rules
            .creators
            .iter()
            .find(|r| r.creator == *creator)
            .map(|r| r.list);
        rows.push(RuleTarget::Creator {
            name: creator.clone(),
            list,
        });
    }
    Ok(MemberRules {
        member,
        name: rules.member.clone(),
        age_rules: age_rules(&rules.member, rules),
        rows,
    })
}

/// The first and last day of the audit chart: 14 days ending today, or
/// `back` periods of 14 days earlier.
pub fn chart_days(today: NaiveDate, back: u32) -> (NaiveDate, NaiveDate) {
    let last = today - chrono::TimeDelta::days(14 * i64::from(back));
    (last - chrono::TimeDelta::days(13), last)
}

/// What every load starts from: the household's currency, zone, clock and
/// prices.
pub struct Basis {
    pub house: HouseholdView,
    pub economy: Economy,
    pub tz: Tz,
}

/// What a screen's load has to hand: the household, what every load read
/// first, who is signed in, and the selections that decide what to load.
/// A screen's load only reads and previews; it never writes.
pub struct Loading<'a, 'h> {
    pub h: &'a mut Household<'h>,
    pub basis: &'a Basis,
    /// None: nobody is signed in yet (the pick screen).
    pub who: Option<&'a Who>,
    pub choice: &'a Selection,
    /// A member's own wallet, read for every member screen (None for a
    /// guardian, or before anyone signs in).
    pub wallet: Option<&'a WalletView>,
}

/// A fixed view model for snapshot tests and the frame benchmark: what a
/// teen and a guardian see in a small household, with no ids or clock.
#[doc(hidden)]
pub fn sample(guardian: bool) -> ViewModel {
    let line = |id: i64, name: &str, role: Role, age: Option<u32>, coins: &str, diamonds: &str| {
        MemberLine {
            id: MemberId(id),
            name: name.into(),
            role,
            age,
            has_pin: role == Role::Guardian,
            coins: coins.into(),
            diamonds: diamonds.into(),
            holds: holdings(
                coins,
                diamonds,
                !coins.starts_with("0 "),
                !diamonds.starts_with("0 "),
                role,
            ),
        }
    };
    let members = vec![
        line(
            1,
            "Maria",
            Role::Guardian,
            None,
            "0 coins (0.00 USD)",
            "0 diamonds (0.00 USD)",
        ),
        line(
            2,
            "Sam",
            Role::Teen,
            Some(15),
            "420 coins (5.98 USD)",
            "0 diamonds (0.00 USD)",
        ),
        line(
            3,
            "Ana",
            Role::Creator,
            Some(24),
            "0 coins (0.00 USD)",
            "2,150 diamonds (10.75 USD)",
        ),
    ];
    let limit = LimitLine {
        what: "purchase this week".into(),
        cap: "25.00 USD".into(),
        title: "purchase this week: approval needed above 10.00 USD, refused above 25.00 USD"
            .into(),
        used: "14.98 USD".into(),
        left: "10.02 USD left".into(),
        before_approval: Some("0.00 USD".into()),
        ratio: 0.5992,
    };
    let pending = RequestLine {
        id: 7,
        member: "Sam".into(),
        status: RequestStatus::Pending,
        summary: "Sam buys 700 coins for 9.99 USD (pack coins-700, 0.0143 USD per coin)".into(),
        why: vec!["Sam is 15: from 13 to 17, purchases need a guardian's approval".into()],
        note: String::new(),
        resolution: String::new(),
        asked: "2026-03-02 15:10".into(),
        expires: "expires 2026-03-04 15:10, in 47 hours".into(),
        holds: String::new(),
        approve_now: None,
    };
    let denied = RequestLine {
        id: 6,
        status: RequestStatus::Denied,
        summary: "Sam sends 1 × Galaxy to Ana: 1,000 coins (14.28 USD); Ana receives 500 diamonds"
            .into(),
        why: Vec::new(),
        note: "it's for her birthday".into(),
        resolution: "Not this week".into(),
        expires: "denied 2026-03-01 18:00".into(),
        ..pending.clone()
    };
    let history = vec![HistoryLine {
        id: 12,
        when: "2026-03-02 16:00".into(),
        kind: "gift".into(),
        member: "Sam".into(),
        figures: "-60 coins (0.86 USD), Ana +30 diamonds (0.15 USD)".into(),
        detail: "2 × Doughnut (30 coins) to Ana: 60 coins; those coins cost 0.86 USD; Ana receives 30 diamonds".into(),
        reversed_by: None,
    }];
    if guardian {
        return ViewModel {
            currency: "USD".into(),
            economy: crate::config::Config::defaults().ok().map(|c| c.economy),
            today: chrono::NaiveDate::from_ymd_opt(2026, 3, 2),
            members,
            creators: vec!["Ana".into()],
            demo_pin: None,
            service: false,
            member: None,
            creator: None,
            guardian: Some(GuardianView {
                pending: vec![RequestLine {
                    approve_now: Some(Preview {
                        verdict: Verdict::Allow,
                        summary: "Sam buys 700 coins for 9.99 USD (pack coins-700, 0.0143 USD per coin)".into(),
                        reasons: Vec::new(),
                    }),
                    ..pending
                }],
                alerts: vec!["2026-03-02 16:05 Sam has used 50% of the purchase limit for this week: 14.98 USD of 25.00 USD".into()],
                limits: vec![("Sam".into(), vec![limit])],
                refusals: vec!["2026-03-01 21:30 Sam: it is 21:30, inside Sam's quiet hours (21:00–07:00)".into()],
                history: history.clone(),
                history_next: None,
                log: vec![
                    LogLine {
                        when: "2026-03-01 21:30".into(),
                        who: "Sam".into(),
                        what: "refused".into(),
                        text: "Sam buys 350 coins for 4.99 USD".into(),
                        detail: "it is 21:30, inside Sam's quiet hours (21:00–07:00)".into(),
                        refused: true,
                    },
                    LogLine {
                        when: "2026-03-01 16:00".into(),
                        who: "Sam".into(),
                        what: "allowed".into(),
                        text: "Sam sends 2 × Doughnut (30 coins) to Ana".into(),
                        detail: String::new(),
                        refused: false,
                    },
                ],
                log_next: None,
                rules: sample_rules(),
                daily: (1..=14).map(|d| (format!("{d:02}"), (d * 37 % 500) as u64)).collect(),
                daily_period: "2026-02-17 to 2026-03-02".into(),
                money_flow: Some(
                    "14.28 USD on coins · creators 2.50 · platform 11.78 · unspent 0.00".into(),
                ),
                verify: None,
            }),
        };
    }
    let pack = |id: &str, coins: &str, price: &str, per: &str| PackLine {
        id: id.into(),
        coins: coins.into(),
        price: price.into(),
        per_coin: per.into(),
    };
    ViewModel {
        currency: "USD".into(),
        economy: crate::config::Config::defaults().ok().map(|c| c.economy),
        today: chrono::NaiveDate::from_ymd_opt(2026, 3, 2),
        creators: vec!["Ana".into()],
        service: false,
        member: Some(MemberView {
            me: members[1].clone(),
            limits: vec![limit],
            age_rules: Some(AgeRules {
                text: "Age rules: Sam is 15: purchases need approval, gifts need approval, \
                       cashing out refused"
                    .into(),
                refuses: false,
            }),
            held: String::new(),
            allowance: String::new(),
            packs: vec![pack("coins-70", "70 coins", "0.99 USD", "0.0141 USD"), pack("coins-350", "350 coins", "4.99 USD", "0.0143 USD")],
            pack_previews: vec![
                Preview { verdict: Verdict::NeedsApproval, summary: "Sam buys 70 coins for 0.99 USD".into(), reasons: vec![(false, "Sam is 15: from 13 to 17, purchases need a guardian's approval".into())] },
                Preview {
                    verdict: Verdict::Deny,
                    summary: "Sam buys 350 coins for 4.99 USD".into(),
                    reasons: vec![(true, "it is 21:30, inside Sam's quiet hours (21:00–07:00, America/New_York time): no spending until they end".into())],
                },
            ],
            custom_rate: "0.0141 USD".into(),
            creators: vec!["Ana".into()],
            gifts: vec![
                GiftLine { id: "rose".into(), name: "Rose".into(), price: "1 coin (≈0.01 USD)".into() },
                GiftLine { id: "galaxy".into(), name: "Galaxy".into(), price: "1,000 coins (≈14.14 USD)".into() },
            ],
            gift_preview: Some((
                GiftChoice { creator: "Ana".into(), gift: "rose".into(), count: 1 },
                Preview {
                    verdict: Verdict::Deny,
                    summary: "Sam sends 1 × Rose to Ana: 1 coin (0.01 USD); Ana receives 0 diamonds".into(),
                    reasons: vec![(true, "a guardian has blocked gifts from Sam to Ana".into())],
                },
            )),
            requests: vec![pending, denied],
            history,
            history_next: None,
        }),
        members,
        demo_pin: None,
        creator: None,
        guardian: None,
    }
}

/// A creator's sample: Ana, with the member screens' sample under it.
#[doc(hidden)]
pub fn sample_creator() -> ViewModel {
    let mut vm = sample(false);
    if let Some(m) = vm.member.as_mut() {
        m.me = vm.members[2].clone();
    }
    vm.creator = Some(CreatorView {
        diamonds: 2_150,
        holds: "2,150 diamonds (10.75 USD)".into(),
        per_diamond: "0.005 USD".into(),
        share_percent: 50,
        per_fan_coin: "0.0025 USD".into(),
        minimum: "5.00 USD".into(),
        all_preview: Some(Preview {
            verdict: Verdict::Allow,
            summary: "Ana cashes out 2,150 diamonds for 10.75 USD (0.0025 USD per coin fans spent)"
                .into(),
            reasons: Vec::new(),
        }),
        received: vec![HistoryLine {
            id: 12,
            when: "2026-03-02 16:00".into(),
            kind: "gift".into(),
            member: "Sam".into(),
            figures: "+30 diamonds (0.15 USD)".into(),
            detail: "2 × Doughnut (30 coins) to Ana: 60 coins; those coins cost 0.86 USD; Ana receives 30 diamonds".into(),
            reversed_by: None,
        }],
    });
    vm
}

/// Sam's rules for the sample: two limits, quiet hours, Ana blocked.
fn sample_rules() -> Vec<MemberRules> {
    use crate::config::Verdict as Rule;
    let sam = MemberId(2);
    let set = [
        Limit {
            member: sam,
            scope: Scope::Purchase,
            window: Window::Week,
            soft: Some(LimitAmount::Money(crate::money::Money::from_micros(
                crate::money::Currency::USD,
                10_000_000,
            ))),
            hard: Some(LimitAmount::Money(crate::money::Money::from_micros(
                crate::money::Currency::USD,
                25_000_000,
            ))),
        },
        Limit {
            member: sam,
            scope: Scope::Gift,
            window: Window::Day,
            soft: None,
            hard: Some(LimitAmount::Coins(Coins::new(300))),
        },
    ];
    let mut rows: Vec<RuleTarget> = Scope::ALL
        .into_iter()
        .flat_map(|scope| Window::ALL.into_iter().map(move |window| (scope, window)))
        .map(|(scope, window)| RuleTarget::Limit {
            scope,
            window,
            now: set
                .iter()
                .find(|l| l.scope == scope && l.window == window)
                .copied(),
        })
        .collect();
    rows.push(RuleTarget::Quiet(Some(QuietHours {
        start_minute: 21 * 60,
        end_minute: 7 * 60,
        verdict: Rule::Deny,
    })));
    rows.push(RuleTarget::Creator {
        name: "Ana".into(),
        list: Some(CreatorList::Block),
    });
    vec![MemberRules {
        member: sam,
        name: "Sam".into(),
        age_rules: AgeRules {
            text: "Age rules: Sam is 15: purchases need approval, gifts need approval, \
                   cashing out refused"
                .into(),
            refuses: false,
        },
        rows,
    }]
}
