//! One keymap table: it drives dispatch, the footer legend and the help popup,
//! so the three can never disagree.

use crossterm::event::KeyCode;

use super::screen::Screen;

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    NextScreen,
    PrevScreen,
    Up,
    Down,
    Left,
    Right,
    More,
    Less,
    Select,
    Back,
    Approve,
    Deny,
    NextPage,
    Earlier,
    Later,
    Verify,
    Filter,
    Export,
    AskAgain,
    CancelRequest,
    Remove,
    Acknowledge,
    AddMember,
    Help,
    Quit,
}

/// A key, a command, and words for people.
pub struct Binding {
    /// The keys as people read them ("↑/k").
    pub keys: &'static str,
    /// The key codes that trigger it (Shift-Tab arrives as `BackTab`).
    pub codes: &'static [KeyCode],
    pub command: Command,
    pub help: &'static str,
    /// The screens it works on (empty: everywhere); help and the footer
    /// list only the keys of the screen in front, and a key pressed where
    /// it does nothing says so.
    pub on: &'static [Screen],
    /// In the footer as (keys, word) (the rest only in help).
    pub footer: Option<(&'static str, &'static str)>,
}

/// The bindings that work on `screen`, in table order.
pub fn for_screen(screen: Screen) -> impl Iterator<Item = &'static Binding> {
    KEYMAP
        .iter()
        .filter(move |b| b.on.is_empty() || b.on.contains(&screen))
}

/// Whether `command` does something on `screen` (with no popup open).
pub fn works_on(command: Command, screen: Screen) -> bool {
    for_screen(screen).any(|b| b.command == command)
}

/// The keys of `command`, as people read them ("/", "↓/j").
pub fn keys_of(command: Command) -> &'static str {
    KEYMAP
        .iter()
        .find(|b| b.command == command)
        .map_or("", |b| b.keys)
}

use Screen::*;

/// Every screen but the pick screen (where there is one screen, no one to
/// sign out, and nothing to move between).
const SIGNED_IN: &[Screen] = &[
    Earnings, Wallet, Shop, Gifts, Requests, History, Dashboard, Approvals, Members, Limits, Audit,
];
/// Screens with a list to move in.
const LISTS: &[Screen] = &[
    Pick, Earnings, Shop, Gifts, Requests, History, Approvals, Members, Limits, Audit,
];
/// Screens where Enter opens or does something.
const CHOOSING: &[Screen] = &[
    Pick, Earnings, Shop, Gifts, Requests, Approvals, Members, Limits, Audit,
];

