//! Rendering: a pure projection of the app state and the view model onto a
//! frame. No database, no clock, no I/O.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Block, Clear, Gauge, List, ListItem, ListState, Paragraph, Wrap,
};

use super::app::{App, GUARDIAN_SCREENS, MEMBER_SCREENS, PinFor, Popup, Screen, Tone};
use super::keymap::{KEYMAP, footer};
use super::view::{Preview, RequestLine, Verdict, ViewModel};
use crate::ledger::RequestStatus;

/// Colours, or none at all when NO_COLOR is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::default().fg(color)
        } else {
            Style::default()
        }
    }

    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
}

pub fn render(app: &App, vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>) {
    let [header, body, message, legend] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(header_line(app)), header);
    match app.screen {
        Screen::Pick => pick(app, vm, theme, frame, body),
        Screen::Wallet => wallet(vm, frame, body),
        Screen::Shop => shop(app, vm, theme, frame, body),
        Screen::Gifts => gifts(app, vm, theme, frame, body),
        Screen::Requests => requests(
            app,
            vm.member
                .as_ref()
                .map(|m| m.requests.as_slice())
                .unwrap_or_default(),
            theme,
            frame,
            body,
            "Your requests",
        ),
        Screen::History | Screen::Audit => history(app, vm, theme, frame, body),
        Screen::Dashboard => dashboard(vm, theme, frame, body),
        Screen::Approvals => requests(
            app,
            vm.guardian
                .as_ref()
                .map(|g| g.pending.as_slice())
                .unwrap_or_default(),
            theme,
            frame,
            body,
            "Waiting for you: a approve · d deny",
        ),
        Screen::Members => members(app, vm, theme, frame, body),
    }
    if let Some((text, tone)) = &app.message {
        let style = match tone {
            Tone::Good => theme.good(),
            Tone::Warning => theme.warn(),
            Tone::Bad => theme.bad(),
        };
        frame.render_widget(Paragraph::new(Span::styled(text.as_str(), style)), message);
    }
    frame.render_widget(
        Paragraph::new(footer()).style(Style::default().add_modifier(Modifier::DIM)),
        legend,
    );
    if let Some(popup) = &app.popup {
        render_popup(popup, vm, frame);
    }
}

fn header_line(app: &App) -> Line<'static> {
    let mut spans = vec![Span::styled(
        "coinguard",
        Style::default().add_modifier(Modifier::BOLD),
    )];
    if let Some((_, name, guardian)) = &app.who {
        spans.push(Span::raw(format!(
            " · {name}{} · ",
            if *guardian { " (guardian)" } else { "" }
        )));
        let screens: &[Screen] = if *guardian {
            &GUARDIAN_SCREENS
        } else {
            &MEMBER_SCREENS
        };
        for (i, s) in screens.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" | "));
            }
            let style = if *s == app.screen {
                Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
            } else {
                Style::default()
            };
            spans.push(Span::styled(s.title(), style));
        }
    } else {
        spans.push(Span::raw(" · Who are you?"));
    }
    Line::from(spans)
}

fn list<'a>(
    items: Vec<ListItem<'a>>,
    title: &'a str,
    theme: Theme,
    cursor: usize,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let mut state = ListState::default().with_selected((!items.is_empty()).then_some(cursor));
    let widget = List::new(items)
        .block(Block::bordered().title(title))
        .highlight_style(theme.selected())
        .highlight_symbol("▶ ");
    frame.render_stateful_widget(widget, area, &mut state);
}

fn pick(app: &App, vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
    let items = vm
        .members
        .iter()
        .map(|m| {
            let age = m.age.map(|a| format!("{a}")).unwrap_or_else(|| "-".into());
            let pin = if m.has_pin { "PIN" } else { "" };
            ListItem::new(format!(
                "{:<20} {:<9} {:>3}  {:<4} {}",
                m.name, m.role, age, pin, m.coins
            ))
        })
        .collect();
    list(
        items,
        "Who are you? (Enter)",
        theme,
        app.cursor,
        frame,
        area,
    );
}

