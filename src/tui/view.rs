//! The view model: everything the screens show, loaded from the services in
//! one go, and again only when the database changes. Rendering reads this and
//! never the database.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::editor::{AgeRules, MemberRules, RuleTarget};
use super::filter::Filter;
use crate::config::Economy;
use crate::domain::{Clock, LimitAmount, MemberId, Role, Scope, Window};
use crate::ledger::{self, Account, RequestStatus, Store};
use crate::money::{Coins, Currency, Diamonds, Money, rounding};
use crate::report::{self, HistoryFilter};
use crate::services::{self, GiftRequest, Mode, OutcomeKind, PurchaseRequest};

/// How a preview came out: the guard's own [`Outcome`].
pub use crate::domain::Outcome as Verdict;

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
    pub name: String,
    pub role: Role,
    pub age: Option<u32>,
    pub has_pin: bool,
    pub coins: String,
    pub diamonds: String,
    /// What they hold, in one phrase: their coins, their diamonds, or both.
    pub holds: String,
}

/// Coins, diamonds, or both (whichever are not zero; coins if neither).
fn holdings(coins: &str, diamonds: &str, has_coins: bool, has_diamonds: bool) -> String {
    match (has_coins, has_diamonds) {
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
    pub left: String,
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub when: String,
    pub kind: String,
    pub member: String,
    pub figures: String,
    pub detail: String,
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

/// What a member's screens show.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberView {
    pub me: MemberLine,
    pub limits: Vec<LimitLine>,
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
    pub history_next: Option<report::Cursor>,
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
    /// The latest gifts received.
    pub received: Vec<HistoryLine>,
}

/// What a guardian's screens show.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardianView {
    pub pending: Vec<RequestLine>,
    pub alerts: Vec<String>,
    pub limits: Vec<(String, Vec<LimitLine>)>,
    pub refusals: Vec<String>,
    pub history: Vec<HistoryLine>,
    pub history_next: Option<report::Cursor>,
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
    pub verify: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ViewModel {
    pub currency: String,
    /// The prices, for the editor's before/after (None only before loading).
    pub economy: Option<Economy>,
    /// The household-local date, for a new member's age.
    pub today: Option<chrono::NaiveDate>,
    pub members: Vec<MemberLine>,
    /// The guardians' PIN, shown on the pick screen, only in the demo
    /// household (whose PIN is printed in the README anyway).
    pub demo_pin: Option<String>,
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
    pub history_after: Option<report::Cursor>,
    /// The decision or guardian-action log starts below this id.
    pub log_before: Option<i64>,
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
    }

    fn history_filter(&self, member: Option<MemberId>) -> HistoryFilter {
        HistoryFilter {
            member: member.or(self.filter.member),
            creator: self.filter.creator,
            kind: self.filter.kind,
            since: self.filter.since,
            until: self.filter.until,
        }
    }

    fn log_filter(&self, tz: chrono_tz::Tz) -> report::LogFilter {
        let dated = self.filter.since.is_some() || self.filter.until.is_some();
        let (from, to) = report::day_bounds(self.filter.since, self.filter.until, tz);
        report::LogFilter {
            member: self.filter.member.map(|m| m.0),
            kind: None,
            from_us: dated.then_some(from),
            to_us: dated.then_some(to),
            before: self.log_before,
        }
    }
}

fn money(micros: i64, currency: Currency) -> String {
    Money::from_micros(currency, micros).to_string()
}

pub fn preview_of(outcome: Result<services::Outcome, services::ServiceError>) -> Preview {
    match outcome {
        Ok(o) => Preview {
            verdict: match o.kind {
                OutcomeKind::Committed | OutcomeKind::WouldCommit => Verdict::Allow,
                OutcomeKind::Pending => Verdict::NeedsApproval,
                OutcomeKind::Denied => Verdict::Deny,
            },
            summary: o.summary,
            reasons: o
                .reasons
                .into_iter()
                .map(|r| (r.severity == crate::domain::Outcome::Deny, r.message))
                .collect(),
        },
        Err(e) => Preview {
            verdict: Verdict::Deny,
            summary: e.to_string(),
            reasons: Vec::new(),
        },
    }
}

