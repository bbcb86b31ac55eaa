//! The household's members: open one's limits, add a teen or a creator.
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::ListItem;

use crate::domain::Role;
use crate::tui::command::Command;
use crate::tui::editor::Form;
use crate::tui::model::{ViewModel, shown};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Effect, Popup, Tone};
use crate::tui::text::columns;
use crate::tui::widgets::*;

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::Members,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Up,
        Command::Down,
        Command::Select,
        Command::Back,
        Command::AddMember,
        Command::Help,
        Command::Quit,
    ],
    words: &[(Command::Select, "limits")],
    idle: super::always,
    rows,
    update,
    moved: super::stays,
    filter: super::no_filter,
    load: super::nothing_more,
    loads_beside: false,
    render,
};

use super::ScreenDef;

/// Enter opens the limits of the member under the cursor; `m` adds a
/// member.
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    match command {
        Command::AddMember => {
            app.popup = Some(Popup::Form(Form::new_member()));
            None
        }
        Command::Select => {
            // A member's row opens their limits and rules (the editor lists
            // the members who are not guardians, in this order).
            let member = vm.members.get(app.cursor)?;
            if member.role == Role::Guardian {
                app.say("Guardians have no limits", Tone::Warning);
                return None;
            }
            app.selection.rules_member = vm
                .members
                .iter()
                .filter(|m| m.role != Role::Guardian)
                .position(|m| m.id == member.id)
                .unwrap_or(0);
            app.go_to(Screen::Limits)
        }
        _ => super::not_now(app, command),
    }
}

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, vm: &ViewModel) -> usize {
    let _ = app;
    vm.members.len()
}

fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    let width = text_width(area);
    // The names' column as wide as the widest name shown, in terminal
    // columns (a wide name is as long as it looks, not as it is spelled).
    let name_width = vm
        .members
        .iter()
        .map(|m| columns(&shown(&m.name)))
        .max()
        .unwrap_or(4)
        .clamp(4, 16);
    let rows = vm
        .members
        .iter()
        .map(|m| {
            vec![
                // What they hold goes first: it moves whole under the name.
                Cell::left(shown(&m.name), name_width, 0),
                Cell::left(m.role.to_string(), 8, 1),
                Cell::right(
                    m.age.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
                    3,
                    2,
                ),
                Cell::left(m.holds.clone(), 0, 3),
            ]
        })
        .collect();
    let items = rows_of(rows, width)
        .into_iter()
        .zip(&vm.members)
        .map(|((first, dropped), m)| {
            let mut lines = vec![Line::from(first)];
            // What they hold, whole, under the name when it does not fit.
            if dropped.iter().any(|c| c.text == m.holds) {
                lines.extend(wrapped(&m.holds, width, 2).into_iter().map(Line::from));
            }
            ListItem::new(Text::from(lines))
        })
        .collect();
    let title = fit_parts(
        &["Members: coins (what they cost), diamonds (pay out)".into()],
        usize::from(area.width).saturating_sub(2),
    );
    list(items, &title, theme, app.cursor, frame, area, hits);
}