fn wallet(vm: &ViewModel, frame: &mut Frame<'_>, area: Rect) {
    let Some(m) = &vm.member else { return };
    let rows = 3 + m.limits.len() as u16 * 2;
    let [top, gauges] =
        Layout::vertical([Constraint::Length(4), Constraint::Length(rows)]).areas(area);
    let text = Text::from(vec![
        Line::from(format!("Coins     {}", m.me.coins)),
        Line::from(format!("Diamonds  {}", m.me.diamonds)),
    ]);
    frame.render_widget(
        Paragraph::new(text).block(Block::bordered().title(format!("{}'s wallet", m.me.name))),
        top,
    );
    let block = Block::bordered().title(if m.limits.is_empty() {
        "No limits"
    } else {
        "Limits"
    });
    let inner = block.inner(gauges);
    frame.render_widget(block, gauges);
    let slots = Layout::vertical(
        m.limits
            .iter()
            .flat_map(|_| [Constraint::Length(1), Constraint::Length(1)]),
    )
    .split(inner);
    for (i, l) in m.limits.iter().enumerate() {
        frame.render_widget(Paragraph::new(l.title.as_str()), slots[i * 2]);
        let label = format!("used {}, {} left", l.used, l.left);
        frame.render_widget(
            Gauge::default().ratio(l.ratio).label(label),
            slots[i * 2 + 1],
        );
    }
}

fn preview_text(p: &Preview, theme: Theme) -> Text<'static> {
    let (word, style) = match p.verdict {
        Verdict::Allowed => ("Would go through", theme.good()),
        Verdict::NeedsApproval => ("Needs a guardian's approval", theme.warn()),
        Verdict::Refused => ("Would be refused", theme.bad()),
    };
    let mut lines = vec![
        Line::from(Span::styled(word, style)),
        Line::from(p.summary.clone()),
    ];
    for (refused, reason) in &p.reasons {
        let style = if *refused { theme.bad() } else { theme.warn() };
        lines.push(Line::from(Span::styled(format!("• {reason}"), style)));
    }
    Text::from(lines)
}

fn shop(app: &App, vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
    let Some(m) = &vm.member else { return };
    let [packs, preview] = Layout::vertical([
        Constraint::Length(m.packs.len() as u16 + 2),
        Constraint::Min(0),
    ])
    .areas(area);
    let items = m
        .packs
        .iter()
        .map(|p| {
            ListItem::new(format!(
                "{:<12} {:>13} {:>11}  {:>11} per coin",
                p.id, p.coins, p.price, p.per_coin
            ))
        })
        .collect();
    list(
        items,
        "Coin packs (Enter to buy)",
        theme,
        app.cursor,
        frame,
        packs,
    );
    if let Some(p) = m.pack_previews.get(app.cursor) {
        frame.render_widget(
            Paragraph::new(preview_text(p, theme))
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title("Before you buy")),
            preview,
        );
    }
}

fn gifts(app: &App, vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
    let Some(m) = &vm.member else { return };
    let [choice, gifts, preview] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(m.gifts.len().min(9) as u16 + 2),
        Constraint::Min(0),
    ])
    .areas(area);
    let creator = m
        .creators
        .get(app.gift.creator)
        .cloned()
        .unwrap_or_else(|| "(no creators)".into());
    frame.render_widget(
        Paragraph::new(format!(
            " To: ← {creator} →    How many: {} (+/-)",
            app.gift.count
        )),
        choice,
    );
    let items = m
        .gifts
        .iter()
        .map(|(name, coins)| ListItem::new(format!("{name:<16} {coins:>14}")))
        .collect();
    list(
        items,
        "Gifts (Enter to send)",
        theme,
        app.cursor,
        frame,
        gifts,
    );
    if let Some(p) = &m.gift_preview {
        frame.render_widget(
            Paragraph::new(preview_text(p, theme))
                .wrap(Wrap { trim: true })
                .block(Block::bordered().title("Before you send")),
            preview,
        );
    }
}

fn status_style(status: RequestStatus, theme: Theme) -> Style {
    match status {
        RequestStatus::Pending => theme.warn(),
        RequestStatus::Approved => theme.good(),
        RequestStatus::Denied | RequestStatus::Expired => theme.bad(),
        RequestStatus::Cancelled => Style::default(),
    }
}

