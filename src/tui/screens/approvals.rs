//! Requests waiting for a guardian: open, approve or deny each (with what approving now would do).
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
    id: Screen::Approvals,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Up,
        Command::Down,
        Command::Select,
        Command::Back,
        Command::Approve,
        Command::Deny,
        Command::Help,
        Command::Quit,
    ],
    words: &[(Command::Select, "open")],
    idle: super::always,
    rows,
    render,
};

use super::ScreenDef;

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, vm: &ViewModel) -> usize {
    let _ = app;
    vm.guardian.as_ref().map_or(0, |g| g.pending.len())
}

fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let rows =
        s.vm.guardian
            .as_ref()
            .map(|g| g.pending.as_slice())
            .unwrap_or_default();
    request_list(s.app, rows, s.theme, frame, area, "Waiting for you", hits);
}
