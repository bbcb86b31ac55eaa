//! The guardian's dashboard: requests waiting, limits nearest their caps, alerts, recent refusals.
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Paragraph};

use crate::domain::printable::plural;
use crate::tui::command::Command;
use crate::tui::model::{
    Basis, LimitLine, Loading, MOST_PENDING, Verdict, ViewModel, limit_line, local, request_line,
    shown,
};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Effect};
use crate::tui::theme::Theme;
use crate::tui::widgets::*;
use chrono_tz::Tz;

use crate::api::call::LogQuery;
use crate::api::reply::{AlertsView, DecisionsView, RequestsView, WalletView};
use crate::api::{ApiError, Call};
use crate::client::Household;
use crate::domain::RequestStatus;

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::Dashboard,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Back,
        Command::Acknowledge,
        Command::Help,
        Command::Quit,
    ],
    words: &[(Command::Acknowledge, "mark seen")],
    idle: super::always,
    rows,
    update,
    moved: super::stays,
    filter: super::no_filter,
    load,
    loads_beside: false,
    render,
};

use super::ScreenDef;

/// `o` marks the alerts it lists as seen (with a PIN).
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    match command {
        Command::Acknowledge => {
            let none = vm.guardian.as_ref().is_none_or(|g| g.alerts.is_empty());
            super::acknowledge(app, none)
        }
        _ => super::not_now(app, command),
    }
}

/// What waits, each member's limits, the open alerts and the latest
/// refusals.
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    let others = super::others(vm);
    let Some(g) = vm.guardian.as_mut() else {
        return Ok(());
    };
    let (h, Basis { house, economy, tz }) = (&mut *l.h, l.basis);
    let tz = *tz;
    let pending: RequestsView = h.ask(Call::Requests {
        status: Some(RequestStatus::Pending),
        member: None,
        limit: MOST_PENDING,
    })?;
    g.pending = pending
        .requests
        .iter()
        .map(|r| request_line(r, economy, tz, house.now))
        .collect();
    for (id, name) in &others {
        let wallet: WalletView = h.ask(Call::Wallet {
            member: name.clone(),
        })?;
        let lines: Vec<LimitLine> = wallet
            .limits
            .iter()
            .map(|l| limit_line(*id, l, economy))
            .collect();
        if !lines.is_empty() {
            g.limits.push((name.clone(), lines));
        }
    }
    g.alerts = alert_lines(h, tz)?;
    let refused: DecisionsView = h.ask(Call::Decisions {
        query: LogQuery {
            outcome: Some(Verdict::Deny),
            limit: 5,
            ..Default::default()
        },
    })?;
    g.refusals = refused
        .decisions
        .iter()
        .map(|d| {
            let why = d.reasons.first().map(|r| r.message.as_str()).unwrap_or("");
            shown(&format!("{} {}: {why}", local(d.at, tz), d.member))
        })
        .collect();
    Ok(())
}

/// Open alerts, newest first, as "time message".
fn alert_lines(h: &mut Household<'_>, tz: Tz) -> Result<Vec<String>, ApiError> {
    let alerts: AlertsView = h.ask(Call::Alerts)?;
    Ok(alerts
        .alerts
        .iter()
        .map(|a| format!("{} {}", local(a.at, tz), shown(&a.message)))
        .collect())
}

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, _vm: &ViewModel) -> usize {
    let _ = app;
    0
}

fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, _hits: &mut Hits) {
    dashboard_body(s.vm, s.theme, frame, area);
}

/// How many items each of the dashboard's sections gets: up to 3 waiting
/// requests, 2 limits (the nearest their caps), an alert and a refusal
/// first; then more limits, requests, alerts and refusals, in that order,
/// while lines are left. `wanted` is each section's items, each
/// the number of lines it takes (an item is shown whole or not at all).
pub(crate) fn dashboard_rows(rows: usize, wanted: [&[usize]; 4]) -> [usize; 4] {
    let mut give = [0; 4];
    let mut left = rows;
    // First passes: the small sections up to their caps, then the limits,
    // then whatever is left back to the small sections.
    for (slot, cap) in [
        (0, 3),
        (1, 2),
        (2, 1),
        (3, 1),
        (1, usize::MAX),
        (0, usize::MAX),
        (2, usize::MAX),
        (3, usize::MAX),
    ] {
        while give[slot] < cap.min(wanted[slot].len()) {
            let next = wanted[slot][give[slot]];
            if next > left {
                break;
            }
            left -= next;
            give[slot] += 1;
        }
    }
    give
}