fn requests(
    app: &App,
    rows: &[RequestLine],
    theme: Theme,
    frame: &mut Frame<'_>,
    area: Rect,
    title: &str,
) {
    let items = rows
        .iter()
        .map(|r| {
            let mut lines = vec![Line::from(vec![
                Span::styled(
                    format!("#{} {:<9}", r.id, r.status.as_str().to_uppercase()),
                    status_style(r.status, theme),
                ),
                Span::raw(r.summary.clone()),
            ])];
            match r.status {
                RequestStatus::Pending => {
                    lines.extend(r.why.iter().map(|w| Line::from(format!("    why: {w}"))))
                }
                _ => lines.push(Line::from(format!("    {}", r.resolution))),
            }
            if !r.note.is_empty() {
                lines.push(Line::from(format!("    note: {}", r.note)));
            }
            ListItem::new(Text::from(lines))
        })
        .collect::<Vec<_>>();
    let title = if items.is_empty() {
        "No requests"
    } else {
        title
    };
    let mut state = ListState::default().with_selected((!rows.is_empty()).then_some(app.cursor));
    frame.render_stateful_widget(
        List::new(items)
            .block(Block::bordered().title(title))
            .highlight_style(theme.selected())
            .highlight_symbol("▶ "),
        area,
        &mut state,
    );
}

fn history(app: &App, vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
    let (rows, guardian) = match (&vm.member, &vm.guardian) {
        (Some(m), _) => (m.history.as_slice(), None),
        (None, Some(g)) => (g.history.as_slice(), Some(g)),
        _ => return,
    };
    let area = match guardian {
        Some(g) => {
            let [chart, rest] =
                Layout::vertical([Constraint::Length(7), Constraint::Min(0)]).areas(area);
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
            let title = match &g.verify {
                Some(v) => format!("Spent on coins per day (cents), last 14 days · {v}"),
                None => "Spent on coins per day (cents), last 14 days · v to verify".into(),
            };
            frame.render_widget(
                BarChart::default()
                    .block(Block::bordered().title(title))
                    .data(BarGroup::default().bars(&bars))
                    .bar_width(3)
                    .bar_gap(1),
                chart,
            );
            rest
        }
        None => area,
    };
    let items = rows
        .iter()
        .map(|h| {
            ListItem::new(Text::from(vec![
                Line::from(format!(
                    "{} {:<9} {:<10} {}",
                    h.when, h.kind, h.member, h.figures
                )),
                Line::from(format!("    {}", h.detail)),
            ]))
        })
        .collect();
    list(
        items,
        "History, newest first",
        theme,
        app.cursor,
        frame,
        area,
    );
}

fn dashboard(vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
    let Some(g) = &vm.guardian else { return };
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "Waiting for you: {} request(s) (Tab to Approvals)",
            g.pending.len()
        ),
        theme.warn(),
    ))];
    for r in g.pending.iter().take(3) {
        lines.push(Line::from(format!("  #{} {}", r.id, r.summary)));
    }
    lines.push(Line::from(""));
    for (member, limits) in &g.limits {
        for l in limits {
            lines.push(Line::from(format!(
                "{member}: {} — used {} ({}%), {} left",
                l.title,
                l.used,
                (l.ratio * 100.0).floor(),
                l.left
            )));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!("Alerts: {}", g.alerts.len()),
        theme.warn(),
    )));
    for a in g.alerts.iter().take(3) {
        lines.push(Line::from(format!("  {a}")));
    }
    lines.push(Line::from(Span::styled("Recently refused:", theme.bad())));
    for r in &g.refusals {
        lines.push(Line::from(Span::styled(format!("  {r}"), theme.bad())));
    }
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .wrap(Wrap { trim: true })
            .block(Block::bordered().title("Dashboard")),
        area,
    );
}

fn members(app: &App, vm: &ViewModel, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
    let items = vm
        .members
        .iter()
        .map(|m| {
            ListItem::new(format!(
                "{:<16} {:<9} {:>3}  {:<28} {}",
                m.name,
                m.role,
                m.age.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
                m.coins,
                m.diamonds
            ))
        })
        .collect();
    list(
        items,
        "Members: coins (what they cost), diamonds (pay out)",
        theme,
        app.cursor,
        frame,
        area,
    );
}

