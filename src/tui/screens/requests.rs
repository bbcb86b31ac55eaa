//! A member's own requests: open one, ask again with a note, or cancel one still waiting.
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
use crate::tui::model::{Basis, Loading, ViewModel, request_line};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Confirm, Effect, Popup, Tone};
use crate::tui::widgets::*;

pub const SCREEN: ScreenDef = ScreenDef {
    id: Screen::Requests,
    commands: &[
        Command::NextScreen,
        Command::PrevScreen,
        Command::Up,
        Command::Down,
        Command::Select,
        Command::Back,
        Command::AskAgain,
        Command::CancelRequest,
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

/// Enter opens a request whole; `r` asks again for one that did not go
/// through, `c` cancels one waiting.
fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    match command {
        // A request opens whole: every reason, when it expires, what it
        // holds, the note; asked again or cancelled from there.
        Command::Select => {
            let id = vm.member.as_ref()?.requests.get(app.cursor)?.id;
            app.popup = Some(Popup::Request(id));
            None
        }
        Command::AskAgain | Command::CancelRequest => {
            let request = vm.member.as_ref()?.requests.get(app.cursor)?.id;
            member_acts(app, vm, command, request)
        }
        _ => super::not_now(app, command),
    }
}

/// A member cancels their waiting request `id`, or asks again for one
/// denied, expired, cancelled or refused (what asking again would do is
/// previewed first: a would-be refusal only says why).
pub fn member_acts(app: &mut App, vm: &ViewModel, command: Command, id: i64) -> Option<Effect> {
    let request = vm
        .member
        .as_ref()
        .and_then(|m| m.requests.iter().find(|r| r.id == id))?;
    let status = request.status;
    match (command, status) {
        (Command::CancelRequest, RequestStatus::Pending) => {
            app.popup = Some(Popup::Confirm(Confirm {
                yes: "cancel the request",
                no: "keep it",
                ..Confirm::new(
                    format!("Cancel your request #{id}?"),
                    vec![request.summary.clone()],
                    Effect::Cancel { request: id },
                )
            }));
            None
        }
        (Command::CancelRequest, _) => {
            app.say(
                format!(
                    "Request #{id} is {}: only a waiting request can be cancelled",
                    status.as_str()
                ),
                Tone::Warning,
            );
            None
        }
        (_, RequestStatus::Pending | RequestStatus::Approved) => {
            app.say(
                format!(
                    "Request #{id} is {}: only a denied, expired, cancelled or refused request can be asked again",
                    status.as_str()
                ),
                Tone::Warning,
            );
            None
        }
        _ => Some(Effect::PreviewAskAgain { request: id }),
    }
}

/// Their latest requests, whatever became of them.
fn load(l: &mut Loading<'_, '_>, vm: &mut ViewModel) -> Result<(), ApiError> {
    let (Some(m), Some((_, name, _))) = (vm.member.as_mut(), l.who) else {
        return Ok(());
    };
    let Basis { house, economy, tz } = l.basis;
    let requests: RequestsView = l.h.ask(Call::Requests {
        status: None,
        member: Some(name.clone()),
        limit: 30,
    })?;
    m.requests = requests
        .requests
        .iter()
        .map(|r| request_line(r, economy, *tz, house.now))
        .collect();
    Ok(())
}

/// Rows of the list to move in (0: nothing to move).
fn rows(app: &App, vm: &ViewModel) -> usize {
    let _ = app;
    vm.member.as_ref().map_or(0, |m| m.requests.len())
}

fn render(s: Scene<'_>, frame: &mut Frame<'_>, area: Rect, hits: &mut Hits) {
    let rows =
        s.vm.member
            .as_ref()
            .map(|m| m.requests.as_slice())
            .unwrap_or_default();
    request_list(s.app, rows, s.theme, frame, area, "Your requests", hits);
}
