//! A member's history, a page at a time, filtered with `/`.
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::api::reply::HistoryView;
use crate::api::{ApiError, Call};
use crate::tui::command::Command;
use crate::tui::filter::Place;
use crate::tui::model::{HISTORY_PAGE, Loading, Reading, ViewModel, history_line};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Effect};
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
    update,
    moved: super::stays,
    filter,
    load,
    loads_beside: false,
    render,
};

use super::ScreenDef;

/// `/` filters the history, `n` turns to the next page.
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    match command {
        Command::Filter => super::ask_filter(app),
        Command::NextPage => {
            let next = super::history_next(vm);
            let moved = next.is_some();
            if moved {
                app.selection.history_after = next;
            }
            super::next_page(app, moved)
        }
        _ => super::not_now(app, command),
    }
}

fn filter(_: &App) -> Option<Place> {
    Some(Place::OwnHistory)
}

/// A page of their own history, as the filter says.
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    let (Some(m), Some((_, name, _))) = (vm.member.as_mut(), l.who) else {
        return Ok(());
    };
    let (choice, economy) = (l.choice, &l.basis.economy);
    let page: HistoryView = l.h.ask(Call::History {
        query: choice.history_query(Some(name)),
        after: choice.history_after.clone(),
        limit: HISTORY_PAGE,
    })?;
    m.history = page
        .transactions
        .iter()
        .map(|r| history_line(r, economy, l.basis.tz, Reading::Ledger))
        .collect();
    m.history_next = page.next_page;
    Ok(())
}

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
