//! Period reports: a member's day, week or month, with totals by scope, every
//! limit with what is used and left, top creators gifted, refused attempts and
//! pending requests. Reads buckets and indexed ranges only.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, params};

use chrono_tz::Tz;

use crate::config::Config;
use crate::domain::{LimitUnit, MemberId, Window};
use crate::ledger::{self, LedgerError, Limit, Member, Request, RequestStatus, Spend, spend};
use crate::money::{Currency, Money};

/// A calendar period in the household's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    pub fn parse(text: &str) -> Option<Period> {
        match text.trim().to_ascii_lowercase().as_str() {
            "day" => Some(Period::Day),
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            _ => None,
        }
    }

    fn window(&self) -> Window {
        match self {
            Period::Day => Window::Day,
            Period::Week => Window::Week,
            Period::Month => Window::Month,
        }
    }
}

/// A limit as it stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitStatus {
    pub limit: Limit,
    pub used: i64,
    /// For a gift limit: what the coins used cost (from their lots), so the
    /// used coins show their real value; 0 for money limits.
    pub used_cost: i64,
    pub remaining: i64,
    /// Of the hard amount if set, else the soft one, computed from the
    /// figures as shown (money rounded to the cent), so "60.00 USD of
    /// 60.00 USD" never reads 99%.
    pub percent: i64,
}

/// A refused attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub at_us: i64,
    pub summary: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodReport {
    pub member: Member,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Spent in the period (purchase money, gift coins, all money).
    pub spent: Spend,
    /// True when the period holds today: limits are judged now, so they (and
    /// pending requests) are reported only then; a past period has none.
    pub current: bool,
    /// Every limit as it stands now (empty for a past period).
    pub limits: Vec<LimitStatus>,
    /// (creator, coins, what those coins cost in micro-units), most first.
    pub top_creators: Vec<(String, i64, i64)>,
    pub refused_count: i64,
    pub refused_latest: Vec<Refusal>,
    /// Requests waiting now (empty for a past period).
    pub pending: Vec<Request>,
}

/// The calendar period (day, ISO week from Monday, month) that holds `day`.
pub fn period_days(period: Period, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    spend::calendar_days(period.window(), day).unwrap_or((day, day))
}

/// Every limit of `member` with what it has used so far as of `now`: the one
/// place that answers "how much of this limit is left" (reports, `limit
/// list`, the TUI). Each window is summed once, however many limits share it.
pub fn limit_statuses(
    conn: &Connection,
    member: MemberId,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<LimitStatus>, LedgerError> {
    let mut statuses = Vec::new();
    let currency = ledger::household_currency(conn)?;
    let limits = ledger::limits_of(conn, member)?;
    // Every window in one read, as the guard sums them.
    let mut wanted: Vec<Window> = Vec::new();
    for limit in &limits {
        if !wanted.contains(&limit.window) {
            wanted.push(limit.window);
        }
    }
    let windows = ledger::spent_in_windows(conn, member, &wanted, now, tz)?;
    for limit in limits {
        let (used, used_cost) = if limit.window == Window::Transaction {
            (0, 0) // a single transaction: nothing before it counts
        } else {
            let spent = windows
                .iter()
                .find(|(w, _)| *w == limit.window)
                .map_or_else(Spend::default, |(_, spent)| *spent);
            let cost = match limit.scope.unit() {
                LimitUnit::Money => 0,
                LimitUnit::Coins => spent.gift_cost_micros.max(0),
            };
            (spent.for_scope(limit.scope).max(0), cost)
        };
        let cap = limit.cap_units();
        statuses.push(LimitStatus {
            limit,
            used,
            used_cost,
            remaining: (cap - used).max(0),
            percent: percent_as_shown(
                used,
                cap,
                (limit.scope.unit() == LimitUnit::Money).then_some(currency),
            ),
        });
    }
    Ok(statuses)
}

/// `used` of `cap` in percent, floored, from the figures people read: money
/// rounded to the currency's minor unit first, as it is displayed.
fn percent_as_shown(used: i64, cap: i64, money: Option<Currency>) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    let shown = |v: i64| match money {
        Some(currency) => Money::from_micros(currency, v)
            .display_amount()
            .checked_mul(rust_decimal::Decimal::from(
                10i64.pow(currency.minor_units()),
            ))
            .and_then(|d| d.to_i64())
            .unwrap_or(v),
        None => v,
    };
    let (used, cap) = (shown(used), shown(cap));
    if cap <= 0 {
        return 0;
    }
    i64::try_from(i128::from(used) * 100 / i128::from(cap)).unwrap_or(i64::MAX)
}

