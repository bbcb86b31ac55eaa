//! The audit: money spent per day, then the ledger, the guard's decisions or the guardian actions; verify and export.
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph};

use crate::api::call::LogQuery;
use crate::api::reply::{
    AlertsView, DailySpendView, DecisionsView, GuardianLogView, HistoryView, MoneyFlowView,
};
use crate::api::{ApiError, Call};
use crate::client::Household;
use crate::tui::command::Command;
use crate::tui::filter::{self, Place};
use crate::tui::model::{
    AuditView, Basis, GuardianView, HISTORY_PAGE, Loading, LogLine, Reading, Selection, Verdict,
    ViewModel, chart_days, history_line, local, shown,
};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Effect, MAX_CHART_BACK, Tone};
use crate::tui::widgets::*;

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::Audit,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Up,
        Command::Down,
        Command::Left,
        Command::Right,
        Command::Select,
        Command::Back,
        Command::NextPage,
        Command::Earlier,
        Command::Later,
        Command::Verify,
        Command::Filter,
        Command::Export,
        Command::Acknowledge,
        Command::Help,
        Command::Quit,
    ],
    words: &[
        (Command::Select, "reverse"),
        (Command::Acknowledge, "mark seen"),
    ],
    idle,
    rows,
    update,
    moved: super::stays,
    filter,
    load,
    // Where 14 days' money went: about 100 ms a new period at 1M.
    loads_beside: true,
    render,
};

use super::ScreenDef;

/// ←/→ switch the record shown; Enter reverses a ledger row (what it
/// gives back first, then a reason and the PIN); `o` marks the alerts
/// seen; `[`/`]` step the chart; `v` verifies, `e` exports, `/` filters,
/// `n` turns the page.
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    match command {
        Command::Left | Command::Right => {
            let views = AuditView::ALL;
            let at = views
                .iter()
                .position(|v| *v == app.selection.audit)
                .unwrap_or(0);
            app.selection.audit = views[super::step(command, at, views.len())];
            app.selection.first_pages();
            app.cursor = 0;
            refilter(app, vm);
            Some(Effect::Reload)
        }
        Command::Select if app.selection.audit == AuditView::Ledger => reverse(app, vm),
        Command::Filter => super::ask_filter(app),
        // The event loop finds a file name not taken yet, then asks.
        Command::Export => Some(Effect::AskExportPath),
        // The audit's alerts view lists the alerts in its log.
        Command::Acknowledge if app.selection.audit == AuditView::Alerts => {
            let none = vm.guardian.as_ref().is_none_or(|g| g.log.is_empty());
            super::acknowledge(app, none)
        }
        Command::Verify => Some(Effect::Verify),
        // The chart steps a period of 14 days back or forward (not past today).
        Command::Earlier | Command::Later => {
            let back = app.selection.chart_back;
            app.selection.chart_back = if command == Command::Earlier {
                (back + 1).min(MAX_CHART_BACK)
            } else {
                back.saturating_sub(1)
            };
            (app.selection.chart_back != back).then_some(Effect::Reload)
        }
        Command::NextPage => next_page(app, vm),
        Command::Select => None,
        _ => super::not_now(app, command),
    }
}

/// A ledger row: what reversing it would give back, then a reason and the
/// PIN.
fn reverse(app: &mut App, vm: &ViewModel) -> Option<Effect> {
    let row = vm.guardian.as_ref()?.history.get(app.cursor)?;
    if let Some(by) = row.reversed_by {
        app.say(
            format!("Transaction {} was reversed already, by {by}", row.id),
            Tone::Warning,
        );
        return None;
    }
    Some(Effect::PreviewReversal {
        tx: row.id,
        what: format!(
            "{} {} {}: {}",
            row.when,
            shown(&row.member),
            row.kind,
            row.figures
        ),
    })
}

/// The next page of the record shown (the open alerts are one page).
fn next_page(app: &mut App, vm: &ViewModel) -> Option<Effect> {
    let moved = match app.selection.audit {
        AuditView::Alerts => {
            app.say("The open alerts are all on one page", Tone::Good);
            return None;
        }
        AuditView::Decisions | AuditView::Actions => {
            let next = vm.guardian.as_ref().and_then(|g| g.log_next);
            app.selection.log_before = next.or(app.selection.log_before);
            next.is_some()
        }
        AuditView::Ledger => {
            let next = super::history_next(vm);
            let moved = next.is_some();
            if moved {
                app.selection.history_after = next;
            }
            moved
        }
    };
    super::next_page(app, moved)
}

/// The filter applies to the record shown.
fn filter(app: &App) -> Option<Place> {
    Some(match app.selection.audit {
        AuditView::Ledger => Place::Ledger,
        AuditView::Decisions => Place::Decisions,
        AuditView::Actions => Place::Actions,
        AuditView::Alerts => Place::Alerts,
    })
}