fn history_lines(
    rows: Vec<report::HistoryRow>,
    currency: Currency,
    tz: chrono_tz::Tz,
) -> Vec<HistoryLine> {
    rows.into_iter()
        .map(|r| {
            let mut figures = Vec::new();
            if r.coins != 0 {
                figures.push(format!(
                    "{}{}",
                    if r.coins > 0 { "+" } else { "-" },
                    Coins::new(r.coins.unsigned_abs())
                ));
            }
            if r.diamonds != 0 {
                figures.push(format!(
                    "{}{}",
                    if r.diamonds > 0 { "+" } else { "-" },
                    Diamonds::new(r.diamonds.unsigned_abs())
                ));
            }
            figures.push(money(r.money_micros, currency));
            HistoryLine {
                when: report::local(r.at_us, tz),
                kind: r.kind.as_str().into(),
                member: r.member,
                figures: figures.join(", "),
                detail: r.detail,
            }
        })
        .collect()
}

/// "in 47 hours", "in 20 minutes", or "now" for a time still to come.
fn time_left(now_us: i64, at_us: i64) -> String {
    let minutes = (at_us - now_us) / 60_000_000;
    match minutes {
        m if m <= 0 => "now".into(),
        m if m < 120 => format!("in {m} minutes"),
        m => format!("in {} hours", m / 60),
    }
}

fn request_lines(
    store: &Store,
    members: &[MemberLine],
    requests: Vec<ledger::Request>,
    economy: &Economy,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<Vec<RequestLine>, services::ServiceError> {
    requests
        .into_iter()
        .map(|r| {
            // The coins approving a held gift would spend, priced from their
            // lots as the gift's summary is (the pack rate only if the
            // wallet no longer holds them).
            let holds = if r.status == RequestStatus::Pending && r.hold_coins > 0 {
                let coins = u64::try_from(r.hold_coins).unwrap_or(0);
                match ledger::cost_of_coins(store.conn(), r.member, coins)? {
                    Some(cost) => {
                        crate::guard::coins_and_money(r.hold_coins, cost, economy.currency)
                    }
                    None => economy.coins_with_value(r.hold_coins),
                }
            } else {
                String::new()
            };
            let reasons: serde_json::Value =
                serde_json::from_str(&r.reasons_json).unwrap_or_default();
            let expires = match (r.status, r.resolved_at_us) {
                (RequestStatus::Pending, _) => format!(
                    "expires {}, {}",
                    report::local(r.expires_at_us, tz),
                    time_left(now.timestamp_micros(), r.expires_at_us)
                ),
                (status, Some(at)) => format!("{} {}", status.as_str(), report::local(at, tz)),
                (status, None) => status.as_str().to_string(),
            };
            Ok(RequestLine {
                id: r.id,
                member: members
                    .iter()
                    .find(|m| m.id == r.member)
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
                status: r.status,
                summary: r.summary,
                why: reasons
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|x| x["message"].as_str().map(str::to_string))
                    .collect(),
                note: r.note,
                resolution: r.resolution.unwrap_or_default(),
                asked: report::local(r.created_at_us, tz),
                expires,
                holds,
            })
        })
        .collect()
}

