//! A creator's earnings: diamonds and what they pay out, the latest gifts, and cashing out.
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, ListItem, Paragraph};

use crate::tui::command::Command;
use crate::tui::model::{
    CreatorView, Loading, Reading, ViewModel, history_line, preview_of, shown,
};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Effect, TextFor};
use crate::tui::text::preview_text;
use crate::tui::widgets::*;
use rust_decimal::Decimal;

use crate::api::call::{HistoryQuery, Spend};
use crate::api::{ApiError, Call};
use crate::domain::Kind;
use crate::money::{Diamonds, rounding};

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::Earnings,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Up,
        Command::Down,
        Command::Select,
        Command::Back,
        Command::Help,
        Command::Quit,
    ],
    words: &[(Command::Select, "cash out")],
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

/// Enter cashes out: how many diamonds (all of them, to start with).
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    if command != Command::Select {
        return super::not_now(app, command);
    }
    let all = vm.creator.as_ref()?.diamonds;
    app.text(TextFor::RedeemDiamonds, all.to_string());
    None
}

/// A creator's earnings: diamonds and what they pay out, the rates, the
/// minimum payout, a preview of cashing out everything, the latest gifts.
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    let (Some(wallet), Some((_, name, _))) = (l.wallet, l.who) else {
        return Ok(());
    };
    let (h, economy, tz) = (&mut *l.h, &l.basis.economy, &l.basis.tz);
    let currency = economy.currency;
    let diamonds = wallet.member.diamonds;
    let per_fan_coin =
        economy.diamond_value * Decimal::from(economy.diamond_share_percent) / Decimal::from(100);
    let all_preview = if diamonds > 0 {
        Some(preview_of(h.ask(Call::Spend {
            spend: Spend::Redeem {
                creator: name.clone(),
                diamonds: diamonds.to_string(),
            },
            preview: true,
            key: None,
            pin: None,
        })))
    } else {
        None
    };
    let received: crate::api::reply::HistoryView = h.ask(Call::History {
        query: HistoryQuery {
            creator: Some(name.clone()),
            kind: Some(Kind::Gift),
            ..Default::default()
        },
        after: None,
        limit: 10,
    })?;
    vm.creator = Some(CreatorView {
        diamonds,
        holds: format!(
            "{} ({})",
            Diamonds::new(diamonds),
            wallet.member.diamonds_value
        ),
        per_diamond: format!("{} {currency}", economy.diamond_value.normalize()),
        share_percent: economy.diamond_share_percent,
        per_fan_coin: format!("{} {currency}", rounding::rate_for_display(per_fan_coin)),
        minimum: economy.minimum_payout.to_string(),
        all_preview,
        received: received
            .transactions
            .iter()
            .map(|r| history_line(r, economy, *tz, Reading::Received))
            .collect(),
    });
    Ok(())
}

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, vm: &ViewModel) -> usize {
    let _ = app;
    vm.creator.as_ref().map_or(0, |c| c.received.len())
}

/// A creator's earnings: diamonds and what they pay out, the rates and the
/// minimum payout, what cashing out everything would do, the latest gifts.
fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let (Some(c), Some(m)) = (&vm.creator, &vm.member) else {
        return;
    };
    let inner = usize::from(area.width).saturating_sub(2);
    let facts: Vec<Line> = [
        format!("Diamonds  {}", c.holds),
        format!(
            "A diamond pays {}; {}% of a gift's coins become your diamonds: {} per coin a fan spends.",
            c.per_diamond, c.share_percent, c.per_fan_coin
        ),
        format!("The least you can cash out at once: {}.", c.minimum),
    ]
    .iter()
    .flat_map(|l| crate::tui::text::wrap_line(&Line::from(l.clone()), inner))
    .collect();
    let preview: Vec<Line> = match &c.all_preview {
        Some(p) => preview_text(p, theme)
            .lines
            .iter()
            .flat_map(|l| crate::tui::text::wrap_line(l, inner))
            .collect(),
        None => vec![Line::from(
            "No diamonds yet: gifts from fans become diamonds here.",
        )],
    };
    // One box for the facts and what cashing out all would do, so the
    // gifts below keep room on a small terminal.
    let mut lines = facts;
    lines.push(Line::from(Span::styled(
        "Cashing out all of them:",
        Style::default().add_modifier(Modifier::BOLD),
    )));
    lines.extend(preview);
    let [top, received] = Layout::vertical([
        Constraint::Length(lines.len() as u16 + 2),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(format!("{}'s earnings", shown(&m.me.name)))),
        top,
    );
    let title = if c.received.is_empty() {
        "No gifts received yet"
    } else {
        "Gifts received, newest first"
    };
    // One line a gift (two when narrow): when, from whom, what it brought.
    let width = text_width(received);
    let items = c
        .received
        .iter()
        .map(|h| {
            let (first, dropped) = fit_row(
                vec![
                    Cell::left(h.when.clone(), 16, 0),
                    Cell::left(format!("from {}", shown(&h.member)), 10, 0),
                    Cell::left(h.figures.clone(), 0, 1),
                ],
                1,
                width,
            );
            let mut lines = vec![Line::from(first)];
            if !dropped.is_empty() {
                lines.extend(wrapped(&h.figures, width, 2).into_iter().map(Line::from));
            }
            ListItem::new(Text::from(lines))
        })
        .collect();
    list(items, title, theme, app.cursor, frame, received, hits);
}
