//! The audit: money spent per day, then the ledger, the guard's decisions or the guardian actions; verify and export.
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), its row count and its drawing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph};

use crate::tui::command::Command;
use crate::tui::screen::Screen;
use crate::tui::state::App;
use crate::tui::view::{AuditView, ViewModel};
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
    render,
};

use super::ScreenDef;

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
fn spend_chart(
    g: &crate::tui::view::GuardianView,
    vm: &ViewModel,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let mut parts = vec![
        format!("Spent on coins per day, {}", g.daily_period),
        "[ earlier · ] later".to_string(),
    ];
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
    spend_chart(g, vm, frame, chart);
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
