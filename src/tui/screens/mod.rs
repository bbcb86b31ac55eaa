//! The screens: each one module with its commands (the keys that work on
//! it), what its keys do, what it loads, its row count and its drawing,
//! listed once in [`ALL`]. Adding a screen is one module here, one line in
//! [`ALL`], and its identity in [`crate::tui::screen::Screen`].
//!
//! Learned from gitui's components (each with `commands`, `event` and
//! `draw`): the footer, the `?` help and dispatch all read a screen's
//! `commands`, so a key shown is a key that works; `update` is its
//! `event`, `render` its `draw`, and `load` what it reads from the
//! household when it comes in front. The keys every screen shares (quit,
//! help, Tab, moving, Esc) and the popups are the app's (`app`).

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::api::ApiError;
use crate::tui::command::Command;
use crate::tui::filter::{self, Place};
use crate::tui::model::{Loading, ViewModel};
use crate::tui::screen::Screen;
use crate::tui::state::{App, Effect, TextFor, Tone};
use crate::tui::widgets::{Hits, Scene};

mod approvals;
mod audit;
mod dashboard;
mod earnings;
mod gifts;
mod history;
mod limits;
mod members;
mod pick;
mod requests;
mod shop;
mod wallet;

/// What a request's own popup does with `a`/`d` (a guardian) and `r`/`c`
/// (its member), as the list's keys do.
pub(crate) use approvals::decide;
#[cfg(test)]
pub(crate) use dashboard::dashboard_rows;
pub(crate) use requests::member_acts;

/// One screen: who it is, what works on it, what its keys do, what it
/// loads, and how it is drawn.
pub struct ScreenDef {
    pub id: Screen,
    /// The commands that do something here (in any order: the keymap's
    /// order is the order people read them in).
    pub commands: &'static [Command],
    /// What a command does here, where the keymap's footer word is too
    /// general ("Enter buy" on the shop); a command with no footer word
    /// listed here shows in the footer too.
    pub words: &'static [(Command, &'static str)],
    /// Of `commands`, those that do nothing as the screen stands (which
    /// view it shows): left out of the footer, the help and dispatch.
    pub idle: fn(&App) -> &'static [Command],
    /// How many rows its list has (0: nothing to move in).
    pub rows: fn(&App, &ViewModel) -> usize,
    /// What Enter and this screen's own keys do (never the keys every
    /// screen shares, which the app handles): the new state, and the work
    /// for the event loop, if any. Pure: it never touches the household.
    pub update: fn(&mut App, Command, &ViewModel) -> Option<Effect>,
    /// After the cursor moved (↑/↓, a click): what follows here.
    pub moved: fn(&mut App) -> Option<Effect>,
    /// Where a `/` filter typed now applies (None: no filter here).
    pub filter: fn(&App) -> Option<Place>,
    /// Reads what it shows from the household, into its part of the view
    /// model (what every screen shows is loaded before): reads and
    /// previews only, never a write.
    pub load: fn(&mut Loading<'_, '_>, &mut ViewModel) -> Result<(), ApiError>,
    /// Its load can take longer than a frame on a large household: the
    /// event loop runs it on another connection beside the screen, and the
    /// last view model stays on screen (with `App::loading` set) until the
    /// new one arrives, so no key waits for it.
    pub loads_beside: bool,
    /// Draws it into `area`, noting where its rows landed for the mouse.
    pub render: fn(Scene<'_>, &mut Frame<'_>, Rect, &mut Hits),
}

/// Every screen, once.
pub const ALL: &[&ScreenDef] = &[
    &pick::SCREEN,
    &earnings::SCREEN,
    &wallet::SCREEN,
    &shop::SCREEN,
    &gifts::SCREEN,
    &requests::SCREEN,
    &history::SCREEN,
    &dashboard::SCREEN,
    &approvals::SCREEN,
    &members::SCREEN,
    &limits::SCREEN,
    &audit::SCREEN,
];

/// For a screen whose commands always work.
fn always(_: &App) -> &'static [Command] {
    &[]
}

/// For a screen with no keys of its own.
fn no_keys(app: &mut App, command: Command, _: &ViewModel) -> Option<Effect> {
    not_now(app, command)
}