/// The report for the current `period` (the one holding today).
pub fn period_report(
    conn: &Connection,
    config: &Config,
    member: &Member,
    period: Period,
    now: DateTime<Utc>,
) -> Result<PeriodReport, LedgerError> {
    let today = now.with_timezone(&config.settings.timezone).date_naive();
    let (first_day, last_day) = period_days(period, today);
    period_report_between(conn, config, member, first_day, last_day, now)
}

/// The report for any span of household-local days, inclusive: spending
/// totals, top creators and refusals in the span. Limits and pending
/// requests are about now, so they are filled in only when the span holds
/// today. Reads day buckets and indexed ranges only.
pub fn period_report_between(
    conn: &Connection,
    config: &Config,
    member: &Member,
    first_day: NaiveDate,
    last_day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<PeriodReport, LedgerError> {
    let tz = config.settings.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let current = first_day <= today && today <= last_day;
    let spent = conn
        .prepare_cached(
            // The same local-day buckets the guard's calendar windows read.
            "SELECT COALESCE(SUM(purchase_micros), 0), COALESCE(SUM(gift_coins), 0), COALESCE(SUM(all_micros), 0), COALESCE(SUM(gift_cost_micros), 0)
             FROM spend_buckets WHERE member_id = ?1 AND kind = 'local_day' AND start >= ?2 AND start < ?3",
        )?
        .query_row(
            params![
                member.id.0,
                spend::day_number(first_day),
                spend::day_number(last_day).saturating_add(1)
            ],
            |r| {
                Ok(Spend {
                    purchase_micros: r.get(0)?,
                    gift_coins: r.get(1)?,
                    all_micros: r.get(2)?,
                    gift_cost_micros: r.get(3)?,
                })
            },
        )?;
    let limits = if current {
        limit_statuses(conn, member.id, now, tz)?
    } else {
        Vec::new()
    };
    let (from, to) = super::history::day_bounds(Some(first_day), Some(last_day), tz);
    let mut stmt = conn.prepare_cached(
        // Spend events carry each gift's creator, coins and cost (a reversal
        // the negative, at the original's time), so this is one range over a
        // covering index, and reversed gifts net out.
        "SELECT m.name, SUM(e.gift_coins), SUM(e.gift_cost_micros)
         FROM spend_events e JOIN members m ON m.id = e.creator_id
         WHERE e.member_id = ?1 AND e.at_us >= ?2 AND e.at_us < ?3 AND e.creator_id IS NOT NULL
         GROUP BY e.creator_id HAVING SUM(e.gift_coins) > 0 ORDER BY 2 DESC LIMIT 5",
    )?;
    let top_creators = stmt
        .query_map(params![member.id.0, from, to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let refused_count: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM decisions WHERE member_id = ?1 AND outcome = 'deny' AND at_us >= ?2 AND at_us < ?3")?
        .query_row(params![member.id.0, from, to], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(
        "SELECT at_us, summary, reasons FROM decisions WHERE member_id = ?1 AND outcome = 'deny' AND at_us >= ?2 AND at_us < ?3
         ORDER BY at_us DESC LIMIT 5",
    )?;
    let refused_latest = stmt
        .query_map(params![member.id.0, from, to], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .map(|row| {
            row.map(|(at_us, summary, reasons)| {
                let reasons: serde_json::Value = serde_json::from_str(&reasons).unwrap_or_default();
                let reason = reasons[0]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                Refusal {
                    at_us,
                    summary,
                    reason,
                }
            })
        })
        .collect::<Result<_, _>>()?;
    let pending = if current {
        ledger::list_requests(conn, Some(RequestStatus::Pending), Some(member.id), 50)?
    } else {
        Vec::new()
    };
    Ok(PeriodReport {
        member: member.clone(),
        first_day,
        last_day,
        spent,
        current,
        limits,
        top_creators,
        refused_count,
        refused_latest,
        pending,
    })
}

#[cfg(test)]
mod tests {
    use super::percent_as_shown;
    use crate::money::Currency;

    #[test]
    fn percent_follows_the_figures_people_read() {
        let usd = Some(Currency::USD);
        // 59.995 USD shows as 60.00 USD: of 60.00 USD that is 100%, not 99%.
        assert_eq!(percent_as_shown(59_995_000, 60_000_000, usd), 100);
        assert_eq!(percent_as_shown(59_994_999, 60_000_000, usd), 99);
        assert_eq!(percent_as_shown(150, 500, None), 30);
        assert_eq!(percent_as_shown(10, 0, usd), 0);
    }
}