/// After switching the audit view, the filter is read again for the view
/// now shown: a word that cannot filter there clears it, and says so, so
/// no filter is shown as applied while it is ignored.
fn refilter(app: &mut App, vm: &ViewModel) {
    let Some(place) = super::filter_place(app) else {
        return;
    };
    let text = app.selection.filter.text.clone();
    if text.is_empty() {
        return;
    }
    match filter::parse(&text, place, &super::filter_names(vm, place)) {
        Ok(f) => app.selection.filter = f,
        Err(why) => {
            app.selection.filter = filter::Filter::default();
            app.say(format!("Filter \"{text}\" cleared: {why}"), Tone::Warning);
        }
    }
}

/// Money spent per day over the chart's 14 days, where the money spent on
/// the coins bought in them went, and the record shown.
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    let Some(g) = vm.guardian.as_mut() else {
        return Ok(());
    };
    let (h, basis, choice) = (&mut *l.h, l.basis, l.choice);
    let (first, last) = chart_days(basis.house.today, choice.chart_back);
    let daily: DailySpendView = h.ask(Call::DailySpend { first, last })?;
    g.daily = daily
        .days
        .iter()
        .map(|d| {
            (
                d.day.format("%d").to_string(),
                (d.money.micros() / 10_000).max(0).unsigned_abs(),
            )
        })
        .collect();
    g.daily_period = format!("{first} to {last}");
    // For the coins bought in the chart's days: a bounded read.
    let flow: MoneyFlowView = h.ask(Call::MoneyFlow {
        first_day: Some(first),
        last_day: Some(last),
    })?;
    g.money_flow = Some(flow.short_words);
    rows_of_view(h, basis, choice, g)
}

/// The audit screen's list: a page of the ledger, of the guard's
/// decisions or of the guardian actions, or the open alerts.
fn rows_of_view(
    h: &mut Household<'_>,
    basis: &Basis,
    choice: &Selection,
    g: &mut GuardianView,
) -> Result<(), ApiError> {
    let tz = basis.tz;
    match choice.audit {
        AuditView::Ledger => {
            let page: HistoryView = h.ask(Call::History {
                query: choice.history_query(None),
                after: choice.history_after.clone(),
                limit: HISTORY_PAGE,
            })?;
            g.history = page
                .transactions
                .iter()
                .map(|r| history_line(r, &basis.economy, tz, Reading::Ledger))
                .collect();
            g.history_next = page.next_page;
        }
        AuditView::Decisions => {
            let page: DecisionsView = h.ask(Call::Decisions {
                query: choice.log_query(),
            })?;
            g.log = page
                .decisions
                .iter()
                .map(|d| {
                    let (word, refused) = match d.outcome {
                        Verdict::Allow => ("allowed", false),
                        Verdict::Deny => ("refused", true),
                        Verdict::NeedsApproval => ("asked", false),
                    };
                    LogLine {
                        when: local(d.at, tz),
                        who: shown(&d.member),
                        what: word.into(),
                        text: shown(&d.summary),
                        detail: shown(d.reasons.first().map_or("", |r| r.message.as_str())),
                        refused,
                    }
                })
                .collect();
            g.log_next = page.next_before;
        }
        AuditView::Actions => {
            let page: GuardianLogView = h.ask(Call::GuardianLog {
                query: LogQuery {
                    outcome: None,
                    ..choice.log_query()
                },
            })?;
            g.log = page
                .guardian_actions
                .iter()
                .map(|a| {
                    let detail = if a.before.is_empty() {
                        a.after.clone()
                    } else {
                        format!("before: {} → after: {}", a.before, a.after)
                    };
                    LogLine {
                        when: local(a.at, tz),
                        who: a
                            .by
                            .as_deref()
                            .map_or_else(|| "(unknown name)".into(), shown),
                        refused: a.action.contains("fail") || a.action.contains("locked"),
                        // The action in words, as the command line shows it.
                        what: shown(&a.action_words),
                        text: shown(&a.subject),
                        detail: shown(&detail),
                    }
                })
                .collect();
            g.log_next = page.next_before;
        }
        AuditView::Alerts => {
            // Open alerts are few (a guardian marks them seen): no paging.
            let alerts: AlertsView = h.ask(Call::Alerts)?;
            let f = &choice.filter;
            g.log = alerts
                .alerts
                .iter()
                .filter(|a| f.member.as_ref().is_none_or(|m| *m == a.member))
                .filter(|a| {
                    let day = a.at.with_timezone(&tz).date_naive();
                    f.since.is_none_or(|s| s <= day) && f.until.is_none_or(|u| day <= u)
                })
                .map(|a| LogLine {
                    when: local(a.at, tz),
                    who: shown(&a.member),
                    what: match a.kind.strip_prefix("limit_") {
                        Some(pct) => format!("{pct}% used"),
                        None => "refused".into(),
                    },
                    text: String::new(),
                    refused: a.kind == "denied",
                    detail: shown(&a.message),
                })
                .collect();
        }
    }
    Ok(())
}

/// Enter reverses a ledger row; `o` marks the alerts seen, in the view of
/// the alerts.
fn idle(app: &App) -> &'static [Command] {
    match app.selection.audit {
        AuditView::Ledger => &[Command::Acknowledge],
        AuditView::Alerts => &[Command::Select],
        AuditView::Decisions | AuditView::Actions => &[Command::Select, Command::Acknowledge],
    }
}

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, vm: &ViewModel) -> usize {
    let _ = app;
    vm.guardian
        .as_ref()
        .map_or(0, |g| match app.selection.audit {
            AuditView::Ledger => g.history.len(),
            _ => g.log.len(),
        })
}