pub const KEYMAP: &[Binding] = &[
    Binding {
        keys: "Tab",
        codes: &[KeyCode::Tab],
        command: Command::NextScreen,
        help: "next screen",
        on: SIGNED_IN,
        footer: Some(("Tab", "next")),
    },
    Binding {
        keys: "Shift-Tab",
        codes: &[KeyCode::BackTab],
        command: Command::PrevScreen,
        help: "previous screen",
        on: SIGNED_IN,
        footer: None,
    },
    Binding {
        keys: "↑/k",
        codes: &[KeyCode::Up, KeyCode::Char('k')],
        command: Command::Up,
        help: "move up",
        on: LISTS,
        footer: None,
    },
    Binding {
        keys: "↓/j",
        codes: &[KeyCode::Down, KeyCode::Char('j')],
        command: Command::Down,
        help: "move down",
        on: LISTS,
        footer: Some(("↑/↓", "move")),
    },
    Binding {
        keys: "←/h",
        codes: &[KeyCode::Left, KeyCode::Char('h')],
        command: Command::Left,
        help: "previous choice (creator, member, audit log)",
        on: &[Gifts, Limits, Audit],
        footer: Some(("←/→", "choose")),
    },
    Binding {
        keys: "→/l",
        codes: &[KeyCode::Right, KeyCode::Char('l')],
        command: Command::Right,
        help: "next choice (creator, member, audit log)",
        on: &[Gifts, Limits, Audit],
        footer: None,
    },
    Binding {
        keys: "+",
        codes: &[KeyCode::Char('+')],
        command: Command::More,
        help: "one more gift",
        on: &[Gifts],
        footer: Some(("+/-", "how many")),
    },
    Binding {
        keys: "-",
        codes: &[KeyCode::Char('-')],
        command: Command::Less,
        help: "one gift fewer",
        on: &[Gifts],
        footer: None,
    },
    Binding {
        keys: "Enter",
        codes: &[KeyCode::Enter],
        command: Command::Select,
        help: "choose / open / buy / send / cash out / reverse / confirm",
        on: CHOOSING,
        footer: Some(("Enter", "choose")),
    },
    Binding {
        keys: "Esc",
        codes: &[KeyCode::Esc],
        command: Command::Back,
        help: "back (close, cancel, or sign out to pick someone else)",
        on: SIGNED_IN,
        footer: Some(("Esc", "back")),
    },
    Binding {
        keys: "a",
        codes: &[KeyCode::Char('a')],
        command: Command::Approve,
        help: "approve the selected request (PIN)",
        on: &[Approvals],
        footer: Some(("a", "approve")),
    },
    Binding {
        keys: "d",
        codes: &[KeyCode::Char('d')],
        command: Command::Deny,
        help: "deny the selected request (reason, PIN)",
        on: &[Approvals],
        footer: Some(("d", "deny")),
    },
    Binding {
        keys: "n",
        codes: &[KeyCode::Char('n')],
        command: Command::NextPage,
        help: "next page (after the last, back to the first)",
        on: &[History, Audit],
        footer: Some(("n", "next page")),
    },
    Binding {
        keys: "[",
        codes: &[KeyCode::Char('[')],
        command: Command::Earlier,
        help: "the chart's 14 days before (audit)",
        on: &[Audit],
        footer: None,
    },
    Binding {
        keys: "]",
        codes: &[KeyCode::Char(']')],
        command: Command::Later,
        help: "the chart's 14 days after, back to today (audit)",
        on: &[Audit],
        footer: None,
    },
    Binding {
        keys: "v",
        codes: &[KeyCode::Char('v')],
        command: Command::Verify,
        help: "check the whole record (audit)",
        on: &[Audit],
        footer: None,
    },
    Binding {
        keys: "/",
        codes: &[KeyCode::Char('/')],
        command: Command::Filter,
        help: "filter what is listed (the words it takes are below)",
        on: &[History, Audit],
        footer: Some(("/", "filter")),
    },
    Binding {
        keys: "e",
        codes: &[KeyCode::Char('e')],
        command: Command::Export,
        help: "export the ledger rows the filter shows to a file (audit)",
        on: &[Audit],
        footer: None,
    },
    Binding {
        keys: "r",
        codes: &[KeyCode::Char('r')],
        command: Command::AskAgain,
        help: "ask again, with a note (your requests)",
        on: &[Requests],
        footer: Some(("r", "ask again")),
    },
    Binding {
        keys: "c",
        codes: &[KeyCode::Char('c')],
        command: Command::CancelRequest,
        help: "cancel a waiting request (your requests)",
        on: &[Requests],
        footer: Some(("c", "cancel")),
    },
    Binding {
        keys: "x",
        codes: &[KeyCode::Char('x')],
        command: Command::Remove,
        help: "remove a limit or rule (limits)",
        on: &[Limits],
        footer: Some(("x", "remove")),
    },
    Binding {
        keys: "o",
        codes: &[KeyCode::Char('o')],
        command: Command::Acknowledge,
        help: "mark every alert as seen (PIN)",
        on: &[Dashboard, Audit],
        footer: None,
    },
    Binding {
        keys: "m",
        codes: &[KeyCode::Char('m')],
        command: Command::AddMember,
        help: "add a teen or a creator (members, PIN)",
        on: &[Members],
        footer: Some(("m", "add")),
    },
    Binding {
        keys: "?",
        codes: &[KeyCode::Char('?')],
        command: Command::Help,
        help: "help",
        on: &[],
        footer: Some(("?", "help")),
    },
    Binding {
        keys: "q",
        codes: &[KeyCode::Char('q')],
        command: Command::Quit,
        help: "quit",
        on: &[],
        footer: Some(("q", "quit")),
    },
];

/// The command for a key, if any.
pub fn command_for(code: &KeyCode, shift: bool) -> Option<Command> {
    // Some terminals send Shift-Tab as Tab with the shift modifier.
    let code = match code {
        KeyCode::Tab if shift => &KeyCode::BackTab,
        other => other,
    };
    KEYMAP
        .iter()
        .find(|b| b.codes.contains(code))
        .map(|b| b.command)
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
