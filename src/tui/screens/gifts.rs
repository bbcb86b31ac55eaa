//! Gifts: choose a creator and a gift, how many, and send (with what sending would do).
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), its row count and its drawing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, ListItem, Paragraph};

use crate::tui::command::Command;
use crate::tui::screen::Screen;
use crate::tui::state::App;
use crate::tui::text::preview_text;
use crate::tui::view::ViewModel;
use crate::tui::view::shown;
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
    render,
};

use super::ScreenDef;

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
        .map(|g| ListItem::new(format!("{:<16} {:>26}", g.name, g.price)))
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
