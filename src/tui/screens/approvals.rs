//! Requests waiting for a guardian: open, approve or deny each (with what approving now would do).
//!
//! Owns this screen's commands (the keys that work here, which the footer,
//! help and dispatch all read), what its keys do, what it loads, its row
//! count and its drawing.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::api::reply::RequestsView;
use crate::api::{ApiError, Call};
use crate::domain::RequestStatus;
use crate::tui::command::Command;
use crate::tui::model::{Basis, Loading, MOST_PENDING, ViewModel, preview_of, request_line};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Effect, PinFor, Popup, TextFor};
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
    update,
    moved: super::stays,
    filter: super::no_filter,
    load,
    loads_beside: false,
    render,
};

use super::ScreenDef;

/// Enter opens the request under the cursor whole; `a` approves it (the
/// PIN next), `d` denies it (a reason, then the PIN).
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    let request = vm.guardian.as_ref()?.pending.get(app.cursor)?.id;
    match command {
        // A request opens whole: every reason, when it expires, what it
        // holds, the note; approved, denied or cancelled from there.
        Command::Select => {
            app.popup = Some(Popup::Request(request));
            None
        }
        Command::Approve | Command::Deny => {
            decide(app, command, request);
            None
        }
        _ => super::not_now(app, command),
    }
}

/// Approve (the PIN next) or deny (a reason, then the PIN) request `id`.
pub fn decide(app: &mut App, command: Command, id: i64) {
    if command == Command::Approve {
        app.ask_pin(PinFor::Approve(id));
    } else {
        app.text(TextFor::DenyReason(id), String::new());
    }
}

/// The requests waiting, each with what approving it now would do (the
/// rules may have changed since it was asked).
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    let Some(g) = vm.guardian.as_mut() else {
        return Ok(());
    };
    let (h, Basis { house, economy, tz }) = (&mut *l.h, l.basis);
    let pending: RequestsView = h.ask(Call::Requests {
        status: Some(RequestStatus::Pending),
        member: None,
        limit: MOST_PENDING,
    })?;
    for r in &pending.requests {
        let mut line = request_line(r, economy, *tz, house.now);
        line.approve_now = Some(preview_of(h.ask(Call::ApprovalPreview { id: r.id })));
        g.pending.push(line);
    }
    Ok(())
}

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