/// Money spent on coins per day over 14 days, with the scale in money on
/// the left; `[` and `]` step the 14 days back and forth.
///
/// `period` is the one asked for; while it is `loading` the figures drawn
/// are the last loaded, and the title says so.
fn spend_chart(
    g: &crate::tui::model::GuardianView,
    vm: &ViewModel,
    period: &str,
    loading: bool,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let mut parts = vec![format!("Spent on coins per day, {period}")];
    if loading {
        parts.push("loading…".into());
    }
    parts.push("[ earlier · ] later".to_string());
    parts.push(match &g.verify {
        Some(v) => v.clone(),
        None => "v verify · e export".into(),
    });
    let mut block =
        Block::bordered().title(fit_parts(&parts, usize::from(area.width).saturating_sub(2)));
    // Where the money spent on coins bought in these days went, on the
    // lower border: whole parts dropped from the end on a narrow terminal,
    // never a figure cut; the heading goes first when all four do not fit.
    if let Some(flow) = &g.money_flow {
        let width = usize::from(area.width).saturating_sub(2);
        let mut parts: Vec<String> = flow.split(" · ").map(str::to_string).collect();
        if let Some(first) = parts.first_mut() {
            *first = format!("Where the money went: {first}");
        }
        if !fit_parts(&parts, width).contains("unspent")
            && let Some(first) = parts.first_mut()
        {
            *first = first.replace("Where the money went: ", "");
        }
        block = block.title_bottom(fit_parts(&parts, width));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let top = scale_top(g.daily.iter().map(|(_, c)| *c).max().unwrap_or(0));
    let money = |cents: u64| match &vm.economy {
        Some(e) => crate::money::Money::from_micros(
            e.currency,
            i64::try_from(cents.saturating_mul(10_000)).unwrap_or(i64::MAX),
        )
        .to_string(),
        None => format!("{cents} cents"),
    };
    let (high, low) = (format!("{} ┤", money(top)), format!("{} ┤", money(0)));
    let axis_width = high.chars().count().max(low.chars().count()) as u16;
    let [axis, bars_area] =
        Layout::horizontal([Constraint::Length(axis_width), Constraint::Min(0)]).areas(inner);
    // The scale: its top on the first row, zero on the last row of bars
    // (the row under them holds the days).
    let mut lines = vec![Line::from(format!(
        "{high:>w$}",
        w = usize::from(axis_width)
    ))];
    for _ in 2..axis.height.saturating_sub(1) {
        lines.push(Line::from(format!(
            "{:>w$}",
            "│",
            w = usize::from(axis_width)
        )));
    }
    if axis.height >= 3 {
        lines.push(Line::from(format!(
            "{low:>w$}",
            w = usize::from(axis_width)
        )));
    }
    frame.render_widget(Paragraph::new(lines), axis);
    let bars: Vec<Bar> = g
        .daily
        .iter()
        .map(|(label, cents)| {
            Bar::default()
                .value(*cents)
                .label(Line::from(label.clone()))
                .text_value(String::new())
        })
        .collect();
    // Every day shows: the bars narrow to fit the width there is.
    let per_day = (bars_area.width / g.daily.len().max(1) as u16).max(1);
    let (bar_width, bar_gap) = match per_day {
        0..=2 => (per_day.max(1), 0),
        3 => (2, 1),
        _ => (3, 1),
    };
    frame.render_widget(
        BarChart::default()
            .data(BarGroup::default().bars(&bars))
            .max(top)
            .bar_width(bar_width)
            .bar_gap(bar_gap),
        bars_area,
    );
}

/// The audit screen: the spend-per-day chart, then the ledger, the guard's
/// decisions or the guardian actions (←/→), filtered with `/`.
fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let Some(g) = &vm.guardian else { return };
    let [chart, rest] = Layout::vertical([Constraint::Length(7), Constraint::Min(0)]).areas(area);
    // The period asked for, at once (its figures follow when loaded).
    let period = match vm.today {
        Some(today) => {
            let (first, last) = chart_days(today, app.selection.chart_back);
            format!("{first} to {last}")
        }
        None => g.daily_period.clone(),
    };
    spend_chart(g, vm, &period, app.loading, frame, chart);
    let view = app.selection.audit;
    let items = match view {
        AuditView::Ledger => history_items(&g.history, text_width(rest)),
        _ => log_items(&g.log, theme, text_width(rest)),
    };
    let paged = match view {
        AuditView::Ledger => g.history_next.is_some(),
        AuditView::Alerts => false,
        AuditView::Decisions | AuditView::Actions => g.log_next.is_some(),
    };
    let title = list_title(
        &format!("◀ {} ▶", view.title()),
        app,
        rest.width,
        items.is_empty(),
        paged,
    );
    list(items, &title, theme, app.cursor, frame, rest, hits);
}