fn limit_lines(
    store: &Store,
    config: &crate::config::Config,
    member: &ledger::Member,
    now: DateTime<Utc>,
) -> Result<Vec<LimitLine>, services::ServiceError> {
    let (currency, tz) = (config.settings.currency, config.settings.timezone);
    let mut lines = Vec::new();
    for status in report::limit_statuses(store.conn(), member.id, now, tz)? {
        let (limit, used, used_cost) = (status.limit, status.used, status.used_cost);
        let cap = limit.cap_units().max(1);
        let show = |v: i64| match LimitAmount::of_scope(limit.scope, v, currency) {
            Ok(amount) => services::show_amount(amount, &config.economy),
            Err(_) => v.to_string(),
        };
        let window = if limit.window == Window::Transaction {
            "each time".to_string()
        } else {
            limit.window.phrase().to_string()
        };
        lines.push(LimitLine {
            what: format!("{} {window}", limit.scope),
            cap: show(cap),
            title: format!(
                "{} {window}: {}",
                limit.scope,
                services::describe_thresholds(&limit, &config.economy)
            ),
            // Coins used are known coins, with what they cost; the cap and
            // what is left are amounts, at the pack rate (≈).
            used: match LimitAmount::of_scope(limit.scope, used, currency) {
                Ok(LimitAmount::Coins(_)) => {
                    crate::guard::coins_and_money(used, used_cost, currency)
                }
                _ => show(used),
            },
            left: show((cap - used).max(0)),
            ratio: (used as f64 / cap as f64).clamp(0.0, 1.0),
        });
    }
    Ok(lines)
}

const LOG_PAGE: usize = 30;

/// The audit screen's log rows (decisions or guardian actions), newest
/// first, one page, and where the next page starts.
fn log_lines(
    store: &Store,
    choice: &Selection,
    tz: chrono_tz::Tz,
    members: &[MemberLine],
) -> Result<(Vec<LogLine>, Option<i64>), services::ServiceError> {
    let mut filter = choice.log_filter(tz);
    let (mut lines, mut ids) = (Vec::new(), Vec::new());
    match choice.audit {
        AuditView::Ledger | AuditView::Alerts => {}
        AuditView::Decisions => {
            filter.kind = choice.filter.outcome.map(|o| o.as_str().to_string());
            for d in report::decisions(store.conn(), &filter, LOG_PAGE + 1)? {
                let reasons: serde_json::Value =
                    serde_json::from_str(&d.reasons_json).unwrap_or_default();
                let (word, refused) = match d.outcome.as_str() {
                    "allow" => ("allowed", false),
                    "deny" => ("refused", true),
                    _ => ("asked", false),
                };
                ids.push(d.id);
                lines.push(LogLine {
                    when: report::local(d.at_us, tz),
                    who: d.member,
                    what: word.into(),
                    text: d.summary,
                    detail: reasons[0]["message"].as_str().unwrap_or_default().into(),
                    refused,
                });
            }
        }
        AuditView::Actions => {
            for a in report::guardian_actions(store.conn(), &filter, LOG_PAGE + 1)? {
                ids.push(a.id);
                let detail = if a.before.is_empty() {
                    a.after
                } else {
                    format!("before: {} → after: {}", a.before, a.after)
                };
                lines.push(LogLine {
                    when: report::local(a.at_us, tz),
                    who: a.actor.unwrap_or_else(|| "(unknown name)".into()),
                    refused: a.action.contains("fail") || a.action.contains("locked"),
                    what: a.action,
                    text: a.subject,
                    detail,
                });
            }
        }
    }
    if choice.audit == AuditView::Alerts {
        // Open alerts are few (a guardian marks them seen): no paging.
        let (from, to) = report::day_bounds(choice.filter.since, choice.filter.until, tz);
        for a in ledger::open_alerts(store.conn(), 200)?
            .into_iter()
            .filter(|a| choice.filter.member.is_none_or(|m| m == a.member))
            .filter(|a| from <= a.at_us && a.at_us < to)
        {
            let who = members
                .iter()
                .find(|m| m.id == a.member)
                .map(|m| m.name.clone())
                .unwrap_or_default();
            lines.push(LogLine {
                when: report::local(a.at_us, tz),
                who,
                what: match a.kind.strip_prefix("limit_") {
                    Some(pct) => format!("{pct}% used"),
                    None => "refused".into(),
                },
                text: String::new(),
                refused: a.kind == "denied",
                detail: a.message,
            });
        }
        return Ok((lines, None));
    }
    // One row more than a page was read: it says whether another page exists.
    let next = (lines.len() > LOG_PAGE).then(|| ids[LOG_PAGE - 1]);
    lines.truncate(LOG_PAGE);
    Ok((lines, next))
}

