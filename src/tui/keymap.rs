//! One keymap table: it drives dispatch, the footer legend and the help popup,
//! so the three can never disagree.

pub use super::command::{Binding, Command, KEYMAP, command_for, keys_of};
use super::state::App;

/// The bindings that work on the screen in front as it stands, in table
/// order.
pub fn for_screen(app: &App) -> impl Iterator<Item = &'static Binding> {
    let screen = super::screens::of(app.screen);
    let idle = (screen.idle)(app);
    KEYMAP
        .iter()
        .filter(move |b| screen.commands.contains(&b.command) && !idle.contains(&b.command))
}

/// Whether `command` does something on the screen in front (with no popup
/// open).
pub fn works_on(command: Command, app: &App) -> bool {
    for_screen(app).any(|b| b.command == command)
}

/// The footer legend of `screen`: its keys that have a footer word, in
/// table order ("Tab next · ↑/↓ move · ...").
pub fn footer(app: &App) -> Vec<String> {
    let words = super::screens::of(app.screen).words;
    for_screen(app)
        .filter_map(|b| {
            let here = words.iter().find(|(c, _)| *c == b.command).map(|(_, w)| *w);
            match (b.footer, here) {
                (Some((keys, word)), here) => Some(format!("{keys} {}", here.unwrap_or(word))),
                (None, Some(word)) => Some(format!("{} {word}", b.keys)),
                (None, None) => None,
            }
        })
        .collect()
}

/// The footer of `screen` fitted to `width` columns: on a narrow terminal
/// the keys every screen has go first (moving, going back, the next
/// screen, choosing), whole, so the keys of this screen stay, and
/// `? help` and `q quit` always show.
pub fn footer_for(app: &App, width: usize) -> String {
    let mut entries = footer(app);
    for least in ["↑/↓", "Esc", "Tab", "Enter"] {
        if entries.join(" · ").chars().count() <= width {
            break;
        }
        entries.retain(|e| !e.starts_with(least));
    }
    // Still too wide: this screen's own keys go from the last, help and
    // quit stay.
    while entries.join(" · ").chars().count() > width && entries.len() > 2 {
        entries.remove(entries.len() - 3);
    }
    entries.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::screen::Screen;

    fn on(screen: Screen) -> App {
        App {
            screen,
            ..App::default()
        }
    }
    use crossterm::event::KeyCode;

    #[test]
    fn every_binding_dispatches_to_its_command() {
        let key = |keys: &str| -> KeyCode {
            if keys == "/" {
                return KeyCode::Char('/');
            }
            match keys.split('/').next().unwrap_or_default() {
                "Tab" => KeyCode::Tab,
                "Shift-Tab" => KeyCode::BackTab,
                "↑" => KeyCode::Up,
                "↓" => KeyCode::Down,
                "←" => KeyCode::Left,
                "→" => KeyCode::Right,
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                other => KeyCode::Char(other.chars().next().unwrap_or(' ')),
            }
        };
        for binding in KEYMAP {
            assert_eq!(
                command_for(&key(binding.keys), false),
                Some(binding.command),
                "{}",
                binding.keys
            );
        }
        assert_eq!(
            footer(&on(Screen::Wallet)).join(" · "),
            "Tab next · Esc back · ? help · q quit"
        );
        assert_eq!(
            footer(&on(Screen::Pick)).join(" · "),
            "↑/↓ move · Enter choose · ? help · q quit",
            "no next screen and no one to sign out before signing in"
        );
        // Each screen's own keys show, and stay when the terminal is narrow.
        assert_eq!(
            footer_for(&on(Screen::Gifts), 80),
            "Tab next · ←/→ choose · +/- how many · Enter send · Esc back · ? help · q quit"
        );
        assert_eq!(
            footer_for(&on(Screen::Gifts), 60),
            "←/→ choose · +/- how many · Enter send · ? help · q quit"
        );
        assert_eq!(
            footer_for(&on(Screen::Approvals), 60),
            "Tab next · Enter open · a approve · d deny · ? help · q quit"
        );
        assert_eq!(footer_for(&on(Screen::Wallet), 20), "? help · q quit");
        for screen in [Screen::Dashboard, Screen::Wallet] {
            assert!(!works_on(Command::Down, &on(screen)), "{screen:?}");
            assert!(!works_on(Command::Select, &on(screen)), "{screen:?}");
            assert!(!works_on(Command::Filter, &on(screen)), "{screen:?}");
        }
        assert!(!works_on(Command::NextScreen, &on(Screen::Pick)));
        assert!(works_on(Command::Filter, &on(Screen::Audit)));
        assert_eq!(keys_of(Command::Filter), "/");
        assert_eq!(command_for(&KeyCode::Tab, true), Some(Command::PrevScreen));
        assert_eq!(command_for(&KeyCode::Char('z'), false), None);
        // Help for any screen fits an 80x24 terminal (22 lines inside a border).
        for screen in [
            Screen::Pick,
            Screen::Earnings,
            Screen::Wallet,
            Screen::Shop,
            Screen::Gifts,
            Screen::Requests,
            Screen::History,
            Screen::Dashboard,
            Screen::Approvals,
            Screen::Members,
            Screen::Limits,
            Screen::Audit,
        ] {
            assert!(for_screen(&on(screen)).count() <= 22, "{screen:?}");
        }
        let audit: Vec<_> = for_screen(&on(Screen::Audit)).map(|b| b.keys).collect();
        assert!(audit.contains(&"e") && !audit.contains(&"a"), "{audit:?}");
    }
}