/// For a screen where moving the cursor only moves it.
fn stays(_: &mut App) -> Option<Effect> {
    None
}

/// For a screen that nothing filters.
fn no_filter(_: &App) -> Option<Place> {
    None
}

/// For a screen that shows only what every screen loads.
fn nothing_more(_: &mut Loading<'_, '_>, _: &mut ViewModel) -> Result<(), ApiError> {
    Ok(())
}

/// A listed key that does nothing as things stand (nothing selected, or
/// nothing to act on): said, so it is never taken for one that worked.
fn not_now(app: &mut App, command: Command) -> Option<Effect> {
    app.say(
        format!(
            "{} does nothing here just now: ? lists the keys of this screen",
            crate::tui::command::keys_of(command)
        ),
        Tone::Warning,
    );
    None
}

/// One step through `count` choices (←/→), round at either end.
fn step(command: Command, at: usize, count: usize) -> usize {
    let count = count.max(1);
    if command == Command::Right {
        (at + 1) % count
    } else {
        (at + count - 1) % count
    }
}

/// Opens the `/` filter with what it says now.
fn ask_filter(app: &mut App) -> Option<Effect> {
    app.text(TextFor::Filter, app.selection.filter.text.clone());
    None
}

/// Marks every open alert as seen, with a PIN, if there are any (`none`).
fn acknowledge(app: &mut App, none: bool) -> Option<Effect> {
    if none {
        app.say("No alerts to mark as seen", Tone::Good);
    } else {
        app.ask_pin(crate::tui::state::PinFor::Acknowledge);
    }
    None
}

/// Where the next page of history starts: a member's own, or the ledger's.
fn history_next(vm: &ViewModel) -> Option<String> {
    vm.member
        .as_ref()
        .map(|m| m.history_next.clone())
        .or(vm.guardian.as_ref().map(|g| g.history_next.clone()))
        .flatten()
}

/// The next page of the list shown, numbered, when the screen `moved` its
/// selection to one; after the last one, back to the newest, and it says so.
fn next_page(app: &mut App, moved: bool) -> Option<Effect> {
    let page = app.selection.page;
    if moved {
        app.selection.page = page + 1;
    } else if page > 1 {
        app.selection.first_pages();
        app.say(
            format!("Page {page} was the last; back to the newest (page 1)"),
            Tone::Good,
        );
    } else {
        app.say("Everything listed is on this one page", Tone::Good);
        return None;
    }
    app.cursor = 0;
    Some(Effect::Reload)
}

/// The members who are not guardians (whose limits and rules a guardian
/// sees), in the household's order, from the list every guardian screen
/// loads.
fn others(vm: &ViewModel) -> Vec<(crate::domain::MemberId, String)> {
    vm.members
        .iter()
        .filter(|m| m.role != crate::domain::Role::Guardian)
        .map(|m| (m.id, m.name.clone()))
        .collect()
}

/// Where a `/` filter typed now applies: a member's history, or the audit
/// view shown (None: no filter here).
pub fn filter_place(app: &App) -> Option<Place> {
    (of(app.screen).filter)(app)
}

/// The names a filter may name at `place`: on a member's own history the
/// creators (gifts to them), elsewhere every member.
pub fn filter_names(vm: &ViewModel, place: Place) -> Vec<&str> {
    if place == filter::Place::OwnHistory {
        vm.member
            .as_ref()
            .map(|m| m.creators.iter().map(String::as_str).collect())
            .unwrap_or_default()
    } else {
        vm.members.iter().map(|m| m.name.as_str()).collect()
    }
}

/// The module of `screen`.
pub fn of(screen: Screen) -> &'static ScreenDef {
    ALL.iter()
        .find(|s| s.id == screen)
        .copied()
        .unwrap_or(&pick::SCREEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_screen_has_one_module() {
        for (i, s) in ALL.iter().enumerate() {
            assert_eq!(of(s.id).id, s.id);
            assert!(ALL[..i].iter().all(|t| t.id != s.id), "{:?} twice", s.id);
        }
        assert_eq!(ALL.len(), 12);
    }
}
