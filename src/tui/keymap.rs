//! One keymap table: it drives dispatch, the footer legend and the help popup,
//! so the three can never disagree.

pub use super::command::{Binding, Command, KEYMAP, command_for, keys_of};
use super::screen::Screen;

/// The bindings that work on `screen`, in table order.
pub fn for_screen(screen: Screen) -> impl Iterator<Item = &'static Binding> {
    let live = super::screens::of(screen).commands;
    KEYMAP.iter().filter(move |b| live.contains(&b.command))
}

/// Whether `command` does something on `screen` (with no popup open).
pub fn works_on(command: Command, screen: Screen) -> bool {
    for_screen(screen).any(|b| b.command == command)
}

/// The footer legend of `screen`: its keys that have a footer word, in
/// table order ("Tab next · ↑/↓ move · ...").
pub fn footer(screen: Screen) -> Vec<String> {
    for_screen(screen)
        .filter_map(|b| b.footer)
        .map(|(keys, word)| format!("{keys} {word}"))
        .collect()
}

/// The footer of `screen` fitted to `width` columns: on a narrow terminal
/// the keys every screen has go first (moving, going back, the next
/// screen, choosing), whole, so the keys of this screen stay, and
/// `? help` and `q quit` always show.
pub fn footer_for(screen: Screen, width: usize) -> String {
    let mut entries = footer(screen);
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
            footer(Screen::Wallet).join(" · "),
            "Tab next · Esc back · ? help · q quit"
        );
        assert_eq!(
            footer(Screen::Pick).join(" · "),
            "↑/↓ move · Enter choose · ? help · q quit",
            "no next screen and no one to sign out before signing in"
        );
        // Each screen's own keys show, and stay when the terminal is narrow.
        assert_eq!(
            footer_for(Screen::Gifts, 80),
            "Tab next · ←/→ choose · +/- how many · Enter choose · Esc back · ? help · q quit"
        );
        assert_eq!(
            footer_for(Screen::Gifts, 60),
            "←/→ choose · +/- how many · Enter choose · ? help · q quit"
        );
        assert_eq!(
            footer_for(Screen::Approvals, 60),
            "Enter choose · a approve · d deny · ? help · q quit"
        );
        assert_eq!(footer_for(Screen::Wallet, 20), "? help · q quit");
        for screen in [Screen::Dashboard, Screen::Wallet] {
            assert!(!works_on(Command::Down, screen), "{screen:?}");
            assert!(!works_on(Command::Select, screen), "{screen:?}");
            assert!(!works_on(Command::Filter, screen), "{screen:?}");
        }
        assert!(!works_on(Command::NextScreen, Screen::Pick));
        assert!(works_on(Command::Filter, Screen::Audit));
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
            assert!(for_screen(screen).count() <= 22, "{screen:?}");
        }
        let audit: Vec<_> = for_screen(Screen::Audit).map(|b| b.keys).collect();
        assert!(audit.contains(&"e") && !audit.contains(&"a"), "{audit:?}");
    }
}
