//! A member's history, a page at a time, filtered with `/`.
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), its row count and its drawing.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::command::Command;
use crate::tui::screen::Screen;
use crate::tui::state::App;
use crate::tui::view::ViewModel;
use crate::tui::widgets::*;

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::History,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Up,
        Command::Down,
        Command::Back,
        Command::NextPage,
        Command::Filter,
        Command::Help,
        Command::Quit,
    ],
    words: &[],
    idle: super::always,
    rows,
    render,
};

use super::ScreenDef;

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, vm: &ViewModel) -> usize {
    let _ = app;
    vm.member.as_ref().map_or(0, |m| m.history.len())
}

fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let Some(m) = &vm.member else { return };
    let title = list_title(
        "History, newest first",
        app,
        area.width,
        m.history.is_empty(),
        m.history_next.is_some(),
    );
    list(
        history_items(&m.history, text_width(area)),
        &title,
        theme,
        app.cursor,
        frame,
        area,
        hits,
    );
}