/// What a member's age allows, from the household's age bands, in words:
/// "Kim is 12 (under 13): buying coins refused, gifts refused, cashing out
/// refused". Age rules come before limits, which cannot loosen them.
fn age_rules(
    bands: &[crate::config::AgeBand],
    member: &ledger::Member,
    today: chrono::NaiveDate,
) -> AgeRules {
    use crate::config::Verdict as Rule;
    let Some(age) = member.birthdate.map(|b| b.age_on(today)) else {
        return AgeRules {
            text: format!(
                "{} has no birthdate: age rules treat them as an adult",
                member.name
            ),
            refuses: false,
        };
    };
    let Some(band) = bands.iter().rev().find(|b| b.from_age <= age) else {
        return AgeRules {
            text: format!("{} is {age}: no age band applies", member.name),
            refuses: false,
        };
    };
    let next = bands.iter().find(|b| b.from_age > age).map(|b| b.from_age);
    let range = match (band.from_age, next) {
        (0, Some(to)) => format!("under {to}"),
        (from, Some(to)) => format!("{from} to {}", to - 1),
        (from, None) => format!("{from} and over"),
    };
    let word = |rule: Rule, one: bool| match (rule, one) {
        (Rule::Allow, _) => "allowed",
        (Rule::NeedsApproval, false) => "need approval",
        (Rule::NeedsApproval, true) => "needs approval",
        (Rule::Deny, _) => "refused",
    };
    AgeRules {
        text: format!(
            "Age rules: {} is {age} ({range}): purchases {}, gifts {}, cashing out {}",
            member.name,
            word(band.purchase, false),
            word(band.gift, false),
            word(band.redeem, true)
        ),
        // Spending refused by age, whatever the limits below say.
        refuses: band.purchase == Rule::Deny || band.gift == Rule::Deny,
    }
}

/// Every member's rules for the editor: their age rules, the 21 limit
/// slots, quiet hours, and a row per creator.
fn rules_of(
    store: &Store,
    members: &[ledger::Member],
    bands: &[crate::config::AgeBand],
    today: chrono::NaiveDate,
) -> Result<Vec<MemberRules>, services::ServiceError> {
    let mut all = Vec::new();
    for m in members.iter().filter(|m| m.role != Role::Guardian) {
        let limits = ledger::limits_of(store.conn(), m.id)?;
        let lists = ledger::creator_lists_of(store.conn(), m.id)?;
        let mut rows = Vec::new();
        for scope in Scope::ALL {
            for window in Window::ALL {
                let now = limits
                    .iter()
                    .find(|l| l.scope == scope && l.window == window)
                    .copied();
                rows.push(RuleTarget::Limit { scope, window, now });
            }
        }
        rows.push(RuleTarget::Quiet(ledger::quiet_hours_of(
            store.conn(),
            m.id,
        )?));
        for c in members
            .iter()
            .filter(|c| c.role == Role::Creator && c.id != m.id)
        {
            rows.push(RuleTarget::Creator {
                name: c.name.to_string(),
                list: lists.iter().find(|(id, _)| *id == c.id).map(|(_, l)| *l),
            });
        }
        all.push(MemberRules {
            member: m.id,
            name: m.name.to_string(),
            age_rules: age_rules(bands, m, today),
            rows,
        });
    }
    Ok(all)
}

/// The first and last day of the audit chart: 14 days ending today, or
/// `back` periods of 14 days earlier.
pub fn chart_days(today: chrono::NaiveDate, back: u32) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let last = today - chrono::TimeDelta::days(14 * i64::from(back));
    (last - chrono::TimeDelta::days(13), last)
}

