//! Gifts: choose a creator and a gift, how many, and send (with what sending would do).
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, ListItem, Paragraph};

use crate::api::call::Spend;
use crate::api::{ApiError, Call};
use crate::tui::command::Command;
use crate::tui::model::{GiftChoice, GiftLine, Loading, Verdict, ViewModel, preview_of, shown};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Confirm, Effect, Popup, Tone, verdict_words, why_refused};
use crate::tui::text::{pad_end, pad_start, preview_text};
use crate::tui::widgets::*;

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::Gifts,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Up,
        Command::Down,
        Command::Left,
        Command::Right,
        Command::More,
        Command::Less,
        Command::Select,
        Command::Back,
        Command::Help,
        Command::Quit,
    ],
    words: &[(Command::Select, "send")],
    idle: super::always,
    rows,
    update,
    moved,
    filter: super::no_filter,
    load,
    loads_beside: false,
    render,
};

use super::ScreenDef;

/// ←/→ choose the creator, +/- how many; Enter sends the gift previewed
/// (and only that one: a gift not previewed yet is previewed first).
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    match command {
        Command::Left | Command::Right => {
            let creators = vm.member.as_ref().map_or(0, |m| m.creators.len());
            app.selection.creator = super::step(command, app.selection.creator, creators);
            Some(Effect::Reload)
        }
        Command::More | Command::Less => {
            app.selection.count = if command == Command::More {
                (app.selection.count + 1).min(99)
            } else {
                app.selection.count.saturating_sub(1).max(1)
            };
            Some(Effect::Reload)
        }
        Command::Select => send(app, vm),
        _ => super::not_now(app, command),
    }
}

fn send(app: &mut App, vm: &ViewModel) -> Option<Effect> {
    let m = vm.member.as_ref()?;
    let highlighted = m.gifts.get(app.cursor)?;
    let wanted = GiftChoice {
        creator: m.creators.get(app.selection.creator)?.clone(),
        gift: highlighted.id.clone(),
        count: app.selection.count,
    };
    match &m.gift_preview {
        Some((previewed, preview)) if *previewed == wanted => {
            if preview.verdict == Verdict::Deny {
                app.say(format!("Not sent: {}", why_refused(preview)), Tone::Bad);
                return None;
            }
            app.popup = Some(Popup::Confirm(Confirm::new(
                format!(
                    "Send {} × {} to {}?",
                    wanted.count,
                    highlighted.name,
                    shown(&wanted.creator)
                ),
                vec![
                    preview.summary.clone(),
                    verdict_words(preview.verdict).into(),
                ],
                Effect::Gift(wanted),
            )));
            None
        }
        // Never send what was not previewed: preview it first.
        _ => {
            app.selection.gift = app.cursor;
            app.say(
                format!(
                    "Nothing sent: read the preview for {} first, then press Enter",
                    highlighted.name
                ),
                Tone::Warning,
            );
            Some(Effect::Reload)
        }
    }
}

/// The cursor picks the gift, whose preview reloads.
fn moved(app: &mut App) -> Option<Effect> {
    app.selection.gift = app.cursor;
    Some(Effect::Reload)
}

/// The gifts and what the guard says about sending the one chosen.
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    let (Some(m), Some((_, name, _))) = (vm.member.as_mut(), l.who) else {
        return Ok(());
    };
    let (economy, choice) = (&l.basis.economy, l.choice);
    m.gifts = economy
        .gifts
        .iter()
        .map(|g| GiftLine {
            id: g.id.clone(),
            name: g.name.to_string(),
            price: economy.coins_with_value(g.coins.to_i64().unwrap_or(i64::MAX)),
        })
        .collect();
    if let (Some(creator), Some(gift)) = (
        m.creators.get(choice.creator),
        economy.gifts.get(choice.gift),
    ) {
        let chosen = GiftChoice {
            creator: creator.clone(),
            gift: gift.id.clone(),
            count: choice.count.max(1),
        };
        let preview = preview_of(l.h.ask(Call::Spend {
            spend: Spend::Gift {
                member: name.clone(),
                creator: creator.clone(),
                gift: gift.id.clone(),
                count: chosen.count.to_string(),
            },
            preview: true,
            key: None,
            pin: None,
        }));
        m.gift_preview = Some((chosen, preview));
    }
    Ok(())
}

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, vm: &ViewModel) -> usize {
    let _ = app;
    vm.member.as_ref().map_or(0, |m| m.gifts.len())
}

fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let Some(m) = &vm.member else { return };
    let preview_lines = m
        .gift_preview
        .as_ref()
        .map(|(_, p)| wrap_text(&preview_text(p, theme), area.width))
        .unwrap_or_default();
    let [choice, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let [gifts, preview] = list_then_preview(rest, m.gifts.len(), preview_lines.len());
    let creator = m
        .creators
        .get(app.selection.creator)
        .map(|c| shown(c))
        .unwrap_or_else(|| "(no creators)".into());
    frame.render_widget(
        Paragraph::new(format!(
            " To: ← {creator} →    How many: {} (+/-)",
            app.selection.count
        )),
        choice,
    );
    let items = m
        .gifts
        .iter()
        .map(|g| {
            ListItem::new(format!(
                "{} {}",
                pad_end(&g.name, 16),
                pad_start(&g.price, 26)
            ))
        })
        .collect();
    list(items, "Gifts", theme, app.cursor, frame, gifts, hits);
    if m.gift_preview.is_some() {
        frame.render_widget(
            Paragraph::new(preview_lines.clone()).block(Block::bordered().title(preview_title(
                "Before you send",
                preview_lines.len(),
                preview,
            ))),
            preview,
        );
    }
}