fn centered(frame: &Frame<'_>, width: u16, height: u16) -> Rect {
    let area = frame.area();
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn render_popup(popup: &Popup, vm: &ViewModel, frame: &mut Frame<'_>) {
    let (title, body, height) = match popup {
        Popup::Pin { purpose, typed } => {
            let what = match purpose {
                PinFor::SignIn(id) => format!(
                    "PIN for {}",
                    vm.members
                        .iter()
                        .find(|m| m.id == *id)
                        .map_or("", |m| m.name.as_str())
                ),
                PinFor::Approve(r) => format!("Guardian PIN to approve request #{r}"),
                PinFor::Deny(r, _) => format!("Guardian PIN to deny request #{r}"),
            };
            (
                what,
                format!(
                    "{}\n\nEnter to confirm · Esc to cancel",
                    "•".repeat(typed.chars().count())
                ),
                6,
            )
        }
        Popup::Reason { request, typed } => (
            format!("Why deny request #{request}? (they will see this)"),
            format!("{typed}▏\n\nEnter to continue · Esc to cancel"),
            6,
        ),
        Popup::Confirm(effect) => {
            let what = match effect {
                super::app::Effect::Buy { pack } => format!("Buy {pack}?"),
                super::app::Effect::Gift { creator, count, .. } => {
                    format!("Send {count} gift(s) to {creator}?")
                }
                _ => "Go ahead?".to_string(),
            };
            (
                "Confirm".to_string(),
                format!("{what}\n\nEnter to confirm · Esc to cancel"),
                6,
            )
        }
        Popup::Help => {
            let lines: Vec<String> = KEYMAP
                .iter()
                .map(|b| format!("{:<10} {}", b.keys, b.help))
                .collect();
            (
                "Keys".to_string(),
                lines.join("\n"),
                KEYMAP.len() as u16 + 2,
            )
        }
    };
    let area = centered(frame, 60, height);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(body)
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(title)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::domain::MemberId;
    use crate::tui::app::{App, Popup, Screen};
    use crate::tui::view::sample;

    fn draw(app: &App, vm: &ViewModel) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| render(app, vm, Theme { color: true }, f))
            .unwrap();
        terminal
    }

    fn signed_in(screen: Screen, guardian: bool) -> App {
        let who = if guardian {
            (MemberId(1), "Maria".to_string(), true)
        } else {
            (MemberId(2), "Sam".to_string(), false)
        };
        App {
            who: Some(who),
            screen,
            ..App::default()
        }
    }

    #[test]
    fn every_screen_at_80_by_24() {
        let member = sample(false);
        let guardian = sample(true);
        insta::assert_snapshot!("pick", draw(&App::default(), &member).backend());
        for screen in [
            Screen::Wallet,
            Screen::Shop,
            Screen::Gifts,
            Screen::Requests,
            Screen::History,
        ] {
            insta::assert_snapshot!(
                format!("member_{}", screen.title().to_lowercase()),
                draw(&signed_in(screen, false), &member).backend()
            );
        }
        for screen in [
            Screen::Dashboard,
            Screen::Approvals,
            Screen::Members,
            Screen::Audit,
        ] {
            insta::assert_snapshot!(
                format!("guardian_{}", screen.title().to_lowercase()),
                draw(&signed_in(screen, true), &guardian).backend()
            );
        }
        let mut pin = signed_in(Screen::Approvals, true);
        pin.popup = Some(Popup::Pin {
            purpose: crate::tui::app::PinFor::Approve(7),
            typed: "secret".into(),
        });
        insta::assert_snapshot!("guardian_pin_popup", draw(&pin, &guardian).backend());
        let mut help = signed_in(Screen::Wallet, false);
        help.popup = Some(Popup::Help);
        insta::assert_snapshot!("help", draw(&help, &member).backend());
    }

    fn find(terminal: &Terminal<TestBackend>, text: &str) -> Option<(u16, u16)> {
        let buffer = terminal.backend().buffer();
        for y in 0..buffer.area.height {
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            if let Some(col) = row.find(text) {
                return Some((row[..col].chars().count() as u16, y));
            }
        }
        None
    }

    #[test]
    fn refusals_are_red_and_waiting_is_yellow() {
        let vm = sample(false);
        let mut app = signed_in(Screen::Shop, false);
        app.cursor = 1;
        let terminal = draw(&app, &vm);
        let (x, y) = find(&terminal, "Would be refused").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Red);
        let (x, y) = find(&terminal, "• it is 21:30").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Red);
        let terminal = draw(&signed_in(Screen::Requests, false), &vm);
        let (x, y) = find(&terminal, "#7 PENDING").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Yellow);
        let (x, y) = find(&terminal, "#6 DENIED").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Red);
    }

    #[test]
    fn no_color_means_no_colour() {
        let vm = sample(false);
        let mut app = signed_in(Screen::Shop, false);
        app.cursor = 1;
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| render(&app, &vm, Theme { color: false }, f))
            .unwrap();
        let (x, y) = find(&terminal, "Would be refused").unwrap();
        assert_eq!(terminal.backend().buffer()[(x, y)].fg, Color::Reset);
    }
}
