//! The screens: each one module with its commands (the keys that work on
//! it), its row count and its drawing, listed once in [`ALL`]. Adding a
//! screen is one module here, one line in [`ALL`], and its identity in
//! [`crate::tui::screen::Screen`].
//!
//! Learned from gitui's components (each with `commands`, `event` and
//! `draw`): the footer, the `?` help and dispatch all read a screen's
//! `commands`, so a key shown is a key that works.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::command::Command;
use crate::tui::screen::Screen;
use crate::tui::state::App;
use crate::tui::view::ViewModel;
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

#[cfg(test)]
pub(crate) use dashboard::dashboard_rows;

/// One screen: who it is, what works on it, and how it is drawn.
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
