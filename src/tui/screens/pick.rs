//! Who are you: the members this account may act as; Enter signs in (with a PIN where one is set).
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{ListItem, Paragraph};

use crate::api::reply::Me;
use crate::api::{ApiError, Call};
use crate::domain::Role;
use crate::tui::command::Command;
use crate::tui::model::{Loading, ViewModel, member_line, shown};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Effect, PinFor, Tone};
use crate::tui::text::columns;
use crate::tui::widgets::*;

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::Pick,
    commands: &[
        Command::Up,
        Command::Down,
        Command::Select,
        Command::Help,
        Command::Quit,
    ],
    words: &[],
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

/// Enter signs the member under the cursor in: with their PIN where they
/// have one (a guardian always needs one).
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    if command != Command::Select {
        return super::not_now(app, command);
    }
    let member = vm.members.get(app.cursor)?;
    if member.role == Role::Guardian && !member.has_pin {
        // A guardian's screens act for the household: never without
        // their PIN, even one added before every guardian had one.
        app.say(
            format!(
                "{} has no PIN, and a guardian's screens need one. Another guardian can set it: coinguard member pin \"{}\"",
                shown(&member.name),
                shown(&member.name)
            ),
            Tone::Bad,
        );
        None
    } else if member.has_pin {
        app.ask_pin(PinFor::SignIn(member.id));
        None
    } else {
        Some(Effect::SignIn {
            who: (member.id, member.name.clone(), member.role),
            pin: None,
        })
    }
}

/// Whom this account may act as (before anyone signs in).
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    if l.who.is_none() {
        let me: Me = l.h.ask(Call::WhoAmI)?;
        vm.members = me.members.iter().map(member_line).collect();
    }
    Ok(())
}

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, vm: &ViewModel) -> usize {
    let _ = app;
    vm.members.len()
}

fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let Scene { app, vm, theme } = s;
    // Below the list: who has no PIN means, and the demo's PIN.
    let mut notes = Vec::new();
    if vm.service {
        notes.push(Line::from(
            "The household service says whom this computer account may act as: they are listed here.",
        ));
    }
    if vm.members.iter().any(|m| !m.has_pin) {
        // Embedded, whoever runs the program acts as anyone; through the
        // service, only the OS accounts linked to that member do.
        notes.push(Line::from(if vm.service {
            "no PIN: any account linked to them can act as them (coinguard member pin NAME sets one)"
        } else {
            "no PIN: anyone here can act as them (coinguard member pin NAME sets one)"
        }));
    }
    if let Some(pin) = &vm.demo_pin {
        notes.push(Line::from(Span::styled(
            format!("This is the demo household: the guardians' PIN is \"{pin}\""),
            theme.warn(),
        )));
    }
    let notes: Vec<Line> = notes
        .iter()
        .flat_map(|l| crate::tui::text::wrap_line(l, usize::from(area.width)))
        .collect();
    let [list_area, notes_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(notes.len() as u16)]).areas(area);
    let width = text_width(list_area);
    // As wide as the widest name shown, in terminal columns.
    let name_width = vm
        .members
        .iter()
        .map(|m| columns(&shown(&m.name)))
        .max()
        .unwrap_or(4)
        .clamp(4, 20);
    let rows = vm
        .members
        .iter()
        .map(|m| {
            let age = m.age.map(|a| format!("{a}")).unwrap_or_else(|| "-".into());
            let pin = if m.has_pin { "PIN" } else { "no PIN" };
            vec![
                Cell::left(shown(&m.name), name_width, 0),
                Cell::left(m.role.to_string(), 8, 2),
                Cell::right(age, 3, 3),
                Cell::left(pin, 6, 0),
                Cell::left(m.holds.clone(), 0, 1),
            ]
        })
        .collect();
    let items = rows_of(rows, width)
        .into_iter()
        .map(|(text, _)| ListItem::new(text))
        .collect();
    list(
        items,
        "Who are you?",
        theme,
        app.cursor,
        frame,
        list_area,
        hits,
    );
    frame.render_widget(Paragraph::new(notes), notes_area);
}