/// A creator's earnings: diamonds and what they pay out, the rates, the
/// minimum payout, a preview of cashing out everything, the latest gifts.
fn creator_view(
    store: &mut Store,
    clock: &dyn Clock,
    config: &crate::config::Config,
    member: &ledger::Member,
    me: &MemberLine,
    tz: chrono_tz::Tz,
) -> Result<CreatorView, services::ServiceError> {
    let economy = &config.economy;
    let currency = economy.currency;
    let diamonds = ledger::balance(store.conn(), Account::Earnings(member.id))?
        .max(0)
        .unsigned_abs();
    let per_fan_coin =
        economy.diamond_value * Decimal::from(economy.diamond_share_percent) / Decimal::from(100);
    let name = member.name.to_string();
    let all_preview = (diamonds > 0).then(|| {
        preview_of(services::redeem(
            store,
            clock,
            Mode::Preview,
            &services::RedeemRequest {
                creator: &name,
                diamonds: Diamonds::new(diamonds),
                key: None,
            },
        ))
    });
    let received = report::history_page(
        store.conn(),
        &HistoryFilter {
            member: None,
            creator: Some(member.id),
            kind: Some(ledger::Kind::Gift),
            since: None,
            until: None,
        },
        tz,
        None,
        10,
    )?;
    Ok(CreatorView {
        diamonds,
        holds: me.diamonds.clone(),
        per_diamond: format!("{} {currency}", economy.diamond_value.normalize()),
        share_percent: economy.diamond_share_percent,
        per_fan_coin: format!("{} {currency}", rounding::rate_for_display(per_fan_coin)),
        minimum: economy.minimum_payout.to_string(),
        all_preview,
        received: history_lines(received.rows, currency, tz),
    })
}