/// The dashboard: requests waiting, the limits nearest their caps, alerts
/// and recent refusals, each whole (wrapped under itself when narrow, never
/// cut), so every section shows at 80x24 and at 60x20.
fn dashboard_body(vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
    let Some(g) = &vm.guardian else { return };
    let block = Block::bordered().title("Dashboard");
    let inner = block.inner(area);
    let width = usize::from(inner.width);
    // An item: its lines under an indent, whole (requests and limits,
    // whose figures are the point) or at most two (alerts and refusals,
    // read whole on the audit screen), never ending on a cut figure.
    let item = |text: &str, most: usize| indented(text, width, "  ", most);
    let pending: Vec<Vec<String>> = g
        .pending
        .iter()
        .map(|r| item(&format!("#{} {}", r.id, r.summary), usize::MAX))
        .collect();
    let mut limits: Vec<(f64, String)> = g
        .limits
        .iter()
        .flat_map(|(member, lines)| {
            lines.iter().map(move |l| {
                (
                    l.ratio,
                    format!(
                        "{}, {}: {}% used — {} of {}, {}",
                        shown(member),
                        l.what,
                        (l.ratio * 100.0).floor(),
                        l.used,
                        l.cap,
                        l.left
                    ),
                )
            })
        })
        .collect();
    limits.sort_by(|a, b| b.0.total_cmp(&a.0));
    let limits: Vec<Vec<String>> = limits.iter().map(|(_, l)| item(l, usize::MAX)).collect();
    let alerts: Vec<Vec<String>> = g.alerts.iter().map(|a| item(a, 2)).collect();
    let refusals: Vec<Vec<String>> = g.refusals.iter().map(|r| item(r, 2)).collect();
    let heights = |items: &[Vec<String>]| items.iter().map(Vec::len).collect::<Vec<usize>>();
    let rows = dashboard_rows(
        usize::from(inner.height).saturating_sub(4),
        [
            &heights(&pending),
            &heights(&limits),
            &heights(&alerts),
            &heights(&refusals),
        ],
    );
    let more = |shown: usize, all: usize| {
        if all > shown {
            format!(" · {} more", all - shown)
        } else {
            String::new()
        }
    };
    let mut lines = Vec::new();
    let mut section = |title: String, style: Style, items: &[Vec<String>], shown: usize| {
        lines.push(Line::from(Span::styled(fit(&title, width), style)));
        for item in items.iter().take(shown) {
            for line in item {
                lines.push(Line::from(Span::styled(line.clone(), style)));
            }
        }
    };
    section(
        format!(
            "Waiting for you: {}{}",
            plural(pending.len(), "request"),
            more(rows[0], pending.len())
        ),
        theme.warn(),
        &pending,
        rows[0],
    );
    section(
        format!(
            "Limits, nearest their cap first{}",
            more(rows[1], limits.len())
        ),
        Style::default().add_modifier(Modifier::BOLD),
        &limits,
        rows[1],
    );
    section(
        if alerts.is_empty() {
            "Alerts: none".to_string()
        } else {
            format!("Alerts: {}{}", alerts.len(), more(rows[2], alerts.len()))
        },
        theme.warn(),
        &alerts,
        rows[2],
    );
    section(
        if refusals.is_empty() {
            "Recently refused: none".to_string()
        } else {
            format!("Recently refused{}", more(rows[3], refusals.len()))
        },
        theme.bad(),
        &refusals,
        rows[3],
    );
    frame.render_widget(Paragraph::new(Text::from(lines)).block(block), area);
}