/// Whether this is the demo household, by the marker the demo leaves in
/// the `settings` table (false where there is no such table). To be wired
/// to the demo's own marker (`services::demo_pin`) when that lands.
/// Loads everything for `who` (none: only the member list).
pub fn load(
    store: &mut Store,
    clock: &dyn Clock,
    who: Option<MemberId>,
    choice: &Selection,
) -> Result<ViewModel, services::ServiceError> {
    let config = store.config()?;
    let (currency, tz) = (config.settings.currency, config.settings.timezone);
    let now = clock.now();
    let today = now.with_timezone(&tz).date_naive();
    let mut vm = ViewModel {
        currency: currency.code().to_string(),
        economy: Some(config.economy.clone()),
        today: Some(today),
        ..Default::default()
    };
    vm.demo_pin = services::demo_pin(store.conn())?.map(str::to_string);
    // Read once; every part below works from this list.
    let members = ledger::list_members(store.conn())?;
    for m in &members {
        let coins = ledger::balance(store.conn(), Account::Wallet(m.id))?;
        let cost = ledger::lot_cost_of_wallet(store.conn(), m.id)?;
        let diamonds = ledger::balance(store.conn(), Account::Earnings(m.id))?;
        let value = rounding::for_payout(
            Decimal::from(diamonds) * config.economy.diamond_value,
            currency,
        )
        .unwrap_or(Money::zero(currency));
        let coins_text = format!(
            "{} ({})",
            Coins::from_i64(coins).unwrap_or_default(),
            money(cost, currency)
        );
        let diamonds_text = format!(
            "{} ({value})",
            Diamonds::from_i64(diamonds).unwrap_or_default()
        );
        vm.members.push(MemberLine {
            id: m.id,
            name: m.name.to_string(),
            role: m.role,
            age: m.birthdate.map(|b| b.age_on(today)),
            has_pin: m.has_pin,
            holds: holdings(&coins_text, &diamonds_text, coins != 0, diamonds != 0),
            coins: coins_text,
            diamonds: diamonds_text,
        });
    }
    let Some(who) = who else { return Ok(vm) };
    let Some(member) = members.iter().find(|m| m.id == who).cloned() else {
        return Ok(vm);
    };
    let me = vm
        .members
        .iter()
        .find(|m| m.id == who)
        .cloned()
        .ok_or(services::ServiceError::UnknownRequest { id: who.0 })?;
    if member.role == Role::Guardian {
        let pending = services::list_requests(store, clock, Some(RequestStatus::Pending), None)?;
        let mut limits = Vec::new();
        for m in members.iter().filter(|m| m.role != Role::Guardian) {
            let lines = limit_lines(store, &config, m, now)?;
            if !lines.is_empty() {
                limits.push((m.name.to_string(), lines));
            }
        }
        let refusals = report::decisions(
            store.conn(),
            &report::LogFilter {
                kind: Some("deny".into()),
                ..Default::default()
            },
            5,
        )?
        .into_iter()
        .map(|d| {
            let reasons: serde_json::Value =
                serde_json::from_str(&d.reasons_json).unwrap_or_default();
            format!(
                "{} {}: {}",
                report::local(d.at_us, tz),
                d.member,
                reasons[0]["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
        let page = report::history_page(
            store.conn(),
            &choice.history_filter(None),
            tz,
            choice.history_after,
            30,
        )?;
        let (log, log_next) = log_lines(store, choice, tz, &vm.members)?;
        // Spend per day from the maintained day buckets: 14 rows per member.
        let (first_day, last_day) = chart_days(today, choice.chart_back);
        let last = ledger::spend::day_number(last_day);
        let first = last - 13;
        let mut cents = [0i64; 14];
        for m in &members {
            for (day, spent) in ledger::spend::local_day_totals(store.conn(), m.id, first, last)? {
                if let Some(slot) = usize::try_from(day - first)
                    .ok()
                    .and_then(|i| cents.get_mut(i))
                {
                    *slot += spent.purchase_micros / 10_000;
                }
            }
        }
        let daily = (0..14i64)
            .map(|i| {
                (
                    (last_day - chrono::TimeDelta::days(13 - i))
                        .format("%d")
                        .to_string(),
                    cents[i as usize].max(0).unsigned_abs(),
                )
            })
            .collect();
        vm.guardian = Some(GuardianView {
            pending: request_lines(store, &vm.members, pending, &config.economy, tz, now)?,
            alerts: ledger::open_alerts(store.conn(), 20)?
                .into_iter()
                .map(|a| format!("{} {}", report::local(a.at_us, tz), a.message))
                .collect(),
            limits,
            refusals,
            history_next: page.next,
            history: history_lines(page.rows, currency, tz),
            log,
            log_next,
            rules: rules_of(store, &members, &config.age_bands, today)?,
            daily,
            daily_period: format!("{first_day} to {last_day}"),
            verify: None,
        });
    } else {
        let name = member.name.to_string();
        let packs = config.economy.packs.iter().map(|p| PackLine {
            id: p.id.clone(),
            coins: p.coins.to_string(),
            price: p.price.to_string(),
            per_coin: format!(
                "{} {currency}",
                rounding::rate_for_display(p.price_per_coin())
            ),
        });
        let mut pack_previews = Vec::new();
        for p in &config.economy.packs {
            pack_previews.push(preview_of(services::purchase(
                store,
                clock,
                Mode::Preview,
                &PurchaseRequest::Pack {
                    member: &name,
                    pack: &p.id,
                    key: None,
                },
            )));
        }
        let creators: Vec<String> = vm
            .members
            .iter()
            .filter(|m| m.role == Role::Creator && m.id != who)
            .map(|m| m.name.clone())
            .collect();
        let gifts: Vec<GiftLine> = config
            .economy
            .gifts
            .iter()
            .map(|g| GiftLine {
                id: g.id.clone(),
                name: g.name.to_string(),
                price: config
                    .economy
                    .coins_with_value(i64::try_from(g.coins.get()).unwrap_or(i64::MAX)),
            })
            .collect();
        let gift_preview = match (
            creators.get(choice.creator),
            config.economy.gifts.get(choice.gift),
        ) {
            (Some(creator), Some(gift)) => {
                let chosen = GiftChoice {
                    creator: creator.clone(),
                    gift: gift.id.clone(),
                    count: choice.count.max(1),
                };
                let preview = preview_of(services::gift(
                    store,
                    clock,
                    Mode::Preview,
                    &GiftRequest {
                        member: &name,
                        creator,
                        gift: &chosen.gift,
                        count: chosen.count,
                        key: None,
                    },
                ));
                Some((chosen, preview))
            }
            _ => None,
        };
        if member.role == Role::Creator {
            vm.creator = Some(creator_view(store, clock, &config, &member, &me, tz)?);
        }
        let requests = services::list_requests(store, clock, None, Some(&name))?;
        let page = report::history_page(
            store.conn(),
            &choice.history_filter(Some(who)),
            tz,
            choice.history_after,
            30,
        )?;
        vm.member = Some(MemberView {
            limits: limit_lines(store, &config, &member, now)?,
            packs: packs.collect(),
            pack_previews,
            custom_rate: format!(
                "{} {currency}",
                rounding::rate_for_display(config.economy.best_rate_per_coin())
            ),
            creators,
            gifts,
            gift_preview,
            requests: request_lines(
                store,
                &vm.members,
                requests.into_iter().take(30).collect(),
                &config.economy,
                tz,
                now,
            )?,
            history_next: page.next,
            history: history_lines(page.rows, currency, tz),
            me,
        });
    }
    Ok(vm)
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
        left: "10.02 USD".into(),
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
        when: "2026-03-02 16:00".into(),
        kind: "gift".into(),
        member: "Sam".into(),
        figures: "-60 coins, +30 diamonds, 0.86 USD".into(),
        detail: "2 × Doughnut (30 coins) to Ana: 60 coins; those coins cost 0.86 USD; Ana receives 30 diamonds".into(),
    }];
    if guardian {
        return ViewModel {
            currency: "USD".into(),
            economy: crate::config::Config::defaults().ok().map(|c| c.economy),
            today: chrono::NaiveDate::from_ymd_opt(2026, 3, 2),
            members,
            demo_pin: None,
            member: None,
            creator: None,
            guardian: Some(GuardianView {
                pending: vec![pending],
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
        member: Some(MemberView {
            me: members[1].clone(),
            limits: vec![limit],
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
            when: "2026-03-02 16:00".into(),
            kind: "gift".into(),
            member: "Sam".into(),
            figures: "-60 coins, +30 diamonds, 0.86 USD".into(),
            detail: "2 × Doughnut (30 coins) to Ana: 60 coins; those coins cost 0.86 USD; Ana receives 30 diamonds".into(),
        }],
    });
    vm
}

/// Sam's rules for the sample: two limits, quiet hours, Ana blocked.
fn sample_rules() -> Vec<MemberRules> {
    use crate::config::Verdict as Rule;
    use crate::ledger::{CreatorList, Limit, QuietHours};
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
            text: "Age rules: Sam is 15 (13 to 17): purchases need approval, gifts need \
                   approval, cashing out refused"
                .into(),
            refuses: false,
        },
        rows,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BirthDate, Name};

    fn member(name: &str, born: Option<&str>) -> ledger::Member {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        ledger::Member {
            id: MemberId(5),
            name: Name::parse(name).unwrap(),
            role: Role::Teen,
            birthdate: born.map(|b| BirthDate::parse(b, today).unwrap()),
            has_pin: false,
        }
    }

    #[test]
    fn the_chart_steps_back_fourteen_days_at_a_time() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(chart_days(today, 0), (day(2, 17), day(3, 2)));
        assert_eq!(chart_days(today, 1), (day(2, 3), day(2, 16)));
        assert_eq!(chart_days(today, 2), (day(1, 20), day(2, 2)));
    }

    #[test]
    fn age_rules_say_what_an_age_allows_before_any_limit() {
        let bands = crate::config::Config::defaults().unwrap().age_bands;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let kim = age_rules(&bands, &member("Kim", Some("2014-01-09")), today);
        assert_eq!(
            kim.text,
            "Age rules: Kim is 12 (under 13): purchases refused, gifts refused, cashing out refused"
        );
        assert!(kim.refuses);
        let sam = age_rules(&bands, &member("Sam", Some("2011-03-14")), today);
        assert_eq!(
            sam.text,
            "Age rules: Sam is 14 (13 to 17): purchases need approval, gifts need approval, cashing out refused"
        );
        assert!(!sam.refuses, "spending is not refused, only asked for");
        let alex = age_rules(&bands, &member("Alex", Some("2006-08-30")), today);
        assert!(alex.text.contains("(18 and over): purchases allowed"));
        let none = age_rules(&bands, &member("Jo", None), today);
        assert!(none.text.contains("no birthdate"));
    }
}
